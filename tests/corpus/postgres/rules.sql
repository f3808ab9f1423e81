-- Corpus: rewrite rules.
-- Exercises: CREATE RULE ... DO ALSO with several actions in parentheses
-- separated by ';' (the last one without ';'), DO INSTEAD NOTHING with a
-- WHERE condition, rules that make a view insertable, updatable and
-- deletable (DO INSTEAD with NEW/OLD), CREATE OR REPLACE RULE, and DML
-- afterwards so that every rule fires and its effects show in the rows.

CREATE TABLE balance (
  account text PRIMARY KEY,
  amount numeric NOT NULL DEFAULT 0
);

CREATE TABLE balance_log (
  log_id serial PRIMARY KEY,
  account text NOT NULL,
  action text NOT NULL,
  old_amount numeric,
  new_amount numeric
);

CREATE TABLE balance_counter (
  action text PRIMARY KEY,
  n integer NOT NULL DEFAULT 0
);

INSERT INTO balance_counter (action) VALUES ('insert'), ('update');

CREATE RULE balance_insert_log AS ON INSERT TO balance
  DO ALSO (
    INSERT INTO balance_log (account, action, new_amount) VALUES (NEW.account, 'insert', NEW.amount);
    UPDATE balance_counter SET n = n + 1 WHERE action = 'insert'
  );

CREATE RULE balance_update_log AS ON UPDATE TO balance
  WHERE OLD.amount IS DISTINCT FROM NEW.amount
  DO ALSO (
    INSERT INTO balance_log (account, action, old_amount, new_amount)
      VALUES (OLD.account, 'update', OLD.amount, NEW.amount);
    UPDATE balance_counter SET n = n + 1 WHERE action = 'update';
  );

CREATE RULE balance_no_delete_system AS ON DELETE TO balance
  WHERE OLD.account LIKE 'system:%'
  DO INSTEAD NOTHING;

CREATE VIEW positive_balance AS
  SELECT account, amount FROM balance WHERE amount > 0;

CREATE RULE positive_balance_insert AS ON INSERT TO positive_balance
  DO INSTEAD INSERT INTO balance (account, amount) VALUES (NEW.account, abs(NEW.amount));

CREATE RULE positive_balance_update AS ON UPDATE TO positive_balance
  DO INSTEAD UPDATE balance SET amount = NEW.amount WHERE account = OLD.account;

CREATE RULE positive_balance_delete AS ON DELETE TO positive_balance
  DO INSTEAD UPDATE balance SET amount = 0 WHERE account = OLD.account;

CREATE OR REPLACE RULE positive_balance_delete AS ON DELETE TO positive_balance
  DO INSTEAD (
    INSERT INTO balance_log (account, action, old_amount) VALUES (OLD.account, 'zeroed', OLD.amount);
    UPDATE balance SET amount = 0 WHERE account = OLD.account
  );

INSERT INTO balance VALUES ('alice', 10), ('system:fees', 0);
INSERT INTO positive_balance VALUES ('bob', -5);
UPDATE balance SET amount = amount + 1 WHERE account = 'alice';
UPDATE balance SET amount = amount WHERE account = 'bob';
UPDATE positive_balance SET amount = 7 WHERE account = 'bob';
DELETE FROM balance WHERE account = 'system:fees';
DELETE FROM positive_balance WHERE account = 'alice';
