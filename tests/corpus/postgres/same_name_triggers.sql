-- Corpus: triggers, several of them sharing one name on different tables.
-- Exercises: a trigger named set_version on three tables (names are per
-- table in PostgreSQL), one trigger function shared by them with TG_NAME
-- and TG_TABLE_NAME, BEFORE/AFTER row triggers with WHEN conditions,
-- UPDATE OF a column list, statement-level AFTER triggers with transition
-- tables (REFERENCING NEW TABLE AS), a TRUNCATE trigger, a DEFERRABLE
-- constraint trigger (INITIALLY IMMEDIATE, so it runs at the end of each
-- statement whether or not the file runs in one transaction), an INSTEAD
-- OF trigger on a view, ALTER TRIGGER ... RENAME, ALTER TABLE ... DISABLE
-- TRIGGER, and DML that fires them, so the audit rows show the order they
-- ran in.

CREATE TABLE audit (
  audit_id serial PRIMARY KEY,
  trigger_name text NOT NULL,
  table_name text NOT NULL,
  op text NOT NULL,
  detail text
);

CREATE FUNCTION set_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := coalesce(OLD.version, 0) + 1;
  INSERT INTO audit (trigger_name, table_name, op, detail)
    VALUES (TG_NAME, TG_TABLE_NAME, TG_OP, 'v' || NEW.version);
  RETURN NEW;
END $$;

CREATE FUNCTION log_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  SELECT count(*) INTO n FROM new_rows;
  INSERT INTO audit (trigger_name, table_name, op, detail)
    VALUES (TG_NAME, TG_TABLE_NAME, TG_OP, n || ' row(s); level ' || TG_LEVEL);
  RETURN NULL;
END $$;

CREATE FUNCTION log_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit (trigger_name, table_name, op, detail)
    VALUES (TG_NAME, TG_TABLE_NAME, TG_OP, TG_WHEN || ' ' || TG_LEVEL || coalesce(' ' || TG_ARGV[0], ''));
  RETURN NULL;
END $$;

CREATE TABLE account (
  account_id integer PRIMARY KEY,
  name text NOT NULL,
  tier text NOT NULL DEFAULT 'basic',
  version integer NOT NULL DEFAULT 0
);

CREATE TABLE api_token (
  token_id integer PRIMARY KEY,
  account_id integer NOT NULL REFERENCES account,
  scope text NOT NULL,
  version integer NOT NULL DEFAULT 0
);

CREATE TABLE alert_rule (
  rule_id integer PRIMARY KEY,
  expression text NOT NULL,
  version integer NOT NULL DEFAULT 0
);

CREATE TRIGGER set_version BEFORE INSERT OR UPDATE ON account
  FOR EACH ROW EXECUTE FUNCTION set_version();
CREATE TRIGGER set_version BEFORE INSERT OR UPDATE OF scope ON api_token
  FOR EACH ROW EXECUTE FUNCTION set_version();
CREATE TRIGGER set_version BEFORE UPDATE ON alert_rule
  FOR EACH ROW WHEN (OLD.expression IS DISTINCT FROM NEW.expression)
  EXECUTE FUNCTION set_version();

CREATE TRIGGER new_rows AFTER INSERT ON account
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_rows();
CREATE TRIGGER new_rows AFTER INSERT ON api_token
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION log_rows();

CREATE TRIGGER tier_change AFTER UPDATE OF tier ON account
  FOR EACH ROW WHEN (OLD.tier <> NEW.tier) EXECUTE FUNCTION log_event('tier; changed');

CREATE TRIGGER wipe AFTER TRUNCATE ON alert_rule
  FOR EACH STATEMENT EXECUTE FUNCTION log_event();

CREATE CONSTRAINT TRIGGER token_check AFTER INSERT ON api_token
  DEFERRABLE INITIALLY IMMEDIATE
  FOR EACH ROW EXECUTE FUNCTION log_event('deferred');

CREATE TRIGGER old_name AFTER DELETE ON api_token
  FOR EACH ROW EXECUTE FUNCTION log_event();
ALTER TRIGGER old_name ON api_token RENAME TO token_deleted;

CREATE TRIGGER never_runs AFTER INSERT ON alert_rule
  FOR EACH ROW EXECUTE FUNCTION log_event();
ALTER TABLE alert_rule DISABLE TRIGGER never_runs;

CREATE VIEW account_tokens AS
  SELECT a.account_id, a.name, t.token_id, t.scope
    FROM account a JOIN api_token t USING (account_id);

CREATE FUNCTION account_tokens_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account (account_id, name) VALUES (NEW.account_id, NEW.name)
    ON CONFLICT (account_id) DO NOTHING;
  INSERT INTO api_token (token_id, account_id, scope) VALUES (NEW.token_id, NEW.account_id, NEW.scope);
  RETURN NEW;
END $$;

CREATE TRIGGER account_tokens_insert INSTEAD OF INSERT ON account_tokens
  FOR EACH ROW EXECUTE FUNCTION account_tokens_insert();

INSERT INTO account (account_id, name) VALUES (1, 'alice'), (2, 'bob');
INSERT INTO api_token (token_id, account_id, scope) VALUES (10, 1, 'read');
INSERT INTO account_tokens VALUES (3, 'carol', 11, 'trade');
UPDATE account SET tier = 'pro' WHERE account_id = 1;
UPDATE account SET name = 'bobby' WHERE account_id = 2;
UPDATE api_token SET scope = 'read,trade' WHERE token_id = 10;
UPDATE api_token SET account_id = 2 WHERE token_id = 11;
INSERT INTO alert_rule VALUES (1, 'price > 100000', 0);
UPDATE alert_rule SET expression = 'price > 100000' WHERE rule_id = 1;
UPDATE alert_rule SET expression = 'price > 120000' WHERE rule_id = 1;
DELETE FROM api_token WHERE token_id = 11;
TRUNCATE alert_rule;
