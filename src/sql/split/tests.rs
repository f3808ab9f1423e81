//! Unit tests of the splitter; long because it holds one case per rule of
//! the native clients it follows, with exact lines and texts.

use super::*;

/// Asserts the exact `(line, text)` of every statement.
fn check(sql: &str, expected: &[(usize, &str)]) {
    check_in(Flavor::Mysql, sql, expected);
}

fn check_in(flavor: Flavor, sql: &str, expected: &[(usize, &str)]) {
    let got = split_statements(sql, flavor).unwrap();
    let got: Vec<(usize, &str)> = got.iter().map(|s| (s.line, s.text.as_str())).collect();
    assert_eq!(got, expected, "splitting {sql:?}");
}

#[test]
fn splits_on_semicolons_and_keeps_last_statement_without_one() {
    check(
        "CREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);  INSERT INTO a VALUES (2)\n",
        &[
            (1, "CREATE TABLE a (id INT)"),
            (2, "INSERT INTO a VALUES (1)"),
            (2, "INSERT INTO a VALUES (2)"),
        ],
    );
}

#[test]
fn empty_and_comment_only_statements_are_dropped() {
    check("", &[]);
    check(" \n\t", &[]);
    check(";; -- nothing\n ; /* still nothing */ ;\n# bye", &[]);
    check(
        "SELECT 1;;\n;SELECT 2;",
        &[(1, "SELECT 1"), (2, "SELECT 2")],
    );
}

#[test]
fn quotes_hide_semicolons_and_comment_markers() {
    check(
        "INSERT INTO notes VALUES ('a;b', 'c -- d', '/* e', \"f;g\", `h;i`, 'j # k');\nSELECT 2;",
        &[
            (
                1,
                "INSERT INTO notes VALUES ('a;b', 'c -- d', '/* e', \"f;g\", `h;i`, 'j # k')",
            ),
            (2, "SELECT 2"),
        ],
    );
}

#[test]
fn doubled_and_backslash_escaped_quotes_do_not_end_strings() {
    check(
        "INSERT INTO t VALUES ('it''s; ok', 'it\\'s; ok', \"a\"\";b\");\nSELECT `we``ird;` FROM t;",
        &[
            (
                1,
                "INSERT INTO t VALUES ('it''s; ok', 'it\\'s; ok', \"a\"\";b\")",
            ),
            (2, "SELECT `we``ird;` FROM t"),
        ],
    );
    // An escaped backslash does not escape the closing quote.
    check(
        "INSERT INTO paths VALUES ('C:\\\\');SELECT 1;",
        &[(1, "INSERT INTO paths VALUES ('C:\\\\')"), (1, "SELECT 1")],
    );
}

#[test]
fn comments_hide_semicolons() {
    check(
        "-- first; not a statement\nSELECT 1; /* ; */ SELECT 2;\n# MySQL; comment\nSELECT 3;",
        &[(2, "SELECT 1"), (2, "SELECT 2"), (4, "SELECT 3")],
    );
}

#[test]
fn comments_inside_a_statement_stay_and_trailing_ones_go() {
    let sql =
        "SELECT a, -- the key; really\n  b /* ; */ FROM t -- done\n;\nSELECT 2 /* trailing */";
    check_in(
        Flavor::Postgres,
        sql,
        &[
            (1, "SELECT a, -- the key; really\n  b /* ; */ FROM t"),
            (4, "SELECT 2"),
        ],
    );
    // The mariadb client removes comments before sending, and stored
    // routine bodies keep what it sent.
    check(sql, &[(1, "SELECT a, \n  b  FROM t"), (4, "SELECT 2")]);
}

#[test]
fn line_numbers_skip_leading_comments_and_blank_lines() {
    let sql = "/* Migration 0007\n * adds trades;\n * and candles\n */\n\nCREATE TABLE trades (id BIGINT);\n\n-- candles; hourly\n-- more\nCREATE TABLE candles (\n  id BIGINT\n);\n";
    check(
        sql,
        &[
            (6, "CREATE TABLE trades (id BIGINT)"),
            (10, "CREATE TABLE candles (\n  id BIGINT\n)"),
        ],
    );
}

#[test]
fn crlf_input() {
    check(
        "CREATE TABLE a (\r\n  id INT\r\n);\r\n-- gone;\r\nDROP TABLE b;\r\n\r\nSELECT 'x\r\ny'\r\n",
        &[
            (1, "CREATE TABLE a (\r\n  id INT\r\n)"),
            (5, "DROP TABLE b"),
            (7, "SELECT 'x\r\ny'"),
        ],
    );
}

