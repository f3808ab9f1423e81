//! The steps of a chosen run, in order, each with every worker of this
//! process: a step starts once the one before it is finished everywhere,
//! a step already done is reported and skipped. Opens the workers'
//! connections; the chunks themselves are the executor's.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::control::{self, Watch};
use super::executor::{self, Crew, Stop};
use super::progress::{Event, OneWriterWhy, Progress};
use super::sqlgen::StepSql;
use super::state::{self, StepState};
use super::throttle::Throttle;
use super::{RunOptions, RunReport, StepOutcome};
use crate::db::{Db, DbError, Dialect, load};

/// Connections for the workers beyond the first, which uses `db`.
pub async fn connect_workers(db: &Db, opts: &RunOptions) -> Result<Vec<Db>, DbError> {
    let mut helpers = Vec::new();
    for _ in 1..opts.tuning.workers.max(1) {
        let mut helper = Db::connect(db.url(), Duration::ZERO).await?;
        if helper.dialect() == Dialect::Sqlite {
            crate::db::lock::set_busy_timeout(&mut helper, opts.lock_timeout).await?;
        }
        helpers.push(helper);
    }
    Ok(helpers)
}

/// Names a worker in leases: host, process and worker number, so a
/// worker of another pod is told apart from one of this process.
fn owner_name(n: usize) -> String {
    format!("{}:{}:w{n}", control::host_name(), std::process::id())
}

/// What every step of the run shares.
pub struct Steps<'a> {
    pub run_id: i64,
    pub steps: &'a [StepSql<'a>],
    pub opts: &'a RunOptions,
    pub throttle: &'a mut Throttle,
    pub stop: &'a AtomicBool,
    pub controls: &'a Watch,
    pub on_event: &'a (dyn Fn(Event<'_>) + Sync),
}

/// The workers' connections: `db` first, then the helpers.
pub struct Workers<'a> {
    pub db: &'a mut Db,
    pub helpers: &'a mut [Db],
}

