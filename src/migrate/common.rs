//! What every migrate command shares: the migration lock, the check of a
//! requested version, the first history problem as an error, and a step as
//! the report shows it. Holds none of the commands' decisions.

use std::time::Duration;

use super::history::HistoryProblem;
use super::log::Direction;
use super::source::{MigrationFile, MigrationSet};
use super::{MigrateError, StepPlan};
use crate::db::Db;
use crate::db::lock::{LockName, with_lock};

pub(super) fn lock_name() -> LockName {
    LockName("migrate".into())
}

/// The migration lock, around work that runs migration files. Where the
/// files share mendb's connection (SQLite), that connection first gets the
/// settings the native client has (foreign keys off, SQLite's default),
/// which cannot change once the lock's transaction is open.
pub(super) async fn with_migration_lock<T>(
    db: &mut Db,
    timeout: Duration,
    work: impl AsyncFnOnce(&mut Db) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let (enter, leave) = db.dialect().shared_session_settings();
    db.execute_script(enter).await?;
    let result = with_lock(db, &lock_name(), timeout, work).await;
    let restored = db.execute_script(leave).await;
    let value = result?;
    restored?;
    Ok(value)
}

/// Refuses a version the migration files don't have (`allow_zero` for
/// "revert everything").
pub fn check_version(
    set: &MigrationSet,
    version: i64,
    allow_zero: bool,
) -> Result<(), MigrateError> {
    let known = (allow_zero && version == 0)
        || set
            .migrations
            .iter()
            .any(|m| i64::from(m.version) == version);
    if known {
        return Ok(());
    }
    let available = match (set.migrations.first(), set.migrations.last()) {
        (Some(first), Some(last)) => format!(
            "versions {}{}",
            if allow_zero { "0, " } else { "" },
            if first.version == last.version {
                first.version.to_string()
            } else {
                format!("{} to {}", first.version, last.version)
            }
        ),
        _ => "no migrations".to_string(),
    };
    Err(MigrateError::UnknownVersion {
        version,
        origin: set.origin.clone(),
        available,
    })
}

pub(super) fn first_problem(problems: Vec<HistoryProblem>) -> Result<(), MigrateError> {
    match problems.into_iter().next() {
        Some(p) => Err(MigrateError::History(p)),
        None => Ok(()),
    }
}

pub(super) fn step_plan(
    m: &MigrationFile,
    direction: Direction,
    resume_after: usize,
    dry_run: bool,
) -> StepPlan {
    StepPlan {
        version: m.version,
        name: m.name.clone(),
        path: m
            .file(direction)
            .map(|f| f.path.clone())
            .unwrap_or_default(),
        resume_after,
        statements: if dry_run {
            m.statements(direction)
                .into_iter()
                .skip(resume_after)
                .map(|s| s.text)
                .collect()
        } else {
            Vec::new()
        },
        elapsed_ms: None,
    }
}
