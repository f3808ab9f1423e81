//! What a run tells its caller while it works: the events the CLI renders,
//! this process's tally of a step's scanned and remaining rows, and the
//! report of a wait on chunks in other hands. Reads the lease rows for
//! that report; writes nothing.

use std::time::{Duration, Instant};

use super::control::Change;
use super::executor::Crew;
use super::integrity::Finding;
use super::plan::StepKind;
use super::state;
pub use super::throttle::{Hold, WaitPhase};
use crate::db::load::AutoIncLock;
use crate::db::{Db, DbError};

/// Progress, for the caller to render.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    StepStarted {
        step: &'a str,
        index: usize,
        kind: StepKind,
        /// Rows to scan, counted or (`estimated`) the planner's guess.
        remaining: u64,
        estimated: bool,
        resumed: bool,
        /// Rows earlier attempts of this run scanned (from the same count
        /// as `remaining`) and wrote: a resumed step's totals include them.
        scanned_before: u64,
        written_before: u64,
    },
    Chunk {
        step: &'a str,
        kind: StepKind,
        rows: u64,
        /// Rows the step has written in this run, earlier attempts
        /// included.
        step_rows: u64,
        /// The step's progress in this run, earlier attempts included.
        progress: Snapshot,
        chunk_size: u64,
        elapsed: Duration,
    },
    /// The step's writes would wait for each other: it runs with one
    /// worker in this process instead of `requested`.
    OneWriter {
        step: &'a str,
        requested: usize,
        why: OneWriterWhy<'a>,
    },
    /// A load limit holds the next chunk back, for `waited` so far, `more`
    /// of it since the wait was last said: said when the wait begins,
    /// every few seconds after, and once it is over.
    Throttled {
        step: &'a str,
        hold: Hold,
        reason: String,
        waited: Duration,
        more: Duration,
        phase: WaitPhase,
    },
    /// A replica's lag as the load check read it (None: not replicating).
    ReplicaLag {
        step: &'a str,
        replica: String,
        lag: Option<Duration>,
    },
    /// A worker rested after a chunk, as the rate cap or the sleep ratio
    /// asked, whichever asked for longer.
    Rested {
        step: &'a str,
        why: Rest,
        rested: Duration,
    },
    Retrying {
        step: &'a str,
        attempt: u32,
        reason: RetryReason,
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
    /// A change of the run's control log, read by this process.
    Control { step: &'a str, change: &'a Change },
    StepFinished {
        step: &'a str,
        rows: u64,
        chunks: u64,
        elapsed: Duration,
    },
}

/// The kind of transient error a retry answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// The connection went away (a restart, a failover, a network cut).
    ConnectionLost,
    /// A lock wait or statement timeout: the next chunk is halved.
    Timeout,
    /// A deadlock, a serialization failure or a busy SQLite file.
    Conflict,
}

/// What a worker's rest after a chunk is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rest {
    /// `--max-rows-per-sec` (or a `throttle`'s).
    RateCap,
    /// `--sleep-ratio` (or a `throttle`'s).
    SleepRatio,
}

/// Why a step's chunks can only be written one at a time.
#[derive(Debug, Clone)]
pub enum OneWriterWhy<'a> {
    /// The target's AUTO-INC lock (MariaDB/MySQL below interleaved mode).
    AutoIncLock(AutoIncLock),
    /// A copy into a target without a unique key on the match columns
    /// takes mendb's lock on the target for each chunk.
    NoUniqueKey { table: &'a str },
    /// SQLite lets one connection write at a time.
    OneWriterDatabase,
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

/// A step's progress in its run, for the progress line.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Rows scanned by the run, earlier attempts included.
    scanned: u64,
    remaining: u64,
    /// Of `scanned`, what earlier attempts did: the rate is this
    /// process's own.
    before: u64,
    started: Instant,
    /// The estimate of the rows to scan ran out before the walk did.
    exhausted: bool,
}

/// Where a step stands after a chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub scanned: u64,
    pub remaining: u64,
    /// Whether `scanned + remaining` is still a count or an estimate that
    /// holds; false once the walk went past the estimate.
    pub total_known: bool,
    /// Rows this process scanned, and in how long: the rate an ETA rests on.
    pub session_scanned: u64,
    pub session_elapsed: Duration,
}

impl Progress {
    pub fn new(before: u64, remaining: u64) -> Progress {
        Progress {
            scanned: before,
            remaining,
            before,
            started: Instant::now(),
            exhausted: false,
        }
    }

    /// Counts a written chunk cut to `cut` rows (None for a taken-over
    /// lease, whose rows were counted by the worker that cut it).
    pub fn advance(&mut self, lease: &state::Lease, cut: Option<u64>) -> Snapshot {
        let chunk = match (&lease.to, cut) {
            (None, _) => self.remaining,
            (Some(_), Some(cut)) => cut,
            (Some(_), None) => 0,
        };
        self.scanned += chunk;
        // An estimate that ran out early keeps one more chunk in view
        // until the walk really ends.
        self.remaining = if lease.to.is_none() {
            0
        } else {
            let left = self.remaining.saturating_sub(chunk);
            self.exhausted |= left == 0;
            left.max(1)
        };
        Snapshot {
            scanned: self.scanned,
            remaining: self.remaining,
            total_known: !self.exhausted || self.remaining == 0,
            session_scanned: self.scanned - self.before,
            session_elapsed: self.started.elapsed(),
        }
    }
}

/// How long a worker waits on others' chunks before it says whose they
/// are, and how often it says so again: at the end of every step of a
/// parallel run workers wait a moment for the last chunks, which is not
/// worth a line.
const REPORT_WAIT_EVERY: Duration = Duration::from_secs(5);

/// A worker's wait for chunks in other hands.
pub struct Waiting {
    since: Instant,
    reported: Option<Instant>,
}

impl Waiting {
    pub fn new() -> Waiting {
        Waiting {
            since: Instant::now(),
            reported: None,
        }
    }

    /// Says who holds the step's chunks, when the wait has lasted long
    /// enough and was not said of lately.
    pub async fn report_if_due(&mut self, db: &mut Db, crew: &Crew<'_>) {
        if self.since.elapsed() < REPORT_WAIT_EVERY
            || self
                .reported
                .is_some_and(|t| t.elapsed() < REPORT_WAIT_EVERY)
        {
            return;
        }
        self.reported = Some(Instant::now());
        // Only words depend on it: a failed read leaves them out, and the
        // next claim meets a real fault itself.
        if let Ok(holders) = holders(db, crew).await {
            (crew.on_event)(Event::LeaseWait {
                step: crew.name(),
                waited: self.since.elapsed(),
                holders,
            });
        }
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
