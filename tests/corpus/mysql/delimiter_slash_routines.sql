-- Corpus: a migration written for the mysql client with DELIMITER //.
-- Exercises: DELIMITER // with a BEFORE INSERT trigger, CREATE OR REPLACE
-- PROCEDURE, DEFINER=CURRENT_USER, IN/OUT/INOUT parameters, a FUNCTION
-- returning a DATE, nested BEGIN ... END blocks with their own DECLAREs,
-- LEAVE/ITERATE, a '//' inside a string and inside a comment, and a CALL
-- that seeds rows through the trigger. Nothing sets sql_mode: the routines
-- and the trigger keep the client's session mode.

CREATE TABLE wallet (
  wallet_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  address VARCHAR(64) NOT NULL,
  chain VARCHAR(16) NOT NULL,
  label VARCHAR(64) NULL,
  first_seen DATE NULL,
  UNIQUE KEY uq_wallet (chain, address)
);

DELIMITER //

CREATE TRIGGER wallet_normalize BEFORE INSERT ON wallet
FOR EACH ROW
BEGIN
  SET NEW.address = LOWER(TRIM(NEW.address));
  IF NEW.label IS NULL OR NEW.label = '' THEN
    SET NEW.label = CONCAT(NEW.chain, '://', LEFT(NEW.address, 6));
  END IF;
END//

CREATE DEFINER=CURRENT_USER FUNCTION epoch_day(p_day INT) RETURNS DATE
  DETERMINISTIC NO SQL
BEGIN
  RETURN DATE_ADD('2009-01-03', INTERVAL p_day DAY);
END//

CREATE OR REPLACE PROCEDURE seed_wallets(IN p_chain VARCHAR(16), INOUT p_count INT, OUT p_last INT)
  MODIFIES SQL DATA
BEGIN
  DECLARE i INT DEFAULT 0;
  seed: LOOP
    SET i = i + 1;
    IF i > p_count THEN
      LEAVE seed;
    END IF;
    IF i = 2 THEN
      ITERATE seed; /* skip the second one // intentionally */
    END IF;
    BEGIN
      DECLARE v_addr VARCHAR(64);
      SET v_addr = CONCAT('  0xABCDEF', LPAD(i, 4, '0'), '  ');
      INSERT INTO wallet (address, chain, label, first_seen)
        VALUES (v_addr, p_chain, IF(i = 3, 'cold // storage', NULL), epoch_day(i * 100));
    END;
  END LOOP seed;
  SET p_last = LAST_INSERT_ID();
  SET p_count = p_count - 1;
END//

DELIMITER ;

SET @n = 4;
CALL seed_wallets('eth', @n, @last);
CALL seed_wallets('btc', @n, @last);
