//! Runs a checked step with one or more workers, in this process and in
//! others: each worker takes a lease on the next chunk of the step's table
//! in key order (or on a dead worker's chunk), writes the chunk and ends its
//! lease in one transaction, tunes its chunk size toward a target duration,
//! retries transient errors, and stops between chunks when asked. The
//! database is the only coordinator. The only writer of frontiers, leases
//! and the chunk log, but for the repairs the state check makes before a
//! run starts.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::integrity::{self, Finding};
use super::sqlgen::{self, StepSql};
use super::state;
use super::throttle::{self, Throttle};
use crate::db::lock::{self, LockName};
use crate::db::{Db, DbError, get_i64, get_string};

#[derive(Debug, Clone)]
pub struct Tuning {
    /// Chunk duration the size is tuned toward.
    pub target: Duration,
    /// Cap on rows written per second (0: none).
    pub max_rows_per_sec: u64,
    /// Sleep this fraction of each chunk's duration after it (0: none).
    pub sleep_ratio: f64,
    /// Retries of one chunk after transient errors.
    pub retries: u32,
    /// Workers in this process.
    pub workers: usize,
    /// How long a chunk stays a worker's before another may take it over
    /// (sooner when the worker's database session is gone).
    pub lease: Duration,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            target: Duration::from_millis(500),
            max_rows_per_sec: 0,
            sleep_ratio: 0.0,
            retries: 8,
            workers: 1,
            lease: Duration::from_secs(60),
        }
    }
}

const MIN_CHUNK: u64 = 10;
pub(crate) const MAX_CHUNK: u64 = 200_000;

/// Progress, for the caller to render.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    StepStarted {
        step: &'a str,
        index: usize,
        /// Rows to scan, counted or (`estimated`) the planner's guess.
        remaining: u64,
        estimated: bool,
        resumed: bool,
    },
    Chunk {
        step: &'a str,
        rows: u64,
        step_rows: u64,
        scanned: u64,
        remaining: u64,
        chunk_size: u64,
        elapsed: Duration,
    },
    /// A load limit holds the next chunk back.
    Throttled {
        step: &'a str,
        reason: String,
        waited: Duration,
    },
    Retrying {
        step: &'a str,
        attempt: u32,
        error: String,
    },
    /// The state check at the start repaired a row, or found a lease the
    /// run may have to wait on.
    State { finding: &'a Finding },
    /// Every chunk left is in other hands: who holds each. Said once the
    /// wait has lasted a few seconds, and every few seconds after.
    LeaseWait {
        step: &'a str,
        waited: Duration,
        holders: Vec<Holder>,
    },
    StepFinished {
        step: &'a str,
        rows: u64,
        chunks: u64,
        elapsed: Duration,
    },
}

/// A lease another worker (or something else) holds.
#[derive(Debug, Clone)]
pub struct Holder {
    pub lease: state::LeaseRow,
    /// Whether its session still exists; None when it names none.
    pub session_alive: Option<bool>,
    /// The database's clock, which `lease.expires_at` is on.
    pub now: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    pub name: String,
    pub rows: u64,
    pub chunks: u64,
    pub elapsed_ms: u128,
    pub skipped_done: bool,
}

/// Why a worker stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Finished,
    Interrupted,
}

/// What the workers of one step share.
pub struct Crew<'a> {
    pub run_id: i64,
    pub index: usize,
    pub step: &'a StepSql<'a>,
    pub tuning: &'a Tuning,
    /// How long a chunk waits for a lock of mendb's (see `write_chunk`).
    pub lock_timeout: Duration,
    pub throttle: tokio::sync::Mutex<&'a mut Throttle>,
    pub stop: &'a AtomicBool,
    /// Set when a worker failed: the others stop after their chunk.
    pub abort: AtomicBool,
    pub progress: Mutex<Progress>,
    pub on_event: &'a (dyn Fn(Event<'_>) + Sync),
}

/// This process's view of a step's progress, for the progress line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub scanned: u64,
    pub remaining: u64,
}

impl Crew<'_> {
    fn name(&self) -> &str {
        self.step.step.name.get_ref()
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.abort.load(Ordering::SeqCst)
    }
}

/// What a claim got.
enum Claim {
    /// A chunk, and the size it was cut to (None for a taken-over lease).
    Chunk(state::Lease, Option<u64>),
    /// Every chunk is handed out and some are still being written.
    Wait,
    /// The step is finished.
    Done,
}

/// How often a worker with nothing to claim looks again.
const WAIT_FOR_OTHERS: Duration = Duration::from_millis(100);
/// How long a worker waits on others' chunks before it says whose they
/// are, and how often it says so again: at the end of every step of a
/// parallel run workers wait a moment for the last chunks, which is not
/// worth a line.
const REPORT_WAIT_EVERY: Duration = Duration::from_secs(5);

