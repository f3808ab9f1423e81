-- V4 backfill support: what the gap backfills and gap detection need that V1
-- lacks.
-- price_data_real.data_source records provenance: NULL = written by the live
-- collector, otherwise the name of the table a backfill copied the row from
-- (price_data_old or ohlc_data).
-- Indexes: (symbol, timestamp) on price_data_old and ohlc_data for per-symbol
-- bucket lookups, (date, symbol) on crypto_onchain_data for newest-first
-- keyset scans of the enhanced-table restore, and (symbol, timestamp) on
-- ml_features_materialized for the feature refresh. None is unique: existing
-- production data (duplicate legacy samples) could violate a unique index.

ALTER TABLE price_data_real ADD COLUMN data_source VARCHAR(32) NULL;

CREATE INDEX idx_price_data_old_symbol_ts ON price_data_old (symbol, timestamp);

CREATE INDEX idx_ohlc_data_symbol_ts ON ohlc_data (symbol, timestamp);

CREATE INDEX idx_crypto_onchain_data_date_symbol ON crypto_onchain_data (date, symbol);

CREATE INDEX idx_ml_features_materialized_symbol_ts ON ml_features_materialized (symbol, timestamp);
