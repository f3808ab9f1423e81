-- Corpus: views whose meaning depends on the session's sql_mode.
-- Exercises: '||' (logical OR under the server's default mode, so
-- 'a' || 'b' is 0 and 1 || 0 is 1; concatenation only under
-- PIPES_AS_CONCAT), double-quoted text (a string literal without
-- ANSI_QUOTES, an identifier with it), backslash escapes in literals (which
-- NO_BACKSLASH_ESCAPES would keep), a view on a table filtered by a
-- double-quoted literal, and a view over a view. The server stores each
-- view's parsed definition, so the mode at CREATE time is what counts.

CREATE TABLE quote (
  symbol VARCHAR(16) NOT NULL,
  venue VARCHAR(16) NOT NULL,
  bid DECIMAL(20,8) NOT NULL,
  ask DECIMAL(20,8) NOT NULL,
  PRIMARY KEY (symbol, venue)
);

INSERT INTO quote VALUES
  ('BTC', 'kraken', 42000.10, 42000.90),
  ('BTC', 'binance', 41999.50, 42000.00),
  ('ETH', 'kraken', 2250.00, 2250.40);

CREATE VIEW concat_probe AS SELECT 'a' || 'b' AS x, 1 || 0 AS flag, '2' || '3' AS digits;

CREATE VIEW quote_probe AS SELECT "BTC" AS symbol, "it's" AS phrase, 'say "hi"' AS quoted;

CREATE VIEW btc_quote AS
  SELECT venue, bid, ask, ask - bid AS spread
    FROM quote
   WHERE symbol = "BTC";

CREATE VIEW quote_label AS
  SELECT symbol, venue, symbol || '@' || venue AS label,
         'C:\\feeds\\new' AS feed_path
    FROM quote;

CREATE VIEW best_btc AS
  SELECT MIN(ask) AS best_ask, MAX(bid) AS best_bid FROM btc_quote;
