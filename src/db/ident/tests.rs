use super::*;
use crate::sql::parse_name;

fn name(dialect: Dialect, raw: &str) -> ObjectName {
    parse_name(raw, dialect.sql_flavor()).unwrap_or_else(|| panic!("not a name: {raw}"))
}

fn ident(dialect: Dialect, raw: &str) -> Ident {
    name(dialect, raw).object().clone()
}

fn postgres() -> Names {
    Names::new(Dialect::Postgres, 0, "public", "crypto")
}

fn sqlite() -> Names {
    Names::new(Dialect::Sqlite, 0, "main", "main")
}

fn mysql(lower_case_table_names: i64) -> Names {
    Names::new(Dialect::Mysql, lower_case_table_names, "crypto", "crypto")
}

/// `(written, catalog table, denotes it)` in the default schema.
fn tables(names: &Names, cases: &[(&str, &str, bool)]) {
    for &(raw, table, expected) in cases {
        let n = name(names.dialect(), raw);
        let schema = names.default_schema().to_string();
        assert_eq!(
            names.denotes_table(&n, &schema, table),
            expected,
            "{:?}: does {raw} denote {schema}.{table}?",
            names.dialect()
        );
    }
}

fn columns(names: &Names, cases: &[(&str, &str, bool)]) {
    for &(raw, column, expected) in cases {
        assert_eq!(
            names.denotes(&ident(names.dialect(), raw), NameKind::Column, column),
            expected,
            "{:?}: does {raw} denote column {column}?",
            names.dialect()
        );
    }
}

#[test]
fn postgres_folds_bare_names_and_keeps_quoted_ones() {
    let pg = postgres();
    tables(
        &pg,
        &[
            ("ohlc_data", "ohlc_data", true),
            ("OHLC_DATA", "ohlc_data", true),
            ("Ohlc_Data", "ohlc_data", true),
            ("\"ohlc_data\"", "ohlc_data", true),
            ("\"OHLC_DATA\"", "ohlc_data", false),
            ("\"Mixed\"", "Mixed", true),
            ("Mixed", "Mixed", false),
            ("mixed", "Mixed", false),
            ("\"a\"\"b\"", "a\"b", true),
            // Only ASCII letters fold in a UTF-8 database.
            ("ÄPFEL", "Äpfel", true),
            ("ÄPFEL", "äpfel", false),
            ("Größe", "größe", true),
            // Schemas resolve too, by the same rules.
            ("public.ohlc_data", "ohlc_data", true),
            ("PUBLIC.OHLC_DATA", "ohlc_data", true),
            ("\"public\".\"ohlc_data\"", "ohlc_data", true),
            ("\"PUBLIC\".ohlc_data", "ohlc_data", false),
            ("other_schema.ohlc_data", "ohlc_data", false),
            ("crypto.public.ohlc_data", "ohlc_data", true),
            ("CRYPTO.public.ohlc_data", "ohlc_data", true),
            ("elsewhere.public.ohlc_data", "ohlc_data", false),
            ("a.b.c.d", "d", false),
        ],
    );
    let other = name(Dialect::Postgres, "Other_Schema.OHLC_DATA");
    assert!(pg.denotes_table(&other, "other_schema", "ohlc_data"));
    assert!(!pg.denotes_table(&other, "public", "ohlc_data"));
    assert_eq!(pg.place(&other), Place::Schema("other_schema".into()));
    columns(
        &pg,
        &[
            ("MARKET_CAP", "market_cap", true),
            ("\"MARKET_CAP\"", "market_cap", false),
            ("\"Col\"", "Col", true),
            ("COL", "Col", false),
        ],
    );
}

#[test]
fn postgres_cuts_names_at_63_bytes() {
    let pg = postgres();
    let long = "a".repeat(75);
    let cut = "a".repeat(63);
    tables(
        &pg,
        &[(&long, &cut, true), (&format!("\"{long}\""), &cut, true)],
    );
    // A character is never cut in half.
    let wide = format!("{}é", "a".repeat(62));
    assert_eq!(
        pg.stored(&ident(Dialect::Postgres, &wide), NameKind::Table),
        "a".repeat(62)
    );
}

