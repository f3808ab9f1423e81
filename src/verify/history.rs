//! The checks on the migration files themselves: whether they load, what
//! the history table says of them, and what the pending ones destroy.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Check, CheckKind};
use crate::db::Dialect;
use crate::migrate::{self, Change, MigrationFile};

pub(super) fn files_check(dialect: Dialect, dir: Option<&Path>) -> Check {
    let subject = match dir {
        Some(d) => d.display().to_string(),
        None => "embedded migrations".to_string(),
    };
    let problems = migrate::source::audit(dialect, dir);
    Check::new(
        CheckKind::Files,
        subject,
        problems.into_iter().map(|p| p.message).collect(),
    )
}

pub(super) fn history_check(
    status: &migrate::StatusReport,
    pending: &[&MigrationFile],
    allow_pending: bool,
) -> Check {
    let mut failures = status.problems.clone();
    for d in &status.dirty {
        failures.push(format!(
            "V{}__{} is dirty: its {} failed after {} of {} statements ({}); fix it by hand, then `mendb migrate repair`",
            d.version,
            d.name,
            d.direction,
            d.statements_done,
            d.statements_total,
            d.error.as_deref().unwrap_or("the run was interrupted"),
        ));
    }
    let labels: Vec<String> = pending.iter().map(|m| m.label()).collect();
    if !allow_pending {
        for m in pending {
            failures.push(format!(
                "{} is pending ({}); apply it with `mendb migrate up`, or pass --allow-pending",
                m.label(),
                m.up.path
            ));
        }
    }
    let check = Check::new(CheckKind::History, status.database.clone(), failures);
    let at = format!("at V{}", status.current_version.unwrap_or(0));
    match (labels.is_empty(), allow_pending) {
        (true, _) => check.with_note(format!("{at}, nothing pending")),
        (false, true) => check.with_note(format!("{at}; pending, allowed: {}", labels.join(", "))),
        (false, false) => check.with_note(at),
    }
}

pub(super) fn destructive_checks(pending: &[&MigrationFile], changes: &[Change]) -> Vec<Check> {
    if pending.is_empty() {
        return vec![
            Check::new(CheckKind::Destructive, "pending migrations", Vec::new())
                .with_note("nothing pending"),
        ];
    }
    let mut by_migration: BTreeMap<i32, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        by_migration.entry(c.version).or_default().push(c);
    }
    let mut checks = Vec::new();
    for m in pending {
        let found = by_migration.remove(&m.version).unwrap_or_default();
        let lines: Vec<String> = found
            .iter()
            .map(|c| format!("{}:{}: {} {}", c.path, c.line, m.label(), c.describe()))
            .collect();
        let allowed = found.first().and_then(|c| c.allowed_by_file.clone());
        let check = match (found.is_empty(), allowed) {
            (true, _) => Check::new(CheckKind::Destructive, m.label(), Vec::new())
                .with_note("drops and renames nothing"),
            (false, Some(reason)) => Check::new(CheckKind::Destructive, m.label(), Vec::new())
                .with_note(format!("allowed by the file ({reason}): {}", lines.join("; "))),
            (false, None) => Check::new(
                CheckKind::Destructive,
                m.label(),
                lines
                    .into_iter()
                    .map(|l| format!("{l}; once reviewed, mark the file with a line `-- mendb:allow-destructive <reason>`"))
                    .collect(),
            ),
        };
        checks.push(check);
    }
    checks
}
