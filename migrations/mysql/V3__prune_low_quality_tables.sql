-- V3 prune: take the 28 low-quality tables (empty or junk: *_test, *_tmp,
-- *_backup_YYYYMMDD, *_v1, *_old) out of the way without losing a row:
-- each is renamed to mendb_pruned_<name>. Reversible: the down file renames
-- them back. Purging them for good is a separate, explicit step.
-- mendb:allow-destructive renames only: no row is dropped, and V3 down renames every table back
-- The view price_data_test_latest reads price_data_test, so it is dropped
-- first (V3 down recreates it), and no remaining view reads a pruned table.
-- Foreign keys of trading_signals_test and price_alerts_test point at
-- crypto_assets and stay valid under the new names.
-- MariaDB/MySQL: one RENAME TABLE statement, so all 28 move atomically.

DROP VIEW price_data_test_latest;

RENAME TABLE
    price_data_test                 TO mendb_pruned_price_data_test,
    price_data_tmp                  TO mendb_pruned_price_data_tmp,
    price_data_backup_20250901      TO mendb_pruned_price_data_backup_20250901,
    price_data_real_backup_20250915 TO mendb_pruned_price_data_real_backup_20250915,
    price_data_v1                   TO mendb_pruned_price_data_v1,
    ohlc_data_test                  TO mendb_pruned_ohlc_data_test,
    ohlc_data_backup_20250820       TO mendb_pruned_ohlc_data_backup_20250820,
    crypto_assets_backup_20250901   TO mendb_pruned_crypto_assets_backup_20250901,
    crypto_assets_test              TO mendb_pruned_crypto_assets_test,
    crypto_onchain_data_v1          TO mendb_pruned_crypto_onchain_data_v1,
    crypto_onchain_data_tmp         TO mendb_pruned_crypto_onchain_data_tmp,
    onchain_enhanced_test           TO mendb_pruned_onchain_enhanced_test,
    ml_features_v1                  TO mendb_pruned_ml_features_v1,
    ml_features_test                TO mendb_pruned_ml_features_test,
    ml_features_materialized_old    TO mendb_pruned_ml_features_materialized_old,
    ml_features_backup_20250910     TO mendb_pruned_ml_features_backup_20250910,
    sentiment_data_old              TO mendb_pruned_sentiment_data_old,
    social_sentiment_test           TO mendb_pruned_social_sentiment_test,
    news_data_old                   TO mendb_pruned_news_data_old,
    crypto_news_tmp                 TO mendb_pruned_crypto_news_tmp,
    technical_indicators_v1         TO mendb_pruned_technical_indicators_v1,
    trading_signals_test            TO mendb_pruned_trading_signals_test,
    trading_signals_backup_20250825 TO mendb_pruned_trading_signals_backup_20250825,
    macro_indicators_old            TO mendb_pruned_macro_indicators_old,
    narrative_analysis_tmp          TO mendb_pruned_narrative_analysis_tmp,
    collector_runs_old              TO mendb_pruned_collector_runs_old,
    api_usage_log_backup_20250901   TO mendb_pruned_api_usage_log_backup_20250901,
    price_alerts_test               TO mendb_pruned_price_alerts_test;
