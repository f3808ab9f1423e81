//! Pauses between chunks: after a chunk, the rate cap and the sleep ratio;
//! before one, on MariaDB/MySQL, the load limits (`Threads_running` on the
//! database written to, lag on the replicas named). Every pause ends early
//! when a stop is requested. Reads server status; never writes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::db::load::{self, ReplicaLag};
use crate::db::{Db, DbError, DbUrl, Dialect};

/// Load limits; none by default.
#[derive(Debug, Clone, Default)]
pub struct LoadLimits {
    /// Pause while the server runs more than this many statements.
    pub max_threads_running: Option<u64>,
    /// Pause while a replica is further behind than this, or not
    /// replicating at all.
    pub max_replica_lag: Duration,
    pub replicas: Vec<DbUrl>,
}

/// Which load limit holds the next chunk back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    ThreadsRunning,
    ReplicaLag,
    /// A replica that does not replicate: its lag is unknown.
    ReplicaStopped,
}

/// Where a wait for the load limits is when it is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitPhase {
    Began,
    /// Said again every few seconds.
    Still,
    Over,
}

/// What the load check saw, for its caller to pass on.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// A limit holds the next chunk back, for `waited` so far, `more` of
    /// it since the wait was last said.
    Held {
        hold: Hold,
        reason: &'a str,
        waited: Duration,
        more: Duration,
        phase: WaitPhase,
    },
    /// A replica's lag as read (None: not replicating).
    Lag {
        replica: &'a str,
        lag: Option<Duration>,
    },
}

/// How often a throttled run looks again.
const RECHECK: Duration = Duration::from_millis(500);
/// How often a throttled run says it still waits.
const REPORT_EVERY: Duration = Duration::from_secs(5);

pub struct Throttle {
    limits: LoadLimits,
    /// A `throttle --max-threads-running` in force, over the flag's.
    threads_running: Option<u64>,
    replicas: Vec<Db>,
}

impl Throttle {
    /// Connects to the replicas and checks that each is one, and that the
    /// limits apply to a database of this dialect.
    pub async fn connect(dialect: Dialect, limits: &LoadLimits) -> Result<Throttle, DbError> {
        if limits.max_threads_running.is_some() && dialect != Dialect::Mysql {
            return Err(DbError::Unsupported(format!(
                "--max-threads-running applies to MariaDB/MySQL, not {}",
                dialect.dir_name()
            )));
        }
        let mut replicas = Vec::new();
        for url in &limits.replicas {
            let mut db = Db::connect(url, Duration::ZERO).await?;
            if load::replica_lag(&mut db).await? == ReplicaLag::NotAReplica {
                return Err(DbError::Unsupported(format!(
                    "--replica-url {}: this server replicates from nobody (SHOW REPLICA STATUS is empty)",
                    url
                )));
            }
            replicas.push(db);
        }
        Ok(Throttle {
            limits: limits.clone(),
            threads_running: None,
            replicas,
        })
    }

    /// The limit on Threads_running a `throttle` set, if one did.
    pub fn set_threads_running(&mut self, max: Option<u64>) {
        self.threads_running = max;
    }

    fn max_threads_running(&self) -> Option<u64> {
        self.threads_running.or(self.limits.max_threads_running)
    }

    /// Whether any limit applies.
    pub fn checks_load(&self) -> bool {
        self.max_threads_running().is_some() || !self.replicas.is_empty()
    }

