//! Reading the dirty marks the log holds: refusing a run while one stands,
//! describing it, and where a repaired attempt lets the next one resume.
//! The log's rows are written in `log`; the commands decide.

use super::log::{self, Direction};
use super::source::{MigrationFile, MigrationSet};
use super::{DirtyKind, DirtyMark, MigrateError};
use crate::checksum::Digest;
use crate::db::Db;

/// Refuses while a dirty mark stands. `settle` (lock held) first turns the
/// interrupted attempts of transactional databases into finished or
/// rolled-back ones.
pub(super) async fn check_not_dirty(
    db: &mut Db,
    set: &MigrationSet,
    settle: bool,
) -> Result<(), MigrateError> {
    let dirty = if settle {
        log::settle_interrupted(db).await?
    } else {
        log::unfinished(db).await?
    };
    let mut dirty: Vec<log::Entry> = dirty.into_iter().take(1).collect();
    log::mark_still_running(db, &mut dirty).await?;
    match dirty.first() {
        None => Ok(()),
        Some(e) => Err(MigrateError::Dirty(Box::new(dirty_mark(e, set, None)))),
    }
}

/// What a dirty attempt means, with the file's own line for the statement
/// at issue. `kind` overrides what the log row alone says.
pub(super) fn dirty_mark(e: &log::Entry, set: &MigrationSet, kind: Option<DirtyKind>) -> DirtyMark {
    let kind = kind.unwrap_or(match e.in_doubt() {
        Some((first, last)) => DirtyKind::InDoubt { first, last },
        None => DirtyKind::Stopped,
    });
    let index = match kind {
        DirtyKind::InDoubt { first, .. } => first,
        DirtyKind::Stopped | DirtyKind::Edited => e.statements_done + 1,
    };
    let direction = if e.direction == "down" {
        Direction::Down
    } else {
        Direction::Up
    };
    let file = set.get(e.version).and_then(|m| m.file(direction));
    let stmt = file.and_then(|f| {
        usize::try_from(index - 1)
            .ok()
            .and_then(|i| f.statements.get(i))
    });
    let stopped = e.status == log::status::RUNNING;
    DirtyMark {
        version: e.version,
        name: e.name.clone(),
        direction: e.direction.clone(),
        path: file.map_or_else(|| format!("V{}__{}", e.version, e.name), |f| f.path.clone()),
        done: e.statements_done,
        total: e.statements_total,
        kind,
        statement_index: index,
        line: stmt.map_or(0, |s| s.line),
        statement: stmt.map_or_else(
            || "(past the end of the file: only the migration's record is missing)".into(),
            |s| s.text.clone(),
        ),
        error: match (&e.error, stopped) {
            (Some(err), _) => err.clone(),
            (None, true) => "the process stopped".into(),
            (None, false) => "no error recorded".into(),
        },
        still_running_in: e.session_id.filter(|_| e.still_running),
    }
}

/// Digest of a file's first `n` statements, as the log records them.
pub(super) fn prefix_digest(m: &MigrationFile, direction: Direction, n: usize) -> String {
    let mut digest = Digest::default();
    for stmt in m.statements(direction).iter().take(n) {
        digest.add(&stmt.text);
    }
    digest.hex()
}

/// Where a repaired attempt lets this run resume, after checking that the
/// statements it committed are still the file's first ones.
pub(super) async fn resume_point(
    db: &mut Db,
    set: &MigrationSet,
    m: &MigrationFile,
    direction: Direction,
) -> Result<log::Resume, MigrateError> {
    let Some(entry) = log::resumable(db, m.version, direction).await? else {
        return Ok(log::Resume::default());
    };
    let done = entry.statements_done as usize;
    let digest = prefix_digest(m, direction, done);
    if entry.done_digest.as_deref() == Some(digest.as_str()) {
        Ok(log::Resume {
            done,
            digest: Some(digest),
        })
    } else {
        Err(MigrateError::Dirty(Box::new(dirty_mark(
            &entry,
            set,
            Some(DirtyKind::Edited),
        ))))
    }
}
