-- Corpus: anonymous DO blocks, as idempotent migrations use them.
-- Exercises: DO $$ ... $$; the "create the type unless it exists" idiom
-- with an EXCEPTION WHEN duplicate_object handler; DO $do$ ... $do$
-- LANGUAGE plpgsql with the language after the body; a DO block looping
-- over a VALUES list and creating tables, indexes and comments with
-- EXECUTE format(); a nested dollar quote inside a DO body; a DO block
-- that reads the catalog to decide whether to add a column; DO blocks
-- that insert rows.

CREATE TABLE venue (
  venue_id integer PRIMARY KEY,
  name text NOT NULL
);

DO $$
BEGIN
  CREATE TYPE venue_status AS ENUM ('active', 'paused', 'retired');
EXCEPTION
  WHEN duplicate_object THEN NULL;
END
$$;

DO $$
BEGIN
  CREATE TYPE venue_status AS ENUM ('never', 'created');
EXCEPTION
  WHEN duplicate_object THEN
    RAISE NOTICE 'venue_status exists; keeping it';
END
$$;

DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('binance', 1), ('kraken', 2), ('coinbase', 3)) AS v(name, id) LOOP
    EXECUTE format(
      'CREATE TABLE %I (ts timestamptz NOT NULL, price numeric NOT NULL, '
      'venue_id integer NOT NULL DEFAULT %s REFERENCES venue)',
      'trades_' || r.name, r.id);
    EXECUTE format('CREATE INDEX %I ON %I (ts DESC)', 'trades_' || r.name || '_ts', 'trades_' || r.name);
    EXECUTE format($fmt$COMMENT ON TABLE %I IS 'raw trades from %s; one row per fill'$fmt$,
                   'trades_' || r.name, r.name);
    INSERT INTO venue VALUES (r.id, r.name);
  END LOOP;
END
$do$ LANGUAGE plpgsql;

DO LANGUAGE plpgsql $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'venue' AND column_name = 'status'
  ) THEN
    ALTER TABLE venue ADD COLUMN status venue_status NOT NULL DEFAULT 'active';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'venue' AND column_name = 'name'
  ) THEN
    RAISE EXCEPTION 'venue.name is missing; this never happens';
  END IF;
END
$$;

DO $$
DECLARE
  i integer;
BEGIN
  FOR i IN 1..3 LOOP
    INSERT INTO trades_kraken (ts, price)
      VALUES ('2024-01-01 00:00:00+00'::timestamptz + make_interval(mins => i), 42000 + i);
  END LOOP;
  UPDATE venue SET status = 'paused' WHERE name = 'coinbase';
END
$$;
