//! Runs a checked step with one or more workers, in this process and in
//! others: each worker loops over claiming a chunk and writing it
//! (`apply`), paced by the load limits, retries and the tuned chunk size
//! (`pace`, `throttle`), and tells its caller how far it got (`progress`);
//! it stops between chunks when asked, by a signal or through the run's
//! control log (`control`), which it reads before each chunk: a pause
//! hands its claimed chunk back and waits, holding nothing; a cancel
//! hands it back and stops; a throttle changes the pace. The database is the only
//! coordinator. Through `apply`, the only writer of frontiers, leases and
//! the chunk log, but for the repairs the state check makes before a run
//! starts.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::apply::{self, Claim};
use super::control::{Change, ControlState, Settings, Watch};
use super::pace::{self, Pacing};
use super::progress::{Event, Progress, Rest, Waiting};
use super::sqlgen::StepSql;
use super::throttle::{self, Throttle};
use crate::db::{Db, DbError};

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

pub(super) const MIN_CHUNK: u64 = 10;
pub(crate) const MAX_CHUNK: u64 = 200_000;

/// Why a worker stopped.
#[derive(Debug, Clone)]
pub enum Stop {
    Finished,
    Interrupted,
    Cancelled(Change),
}

/// What the workers of one step share.
pub struct Crew<'a> {
    pub run_id: i64,
    pub index: usize,
    pub step: &'a StepSql<'a>,
    pub tuning: &'a Tuning,
    /// How many workers' rate cap each of this step's workers has: 1, or
    /// all that were asked for where the step runs one worker, which then
    /// keeps the whole process's allowance.
    pub rate_share: u64,
    /// The run's control log as this process has read it.
    pub controls: &'a Watch,
    /// How long a chunk waits for a lock of mendb's (see `apply::write_chunk`).
    pub lock_timeout: Duration,
    pub throttle: tokio::sync::Mutex<&'a mut Throttle>,
    pub stop: &'a AtomicBool,
    /// Set when a worker failed: the others stop after their chunk.
    pub abort: AtomicBool,
    pub progress: Mutex<Progress>,
    pub on_event: &'a (dyn Fn(Event<'_>) + Sync),
}

impl Crew<'_> {
    pub fn name(&self) -> &str {
        self.step.def.name.get_ref()
    }

    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.abort.load(Ordering::SeqCst)
    }

    /// Cap on rows written per second by each of this step's workers (0:
    /// none): a `throttle`'s, else the run's flag.
    fn max_rows_per_sec(&self, s: &Settings) -> u64 {
        s.max_rows_per_sec
            .unwrap_or(self.tuning.max_rows_per_sec)
            .saturating_mul(self.rate_share)
    }

    fn sleep_ratio(&self, s: &Settings) -> f64 {
        s.sleep_ratio.unwrap_or(self.tuning.sleep_ratio)
    }

    fn chunk_target(&self, s: &Settings) -> Duration {
        s.chunk_target().unwrap_or(self.tuning.target)
    }
}

/// The pause after a chunk that the rate cap and the sleep ratio ask for.
/// The control log is read during it, so a pause or a cancel ends it and
/// a new throttle recomputes it; a stop ends it too and is seen at the top
/// of the worker's loop.
async fn rest(
    db: &mut Db,
    crew: &Crew<'_>,
    rows: u64,
    took: Duration,
    mut settings: Settings,
) -> Result<(), DbError> {
    let began = std::time::Instant::now();
    let mut why = None;
    loop {
        let ratio = crew.sleep_ratio(&settings);
        let cap = crew.max_rows_per_sec(&settings);
        let rest = throttle::after_chunk(rows, took, ratio, cap);
        if !rest.is_zero() {
            why = Some(
                if cap > 0 && throttle::after_chunk(rows, took, 0.0, cap) >= rest {
                    Rest::RateCap
                } else {
                    Rest::SleepRatio
                },
            );
        }
        let left = rest.saturating_sub(began.elapsed());
        let done = left.is_zero()
            || !throttle::pause(left.min(PAUSED_RECHECK), crew.stop).await
            || left <= PAUSED_RECHECK;
        if !done {
            let now = read_controls(db, crew).await?;
            if now.paused.is_none() && now.cancelled.is_none() {
                settings = now.settings;
                continue;
            }
        }
        if let Some(why) = why {
            let rested = began.elapsed();
            (crew.on_event)(Event::Rested {
                step: crew.name(),
                why,
                rested,
            });
        }
        return Ok(());
    }
}

