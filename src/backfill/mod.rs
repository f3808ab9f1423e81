//! Resumable, chunked backfills driven by reviewed TOML plans: the plan
//! format (`plan`), checks against the live schema (`preflight`), the SQL
//! of a chunk (`sqlgen`), the dry run (`dry_run`), the choice of the run
//! to go on with (`run_choice`), the steps in order (`steps`), the worker
//! loop (`executor`) with its claims and writes (`apply`), its pace
//! (`pace`, `throttle`) and its progress (`progress`), the state tables
//! (`state`), the check of their rows before they are trusted
//! (`integrity`), live control of a run through its control log
//! (`control`) and what `backfill status` shows of them (`overview`).
//! Owns mendb's backfill state; never changes the schema.

mod apply;
pub mod control;
mod dry_run;
mod executor;
pub mod integrity;
mod overview;
mod pace;
pub mod plan;
mod preflight;
mod progress;
mod run_choice;
pub mod sqlgen;
pub mod state;
mod steps;
mod throttle;

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Serialize;

pub use executor::Tuning;
pub use overview::{RunState, RunStatus, Status, StepStatus, status};
pub use plan::StepKind;
pub use plan::{Plan, PlanError};
use preflight::PreflightError;
pub use progress::{Event, Hold, Holder, OneWriterWhy, Rest, RetryReason, Snapshot, WaitPhase};
use state::status;
pub use throttle::LoadLimits;

/// Pauses, resumes, cancels or re-throttles the newest run of `plan`.
pub async fn control(
    db: &mut Db,
    plan: &str,
    req: &control::Request,
    lock_timeout: Duration,
) -> Result<control::Outcome, BackfillError> {
    control::apply(db, plan, req, lock_timeout).await
}

use crate::db::{Db, DbError};
use crate::exit;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub sets: Vec<String>,
    pub dry_run: bool,
    pub restart: bool,
    pub tuning: Tuning,
    pub load: LoadLimits,
    pub lock_timeout: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct DryStep {
    pub name: String,
    /// Rows to scan: counted, or the planner's guess when `estimated`.
    pub rows: u64,
    pub estimated: bool,
    pub chunks: u64,
    /// The statements of the first chunk, as sent: with placeholders.
    pub sql: Vec<String>,
    /// Each statement's bound values, in placeholder order: the first
    /// chunk's real key range and the plan's parameters.
    pub values: Vec<Vec<sqlgen::BoundValue>>,
    /// The database the statements are for.
    #[serde(skip)]
    pub dialect: crate::db::Dialect,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    pub name: String,
    pub rows: u64,
    pub chunks: u64,
    pub elapsed_ms: u128,
    pub skipped_done: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub plan: String,
    pub dry_run: bool,
    pub run_id: Option<i64>,
    pub resumed: bool,
    /// Stopped by a signal between chunks; run the same command to resume.
    pub interrupted: bool,
    /// Ended by `backfill cancel`: the run is abandoned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<control::Change>,
    pub steps: Vec<StepOutcome>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dry_steps: Vec<DryStep>,
    /// What the state check repaired before the run went on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repaired: Vec<integrity::Finding>,
    pub rows: u64,
    pub elapsed_ms: u128,
}

#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(
        "{path}: run {run_id} of plan `{plan}` was started with {what}; resuming it could mix two plans. Rerun with --restart to abandon it and start over"
    )]
    Changed {
        path: String,
        plan: String,
        run_id: i64,
        what: String,
    },
    /// The state check found what it cannot repair in the run it would
    /// resume; nothing was written.
    #[error(
        "{path}: run {run_id} of plan `{plan}` cannot be resumed: its backfill state is damaged ({} problem(s)); rerun with --restart to abandon it and start over",
        findings.len()
    )]
    Damaged {
        path: String,
        plan: String,
        run_id: i64,
        findings: Vec<integrity::Finding>,
    },
    /// The run this would resume was cancelled; only `--restart` starts
    /// another.
    #[error(
        "run {run_id} of plan `{plan}` was cancelled by {by} at {at}; rerun with --restart to start a new run"
    )]
    Cancelled {
        plan: String,
        run_id: i64,
        by: String,
        at: String,
    },
    #[error("plan `{plan}` has no run to control; `mendb backfill run {plan}` starts one")]
    NoRun { plan: String },
    #[error(
        "run {run_id} of plan `{plan}` is {status}, not running; `mendb backfill status {plan}` shows it"
    )]
    NotUnfinished {
        plan: String,
        run_id: i64,
        status: String,
    },
    #[error("plan `{plan}` step `{step}` failed: {source}")]
    Step {
        plan: String,
        step: String,
        #[source]
        source: DbError,
    },
}

