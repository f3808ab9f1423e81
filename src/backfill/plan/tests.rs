//! Plan parsing and the checks that need no database, held to the
//! messages, lines and keys a user sees.

use super::*;

const GOOD: &str = r#"
name = "demo"
description = "a demo"

[params.since]
type = "timestamp"
default = "2025-09-28 12:00:00"

[[steps]]
name = "copy-it"

[steps.batch]
table = "src"
key = ["symbol", "id"]
where = "ts >= :since"
chunk_size = 500

[steps.copy]
into = "dst"
match = ["symbol"]

[steps.copy.columns]
symbol = "symbol"
ts = { mysql = "a", postgres = "b", sqlite = "c" }
"#;

#[test]
fn parses_a_good_plan() {
    let plan = Plan::parse("p.toml", GOOD).unwrap();
    assert_eq!(plan.name(), "demo");
    let step = plan.def.steps[0].get_ref();
    assert_eq!(step.batch.chunk_size(), 500);
    let Action::Copy(c) = step.action() else {
        panic!()
    };
    assert_eq!(c.columns.len(), 2);
    let params = plan
        .resolve_params(&["since=2025-09-29T00:00:00Z".into()])
        .unwrap();
    assert_eq!(params["since"].to_text(), "2025-09-29 00:00:00");
}

fn err(src: &str) -> String {
    Plan::parse("p.toml", src).unwrap_err().to_string()
}

#[test]
fn errors_name_file_line_and_key() {
    let e = err(&GOOD.replace("chunk_size = 500", "chunksize = 500"));
    assert!(e.starts_with("p.toml:16: unknown field `chunksize`"), "{e}");
    let e = err(&GOOD.replace("chunk_size = 500", "chunk_size = \"big\""));
    assert!(e.starts_with("p.toml:16:"), "{e}");
    assert!(
        e.contains("invalid type: string \"big\", expected a whole number"),
        "{e}"
    );
    let e = err(&GOOD.replace("table = \"src\"", "table = \"src; DROP TABLE x\""));
    assert_eq!(
        e,
        "p.toml:13: step `copy-it`: batch.table `src; DROP TABLE x` is not a plain identifier (letters, digits, _; at most 64)"
    );
    let e = err(&GOOD.replace(":since", ":sinse"));
    assert!(e.contains("unknown parameter `:sinse`"), "{e}");
    let e = err(&GOOD.replace("match = [\"symbol\"]", "match = [\"ts2\"]"));
    assert!(
        e.contains("copy.match column `ts2` is not among copy.columns"),
        "{e}"
    );
}

#[test]
fn plan_sql_is_part_of_one_statement() {
    let e = err(&GOOD.replace(
        "symbol = \"symbol\"",
        "symbol = \"1 FROM src; DROP TABLE x; SELECT 1\"",
    ));
    assert_eq!(
        e,
        "p.toml:23: step `copy-it`: copy.columns.symbol: holds 3 statements (`1 FROM src`; `DROP TABLE x`; ...); an expression must be part of one statement"
    );
    let e = err(&GOOD.replace(":since\"", ":since) OR (1 = 1; DELETE FROM src\""));
    assert!(
        e.starts_with("p.toml:15: step `copy-it`: batch.where: holds 2 statements"),
        "{e}"
    );
    // A per-database text is read with its database's rules, and is
    // refused whichever database the plan runs on.
    let e = err(&GOOD.replace("postgres = \"b\"", "postgres = \"b; DELETE FROM src\""));
    assert!(
        e.starts_with("p.toml:24: step `copy-it`: copy.columns.ts.postgres: holds 2 statements"),
        "{e}"
    );
    let e = err(&GOOD.replace("sqlite = \"c\"", "sqlite = \"'c\""));
    assert_eq!(
        e,
        "p.toml:24: step `copy-it`: copy.columns.ts.sqlite: unterminated string `'`: it runs to the end of the text"
    );
    // `;` inside quotes and comments is no statement's end.
    assert!(
        Plan::parse(
            "p.toml",
            &GOOD.replace("\"symbol\"\n", "\"'a;b' /* ; */\"\n")
        )
        .is_ok()
    );

    let sql = |stmt: &str| {
        GOOD.replace(
            "[steps.copy]\ninto = \"dst\"\nmatch = [\"symbol\"]\n\n[steps.copy.columns]\nsymbol = \"symbol\"\nts = { mysql = \"a\", postgres = \"b\", sqlite = \"c\" }\n",
            &format!(
                "[steps.sql]\nmysql = [\"UPDATE src SET a = a WHERE {{chunk}}\"]\npostgres = [\"UPDATE src SET a = a WHERE {{chunk}}\"]\nsqlite = [\n  \"UPDATE src SET a = a WHERE {{chunk}};\",\n  \"{stmt}\",\n]\n"
            ),
        )
    };
    assert!(Plan::parse("p.toml", &sql("DELETE FROM src WHERE {chunk}")).is_ok());
    let e = err(&sql("DELETE FROM src WHERE {chunk}; DROP TABLE src"));
    assert_eq!(
        e,
        "p.toml:23: step `copy-it`: sql.sqlite statement 2: holds 2 statements (`DELETE FROM src WHERE {chunk}`; `DROP TABLE src`); each entry must be one statement"
    );
}

