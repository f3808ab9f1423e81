-- Corpus: executable comments and the comment forms of MySQL-family files.
-- Exercises: whole statements inside /*!40101 ... */ and /*!40014 ... */,
-- executable comments inside a statement (table options, a column
-- attribute, a partition clause), MariaDB-only /*M!100100 ... */, MySQL 5.7+
-- and 8.0 comments (/*!50717 ...*/, /*!80016 ...*/) that MariaDB skips, a
-- ';' inside an executable comment's string, '#' comments, '-- ' comments,
-- '--' not followed by a space (arithmetic, so 5--1 is 6), and plain
-- /* ... */ comments with ';' and quotes in them.

/*!40101 SET @saved_cs_client = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
/*!40014 SET @OLD_UNIQUE_CHECKS = @@UNIQUE_CHECKS, UNIQUE_CHECKS = 0 */;
/*!80000 SET @@SESSION.SQL_REQUIRE_PRIMARY_KEY = 0 */;
/*!40101 SET @separator = ';' */;

# collector configuration, one row per source
CREATE TABLE source_config (
  source VARCHAR(32) NOT NULL,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  poll_seconds INT NOT NULL DEFAULT 60 /*!50705 COMMENT 'never seen by MariaDB' */,
  api_base VARCHAR(255) /*!40101 CHARACTER SET ascii */ NOT NULL,
  secret_ref VARCHAR(64) /*M!100301 COMMENT 'vault path' */ NULL,
  PRIMARY KEY (source)
) /*!40101 ENGINE=InnoDB */ /*!50100 COMMENT='poll settings' */ /*!80016 DEFAULT ENCRYPTION='N' */;

/* The next table is partitioned only on servers that know partitions;
   the clause is an executable comment; this comment's ';' ends nothing. */
CREATE TABLE source_hit (
  source VARCHAR(32) NOT NULL,
  hour INT NOT NULL,
  hits INT NOT NULL DEFAULT 0, -- per hour; reset daily
  PRIMARY KEY (source, hour)
) /*!50100 PARTITION BY HASH (hour) PARTITIONS 2 */;

INSERT INTO source_config (source, poll_seconds, api_base) VALUES
  ('coingecko', 5--1, 'https://api.coingecko.com/api/v3'), -- 5 minus -1 is 6
  ('kraken', 10 /*!40101 * 6 */, 'https://api.kraken.com/0/public'),
  ('glassnode', 3600 /*!99999 + 1 */, 'https://api.glassnode.com/v1'), # one hour
  ('defillama', 300 /*M!100100 + 5 */, 'https://api.llama.fi');

INSERT INTO source_hit VALUES ('kraken', 1, 10), ('kraken', 2, 12) /*!50000 , ('coingecko', 1, 3) */;

UPDATE source_config SET secret_ref = CONCAT('kv/collector', @separator, source) WHERE source <> 'kraken';

/*!40014 SET UNIQUE_CHECKS = @OLD_UNIQUE_CHECKS */;
/*!40101 SET character_set_client = @saved_cs_client */;
