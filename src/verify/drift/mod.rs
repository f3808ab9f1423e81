//! Schema drift: the differences between two schemas, each naming the
//! object (`column price_data_real.close`), and the snapshot file that
//! `schema dump --format json` writes and `verify` compares with. Pure
//! data; never touches a database.
//!
//! [`differ`] holds the ways two values are compared and worded, [`tables`]
//! and [`objects`] what is compared for each kind of object.

mod differ;
mod objects;
mod tables;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::db::Dialect;
use crate::db::introspect::Schema;
use differ::Differ;

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
        let write = format!("mendb schema dump --format json > {path}");
        serde_json::from_str(text).map_err(|e| {
            if written_before_triggers_by_table(text) {
                return format!(
                    "{path}: a snapshot from an older mendb, whose triggers are not keyed by their table; \
                     write it again with `{write}` on a database the migrations built"
                );
            }
            format!(
                "{path}:{}: not a mendb schema snapshot: {e} (write one with `{write}`)",
                e.line()
            )
        })
    }
}

/// Older snapshots keyed triggers by name alone, each holding its table.
fn written_before_triggers_by_table(text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    v.get("triggers")
        .and_then(|t| t.as_object())
        .is_some_and(|t| {
            t.values()
                .any(|tr| tr.get("table").is_some_and(|x| x.is_string()))
        })
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
/// other way round, object by object, in words a DBA reads as SQL:
/// `check constraint film_title on film: only in the snapshot`.
pub fn diff(
    expected: &Schema,
    actual: &Schema,
    expected_name: &str,
    actual_name: &str,
) -> Vec<Difference> {
    let mut d = Differ::new(expected_name, actual_name);
    d.tables(&expected.tables, &actual.tables);
    d.views(&expected.views, &actual.views);
    d.materialized_views(&expected.materialized_views, &actual.materialized_views);
    d.triggers(&expected.triggers, &actual.triggers);
    d.routines(expected, actual);
    d.events(&expected.events, &actual.events);
    d.sequences(&expected.sequences, &actual.sequences);
    d.domains(&expected.domains, &actual.domains);
    d.enum_types(&expected.enum_types, &actual.enum_types);
    d.rules(&expected.rules, &actual.rules);
    d.finish()
}

fn nullability(nullable: bool) -> &'static str {
    if nullable { "NULL" } else { "NOT NULL" }
}

/// A string as an SQL literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Keys of either map, in order.
fn keys<'m, V>(e: &'m BTreeMap<String, V>, a: &'m BTreeMap<String, V>) -> Vec<&'m String> {
    let mut keys: Vec<&String> = e.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys
}
