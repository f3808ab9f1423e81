//! Unit tests of the patterns; long because it holds one case per spelling
//! each database takes.

use super::*;
use crate::sql::split_statements;

/// A name as `raw` spells it, read with every quote mark SQLite knows.
fn n(raw: &str) -> ObjectName {
    parse_name(raw, Flavor::Sqlite).unwrap_or_else(|| panic!("not a name: {raw}"))
}

fn i(raw: &str) -> Ident {
    let name = n(raw);
    assert_eq!(name.parts.len(), 1, "{raw}");
    name.object().clone()
}

fn drop_table(table: &str) -> Effect {
    Effect::DropTable { table: n(table) }
}

fn drop_column(table: &str, column: &str) -> Effect {
    Effect::DropColumn {
        table: n(table),
        column: i(column),
    }
}

fn rename_table(from: &str, to: &str) -> Effect {
    Effect::RenameTable {
        from: n(from),
        to: n(to),
    }
}

fn rename_column(table: &str, from: &str, to: &str) -> Effect {
    Effect::RenameColumn {
        table: n(table),
        from: i(from),
        to: i(to),
    }
}

fn truncate(table: &str) -> Effect {
    Effect::TruncateTable { table: n(table) }
}

fn drop_view(view: &str) -> Effect {
    Effect::DropView { view: n(view) }
}

fn not_analysed(why: Opaque) -> Effect {
    Effect::NotAnalysed { why }
}

fn check(stmt: &str, expected: &[Effect]) {
    check_in(Flavor::Mysql, stmt, expected);
}

fn check_in(flavor: Flavor, stmt: &str, expected: &[Effect]) {
    assert_eq!(
        statement_effects(stmt, flavor),
        expected,
        "effects of {stmt:?} in {flavor:?}"
    );
}

#[test]
fn names_keep_their_spelling_quoting_and_qualifier() {
    let name = n("\"public\".\"Trades\"");
    assert_eq!(name.qualifier().len(), 1);
    assert_eq!(name.qualifier()[0].text, "public");
    assert_eq!(
        name.object(),
        &Ident {
            raw: "\"Trades\"".into(),
            text: "Trades".into(),
            quoted: true
        }
    );
    assert_eq!(name.to_string(), "\"public\".\"Trades\"");
    let bare = i("OHLC_DATA");
    assert_eq!((bare.text.as_str(), bare.quoted), ("OHLC_DATA", false));
    assert_eq!(i("\"we\"\"ird\"").text, "we\"ird");
    assert_eq!(i("`we``ird`").text, "we`ird");
    assert_eq!(i("[a b;c]").text, "a b;c");
    assert_eq!(i("'x''y'").text, "x'y");
}

#[test]
fn postgres_unicode_escaped_names() {
    let pg = |raw: &str| parse_name(raw, Flavor::Postgres).map(|n| n.object().clone());
    let data = pg("U&\"D\\0061t\\+000061\"").unwrap();
    assert_eq!((data.text.as_str(), data.quoted), ("Data", true));
    assert_eq!(data.raw, "U&\"D\\0061t\\+000061\"");
    assert_eq!(pg("u&\"a!00e9\" UESCAPE '!'").unwrap().text, "aé");
    assert_eq!(pg("U&\"x\\\\y\"").unwrap().text, "x\\y");
    assert_eq!(pg("U&\"bad\\00\""), None);
    // With a space it is a column U, then an operator.
    assert_eq!(pg("U &\"x\""), None);
    check_in(
        Flavor::Postgres,
        "DROP TABLE public.U&\"ohlc\\005fdata\"",
        &[Effect::DropTable {
            table: ObjectName {
                parts: vec![
                    i("public"),
                    Ident {
                        raw: "U&\"ohlc\\005fdata\"".into(),
                        text: "ohlc_data".into(),
                        quoted: true,
                    },
                ],
            },
        }],
    );
}

#[test]
fn parse_name_takes_one_name_or_nothing() {
    assert_eq!(
        parse_name("price_data_real", Flavor::Postgres),
        Some(n("price_data_real"))
    );
    assert_eq!(parse_name(" s . t ", Flavor::Postgres), Some(n("s.t")));
    assert_eq!(parse_name("a b", Flavor::Postgres), None);
    assert_eq!(parse_name("s.", Flavor::Postgres), None);
    assert_eq!(parse_name("", Flavor::Postgres), None);
    assert_eq!(parse_name("\"\"", Flavor::Postgres), None);
    assert_eq!(parse_name("\"unterminated", Flavor::Postgres), None);
    // Quote marks a dialect does not use for names are not names there.
    assert_eq!(parse_name("`t`", Flavor::Postgres), None);
    assert_eq!(parse_name("[t]", Flavor::Mysql), None);
    assert_eq!(parse_name("'t'", Flavor::Mysql), None);
    assert_eq!(parse_name("'t'", Flavor::Sqlite), Some(n("'t'")));
}

