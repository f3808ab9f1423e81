-- V1 baseline: the pre-incident schema of the crypto market-data platform
-- (2025-09-30), 48 tables (20 essential, 28 low-quality) and 2 views.
-- Production databases already have it: adopt them with
-- mendb migrate baseline --version 1 instead of running this file.
-- price_data_real has current_price and no close column: that is the
-- incident V2 repairs. The 28 low-quality tables are pruned by V3.
-- MariaDB/MySQL: InnoDB, utf8mb4, DATETIME in UTC.
-- Keep in sync with migrations/*/V1__baseline.sql and docs/schema.md.

-- ---------------------------------------------------------------------
-- Essential tables (20)
-- ---------------------------------------------------------------------

-- the 317 tracked assets, ranked by market cap
CREATE TABLE crypto_assets (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    symbol          VARCHAR(20)  NOT NULL,
    name            VARCHAR(100) NOT NULL,
    market_cap_rank INT          NULL,
    category        VARCHAR(50)  NULL,
    is_active       BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at      DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_crypto_assets_symbol (symbol),
    KEY idx_crypto_assets_market_cap_rank (market_cap_rank)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 5-minute prices from the live collector (column current_price, the old writer still sends close)
CREATE TABLE price_data_real (
    id               BIGINT      NOT NULL AUTO_INCREMENT,
    symbol           VARCHAR(20) NOT NULL,
    timestamp        DATETIME    NOT NULL,
    current_price    DOUBLE      NULL,
    volume_24h       DOUBLE      NULL,
    market_cap       DOUBLE      NULL,
    price_change_24h DOUBLE      NULL,
    created_at       DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_price_data_real_symbol_ts (symbol, timestamp),
    KEY idx_price_data_real_timestamp (timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- legacy collector: 127 symbols, timestamps off the 5-minute grid
CREATE TABLE price_data_old (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    symbol     VARCHAR(20) NOT NULL,
    timestamp  DATETIME    NOT NULL,
    price      DOUBLE      NOT NULL,
    volume     DOUBLE      NULL,
    market_cap DOUBLE      NULL,
    PRIMARY KEY (id),
    KEY idx_price_data_old_timestamp (timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- hourly candles
CREATE TABLE ohlc_data (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NOT NULL,
    timestamp DATETIME    NOT NULL,
    open      DOUBLE      NOT NULL,
    high      DOUBLE      NOT NULL,
    low       DOUBLE      NOT NULL,
    close     DOUBLE      NOT NULL,
    volume    DOUBLE      NULL,
    PRIMARY KEY (id),
    KEY idx_ohlc_data_timestamp (timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- daily on-chain metrics per asset (base)
CREATE TABLE crypto_onchain_data (
    id                 BIGINT      NOT NULL AUTO_INCREMENT,
    symbol             VARCHAR(20) NOT NULL,
    date               DATE        NOT NULL,
    active_addresses   BIGINT      NULL,
    transaction_count  BIGINT      NULL,
    transaction_volume DOUBLE      NULL,
    exchange_inflow    DOUBLE      NULL,
    exchange_outflow   DOUBLE      NULL,
    whale_transactions BIGINT      NULL,
    hash_rate          DOUBLE      NULL,
    market_cap         DOUBLE      NULL,
    realized_cap       DOUBLE      NULL,
    circulating_supply DOUBLE      NULL,
    created_at         DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_crypto_onchain_data_symbol_date (symbol, date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- base on-chain rows plus metrics derived from them
CREATE TABLE crypto_onchain_data_enhanced (
    id                    BIGINT      NOT NULL AUTO_INCREMENT,
    symbol                VARCHAR(20) NOT NULL,
    date                  DATE        NOT NULL,
    active_addresses      BIGINT      NULL,
    transaction_count     BIGINT      NULL,
    transaction_volume    DOUBLE      NULL,
    exchange_inflow       DOUBLE      NULL,
    exchange_outflow      DOUBLE      NULL,
    whale_transactions    BIGINT      NULL,
    hash_rate             DOUBLE      NULL,
    market_cap            DOUBLE      NULL,
    realized_cap          DOUBLE      NULL,
    circulating_supply    DOUBLE      NULL,
    exchange_netflow      DOUBLE      NULL,
    nvt_ratio             DOUBLE      NULL,
    mvrv_ratio            DOUBLE      NULL,
    avg_transaction_value DOUBLE      NULL,
    created_at            DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_crypto_onchain_data_enhanced_symbol_date (symbol, date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- hourly ML feature rows, the onchain_* columns come from crypto_onchain_data_enhanced
CREATE TABLE ml_features_materialized (
    id                         BIGINT      NOT NULL AUTO_INCREMENT,
    symbol                     VARCHAR(20) NOT NULL,
    timestamp                  DATETIME    NOT NULL,
    price                      DOUBLE      NULL,
    volume                     DOUBLE      NULL,
    returns_1h                 DOUBLE      NULL,
    returns_24h                DOUBLE      NULL,
    volatility_24h             DOUBLE      NULL,
    rsi_14                     DOUBLE      NULL,
    macd                       DOUBLE      NULL,
    sma_20                     DOUBLE      NULL,
    onchain_active_addresses   DOUBLE      NULL,
    onchain_transaction_count  DOUBLE      NULL,
    onchain_transaction_volume DOUBLE      NULL,
    onchain_exchange_inflow    DOUBLE      NULL,
    onchain_exchange_outflow   DOUBLE      NULL,
    onchain_exchange_netflow   DOUBLE      NULL,
    onchain_whale_transactions DOUBLE      NULL,
    onchain_nvt_ratio          DOUBLE      NULL,
    onchain_mvrv_ratio         DOUBLE      NULL,
    onchain_hash_rate          DOUBLE      NULL,
    created_at                 DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at                 DATETIME    NULL,
    PRIMARY KEY (id),
    KEY idx_ml_features_materialized_timestamp (timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- news articles
CREATE TABLE crypto_news (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    title           VARCHAR(500)  NOT NULL,
    url             VARCHAR(1000) NULL,
    source          VARCHAR(100)  NULL,
    published_at    DATETIME      NOT NULL,
    symbols         VARCHAR(255)  NULL,
    sentiment_score DOUBLE        NULL,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_crypto_news_published_at (published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- social media sentiment per symbol and platform
CREATE TABLE social_sentiment (
    id              BIGINT      NOT NULL AUTO_INCREMENT,
    symbol          VARCHAR(20) NOT NULL,
    timestamp       DATETIME    NOT NULL,
    platform        VARCHAR(32) NOT NULL,
    sentiment_score DOUBLE      NULL,
    mention_count   INT         NULL,
    created_at      DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_social_sentiment_symbol_ts (symbol, timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- daily macro series (DXY, rates, ...)
CREATE TABLE macro_indicators (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    indicator_name  VARCHAR(100) NOT NULL,
    date            DATE         NOT NULL,
    indicator_value DOUBLE       NULL,
    source          VARCHAR(100) NULL,
    created_at      DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_macro_indicators_name_date (indicator_name, date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- technical indicators per symbol
CREATE TABLE technical_indicators (
    id              BIGINT      NOT NULL AUTO_INCREMENT,
    symbol          VARCHAR(20) NOT NULL,
    timestamp       DATETIME    NOT NULL,
    sma_20          DOUBLE      NULL,
    sma_50          DOUBLE      NULL,
    ema_12          DOUBLE      NULL,
    ema_26          DOUBLE      NULL,
    rsi_14          DOUBLE      NULL,
    macd            DOUBLE      NULL,
    macd_signal     DOUBLE      NULL,
    bollinger_upper DOUBLE      NULL,
    bollinger_lower DOUBLE      NULL,
    created_at      DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_technical_indicators_symbol_ts (symbol, timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- model trading signals
CREATE TABLE trading_signals (
    id            BIGINT      NOT NULL AUTO_INCREMENT,
    symbol        VARCHAR(20) NOT NULL,
    timestamp     DATETIME    NOT NULL,
    signal_type   VARCHAR(16) NOT NULL,
    confidence    DOUBLE      NULL,
    model_version VARCHAR(50) NULL,
    created_at    DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_trading_signals_symbol_ts (symbol, timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- LLM narrative analysis
CREATE TABLE narrative_analysis (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    symbol          VARCHAR(20)  NULL,
    timestamp       DATETIME     NOT NULL,
    narrative       VARCHAR(100) NOT NULL,
    summary         TEXT         NULL,
    sentiment_score DOUBLE       NULL,
    model_name      VARCHAR(100) NULL,
    created_at      DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_narrative_analysis_timestamp (timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- one row per collector run
CREATE TABLE collector_runs (
    id             BIGINT       NOT NULL AUTO_INCREMENT,
    collector_name VARCHAR(100) NOT NULL,
    started_at     DATETIME     NOT NULL,
    finished_at    DATETIME     NULL,
    status         VARCHAR(20)  NOT NULL,
    rows_written   BIGINT       NULL,
    error_message  TEXT         NULL,
    PRIMARY KEY (id),
    KEY idx_collector_runs_name_started (collector_name, started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- external API calls (rate-limit accounting)
CREATE TABLE api_usage_log (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    provider     VARCHAR(50)  NOT NULL,
    endpoint     VARCHAR(255) NOT NULL,
    requested_at DATETIME     NOT NULL,
    status_code  INT          NULL,
    response_ms  INT          NULL,
    PRIMARY KEY (id),
    KEY idx_api_usage_log_provider_ts (provider, requested_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- exchanges
CREATE TABLE exchange_info (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    exchange_code VARCHAR(50)  NOT NULL,
    name          VARCHAR(100) NOT NULL,
    country       VARCHAR(100) NULL,
    is_active     BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_exchange_info_exchange_code (exchange_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- whole-market snapshot
CREATE TABLE market_summary (
    id                      BIGINT   NOT NULL AUTO_INCREMENT,
    timestamp               DATETIME NOT NULL,
    total_market_cap        DOUBLE   NULL,
    total_volume_24h        DOUBLE   NULL,
    btc_dominance           DOUBLE   NULL,
    eth_dominance           DOUBLE   NULL,
    active_cryptocurrencies INT      NULL,
    created_at              DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_market_summary_timestamp (timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- user price alerts
CREATE TABLE price_alerts (
    id           BIGINT      NOT NULL AUTO_INCREMENT,
    symbol       VARCHAR(20) NOT NULL,
    alert_type   VARCHAR(32) NOT NULL,
    threshold    DOUBLE      NOT NULL,
    is_triggered BOOLEAN     NOT NULL DEFAULT FALSE,
    triggered_at DATETIME    NULL,
    created_at   DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_price_alerts_symbol (symbol)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- funding rates and open interest
CREATE TABLE derivatives_data (
    id               BIGINT      NOT NULL AUTO_INCREMENT,
    symbol           VARCHAR(20) NOT NULL,
    exchange_code    VARCHAR(50) NOT NULL,
    timestamp        DATETIME    NOT NULL,
    funding_rate     DOUBLE      NULL,
    open_interest    DOUBLE      NULL,
    long_short_ratio DOUBLE      NULL,
    created_at       DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_derivatives_data_symbol_ts (symbol, timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- daily DeFi protocol metrics
CREATE TABLE defi_protocol_metrics (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    protocol   VARCHAR(100) NOT NULL,
    date       DATE         NOT NULL,
    tvl_usd    DOUBLE       NULL,
    volume_24h DOUBLE       NULL,
    fees_24h   DOUBLE       NULL,
    created_at DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_defi_protocol_metrics_protocol_date (protocol, date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------------
-- Low-quality tables (28): empty or junk, V3 prunes them reversibly.
-- trading_signals_test and price_alerts_test reference crypto_assets.
-- ---------------------------------------------------------------------

CREATE TABLE price_data_test (
    id            BIGINT      NOT NULL AUTO_INCREMENT,
    symbol        VARCHAR(20) NOT NULL,
    timestamp     DATETIME    NOT NULL,
    current_price DOUBLE      NULL,
    volume_24h    DOUBLE      NULL,
    created_at    DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_price_data_test_symbol_ts (symbol, timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_data_tmp (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NULL,
    timestamp DATETIME    NULL,
    price     DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_data_backup_20250901 (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    symbol     VARCHAR(20) NOT NULL,
    timestamp  DATETIME    NOT NULL,
    price      DOUBLE      NULL,
    volume     DOUBLE      NULL,
    market_cap DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_data_real_backup_20250915 (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    symbol     VARCHAR(20) NOT NULL,
    timestamp  DATETIME    NOT NULL,
    close      DOUBLE      NULL,
    volume_24h DOUBLE      NULL,
    market_cap DOUBLE      NULL,
    created_at DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_data_v1 (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NOT NULL,
    timestamp DATETIME    NOT NULL,
    price     DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ohlc_data_test (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NOT NULL,
    timestamp DATETIME    NOT NULL,
    open      DOUBLE      NULL,
    high      DOUBLE      NULL,
    low       DOUBLE      NULL,
    close     DOUBLE      NULL,
    volume    DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ohlc_data_backup_20250820 (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NOT NULL,
    timestamp DATETIME    NOT NULL,
    open      DOUBLE      NULL,
    high      DOUBLE      NULL,
    low       DOUBLE      NULL,
    close     DOUBLE      NULL,
    volume    DOUBLE      NULL,
    PRIMARY KEY (id),
    KEY idx_ohlc_data_backup_20250820_symbol_ts (symbol, timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE crypto_assets_backup_20250901 (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    symbol          VARCHAR(20)  NOT NULL,
    name            VARCHAR(100) NULL,
    market_cap_rank INT          NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE crypto_assets_test (
    id     BIGINT       NOT NULL AUTO_INCREMENT,
    symbol VARCHAR(20)  NOT NULL,
    name   VARCHAR(100) NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE crypto_onchain_data_v1 (
    id                BIGINT      NOT NULL AUTO_INCREMENT,
    symbol            VARCHAR(20) NOT NULL,
    date              DATE        NOT NULL,
    active_addresses  BIGINT      NULL,
    transaction_count BIGINT      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE crypto_onchain_data_tmp (
    id      BIGINT      NOT NULL AUTO_INCREMENT,
    symbol  VARCHAR(20) NOT NULL,
    date    DATE        NOT NULL,
    payload TEXT        NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE onchain_enhanced_test (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    symbol     VARCHAR(20) NOT NULL,
    date       DATE        NOT NULL,
    nvt_ratio  DOUBLE      NULL,
    mvrv_ratio DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_features_v1 (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NOT NULL,
    timestamp DATETIME    NOT NULL,
    price     DOUBLE      NULL,
    rsi_14    DOUBLE      NULL,
    macd      DOUBLE      NULL,
    PRIMARY KEY (id),
    KEY idx_ml_features_v1_symbol_ts (symbol, timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_features_test (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    symbol        VARCHAR(20)  NOT NULL,
    timestamp     DATETIME     NOT NULL,
    feature_name  VARCHAR(100) NULL,
    feature_value DOUBLE       NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_features_materialized_old (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    symbol     VARCHAR(20) NOT NULL,
    timestamp  DATETIME    NOT NULL,
    price      DOUBLE      NULL,
    volume     DOUBLE      NULL,
    returns_1h DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ml_features_backup_20250910 (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NOT NULL,
    timestamp DATETIME    NOT NULL,
    price     DOUBLE      NULL,
    volume    DOUBLE      NULL,
    rsi_14    DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sentiment_data_old (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    symbol          VARCHAR(20)  NOT NULL,
    timestamp       DATETIME     NOT NULL,
    sentiment_score DOUBLE       NULL,
    source          VARCHAR(100) NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE social_sentiment_test (
    id              BIGINT      NOT NULL AUTO_INCREMENT,
    symbol          VARCHAR(20) NOT NULL,
    platform        VARCHAR(32) NULL,
    sentiment_score DOUBLE      NULL,
    created_at      DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE news_data_old (
    id           BIGINT        NOT NULL AUTO_INCREMENT,
    title        VARCHAR(500)  NULL,
    url          VARCHAR(1000) NULL,
    published_at DATETIME      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE crypto_news_tmp (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    title      VARCHAR(500) NULL,
    raw_json   TEXT         NULL,
    fetched_at DATETIME     NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE technical_indicators_v1 (
    id        BIGINT      NOT NULL AUTO_INCREMENT,
    symbol    VARCHAR(20) NOT NULL,
    timestamp DATETIME    NOT NULL,
    rsi_14    DOUBLE      NULL,
    sma_20    DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE trading_signals_test (
    id          BIGINT      NOT NULL AUTO_INCREMENT,
    asset_id    BIGINT      NOT NULL,
    timestamp   DATETIME    NOT NULL,
    signal_type VARCHAR(16) NULL,
    confidence  DOUBLE      NULL,
    PRIMARY KEY (id),
    KEY idx_trading_signals_test_asset_id (asset_id),
    CONSTRAINT fk_trading_signals_test_asset FOREIGN KEY (asset_id) REFERENCES crypto_assets (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE trading_signals_backup_20250825 (
    id          BIGINT      NOT NULL AUTO_INCREMENT,
    symbol      VARCHAR(20) NOT NULL,
    timestamp   DATETIME    NOT NULL,
    signal_type VARCHAR(16) NULL,
    confidence  DOUBLE      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE macro_indicators_old (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    indicator_name  VARCHAR(100) NULL,
    date            DATE         NULL,
    indicator_value DOUBLE       NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE narrative_analysis_tmp (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    narrative  VARCHAR(100) NULL,
    summary    TEXT         NULL,
    created_at DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE collector_runs_old (
    id             BIGINT       NOT NULL AUTO_INCREMENT,
    collector_name VARCHAR(100) NULL,
    started_at     DATETIME     NULL,
    status         VARCHAR(20)  NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE api_usage_log_backup_20250901 (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    provider     VARCHAR(50)  NULL,
    endpoint     VARCHAR(255) NULL,
    requested_at DATETIME     NULL,
    status_code  INT          NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_alerts_test (
    id         BIGINT   NOT NULL AUTO_INCREMENT,
    asset_id   BIGINT   NULL,
    threshold  DOUBLE   NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_price_alerts_test_asset_id (asset_id),
    CONSTRAINT fk_price_alerts_test_asset FOREIGN KEY (asset_id) REFERENCES crypto_assets (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

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
