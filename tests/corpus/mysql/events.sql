-- Corpus: scheduled events in a hand-written migration.
-- Exercises: CREATE EVENT with a BEGIN ... END body holding several
-- statements (inside DELIMITER ;;), single-statement events without any
-- DELIMITER, EVERY ... STARTS ... ENDS, a one-shot AT event, ON COMPLETION
-- PRESERVE, ENABLE/DISABLE, COMMENT, and bodies that use NOW() and
-- CONVERT_TZ. Each event records the session's time_zone and sql_mode, so
-- they must be the client's. The schedules start in the future: nothing
-- runs during the test.

CREATE TABLE candle_1m (
  symbol VARCHAR(16) NOT NULL,
  open_time DATETIME NOT NULL,
  close DECIMAL(24,10) NOT NULL,
  PRIMARY KEY (symbol, open_time)
);

CREATE TABLE candle_1h (
  symbol VARCHAR(16) NOT NULL,
  open_time DATETIME NOT NULL,
  close DECIMAL(24,10) NOT NULL,
  PRIMARY KEY (symbol, open_time)
);

CREATE TABLE job_run (
  job VARCHAR(32) NOT NULL,
  ran_at DATETIME NOT NULL,
  ran_at_utc DATETIME NOT NULL,
  rows_done INT NOT NULL
);

DELIMITER ;;
CREATE EVENT purge_old_minutes
  ON SCHEDULE EVERY 1 DAY STARTS '2031-01-01 03:00:00'
  ON COMPLETION PRESERVE
  ENABLE
  COMMENT 'keeps 30 days of 1m candles; runs at 03:00 server time'
  DO
  BEGIN
    DECLARE v_cutoff DATETIME DEFAULT NOW() - INTERVAL 30 DAY;
    DELETE FROM candle_1m WHERE open_time < v_cutoff;
    INSERT INTO job_run (job, ran_at, ran_at_utc, rows_done)
      VALUES ('purge', NOW(), CONVERT_TZ(NOW(), @@session.time_zone, '+00:00'), ROW_COUNT());
  END;;
DELIMITER ;

CREATE EVENT hourly_rollup
  ON SCHEDULE EVERY 1 HOUR STARTS '2031-01-01 00:05:00' ENDS '2032-01-01 00:00:00'
  ON COMPLETION NOT PRESERVE
  DISABLE
  DO
    INSERT INTO candle_1h (symbol, open_time, close)
    SELECT symbol, DATE_FORMAT(open_time, '%Y-%m-%d %H:00:00'), MAX(close)
      FROM candle_1m
     WHERE open_time >= NOW() - INTERVAL 1 HOUR
     GROUP BY symbol, DATE_FORMAT(open_time, '%Y-%m-%d %H:00:00')
    ON DUPLICATE KEY UPDATE close = VALUES(close);

CREATE EVENT new_year_report
  ON SCHEDULE AT '2031-12-31 23:59:59'
  ON COMPLETION PRESERVE
  ENABLE
  DO
    INSERT INTO job_run (job, ran_at, ran_at_utc, rows_done)
    SELECT 'year-end', NOW(), UTC_TIMESTAMP(), COUNT(*) FROM candle_1h;

CREATE EVENT IF NOT EXISTS new_year_report
  ON SCHEDULE AT '2032-12-31 23:59:59'
  DO DELETE FROM job_run;
