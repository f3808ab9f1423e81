//! The builders held to the SQL they must produce and to what they must
//! survive.

use std::collections::BTreeMap;

use super::statement::append;
use super::*;
use crate::backfill::plan::Plan;

#[test]
fn placeholders_renumber_without_clobbering() {
    let mut sql = Sql::default();
    for i in 0..10 {
        sql.bind(Dialect::Postgres, &i.to_string(), ValueKind::Int);
    }
    let mut part = Sql::default();
    part.bind(Dialect::Postgres, "a", ValueKind::Text);
    part.push(" ");
    part.bind(Dialect::Postgres, "b", ValueKind::Text);
    append(&mut sql, &part);
    assert!(sql.text.ends_with("$11 $12"), "{}", sql.text);
    assert_eq!(sql.params().len(), 12);
}

#[test]
fn keys_that_do_not_fit_restrict_nothing_and_never_panic() {
    let plan = Plan::parse(
        "t.toml",
        r#"name = "t"
[[steps]]
name = "s"
[steps.batch]
table = "src"
key = ["day", "id"]
[steps.update]
from = "other"
[steps.update.on]
id = "t.id"
[steps.update.set]
v = "s.v"
"#,
    )
    .unwrap();
    let params = BTreeMap::new();
    let step = StepSql {
        dialect: Dialect::Postgres,
        def: plan.def.steps[0].get_ref(),
        key: vec![
            ("day".into(), ValueKind::Date),
            ("id".into(), ValueKind::Int),
        ],
        params: &params,
        param_kinds: BTreeMap::new(),
        copy_upsert: false,
        source_key: None,
    };
    let short = vec!["2025-01-01".to_string()];
    let long = vec!["2025-01-01".to_string(), "1".into(), "2".into()];
    for keys in [&short, &long, &Vec::new()] {
        let sql = step.bound_query(Some(keys), 10);
        assert!(sql.text.contains("(1 = 1)"), "{}", sql.text);
        let action = step.action(Some(keys), Some(keys));
        assert!(!action[0].text.contains("\"day\" <"), "{}", action[0].text);
    }
    let fits = vec!["2025-01-01".to_string(), "1".into()];
    assert!(
        step.bound_query(Some(&fits), 10)
            .text
            .contains("t.\"id\" >")
    );
}

#[test]
fn finds_params_outside_quotes() {
    assert_eq!(
        find_param("x = ':since' AND y >= :since", ":since"),
        Some(22)
    );
    assert_eq!(find_param("a::since", ":since"), None);
    assert_eq!(find_param(":sinceX", ":since"), None);
}
