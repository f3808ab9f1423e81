//! Schema drift: the differences between two schemas, each naming the
//! object (`column price_data_real.close`), and the snapshot file that
//! `schema dump --format json` writes and `verify` compares with. Pure
//! data; never touches a database.

use std::collections::BTreeMap;
use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use crate::db::Dialect;
use crate::db::introspect::{Column, Schema};

/// A schema as `schema dump` writes it: what it is of, then the schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub dialect: Dialect,
    /// The migration version the database was at.
    pub version: Option<i32>,
    #[serde(flatten)]
    pub schema: Schema,
}

impl Snapshot {
    pub fn parse(path: &str, text: &str) -> Result<Snapshot, String> {
        serde_json::from_str(text).map_err(|e| {
            format!(
                "{path}:{}: not a mendb schema snapshot: {e} (write one with `mendb schema dump --format json > {path}`)",
                e.line()
            )
        })
    }
}

/// One way `actual` differs from `expected`, e.g. object `column
/// price_data_real.close`, change `only in the live database`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub object: String,
    pub change: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.object, self.change)
    }
}

/// What `actual` (called `actual_name`, e.g. "the live database") has
/// that `expected` (`expected_name`, e.g. "the snapshot") has not, and the
/// other way round, object by object.
pub fn diff(
    expected: &Schema,
    actual: &Schema,
    expected_name: &str,
    actual_name: &str,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |object: String, change: String| out.push(Difference { object, change });
    let only_in = |name: &str| format!("only in {name}");
    let differs = |what: &str, e: &dyn Debug, a: &dyn Debug| {
        format!("{what} differs: {expected_name} has {e:?}, {actual_name} has {a:?}")
    };

    each(&expected.tables, &actual.tables, |name, e, a| {
        match (e, a) {
            (Some(_), None) => push(format!("table {name}"), only_in(expected_name)),
            (None, Some(_)) => push(format!("table {name}"), only_in(actual_name)),
            (Some(e), Some(a)) => {
                let cols = |cs: &[Column]| -> BTreeMap<String, Column> {
                    cs.iter().map(|c| (c.name.clone(), c.clone())).collect()
                };
                each(&cols(&e.columns), &cols(&a.columns), |col, ec, ac| {
                    let object = format!("column {name}.{col}");
                    match (ec, ac) {
                        (Some(_), None) => push(object, only_in(expected_name)),
                        (None, Some(_)) => push(object, only_in(actual_name)),
                        (Some(ec), Some(ac)) => {
                            if ec.data_type != ac.data_type {
                                push(
                                    object.clone(),
                                    differs("type", &ec.data_type, &ac.data_type),
                                );
                            }
                            if ec.nullable != ac.nullable {
                                let n = |b: bool| if b { "NULL" } else { "NOT NULL" };
                                push(
                                    object.clone(),
                                    differs("nullability", &n(ec.nullable), &n(ac.nullable)),
                                );
                            }
                            if ec.default != ac.default {
                                push(object.clone(), differs("default", &ec.default, &ac.default));
                            }
                            if ec.generated != ac.generated {
                                push(object, differs("generation", &ec.generated, &ac.generated));
                            }
                        }
                        (None, None) => {}
                    }
                });
                let order = |cs: &[Column]| cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
                let (eo, ao) = (order(&e.columns), order(&a.columns));
                let mut same_set = eo.clone();
                let mut other = ao.clone();
                same_set.sort();
                other.sort();
                if same_set == other && eo != ao {
                    push(format!("table {name}"), differs("column order", &eo, &ao));
                }
                each(&e.indexes, &a.indexes, |idx, ei, ai| {
                    let object = format!("index {name}.{idx}");
                    match (ei, ai) {
                        (Some(_), None) => push(object, only_in(expected_name)),
                        (None, Some(_)) => push(object, only_in(actual_name)),
                        (Some(ei), Some(ai)) if ei != ai => {
                            push(object, differs("definition", ei, ai))
                        }
                        _ => {}
                    }
                });
                each(&e.foreign_keys, &a.foreign_keys, |fk, ef, af| {
                    let object = format!("foreign key {name}.{fk}");
                    match (ef, af) {
                        (Some(_), None) => push(object, only_in(expected_name)),
                        (None, Some(_)) => push(object, only_in(actual_name)),
                        (Some(ef), Some(af)) if ef != af => {
                            push(object, differs("definition", ef, af))
                        }
                        _ => {}
                    }
                });
            }
            (None, None) => {}
        }
    });
    each(&expected.views, &actual.views, |name, e, a| {
        let object = format!("view {name}");
        match (e, a) {
            (Some(_), None) => push(object, only_in(expected_name)),
            (None, Some(_)) => push(object, only_in(actual_name)),
            (Some(e), Some(a)) => {
                if e.columns != a.columns {
                    push(object.clone(), differs("columns", &e.columns, &a.columns));
                }
                if e.definition != a.definition {
                    push(object, differs("definition", &e.definition, &a.definition));
                }
            }
            (None, None) => {}
        }
    });
    each(&expected.triggers, &actual.triggers, |name, e, a| {
        let object = format!("trigger {name}");
        match (e, a) {
            (Some(_), None) => push(object, only_in(expected_name)),
            (None, Some(_)) => push(object, only_in(actual_name)),
            (Some(e), Some(a)) if e != a => {
                let what = if e.body == a.body {
                    "timing or events"
                } else {
                    "definition"
                };
                push(object, differs(what, e, a))
            }
            _ => {}
        }
    });
    out
}

/// Calls `f` once per key of either map, in key order.
fn each<V>(
    expected: &BTreeMap<String, V>,
    actual: &BTreeMap<String, V>,
    mut f: impl FnMut(&str, Option<&V>, Option<&V>),
) {
    let mut keys: Vec<&String> = expected.keys().chain(actual.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        f(k, expected.get(k), actual.get(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::introspect::Table;

    fn column(name: &str, data_type: &str) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable: true,
            default: None,
            generated: None,
        }
    }

    #[test]
    fn names_each_object_that_differs() {
        let mut expected = Schema::default();
        expected.tables.insert(
            "t".into(),
            Table {
                columns: vec![column("a", "int"), column("b", "double")],
                ..Table::default()
            },
        );
        let mut actual = expected.clone();
        let t = actual.tables.get_mut("t").unwrap();
        t.columns[1].data_type = "decimal(10,2)".into();
        t.columns.push(column("c", "int"));
        actual.tables.insert("u".into(), Table::default());
        let d: Vec<String> = diff(&expected, &actual, "the snapshot", "the live database")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            d,
            [
                "column t.b: type differs: the snapshot has \"double\", the live database has \"decimal(10,2)\"",
                "column t.c: only in the live database",
                "table u: only in the live database",
            ]
        );
        assert!(diff(&expected, &expected, "a", "b").is_empty());
    }
}
