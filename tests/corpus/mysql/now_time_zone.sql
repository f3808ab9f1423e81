-- Corpus: NOW(), time zones and temporal defaults, without any DELIMITER
-- (every routine body is a single statement).
-- Exercises: TIMESTAMP and DATETIME columns with CURRENT_TIMESTAMP
-- defaults and ON UPDATE, a TIMESTAMP literal default, functions over
-- NOW(), UTC_TIMESTAMP() and CONVERT_TZ(.., @@session.time_zone, ..), a
-- procedure that stamps rows with NOW(), UNIX_TIMESTAMP/FROM_UNIXTIME
-- conversions of fixed instants (they use the session's time_zone), and
-- rows that record the time_zone, sql_mode, character_set_client and
-- collation_connection the migration ran under.
-- Rows inserted here never take the current time, so the two builds can be
-- compared.

CREATE TABLE schema_info (
  k VARCHAR(32) NOT NULL PRIMARY KEY,
  v VARCHAR(255) NOT NULL
);

INSERT INTO schema_info (k, v) VALUES
  ('applied_time_zone', @@session.time_zone),
  ('applied_sql_mode', @@session.sql_mode),
  ('applied_character_set_client', @@session.character_set_client),
  ('applied_collation_connection', @@session.collation_connection),
  ('epoch_of_2024', UNIX_TIMESTAMP('2024-01-01 00:00:00')),
  ('local_of_1700000000', FROM_UNIXTIME(1700000000));

CREATE TABLE collector_state (
  source VARCHAR(32) NOT NULL PRIMARY KEY,
  last_success TIMESTAMP NULL DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  next_run DATETIME(3) NOT NULL DEFAULT '2024-01-01 00:00:00.000',
  window_start TIMESTAMP NOT NULL DEFAULT '2020-01-01 00:00:00',
  checked_on DATE NOT NULL DEFAULT (CURRENT_DATE)
);

CREATE FUNCTION seconds_since(p_ts DATETIME) RETURNS BIGINT
  NOT DETERMINISTIC NO SQL
  RETURN TIMESTAMPDIFF(SECOND, p_ts, NOW());

CREATE FUNCTION to_utc(p_local DATETIME) RETURNS DATETIME
  DETERMINISTIC NO SQL
  RETURN CONVERT_TZ(p_local, @@session.time_zone, '+00:00');

CREATE FUNCTION utc_hour() RETURNS INT
  NOT DETERMINISTIC NO SQL
  RETURN HOUR(UTC_TIMESTAMP());

CREATE PROCEDURE mark_success(IN p_source VARCHAR(32))
  MODIFIES SQL DATA
  UPDATE collector_state SET last_success = NOW(), next_run = NOW() + INTERVAL 5 MINUTE
   WHERE source = p_source;

CREATE TABLE epoch_fixture (
  label VARCHAR(16) NOT NULL PRIMARY KEY,
  at_ts TIMESTAMP NOT NULL,
  at_dt DATETIME NOT NULL
);

INSERT INTO epoch_fixture VALUES
  ('genesis', FROM_UNIXTIME(1231006505), FROM_UNIXTIME(1231006505)),
  ('halving4', '2024-04-20 00:09:27', to_utc('2024-04-20 00:09:27'));