/// A worker's wait for chunks in other hands.
struct Waiting {
    since: Instant,
    reported: Option<Instant>,
}

/// One worker: claims and writes chunks until the step is finished, a stop
/// is requested, or an error retrying does not cure.
pub async fn work(db: &mut Db, crew: &Crew<'_>, owner: &str) -> Result<Stop, DbError> {
    let mut size = crew.step.step.batch.chunk_size();
    let mut tuner = Tuner::new(crew.tuning.target);
    let mut waiting: Option<Waiting> = None;
    loop {
        if crew.stopped() {
            return Ok(Stop::Interrupted);
        }
        let mut on_wait = |reason: &str, waited: Duration| {
            (crew.on_event)(Event::Throttled {
                step: crew.name(),
                reason: reason.to_string(),
                waited,
            })
        };
        {
            let mut throttle = crew.throttle.lock().await;
            if !throttle.wait_for_load(db, crew.stop, &mut on_wait).await? {
                return Ok(Stop::Interrupted);
            }
        }
        let claimed = retrying(db, crew, &mut size, async |db: &mut Db, size: u64| {
            claim(db, crew, owner, size).await
        })
        .await?;
        let (lease, cut) = match claimed {
            Claim::Done => return Ok(Stop::Finished),
            Claim::Wait => {
                let wait = waiting.get_or_insert_with(|| Waiting {
                    since: Instant::now(),
                    reported: None,
                });
                if wait.since.elapsed() >= REPORT_WAIT_EVERY
                    && wait
                        .reported
                        .is_none_or(|t| t.elapsed() >= REPORT_WAIT_EVERY)
                {
                    wait.reported = Some(Instant::now());
                    // Only words depend on it: a failed read leaves them
                    // out, and the next claim meets a real fault itself.
                    if let Ok(holders) = holders(db, crew).await {
                        (crew.on_event)(Event::LeaseWait {
                            step: crew.name(),
                            waited: wait.since.elapsed(),
                            holders,
                        });
                    }
                }
                throttle::pause(WAIT_FOR_OTHERS, crew.stop).await;
                continue;
            }
            Claim::Chunk(lease, cut) => {
                waiting = None;
                (lease, cut)
            }
        };
        let written = retrying(db, crew, &mut size, async |db: &mut Db, _| {
            write_chunk(db, crew, owner, &lease).await
        })
        .await?;
        // Another worker took the lease over meanwhile: it writes the chunk.
        let Some((rows, step_rows, elapsed)) = written else {
            continue;
        };
        let (scanned, remaining) = {
            let mut p = crew.progress.lock().unwrap_or_else(|e| e.into_inner());
            let chunk = match (&lease.to, cut) {
                (None, _) => p.remaining,
                (Some(_), Some(cut)) => cut,
                (Some(_), None) => 0,
            };
            p.scanned += chunk;
            // An estimate that ran out early keeps one more chunk in view
            // until the walk really ends.
            p.remaining = if lease.to.is_none() {
                0
            } else {
                p.remaining.saturating_sub(chunk).max(1)
            };
            (p.scanned, p.remaining)
        };
        (crew.on_event)(Event::Chunk {
            step: crew.name(),
            rows,
            step_rows,
            scanned,
            remaining,
            chunk_size: cut.unwrap_or(size),
            elapsed,
        });
        if let Some(cut) = cut {
            size = tuner.next(cut, elapsed);
        }
        let rest = throttle::after_chunk(
            rows,
            elapsed,
            crew.tuning.sleep_ratio,
            crew.tuning.max_rows_per_sec,
        );
        // A stop during the pause is seen at the top of the loop.
        throttle::pause(rest, crew.stop).await;
    }
}

/// The step's leases, each with whether its holder's session is there.
async fn holders(db: &mut Db, crew: &Crew<'_>) -> Result<Vec<Holder>, DbError> {
    let now = state::epoch_now(db).await?;
    let mut out = Vec::new();
    for lease in state::lease_rows(db, crew.run_id, Some(crew.index)).await? {
        let session_alive = match lease.owner_session {
            Some(s) => Some(state::session_alive(db, s).await?),
            None => None,
        };
        out.push(Holder {
            lease,
            session_alive,
            now,
        });
    }
    Ok(out)
}

/// Key values read from the state that must fit the step's key before any
/// SQL is built from them: the check at the start vouched for them, but
/// the rows may have been changed since.
fn fitting(
    crew: &Crew<'_>,
    keys: Option<&[String]>,
    row: &str,
    column: &str,
) -> Result<(), DbError> {
    match keys {
        Some(k) => integrity::fit(k, &crew.step.key, crew.step.dialect).map_err(|fault| {
            DbError::Conflict(format!(
                "{column} of {row} {fault}; rerun the plan to have its state checked"
            ))
        }),
        None => Ok(()),
    }
}