#[test]
fn sqlite_ignores_ascii_case_quoted_or_not() {
    let lite = sqlite();
    tables(
        &lite,
        &[
            ("OHLC_DATA", "ohlc_data", true),
            ("\"OHLC_DATA\"", "ohlc_data", true),
            ("[OHLC_DATA]", "ohlc_data", true),
            ("`Ohlc_Data`", "ohlc_data", true),
            ("'OHLC_DATA'", "ohlc_data", true),
            ("mixed", "Mixed", true),
            ("[a b;c]", "a b;c", true),
            ("\"A\"\"Q\"", "a\"q", true),
            ("MAIN.OHLC_DATA", "ohlc_data", true),
            ("\"Main\".[ohlc_data]", "ohlc_data", true),
            ("temp.ohlc_data", "ohlc_data", false),
            ("other.ohlc_data", "ohlc_data", false),
            // Case is ASCII only: Ö is not ö.
            ("GRÖßE", "größe", false),
            ("Größe", "größe", true),
            ("a.b.c", "c", false),
        ],
    );
    assert_eq!(
        lite.place(&name(Dialect::Sqlite, "TEMP.t")),
        Place::Temporary
    );
    columns(
        &lite,
        &[
            ("MARKET_CAP", "market_cap", true),
            ("[MARKET_CAP]", "market_cap", true),
            ("'MARKET_CAP'", "market_cap", true),
            ("COL", "Col", true),
            ("É", "é", false),
        ],
    );
    assert_eq!(
        lite.stored(&ident(Dialect::Sqlite, "OHLC2"), NameKind::Table),
        "OHLC2"
    );
}

#[test]
fn mysql_tables_follow_lower_case_table_names() {
    let exact = mysql(0);
    tables(
        &exact,
        &[
            ("ohlc_data", "ohlc_data", true),
            ("`ohlc_data`", "ohlc_data", true),
            ("OHLC_DATA", "ohlc_data", false),
            ("`OHLC_DATA`", "ohlc_data", false),
            ("crypto.ohlc_data", "ohlc_data", true),
            ("CRYPTO.ohlc_data", "ohlc_data", false),
            ("other_db.ohlc_data", "ohlc_data", false),
            ("a.b.c", "c", false),
        ],
    );
    for lower in [1, 2] {
        tables(
            &mysql(lower),
            &[
                ("OHLC_DATA", "ohlc_data", true),
                ("`Ohlc_Data`", "ohlc_data", true),
                ("CRYPTO.OHLC_DATA", "ohlc_data", true),
                ("GRÖßE", "größe", true),
                ("GRÖSSE", "größe", false),
                ("other_db.ohlc_data", "ohlc_data", false),
            ],
        );
    }
    let renamed = ident(Dialect::Mysql, "New_Name");
    assert_eq!(mysql(0).stored(&renamed, NameKind::Table), "New_Name");
    assert_eq!(mysql(1).stored(&renamed, NameKind::Table), "new_name");
    assert_eq!(mysql(2).stored(&renamed, NameKind::Table), "New_Name");
    assert_eq!(mysql(1).stored(&renamed, NameKind::Column), "New_Name");
}

#[test]
fn mysql_columns_ignore_case_whatever_the_setting() {
    for lower in [0, 1, 2] {
        columns(
            &mysql(lower),
            &[
                ("MARKET_CAP", "market_cap", true),
                ("`Market_Cap`", "market_cap", true),
                ("\"MARKET_CAP\"", "market_cap", true),
                ("GRÖßE", "größe", true),
                ("GRÖSSE", "größe", false),
                ("ss", "ß", false),
                ("é", "e", false),
            ],
        );
    }
}