impl From<PreflightError> for BackfillError {
    fn from(e: PreflightError) -> BackfillError {
        match e {
            PreflightError::Plan(p) => BackfillError::Plan(p),
            PreflightError::Db(d) => BackfillError::Db(d),
        }
    }
}

impl BackfillError {
    pub fn exit_code(&self) -> i32 {
        match self {
            BackfillError::Plan(_) => exit::PLAN_INVALID,
            BackfillError::Step {
                source: DbError::Query { .. } | DbError::Conflict(_),
                ..
            } => exit::BACKFILL_FAILED,
            BackfillError::Db(e) | BackfillError::Step { source: e, .. } => e.exit_code(),
            BackfillError::Changed { .. }
            | BackfillError::Damaged { .. }
            | BackfillError::Cancelled { .. }
            | BackfillError::NoRun { .. }
            | BackfillError::NotUnfinished { .. } => exit::WRONG_STATE,
        }
    }
}

/// Runs `plan` (or resumes its unfinished run). `stop` is checked between
/// chunks: setting it ends the run after the current chunk, resumable.
pub async fn run(
    db: &mut Db,
    plan: &Plan,
    opts: &RunOptions,
    stop: &AtomicBool,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<RunReport, BackfillError> {
    let started = Instant::now();
    let params = plan.resolve_params(&opts.sets)?;
    let checked = preflight::check(db, plan, &params).await?;
    let mut throttle = throttle::Throttle::connect(db.dialect(), &opts.load).await?;
    let params_json = run_choice::params_json(&params);
    let mut report = RunReport {
        plan: plan.name().to_string(),
        dry_run: opts.dry_run,
        run_id: None,
        resumed: false,
        interrupted: false,
        cancelled: None,
        steps: Vec::new(),
        dry_steps: Vec::new(),
        repaired: Vec::new(),
        rows: 0,
        elapsed_ms: 0,
    };
    if opts.dry_run {
        report.dry_steps = dry_run::steps(db, &checked).await?;
        report.elapsed_ms = started.elapsed().as_millis();
        return Ok(report);
    }
    // Before the plan's lock: on SQLite both are the one write lock.
    state::ensure_tables(db, opts.lock_timeout).await?;
    let choice = run_choice::Choice {
        plan,
        steps: &checked,
        params_json: &params_json,
        opts,
        on_event,
    };
    let chosen = run_choice::choose(db, &choice).await?;
    let run_id = chosen.run_id;
    report.resumed = chosen.resumed;
    report.repaired = chosen.repaired;
    report.run_id = Some(run_id);
    let mut helpers = steps::connect_workers(db, opts).await?;
    let mut workers = steps::Workers {
        db: &mut *db,
        helpers: &mut helpers,
    };
    let controls = control::Watch::new(run_id);
    let mut run = steps::Steps {
        run_id,
        steps: &checked,
        opts,
        throttle: &mut throttle,
        stop,
        controls: &controls,
        on_event,
    };
    let result = steps::run_steps(&mut workers, &mut run, &mut report).await;
    for h in helpers {
        h.close().await;
    }
    finish(db, plan, run_id, result, &mut report).await?;
    report.elapsed_ms = started.elapsed().as_millis();
    Ok(report)
}

/// Records how the run ended, and its rows when it did not fail.
async fn finish(
    db: &mut Db,
    plan: &Plan,
    run_id: i64,
    result: Result<(), (String, DbError)>,
    report: &mut RunReport,
) -> Result<(), BackfillError> {
    match result {
        // The cancel already ended the run as abandoned.
        Ok(()) if report.cancelled.is_some() => {}
        Ok(()) if report.interrupted => {
            state::set_status(db, run_id, status::INTERRUPTED, None).await?;
        }
        Ok(()) => state::set_status(db, run_id, status::FINISHED, None).await?,
        Err((step, e)) => {
            let message = e.to_string();
            // The connection may be gone; record the failure if we can.
            let _ = state::set_status(db, run_id, status::FAILED, Some(&message)).await;
            return Err(BackfillError::Step {
                plan: plan.name().to_string(),
                step,
                source: e,
            });
        }
    }
    report.rows = report
        .steps
        .iter()
        .filter(|s| !s.skipped_done)
        .map(|s| s.rows)
        .sum();
    Ok(())
}
