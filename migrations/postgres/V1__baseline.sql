-- V1 baseline: the pre-incident schema of the crypto market-data platform
-- (2025-09-30), 48 tables (20 essential, 28 low-quality) and 2 views.
-- Production databases already have it: adopt them with
-- mendb migrate baseline --version 1 instead of running this file.
-- price_data_real has current_price and no close column: that is the
-- incident V2 repairs. The 28 low-quality tables are pruned by V3.
-- PostgreSQL: BIGSERIAL keys, TIMESTAMP without time zone holding UTC.
-- Keep in sync with migrations/*/V1__baseline.sql and docs/schema.md.

-- ---------------------------------------------------------------------
-- Essential tables (20)
-- ---------------------------------------------------------------------

-- the 317 tracked assets, ranked by market cap
CREATE TABLE crypto_assets (
    id              BIGSERIAL    PRIMARY KEY,
    symbol          VARCHAR(20)  NOT NULL,
    name            VARCHAR(100) NOT NULL,
    market_cap_rank INTEGER      NULL,
    category        VARCHAR(50)  NULL,
    is_active       BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMP    NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX uq_crypto_assets_symbol ON crypto_assets (symbol);
CREATE INDEX idx_crypto_assets_market_cap_rank ON crypto_assets (market_cap_rank);

-- 5-minute prices from the live collector (column current_price, the old writer still sends close)
CREATE TABLE price_data_real (
    id               BIGSERIAL        PRIMARY KEY,
    symbol           VARCHAR(20)      NOT NULL,
    timestamp        TIMESTAMP        NOT NULL,
    current_price    DOUBLE PRECISION NULL,
    volume_24h       DOUBLE PRECISION NULL,
    market_cap       DOUBLE PRECISION NULL,
    price_change_24h DOUBLE PRECISION NULL,
    created_at       TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_price_data_real_symbol_ts ON price_data_real (symbol, timestamp);
CREATE INDEX idx_price_data_real_timestamp ON price_data_real (timestamp);

-- legacy collector: 127 symbols, timestamps off the 5-minute grid
CREATE TABLE price_data_old (
    id         BIGSERIAL        PRIMARY KEY,
    symbol     VARCHAR(20)      NOT NULL,
    timestamp  TIMESTAMP        NOT NULL,
    price      DOUBLE PRECISION NOT NULL,
    volume     DOUBLE PRECISION NULL,
    market_cap DOUBLE PRECISION NULL
);
CREATE INDEX idx_price_data_old_timestamp ON price_data_old (timestamp);

-- hourly candles
CREATE TABLE ohlc_data (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NOT NULL,
    timestamp TIMESTAMP        NOT NULL,
    open      DOUBLE PRECISION NOT NULL,
    high      DOUBLE PRECISION NOT NULL,
    low       DOUBLE PRECISION NOT NULL,
    close     DOUBLE PRECISION NOT NULL,
    volume    DOUBLE PRECISION NULL
);
CREATE INDEX idx_ohlc_data_timestamp ON ohlc_data (timestamp);

-- daily on-chain metrics per asset (base)
CREATE TABLE crypto_onchain_data (
    id                 BIGSERIAL        PRIMARY KEY,
    symbol             VARCHAR(20)      NOT NULL,
    date               DATE             NOT NULL,
    active_addresses   BIGINT           NULL,
    transaction_count  BIGINT           NULL,
    transaction_volume DOUBLE PRECISION NULL,
    exchange_inflow    DOUBLE PRECISION NULL,
    exchange_outflow   DOUBLE PRECISION NULL,
    whale_transactions BIGINT           NULL,
    hash_rate          DOUBLE PRECISION NULL,
    market_cap         DOUBLE PRECISION NULL,
    realized_cap       DOUBLE PRECISION NULL,
    circulating_supply DOUBLE PRECISION NULL,
    created_at         TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX uq_crypto_onchain_data_symbol_date ON crypto_onchain_data (symbol, date);

-- base on-chain rows plus metrics derived from them
CREATE TABLE crypto_onchain_data_enhanced (
    id                    BIGSERIAL        PRIMARY KEY,
    symbol                VARCHAR(20)      NOT NULL,
    date                  DATE             NOT NULL,
    active_addresses      BIGINT           NULL,
    transaction_count     BIGINT           NULL,
    transaction_volume    DOUBLE PRECISION NULL,
    exchange_inflow       DOUBLE PRECISION NULL,
    exchange_outflow      DOUBLE PRECISION NULL,
    whale_transactions    BIGINT           NULL,
    hash_rate             DOUBLE PRECISION NULL,
    market_cap            DOUBLE PRECISION NULL,
    realized_cap          DOUBLE PRECISION NULL,
    circulating_supply    DOUBLE PRECISION NULL,
    exchange_netflow      DOUBLE PRECISION NULL,
    nvt_ratio             DOUBLE PRECISION NULL,
    mvrv_ratio            DOUBLE PRECISION NULL,
    avg_transaction_value DOUBLE PRECISION NULL,
    created_at            TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX uq_crypto_onchain_data_enhanced_symbol_date ON crypto_onchain_data_enhanced (symbol, date);

-- hourly ML feature rows, the onchain_* columns come from crypto_onchain_data_enhanced
CREATE TABLE ml_features_materialized (
    id                         BIGSERIAL        PRIMARY KEY,
    symbol                     VARCHAR(20)      NOT NULL,
    timestamp                  TIMESTAMP        NOT NULL,
    price                      DOUBLE PRECISION NULL,
    volume                     DOUBLE PRECISION NULL,
    returns_1h                 DOUBLE PRECISION NULL,
    returns_24h                DOUBLE PRECISION NULL,
    volatility_24h             DOUBLE PRECISION NULL,
    rsi_14                     DOUBLE PRECISION NULL,
    macd                       DOUBLE PRECISION NULL,
    sma_20                     DOUBLE PRECISION NULL,
    onchain_active_addresses   DOUBLE PRECISION NULL,
    onchain_transaction_count  DOUBLE PRECISION NULL,
    onchain_transaction_volume DOUBLE PRECISION NULL,
    onchain_exchange_inflow    DOUBLE PRECISION NULL,
    onchain_exchange_outflow   DOUBLE PRECISION NULL,
    onchain_exchange_netflow   DOUBLE PRECISION NULL,
    onchain_whale_transactions DOUBLE PRECISION NULL,
    onchain_nvt_ratio          DOUBLE PRECISION NULL,
    onchain_mvrv_ratio         DOUBLE PRECISION NULL,
    onchain_hash_rate          DOUBLE PRECISION NULL,
    created_at                 TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at                 TIMESTAMP        NULL
);
CREATE INDEX idx_ml_features_materialized_timestamp ON ml_features_materialized (timestamp);

-- news articles
CREATE TABLE crypto_news (
    id              BIGSERIAL        PRIMARY KEY,
    title           VARCHAR(500)     NOT NULL,
    url             VARCHAR(1000)    NULL,
    source          VARCHAR(100)     NULL,
    published_at    TIMESTAMP        NOT NULL,
    symbols         VARCHAR(255)     NULL,
    sentiment_score DOUBLE PRECISION NULL,
    created_at      TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_crypto_news_published_at ON crypto_news (published_at);

-- social media sentiment per symbol and platform
CREATE TABLE social_sentiment (
    id              BIGSERIAL        PRIMARY KEY,
    symbol          VARCHAR(20)      NOT NULL,
    timestamp       TIMESTAMP        NOT NULL,
    platform        VARCHAR(32)      NOT NULL,
    sentiment_score DOUBLE PRECISION NULL,
    mention_count   INTEGER          NULL,
    created_at      TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_social_sentiment_symbol_ts ON social_sentiment (symbol, timestamp);

-- daily macro series (DXY, rates, ...)
CREATE TABLE macro_indicators (
    id              BIGSERIAL        PRIMARY KEY,
    indicator_name  VARCHAR(100)     NOT NULL,
    date            DATE             NOT NULL,
    indicator_value DOUBLE PRECISION NULL,
    source          VARCHAR(100)     NULL,
    created_at      TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX uq_macro_indicators_name_date ON macro_indicators (indicator_name, date);

-- technical indicators per symbol
CREATE TABLE technical_indicators (
    id              BIGSERIAL        PRIMARY KEY,
    symbol          VARCHAR(20)      NOT NULL,
    timestamp       TIMESTAMP        NOT NULL,
    sma_20          DOUBLE PRECISION NULL,
    sma_50          DOUBLE PRECISION NULL,
    ema_12          DOUBLE PRECISION NULL,
    ema_26          DOUBLE PRECISION NULL,
    rsi_14          DOUBLE PRECISION NULL,
    macd            DOUBLE PRECISION NULL,
    macd_signal     DOUBLE PRECISION NULL,
    bollinger_upper DOUBLE PRECISION NULL,
    bollinger_lower DOUBLE PRECISION NULL,
    created_at      TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_technical_indicators_symbol_ts ON technical_indicators (symbol, timestamp);

-- model trading signals
CREATE TABLE trading_signals (
    id            BIGSERIAL        PRIMARY KEY,
    symbol        VARCHAR(20)      NOT NULL,
    timestamp     TIMESTAMP        NOT NULL,
    signal_type   VARCHAR(16)      NOT NULL,
    confidence    DOUBLE PRECISION NULL,
    model_version VARCHAR(50)      NULL,
    created_at    TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_trading_signals_symbol_ts ON trading_signals (symbol, timestamp);

-- LLM narrative analysis
CREATE TABLE narrative_analysis (
    id              BIGSERIAL        PRIMARY KEY,
    symbol          VARCHAR(20)      NULL,
    timestamp       TIMESTAMP        NOT NULL,
    narrative       VARCHAR(100)     NOT NULL,
    summary         TEXT             NULL,
    sentiment_score DOUBLE PRECISION NULL,
    model_name      VARCHAR(100)     NULL,
    created_at      TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_narrative_analysis_timestamp ON narrative_analysis (timestamp);

-- one row per collector run
CREATE TABLE collector_runs (
    id             BIGSERIAL    PRIMARY KEY,
    collector_name VARCHAR(100) NOT NULL,
    started_at     TIMESTAMP    NOT NULL,
    finished_at    TIMESTAMP    NULL,
    status         VARCHAR(20)  NOT NULL,
    rows_written   BIGINT       NULL,
    error_message  TEXT         NULL
);
CREATE INDEX idx_collector_runs_name_started ON collector_runs (collector_name, started_at);

-- external API calls (rate-limit accounting)
CREATE TABLE api_usage_log (
    id           BIGSERIAL    PRIMARY KEY,
    provider     VARCHAR(50)  NOT NULL,
    endpoint     VARCHAR(255) NOT NULL,
    requested_at TIMESTAMP    NOT NULL,
    status_code  INTEGER      NULL,
    response_ms  INTEGER      NULL
);
CREATE INDEX idx_api_usage_log_provider_ts ON api_usage_log (provider, requested_at);

-- exchanges
CREATE TABLE exchange_info (
    id            BIGSERIAL    PRIMARY KEY,
    exchange_code VARCHAR(50)  NOT NULL,
    name          VARCHAR(100) NOT NULL,
    country       VARCHAR(100) NULL,
    is_active     BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP    NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX uq_exchange_info_exchange_code ON exchange_info (exchange_code);

-- whole-market snapshot
CREATE TABLE market_summary (
    id                      BIGSERIAL        PRIMARY KEY,
    timestamp               TIMESTAMP        NOT NULL,
    total_market_cap        DOUBLE PRECISION NULL,
    total_volume_24h        DOUBLE PRECISION NULL,
    btc_dominance           DOUBLE PRECISION NULL,
    eth_dominance           DOUBLE PRECISION NULL,
    active_cryptocurrencies INTEGER          NULL,
    created_at              TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_market_summary_timestamp ON market_summary (timestamp);

-- user price alerts
CREATE TABLE price_alerts (
    id           BIGSERIAL        PRIMARY KEY,
    symbol       VARCHAR(20)      NOT NULL,
    alert_type   VARCHAR(32)      NOT NULL,
    threshold    DOUBLE PRECISION NOT NULL,
    is_triggered BOOLEAN          NOT NULL DEFAULT FALSE,
    triggered_at TIMESTAMP        NULL,
    created_at   TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_price_alerts_symbol ON price_alerts (symbol);

-- funding rates and open interest
CREATE TABLE derivatives_data (
    id               BIGSERIAL        PRIMARY KEY,
    symbol           VARCHAR(20)      NOT NULL,
    exchange_code    VARCHAR(50)      NOT NULL,
    timestamp        TIMESTAMP        NOT NULL,
    funding_rate     DOUBLE PRECISION NULL,
    open_interest    DOUBLE PRECISION NULL,
    long_short_ratio DOUBLE PRECISION NULL,
    created_at       TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_derivatives_data_symbol_ts ON derivatives_data (symbol, timestamp);

-- daily DeFi protocol metrics
CREATE TABLE defi_protocol_metrics (
    id         BIGSERIAL        PRIMARY KEY,
    protocol   VARCHAR(100)     NOT NULL,
    date       DATE             NOT NULL,
    tvl_usd    DOUBLE PRECISION NULL,
    volume_24h DOUBLE PRECISION NULL,
    fees_24h   DOUBLE PRECISION NULL,
    created_at TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX uq_defi_protocol_metrics_protocol_date ON defi_protocol_metrics (protocol, date);

-- ---------------------------------------------------------------------
-- Low-quality tables (28): empty or junk, V3 prunes them reversibly.
-- trading_signals_test and price_alerts_test reference crypto_assets.
-- ---------------------------------------------------------------------

CREATE TABLE price_data_test (
    id            BIGSERIAL        PRIMARY KEY,
    symbol        VARCHAR(20)      NOT NULL,
    timestamp     TIMESTAMP        NOT NULL,
    current_price DOUBLE PRECISION NULL,
    volume_24h    DOUBLE PRECISION NULL,
    created_at    TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_price_data_test_symbol_ts ON price_data_test (symbol, timestamp);

CREATE TABLE price_data_tmp (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NULL,
    timestamp TIMESTAMP        NULL,
    price     DOUBLE PRECISION NULL
);

CREATE TABLE price_data_backup_20250901 (
    id         BIGSERIAL        PRIMARY KEY,
    symbol     VARCHAR(20)      NOT NULL,
    timestamp  TIMESTAMP        NOT NULL,
    price      DOUBLE PRECISION NULL,
    volume     DOUBLE PRECISION NULL,
    market_cap DOUBLE PRECISION NULL
);

CREATE TABLE price_data_real_backup_20250915 (
    id         BIGSERIAL        PRIMARY KEY,
    symbol     VARCHAR(20)      NOT NULL,
    timestamp  TIMESTAMP        NOT NULL,
    close      DOUBLE PRECISION NULL,
    volume_24h DOUBLE PRECISION NULL,
    market_cap DOUBLE PRECISION NULL,
    created_at TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE price_data_v1 (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NOT NULL,
    timestamp TIMESTAMP        NOT NULL,
    price     DOUBLE PRECISION NULL
);

CREATE TABLE ohlc_data_test (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NOT NULL,
    timestamp TIMESTAMP        NOT NULL,
    open      DOUBLE PRECISION NULL,
    high      DOUBLE PRECISION NULL,
    low       DOUBLE PRECISION NULL,
    close     DOUBLE PRECISION NULL,
    volume    DOUBLE PRECISION NULL
);

CREATE TABLE ohlc_data_backup_20250820 (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NOT NULL,
    timestamp TIMESTAMP        NOT NULL,
    open      DOUBLE PRECISION NULL,
    high      DOUBLE PRECISION NULL,
    low       DOUBLE PRECISION NULL,
    close     DOUBLE PRECISION NULL,
    volume    DOUBLE PRECISION NULL
);
CREATE INDEX idx_ohlc_data_backup_20250820_symbol_ts ON ohlc_data_backup_20250820 (symbol, timestamp);

CREATE TABLE crypto_assets_backup_20250901 (
    id              BIGSERIAL    PRIMARY KEY,
    symbol          VARCHAR(20)  NOT NULL,
    name            VARCHAR(100) NULL,
    market_cap_rank INTEGER      NULL
);

CREATE TABLE crypto_assets_test (
    id     BIGSERIAL    PRIMARY KEY,
    symbol VARCHAR(20)  NOT NULL,
    name   VARCHAR(100) NULL
);

CREATE TABLE crypto_onchain_data_v1 (
    id                BIGSERIAL   PRIMARY KEY,
    symbol            VARCHAR(20) NOT NULL,
    date              DATE        NOT NULL,
    active_addresses  BIGINT      NULL,
    transaction_count BIGINT      NULL
);

CREATE TABLE crypto_onchain_data_tmp (
    id      BIGSERIAL   PRIMARY KEY,
    symbol  VARCHAR(20) NOT NULL,
    date    DATE        NOT NULL,
    payload TEXT        NULL
);

CREATE TABLE onchain_enhanced_test (
    id         BIGSERIAL        PRIMARY KEY,
    symbol     VARCHAR(20)      NOT NULL,
    date       DATE             NOT NULL,
    nvt_ratio  DOUBLE PRECISION NULL,
    mvrv_ratio DOUBLE PRECISION NULL
);

CREATE TABLE ml_features_v1 (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NOT NULL,
    timestamp TIMESTAMP        NOT NULL,
    price     DOUBLE PRECISION NULL,
    rsi_14    DOUBLE PRECISION NULL,
    macd      DOUBLE PRECISION NULL
);
CREATE INDEX idx_ml_features_v1_symbol_ts ON ml_features_v1 (symbol, timestamp);

CREATE TABLE ml_features_test (
    id            BIGSERIAL        PRIMARY KEY,
    symbol        VARCHAR(20)      NOT NULL,
    timestamp     TIMESTAMP        NOT NULL,
    feature_name  VARCHAR(100)     NULL,
    feature_value DOUBLE PRECISION NULL
);

CREATE TABLE ml_features_materialized_old (
    id         BIGSERIAL        PRIMARY KEY,
    symbol     VARCHAR(20)      NOT NULL,
    timestamp  TIMESTAMP        NOT NULL,
    price      DOUBLE PRECISION NULL,
    volume     DOUBLE PRECISION NULL,
    returns_1h DOUBLE PRECISION NULL
);

CREATE TABLE ml_features_backup_20250910 (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NOT NULL,
    timestamp TIMESTAMP        NOT NULL,
    price     DOUBLE PRECISION NULL,
    volume    DOUBLE PRECISION NULL,
    rsi_14    DOUBLE PRECISION NULL
);

CREATE TABLE sentiment_data_old (
    id              BIGSERIAL        PRIMARY KEY,
    symbol          VARCHAR(20)      NOT NULL,
    timestamp       TIMESTAMP        NOT NULL,
    sentiment_score DOUBLE PRECISION NULL,
    source          VARCHAR(100)     NULL
);

CREATE TABLE social_sentiment_test (
    id              BIGSERIAL        PRIMARY KEY,
    symbol          VARCHAR(20)      NOT NULL,
    platform        VARCHAR(32)      NULL,
    sentiment_score DOUBLE PRECISION NULL,
    created_at      TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE news_data_old (
    id           BIGSERIAL     PRIMARY KEY,
    title        VARCHAR(500)  NULL,
    url          VARCHAR(1000) NULL,
    published_at TIMESTAMP     NULL
);

CREATE TABLE crypto_news_tmp (
    id         BIGSERIAL    PRIMARY KEY,
    title      VARCHAR(500) NULL,
    raw_json   TEXT         NULL,
    fetched_at TIMESTAMP    NULL
);

CREATE TABLE technical_indicators_v1 (
    id        BIGSERIAL        PRIMARY KEY,
    symbol    VARCHAR(20)      NOT NULL,
    timestamp TIMESTAMP        NOT NULL,
    rsi_14    DOUBLE PRECISION NULL,
    sma_20    DOUBLE PRECISION NULL
);

CREATE TABLE trading_signals_test (
    id          BIGSERIAL        PRIMARY KEY,
    asset_id    BIGINT           NOT NULL,
    timestamp   TIMESTAMP        NOT NULL,
    signal_type VARCHAR(16)      NULL,
    confidence  DOUBLE PRECISION NULL,
    CONSTRAINT fk_trading_signals_test_asset FOREIGN KEY (asset_id) REFERENCES crypto_assets (id)
);
CREATE INDEX idx_trading_signals_test_asset_id ON trading_signals_test (asset_id);

CREATE TABLE trading_signals_backup_20250825 (
    id          BIGSERIAL        PRIMARY KEY,
    symbol      VARCHAR(20)      NOT NULL,
    timestamp   TIMESTAMP        NOT NULL,
    signal_type VARCHAR(16)      NULL,
    confidence  DOUBLE PRECISION NULL
);

CREATE TABLE macro_indicators_old (
    id              BIGSERIAL        PRIMARY KEY,
    indicator_name  VARCHAR(100)     NULL,
    date            DATE             NULL,
    indicator_value DOUBLE PRECISION NULL
);

CREATE TABLE narrative_analysis_tmp (
    id         BIGSERIAL    PRIMARY KEY,
    narrative  VARCHAR(100) NULL,
    summary    TEXT         NULL,
    created_at TIMESTAMP    NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE collector_runs_old (
    id             BIGSERIAL    PRIMARY KEY,
    collector_name VARCHAR(100) NULL,
    started_at     TIMESTAMP    NULL,
    status         VARCHAR(20)  NULL
);

CREATE TABLE api_usage_log_backup_20250901 (
    id           BIGSERIAL    PRIMARY KEY,
    provider     VARCHAR(50)  NULL,
    endpoint     VARCHAR(255) NULL,
    requested_at TIMESTAMP    NULL,
    status_code  INTEGER      NULL
);

CREATE TABLE price_alerts_test (
    id         BIGSERIAL        PRIMARY KEY,
    asset_id   BIGINT           NULL,
    threshold  DOUBLE PRECISION NULL,
    created_at TIMESTAMP        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
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
