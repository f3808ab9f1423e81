-- Revert V4: drop exactly the indexes and the data_source column V4 added.
-- Backfilled rows stay, only their provenance mark is lost.

DROP INDEX idx_ml_features_materialized_symbol_ts ON ml_features_materialized;

DROP INDEX idx_crypto_onchain_data_date_symbol ON crypto_onchain_data;

DROP INDEX idx_ohlc_data_symbol_ts ON ohlc_data;

DROP INDEX idx_price_data_old_symbol_ts ON price_data_old;

ALTER TABLE price_data_real DROP COLUMN data_source;
