-- Corpus: materialized views and their indexes.
-- Exercises: CREATE MATERIALIZED VIEW ... WITH DATA and WITH NO DATA,
-- a storage parameter (fillfactor), a unique index on a materialized view
-- (needed by REFRESH ... CONCURRENTLY), an expression index and a partial
-- index on one, a materialized view over a view, REFRESH MATERIALIZED VIEW
-- (plain and CONCURRENTLY) after more rows arrive, and IF NOT EXISTS on
-- an existing name. The rows of each populated view are compared too.

CREATE TABLE candle (
  symbol text NOT NULL,
  day date NOT NULL,
  close numeric(24, 10) NOT NULL,
  volume numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (symbol, day)
);

INSERT INTO candle VALUES
  ('BTC', '2024-01-01', 42283.58, 12000),
  ('BTC', '2024-01-02', 44179.55, 15500),
  ('ETH', '2024-01-01', 2281.12, 90000),
  ('ETH', '2024-01-02', 2356.64, 110000);

CREATE VIEW candle_change AS
  SELECT symbol, day, close,
         close / lag(close) OVER (PARTITION BY symbol ORDER BY day) - 1 AS change
    FROM candle;

CREATE MATERIALIZED VIEW daily_volume WITH (fillfactor = 70) AS
  SELECT day, sum(volume) AS volume, count(*) AS symbols
    FROM candle
   GROUP BY day
WITH DATA;

CREATE UNIQUE INDEX daily_volume_day ON daily_volume (day);

CREATE MATERIALIZED VIEW latest_close AS
  SELECT DISTINCT ON (symbol) symbol, day, close, round(change * 100, 2) AS change_pct
    FROM candle_change
   ORDER BY symbol, day DESC;

CREATE UNIQUE INDEX latest_close_symbol ON latest_close (symbol);
CREATE INDEX latest_close_lower ON latest_close (lower(symbol));
CREATE INDEX latest_close_movers ON latest_close (change_pct) WHERE abs(change_pct) > 3;

CREATE MATERIALIZED VIEW IF NOT EXISTS latest_close AS SELECT 1 AS never;

CREATE MATERIALIZED VIEW weekly_report AS
  SELECT date_trunc('week', day)::date AS week, symbol, max(close) AS high
    FROM candle
   GROUP BY 1, 2
WITH NO DATA;

COMMENT ON MATERIALIZED VIEW weekly_report IS 'refreshed by the nightly job; empty until then';

INSERT INTO candle VALUES ('SOL', '2024-01-01', 101.5, 500000), ('BTC', '2024-01-03', 42836.3, 14000);

REFRESH MATERIALIZED VIEW daily_volume;
REFRESH MATERIALIZED VIEW CONCURRENTLY latest_close;