#[test]
fn mysql_trigger_with_if_end_if() {
    let trigger = "\
CREATE TRIGGER trades_bi BEFORE INSERT ON trades FOR EACH ROW
BEGIN
  IF NEW.price IS NULL THEN
SET NEW.price = 0;
  ELSEIF NEW.price < 0 THEN
SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative; price';
  END IF;
END";
    check(
        &format!("{trigger};\nINSERT INTO trades (price) VALUES (1);\n"),
        &[(1, trigger), (9, "INSERT INTO trades (price) VALUES (1)")],
    );
}

#[test]
fn mysql_procedure_with_loops_and_case_statements() {
    let body = "\
CREATE DEFINER=`root`@`localhost` PROCEDURE backfill(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  WHILE i < n DO SET i = i + 1; END WHILE;
  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;
  l: LOOP LEAVE l; END LOOP l;
  CASE n WHEN 0 THEN SELECT 'none'; ELSE SELECT 'some'; END CASE;
  SELECT CASE WHEN n > 1 THEN 'many' END AS size;
  BEGIN SELECT 1; END;
END";
    check(
        &format!("{body};\nCALL backfill(3);"),
        &[(1, body), (11, "CALL backfill(3)")],
    );
}

#[test]
fn mysql_trigger_without_body_block_ends_at_semicolon() {
    check(
        "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;\nSELECT 1;",
        &[
            (
                1,
                "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
            ),
            (2, "SELECT 1"),
        ],
    );
}

#[test]
fn sqlite_trigger_with_case_end() {
    let trigger = "\
CREATE TRIGGER IF NOT EXISTS candles_au AFTER UPDATE ON candles
BEGIN
  UPDATE candles SET color = CASE WHEN NEW.close >= NEW.open THEN 'green' ELSE 'red' END
  WHERE id = NEW.id;
  INSERT INTO audit (msg) VALUES ('updated; ok');
END";
    check(
        &format!("-- triggers\n{trigger};\nDROP TABLE old_candles;\n"),
        &[(2, trigger), (8, "DROP TABLE old_candles")],
    );
}

#[test]
fn postgres_functions_with_dollar_quotes() {
    let plain = "\
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql";
    let tagged = "\
CREATE FUNCTION purge(days int) RETURNS void AS $fn$
BEGIN
  EXECUTE $$DELETE FROM trades WHERE ts < now() - interval '1 day' * $1;$$ USING days;
END;
$fn$ LANGUAGE plpgsql";
    let trigger =
        "CREATE TRIGGER trades_touch BEFORE UPDATE ON trades FOR EACH ROW EXECUTE FUNCTION touch()";
    check_in(
        Flavor::Postgres,
        &format!("{plain};\n\n{tagged};\n{trigger};\n"),
        &[(1, plain), (8, tagged), (13, trigger)],
    );
}

#[test]
fn dollar_digit_is_a_parameter_not_a_quote() {
    check(
        "PREPARE q AS SELECT $1, a$b$ FROM t WHERE x = $2;SELECT 2;",
        &[
            (1, "PREPARE q AS SELECT $1, a$b$ FROM t WHERE x = $2"),
            (1, "SELECT 2"),
        ],
    );
    // A lone `$` opens nothing.
    check(
        "SELECT '$' || $ ;SELECT 2",
        &[(1, "SELECT '$' || $"), (1, "SELECT 2")],
    );
}

#[test]
fn begin_outside_routines_is_a_normal_word() {
    check(
        "BEGIN;\nUPDATE t SET begin_date = NULL, end_date = NULL;\nEND;\nBEGIN TRANSACTION; COMMIT;",
        &[
            (1, "BEGIN"),
            (2, "UPDATE t SET begin_date = NULL, end_date = NULL"),
            (3, "END"),
            (4, "BEGIN TRANSACTION"),
            (4, "COMMIT"),
        ],
    );
}

#[test]
fn routine_keywords_count_only_as_whole_words_outside_quotes() {
    // Neither 'trigger' nor trigger_kind makes this a routine, so the
    // BEGIN column does not open a block.
    check(
        "CREATE TABLE spans (kind text DEFAULT 'trigger', trigger_kind text, begin int);\nINSERT INTO spans VALUES ('a', 'b', 1);",
        &[
            (
                1,
                "CREATE TABLE spans (kind text DEFAULT 'trigger', trigger_kind text, begin int)",
            ),
            (2, "INSERT INTO spans VALUES ('a', 'b', 1)"),
        ],
    );
    // Nor does a routine keyword after the first BEGIN.
    check(
        "CREATE TABLE spans (begin int, function text);SELECT 1;",
        &[
            (1, "CREATE TABLE spans (begin int, function text)"),
            (1, "SELECT 1"),
        ],
    );
    // Inside a routine, begin_at/end_at are not BEGIN/END.
    check(
        "CREATE TRIGGER s_ai AFTER INSERT ON s BEGIN UPDATE s SET end_at = begin_at; END;SELECT 1;",
        &[
            (
                1,
                "CREATE TRIGGER s_ai AFTER INSERT ON s BEGIN UPDATE s SET end_at = begin_at; END",
            ),
            (1, "SELECT 1"),
        ],
    );
}

