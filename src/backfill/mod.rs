//! Resumable, chunked backfills driven by reviewed TOML plans: the plan
//! format (`plan`), checks against the live schema (`preflight`), the SQL
//! of a chunk (`sqlgen`), the chunk loop (`executor`), the state tables
//! (`state`) and the check of their rows before they are trusted
//! (`integrity`). Owns mendb's backfill state; never changes the schema.

mod dry_run;
mod executor;
pub mod integrity;
pub mod plan;
mod preflight;
mod sqlgen;
pub mod state;
mod throttle;

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Serialize;

pub use executor::{Event, Holder, StepOutcome, Tuning};
pub use plan::{Plan, PlanError};
use preflight::PreflightError;
use state::status;
pub use throttle::LoadLimits;

use crate::db::lock::{LockName, with_lock};
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
    /// The statements of the first chunk, placeholders unbound.
    pub sql: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub plan: String,
    pub dry_run: bool,
    pub run_id: Option<i64>,
    pub resumed: bool,
    /// Stopped by a signal between chunks; run the same command to resume.
    pub interrupted: bool,
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
            BackfillError::Changed { .. } | BackfillError::Damaged { .. } => exit::WRONG_STATE,
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
    let steps = preflight::check(db, plan, &params).await?;
    let mut throttle = throttle::Throttle::connect(db.dialect(), &opts.load).await?;
    let params_json = serde_json::to_string(
        &params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_text()))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .unwrap_or_default();
    let mut report = RunReport {
        plan: plan.name().to_string(),
        dry_run: opts.dry_run,
        run_id: None,
        resumed: false,
        interrupted: false,
        steps: Vec::new(),
        dry_steps: Vec::new(),
        repaired: Vec::new(),
        rows: 0,
        elapsed_ms: 0,
    };
    if opts.dry_run {
        // Counting runs the plan's filter: like the checks, on a session
        // that cannot write.
        report.dry_steps = db
            .read_only(async |db: &mut Db| dry_run::steps(db, &steps).await)
            .await?;
        report.elapsed_ms = started.elapsed().as_millis();
        return Ok(report);
    }
    // Before the plan's lock: on SQLite both are the one write lock.
    state::ensure_tables(db, opts.lock_timeout).await?;
    let shapes: Vec<integrity::StepShape> = steps
        .iter()
        .map(|s| integrity::StepShape {
            name: s.step.name.get_ref().clone(),
            key: s.key.clone(),
        })
        .collect();
    let lock = LockName(format!("backfill:{}", plan.name()));
    // Only choosing the run needs the plan's lock: other processes on the
    // same plan join the run, and leases keep their workers apart.
    let run_id = with_lock(db, &lock, opts.lock_timeout, async |db: &mut Db| {
        let unfinished = state::runs(db, Some(plan.name()))
            .await?
            .into_iter()
            .find(|r| {
                [status::RUNNING, status::INTERRUPTED, status::FAILED].contains(&r.status.as_str())
            });
        let run_id = match unfinished {
            Some(r) if opts.restart => {
                state::set_status(db, r.id, status::ABANDONED, Some("replaced by --restart"))
                    .await?;
                None
            }
            Some(r) if r.checksum != plan.checksum => {
                return Err(BackfillError::Changed {
                    path: plan.path.clone(),
                    plan: plan.name().to_string(),
                    run_id: r.id,
                    what: format!(
                        "another version of the plan file (checksum {} then, {} now)",
                        r.checksum, plan.checksum
                    ),
                });
            }
            Some(r) if r.params != params_json => {
                return Err(BackfillError::Changed {
                    path: plan.path.clone(),
                    plan: plan.name().to_string(),
                    run_id: r.id,
                    what: format!("other parameters ({} then, {} now)", r.params, params_json),
                });
            }
            Some(r) => Some(r.id),
            None => None,
        };
        // The state is checked before anything trusts it: what the data
        // settles is repaired, anything else refuses the run untouched.
        let runs = state::runs(db, Some(plan.name())).await?;
        let findings = integrity::at_run_start(db, &runs, run_id, &shapes).await?;
        let refused: Vec<integrity::Finding> =
            findings.iter().filter(|f| f.refuses()).cloned().collect();
        if let (false, Some(id)) = (refused.is_empty(), run_id) {
            return Err(BackfillError::Damaged {
                path: plan.path.clone(),
                plan: plan.name().to_string(),
                run_id: id,
                findings: refused,
            });
        }
        for finding in &findings {
            integrity::repair(db, finding).await?;
            on_event(Event::State { finding });
        }
        report.repaired = findings
            .into_iter()
            .filter(|f| matches!(f.action, integrity::Action::Repair(_)))
            .collect();
        Ok::<_, BackfillError>(match run_id {
            Some(id) => {
                report.resumed = true;
                state::set_status(db, id, status::RUNNING, None).await?;
                id
            }
            None => {
                let names: Vec<String> = steps
                    .iter()
                    .map(|s| s.step.name.get_ref().clone())
                    .collect();
                state::create_run(db, plan.name(), &plan.checksum, &params_json, &names).await?
            }
        })
    })
    .await?;
    report.run_id = Some(run_id);
    let mut helpers = connect_workers(db, opts).await?;
    let result = run_steps(
        db,
        &mut helpers,
        run_id,
        &steps,
        opts,
        &mut throttle,
        stop,
        on_event,
        &mut report,
    )
    .await;
    for h in helpers {
        h.close().await;
    }
    match result {
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
    report.elapsed_ms = started.elapsed().as_millis();
    Ok(report)
}

