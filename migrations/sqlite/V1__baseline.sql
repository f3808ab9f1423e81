-- V1 baseline: the pre-incident schema of the crypto market-data platform
-- (2025-09-30), 48 tables (20 essential, 28 low-quality) and 2 views.
-- Production databases already have it: adopt them with
-- mendb migrate baseline --version 1 instead of running this file.
-- price_data_real has current_price and no close column: that is the
-- incident V2 repairs. The 28 low-quality tables are pruned by V3.
-- SQLite: timestamps as TEXT YYYY-MM-DD HH:MM:SS (UTC), dates as TEXT YYYY-MM-DD.
-- Keep in sync with migrations/*/V1__baseline.sql and docs/schema.md.

-- ---------------------------------------------------------------------
-- Essential tables (20)
-- ---------------------------------------------------------------------

-- the 317 tracked assets, ranked by market cap
CREATE TABLE crypto_assets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    market_cap_rank INTEGER NULL,
    category        TEXT    NULL,
    is_active       INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_crypto_assets_symbol ON crypto_assets (symbol);
CREATE INDEX idx_crypto_assets_market_cap_rank ON crypto_assets (market_cap_rank);

-- 5-minute prices from the live collector (column current_price, the old writer still sends close)
CREATE TABLE price_data_real (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol           TEXT    NOT NULL,
    timestamp        TEXT    NOT NULL,
    current_price    REAL    NULL,
    volume_24h       REAL    NULL,
    market_cap       REAL    NULL,
    price_change_24h REAL    NULL,
    created_at       TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_price_data_real_symbol_ts ON price_data_real (symbol, timestamp);
CREATE INDEX idx_price_data_real_timestamp ON price_data_real (timestamp);

-- legacy collector: 127 symbols, timestamps off the 5-minute grid
CREATE TABLE price_data_old (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol     TEXT    NOT NULL,
    timestamp  TEXT    NOT NULL,
    price      REAL    NOT NULL,
    volume     REAL    NULL,
    market_cap REAL    NULL
);
CREATE INDEX idx_price_data_old_timestamp ON price_data_old (timestamp);

-- hourly candles
CREATE TABLE ohlc_data (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NOT NULL,
    timestamp TEXT    NOT NULL,
    open      REAL    NOT NULL,
    high      REAL    NOT NULL,
    low       REAL    NOT NULL,
    close     REAL    NOT NULL,
    volume    REAL    NULL
);
CREATE INDEX idx_ohlc_data_timestamp ON ohlc_data (timestamp);

-- daily on-chain metrics per asset (base)
CREATE TABLE crypto_onchain_data (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol             TEXT    NOT NULL,
    date               TEXT    NOT NULL,
    active_addresses   INTEGER NULL,
    transaction_count  INTEGER NULL,
    transaction_volume REAL    NULL,
    exchange_inflow    REAL    NULL,
    exchange_outflow   REAL    NULL,
    whale_transactions INTEGER NULL,
    hash_rate          REAL    NULL,
    market_cap         REAL    NULL,
    realized_cap       REAL    NULL,
    circulating_supply REAL    NULL,
    created_at         TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_crypto_onchain_data_symbol_date ON crypto_onchain_data (symbol, date);

-- base on-chain rows plus metrics derived from them
CREATE TABLE crypto_onchain_data_enhanced (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol                TEXT    NOT NULL,
    date                  TEXT    NOT NULL,
    active_addresses      INTEGER NULL,
    transaction_count     INTEGER NULL,
    transaction_volume    REAL    NULL,
    exchange_inflow       REAL    NULL,
    exchange_outflow      REAL    NULL,
    whale_transactions    INTEGER NULL,
    hash_rate             REAL    NULL,
    market_cap            REAL    NULL,
    realized_cap          REAL    NULL,
    circulating_supply    REAL    NULL,
    exchange_netflow      REAL    NULL,
    nvt_ratio             REAL    NULL,
    mvrv_ratio            REAL    NULL,
    avg_transaction_value REAL    NULL,
    created_at            TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_crypto_onchain_data_enhanced_symbol_date ON crypto_onchain_data_enhanced (symbol, date);

-- hourly ML feature rows, the onchain_* columns come from crypto_onchain_data_enhanced
CREATE TABLE ml_features_materialized (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol                     TEXT    NOT NULL,
    timestamp                  TEXT    NOT NULL,
    price                      REAL    NULL,
    volume                     REAL    NULL,
    returns_1h                 REAL    NULL,
    returns_24h                REAL    NULL,
    volatility_24h             REAL    NULL,
    rsi_14                     REAL    NULL,
    macd                       REAL    NULL,
    sma_20                     REAL    NULL,
    onchain_active_addresses   REAL    NULL,
    onchain_transaction_count  REAL    NULL,
    onchain_transaction_volume REAL    NULL,
    onchain_exchange_inflow    REAL    NULL,
    onchain_exchange_outflow   REAL    NULL,
    onchain_exchange_netflow   REAL    NULL,
    onchain_whale_transactions REAL    NULL,
    onchain_nvt_ratio          REAL    NULL,
    onchain_mvrv_ratio         REAL    NULL,
    onchain_hash_rate          REAL    NULL,
    created_at                 TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at                 TEXT    NULL
);
CREATE INDEX idx_ml_features_materialized_timestamp ON ml_features_materialized (timestamp);

-- news articles
CREATE TABLE crypto_news (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT    NOT NULL,
    url             TEXT    NULL,
    source          TEXT    NULL,
    published_at    TEXT    NOT NULL,
    symbols         TEXT    NULL,
    sentiment_score REAL    NULL,
    created_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_crypto_news_published_at ON crypto_news (published_at);

-- social media sentiment per symbol and platform
CREATE TABLE social_sentiment (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NOT NULL,
    timestamp       TEXT    NOT NULL,
    platform        TEXT    NOT NULL,
    sentiment_score REAL    NULL,
    mention_count   INTEGER NULL,
    created_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_social_sentiment_symbol_ts ON social_sentiment (symbol, timestamp);

-- daily macro series (DXY, rates, ...)
CREATE TABLE macro_indicators (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_name  TEXT    NOT NULL,
    date            TEXT    NOT NULL,
    indicator_value REAL    NULL,
    source          TEXT    NULL,
    created_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_macro_indicators_name_date ON macro_indicators (indicator_name, date);

-- technical indicators per symbol
CREATE TABLE technical_indicators (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NOT NULL,
    timestamp       TEXT    NOT NULL,
    sma_20          REAL    NULL,
    sma_50          REAL    NULL,
    ema_12          REAL    NULL,
    ema_26          REAL    NULL,
    rsi_14          REAL    NULL,
    macd            REAL    NULL,
    macd_signal     REAL    NULL,
    bollinger_upper REAL    NULL,
    bollinger_lower REAL    NULL,
    created_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_technical_indicators_symbol_ts ON technical_indicators (symbol, timestamp);

-- model trading signals
CREATE TABLE trading_signals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol        TEXT    NOT NULL,
    timestamp     TEXT    NOT NULL,
    signal_type   TEXT    NOT NULL,
    confidence    REAL    NULL,
    model_version TEXT    NULL,
    created_at    TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_trading_signals_symbol_ts ON trading_signals (symbol, timestamp);

-- LLM narrative analysis
CREATE TABLE narrative_analysis (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NULL,
    timestamp       TEXT    NOT NULL,
    narrative       TEXT    NOT NULL,
    summary         TEXT    NULL,
    sentiment_score REAL    NULL,
    model_name      TEXT    NULL,
    created_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_narrative_analysis_timestamp ON narrative_analysis (timestamp);

-- one row per collector run
CREATE TABLE collector_runs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    collector_name TEXT    NOT NULL,
    started_at     TEXT    NOT NULL,
    finished_at    TEXT    NULL,
    status         TEXT    NOT NULL,
    rows_written   INTEGER NULL,
    error_message  TEXT    NULL
);
CREATE INDEX idx_collector_runs_name_started ON collector_runs (collector_name, started_at);

-- external API calls (rate-limit accounting)
CREATE TABLE api_usage_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    provider     TEXT    NOT NULL,
    endpoint     TEXT    NOT NULL,
    requested_at TEXT    NOT NULL,
    status_code  INTEGER NULL,
    response_ms  INTEGER NULL
);
CREATE INDEX idx_api_usage_log_provider_ts ON api_usage_log (provider, requested_at);

-- exchanges
CREATE TABLE exchange_info (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange_code TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    country       TEXT    NULL,
    is_active     INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_exchange_info_exchange_code ON exchange_info (exchange_code);

-- whole-market snapshot
CREATE TABLE market_summary (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp               TEXT    NOT NULL,
    total_market_cap        REAL    NULL,
    total_volume_24h        REAL    NULL,
    btc_dominance           REAL    NULL,
    eth_dominance           REAL    NULL,
    active_cryptocurrencies INTEGER NULL,
    created_at              TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_market_summary_timestamp ON market_summary (timestamp);

-- user price alerts
CREATE TABLE price_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol       TEXT    NOT NULL,
    alert_type   TEXT    NOT NULL,
    threshold    REAL    NOT NULL,
    is_triggered INTEGER NOT NULL DEFAULT 0,
    triggered_at TEXT    NULL,
    created_at   TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_price_alerts_symbol ON price_alerts (symbol);

-- funding rates and open interest
CREATE TABLE derivatives_data (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol           TEXT    NOT NULL,
    exchange_code    TEXT    NOT NULL,
    timestamp        TEXT    NOT NULL,
    funding_rate     REAL    NULL,
    open_interest    REAL    NULL,
    long_short_ratio REAL    NULL,
    created_at       TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_derivatives_data_symbol_ts ON derivatives_data (symbol, timestamp);

-- daily DeFi protocol metrics
CREATE TABLE defi_protocol_metrics (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    protocol   TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    tvl_usd    REAL    NULL,
    volume_24h REAL    NULL,
    fees_24h   REAL    NULL,
    created_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_defi_protocol_metrics_protocol_date ON defi_protocol_metrics (protocol, date);

-- ---------------------------------------------------------------------
-- Low-quality tables (28): empty or junk, V3 prunes them reversibly.
-- trading_signals_test and price_alerts_test reference crypto_assets.
-- ---------------------------------------------------------------------

CREATE TABLE price_data_test (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol        TEXT    NOT NULL,
    timestamp     TEXT    NOT NULL,
    current_price REAL    NULL,
    volume_24h    REAL    NULL,
    created_at    TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_price_data_test_symbol_ts ON price_data_test (symbol, timestamp);

CREATE TABLE price_data_tmp (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NULL,
    timestamp TEXT    NULL,
    price     REAL    NULL
);

CREATE TABLE price_data_backup_20250901 (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol     TEXT    NOT NULL,
    timestamp  TEXT    NOT NULL,
    price      REAL    NULL,
    volume     REAL    NULL,
    market_cap REAL    NULL
);

CREATE TABLE price_data_real_backup_20250915 (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol     TEXT    NOT NULL,
    timestamp  TEXT    NOT NULL,
    close      REAL    NULL,
    volume_24h REAL    NULL,
    market_cap REAL    NULL,
    created_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE price_data_v1 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NOT NULL,
    timestamp TEXT    NOT NULL,
    price     REAL    NULL
);

CREATE TABLE ohlc_data_test (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NOT NULL,
    timestamp TEXT    NOT NULL,
    open      REAL    NULL,
    high      REAL    NULL,
    low       REAL    NULL,
    close     REAL    NULL,
    volume    REAL    NULL
);

CREATE TABLE ohlc_data_backup_20250820 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NOT NULL,
    timestamp TEXT    NOT NULL,
    open      REAL    NULL,
    high      REAL    NULL,
    low       REAL    NULL,
    close     REAL    NULL,
    volume    REAL    NULL
);
CREATE INDEX idx_ohlc_data_backup_20250820_symbol_ts ON ohlc_data_backup_20250820 (symbol, timestamp);

CREATE TABLE crypto_assets_backup_20250901 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NOT NULL,
    name            TEXT    NULL,
    market_cap_rank INTEGER NULL
);

CREATE TABLE crypto_assets_test (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol TEXT    NOT NULL,
    name   TEXT    NULL
);

CREATE TABLE crypto_onchain_data_v1 (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol            TEXT    NOT NULL,
    date              TEXT    NOT NULL,
    active_addresses  INTEGER NULL,
    transaction_count INTEGER NULL
);

CREATE TABLE crypto_onchain_data_tmp (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol  TEXT    NOT NULL,
    date    TEXT    NOT NULL,
    payload TEXT    NULL
);

CREATE TABLE onchain_enhanced_test (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol     TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    nvt_ratio  REAL    NULL,
    mvrv_ratio REAL    NULL
);

CREATE TABLE ml_features_v1 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NOT NULL,
    timestamp TEXT    NOT NULL,
    price     REAL    NULL,
    rsi_14    REAL    NULL,
    macd      REAL    NULL
);
CREATE INDEX idx_ml_features_v1_symbol_ts ON ml_features_v1 (symbol, timestamp);

CREATE TABLE ml_features_test (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol        TEXT    NOT NULL,
    timestamp     TEXT    NOT NULL,
    feature_name  TEXT    NULL,
    feature_value REAL    NULL
);

CREATE TABLE ml_features_materialized_old (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol     TEXT    NOT NULL,
    timestamp  TEXT    NOT NULL,
    price      REAL    NULL,
    volume     REAL    NULL,
    returns_1h REAL    NULL
);

CREATE TABLE ml_features_backup_20250910 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NOT NULL,
    timestamp TEXT    NOT NULL,
    price     REAL    NULL,
    volume    REAL    NULL,
    rsi_14    REAL    NULL
);

CREATE TABLE sentiment_data_old (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NOT NULL,
    timestamp       TEXT    NOT NULL,
    sentiment_score REAL    NULL,
    source          TEXT    NULL
);

CREATE TABLE social_sentiment_test (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NOT NULL,
    platform        TEXT    NULL,
    sentiment_score REAL    NULL,
    created_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE news_data_old (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT    NULL,
    url          TEXT    NULL,
    published_at TEXT    NULL
);

CREATE TABLE crypto_news_tmp (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NULL,
    raw_json   TEXT    NULL,
    fetched_at TEXT    NULL
);

CREATE TABLE technical_indicators_v1 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol    TEXT    NOT NULL,
    timestamp TEXT    NOT NULL,
    rsi_14    REAL    NULL,
    sma_20    REAL    NULL
);

CREATE TABLE trading_signals_test (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id    INTEGER NOT NULL,
    timestamp   TEXT    NOT NULL,
    signal_type TEXT    NULL,
    confidence  REAL    NULL,
    CONSTRAINT fk_trading_signals_test_asset FOREIGN KEY (asset_id) REFERENCES crypto_assets (id)
);
CREATE INDEX idx_trading_signals_test_asset_id ON trading_signals_test (asset_id);

CREATE TABLE trading_signals_backup_20250825 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol      TEXT    NOT NULL,
    timestamp   TEXT    NOT NULL,
    signal_type TEXT    NULL,
    confidence  REAL    NULL
);

CREATE TABLE macro_indicators_old (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_name  TEXT    NULL,
    date            TEXT    NULL,
    indicator_value REAL    NULL
);

CREATE TABLE narrative_analysis_tmp (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    narrative  TEXT    NULL,
    summary    TEXT    NULL,
    created_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE collector_runs_old (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    collector_name TEXT    NULL,
    started_at     TEXT    NULL,
    status         TEXT    NULL
);

CREATE TABLE api_usage_log_backup_20250901 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    provider     TEXT    NULL,
    endpoint     TEXT    NULL,
    requested_at TEXT    NULL,
    status_code  INTEGER NULL
);

CREATE TABLE price_alerts_test (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id   INTEGER NULL,
    threshold  REAL    NULL,
    created_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_price_alerts_test_asset FOREIGN KEY (asset_id) REFERENCES crypto_assets (id)
);
CREATE INDEX idx_price_alerts_test_asset_id ON price_alerts_test (asset_id);

-- ---------------------------------------------------------------------
-- Views
-- ---------------------------------------------------------------------

-- on-chain metrics as the applications read them (over the base table)
CREATE VIEW onchain_metrics AS
SELECT
    symbol,
    date,
    active_addresses,
    transaction_count,
    transaction_volume,
    exchange_inflow,
    exchange_outflow,
    exchange_inflow - exchange_outflow AS exchange_netflow,
    whale_transactions,
    hash_rate,
    market_cap,
    realized_cap
FROM crypto_onchain_data;

-- depends on a low-quality table: V3 drops it before pruning, V3 down restores it
CREATE VIEW price_data_test_latest AS
SELECT
    symbol,
    MAX(timestamp) AS latest_timestamp,
    COUNT(*) AS row_count
FROM price_data_test
GROUP BY symbol;
