-- Corpus: several triggers on one table, all with single-statement bodies
-- (no DELIMITER needed).
-- Exercises: more than one BEFORE INSERT trigger ordered with FOLLOWS and
-- PRECEDES, AFTER INSERT/UPDATE/DELETE triggers writing an audit table,
-- CREATE OR REPLACE TRIGGER, CREATE TRIGGER IF NOT EXISTS on an existing
-- name (a no-op with a note), OLD/NEW in expressions, and a trigger whose
-- effect depends on the sql_mode it was created under: NEW.prefix ||
-- NEW.seq is an OR of '0' and a number without PIPES_AS_CONCAT. Rows are
-- inserted, updated and deleted so that every trigger runs.

CREATE TABLE orders (
  order_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  prefix CHAR(1) NOT NULL DEFAULT '0',
  seq INT NOT NULL,
  code VARCHAR(16) NULL,
  qty INT NOT NULL,
  price DECIMAL(12,2) NOT NULL,
  total DECIMAL(14,2) NULL,
  status VARCHAR(12) NOT NULL DEFAULT 'new'
);

CREATE TABLE order_audit (
  audit_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id INT NOT NULL,
  action VARCHAR(8) NOT NULL,
  detail VARCHAR(64) NULL
);

CREATE TRIGGER order_code BEFORE INSERT ON orders
  FOR EACH ROW SET NEW.code = NEW.prefix || NEW.seq;

CREATE TRIGGER order_total BEFORE INSERT ON orders
  FOR EACH ROW FOLLOWS order_code SET NEW.total = NEW.qty * NEW.price;

CREATE TRIGGER order_guard BEFORE INSERT ON orders
  FOR EACH ROW PRECEDES order_code SET NEW.qty = GREATEST(NEW.qty, 1);

CREATE TRIGGER IF NOT EXISTS order_code BEFORE INSERT ON orders
  FOR EACH ROW SET NEW.code = 'never';

CREATE TRIGGER order_audit_ins AFTER INSERT ON orders
  FOR EACH ROW INSERT INTO order_audit (order_id, action, detail)
    VALUES (NEW.order_id, 'insert', CONCAT(NEW.code, ' x', NEW.qty));

CREATE TRIGGER order_audit_upd AFTER UPDATE ON orders
  FOR EACH ROW INSERT INTO order_audit (order_id, action, detail)
    VALUES (NEW.order_id, 'update', OLD.status);

CREATE OR REPLACE TRIGGER order_audit_upd AFTER UPDATE ON orders
  FOR EACH ROW INSERT INTO order_audit (order_id, action, detail)
    VALUES (NEW.order_id, 'update', CONCAT(OLD.status, ' -> ', NEW.status));

CREATE TRIGGER order_audit_del BEFORE DELETE ON orders
  FOR EACH ROW INSERT INTO order_audit (order_id, action, detail)
    VALUES (OLD.order_id, 'delete', OLD.code);

INSERT INTO orders (prefix, seq, qty, price) VALUES
  ('0', 1, 2, 10.50),
  ('0', 0, 0, 99.99),
  ('1', 7, 3, 1.25);

UPDATE orders SET status = 'filled' WHERE order_id IN (1, 3);
DELETE FROM orders WHERE order_id = 2;
