-- Corpus: FULLTEXT and SPATIAL indexes, on InnoDB and Aria.
-- Exercises: FULLTEXT over one and two columns (InnoDB, and Aria), a
-- SPATIAL index on a POINT NOT NULL column with REF_SYSTEM_ID, a GEOMETRY
-- column, an index comment, ST_ functions in INSERTs, and views that query
-- through the indexes (MATCH ... AGAINST in boolean mode, ST_Contains).

CREATE TABLE news_article (
  article_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  title VARCHAR(255) NOT NULL,
  body TEXT NOT NULL,
  tags VARCHAR(255) NOT NULL DEFAULT '',
  FULLTEXT KEY ft_article (title, body) COMMENT 'search box',
  FULLTEXT KEY ft_tags (tags)
) ENGINE=InnoDB;

CREATE TABLE forum_post (
  post_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  body MEDIUMTEXT NOT NULL,
  FULLTEXT (body)
) ENGINE=Aria;

CREATE TABLE datacenter (
  dc_id INT NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  location POINT REF_SYSTEM_ID=4326 NOT NULL,
  coverage GEOMETRY NULL,
  SPATIAL INDEX sp_location (location)
) ENGINE=InnoDB;

CREATE TABLE node_region (
  region VARCHAR(16) NOT NULL PRIMARY KEY,
  area POLYGON NOT NULL,
  SPATIAL KEY (area)
) ENGINE=Aria;

INSERT INTO news_article (title, body, tags) VALUES
  ('Bitcoin halving approaches', 'Miners prepare for the fourth halving of the block reward.', 'btc mining'),
  ('Ethereum upgrade ships', 'The upgrade lowers fees for rollups; validators updated early.', 'eth'),
  ('Exchange outage', 'A major exchange paused withdrawals for two hours.', 'exchange ops');

INSERT INTO forum_post (body) VALUES ('is the halving priced in?'), ('fees are lower since the upgrade');

INSERT INTO datacenter VALUES
  (1, 'fra', ST_GeomFromText('POINT(8.68 50.11)', 4326), NULL),
  (2, 'iad', POINT(-77.49, 39.04), ST_GeomFromText('POLYGON((-80 36, -74 36, -74 42, -80 42, -80 36))')),
  (3, 'nrt', POINT(140.39, 35.77), NULL);

INSERT INTO node_region VALUES
  ('eu', ST_GeomFromText('POLYGON((-10 35, 30 35, 30 60, -10 60, -10 35))')),
  ('us-east', ST_GeomFromText('POLYGON((-85 30, -70 30, -70 45, -85 45, -85 30))'));

CREATE VIEW halving_news AS
  SELECT article_id, title FROM news_article
   WHERE MATCH (title, body) AGAINST ('+halving -outage' IN BOOLEAN MODE);

CREATE VIEW dc_region AS
  SELECT d.name, r.region, ST_AsText(d.location) AS wkt
    FROM datacenter d JOIN node_region r ON ST_Contains(r.area, d.location);
