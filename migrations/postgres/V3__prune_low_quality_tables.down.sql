-- Revert V3: rename the 28 pruned tables back to their original names (rows
-- and indexes travel with them), then recreate the view
-- price_data_test_latest exactly as V1 defined it.

ALTER TABLE mendb_pruned_price_data_test                 RENAME TO price_data_test;
ALTER TABLE mendb_pruned_price_data_tmp                  RENAME TO price_data_tmp;
ALTER TABLE mendb_pruned_price_data_backup_20250901      RENAME TO price_data_backup_20250901;
ALTER TABLE mendb_pruned_price_data_real_backup_20250915 RENAME TO price_data_real_backup_20250915;
ALTER TABLE mendb_pruned_price_data_v1                   RENAME TO price_data_v1;
ALTER TABLE mendb_pruned_ohlc_data_test                  RENAME TO ohlc_data_test;
ALTER TABLE mendb_pruned_ohlc_data_backup_20250820       RENAME TO ohlc_data_backup_20250820;
ALTER TABLE mendb_pruned_crypto_assets_backup_20250901   RENAME TO crypto_assets_backup_20250901;
ALTER TABLE mendb_pruned_crypto_assets_test              RENAME TO crypto_assets_test;
ALTER TABLE mendb_pruned_crypto_onchain_data_v1          RENAME TO crypto_onchain_data_v1;
ALTER TABLE mendb_pruned_crypto_onchain_data_tmp         RENAME TO crypto_onchain_data_tmp;
ALTER TABLE mendb_pruned_onchain_enhanced_test           RENAME TO onchain_enhanced_test;
ALTER TABLE mendb_pruned_ml_features_v1                  RENAME TO ml_features_v1;
ALTER TABLE mendb_pruned_ml_features_test                RENAME TO ml_features_test;
ALTER TABLE mendb_pruned_ml_features_materialized_old    RENAME TO ml_features_materialized_old;
ALTER TABLE mendb_pruned_ml_features_backup_20250910     RENAME TO ml_features_backup_20250910;
ALTER TABLE mendb_pruned_sentiment_data_old              RENAME TO sentiment_data_old;
ALTER TABLE mendb_pruned_social_sentiment_test           RENAME TO social_sentiment_test;
ALTER TABLE mendb_pruned_news_data_old                   RENAME TO news_data_old;
ALTER TABLE mendb_pruned_crypto_news_tmp                 RENAME TO crypto_news_tmp;
ALTER TABLE mendb_pruned_technical_indicators_v1         RENAME TO technical_indicators_v1;
ALTER TABLE mendb_pruned_trading_signals_test            RENAME TO trading_signals_test;
ALTER TABLE mendb_pruned_trading_signals_backup_20250825 RENAME TO trading_signals_backup_20250825;
ALTER TABLE mendb_pruned_macro_indicators_old            RENAME TO macro_indicators_old;
ALTER TABLE mendb_pruned_narrative_analysis_tmp          RENAME TO narrative_analysis_tmp;
ALTER TABLE mendb_pruned_collector_runs_old              RENAME TO collector_runs_old;
ALTER TABLE mendb_pruned_api_usage_log_backup_20250901   RENAME TO api_usage_log_backup_20250901;
ALTER TABLE mendb_pruned_price_alerts_test               RENAME TO price_alerts_test;

CREATE VIEW price_data_test_latest AS
SELECT
    symbol,
    MAX(timestamp) AS latest_timestamp,
    COUNT(*) AS row_count
FROM price_data_test
GROUP BY symbol;
