-- V2 reconcile close/current_price (expand step): the live collector was
-- renamed to write current_price, but an old writer still inserts close and
-- failed (Unknown column close in field list). Add close back as a nullable
-- column and keep both columns equal with triggers, so old and new writers
-- both work. An INSERT naming only close or only current_price fills both
-- (if both are given, current_price wins). An UPDATE of either column is
-- copied to the other (if both change, current_price wins). Existing rows
-- are copied.
-- Dropping close is a later contract step, once no old writer is left.
-- MariaDB/MySQL: DDL commits implicitly, so the triggers are created before
-- the copy, and the copy runs in both directions to cover rows an old writer
-- inserted between ADD COLUMN and CREATE TRIGGER.

ALTER TABLE price_data_real ADD COLUMN close DOUBLE NULL;

CREATE TRIGGER price_data_real_sync_close_bi
BEFORE INSERT ON price_data_real
FOR EACH ROW
BEGIN
    IF NEW.current_price IS NULL THEN
        SET NEW.current_price = NEW.close;
    ELSE
        SET NEW.close = NEW.current_price;
    END IF;
END;

CREATE TRIGGER price_data_real_sync_close_bu
BEFORE UPDATE ON price_data_real
FOR EACH ROW
BEGIN
    IF NOT (NEW.current_price <=> OLD.current_price) THEN
        SET NEW.close = NEW.current_price;
    ELSEIF NOT (NEW.close <=> OLD.close) THEN
        SET NEW.current_price = NEW.close;
    END IF;
END;

UPDATE price_data_real
   SET close = current_price
 WHERE close IS NULL AND current_price IS NOT NULL;

UPDATE price_data_real
   SET current_price = close
 WHERE current_price IS NULL AND close IS NOT NULL;