#[test]
fn drop_table_statement() {
    check("DROP TABLE trades", &[drop_table("trades")]);
    check("drop table if exists `trades`;", &[drop_table("`trades`")]);
    check(
        "DROP TABLE IF EXISTS \"public\".\"trades\", candles CASCADE",
        &[drop_table("\"public\".\"trades\""), drop_table("candles")],
    );
    check(
        "DROP TABLE `market`.`Trades`, `market`.candles RESTRICT",
        &[
            drop_table("`market`.`Trades`"),
            drop_table("`market`.candles"),
        ],
    );
    check("DROP TABLE \"we\"\"ird\"", &[drop_table("\"we\"\"ird\"")]);
    check("DROP TABLE `we``ird`", &[drop_table("`we``ird`")]);
    check("DROP TABLE OHLC_DATA", &[drop_table("OHLC_DATA")]);
}

#[test]
fn sqlite_quotes_names_four_ways() {
    check_in(
        Flavor::Sqlite,
        "DROP TABLE [OHLC DATA], main.[x;y], 'quoted', `tick`, \"dq\"",
        &[
            drop_table("[OHLC DATA]"),
            drop_table("main.[x;y]"),
            drop_table("'quoted'"),
            drop_table("`tick`"),
            drop_table("\"dq\""),
        ],
    );
    check_in(
        Flavor::Sqlite,
        "ALTER TABLE [price data] DROP COLUMN [Market Cap]",
        &[drop_column("[price data]", "[Market Cap]")],
    );
    // Brackets are no quotes elsewhere, and single quotes make strings.
    check_in(Flavor::Postgres, "DROP TABLE [t]", &[]);
    check_in(Flavor::Postgres, "DROP TABLE 't'", &[]);
    check_in(Flavor::Postgres, "DROP TABLE `t`", &[]);
}

#[test]
fn drop_schema_and_database_statements() {
    let schema = |raw: &str| Effect::DropSchema { schema: i(raw) };
    check_in(
        Flavor::Postgres,
        "DROP SCHEMA IF EXISTS staging, \"Archive\" CASCADE",
        &[schema("staging"), schema("\"Archive\"")],
    );
    check(
        "DROP DATABASE `crypto_archive`",
        &[schema("`crypto_archive`")],
    );
    check("drop schema if exists archive", &[schema("archive")]);
    check_in(Flavor::Postgres, "DROP DATABASE archive", &[]);
    check_in(Flavor::Sqlite, "DROP SCHEMA archive", &[]);
}

#[test]
fn mysql_runs_executable_comments_and_drop_tables() {
    check("/*!40000 DROP TABLE a2 */", &[drop_table("a2")]);
    check("/*M!100000 DROP TABLE `a3` */", &[drop_table("`a3`")]);
    check("/*!DROP TABLE a4*/", &[drop_table("a4")]);
    check("/*!40101 SET NAMES utf8mb4 */", &[]);
    check("DROP TABLES a1, a2", &[drop_table("a1"), drop_table("a2")]);
    check_in(Flavor::Postgres, "/*!40000 DROP TABLE a2 */", &[]);
    check_in(Flavor::Postgres, "DROP TABLES a1", &[]);
}

#[test]
fn drop_view_statement() {
    check("DROP VIEW daily", &[drop_view("daily")]);
    check(
        "DROP VIEW IF EXISTS reporting.daily, `weekly` CASCADE;",
        &[drop_view("reporting.daily"), drop_view("`weekly`")],
    );
    check(
        "DROP MATERIALIZED VIEW mv_candles",
        &[drop_view("mv_candles")],
    );
}

#[test]
fn truncate_statement() {
    check("TRUNCATE trades", &[truncate("trades")]);
    check(
        "truncate table `db`.`trades`;",
        &[truncate("`db`.`trades`")],
    );
    check(
        "TRUNCATE TABLE ONLY trades, public.candles * RESTART IDENTITY CASCADE",
        &[truncate("trades"), truncate("public.candles")],
    );
}

