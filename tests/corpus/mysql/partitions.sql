-- Corpus: partitioned tables.
-- Exercises: RANGE on YEAR(), RANGE on UNIX_TIMESTAMP() of a TIMESTAMP
-- column (time-zone sensitive: the server converts the literal bounds and
-- the rows with the session's time_zone), RANGE COLUMNS over two columns,
-- LIST, HASH with PARTITIONS n, KEY, RANGE with HASH subpartitions,
-- MAXVALUE, partition comments, and ALTER TABLE ... REORGANIZE / ADD
-- PARTITION after rows are in. Rows land in partitions; the catalog lists
-- each partition's bounds.

CREATE TABLE ohlc_daily (
  symbol VARCHAR(16) NOT NULL,
  day DATE NOT NULL,
  close DECIMAL(24,10) NOT NULL,
  PRIMARY KEY (symbol, day)
)
PARTITION BY RANGE (YEAR(day)) (
  PARTITION p2022 VALUES LESS THAN (2023) COMMENT = 'closed year',
  PARTITION p2023 VALUES LESS THAN (2024),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);

CREATE TABLE tick (
  symbol VARCHAR(16) NOT NULL,
  ts TIMESTAMP NOT NULL DEFAULT '2024-01-01 00:00:00',
  price DECIMAL(20,8) NOT NULL,
  PRIMARY KEY (symbol, ts)
)
PARTITION BY RANGE (UNIX_TIMESTAMP(ts)) (
  PARTITION t2023 VALUES LESS THAN (UNIX_TIMESTAMP('2024-01-01 00:00:00')),
  PARTITION t2024h1 VALUES LESS THAN (UNIX_TIMESTAMP('2024-07-01 00:00:00')),
  PARTITION tlater VALUES LESS THAN MAXVALUE
);

CREATE TABLE funding (
  venue VARCHAR(16) NOT NULL,
  symbol VARCHAR(16) NOT NULL,
  ts DATETIME NOT NULL,
  rate DECIMAL(12,10) NOT NULL,
  PRIMARY KEY (venue, symbol, ts)
)
PARTITION BY RANGE COLUMNS (venue, ts) (
  PARTITION f_a VALUES LESS THAN ('binance', '2024-01-01 00:00:00'),
  PARTITION f_b VALUES LESS THAN ('kraken', '2024-01-01 00:00:00'),
  PARTITION f_max VALUES LESS THAN (MAXVALUE, MAXVALUE)
);

CREATE TABLE asset_region (
  asset_id INT NOT NULL,
  region_id INT NOT NULL,
  PRIMARY KEY (asset_id, region_id)
)
PARTITION BY LIST (region_id) (
  PARTITION americas VALUES IN (1, 2, 3),
  PARTITION emea VALUES IN (4, 5),
  PARTITION apac VALUES IN (6, 7, 8, 9)
);

CREATE TABLE wallet_balance (
  wallet_id BIGINT NOT NULL PRIMARY KEY,
  balance DECIMAL(38,18) NOT NULL DEFAULT 0
)
PARTITION BY HASH (wallet_id) PARTITIONS 4;

CREATE TABLE api_key (
  key_id CHAR(32) NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NOT NULL
)
PARTITION BY KEY () PARTITIONS 3;

CREATE TABLE order_book_snapshot (
  symbol_id INT NOT NULL,
  taken_on DATE NOT NULL,
  levels INT NOT NULL,
  PRIMARY KEY (symbol_id, taken_on)
)
PARTITION BY RANGE (TO_DAYS(taken_on))
SUBPARTITION BY HASH (symbol_id) SUBPARTITIONS 2 (
  PARTITION s2023 VALUES LESS THAN (TO_DAYS('2024-01-01')),
  PARTITION s2024 VALUES LESS THAN (TO_DAYS('2025-01-01')),
  PARTITION smax VALUES LESS THAN MAXVALUE
);

INSERT INTO ohlc_daily VALUES
  ('BTC', '2022-12-31', 16547.5), ('BTC', '2023-06-01', 27218.4), ('BTC', '2024-03-14', 71387.9);
INSERT INTO tick (symbol, ts, price) VALUES
  ('BTC', '2023-12-31 23:59:59', 42265.1), ('BTC', '2024-01-01 00:00:00', 42283.6),
  ('BTC', '2024-06-30 23:59:59', 62678.2), ('ETH', '2024-07-01 00:00:00', 3440.0);
INSERT INTO tick (symbol, price) VALUES ('SOL', 101.5);
INSERT INTO funding VALUES
  ('binance', 'BTCUSDT', '2023-12-31 16:00:00', 0.0001), ('bybit', 'BTCUSDT', '2024-01-02 00:00:00', 0.0002),
  ('okx', 'BTCUSDT', '2024-01-02 00:00:00', -0.00005);
INSERT INTO asset_region VALUES (1, 1), (1, 4), (2, 9), (3, 5);
INSERT INTO wallet_balance (wallet_id, balance) VALUES (1, 0.5), (2, 10), (3, 0), (17, 1.000000000000000001);
INSERT INTO api_key VALUES ('0123456789abcdef0123456789abcdef', 'collector'), ('fedcba9876543210fedcba9876543210', 'backfill');
INSERT INTO order_book_snapshot VALUES (1, '2023-05-05', 50), (2, '2024-05-05', 100), (1, '2025-05-05', 20);

ALTER TABLE ohlc_daily REORGANIZE PARTITION pmax INTO (
  PARTITION p2024 VALUES LESS THAN (2025),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);
ALTER TABLE wallet_balance ADD PARTITION PARTITIONS 2;
