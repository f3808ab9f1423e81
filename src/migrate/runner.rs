//! What each migrate command decides and does: plan from files and history,
//! take the lock, refuse on a dirty or divergent database, apply or revert
//! step by step, and return a report. Progress leaves through `Event`s; no
//! output is written here.

use std::time::{Duration, Instant};

use refinery_core::traits::r#async::{AsyncMigrate, AsyncTransaction};
use refinery_core::{Target, error::Kind};
use serde::Serialize;

use super::data_loss::{self, DataLoss};
use super::driver::{Driver, HISTORY_TABLE, Step};
use super::history::{self, HistoryProblem, StatusReport};
use super::log::{self, Direction};
use super::source::{MigrationFile, MigrationSet};
use super::{DirtyKind, DirtyMark, MigrateError, MigrationRef, StatementFailed};
use crate::checksum::Digest;
use crate::db::lock::{LockName, with_lock};
use crate::db::{Db, Param};

/// Settings shared by the mutating commands.
#[derive(Debug, Clone)]
pub struct Options {
    pub lock_timeout: Duration,
}

/// Progress of a run, for the caller to render.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    Started {
        direction: Direction,
        migration: &'a MigrationFile,
        resume_after: usize,
    },
    Finished {
        direction: Direction,
        migration: &'a MigrationFile,
        elapsed: Duration,
    },
    Failed {
        direction: Direction,
        migration: &'a MigrationFile,
        elapsed: Duration,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct StepPlan {
    pub version: i32,
    pub name: String,
    pub path: String,
    /// Statements completed by an earlier, repaired attempt that will be skipped.
    pub resume_after: usize,
    /// The statements that will run (dry runs only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u128>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub direction: Direction,
    pub dry_run: bool,
    pub from_version: Option<i32>,
    pub to_version: Option<i32>,
    pub steps: Vec<StepPlan>,
    /// What a revert destroys (or, in a dry run, would destroy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_loss: Option<DataLoss>,
}

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

fn lock_name() -> LockName {
    LockName("migrate".into())
}

/// The migration lock, around work that runs migration files. Where the
/// files share mendb's connection (SQLite), that connection first gets the
/// settings the native client has (foreign keys off, SQLite's default),
/// which cannot change once the lock's transaction is open.
async fn with_migration_lock<T>(
    db: &mut Db,
    timeout: Duration,
    work: impl AsyncFnOnce(&mut Db) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let (enter, leave) = db.dialect().shared_session_settings();
    db.execute(enter).await?;
    let result = with_lock(db, &lock_name(), timeout, work).await;
    let restored = db.execute(leave).await;
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

/// Refuses while a dirty mark stands. `settle` (lock held) first turns the
/// interrupted attempts of transactional databases into finished or
/// rolled-back ones.
async fn check_not_dirty(
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
fn dirty_mark(e: &log::Entry, set: &MigrationSet, kind: Option<DirtyKind>) -> DirtyMark {
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

fn first_problem(problems: Vec<HistoryProblem>) -> Result<(), MigrateError> {
    match problems.into_iter().next() {
        Some(p) => Err(MigrateError::History(p)),
        None => Ok(()),
    }
}

/// Digest of a file's first `n` statements, as the log records them.
fn prefix_digest(m: &MigrationFile, direction: Direction, n: usize) -> String {
    let mut digest = Digest::default();
    for stmt in m.statements(direction).iter().take(n) {
        digest.add(&stmt.text);
    }
    digest.hex()
}

/// Where a repaired attempt lets this run resume, after checking that the
/// statements it committed are still the file's first ones.
async fn resume_point(
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

fn step_plan(
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

pub async fn status(db: &mut Db, set: &MigrationSet) -> Result<StatusReport, MigrateError> {
    let applied = history::read_applied(db).await?;
    let (mut rows, problems) = history::compare(set, &applied);
    let mut dirty = log::unfinished(db).await?;
    log::mark_still_running(db, &mut dirty).await?;
    for entry in &dirty {
        if let Some(row) = rows.iter_mut().find(|r| r.version == entry.version) {
            row.state = history::MigrationState::Dirty;
        }
    }
    Ok(StatusReport {
        database: db.url().to_string(),
        dialect: db.dialect(),
        migrations: set.origin.clone(),
        current_version: applied.iter().map(|a| a.version).max(),
        latest_version: set.latest_version(),
        pending: rows
            .iter()
            .filter(|r| r.state == history::MigrationState::Pending)
            .count(),
        rows,
        dirty,
        problems: problems.iter().map(ToString::to_string).collect(),
    })
}

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

/// How a step reaches the database: ups go through refinery so its checks
/// and history bookkeeping run; downs undo refinery's history row directly.
enum Via<'a> {
    Refinery(&'a [refinery_core::Migration]),
    Direct,
}

async fn apply(
    db: &mut Db,
    m: &MigrationFile,
    direction: Direction,
    resume: log::Resume,
    via: Via<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Duration, MigrateError> {
    let file = m.file(direction).ok_or_else(|| MigrateError::MissingDown {
        version: m.version,
        name: m.name.clone(),
        expected: format!("V{}__{}.down.sql", m.version, m.name),
    })?;
    let total = file.statements.len();
    let statement_by_statement = file.statement_by_statement(db.dialect());
    let attempt = log::Attempt {
        version: m.version,
        name: &m.name,
        direction,
        checksum: m.checksum(),
        statements_total: total,
        statement_by_statement,
    };
    let log_id = log::start(db, &attempt, &resume).await?;
    on_event(Event::Started {
        direction,
        migration: m,
        resume_after: resume.done,
    });
    let started = Instant::now();
    let mut driver = Driver::new(db);
    let step = Step {
        sql: file.sql.clone(),
        statements: file.statements.clone(),
        log_id,
        skip: resume.done,
        statement_by_statement,
    };
    let result = match driver.set_step(step).await {
        Err(e) => Err(MigrateError::from(e)),
        Ok(()) => match via {
            Via::Refinery(all) => driver
                .migrate(
                    all,
                    true,
                    true,
                    false,
                    Target::Version(m.version),
                    HISTORY_TABLE,
                )
                .await
                .map(|_| ())
                .map_err(|e| refinery_error(e, m)),
            Via::Direct => {
                let delete = format!("DELETE FROM {HISTORY_TABLE} WHERE version = {}", m.version);
                driver
                    .execute([file.sql.as_str(), delete.as_str()].into_iter())
                    .await
                    .map(|_| ())
                    .map_err(MigrateError::from)
            }
        },
    };
    driver.finish().await;
    let failure = driver.take_failure();
    let elapsed = started.elapsed();
    let err = match result {
        Ok(()) => {
            log::finish(db, log_id).await?;
            on_event(Event::Finished {
                direction,
                migration: m,
                elapsed,
            });
            return Ok(elapsed);
        }
        Err(err) => err,
    };
    on_event(Event::Failed {
        direction,
        migration: m,
        elapsed,
    });
    let dirty_capable = file.statement_by_statement(db.dialect());
    let Some(f) = failure else {
        // Nothing of this attempt ran; what an earlier one committed stays.
        let status = if dirty_capable && resume.done > 0 {
            log::status::FAILED
        } else {
            log::status::ROLLED_BACK
        };
        log::fail(db, log_id, status, None, None, &err.to_string(), false).await?;
        return Err(err);
    };
    let left_dirty = dirty_capable && f.left_dirty();
    let status = if left_dirty {
        log::status::FAILED
    } else {
        log::status::ROLLED_BACK
    };
    let failed = StatementFailed {
        version: m.version,
        name: m.name.clone(),
        path: file.path.clone(),
        line: f.line,
        statement_index: f.index,
        error: f.error.clone(),
        done: f.done,
        left_dirty,
        in_doubt: f.in_doubt,
        bookkeeping: f.bookkeeping,
        transactional: !dirty_capable,
    };
    if failed.in_doubt && failed.transactional {
        // The COMMIT's answer was lost: the migration and its history row
        // committed together or not at all. The attempt stays `running`,
        // and the next locked run reads which from the history.
        return Err(MigrateError::Failed(Box::new(failed)));
    }
    let recorded = log::fail(
        db,
        log_id,
        status,
        Some(f.line),
        Some(&f.statement),
        &f.error,
        failed.in_doubt,
    )
    .await;
    if let Err(e) = recorded {
        // The log row still says what was sent and what committed, which is
        // what the next run reads; the user needs the file and line now.
        let table = log::TABLE;
        tracing::error!(error = %e, "could not record the failure in {table}");
        return Err(MigrateError::Failed(Box::new(StatementFailed {
            in_doubt: dirty_capable || failed.in_doubt,
            bookkeeping: true,
            ..failed
        })));
    }
    Err(MigrateError::Failed(Box::new(failed)))
}

fn refinery_error(e: refinery_core::Error, m: &MigrationFile) -> MigrateError {
    match e.kind() {
        Kind::DivergentVersion(applied, _) => MigrateError::History(HistoryProblem::Changed {
            version: applied.version(),
            name: applied.name().to_string(),
            path: m.up.path.clone(),
        }),
        // mendb checks files against history before refinery does, so this
        // only happens when the history changed in between.
        Kind::MissingVersion(missing) => MigrateError::History(HistoryProblem::MissingFile {
            version: missing.version(),
            name: missing.name().to_string(),
            origin: "the migration files".into(),
        }),
        _ => MigrateError::Refinery(e.to_string()),
    }
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

#[derive(Debug, Clone, Serialize)]
pub struct BaselineReport {
    pub version: i32,
    pub recorded: Vec<MigrationRef>,
    /// `--force`'s reason, when the schema differed and it was recorded
    /// anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced: Option<String>,
    /// How the live schema differed from what the migrations build.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<String>,
    /// The other tool's history this baseline adopted (`--from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted: Option<super::Adoption>,
}

/// What a baseline found when it compared the live schema with what the
/// migrations up to its version build (`verify::baseline_differences`).
#[derive(Debug, Clone, Default)]
pub struct BaselineCheck {
    pub differences: Vec<String>,
    /// `--force REASON`: record the version even though they differ.
    pub force: Option<String>,
}

/// Refuses a baseline of a database that already has a history, before
/// anything costly is done to check its schema.
pub async fn check_no_history(db: &mut Db) -> Result<(), MigrateError> {
    match history::read_applied(db)
        .await?
        .iter()
        .map(|a| a.version)
        .max()
    {
        Some(latest) => Err(MigrateError::AlreadyBaselined { latest }),
        None => Ok(()),
    }
}

/// Records every migration up to `version` as applied without running it:
/// how an existing production database is adopted. Only when `check`
/// found the live schema to be what those migrations build, unless
/// forced; then the reason and the differences are logged.
pub async fn baseline(
    db: &mut Db,
    set: &MigrationSet,
    version: i64,
    opts: &Options,
    check: BaselineCheck,
) -> Result<BaselineReport, MigrateError> {
    check_version(set, version, false)?;
    let all = set.refinery_migrations();
    with_lock(db, &lock_name(), opts.lock_timeout, async |db: &mut Db| {
        check_no_history(db).await?;
        let version = version as i32;
        let BaselineCheck { differences, force } = check;
        if !differences.is_empty() && force.is_none() {
            return Err(MigrateError::BaselineDiffers {
                version,
                differences,
            });
        }
        log::ensure_table(db).await?;
        let mut driver = Driver::new(db);
        let target = Target::FakeVersion(version);
        driver
            .migrate(&all, true, true, false, target, HISTORY_TABLE)
            .await
            .map_err(|e| MigrateError::Refinery(e.to_string()))?;
        if let Some(reason) = &force {
            let name = set.get(version).map(|m| m.name.clone()).unwrap_or_default();
            log::record_forced_baseline(db, version, &name, reason, &differences).await?;
        }
        Ok(BaselineReport {
            version,
            recorded: set
                .migrations
                .iter()
                .filter(|m| m.version <= version)
                .map(|m| MigrationRef {
                    version: m.version,
                    name: m.name.clone(),
                })
                .collect(),
            forced: force,
            differences,
            adopted: None,
        })
    })
    .await
}

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
/// were edited since rule out resuming (only `--rerun` is left).
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
            let d = db.dialect();
            for a in history::read_applied(db).await? {
                let Some(m) = set.get(a.version) else {
                    continue;
                };
                if a.checksum == m.checksum().to_string() && a.name == m.name {
                    continue;
                }
                let sql = format!(
                    "UPDATE {HISTORY_TABLE} SET checksum = {}, name = {} WHERE version = {}",
                    d.param(1),
                    d.param(2),
                    d.param(3)
                );
                let checksum = m.checksum().to_string();
                db.run(
                    &sql,
                    &[
                        Param::Text(&checksum),
                        Param::Text(&m.name),
                        Param::Int(i64::from(m.version)),
                    ],
                )
                .await?;
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