#[test]
fn set_values_are_typed() {
    let plan = Plan::parse("p.toml", GOOD).unwrap();
    let e = plan
        .resolve_params(&["since=yesterday".into()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--set since: `yesterday` is not a timestamp"),
        "{e}"
    );
    let e = plan
        .resolve_params(&["until=2025-01-01".into()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("the plan has no parameter `until`"), "{e}");
    let e = plan
        .resolve_params(&["since".into()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected NAME=VALUE"), "{e}");
}

/// GOOD with an int and a float parameter whose defaults are `int`
/// and `float`.
fn with_numbers(int: &str, float: &str) -> String {
    GOOD.replace(
        "[[steps]]",
        &format!(
            "[params.n]\ntype = \"int\"\ndefault = {int}\n\n[params.f]\ntype = \"float\"\ndefault = {float}\n\n[[steps]]"
        ),
    )
}

const INT_RANGE: &str = "is out of range (an int is -9223372036854775808 to 9223372036854775807)";
const NOT_FINITE: &str = "is not a finite number (a float is between -1.7976931348623157e308 and 1.7976931348623157e308)";

#[test]
fn numbers_refused_by_set_are_refused_in_the_file() {
    for (int, float, line, fragment) in [
        (
            "99999999999999999999",
            "0.5",
            11,
            format!("params.n.default: `99999999999999999999` {INT_RANGE}"),
        ),
        (
            "-9223372036854775809",
            "0.5",
            11,
            format!("params.n.default: `-9223372036854775809` {INT_RANGE}"),
        ),
        (
            "1",
            "inf",
            15,
            format!("params.f.default: `inf` {NOT_FINITE}"),
        ),
        (
            "1",
            "-inf",
            15,
            format!("params.f.default: `-inf` {NOT_FINITE}"),
        ),
        (
            "1",
            "nan",
            15,
            format!("params.f.default: `nan` {NOT_FINITE}"),
        ),
        (
            "1",
            "\"1e400\"",
            15,
            format!("params.f.default: `1e400` {NOT_FINITE}"),
        ),
        (
            "\"99999999999999999999\"",
            "0.5",
            11,
            format!("params.n.default: `99999999999999999999` {INT_RANGE}"),
        ),
    ] {
        let e = err(&with_numbers(int, float));
        assert_eq!(e, format!("p.toml:{line}: {fragment}"), "{int} {float}");
    }
    // A large integer is a fine float.
    assert!(Plan::parse("p.toml", &with_numbers("1", "99999999999999999999")).is_ok());
}

#[test]
fn set_refuses_numbers_out_of_range() {
    let plan = Plan::parse("p.toml", &with_numbers("1", "0.5")).unwrap();
    let set = |s: &str| plan.resolve_params(&[s.into()]).unwrap_err().to_string();
    assert_eq!(
        set("n=99999999999999999999"),
        format!("p.toml:9: --set n: `99999999999999999999` {INT_RANGE}")
    );
    assert_eq!(
        set("n=-9223372036854775809"),
        format!("p.toml:9: --set n: `-9223372036854775809` {INT_RANGE}")
    );
    assert_eq!(
        set("f=inf"),
        format!("p.toml:13: --set f: `inf` {NOT_FINITE}")
    );
    assert_eq!(
        set("f=NaN"),
        format!("p.toml:13: --set f: `NaN` {NOT_FINITE}")
    );
    assert_eq!(
        set("f=1e400"),
        format!("p.toml:13: --set f: `1e400` {NOT_FINITE}")
    );
    assert!(set("n=1.5").contains("`1.5` is not an integer"));
    // The extremes themselves are values.
    let params = plan
        .resolve_params(&[
            "n=-9223372036854775808".into(),
            "f=1.7976931348623157e308".into(),
        ])
        .unwrap();
    assert_eq!(params["n"], ParamValue::Int(i64::MIN));
    assert_eq!(params["f"], ParamValue::Float(f64::MAX));
}

#[test]
fn times_out_of_range_are_refused_on_both_paths() {
    let plan = Plan::parse("p.toml", GOOD).unwrap();
    let range = "is out of range (times are 0001-01-01 to 9999-12-31)";
    let e = plan
        .resolve_params(&["since=0000-12-31 00:00:00".into()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!("p.toml:5: --set since: `0000-12-31 00:00:00` {range}")
    );
    let e = err(&GOOD.replace("\"2025-09-28 12:00:00\"", "\"-262143-01-01\""));
    assert_eq!(
        e,
        format!("p.toml:7: params.since.default: `-262143-01-01` {range}")
    );
    let e = err(&GOOD.replace("\"2025-09-28 12:00:00\"", "0000-01-01T00:00:00Z"));
    assert!(
        e.starts_with("p.toml:7: params.since.default: `0000-01-01"),
        "{e}"
    );
    assert!(e.ends_with(range), "{e}");
}

#[test]
fn chunk_size_is_in_range() {
    for (written, shown) in [
        ("0", "0"),
        ("-1", "-1"),
        ("200001", "200001"),
        ("18446744073709551616", "18446744073709551616"),
    ] {
        let e = err(&GOOD.replace("chunk_size = 500", &format!("chunk_size = {written}")));
        assert_eq!(
            e,
            format!(
                "p.toml:16: step `copy-it`: batch.chunk_size {shown} is out of range (the range is 1 to 200000)"
            )
        );
    }
    let plan = Plan::parse(
        "p.toml",
        &GOOD.replace("chunk_size = 500", "chunk_size = 200000"),
    );
    assert_eq!(
        plan.unwrap().def.steps[0].get_ref().batch.chunk_size(),
        200_000
    );
    let plan = Plan::parse("p.toml", &GOOD.replace("chunk_size = 500\n", ""));
    assert_eq!(
        plan.unwrap().def.steps[0].get_ref().batch.chunk_size(),
        1000
    );
}

#[test]
fn finds_param_references() {
    assert_eq!(
        param_refs("a >= :since AND b::date < :until AND c = ':no'"),
        ["since", "until"]
    );
}
