-- Corpus: SQLite CHECK constraints, generated columns and table options.
-- Exercises: column and table CHECK constraints (named and unnamed),
-- VIRTUAL and STORED generated columns (and an index on one), STRICT and
-- WITHOUT ROWID tables, DEFAULT expressions in parentheses, COLLATE
-- NOCASE, partial and expression indexes, a foreign key with ON DELETE
-- CASCADE, ALTER TABLE ADD COLUMN of a virtual generated column, and rows
-- that show the generated values.

CREATE TABLE asset (
  asset_id INTEGER PRIMARY KEY,
  symbol TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(symbol) BETWEEN 2 AND 10),
  decimals INTEGER NOT NULL DEFAULT 8 CHECK (decimals >= 0),
  added_on TEXT NOT NULL DEFAULT ('2024-01-01'),
  CONSTRAINT symbol_ascii CHECK (symbol NOT GLOB '*[^A-Za-z0-9]*')
);

CREATE TABLE fill (
  fill_id INTEGER PRIMARY KEY,
  asset_id INTEGER NOT NULL REFERENCES asset (asset_id) ON DELETE CASCADE,
  price REAL NOT NULL CHECK (price > 0),
  qty REAL NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  notional REAL GENERATED ALWAYS AS (price * qty) STORED,
  signed_qty REAL AS (CASE side WHEN 'buy' THEN qty ELSE -qty END) VIRTUAL,
  CHECK (qty > 0)
);

CREATE INDEX fill_notional ON fill (notional);
CREATE INDEX fill_big ON fill (asset_id, price) WHERE qty >= 10;
CREATE INDEX fill_side_lower ON fill (lower(side), asset_id DESC);

CREATE TABLE rate (
  base TEXT NOT NULL,
  quote TEXT NOT NULL,
  value REAL NOT NULL,
  inverse REAL GENERATED ALWAYS AS (1.0 / value) VIRTUAL,
  PRIMARY KEY (base, quote)
) WITHOUT ROWID;

CREATE TABLE strict_sample (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  payload BLOB,
  score REAL CHECK (score BETWEEN 0 AND 1),
  anything ANY
) STRICT;

INSERT INTO asset (symbol, decimals) VALUES ('BTC', 8), ('eth', 18), ('USDC', 6);
INSERT INTO fill (asset_id, price, qty, side) VALUES
  (1, 42000.5, 0.25, 'buy'), (1, 42100, 12, 'sell'), (2, 2250.25, 3, 'buy');
INSERT INTO rate (base, quote, value) VALUES ('BTC', 'USD', 42000), ('USD', 'EUR', 0.92);
INSERT INTO strict_sample (label, payload, score, anything) VALUES
  ('a', x'00ff10', 0.5, 1), ('b', NULL, NULL, 'text'), ('c', x'', 1.0, 2.5);

ALTER TABLE asset ADD COLUMN symbol_lower TEXT AS (lower(symbol)) VIRTUAL;
