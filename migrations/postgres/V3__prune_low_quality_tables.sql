-- V3 prune: take the 28 low-quality tables (empty or junk: *_test, *_tmp,
-- *_backup_YYYYMMDD, *_v1, *_old) out of the way without losing a row:
-- each is renamed to mendb_pruned_<name>. Reversible: the down file renames
-- them back. Purging them for good is a separate, explicit step.
-- mendb:allow-destructive renames only: no row is dropped, and V3 down renames every table back
-- The view price_data_test_latest reads price_data_test, so it is dropped
-- first (V3 down recreates it), and no remaining view reads a pruned table.
-- Foreign keys of trading_signals_test and price_alerts_test point at
-- crypto_assets and stay valid under the new names.

DROP VIEW price_data_test_latest;

ALTER TABLE price_data_test                 RENAME TO mendb_pruned_price_data_test;
ALTER TABLE price_data_tmp                  RENAME TO mendb_pruned_price_data_tmp;
ALTER TABLE price_data_backup_20250901      RENAME TO mendb_pruned_price_data_backup_20250901;
ALTER TABLE price_data_real_backup_20250915 RENAME TO mendb_pruned_price_data_real_backup_20250915;
ALTER TABLE price_data_v1                   RENAME TO mendb_pruned_price_data_v1;
ALTER TABLE ohlc_data_test                  RENAME TO mendb_pruned_ohlc_data_test;
ALTER TABLE ohlc_data_backup_20250820       RENAME TO mendb_pruned_ohlc_data_backup_20250820;
ALTER TABLE crypto_assets_backup_20250901   RENAME TO mendb_pruned_crypto_assets_backup_20250901;
ALTER TABLE crypto_assets_test              RENAME TO mendb_pruned_crypto_assets_test;
ALTER TABLE crypto_onchain_data_v1          RENAME TO mendb_pruned_crypto_onchain_data_v1;
ALTER TABLE crypto_onchain_data_tmp         RENAME TO mendb_pruned_crypto_onchain_data_tmp;
ALTER TABLE onchain_enhanced_test           RENAME TO mendb_pruned_onchain_enhanced_test;
ALTER TABLE ml_features_v1                  RENAME TO mendb_pruned_ml_features_v1;
ALTER TABLE ml_features_test                RENAME TO mendb_pruned_ml_features_test;
ALTER TABLE ml_features_materialized_old    RENAME TO mendb_pruned_ml_features_materialized_old;
ALTER TABLE ml_features_backup_20250910     RENAME TO mendb_pruned_ml_features_backup_20250910;
ALTER TABLE sentiment_data_old              RENAME TO mendb_pruned_sentiment_data_old;
ALTER TABLE social_sentiment_test           RENAME TO mendb_pruned_social_sentiment_test;
ALTER TABLE news_data_old                   RENAME TO mendb_pruned_news_data_old;
ALTER TABLE crypto_news_tmp                 RENAME TO mendb_pruned_crypto_news_tmp;
ALTER TABLE technical_indicators_v1         RENAME TO mendb_pruned_technical_indicators_v1;
ALTER TABLE trading_signals_test            RENAME TO mendb_pruned_trading_signals_test;
ALTER TABLE trading_signals_backup_20250825 RENAME TO mendb_pruned_trading_signals_backup_20250825;
ALTER TABLE macro_indicators_old            RENAME TO mendb_pruned_macro_indicators_old;
ALTER TABLE narrative_analysis_tmp          RENAME TO mendb_pruned_narrative_analysis_tmp;
ALTER TABLE collector_runs_old              RENAME TO mendb_pruned_collector_runs_old;
ALTER TABLE api_usage_log_backup_20250901   RENAME TO mendb_pruned_api_usage_log_backup_20250901;
ALTER TABLE price_alerts_test               RENAME TO mendb_pruned_price_alerts_test;