#[test]
fn alter_table_drop_column() {
    check(
        "ALTER TABLE trades DROP COLUMN fee",
        &[drop_column("trades", "fee")],
    );
    check(
        "alter table `trades` drop `fee`;",
        &[drop_column("`trades`", "`fee`")],
    );
    check(
        "ALTER TABLE IF EXISTS ONLY public.trades DROP COLUMN IF EXISTS \"fee\" CASCADE",
        &[drop_column("public.trades", "\"fee\"")],
    );
    // MariaDB allows IF EXISTS without COLUMN.
    check(
        "ALTER TABLE trades DROP IF EXISTS fee",
        &[drop_column("trades", "fee")],
    );
    check(
        "ALTER TABLE trades ADD COLUMN px DECIMAL(18, 8) NOT NULL DEFAULT 0, DROP COLUMN fee, \
         ADD CONSTRAINT pos CHECK (side IN ('buy', 'sell')), DROP taker",
        &[drop_column("trades", "fee"), drop_column("trades", "taker")],
    );
    check(
        "ALTER TABLE price_data_old DROP COLUMN MARKET_CAP",
        &[drop_column("price_data_old", "MARKET_CAP")],
    );
}

#[test]
fn alter_table_drops_that_are_not_columns() {
    for stmt in [
        "ALTER TABLE t DROP INDEX idx_ts",
        "ALTER TABLE t DROP KEY idx_ts",
        "ALTER TABLE t DROP PRIMARY KEY",
        "ALTER TABLE t DROP FOREIGN KEY fk_market",
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS fk_market",
        "ALTER TABLE t DROP CHECK chk_price",
        "ALTER TABLE t DROP PARTITION p2019",
        "ALTER TABLE t ALTER COLUMN price DROP DEFAULT",
        "ALTER TABLE t ALTER COLUMN price DROP NOT NULL",
        "ALTER TABLE t ALTER price DROP DEFAULT",
        "ALTER TABLE t DROP SYSTEM VERSIONING",
    ] {
        check(stmt, &[]);
    }
    check(
        "ALTER TABLE t DROP INDEX a, DROP COLUMN b, ALTER c DROP DEFAULT",
        &[drop_column("t", "b")],
    );
}

#[test]
fn alter_table_rename() {
    check(
        "ALTER TABLE trades RENAME COLUMN px TO price",
        &[rename_column("trades", "px", "price")],
    );
    check(
        "ALTER TABLE \"trades\" RENAME \"px\" TO \"price\"",
        &[rename_column("\"trades\"", "\"px\"", "\"price\"")],
    );
    check(
        "ALTER TABLE public.trades RENAME TO fills",
        &[rename_table("public.trades", "fills")],
    );
    check(
        "ALTER TABLE `trades` RENAME AS `fills`",
        &[rename_table("`trades`", "`fills`")],
    );
    check(
        "ALTER TABLE trades RENAME fills",
        &[rename_table("trades", "fills")],
    );
    check("ALTER TABLE trades RENAME INDEX a TO b", &[]);
    check("ALTER TABLE trades RENAME KEY a TO b", &[]);
    check("ALTER TABLE trades RENAME CONSTRAINT a TO b", &[]);
    check("ALTER TABLE trades RENAME COLUMN s.px TO price", &[]);
    check(
        "ALTER TABLE t RENAME COLUMN a TO b, RENAME INDEX i TO j, RENAME TO u",
        &[rename_column("t", "a", "b"), rename_table("t", "u")],
    );
}

#[test]
fn alter_table_change_column() {
    check(
        "ALTER TABLE trades CHANGE COLUMN px price DECIMAL(18, 8) NOT NULL",
        &[rename_column("trades", "px", "price")],
    );
    check(
        "ALTER TABLE trades CHANGE `px` `price` DECIMAL(18,8)",
        &[rename_column("trades", "`px`", "`price`")],
    );
    check("ALTER TABLE trades CHANGE px px BIGINT", &[]);
    check("ALTER TABLE trades CHANGE px PX BIGINT", &[]);
    check("ALTER TABLE trades CHANGE größe GRÖßE BIGINT", &[]);
    check(
        "ALTER TABLE t CHANGE a a INT, CHANGE b c INT, MODIFY d TEXT",
        &[rename_column("t", "b", "c")],
    );
}

#[test]
fn rename_table_statement() {
    check("RENAME TABLE a TO b", &[rename_table("a", "b")]);
    check(
        "rename table `db`.`a` to `db`.`b`, c TO d;",
        &[rename_table("`db`.`a`", "`db`.`b`"), rename_table("c", "d")],
    );
}

