-- Corpus: ENUM and SET columns, character sets and collations, non-ASCII
-- text.
-- Exercises: ENUM and SET with defaults, values given by name and by
-- number, SET members in any order, ALTER ... MODIFY adding an ENUM value,
-- per-column CHARACTER SET / COLLATE (latin1, ascii, utf8mb4_bin,
-- utf8mb4_unicode_520_ci), table-level DEFAULT CHARSET, non-ASCII
-- defaults, comments and rows (é, 日本, an emoji) that need a utf8mb4
-- connection, comments holding quotes and ';', and a view over ENUM+0 and
-- FIND_IN_SET.

CREATE TABLE instrument (
  instrument_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('spot', 'perp', 'future', 'option') NOT NULL DEFAULT 'spot',
  flags SET('margin', 'lending', 'staking', 'delisted') NOT NULL DEFAULT 'margin,lending',
  symbol VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(64) COLLATE utf8mb4_unicode_520_ci NOT NULL DEFAULT 'Café ☕',
  legacy_name VARCHAR(64) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL,
  region VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '日本',
  note VARCHAR(255) NULL COMMENT 'free text; may hold "quotes" and \'apostrophes\''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
  COMMENT='tradable instruments; one row per venue-independent symbol';

INSERT INTO instrument (kind, flags, symbol, display_name, legacy_name, region, note) VALUES
  ('spot', 'staking,margin', 'BTC-USD', 'Bitcoin', 'Bitcoin', 'US', NULL),
  (2, 'lending', 'ETH-PERP', 'Ethereum perpétuel', 'Ethereum perpétuel', 'EU', 'funding every 8h; see "docs"'),
  ('option', '', 'BTC-28JUN24-70000-C', 'Option 🚀', NULL, DEFAULT, 'expired'),
  (DEFAULT, DEFAULT, 'SOL-USD', DEFAULT, 'Solana', DEFAULT, 'Ünïcödé');

ALTER TABLE instrument MODIFY kind ENUM('spot', 'perp', 'future', 'option', 'move') NOT NULL DEFAULT 'spot';

INSERT INTO instrument (kind, flags, symbol) VALUES ('move', 'delisted', 'BTC-MOVE-2024');

CREATE TABLE label (
  label_id SMALLINT NOT NULL PRIMARY KEY,
  text_ci VARCHAR(32) NOT NULL,
  text_bin VARBINARY(32) NOT NULL,
  UNIQUE KEY uq_label_ci (text_ci)
) DEFAULT CHARSET=latin1;

INSERT INTO label VALUES (1, 'Straße', 'Straße'), (2, 'naïve', 'naïve');

CREATE VIEW instrument_flags AS
  SELECT symbol, kind + 0 AS kind_no, kind, flags + 0 AS flag_bits,
         FIND_IN_SET('margin', flags) > 0 AS marginable,
         CHAR_LENGTH(display_name) AS name_chars, LENGTH(display_name) AS name_bytes
    FROM instrument;
