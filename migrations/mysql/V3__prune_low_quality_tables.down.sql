-- Revert V3: rename the 28 pruned tables back to their original names (rows
-- and indexes travel with them), then recreate the view
-- price_data_test_latest exactly as V1 defined it.

RENAME TABLE
    mendb_pruned_price_data_test                 TO price_data_test,
    mendb_pruned_price_data_tmp                  TO price_data_tmp,
    mendb_pruned_price_data_backup_20250901      TO price_data_backup_20250901,
    mendb_pruned_price_data_real_backup_20250915 TO price_data_real_backup_20250915,
    mendb_pruned_price_data_v1                   TO price_data_v1,
    mendb_pruned_ohlc_data_test                  TO ohlc_data_test,
    mendb_pruned_ohlc_data_backup_20250820       TO ohlc_data_backup_20250820,
    mendb_pruned_crypto_assets_backup_20250901   TO crypto_assets_backup_20250901,
    mendb_pruned_crypto_assets_test              TO crypto_assets_test,
    mendb_pruned_crypto_onchain_data_v1          TO crypto_onchain_data_v1,
    mendb_pruned_crypto_onchain_data_tmp         TO crypto_onchain_data_tmp,
    mendb_pruned_onchain_enhanced_test           TO onchain_enhanced_test,
    mendb_pruned_ml_features_v1                  TO ml_features_v1,
    mendb_pruned_ml_features_test                TO ml_features_test,
    mendb_pruned_ml_features_materialized_old    TO ml_features_materialized_old,
    mendb_pruned_ml_features_backup_20250910     TO ml_features_backup_20250910,
    mendb_pruned_sentiment_data_old              TO sentiment_data_old,
    mendb_pruned_social_sentiment_test           TO social_sentiment_test,
    mendb_pruned_news_data_old                   TO news_data_old,
    mendb_pruned_crypto_news_tmp                 TO crypto_news_tmp,
    mendb_pruned_technical_indicators_v1         TO technical_indicators_v1,
    mendb_pruned_trading_signals_test            TO trading_signals_test,
    mendb_pruned_trading_signals_backup_20250825 TO trading_signals_backup_20250825,
    mendb_pruned_macro_indicators_old            TO macro_indicators_old,
    mendb_pruned_narrative_analysis_tmp          TO narrative_analysis_tmp,
    mendb_pruned_collector_runs_old              TO collector_runs_old,
    mendb_pruned_api_usage_log_backup_20250901   TO api_usage_log_backup_20250901,
    mendb_pruned_price_alerts_test               TO price_alerts_test;

CREATE VIEW price_data_test_latest AS
SELECT
    symbol,
    MAX(timestamp) AS latest_timestamp,
    COUNT(*) AS row_count
FROM price_data_test
GROUP BY symbol;