    /// Why the next chunk should wait, if it should. `seen` hears each
    /// replica's lag as it is read.
    async fn over_limit(
        &mut self,
        db: &mut Db,
        seen: &mut (dyn FnMut(Seen<'_>) + Send),
    ) -> Result<Option<(Hold, String)>, DbError> {
        if let Some(max) = self.max_threads_running() {
            let running = load::threads_running(db).await?;
            if running > max {
                return Ok(Some((
                    Hold::ThreadsRunning,
                    format!("Threads_running is {running}, above --max-threads-running {max}"),
                )));
            }
        }
        let max_lag = self.limits.max_replica_lag;
        for replica in &mut self.replicas {
            let who = replica.url().to_string();
            let lag = load::replica_lag(replica).await?;
            seen(Seen::Lag {
                replica: &who,
                lag: match lag {
                    ReplicaLag::Behind(lag) => Some(lag),
                    ReplicaLag::Stopped | ReplicaLag::NotAReplica => None,
                },
            });
            match lag {
                ReplicaLag::Behind(lag) if lag > max_lag => {
                    return Ok(Some((
                        Hold::ReplicaLag,
                        format!(
                            "replica {who} is {} s behind, above --max-replica-lag {} s",
                            lag.as_secs(),
                            max_lag.as_secs_f64()
                        ),
                    )));
                }
                ReplicaLag::Behind(_) => {}
                ReplicaLag::Stopped => {
                    return Ok(Some((
                        Hold::ReplicaStopped,
                        format!("replica {who} is not replicating (its lag is unknown)"),
                    )));
                }
                ReplicaLag::NotAReplica => {
                    return Ok(Some((
                        Hold::ReplicaStopped,
                        format!("replica {who} no longer replicates"),
                    )));
                }
            }
        }
        Ok(None)
    }

    /// Waits while a load limit is exceeded. `seen` hears why, when the
    /// wait starts, every few seconds after and when it ends, and each
    /// replica lag read. Returns false when a stop was requested meanwhile.
    pub async fn wait_for_load(
        &mut self,
        db: &mut Db,
        stop: &AtomicBool,
        seen: &mut (dyn FnMut(Seen<'_>) + Send),
    ) -> Result<bool, DbError> {
        if !self.checks_load() {
            return Ok(true);
        }
        let started = Instant::now();
        // When the wait was last said, and how long it had lasted then.
        let mut said: Option<(Instant, Duration)> = None;
        let mut last: Option<(Hold, String)> = None;
        let resumed = loop {
            let Some((hold, reason)) = self.over_limit(db, seen).await? else {
                break true;
            };
            if said.is_none_or(|(t, _)| t.elapsed() >= REPORT_EVERY) {
                let waited = started.elapsed();
                seen(Seen::Held {
                    hold,
                    reason: &reason,
                    waited,
                    more: waited.saturating_sub(said.map_or(Duration::ZERO, |(_, w)| w)),
                    phase: if said.is_none() {
                        WaitPhase::Began
                    } else {
                        WaitPhase::Still
                    },
                });
                said = Some((Instant::now(), waited));
            }
            last = Some((hold, reason));
            if !pause(RECHECK, stop).await {
                break false;
            }
        };
        if let (Some((hold, reason)), Some((_, before))) = (last, said) {
            let waited = started.elapsed();
            seen(Seen::Held {
                hold,
                reason: &reason,
                waited,
                more: waited.saturating_sub(before),
                phase: WaitPhase::Over,
            });
        }
        Ok(resumed)
    }
}

/// The pause after a chunk that wrote `rows` in `elapsed`: the sleep ratio,
/// or what keeps the rate under the cap, whichever is longer. The CLI
/// bounds both; any other input still gives a pause, never a panic (a
/// ratio that is not a finite non-negative number counts as none).
pub fn after_chunk(
    rows: u64,
    elapsed: Duration,
    sleep_ratio: f64,
    max_rows_per_sec: u64,
) -> Duration {
    let ratio = if sleep_ratio.is_finite() {
        sleep_ratio.max(0.0)
    } else {
        0.0
    };
    let mut pause = secs(elapsed.as_secs_f64() * ratio);
    if max_rows_per_sec > 0 {
        let min_time = secs(rows as f64 / max_rows_per_sec as f64);
        pause = pause.max(min_time.saturating_sub(elapsed));
    }
    pause
}

/// `Duration::from_secs_f64`, saturating instead of panicking.
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(if s > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

/// Sleeps for `d`, in short steps so a stop request cuts it short.
/// Returns false if it was cut short.
pub async fn pause(d: Duration, stop: &AtomicBool) -> bool {
    // A pause too long for the clock lasts until a stop.
    let until = Instant::now().checked_add(d);
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let left = until.map_or(Duration::MAX, |u| {
            u.saturating_duration_since(Instant::now())
        });
        if left.is_zero() {
            return true;
        }
        tokio::time::sleep(left.min(Duration::from_millis(100))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longer_pause_applies() {
        let ms = Duration::from_millis;
        assert_eq!(after_chunk(1000, ms(200), 0.0, 0), Duration::ZERO);
        assert_eq!(after_chunk(1000, ms(200), 0.5, 0), ms(100));
        // 1000 rows at 2000/s take 500 ms; the chunk took 200.
        assert_eq!(after_chunk(1000, ms(200), 0.0, 2000), ms(300));
        assert_eq!(after_chunk(1000, ms(200), 2.0, 2000), ms(400));
    }

    #[test]
    fn extreme_inputs_pause_without_a_panic() {
        let ms = Duration::from_millis;
        for ratio in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -1.0] {
            assert_eq!(
                after_chunk(10, ms(200), ratio, 0),
                Duration::ZERO,
                "{ratio}"
            );
        }
        assert_eq!(after_chunk(10, Duration::MAX, f64::MAX, 0), Duration::MAX);
        assert_eq!(after_chunk(u64::MAX, ms(1), 0.0, 1).as_secs(), u64::MAX);
    }
}
