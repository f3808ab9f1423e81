//! Unit tests of the contract format and its checks.

use super::*;

#[test]
fn the_shipped_contracts_parse() {
    let (contracts, errors) = load(None);
    assert!(errors.is_empty(), "{errors:?}");
    let services: Vec<&str> = contracts.iter().map(|c| c.service.as_str()).collect();
    for s in [
        "new-price-writer",
        "legacy-price-writer",
        "price-data-old-collector",
        "onchain-collector",
        "ml-materializer",
        "narrative-analyzer",
    ] {
        assert!(services.contains(&s), "{s} missing from {services:?}");
    }
}

#[test]
fn errors_name_file_and_line() {
    let text = "service = \"x\"\n\n[tables.t]\nreads = [\"a\"]\ninsert = [\"b\"]\n";
    let err = parse("c/x.toml", text).unwrap_err();
    assert!(
        err.starts_with("c/x.toml:5: unknown field `insert`"),
        "{err}"
    );
    let c = parse(
        "c/x.toml",
        "service = \"x\"\n[tables.t]\nreads = [\n  \"a\",\n  \"b\"]\n",
    )
    .unwrap();
    assert_eq!(c.tables[0].line, 2);
    assert_eq!(
        c.tables[0].reads,
        [("a".to_string(), 4), ("b".to_string(), 5)]
    );
}

#[test]
fn contract_names_resolve_as_the_service_sql_would() {
    use crate::db::Dialect;
    use crate::db::introspect::{Column, Table};
    let mut schema = Schema::default();
    let column = |name: &str| Column {
        name: name.into(),
        data_type: "double precision".into(),
        nullable: true,
        ..Column::default()
    };
    schema.tables.insert(
        "price_data_old".into(),
        Table {
            columns: vec![column("market_cap")],
            ..Table::default()
        },
    );
    schema.tables.insert(
        "Mixed".into(),
        Table {
            columns: vec![column("Col")],
            ..Table::default()
        },
    );
    let contract = |table: &str, col: &str| {
        let text = format!("service = \"s\"\n[tables.'{table}']\nreads = ['{col}']\n");
        parse("c/s.toml", &text).unwrap()
    };
    let breaches = |names: &Names, table: &str, col: &str| -> Vec<BreachKind> {
        check(&contract(table, col), &schema, names)
            .into_iter()
            .map(|b| b.kind)
            .collect()
    };
    let pg = Names::new(Dialect::Postgres, 0, "public", "crypto");
    assert_eq!(breaches(&pg, "PRICE_DATA_OLD", "MARKET_CAP"), []);
    assert_eq!(breaches(&pg, "public.price_data_old", "market_cap"), []);
    assert_eq!(
        breaches(&pg, "\"PRICE_DATA_OLD\"", "market_cap"),
        [BreachKind::NoTable]
    );
    assert_eq!(
        breaches(&pg, "price_data_old", "\"MARKET_CAP\""),
        [BreachKind::NoColumn]
    );
    assert_eq!(
        breaches(&pg, "other.price_data_old", "market_cap"),
        [BreachKind::NoTable]
    );
    assert_eq!(breaches(&pg, "Mixed", "Col"), [BreachKind::NoTable]);
    assert_eq!(breaches(&pg, "\"Mixed\"", "\"Col\""), []);
    assert_eq!(breaches(&pg, "\"Mixed\"", "Col"), [BreachKind::NoColumn]);

    let mysql = Names::new(Dialect::Mysql, 0, "crypto", "crypto");
    assert_eq!(breaches(&mysql, "price_data_old", "MARKET_CAP"), []);
    assert_eq!(
        breaches(&mysql, "PRICE_DATA_OLD", "market_cap"),
        [BreachKind::NoTable]
    );
    let folding = Names::new(Dialect::Mysql, 1, "crypto", "crypto");
    assert_eq!(breaches(&folding, "PRICE_DATA_OLD", "market_cap"), []);

    let sqlite = Names::new(Dialect::Sqlite, 0, "main", "main");
    assert_eq!(breaches(&sqlite, "\"PRICE_DATA_OLD\"", "MARKET_CAP"), []);
    assert_eq!(breaches(&sqlite, "mixed", "COL"), []);
}
