-- V2 reconcile close/current_price (expand step): the live collector was
-- renamed to write current_price, but an old writer still inserts close and
-- failed (Unknown column close in field list). Add close back as a nullable
-- column and keep both columns equal with a trigger, so old and new writers
-- both work. An INSERT naming only close or only current_price fills both
-- (if both are given, current_price wins). An UPDATE of either column is
-- copied to the other (if both change, current_price wins). Existing rows
-- are copied.
-- Dropping close is a later contract step, once no old writer is left.

ALTER TABLE price_data_real ADD COLUMN close DOUBLE PRECISION NULL;

CREATE FUNCTION price_data_real_sync_close() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.current_price IS NULL THEN
            NEW.current_price := NEW.close;
        ELSE
            NEW.close := NEW.current_price;
        END IF;
    ELSIF NEW.current_price IS DISTINCT FROM OLD.current_price THEN
        NEW.close := NEW.current_price;
    ELSIF NEW.close IS DISTINCT FROM OLD.close THEN
        NEW.current_price := NEW.close;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER price_data_real_sync_close_biu
BEFORE INSERT OR UPDATE ON price_data_real
FOR EACH ROW
EXECUTE FUNCTION price_data_real_sync_close();

UPDATE price_data_real
   SET close = current_price
 WHERE close IS NULL AND current_price IS NOT NULL;
