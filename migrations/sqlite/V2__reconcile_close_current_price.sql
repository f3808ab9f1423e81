-- V2 reconcile close/current_price (expand step): the live collector was
-- renamed to write current_price, but an old writer still inserts close and
-- failed (Unknown column close in field list). Add close back as a nullable
-- column and keep both columns equal with triggers, so old and new writers
-- both work. An INSERT naming only close or only current_price fills both
-- (if both are given, current_price wins). An UPDATE of either column is
-- copied to the other (if both change, current_price wins). Existing rows
-- are copied.
-- Dropping close is a later contract step, once no old writer is left.
-- SQLite: a BEFORE trigger cannot assign NEW, so AFTER triggers update the row
-- by id. Their WHEN clauses make every inner UPDATE a no-op for the other
-- triggers, so they terminate whether recursive_triggers is on or off.

ALTER TABLE price_data_real ADD COLUMN close REAL NULL;

UPDATE price_data_real
   SET close = current_price
 WHERE close IS NULL AND current_price IS NOT NULL;

CREATE TRIGGER price_data_real_sync_close_ai
AFTER INSERT ON price_data_real
FOR EACH ROW
WHEN NEW.current_price IS NOT NEW.close
BEGIN
    UPDATE price_data_real
       SET current_price = COALESCE(NEW.current_price, NEW.close),
           close = COALESCE(NEW.current_price, NEW.close)
     WHERE id = NEW.id;
END;

CREATE TRIGGER price_data_real_sync_close_au_current_price
AFTER UPDATE OF current_price ON price_data_real
FOR EACH ROW
WHEN NEW.current_price IS NOT OLD.current_price
 AND NEW.close IS NOT NEW.current_price
BEGIN
    UPDATE price_data_real
       SET close = NEW.current_price
     WHERE id = NEW.id;
END;

CREATE TRIGGER price_data_real_sync_close_au_close
AFTER UPDATE OF close ON price_data_real
FOR EACH ROW
WHEN NEW.current_price IS OLD.current_price
 AND NEW.close IS NOT NEW.current_price
BEGIN
    UPDATE price_data_real
       SET current_price = NEW.close
     WHERE id = NEW.id;
END;
