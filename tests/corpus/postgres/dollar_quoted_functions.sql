-- Corpus: functions and procedures with dollar-quoted bodies.
-- Exercises: $$, $body$, $fn$ and $_$ tags; a $$ ... $$ string nested
-- inside a $fn$ body; ';', quotes, '--' and '/*' inside bodies; $1-style
-- parameters next to dollar quotes; an old-style body in single quotes
-- with doubled quotes; E'...' strings with \' inside; RAISE with '%'
-- placeholders; EXECUTE format('%I', ...) of dynamic DDL; OUT parameters,
-- RETURNS TABLE, SETOF, overloads, VARIADIC, DEFAULT arguments; a
-- procedures run by CALL; and INSERTs that call the
-- functions so the rows show what they compute.

CREATE TABLE ledger (
  entry_id bigserial PRIMARY KEY,
  account text NOT NULL,
  amount numeric(20, 8) NOT NULL,
  memo text
);

CREATE FUNCTION sign_label(n numeric) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF n > 0 THEN
    RETURN 'credit';
  ELSIF n < 0 THEN
    RETURN 'debit';   -- a comment; with a semicolon
  END IF;
  RETURN 'zero';
END;
$$;

CREATE FUNCTION quote_memo(memo text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
  template text := $$'%s' /* kept */ -- also kept; $$;
BEGIN
  RETURN format(template, replace(memo, '''', ''''''));
END
$fn$;

CREATE FUNCTION add_amounts(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT AS $_$SELECT $1 + $2$_$;

CREATE FUNCTION add_amounts(VARIADIC xs numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $body$
  SELECT coalesce(sum(x), 0) FROM unnest(xs) AS x;
$body$;

CREATE FUNCTION old_style(s text, sep text DEFAULT ';') RETURNS text
LANGUAGE sql IMMUTABLE AS 'SELECT $1 || $2 || ''it''''s'' || E''\\''';

CREATE FUNCTION escaped_memo() RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT E'line one\nline ''two''; \'three\'' $$;

CREATE FUNCTION account_balance(p_account text, OUT balance numeric, OUT entries bigint)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(amount), 0), count(*) FROM ledger WHERE account = p_account;
$$;

CREATE FUNCTION accounts_over(p_min numeric DEFAULT 0)
RETURNS TABLE (account text, total numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
    SELECT l.account, sum(l.amount)
      FROM ledger l
     GROUP BY l.account
    HAVING sum(l.amount) > p_min
     ORDER BY 1;
END;
$$;

CREATE FUNCTION memos() RETURNS SETOF text
LANGUAGE sql STABLE ROWS 10 AS $$ SELECT memo FROM ledger WHERE memo IS NOT NULL $$;

CREATE PROCEDURE post_entry(p_account text, p_amount numeric, p_memo text DEFAULT NULL)
LANGUAGE plpgsql AS $proc$
DECLARE
  v_memo text;
BEGIN
  v_memo := coalesce(p_memo, sign_label(p_amount) || ': ' || p_account);
  IF p_amount = 0 THEN
    RAISE EXCEPTION 'zero entry for % (memo %); refused', p_account, v_memo
      USING HINT = 'post a non-zero amount; see $$ docs';
  END IF;
  INSERT INTO ledger (account, amount, memo) VALUES (p_account, p_amount, v_memo);
  RAISE NOTICE 'posted % to %', p_amount, p_account;
END;
$proc$;

CREATE PROCEDURE make_archive(p_suffix text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE %I (LIKE ledger INCLUDING ALL)', 'ledger_' || p_suffix);
  EXECUTE format('COMMENT ON TABLE %I IS %L', 'ledger_' || p_suffix, 'archive; ' || p_suffix);
END;
$$;

CALL post_entry('alice', 100.5);
CALL post_entry('bob', -20, 'fee for bob''s withdrawal; $$ included');
CALL post_entry('alice', add_amounts(1, 2, 3.5));
CALL make_archive('2023');

CREATE TABLE computed (
  label text PRIMARY KEY,
  value text
);

INSERT INTO computed VALUES
  ('sign', sign_label(-3)),
  ('quoted', quote_memo('it''s; fine')),
  ('add2', add_amounts(1.5, 2)::text),
  ('old_style', old_style('a')),
  ('escaped', escaped_memo()),
  ('balance', (SELECT (b.balance, b.entries)::text FROM account_balance('alice') b)),
  ('over', (SELECT string_agg(account || '=' || total, ', ') FROM accounts_over(50))),
  ('memos', (SELECT string_agg(m, ' | ' ORDER BY m) FROM memos() m));
