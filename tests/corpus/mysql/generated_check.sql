-- Corpus: generated columns and CHECK constraints.
-- Exercises: VIRTUAL, STORED and PERSISTENT generated columns, an index on
-- a virtual column, JSON columns (with their implicit json_valid check)
-- and a column generated from JSON_VALUE, column-level and table-level
-- CHECK constraints, named and unnamed; a generated column and a CHECK
-- that use '||' (OR under the default sql_mode; the server stores the
-- parsed expression, so the mode at CREATE time decides it). Rows are
-- inserted so that the generated values show.

CREATE TABLE trade (
  trade_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  symbol VARCHAR(16) NOT NULL,
  price DECIMAL(20,8) NOT NULL CHECK (price > 0),
  qty DECIMAL(20,8) NOT NULL,
  side ENUM('buy', 'sell') NOT NULL,
  notional DECIMAL(40,16) AS (price * qty) STORED,
  signed_qty DECIMAL(20,8) AS (IF(side = 'buy', qty, -qty)) VIRTUAL,
  day DATE AS (DATE(executed_at)) PERSISTENT,
  executed_at DATETIME(6) NOT NULL,
  lot_prefix CHAR(1) NOT NULL DEFAULT '0',
  lot_no TINYINT NOT NULL DEFAULT 1,
  lot_code VARCHAR(8) AS (lot_prefix || lot_no) VIRTUAL,
  meta JSON NULL,
  venue VARCHAR(32) AS (JSON_VALUE(meta, '$.venue')) VIRTUAL,
  CONSTRAINT qty_positive CHECK (qty > 0),
  CONSTRAINT lot_sane CHECK (lot_no > 0 || lot_prefix <> '0'),
  CHECK (executed_at >= '2009-01-03'),
  KEY idx_trade_day (day),
  KEY idx_trade_venue (venue)
);

INSERT INTO trade (symbol, price, qty, side, executed_at, lot_prefix, lot_no, meta) VALUES
  ('BTC', 42000.5, 0.25, 'buy', '2024-01-01 10:00:00.123456', '0', 1, '{"venue": "kraken", "fee": 0.1}'),
  ('BTC', 42001, 0.1, 'sell', '2024-01-01 23:59:59.999999', '0', 7, NULL),
  ('ETH', 2250.4, 3, 'buy', '2024-01-02 00:00:00', '1', 2, '{"venue": "binance"}');

CREATE TABLE price_band (
  symbol VARCHAR(16) NOT NULL PRIMARY KEY,
  low DECIMAL(20,8) NOT NULL,
  high DECIMAL(20,8) NOT NULL,
  width DECIMAL(20,8) AS (high - low) VIRTUAL,
  mid DECIMAL(20,8) AS ((high + low) / 2) STORED,
  CONSTRAINT band_ordered CHECK (low <= high),
  CONSTRAINT band_known CHECK (symbol IN ('BTC', 'ETH', 'SOL'))
);

INSERT INTO price_band (symbol, low, high) VALUES ('BTC', 40000, 45000), ('ETH', 2000, 2500);

ALTER TABLE price_band ADD CONSTRAINT band_narrow CHECK (high - low < 10000);
ALTER TABLE trade ADD COLUMN is_large TINYINT(1) AS (notional >= 10000) VIRTUAL AFTER notional;