#[test]
fn mysql_executable_comments_are_statements() {
    check(
        "/*!40101 SET NAMES utf8mb4 */;\n/* plain */;\nSELECT 1;",
        &[(1, "/*!40101 SET NAMES utf8mb4 */"), (3, "SELECT 1")],
    );
}

#[test]
fn postgres_json_operators_are_not_comments() {
    check_in(
        Flavor::Postgres,
        "SELECT data #>> '{a,b}', data #> '{c}' FROM t;\nSELECT 2;",
        &[
            (1, "SELECT data #>> '{a,b}', data #> '{c}' FROM t"),
            (2, "SELECT 2"),
        ],
    );
}

#[test]
fn unterminated_quotes_and_comments_are_refused_with_their_line() {
    let cases: [(Flavor, &str, usize, &str); 8] = [
        (
            Flavor::Mysql,
            "SELECT 1;\nSELECT 'abc; SELECT 2",
            2,
            "unterminated string",
        ),
        (
            Flavor::Mysql,
            "SELECT 1;\n\nSELECT 1 /* open; SELECT 2",
            3,
            "unterminated block comment",
        ),
        (
            Flavor::Postgres,
            "SELECT $x$ open; SELECT 2",
            1,
            "unterminated dollar-quoted",
        ),
        (Flavor::Mysql, "SELECT '\\", 1, "unterminated string"),
        (Flavor::Mysql, "SELECT `a;\n", 1, "unterminated quoted name"),
        (
            Flavor::Sqlite,
            "SELECT [a;\n",
            1,
            "unterminated quoted name `[`",
        ),
        // Closed for MySQL, still open for PostgreSQL, whose comments nest.
        (
            Flavor::Postgres,
            "/* a /* b */ SELECT 1;",
            1,
            "unterminated block comment",
        ),
        (
            Flavor::Postgres,
            "SELECT 1;\nSELECT E'it\\'s",
            2,
            "unterminated string `E'`",
        ),
    ];
    for (flavor, sql, line, what) in cases {
        let err = split_statements(sql, flavor).unwrap_err();
        assert_eq!(err.line, line, "{sql:?}");
        assert!(err.problem.contains(what), "{sql:?}: {}", err.problem);
    }
    check("/* a /* b */ SELECT 1;", &[(1, "SELECT 1")]);
}

#[test]
fn nul_bytes_are_refused_with_their_line() {
    for flavor in [Flavor::Mysql, Flavor::Postgres, Flavor::Sqlite] {
        let err = split_statements("SELECT 1;\nSELECT '\0';", flavor).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.problem.contains("NUL"), "{}", err.problem);
    }
}

#[test]
fn postgres_block_comments_nest() {
    check_in(
        Flavor::Postgres,
        "/* outer /* inner; */ still comment; */ SELECT 1; SELECT /* a /* b */ c */ 2;",
        &[(1, "SELECT 1"), (1, "SELECT /* a /* b */ c */ 2")],
    );
}

