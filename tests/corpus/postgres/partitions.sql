-- Corpus: declarative partitioning.
-- Exercises: RANGE partitioning with several partitions and a DEFAULT
-- one, MINVALUE/MAXVALUE bounds over two columns, LIST partitions (one
-- holding NULL), HASH partitions (MODULUS/REMAINDER), a partition that is
-- itself partitioned, a primary key and indexes declared on the parent
-- (cloned onto each partition), a table created apart and then ATTACHed,
-- DETACH PARTITION, a foreign key referencing a partitioned table, a
-- trigger on the parent, and rows routed to their partitions.

CREATE TABLE price (
  symbol text NOT NULL,
  ts timestamptz NOT NULL,
  price numeric(24, 10) NOT NULL,
  PRIMARY KEY (symbol, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE price_2023 PARTITION OF price
  FOR VALUES FROM ('2023-01-01 00:00:00+00') TO ('2024-01-01 00:00:00+00');
CREATE TABLE price_2024 PARTITION OF price
  FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')
  PARTITION BY LIST (symbol);
CREATE TABLE price_2024_btc PARTITION OF price_2024 FOR VALUES IN ('BTC');
CREATE TABLE price_2024_other PARTITION OF price_2024 DEFAULT;
CREATE TABLE price_default PARTITION OF price DEFAULT;

CREATE INDEX price_ts_brin ON price USING brin (ts);
CREATE INDEX price_symbol_ts ON price (symbol, ts DESC);

CREATE TABLE price_2022 (LIKE price INCLUDING DEFAULTS);
ALTER TABLE price_2022 ADD CONSTRAINT price_2022_range
  CHECK (ts >= '2022-01-01 00:00:00+00' AND ts < '2023-01-01 00:00:00+00');
ALTER TABLE price ATTACH PARTITION price_2022
  FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2023-01-01 00:00:00+00');

CREATE TABLE asset (
  asset_id integer NOT NULL,
  chain text,
  symbol text NOT NULL
) PARTITION BY LIST (chain);

CREATE TABLE asset_evm PARTITION OF asset FOR VALUES IN ('ethereum', 'arbitrum', 'base');
CREATE TABLE asset_native PARTITION OF asset FOR VALUES IN ('bitcoin', NULL);
CREATE TABLE asset_old PARTITION OF asset FOR VALUES IN ('terra');

CREATE TABLE wallet (
  wallet_id bigint PRIMARY KEY,
  kind text NOT NULL
) PARTITION BY HASH (wallet_id);

CREATE TABLE wallet_0 PARTITION OF wallet FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE wallet_1 PARTITION OF wallet FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE wallet_2 PARTITION OF wallet FOR VALUES WITH (MODULUS 3, REMAINDER 2);

CREATE TABLE grid (
  x integer NOT NULL,
  y integer NOT NULL,
  v text
) PARTITION BY RANGE (x, y);

CREATE TABLE grid_low PARTITION OF grid FOR VALUES FROM (MINVALUE, MINVALUE) TO (0, 0);
CREATE TABLE grid_high PARTITION OF grid FOR VALUES FROM (0, 0) TO (MAXVALUE, MAXVALUE);

CREATE TABLE holding (
  holder text NOT NULL,
  wallet_id bigint NOT NULL REFERENCES wallet ON DELETE CASCADE,
  symbol text NOT NULL
);

CREATE FUNCTION price_round() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.price := round(NEW.price, 2);
  RETURN NEW;
END $$;

CREATE TRIGGER price_round BEFORE INSERT ON price FOR EACH ROW EXECUTE FUNCTION price_round();

INSERT INTO price VALUES
  ('BTC', '2022-06-01 00:00:00+00', 31792.311),
  ('BTC', '2023-06-01 00:00:00+00', 27218.419),
  ('BTC', '2024-06-01 00:00:00+00', 67760.801),
  ('ETH', '2024-06-01 00:00:00+00', 3813.4449),
  ('ETH', '2025-06-01 00:00:00+00', 2500);

INSERT INTO asset VALUES (1, 'bitcoin', 'BTC'), (2, 'ethereum', 'ETH'), (3, NULL, 'XMR'), (4, 'terra', 'LUNA');
INSERT INTO wallet SELECT w, CASE WHEN w % 2 = 0 THEN 'cold' ELSE 'hot' END FROM generate_series(1, 6) AS w;
INSERT INTO holding VALUES ('alice', 1, 'BTC'), ('bob', 4, 'XMR'), ('carol', 5, 'ETH');
DELETE FROM wallet WHERE wallet_id = 5;
INSERT INTO grid VALUES (-1, -1, 'sw'), (0, 0, 'origin'), (5, -3, 'se');

ALTER TABLE asset DETACH PARTITION asset_old;
