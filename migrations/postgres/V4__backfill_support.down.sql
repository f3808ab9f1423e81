-- Revert V4: drop exactly the indexes and the data_source column V4 added.
-- Backfilled rows stay, only their provenance mark is lost.

DROP INDEX idx_ml_features_materialized_symbol_ts;

DROP INDEX idx_crypto_onchain_data_date_symbol;

DROP INDEX idx_ohlc_data_symbol_ts;

DROP INDEX idx_price_data_old_symbol_ts;

ALTER TABLE price_data_real DROP COLUMN data_source;