#[test]
fn mysql_delimiter_command() {
    let sql = "\
CREATE TABLE t (id INT);
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN
  SET NEW.id = NEW.id + 1;
END */;;
DELIMITER ;
delimiter $$
CREATE PROCEDURE p() BEGIN SELECT 'a;;b$'; SELECT 2; END$$
  DELIMITER //   trailing words are ignored
CREATE FUNCTION f() RETURNS INT RETURN 1//
SELECT 1 // SELECT 2//
DELIMITER ;
SELECT 3;";
    check(
        sql,
        &[
            (1, "CREATE TABLE t (id INT)"),
            (
                3,
                "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.id = NEW.id + 1;\nEND */",
            ),
            (
                8,
                "CREATE PROCEDURE p() BEGIN SELECT 'a;;b$'; SELECT 2; END",
            ),
            (10, "CREATE FUNCTION f() RETURNS INT RETURN 1"),
            (11, "SELECT 1"),
            (11, "SELECT 2"),
            (13, "SELECT 3"),
        ],
    );
    // Quoted delimiters, and one that is a word.
    check(
        "DELIMITER 'MySQL'\nSELECT 1MySQL\ndelimiter delimiter\nSELECT 2delimiter\n",
        &[(2, "SELECT 1"), (4, "SELECT 2")],
    );
    // Only first on its line and between statements: elsewhere it is a
    // name, as the client treats it.
    check(
        "SELECT a,\ndelimiter FROM t;\nSELECT 1; DELIMITER x",
        &[
            (1, "SELECT a,\ndelimiter FROM t"),
            (3, "SELECT 1"),
            (3, "DELIMITER x"),
        ],
    );
    for (sql, what) in [
        (
            "SELECT 1;\nDELIMITER\nSELECT 2;",
            "must be followed by a delimiter",
        ),
        ("DELIMITER \\\\\nSELECT 2;", "backslash"),
    ] {
        let err = split_statements(sql, Flavor::Mysql).unwrap_err();
        assert!(err.problem.contains(what), "{sql:?}: {}", err.problem);
    }
}

#[test]
fn mysql_double_dash_needs_a_space() {
    check(
        "SELECT 8--1;\nSELECT 1 -- c;\n;",
        &[(1, "SELECT 8--1"), (2, "SELECT 1")],
    );
    // `#` is a comment to MySQL whatever follows it, `;` included.
    check(
        "SELECT data #> 'x';\nSELECT 2;",
        &[(1, "SELECT data \nSELECT 2")],
    );
}

#[test]
fn client_commands_are_refused() {
    for (flavor, sql, what) in [
        (
            Flavor::Mysql,
            "SELECT 1\\g\nSELECT 2;",
            "command of the mariadb client",
        ),
        (
            Flavor::Mysql,
            "\\. other.sql\n",
            "command of the mariadb client",
        ),
        (
            Flavor::Postgres,
            "SELECT 1;\n\\connect other\n",
            "psql meta-command",
        ),
        (
            Flavor::Sqlite,
            ".mode csv\nSELECT 1;",
            "sqlite3 shell command",
        ),
        (
            Flavor::Postgres,
            "COPY t (a) FROM stdin;\n1\n\\.\n",
            "COPY ... FROM stdin",
        ),
    ] {
        let err = split_statements(sql, flavor).unwrap_err();
        assert!(err.problem.contains(what), "{sql:?}: {}", err.problem);
    }
    // MySQL's \N is NULL, not a command; pg_dump's \restrict lines guard
    // psql and are passed over.
    check("SELECT \\N;", &[(1, "SELECT \\N")]);
    check_in(
        Flavor::Postgres,
        "\\restrict abc\nSELECT 1;\n\\unrestrict abc\n",
        &[(2, "SELECT 1")],
    );
}

#[test]
fn psql_keeps_parentheses_and_begin_atomic_whole() {
    let rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))";
    let atomic = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND";
    check_in(
        Flavor::Postgres,
        &format!("{rule};\n{atomic};\nSELECT 3;"),
        &[(1, rule), (2, atomic), (7, "SELECT 3")],
    );
    // Backticks quote nothing in PostgreSQL.
    check_in(
        Flavor::Postgres,
        "SELECT 1 `; SELECT 2",
        &[(1, "SELECT 1 `"), (1, "SELECT 2")],
    );
}

#[test]
fn byte_order_mark_and_non_ascii_text() {
    check(
        "\u{feff}CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN SELECT 'é;'; END;\nSELECT 'ß' AS größe;",
        &[
            (
                1,
                "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN SELECT 'é;'; END",
            ),
            (2, "SELECT 'ß' AS größe"),
        ],
    );
}

#[test]
fn standard_flavor_has_no_hash_comments_or_backslash_escapes() {
    // PostgreSQL: `#` is XOR and '\' is a one-character string.
    let sql = "SELECT 5 # 3; SELECT 'C:\\dir\\'; SELECT E'it\\'s; here';\nSELECT 2";
    let got: Vec<String> = split_statements(sql, Flavor::Postgres)
        .unwrap()
        .into_iter()
        .map(|s| s.text)
        .collect();
    assert_eq!(
        got,
        [
            "SELECT 5 # 3",
            "SELECT 'C:\\dir\\'",
            "SELECT E'it\\'s; here'",
            "SELECT 2"
        ]
    );
    // The same text read with MySQL's rules: `#` hides the rest of the line.
    let mysql = split_statements("SELECT 5 # 3; SELECT 1\nSELECT 2;", Flavor::Mysql).unwrap();
    assert_eq!(mysql.len(), 1);
}
