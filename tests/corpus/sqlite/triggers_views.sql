-- Corpus: SQLite triggers and views.
-- Exercises: BEGIN ... END trigger bodies with several statements;
-- BEFORE, AFTER and INSTEAD OF (on a view) triggers; FOR EACH ROW WHEN
-- conditions; UPDATE OF a column; RAISE(IGNORE) and RAISE(ABORT, '...')
-- with a ';' in the message; a trigger body holding a CASE ... END
-- expression and the word END in a string; CREATE TRIGGER IF NOT EXISTS;
-- views over views and with a window function; and DML that fires every
-- trigger, so the rows show the result.

CREATE TABLE position (
  position_id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  symbol TEXT NOT NULL,
  qty REAL NOT NULL,
  status TEXT NOT NULL DEFAULT 'open'
);

CREATE TABLE position_log (
  log_id INTEGER PRIMARY KEY,
  position_id INTEGER NOT NULL,
  event TEXT NOT NULL,
  detail TEXT
);

CREATE TRIGGER position_reject_negative BEFORE INSERT ON position
FOR EACH ROW WHEN NEW.qty < 0
BEGIN
  SELECT RAISE(ABORT, 'negative quantity; use a short position');
END;

CREATE TRIGGER position_skip_zero BEFORE INSERT ON position
FOR EACH ROW WHEN NEW.qty = 0
BEGIN
  SELECT RAISE(IGNORE);
END;

CREATE TRIGGER position_opened AFTER INSERT ON position
BEGIN
  INSERT INTO position_log (position_id, event, detail)
    VALUES (NEW.position_id, 'open', NEW.symbol || ' x' || NEW.qty);
  UPDATE position SET symbol = upper(symbol) WHERE position_id = NEW.position_id;
END;

CREATE TRIGGER position_status AFTER UPDATE OF status ON position
FOR EACH ROW WHEN OLD.status <> NEW.status
BEGIN
  INSERT INTO position_log (position_id, event, detail)
    VALUES (NEW.position_id,
            CASE NEW.status WHEN 'closed' THEN 'close' ELSE 'change' END,
            'END of ' || OLD.status);
END;

CREATE TRIGGER IF NOT EXISTS position_opened AFTER INSERT ON position
BEGIN
  SELECT 'never created';
END;

CREATE VIEW open_position AS
  SELECT position_id, owner, symbol, qty FROM position WHERE status = 'open';

CREATE VIEW owner_exposure AS
  SELECT owner, symbol, sum(qty) AS qty,
         rank() OVER (PARTITION BY owner ORDER BY sum(qty) DESC) AS rnk
    FROM open_position
   GROUP BY owner, symbol;

CREATE TRIGGER open_position_insert INSTEAD OF INSERT ON open_position
BEGIN
  INSERT INTO position (owner, symbol, qty) VALUES (NEW.owner, NEW.symbol, NEW.qty);
  INSERT INTO position_log (position_id, event, detail)
    VALUES (last_insert_rowid(), 'via view', NEW.owner);
END;

INSERT INTO position (owner, symbol, qty) VALUES ('alice', 'btc', 0.5);
INSERT INTO position (owner, symbol, qty) VALUES ('alice', 'eth', 10);
INSERT INTO position (owner, symbol, qty) VALUES ('bob', 'sol', 0);
INSERT INTO open_position (owner, symbol, qty) VALUES ('bob', 'doge', 1000);
UPDATE position SET status = 'closed' WHERE symbol = 'ETH';
UPDATE position SET status = 'open' WHERE symbol = 'BTC';
