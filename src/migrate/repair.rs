//! `migrate repair`: clears dirty marks once resuming is unambiguous, and
//! on request records the files' current checksums in the history. Runs
//! no migration file: the next `up` or `down` resumes.

use serde::Serialize;

use super::common::lock_name;
use super::dirty::{dirty_mark, prefix_digest};
use super::history;
use super::log::{self, Direction};
use super::source::MigrationSet;
use super::{DirtyKind, MigrateError, MigrationRef, Options};
use crate::db::Db;
use crate::db::lock::with_lock;

/// The user's word on statements in doubt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InDoubt {
    /// They took effect: resume after them.
    Applied,
    /// They did not: run them again.
    NotApplied,
}

#[derive(Debug, Clone, Default)]
pub struct RepairOptions {
    pub rerun: bool,
    pub in_doubt: Option<InDoubt>,
    pub recompute_checksums: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepairReport {
    /// Dirty attempts cleared, with how the next run will treat them.
    pub cleared: Vec<log::Entry>,
    pub rerun: bool,
    /// Applied migrations whose recorded checksum (and name) were updated.
    pub rechecksummed: Vec<MigrationRef>,
}

/// Clears the dirty marks, after checking that resuming is unambiguous:
/// statements in doubt need the user's word, and committed statements that
/// were edited since rule out resuming (only `--restart` is left).
async fn repair_dirty(
    db: &mut Db,
    set: &MigrationSet,
    opts: &RepairOptions,
) -> Result<Vec<log::Entry>, MigrateError> {
    log::settle_interrupted(db).await?;
    let mut waiting = log::awaiting_resume(db).await?;
    log::mark_still_running(db, &mut waiting).await?;
    if opts.in_doubt.is_some() && !waiting.iter().any(|e| e.in_doubt().is_some()) {
        return Err(MigrateError::NothingInDoubt(match waiting.first() {
            Some(e) => format!(
                "V{}__{} has no statement in doubt; run `mendb migrate repair` without --in-doubt",
                e.version, e.name
            ),
            None => "no migration is dirty; `mendb migrate status` shows the state".into(),
        }));
    }
    let mut cleared = Vec::new();
    for mut e in waiting {
        if opts.rerun {
            log::resolve(
                db,
                e.id,
                log::status::RERUN,
                e.statements_done,
                e.done_digest.as_deref(),
            )
            .await?;
            e.status = log::status::RERUN.into();
            cleared.push(e);
            continue;
        }
        let (done, recorded) = match (e.in_doubt(), opts.in_doubt) {
            // Only the user can settle a doubt, and only once the statement
            // can no longer commit.
            (Some(_), _) if opts.in_doubt.is_none() || e.still_running => {
                return Err(MigrateError::Dirty(Box::new(dirty_mark(&e, set, None))));
            }
            (Some((_, last)), Some(InDoubt::Applied)) => (last, e.started_digest.clone()),
            (_, _) => (e.statements_done, e.done_digest.clone()),
        };
        let direction = if e.direction == "down" {
            Direction::Down
        } else {
            Direction::Up
        };
        let edited = match set.get(e.version) {
            Some(m) => {
                done > 0
                    && recorded.as_deref()
                        != Some(prefix_digest(m, direction, done as usize).as_str())
            }
            None => true,
        };
        if edited {
            let mut mark = dirty_mark(&e, set, Some(DirtyKind::Edited));
            mark.done = done;
            return Err(MigrateError::Dirty(Box::new(mark)));
        }
        log::resolve(db, e.id, log::status::REPAIRED, done, recorded.as_deref()).await?;
        e.status = log::status::REPAIRED.into();
        e.statements_done = done;
        e.statement_started = done;
        cleared.push(e);
    }
    Ok(cleared)
}

pub async fn repair(
    db: &mut Db,
    set: &MigrationSet,
    opts: &RepairOptions,
    run: &Options,
) -> Result<RepairReport, MigrateError> {
    with_lock(db, &lock_name(), run.lock_timeout, async |db: &mut Db| {
        log::ensure_table(db).await?;
        let cleared = repair_dirty(db, set, opts).await?;
        let mut rechecksummed = Vec::new();
        if opts.recompute_checksums {
            for a in history::read_applied(db).await? {
                let Some(m) = set.get(a.version) else {
                    continue;
                };
                if a.checksum == m.checksum().to_string() && a.name == m.name {
                    continue;
                }
                history::set_checksum(db, m).await?;
                rechecksummed.push(MigrationRef {
                    version: m.version,
                    name: m.name.clone(),
                });
            }
        }
        Ok(RepairReport {
            cleared,
            rerun: opts.rerun,
            rechecksummed,
        })
    })
    .await
}
