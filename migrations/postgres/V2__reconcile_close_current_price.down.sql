-- Revert V2: drop the sync trigger, its function and the close column. Any
-- price that only reached close is first copied into current_price, so no
-- value is lost.
-- mendb:allow-data-loss close only ever holds copies of current_price

DROP TRIGGER IF EXISTS price_data_real_sync_close_biu ON price_data_real;

DROP FUNCTION IF EXISTS price_data_real_sync_close();

UPDATE price_data_real
   SET current_price = close
 WHERE current_price IS NULL AND close IS NOT NULL;

ALTER TABLE price_data_real DROP COLUMN close;
