-- Corpus: a hand-written migration of stored routines with DELIMITER $$.
-- Exercises: DELIMITER $$ ... DELIMITER ; around functions and procedures
-- that run under the session's sql_mode (no SET sql_mode in the file, so
-- each routine keeps the client's mode); CASE ... END CASE, WHILE ... END
-- WHILE, REPEAT ... UNTIL ... END REPEAT, labels, an EXIT handler, SIGNAL
-- with a message holding ';' and '$$' inside a string; a function whose
-- result depends on sql_mode ('0' || '1' is 1 without PIPES_AS_CONCAT),
-- called by an INSERT so the rows show it.

CREATE TABLE fee_tier (
  tier_id INT NOT NULL PRIMARY KEY,
  min_volume DECIMAL(20,2) NOT NULL,
  maker_bps SMALLINT NOT NULL,
  taker_bps SMALLINT NOT NULL,
  code VARCHAR(8) NULL
) ENGINE=InnoDB;

INSERT INTO fee_tier (tier_id, min_volume, maker_bps, taker_bps) VALUES
  (0, 0, 10, 10),
  (1, 50000, 9, 10),
  (2, 1000000, 8, 9),
  (3, 5000000, 6, 8);

DELIMITER $$

CREATE FUNCTION taker_fee(p_volume DECIMAL(20,2), p_notional DECIMAL(20,2))
  RETURNS DECIMAL(20,6)
  DETERMINISTIC
  READS SQL DATA
  COMMENT 'fee in quote currency for one taker trade'
BEGIN
  DECLARE v_bps SMALLINT DEFAULT 10;
  SELECT taker_bps INTO v_bps FROM fee_tier
   WHERE min_volume <= p_volume ORDER BY min_volume DESC LIMIT 1;
  RETURN ROUND(p_notional * v_bps / 10000, 6);
END$$

CREATE FUNCTION tier_code(p_prefix VARCHAR(4), p_tier INT)
  RETURNS VARCHAR(8)
  DETERMINISTIC
  NO SQL
BEGIN
  -- '0' || '1' concatenates only under PIPES_AS_CONCAT
  RETURN p_prefix || p_tier;
END$$

CREATE FUNCTION tier_name(p_tier INT) RETURNS VARCHAR(16) CHARSET utf8mb4
  DETERMINISTIC NO SQL
BEGIN
  CASE p_tier
    WHEN 0 THEN RETURN 'retail';
    WHEN 1 THEN RETURN 'active';
    WHEN 2 THEN RETURN 'pro';
    ELSE RETURN 'vip';
  END CASE;
END$$

CREATE PROCEDURE fill_codes()
  MODIFIES SQL DATA
  SQL SECURITY INVOKER
BEGIN
  DECLARE v_tier INT DEFAULT 0;
  DECLARE v_max INT;
  SELECT MAX(tier_id) INTO v_max FROM fee_tier;
  tiers: WHILE v_tier <= v_max DO
    UPDATE fee_tier SET code = tier_code('0', v_tier) WHERE tier_id = v_tier;
    SET v_tier = v_tier + 1;
  END WHILE tiers;
END$$

CREATE PROCEDURE check_tiers(OUT p_gaps INT)
  READS SQL DATA
BEGIN
  DECLARE v_i INT DEFAULT 0;
  DECLARE v_n INT;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    SET p_gaps = -1;
  END;
  SET p_gaps = 0;
  SELECT COUNT(*) INTO v_n FROM fee_tier;
  REPEAT
    IF NOT EXISTS (SELECT 1 FROM fee_tier WHERE tier_id = v_i) THEN
      SET p_gaps = p_gaps + 1;
    END IF;
    SET v_i = v_i + 1;
  UNTIL v_i >= v_n END REPEAT;
  IF p_gaps > 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'fee tiers have gaps; fix them ($$ lost)';
  END IF;
END$$

DELIMITER ;

CALL fill_codes();

CREATE TABLE fee_example (
  volume DECIMAL(20,2) NOT NULL,
  notional DECIMAL(20,2) NOT NULL,
  fee DECIMAL(20,6) NOT NULL,
  tier VARCHAR(16) NOT NULL,
  code VARCHAR(8) NOT NULL
);

INSERT INTO fee_example
SELECT v.volume, 1000, taker_fee(v.volume, 1000), tier_name(v.t), tier_code('0', v.t)
  FROM (SELECT 100 AS volume, 0 AS t UNION ALL SELECT 2000000, 2 UNION ALL SELECT 9000000, 3) v;