#[test]
fn comments_are_ignored() {
    check(
        "/* cleanup */ ALTER TABLE trades -- old fee\n DROP /* gone */ COLUMN fee # bye\n",
        &[drop_column("trades", "fee")],
    );
    check("-- DROP TABLE trades\nSELECT 1", &[]);
    check("/* DROP TABLE trades; */", &[]);
}

#[test]
fn dynamic_sql_calls_and_blocks_are_not_analysed() {
    let pg = Flavor::Postgres;
    check_in(
        pg,
        "DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'ohlc_data'); END $$",
        &[not_analysed(Opaque::DoBlock)],
    );
    check_in(
        pg,
        "do language plpgsql $body$ begin drop table t; end $body$",
        &[not_analysed(Opaque::DoBlock)],
    );
    check_in(
        pg,
        "CALL archive_old(30)",
        &[not_analysed(Opaque::ProcedureCall)],
    );
    check_in(pg, "EXECUTE purge(1)", &[not_analysed(Opaque::DynamicSql)]);
    check(
        "EXECUTE IMMEDIATE 'DROP TABLE ohlc_data'",
        &[not_analysed(Opaque::DynamicSql)],
    );
    check("execute stmt USING @a", &[not_analysed(Opaque::DynamicSql)]);
    check(
        "CALL `archive`.purge()",
        &[not_analysed(Opaque::ProcedureCall)],
    );
    check(
        "BEGIN NOT ATOMIC DROP TABLE t",
        &[not_analysed(Opaque::AnonymousBlock)],
    );
    // Preparing runs nothing; the EXECUTE that follows is reported.
    check("PREPARE stmt FROM @sql", &[]);
    check("BEGIN", &[]);
    // SQLite knows none of these statements.
    check_in(Flavor::Sqlite, "DO $$ x $$", &[]);
    check_in(Flavor::Sqlite, "CALL p()", &[]);
}

#[test]
fn user_functions_in_queries_are_not_analysed() {
    let call = |name: &str| [not_analysed(Opaque::FunctionCall(name.into()))];
    let pg = Flavor::Postgres;
    check_in(
        pg,
        "SELECT drop_old_partitions()",
        &call("drop_old_partitions()"),
    );
    check_in(
        pg,
        "select * from ops.purge('ohlc_data', 30)",
        &call("ops.purge()"),
    );
    check_in(pg, "SELECT \"Purge\"(1)", &call("\"Purge\"()"));
    check_in(pg, "VALUES (1, purge(2))", &call("purge()"));
    check_in(
        pg,
        "WITH x (a) AS (SELECT purge()) SELECT a FROM x",
        &call("purge()"),
    );
    check("SELECT `purge`(1)", &call("`purge`()"));
    check("DO purge_all(), SLEEP(1)", &call("purge_all()"));
    check("SET @n = purge_all()", &call("purge_all()"));
    check("(SELECT archive(1))", &call("archive()"));
    // The databases' own functions, keywords and casts call nothing.
    for stmt in [
        "SELECT setval('prices_id_seq', (SELECT max(id) FROM prices))",
        "SELECT pg_catalog.set_config('search_path', '', false)",
        "SELECT pg_catalog.anything(1)",
        "SELECT COUNT(*) FILTER (WHERE x IN (1, 2)) FROM t WHERE EXISTS (SELECT 1)",
        "SELECT CAST(x AS numeric(10, 2)), y::varchar(3), row_number() OVER (ORDER BY z) FROM t",
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
        "WITH n (i) AS MATERIALIZED (SELECT 1) SELECT i FROM n",
        "SELECT * FROM t AS a (b, c) JOIN u USING (id)",
        "SELECT a FROM t WHERE b = ANY (ARRAY[1]) AND (c OR d)",
        "VALUES (1), (2)",
    ] {
        check_in(pg, stmt, &[]);
    }
    for stmt in [
        "SELECT CONVERT(x, DECIMAL(10, 2)), IF(a, b, c), GET_LOCK('x', 1)",
        "SET FOREIGN_KEY_CHECKS = 0",
        "SET @sql = CONCAT('DROP TABLE ', 'x')",
        "DO RELEASE_LOCK('mendb')",
        "SELECT 1 FROM DUAL",
    ] {
        check(stmt, &[]);
    }
    // In SQLite a connection of mendb's can only call built-ins.
    check_in(Flavor::Sqlite, "SELECT purge()", &[]);
    // Outside queries, calls are not looked for.
    check_in(pg, "INSERT INTO t VALUES (purge())", &[]);
}

