//! `migrate down`: the applied migrations to revert, newest first, checked
//! for data loss before anything runs; each down file runs with the removal
//! of its history row (`history::forget`). Progress leaves through
//! `Event`s; a dry run writes nothing.

use super::common::{check_version, first_problem, step_plan, with_migration_lock};
use super::data_loss;
use super::dirty::{check_not_dirty, resume_point};
use super::history;
use super::log::{self, Direction};
use super::source::{MigrationFile, MigrationSet};
use super::step::{Via, apply};
use super::{Event, MigrateError, Options, RunReport};
use crate::db::Db;

#[derive(Debug, Clone, Copy)]
pub enum DownTarget {
    To(i64),
    Steps(usize),
}

#[derive(Debug, Clone)]
pub struct DownOptions {
    pub target: DownTarget,
    pub dry_run: bool,
    pub allow_data_loss: bool,
}

/// Applied migrations to revert, newest first, after every check that can
/// be made without writing.
async fn plan_down<'s>(
    db: &mut Db,
    set: &'s MigrationSet,
    target: DownTarget,
) -> Result<(Option<i32>, Vec<&'s MigrationFile>), MigrateError> {
    let applied = history::read_applied(db).await?;
    let (_, problems) = history::compare(set, &applied);
    first_problem(problems)?;
    let mut versions: Vec<i32> = applied.iter().map(|a| a.version).collect();
    versions.sort_unstable_by(|a, b| b.cmp(a));
    let chosen: Vec<i32> = match target {
        DownTarget::To(to) => versions
            .into_iter()
            .filter(|v| i64::from(*v) > to)
            .collect(),
        DownTarget::Steps(n) => versions.into_iter().take(n).collect(),
    };
    let mut steps = Vec::new();
    for v in chosen {
        // compare() has already refused versions without files.
        let Some(m) = set.get(v) else { continue };
        if m.down.is_none() {
            return Err(MigrateError::MissingDown {
                version: m.version,
                name: m.name.clone(),
                expected: format!("V{}__{}.down.sql next to {}", m.version, m.name, m.up.path),
            });
        }
        steps.push(m);
    }
    Ok((applied.iter().map(|a| a.version).max(), steps))
}

pub async fn down(
    db: &mut Db,
    set: &MigrationSet,
    opts: &DownOptions,
    run: &Options,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<RunReport, MigrateError> {
    match opts.target {
        DownTarget::To(v) => check_version(set, v, true)?,
        DownTarget::Steps(_) => {}
    }
    let plan = async |db: &mut Db, settle: bool| -> Result<RunReport, MigrateError> {
        check_not_dirty(db, set, settle).await?;
        let (current, steps) = plan_down(db, set, opts.target).await?;
        let loss = data_loss::assess(db, &steps).await?;
        // A dry run shows the losses instead of refusing over them.
        if loss.needs_consent() && !opts.allow_data_loss && !opts.dry_run {
            return Err(MigrateError::DataLoss(loss));
        }
        let mut plans = Vec::new();
        for m in &steps {
            let resume = resume_point(db, set, m, Direction::Down).await?;
            plans.push(step_plan(m, Direction::Down, resume.done, opts.dry_run));
        }
        let to_version = match steps.last() {
            Some(last) => history::read_applied(db)
                .await?
                .iter()
                .map(|a| a.version)
                .filter(|v| *v < last.version)
                .max(),
            None => current,
        };
        Ok(RunReport {
            direction: Direction::Down,
            dry_run: opts.dry_run,
            from_version: current,
            to_version,
            steps: plans,
            data_loss: (!loss.is_empty()).then_some(loss),
        })
    };
    if opts.dry_run {
        return plan(db, false).await;
    }
    with_migration_lock(db, run.lock_timeout, async |db: &mut Db| {
        log::ensure_table(db).await?;
        let mut report = plan(db, true).await?;
        for step in &mut report.steps {
            let Some(m) = set.get(step.version) else {
                continue;
            };
            let resume = resume_point(db, set, m, Direction::Down).await?;
            let elapsed = apply(db, m, Direction::Down, resume, Via::Direct, on_event).await?;
            step.elapsed_ms = Some(elapsed.as_millis());
        }
        Ok(report)
    })
    .await
}