/// Reads what is new in the control log, announces it, and returns what
/// is in force.
/// A lost connection or a busy file is retried as a chunk is: the log is
/// read between chunks, where a server restart is as likely as anywhere.
async fn read_controls(db: &mut Db, crew: &Crew<'_>) -> Result<ControlState, DbError> {
    let mut unused_size = 0;
    let changes = pace::retrying(db, crew, &mut unused_size, async |db: &mut Db, _| {
        crew.controls.refresh(db).await
    })
    .await?;
    for change in changes {
        (crew.on_event)(Event::Control {
            step: crew.name(),
            change: &change,
        });
    }
    Ok(crew.controls.state())
}

/// How often a paused worker reads the control log again.
const PAUSED_RECHECK: Duration = Duration::from_millis(500);

/// Reads what is new in the control log and announces it; while the run
/// is paused, hands the claimed chunk back and waits. Some when the
/// worker is to stop.
async fn heed_controls(
    db: &mut Db,
    crew: &Crew<'_>,
    owner: &str,
    claimed: &mut Option<Claim>,
) -> Result<Option<Stop>, DbError> {
    loop {
        let now = read_controls(db, crew).await?;
        if now.paused.is_none() && now.cancelled.is_none() {
            return Ok(None);
        }
        // Nothing held while paused or cancelled: the chunk goes back to
        // the frontier or to the next worker that claims.
        if let Some(Claim::Chunk(lease, _)) = claimed.take() {
            apply::give_back(db, crew, owner, &lease).await?;
        }
        if let Some(cancel) = now.cancelled {
            return Ok(Some(Stop::Cancelled(cancel)));
        }
        if !throttle::pause(PAUSED_RECHECK, crew.stop).await || crew.stopped() {
            return Ok(Some(Stop::Interrupted));
        }
    }
}

/// How often a worker with nothing to claim looks again.
const WAIT_FOR_OTHERS: Duration = Duration::from_millis(100);

/// One worker: claims and writes chunks until the step is finished, a stop
/// is requested, or an error retrying does not cure.
pub async fn work(db: &mut Db, crew: &Crew<'_>, owner: &str) -> Result<Stop, DbError> {
    let mut pacing = Pacing::new(crew.step.def.batch.chunk_size(), crew.tuning.target);
    let mut waiting: Option<Waiting> = None;
    // The claim the last chunk's transaction made.
    let mut claimed: Option<Claim> = None;
    let mut expect_new = true;
    loop {
        if !crew.stopped()
            && let Some(stop) = heed_controls(db, crew, owner, &mut claimed).await?
        {
            return Ok(stop);
        }
        let settings = crew.controls.state().settings;
        pacing.retarget(crew.chunk_target(&settings));
        pacing.limit(Some(crew.max_rows_per_sec(&settings)).filter(|&n| n > 0));
        if crew.stopped() || !pace::wait_for_load(db, crew, &settings).await? {
            if let Some(Claim::Chunk(lease, _)) = &claimed {
                apply::give_back(db, crew, owner, lease).await?;
            }
            return Ok(Stop::Interrupted);
        }
        let claim = match claimed.take() {
            Some(claim) => claim,
            None => {
                pace::retrying(
                    db,
                    crew,
                    &mut pacing.size,
                    async |db: &mut Db, size: u64| apply::claim(db, crew, owner, size).await,
                )
                .await?
            }
        };
        let (lease, cut) = match claim {
            Claim::Done => return Ok(Stop::Finished),
            Claim::Wait => {
                let wait = waiting.get_or_insert_with(Waiting::new);
                wait.report_if_due(db, crew).await;
                throttle::pause(WAIT_FOR_OTHERS, crew.stop).await;
                continue;
            }
            Claim::Chunk(lease, cut) => {
                waiting = None;
                (lease, cut)
            }
        };
        let base = pacing;
        let written = pace::retrying(db, crew, &mut pacing.size, async |db: &mut Db, size| {
            let next = base.with_size(size);
            apply::write_chunk(db, crew, owner, &lease, cut, next, expect_new).await
        })
        .await?;
        // Another worker took the lease over meanwhile: it writes the chunk.
        let Some(written) = written else {
            continue;
        };
        expect_new = !written.met_existing;
        let progress = crew
            .progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .advance(&lease, cut);
        (crew.on_event)(Event::Chunk {
            step: crew.name(),
            kind: crew.step.def.kind(),
            rows: written.rows,
            step_rows: written.step_rows,
            progress,
            chunk_size: cut.unwrap_or(pacing.size),
            elapsed: written.elapsed,
        });
        pacing = match written.next {
            Some((claim, next)) => {
                claimed = Some(claim);
                next
            }
            None => pacing.after(cut, written.writes),
        }
        .committed(written.writes, written.elapsed);
        rest(db, crew, written.rows, written.elapsed, settings).await?;
    }
}
