//! The consumer contracts, checked against the live schema and against
//! the schema the pending migrations leave.

use std::collections::BTreeSet;

use super::contracts::{self, Breach, Contract};
use super::{Check, CheckKind};
use crate::db::ident::Names;
use crate::db::introspect::Schema;
use crate::migrate::Change;

/// Where the schema after the pending migrations came from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    /// The live schema with the pending drops and renames applied.
    Projected(i32),
    /// All migrations run on a scratch database.
    Scratch(i32),
}

/// The live schema as the pending migrations' drops and renames leave it.
/// Additions are not followed: only what a pending migration takes away
/// can break a service that works today. Each change applies to the names
/// its statement sees, after the renames before it; changes in other
/// schemas, and statements not analysed, leave the schema as it is.
pub(super) fn project(live: &Schema, changes: &[Change]) -> Schema {
    let mut s = live.clone();
    for c in changes
        .iter()
        .filter(|c| c.is_analysed() && c.schema.is_none())
    {
        match (&c.then_column, &c.to) {
            (None, None) if c.action == "drops" => {
                s.tables.remove(&c.then_table);
            }
            (None, Some(to)) => {
                if let Some(t) = s.tables.remove(&c.then_table)
                    && !c.moves_away
                {
                    s.tables.insert(to.clone(), t);
                }
            }
            (Some(col), to) => {
                if let Some(t) = s.tables.get_mut(&c.then_table) {
                    match to {
                        Some(to) => {
                            for column in t.columns.iter_mut().filter(|x| &x.name == col) {
                                column.name = to.clone();
                            }
                        }
                        None => t.columns.retain(|x| &x.name != col),
                    }
                }
            }
            _ => {}
        }
    }
    s
}

pub(super) fn contract_checks(
    contracts: &[Contract],
    errors: &[contracts::ContractError],
    live: &Schema,
    target: Option<(&Target, &Schema, &Vec<Change>)>,
    names: &Names,
) -> Vec<Check> {
    let mut checks: Vec<Check> = errors
        .iter()
        .map(|e| {
            Check::new(
                CheckKind::Contracts,
                e.path.clone(),
                vec![e.message.clone()],
            )
        })
        .collect();
    for c in contracts {
        let now = contracts::check(c, live, names);
        let mut failures: Vec<String> = now
            .iter()
            .map(|b| b.describe("the live database"))
            .collect();
        if let Some((target, schema, changes)) = target {
            let seen: BTreeSet<(String, Option<String>)> = now
                .iter()
                .map(|b| (b.table.clone(), b.column.clone()))
                .collect();
            for b in contracts::check(c, schema, names) {
                if !seen.contains(&(b.table.clone(), b.column.clone())) {
                    failures.push(b.describe(&target_name(*target, &b, changes, names)));
                }
            }
        }
        let subject = c.path.clone();
        let check = Check::new(CheckKind::Contracts, subject, failures);
        checks.push(match target {
            Some((Target::Projected(v) | Target::Scratch(v), _, _)) => check.with_note(format!(
                "checked against the live database and the schema at V{v}"
            )),
            None => check.with_note("checked against the live database"),
        });
    }
    checks
}

/// How a breach at the target version is explained: by the pending
/// migration that removes what the service needs, when there is one.
fn target_name(target: Target, b: &Breach, changes: &[Change], names: &Names) -> String {
    let cause = changes
        .iter()
        .rev()
        .filter(|c| c.is_analysed() && c.schema.is_none())
        .find(|c| {
            contracts::names_table(names, &b.table, &c.then_table)
                && match (&c.then_column, &b.column) {
                    (None, _) => true,
                    (Some(changed), Some(used)) => contracts::names_column(names, used, changed),
                    (Some(_), None) => false,
                }
        });
    match (cause, target) {
        (Some(c), _) => format!(
            "the schema after pending V{}__{} ({}:{}, which {})",
            c.version,
            c.name,
            c.path,
            c.line,
            c.describe()
        ),
        (None, Target::Projected(v)) => format!("the schema at V{v}"),
        (None, Target::Scratch(v)) => format!("the schema at V{v} (built on a scratch database)"),
    }
}