/// Connections for the workers beyond the first, which uses `db`.
async fn connect_workers(db: &Db, opts: &RunOptions) -> Result<Vec<Db>, DbError> {
    let mut helpers = Vec::new();
    for _ in 1..opts.tuning.workers.max(1) {
        let mut helper = Db::connect(db.url(), Duration::ZERO).await?;
        if helper.dialect() == crate::db::Dialect::Sqlite {
            crate::db::lock::set_busy_timeout(&mut helper, opts.lock_timeout).await?;
        }
        helpers.push(helper);
    }
    Ok(helpers)
}

/// Names a worker in leases: host, process and worker number, so a
/// worker of another pod is told apart from one of this process.
fn owner_name(n: usize) -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}:w{n}", std::process::id())
}

/// The steps in order, each with every worker; a step starts once the one
/// before it is finished everywhere. An error comes back with its step.
#[allow(clippy::too_many_arguments)]
async fn run_steps(
    db: &mut Db,
    helpers: &mut [Db],
    run_id: i64,
    steps: &[sqlgen::StepSql<'_>],
    opts: &RunOptions,
    throttle: &mut throttle::Throttle,
    stop: &AtomicBool,
    on_event: &(dyn Fn(Event<'_>) + Sync),
    report: &mut RunReport,
) -> Result<(), (String, DbError)> {
    let saved = state::steps(db, run_id)
        .await
        .map_err(|e| (String::new(), e))?;
    let owners: Vec<String> = (0..=helpers.len()).map(owner_name).collect();
    for (index, step) in steps.iter().enumerate() {
        let name = step.step.name.get_ref().clone();
        // The state check at the start vouches for every row; one gone
        // since must not pass for a step with nothing to do.
        let Some(s) = saved.iter().find(|s| s.step_index == index as i64) else {
            return Err((
                name,
                DbError::Conflict(format!(
                    "the row mendb_backfill_steps run_id = {run_id} AND step_index = {index} is gone; rerun the plan to have its state checked"
                )),
            ));
        };
        if s.done {
            report.steps.push(StepOutcome {
                name: s.step_name.clone(),
                rows: s.rows_written.max(0) as u64,
                chunks: s.chunks.max(0) as u64,
                elapsed_ms: 0,
                skipped_done: true,
            });
            continue;
        }
        let started = Instant::now();
        let fail = |e: DbError| (name.clone(), e);
        let remaining_sql = step.remaining_query(s.cursor.as_deref());
        let count = db
            .rows_in(&remaining_sql.text, &remaining_sql.params())
            .await
            .map_err(fail)?;
        on_event(Event::StepStarted {
            step: &name,
            index,
            remaining: count.get(),
            estimated: count.is_estimate(),
            resumed: s.cursor.is_some(),
        });
        let crew = executor::Crew {
            run_id,
            index,
            step,
            tuning: &opts.tuning,
            lock_timeout: opts.lock_timeout,
            throttle: tokio::sync::Mutex::new(&mut *throttle),
            stop,
            abort: AtomicBool::new(false),
            progress: std::sync::Mutex::new(executor::Progress {
                scanned: 0,
                remaining: count.get(),
            }),
            on_event,
        };
        let crew_ref = &crew;
        let workers = std::iter::once(&mut *db)
            .chain(helpers.iter_mut())
            .zip(&owners)
            .map(|(db, owner)| async move {
                let result = executor::work(db, crew_ref, owner).await;
                if result.is_err() {
                    crew_ref
                        .abort
                        .store(true, std::sync::atomic::Ordering::SeqCst);
                }
                result
            });
        let results = futures_util::future::join_all(workers).await;
        let mut stopped = false;
        for r in results {
            match r {
                Ok(executor::Stop::Finished) => {}
                Ok(executor::Stop::Interrupted) => stopped = true,
                Err(e) => return Err(fail(e)),
            }
        }
        let now = state::steps(db, run_id).await.map_err(fail)?;
        let (rows, chunks) = now
            .iter()
            .find(|x| x.step_index == index as i64)
            .map_or((0, 0), |x| {
                (x.rows_written.max(0) as u64, x.chunks.max(0) as u64)
            });
        report.steps.push(StepOutcome {
            name: name.clone(),
            rows,
            chunks,
            elapsed_ms: started.elapsed().as_millis(),
            skipped_done: false,
        });
        if stopped {
            report.interrupted = true;
            return Ok(());
        }
        on_event(Event::StepFinished {
            step: &name,
            rows,
            chunks,
            elapsed: started.elapsed(),
        });
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct RunStatus {
    pub run: state::Run,
    pub steps: Vec<state::StepState>,
    pub leases: Vec<state::LeaseRow>,
    /// What the state check found in this run's rows.
    pub findings: Vec<integrity::Finding>,
}

/// Runs and what the state check found.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub runs: Vec<RunStatus>,
    /// Leases of runs that are not recorded.
    pub stray_leases: Vec<state::LeaseRow>,
    pub stray_findings: Vec<integrity::Finding>,
    /// The database's clock, in the seconds leases expire in.
    pub now: i64,
}

/// Runs with their steps and leases, newest first, each checked; `plan`
/// narrows to one plan and lets the runs started from this very file be
/// checked against its steps and keys too.
pub async fn status(db: &mut Db, plan: Option<&Plan>) -> Result<Status, BackfillError> {
    let runs = state::runs(db, plan.map(Plan::name)).await?;
    let mut out = Status::default();
    // State tables left half made by an interrupted first run hold
    // nothing to check.
    let complete = crate::db::introspect::table_exists(db, "mendb_backfill_runs").await?
        && crate::db::introspect::table_exists(db, "mendb_backfill_leases").await?
        && crate::db::introspect::table_exists(db, "mendb_backfill_chunks").await?;
    let shapes = match plan {
        Some(p) if complete => Some(integrity::shapes(db, p).await?),
        _ => None,
    };
    if complete {
        out.now = state::epoch_now(db).await?;
        out.stray_leases = state::leases_without_run(db).await?;
        out.stray_findings = integrity::judge_strays(&out.stray_leases);
    }
    for run in runs {
        let steps = state::steps(db, run.id).await?;
        let (leases, findings) = if complete {
            let stored = integrity::read_run(db, &run).await?;
            let same_file = plan.is_some_and(|p| p.checksum == run.checksum);
            let cx = integrity::Context {
                shapes: shapes.as_deref().filter(|_| same_file),
                dialect: db.dialect(),
                now: out.now,
            };
            (stored.leases.clone(), integrity::judge(&stored, &cx))
        } else {
            (Vec::new(), Vec::new())
        };
        out.runs.push(RunStatus {
            run,
            steps,
            leases,
            findings,
        });
    }
    Ok(out)
}