/// Runs `f` again after transient errors (deadlocks, lock wait timeouts,
/// lost connections, a busy SQLite file), with back-off; a timeout also
/// halves the chunk size of the next claim.
async fn retrying<T>(
    db: &mut Db,
    crew: &Crew<'_>,
    size: &mut u64,
    mut f: impl AsyncFnMut(&mut Db, u64) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let d = db.dialect();
    let mut attempt = 0;
    loop {
        match f(db, *size).await {
            Ok(v) => return Ok(v),
            Err(e) if attempt < crew.tuning.retries && (e.is_transient(d) || e.is_timeout(d)) => {
                attempt += 1;
                if e.is_timeout(d) {
                    *size = (*size / 2).max(MIN_CHUNK);
                }
                (crew.on_event)(Event::Retrying {
                    step: crew.name(),
                    attempt,
                    error: e.to_string(),
                });
                let backoff = Duration::from_millis(200 * 2u64.pow(attempt.min(6)));
                tokio::time::sleep(backoff).await;
                if e.is_connection_lost() {
                    db.reconnect(Duration::from_secs(60)).await?;
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// In one short transaction on the step's locked row: take over a dead
/// worker's chunk, or cut the next chunk of `size` rows after the
/// frontier, or find the step finished.
async fn claim(db: &mut Db, crew: &Crew<'_>, owner: &str, size: u64) -> Result<Claim, DbError> {
    let (run_id, index) = (crew.run_id, crew.index);
    let lease_secs = crew.tuning.lease.as_secs().max(1);
    db.execute(db.dialect().begin_write()).await?;
    let result = async {
        let frontier = state::lock_step(db, run_id, index).await?;
        if frontier.done == state::progress::DONE {
            return Ok(Claim::Done);
        }
        let step_row = format!("mendb_backfill_steps run_id = {run_id} AND step_index = {index}");
        fitting(crew, frontier.cursor.as_deref(), &step_row, "cursor_key")?;
        for idle in state::idle_leases(db, run_id, index).await? {
            let gone = match idle.owner_session {
                Some(session) => !state::session_alive(db, session).await?,
                None => false,
            };
            if idle.expired || gone {
                let lease_row = format!(
                    "mendb_backfill_leases run_id = {run_id} AND step_index = {index} AND chunk_no = {}",
                    idle.lease.chunk_no
                );
                fitting(crew, idle.lease.from.as_deref(), &lease_row, "key_from")?;
                fitting(crew, idle.lease.to.as_deref(), &lease_row, "key_to")?;
                tracing::info!(
                    step = crew.name(),
                    chunk = idle.lease.chunk_no,
                    expired = idle.expired,
                    "taking over the chunk of a worker that is gone"
                );
                state::take_over(db, run_id, index, idle.lease.chunk_no, owner, lease_secs).await?;
                return Ok(Claim::Chunk(idle.lease, None));
            }
        }
        if frontier.done == state::progress::OPEN {
            let bound_sql = crew.step.bound_query(frontier.cursor.as_deref(), size);
            let rows = db.fetch_with(&bound_sql.text, &bound_sql.params()).await?;
            let bound: Option<Vec<String>> = rows.first().map(|r| {
                (0..crew.step.key.len())
                    .map(|i| get_string(r, i).unwrap_or_default())
                    .collect()
            });
            let lease = state::open_lease(
                db,
                run_id,
                index,
                frontier.cursor.as_deref(),
                bound.as_deref(),
                owner,
                lease_secs,
            )
            .await?;
            return Ok(Claim::Chunk(lease, Some(size)));
        }
        if state::finish_if_complete(db, run_id, index).await? {
            Ok(Claim::Done)
        } else {
            Ok(Claim::Wait)
        }
    }
    .await;
    finish_transaction(db, result, |_| true).await
}

/// Commits when `keep` says so, rolls back otherwise and on errors.
async fn finish_transaction<T>(
    db: &mut Db,
    result: Result<T, DbError>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, DbError> {
    match result {
        Ok(v) if keep(&v) => {
            db.execute("COMMIT").await?;
            Ok(v)
        }
        Ok(v) => {
            db.execute("ROLLBACK").await?;
            Ok(v)
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK").await;
            Err(e)
        }
    }
}

/// One chunk in one transaction: hold the lease, apply the action, end the
/// lease and log the chunk. Returns rows written, the step's rows in all
/// and the time taken; None when the lease is no longer this worker's.
async fn write_chunk(
    db: &mut Db,
    crew: &Crew<'_>,
    owner: &str,
    lease: &state::Lease,
) -> Result<Option<(u64, u64, Duration)>, DbError> {
    let started = Instant::now();
    let step = crew.step;
    let one_at_a_time = step
        .writes_one_at_a_time()
        .map(|target| LockName(format!("copy:{target}")));
    db.execute(db.dialect().begin_write()).await?;
    let result = async {
        if !state::hold(db, crew.run_id, crew.index, lease.chunk_no, owner).await? {
            return Ok(None);
        }
        if let Some(name) = &one_at_a_time {
            lock::lock_for_transaction(db, name, crew.lock_timeout).await?;
        }
        let counted = step.counts_duplicates();
        if counted {
            db.execute(sqlgen::RESET_DUP_COUNTERS).await?;
        }
        let mut written = 0;
        for sql in step.action(lease.from.as_deref(), lease.to.as_deref()) {
            written += db.run(&sql.text, &sql.params()).await?;
        }
        if counted {
            written = written.saturating_sub(duplicates(db, step).await?);
        }
        let elapsed = started.elapsed().as_millis();
        let total = state::complete(db, crew.run_id, crew.index, lease, written, elapsed).await?;
        Ok(Some((written, total)))
    }
    .await;
    let done = finish_transaction(db, result, Option::is_some).await;
    if let Some(name) = &one_at_a_time {
        // A lost connection took the lock with it.
        let _ = lock::release_after_transaction(db, name).await;
    }
    Ok(done?.map(|(written, total)| (written, total, started.elapsed())))
}

/// Chooses chunk sizes from the time per row seen so far. A slower chunk
/// counts in full at once, so one slow stretch shrinks the next chunk; a
/// faster one moves the estimate only part of the way, so a lucky chunk
/// does not grow the next one past the target. Each step at most doubles
/// or halves the size.
#[derive(Debug, Clone, Copy)]
struct Tuner {
    target: Duration,
    secs_per_row: Option<f64>,
}

impl Tuner {
    fn new(target: Duration) -> Tuner {
        Tuner {
            target,
            secs_per_row: None,
        }
    }

    fn next(&mut self, size: u64, elapsed: Duration) -> u64 {
        let sample = elapsed.as_secs_f64().max(0.001) / size.max(1) as f64;
        let estimate = match self.secs_per_row {
            Some(seen) if sample < seen => 0.7 * seen + 0.3 * sample,
            _ => sample,
        };
        self.secs_per_row = Some(estimate);
        let ideal = self.target.as_secs_f64() / estimate;
        let next = ideal.clamp(size as f64 / 2.0, size as f64 * 2.0);
        (next as u64).clamp(MIN_CHUNK, MAX_CHUNK)
    }
}

/// Rows the last upsert skipped as existing keys. A clash on another
/// unique key is an error: skipping it would lose a source row silently.
async fn duplicates(db: &mut Db, step: &StepSql<'_>) -> Result<u64, DbError> {
    let rows = db.fetch(sqlgen::READ_DUP_COUNTERS, &[]).await?;
    let count = |i| {
        rows.first()
            .and_then(|r| get_i64(r, i))
            .map_or(0, |v| v.max(0) as u64)
    };
    let (dup, other) = (count(0), count(1));
    if other > 0 {
        return Err(DbError::Conflict(format!(
            "{other} row(s) of this chunk clash with existing rows of `{}` on a unique key other than the match key; nothing of the chunk was kept",
            step.copy_target().unwrap_or_default()
        )));
    }
    Ok(dup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuning_moves_toward_the_target_within_bounds() {
        let target = Duration::from_millis(500);
        let ms = Duration::from_millis;
        assert_eq!(Tuner::new(target).next(1000, ms(250)), 2000);
        assert_eq!(
            Tuner::new(target).next(1000, ms(50)),
            2000,
            "at most doubles"
        );
        assert_eq!(
            Tuner::new(target).next(1000, Duration::from_secs(5)),
            500,
            "at most halves"
        );
        assert_eq!(Tuner::new(target).next(1000, ms(500)), 1000);
        assert_eq!(
            Tuner::new(target).next(10, Duration::from_secs(9)),
            MIN_CHUNK
        );
    }

    #[test]
    fn tuning_shrinks_at_once_and_grows_with_care() {
        let ms = Duration::from_millis;
        let mut t = Tuner::new(ms(500));
        assert_eq!(t.next(10_000, ms(500)), 10_000);
        // Twice as slow: the next chunk halves.
        assert_eq!(t.next(10_000, ms(1000)), 5_000);
        // Back to the old pace: it grows, but not all the way at once.
        let grown = t.next(5_000, ms(250));
        assert!(grown > 5_000 && grown < 10_000, "{grown}");
        // Steady at the old pace: it approaches 10,000 from below.
        let mut size = grown;
        for _ in 0..20 {
            size = t.next(size, ms(size / 20));
        }
        assert!((9_500..=10_100).contains(&size), "{size}");
    }
}