/// Runs the steps in order into `report`. An error comes back with its
/// step.
pub async fn run_steps(
    w: &mut Workers<'_>,
    run: &mut Steps<'_>,
    report: &mut RunReport,
) -> Result<(), (String, DbError)> {
    let saved = state::steps(w.db, run.run_id)
        .await
        .map_err(|e| (String::new(), e))?;
    let owners: Vec<String> = (0..=w.helpers.len()).map(owner_name).collect();
    for (index, step) in run.steps.iter().enumerate() {
        let name = step.def.name.get_ref().clone();
        // The state check at the start vouches for every row; one gone
        // since must not pass for a step with nothing to do.
        let Some(s) = saved.iter().find(|s| s.step_index == index as i64) else {
            return Err((
                name,
                DbError::Conflict(format!(
                    "the row mendb_backfill_steps run_id = {} AND step_index = {index} is gone; rerun the plan to have its state checked",
                    run.run_id
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
        let (outcome, stopped) = run_step(w, run, &owners, index, step, s)
            .await
            .map_err(|e| (name.clone(), e))?;
        let (rows, chunks) = (outcome.rows, outcome.chunks);
        report.steps.push(outcome);
        match stopped {
            Stop::Finished => {}
            Stop::Interrupted => {
                report.interrupted = true;
                return Ok(());
            }
            Stop::Cancelled(change) => {
                report.cancelled = Some(change);
                return Ok(());
            }
        }
        (run.on_event)(Event::StepFinished {
            step: &name,
            rows,
            chunks,
            elapsed: started.elapsed(),
        });
    }
    Ok(())
}

/// One step with every worker, from its saved state `s`: what it wrote,
/// and what ended it.
async fn run_step(
    w: &mut Workers<'_>,
    run: &mut Steps<'_>,
    owners: &[String],
    index: usize,
    step: &StepSql<'_>,
    s: &StepState,
) -> Result<(StepOutcome, Stop), DbError> {
    let started = Instant::now();
    let name = step.def.name.get_ref();
    let remaining_sql = step.remaining_query(s.cursor.as_deref());
    let count =
        w.db.rows_in(&remaining_sql.text, &remaining_sql.params())
            .await?;
    // A resumed step's totals are the run's, as the rows it has written
    // are: what earlier attempts scanned is the whole walk less what is
    // left, by the same count.
    // Estimates of the two need not agree, but every row written was
    // scanned first.
    let written_before = s.rows_written.max(0) as u64;
    let scanned_before = match s.cursor {
        Some(_) => {
            let all = step.remaining_query(None);
            let total = w.db.rows_in(&all.text, &all.params()).await?;
            total.get().saturating_sub(count.get()).max(written_before)
        }
        None => 0,
    };
    (run.on_event)(Event::StepStarted {
        step: name,
        index,
        kind: step.def.kind(),
        remaining: count.get(),
        estimated: count.is_estimate(),
        resumed: s.cursor.is_some(),
        scanned_before,
        written_before,
    });
    // A step whose chunks can only be written one at a time gets one
    // worker: the others would only wait, and their claims cost commits
    // (2 and 4 workers copied at 0.87x one worker's rate on MariaDB's
    // AUTO-INC lock). That worker keeps the rate the workers were allowed
    // together.
    let mut helpers = w.helpers.len();
    let mut rate_share = 1;
    if helpers > 0
        && let Some(why) = one_writer(w.db, step).await?
    {
        (run.on_event)(Event::OneWriter {
            step: name,
            requested: helpers + 1,
            why,
        });
        rate_share = helpers as u64 + 1;
        helpers = 0;
    }
    let crew = Crew {
        run_id: run.run_id,
        index,
        step,
        tuning: &run.opts.tuning,
        rate_share,
        controls: run.controls,
        lock_timeout: run.opts.lock_timeout,
        throttle: tokio::sync::Mutex::new(&mut *run.throttle),
        stop: run.stop,
        abort: AtomicBool::new(false),
        progress: std::sync::Mutex::new(Progress::new(scanned_before, count.get())),
        on_event: run.on_event,
    };
    let stopped = work_together(w, &crew, owners, helpers).await?;
    let now = state::steps(w.db, run.run_id).await?;
    let (rows, chunks) = now
        .iter()
        .find(|x| x.step_index == index as i64)
        .map_or((0, 0), |x| {
            (x.rows_written.max(0) as u64, x.chunks.max(0) as u64)
        });
    let outcome = StepOutcome {
        name: name.to_string(),
        rows,
        chunks,
        elapsed_ms: started.elapsed().as_millis(),
        skipped_done: false,
    };
    Ok((outcome, stopped))
}

/// Why the step's chunks can only be written one at a time, if they can.
async fn one_writer<'a>(
    db: &mut Db,
    step: &'a StepSql<'_>,
) -> Result<Option<OneWriterWhy<'a>>, DbError> {
    if db.dialect().one_writer_at_a_time() {
        return Ok(Some(OneWriterWhy::OneWriterDatabase));
    }
    if let Some(table) = step.copy_target()
        && let Some(lock) = load::auto_inc_lock(db, table).await?
    {
        return Ok(Some(OneWriterWhy::AutoIncLock(lock)));
    }
    Ok(step
        .writes_one_at_a_time()
        .map(|table| OneWriterWhy::NoUniqueKey { table }))
}

/// The crew's step with `db` and the first `helpers` helpers, until each
/// worker stops; the first to fail stops the others after their chunk.
/// A cancel outranks a signal, which outranks finishing.
async fn work_together(
    w: &mut Workers<'_>,
    crew: &Crew<'_>,
    owners: &[String],
    helpers: usize,
) -> Result<Stop, DbError> {
    let workers = std::iter::once(&mut *w.db)
        .chain(w.helpers.iter_mut().take(helpers))
        .zip(owners)
        .map(|(db, owner)| async move {
            let result = executor::work(db, crew, owner).await;
            if result.is_err() {
                crew.abort.store(true, Ordering::SeqCst);
            }
            result
        });
    let results = futures_util::future::join_all(workers).await;
    let mut stopped = Stop::Finished;
    for r in results {
        match (r?, &stopped) {
            (Stop::Finished, _) | (Stop::Interrupted, Stop::Cancelled(_)) => {}
            (other, _) => stopped = other,
        }
    }
    Ok(stopped)
}
