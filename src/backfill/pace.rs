//! How fast a worker goes: the wait for the load limits before a chunk,
//! the retry of a transient error with back-off, and the chunk size tuned
//! toward a target duration. Decides when and how much; writes nothing.

use std::time::Duration;

use super::control::Settings;
use super::executor::{Crew, MAX_CHUNK, MIN_CHUNK};
use super::progress::{Event, RetryReason};
use super::throttle::Seen;
use crate::db::{Db, DbError};

/// Waits while a load limit holds the next chunk back, saying why. False
/// when a stop was requested meanwhile.
pub async fn wait_for_load(
    db: &mut Db,
    crew: &Crew<'_>,
    settings: &Settings,
) -> Result<bool, DbError> {
    let mut seen = |seen: Seen<'_>| match seen {
        Seen::Held {
            hold,
            reason,
            waited,
            more,
            phase,
        } => (crew.on_event)(Event::Throttled {
            step: crew.name(),
            hold,
            reason: reason.to_string(),
            waited,
            more,
            phase,
        }),
        Seen::Lag { replica, lag } => (crew.on_event)(Event::ReplicaLag {
            step: crew.name(),
            replica: replica.to_string(),
            lag,
        }),
    };
    let mut throttle = crew.throttle.lock().await;
    throttle.set_threads_running(settings.max_threads_running);
    throttle.wait_for_load(db, crew.stop, &mut seen).await
}

/// Runs `f` again after transient errors (deadlocks, lock wait timeouts,
/// lost connections, a busy SQLite file), with back-off; a timeout also
/// halves the chunk size of the next claim.
pub async fn retrying<T>(
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
                let reason = if e.is_connection_lost() {
                    RetryReason::ConnectionLost
                } else if e.is_timeout(d) {
                    RetryReason::Timeout
                } else {
                    RetryReason::Conflict
                };
                (crew.on_event)(Event::Retrying {
                    step: crew.name(),
                    attempt,
                    reason,
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

/// The size of the next chunk a worker cuts, and the tuner that chose it.
/// Copied into a chunk's transaction, which cuts the next chunk before it
/// commits; an attempt that rolls back leaves the worker's own untouched.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub size: u64,
    /// The most rows a chunk may have: one second's allowance under a rate
    /// cap, so a low cap paces many small chunks rather than sleeping long
    /// after a big one.
    max: u64,
    tuner: Tuner,
    /// What the last chunk's transaction took beyond its writes (the next
    /// claim and the commit), which the tuner counts as part of a chunk
    /// but a chunk cannot measure before it commits.
    overhead: Duration,
}

impl Pacing {
    pub fn new(size: u64, target: Duration) -> Pacing {
        Pacing {
            size,
            max: MAX_CHUNK,
            tuner: Tuner::new(target),
            overhead: Duration::ZERO,
        }
    }

    /// Tunes toward `target` from now on (a `throttle` may change it).
    pub fn retarget(&mut self, target: Duration) {
        self.tuner.target = target;
    }

    /// Chunks of at most `max` rows from now on (None: no cap).
    pub fn limit(&mut self, max: Option<u64>) {
        self.max = max.map_or(MAX_CHUNK, |m| m.clamp(MIN_CHUNK, MAX_CHUNK));
        self.size = self.size.min(self.max);
    }

    /// The same tuner, cutting `size` rows next.
    pub fn with_size(self, size: u64) -> Pacing {
        Pacing { size, ..self }
    }

    /// After a chunk cut to `cut` rows whose writes took `writes`; a
    /// taken-over chunk (None) was sized by someone else and says nothing.
    pub fn after(mut self, cut: Option<u64>, writes: Duration) -> Pacing {
        if let Some(cut) = cut {
            self.size = self.tuner.next(cut, writes + self.overhead).min(self.max);
        }
        self
    }

    /// Once the chunk committed, `whole` after it began.
    pub fn committed(mut self, writes: Duration, whole: Duration) -> Pacing {
        self.overhead = whole.saturating_sub(writes);
        self
    }
}

/// Chooses chunk sizes from the time per row seen so far. A slower chunk
/// counts in full at once, so one slow stretch shrinks the next chunk; a
/// faster one moves the estimate only part of the way, so a lucky chunk
/// does not grow the next one past the target. Each step at most doubles
/// or halves the size.
#[derive(Debug, Clone, Copy)]
pub struct Tuner {
    target: Duration,
    secs_per_row: Option<f64>,
}

impl Tuner {
    pub fn new(target: Duration) -> Tuner {
        Tuner {
            target,
            secs_per_row: None,
        }
    }

    pub fn next(&mut self, size: u64, elapsed: Duration) -> u64 {
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
