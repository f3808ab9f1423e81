//! `migrate up`: the pending migrations, applied one by one through
//! refinery under the migration lock; a dry run only plans them. Progress
//! leaves through `Event`s; the history is written only by refinery, via
//! `history`.

use super::common::{check_version, first_problem, step_plan, with_migration_lock};
use super::dirty::{check_not_dirty, resume_point};
use super::history;
use super::log::{self, Direction};
use super::source::{MigrationFile, MigrationSet};
use super::step::{Via, apply};
use super::{Event, MigrateError, Options, RunReport};
use crate::db::Db;

/// The pending migrations up to `to`, after checking files against history.
async fn plan_up<'s>(
    db: &mut Db,
    set: &'s MigrationSet,
    to: Option<i64>,
) -> Result<(Option<i32>, Vec<&'s MigrationFile>), MigrateError> {
    let applied = history::read_applied(db).await?;
    let (_, problems) = history::compare(set, &applied);
    first_problem(problems)?;
    let current = applied.iter().map(|a| a.version).max();
    let pending = set
        .migrations
        .iter()
        .filter(|m| current.is_none_or(|c| m.version > c))
        .filter(|m| to.is_none_or(|t| i64::from(m.version) <= t))
        .collect();
    Ok((current, pending))
}

pub async fn up(
    db: &mut Db,
    set: &MigrationSet,
    to: Option<i64>,
    dry_run: bool,
    opts: &Options,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<RunReport, MigrateError> {
    if let Some(t) = to {
        check_version(set, t, false)?;
    }
    if dry_run {
        check_not_dirty(db, set, false).await?;
        let (current, pending) = plan_up(db, set, to).await?;
        let mut steps = Vec::new();
        for m in pending {
            let resume = resume_point(db, set, m, Direction::Up).await?;
            steps.push(step_plan(m, Direction::Up, resume.done, true));
        }
        return Ok(RunReport {
            direction: Direction::Up,
            dry_run,
            from_version: current,
            to_version: steps.last().map(|s| s.version).or(current),
            steps,
            data_loss: None,
        });
    }
    let all = set.refinery_migrations();
    with_migration_lock(db, opts.lock_timeout, async |db: &mut Db| {
        log::ensure_table(db).await?;
        check_not_dirty(db, set, true).await?;
        let (current, pending) = plan_up(db, set, to).await?;
        let mut report = RunReport {
            direction: Direction::Up,
            dry_run,
            from_version: current,
            to_version: current,
            steps: Vec::new(),
            data_loss: None,
        };
        for m in pending {
            let resume = resume_point(db, set, m, Direction::Up).await?;
            let resume_after = resume.done;
            let elapsed =
                apply(db, m, Direction::Up, resume, Via::Refinery(&all), on_event).await?;
            let mut step = step_plan(m, Direction::Up, resume_after, false);
            step.elapsed_ms = Some(elapsed.as_millis());
            report.steps.push(step);
            report.to_version = Some(m.version);
        }
        Ok(report)
    })
    .await
}
