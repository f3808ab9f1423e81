-- Corpus: index access methods and index options.
-- Exercises: CREATE EXTENSION (pg_trgm, btree_gist) with objects used by
-- indexes; GIN over jsonb (default and jsonb_path_ops), tsvector, arrays
-- and trigrams; GiST over a range for an EXCLUDE constraint mixing a
-- scalar (btree_gist) and a range, and over points; SP-GiST over inet and
-- text; BRIN with pages_per_range; hash; B-tree with INCLUDE, partial
-- (WHERE), expression, DESC NULLS LAST, COLLATE "C", NULLS NOT DISTINCT
-- and fillfactor; CLUSTER ON an index; a generated tsvector column.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE document (
  doc_id bigint PRIMARY KEY,
  title text NOT NULL,
  body text NOT NULL,
  meta jsonb NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  search tsvector GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || body)) STORED,
  published_at timestamptz,
  source_ip inet
);

CREATE INDEX document_meta ON document USING gin (meta);
CREATE INDEX document_meta_path ON document USING gin (meta jsonb_path_ops);
CREATE INDEX document_search ON document USING gin (search);
CREATE INDEX document_tags ON document USING gin (tags);
CREATE INDEX document_title_trgm ON document USING gin (title gin_trgm_ops);
CREATE INDEX document_body_trgm ON document USING gist (body gist_trgm_ops(siglen = 64));
CREATE INDEX document_published ON document USING brin (published_at) WITH (pages_per_range = 32);
CREATE INDEX document_ip ON document USING spgist (source_ip);
CREATE INDEX document_title_spgist ON document USING spgist (title);
CREATE INDEX document_title_hash ON document USING hash (title);
CREATE INDEX document_recent ON document (published_at DESC NULLS LAST) INCLUDE (title)
  WHERE published_at IS NOT NULL;
CREATE INDEX document_lower_title ON document (lower(title) COLLATE "C") WITH (fillfactor = 80);
CREATE UNIQUE INDEX document_slug ON document ((meta ->> 'slug')) NULLS NOT DISTINCT;

ALTER TABLE document CLUSTER ON document_lower_title;

CREATE TABLE room_booking (
  room integer NOT NULL,
  during tstzrange NOT NULL,
  booked_by text NOT NULL,
  EXCLUDE USING gist (room WITH =, during WITH &&)
);

CREATE TABLE station (
  station_id integer PRIMARY KEY,
  location point NOT NULL,
  area box
);

CREATE INDEX station_location ON station USING gist (location);
CREATE INDEX station_area ON station USING gist (area) WITH (fillfactor = 90, buffering = on);

INSERT INTO document (doc_id, title, body, meta, tags, published_at, source_ip) VALUES
  (1, 'Halving', 'The block reward halves again.', '{"slug": "halving", "lang": "en"}', '{btc,mining}', '2024-04-20 00:00:00+00', '10.0.0.1'),
  (2, 'Upgrade', 'Rollups get cheaper blobs.', '{"slug": "upgrade"}', '{eth}', NULL, '192.168.1.0/24'),
  (3, 'Draft', 'Nothing yet.', '{}', '{}', NULL, NULL);

INSERT INTO room_booking VALUES
  (1, '[2024-01-01 09:00+00, 2024-01-01 10:00+00)', 'alice'),
  (1, '[2024-01-01 10:00+00, 2024-01-01 11:00+00)', 'bob'),
  (2, '[2024-01-01 09:30+00, 2024-01-01 10:30+00)', 'carol');

INSERT INTO station VALUES (1, '(8.68,50.11)', '((8,50),(9,51))'), (2, '(-77.49,39.04)', NULL);
