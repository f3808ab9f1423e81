-- Corpus: domains, enum, composite and range types in a hand-written
-- migration.
-- Exercises: CREATE DOMAIN with NOT NULL, DEFAULT, COLLATE and several
-- named CHECK constraints (one over a regular expression with a ';' in
-- it), a domain over a domain, ALTER DOMAIN ADD CONSTRAINT ... NOT VALID
-- then VALIDATE CONSTRAINT; enum types with ALTER TYPE ... ADD VALUE
-- BEFORE/AFTER and RENAME VALUE (the label order must be kept; rows only
-- use labels that existed before, as a new label cannot be used in the
-- transaction that adds it); a
-- composite type used as a column; a range type with its multirange;
-- rows that go through the domains' defaults.

CREATE DOMAIN ticker AS text COLLATE "C"
  CONSTRAINT ticker_upper CHECK (VALUE = upper(VALUE))
  CONSTRAINT ticker_shape CHECK (VALUE ~ '^[A-Z0-9]{2,10}(-[A-Z0-9]{2,10})?$');

CREATE DOMAIN positive_amount AS numeric(38, 18)
  NOT NULL
  DEFAULT 0
  CONSTRAINT amount_nonnegative CHECK (VALUE >= 0);

CREATE DOMAIN small_amount AS positive_amount
  CONSTRAINT amount_small CHECK (VALUE < 1000000);

CREATE DOMAIN note_text AS varchar(200)
  CONSTRAINT note_no_semicolon_run CHECK (VALUE !~ ';;');

CREATE TYPE market_kind AS ENUM ('spot', 'perp', 'option');
ALTER TYPE market_kind ADD VALUE 'future' BEFORE 'option';
ALTER TYPE market_kind ADD VALUE IF NOT EXISTS 'move' AFTER 'option';
ALTER TYPE market_kind ADD VALUE IF NOT EXISTS 'spot';
ALTER TYPE market_kind RENAME VALUE 'perp' TO 'perpetual';

CREATE TYPE signal_strength AS ENUM ('weak', 'strong');
ALTER TYPE signal_strength ADD VALUE 'neutral' AFTER 'weak';

CREATE TYPE money_pair AS (
  base ticker,
  quote ticker,
  rate numeric
);

CREATE TYPE price_range AS RANGE (
  subtype = numeric,
  multirange_type_name = price_multirange
);

CREATE TABLE market (
  market_id serial PRIMARY KEY,
  symbol ticker NOT NULL UNIQUE,
  kind market_kind NOT NULL DEFAULT 'spot',
  pair money_pair,
  min_order small_amount,
  fee positive_amount,
  band price_range,
  note note_text
);

ALTER DOMAIN note_text ADD CONSTRAINT note_not_blank CHECK (VALUE <> '') NOT VALID;

INSERT INTO market (symbol, kind, pair, min_order, band, note) VALUES
  ('BTC-USD', 'spot', ROW('BTC', 'USD', 42000.5), 0.0001, '[40000,45000)', 'flagship'),
  ('ETH-PERP', 'perpetual', ROW('ETH', 'USD', NULL), 0.01, '(2000,2500]', NULL),
  ('BTC-28JUN24', 'option', NULL, 1, 'empty', 'expired; settled');

ALTER DOMAIN note_text VALIDATE CONSTRAINT note_not_blank;

CREATE TABLE market_signal (
  market_id integer NOT NULL REFERENCES market,
  strength signal_strength NOT NULL,
  bands price_multirange NOT NULL DEFAULT '{}'
);

INSERT INTO market_signal VALUES (1, 'weak', '{[1,2), [3,4)}'), (2, 'strong', DEFAULT);