#[test]
fn everything_else_has_no_effects() {
    for stmt in [
        "",
        ";",
        "SELECT * FROM trades",
        "INSERT INTO log VALUES ('DROP TABLE trades')",
        "DELETE FROM trades WHERE ts < '2020-01-01'",
        "CREATE TABLE trades (id BIGINT, drop_reason TEXT)",
        "DROP INDEX idx_ts ON trades",
        "DROP TEMPORARY TABLE scratch",
        "DROP TRIGGER trades_bi",
        "DROP FUNCTION touch()",
        "ALTER TABLE trades ADD COLUMN fee DECIMAL(10, 2)",
        "ALTER TABLE trades MODIFY fee DECIMAL(12, 2)",
        "ALTER VIEW v RENAME TO w",
        "\"DROP\" TABLE trades",
        "DROP TABLE",
        "DROP TABLE s.",
        "ALTER TABLE",
        "ALTER TABLE t DROP",
        "ALTER TABLE t RENAME COLUMN a",
        "RENAME TABLE a",
        "CREATE FUNCTION f() RETURNS int RETURN 1",
    ] {
        check(stmt, &[]);
    }
    check_in(
        Flavor::Postgres,
        "CREATE FUNCTION f() RETURNS void AS $$ BEGIN EXECUTE 'DROP TABLE t'; END $$ LANGUAGE plpgsql",
        &[],
    );
}

#[test]
fn only_the_first_statement_counts() {
    check("SELECT 1; DROP TABLE trades", &[]);
    check("DROP TABLE a; DROP TABLE b", &[drop_table("a")]);
    check_in(
        Flavor::Sqlite,
        "DROP TABLE [a;b]; DROP TABLE c",
        &[drop_table("[a;b]")],
    );
}

#[test]
fn works_on_split_statements() {
    let sql = "-- 0008\nALTER TABLE trades DROP COLUMN fee;\nCREATE TRIGGER t_bd BEFORE DELETE ON trades FOR EACH ROW BEGIN DELETE FROM fills; END;\nTRUNCATE candles\n";
    let effects: Vec<Vec<Effect>> = split_statements(sql, Flavor::Mysql)
        .unwrap()
        .iter()
        .map(|s| statement_effects(&s.text, Flavor::Mysql))
        .collect();
    assert_eq!(
        effects,
        [
            vec![drop_column("trades", "fee")],
            vec![],
            vec![truncate("candles")]
        ]
    );
}

/// Random concatenations of SQL fragments, including unterminated
/// quotes and comments, never make either function panic. Long because
/// of its list of fragments.
#[test]
fn never_panics_on_noise() {
    const FRAGMENTS: &[&str] = &[
        "CREATE ",
        "TRIGGER ",
        "FUNCTION ",
        "BEGIN ",
        "END ",
        "IF ",
        "CASE ",
        "LOOP ",
        "DROP ",
        "TABLE ",
        "VIEW ",
        "ALTER ",
        "COLUMN ",
        "RENAME ",
        "TO ",
        "AS ",
        "CHANGE ",
        "TRUNCATE ",
        "ONLY ",
        "EXISTS ",
        "INDEX ",
        "t",
        "x1",
        ";",
        "'",
        "''",
        "\\",
        "\"",
        "`",
        "$$",
        "$a$",
        "$1",
        "$",
        "--",
        "#",
        "#>",
        "/*",
        "*/",
        "/*!",
        "\n",
        "\r\n",
        " ",
        ",",
        "(",
        ")",
        ".",
        "*",
        "é",
        "größe",
        "\u{feff}",
        "[",
        "]",
        "U&",
        "UESCAPE ",
        "'!'",
        "\\0061",
        "\\+",
        "DO ",
        "CALL ",
        "EXECUTE ",
        "SELECT ",
        "WITH ",
        "\t",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for _ in 0..500 {
        let len = next() % 40;
        let sql: String = (0..len)
            .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
            .collect();
        let lines = sql.matches('\n').count() + 1;
        for flavor in [Flavor::Mysql, Flavor::Postgres, Flavor::Sqlite] {
            statement_effects(&sql, flavor);
            parse_name(&sql, flavor);
        }
        for stmt in split_statements(&sql, Flavor::Postgres).unwrap_or_default() {
            assert!(!stmt.text.is_empty(), "{sql:?}");
            assert_eq!(stmt.text.trim(), stmt.text, "{sql:?}");
            assert!((1..=lines).contains(&stmt.line), "{sql:?}");
            statement_effects(&stmt.text, Flavor::Postgres);
        }
    }
}
