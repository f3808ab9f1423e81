//! Runs a checked plan: walks each step's table a chunk at a time in key
//! order, writes the chunk and its checkpoint in one transaction, tunes
//! the chunk size toward a target duration, retries transient errors, and
//! stops between chunks when asked. The only writer of backfill state.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::sqlgen::{self, StepSql};
use super::state;
use super::throttle::{self, Throttle};
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
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            target: Duration::from_millis(500),
            max_rows_per_sec: 0,
            sleep_ratio: 0.0,
            retries: 8,
        }
    }
}

const MIN_CHUNK: u64 = 10;
const MAX_CHUNK: u64 = 200_000;

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
    StepFinished {
        step: &'a str,
        rows: u64,
        chunks: u64,
        elapsed: Duration,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    pub name: String,
    pub rows: u64,
    pub chunks: u64,
    pub elapsed_ms: u128,
    pub skipped_done: bool,
}

/// Why a step stopped early.
pub enum Stop {
    Finished,
    Interrupted,
}

fn is_stopped(stop: &AtomicBool) -> bool {
    stop.load(Ordering::SeqCst)
}

/// Runs one step from its saved cursor to the end (or a stop request).
#[allow(clippy::too_many_arguments)]
pub async fn run_step(
    db: &mut Db,
    run_id: i64,
    index: usize,
    step: &StepSql<'_>,
    saved: &state::StepState,
    tuning: &Tuning,
    throttle: &mut Throttle,
    stop: &AtomicBool,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<(StepOutcome, Stop), DbError> {
    let name = step.step.name.get_ref().as_str();
    let mut cursor = saved.cursor.clone();
    let mut chunk_size = *step.step.batch.chunk_size.get_ref();
    let mut chunk_no = saved.chunks;
    let mut rows_total = saved.rows_written.max(0) as u64;
    let started = Instant::now();
    let remaining_sql = step.remaining_query(cursor.as_deref());
    let count = db
        .rows_in(&remaining_sql.text, &remaining_sql.params())
        .await?;
    let mut remaining = count.get();
    on_event(Event::StepStarted {
        step: name,
        index,
        remaining,
        estimated: count.is_estimate(),
        resumed: cursor.is_some(),
    });
    let outcome = |rows: u64, chunks: i64| StepOutcome {
        name: name.to_string(),
        rows,
        chunks: chunks as u64,
        elapsed_ms: started.elapsed().as_millis(),
        skipped_done: false,
    };
    let mut scanned = 0u64;
    let mut tuner = Tuner::new(tuning.target);
    loop {
        if is_stopped(stop) {
            let outcome = outcome(rows_total, chunk_no);
            return Ok((outcome, Stop::Interrupted));
        }
        let mut on_wait = |reason: &str, waited: Duration| {
            on_event(Event::Throttled {
                step: name,
                reason: reason.to_string(),
                waited,
            })
        };
        if !throttle.wait_for_load(db, stop, &mut on_wait).await? {
            let outcome = outcome(rows_total, chunk_no);
            return Ok((outcome, Stop::Interrupted));
        }
        let mut attempt = 0;
        let (rows, bound, elapsed) = loop {
            match chunk(
                db,
                run_id,
                index,
                step,
                cursor.as_deref(),
                chunk_size,
                chunk_no + 1,
            )
            .await
            {
                Ok(done) => break done,
                Err(e)
                    if attempt < tuning.retries
                        && (e.is_transient(db.dialect()) || e.is_timeout(db.dialect())) =>
                {
                    attempt += 1;
                    if e.is_timeout(db.dialect()) {
                        chunk_size = (chunk_size / 2).max(MIN_CHUNK);
                    }
                    on_event(Event::Retrying {
                        step: name,
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
        };
        chunk_no += 1;
        rows_total += rows;
        let last = bound.is_none();
        // A chunk with a bound scanned exactly `chunk_size` rows; the last
        // one scanned what was left. An estimate that ran out early keeps
        // one more chunk in view until the walk really ends.
        if last {
            scanned += remaining;
            remaining = 0;
        } else {
            scanned += chunk_size;
            remaining = remaining.saturating_sub(chunk_size).max(1);
        }
        on_event(Event::Chunk {
            step: name,
            rows,
            step_rows: rows_total,
            scanned,
            remaining,
            chunk_size,
            elapsed,
        });
        if last {
            let outcome = outcome(rows_total, chunk_no);
            on_event(Event::StepFinished {
                step: name,
                rows: rows_total,
                chunks: chunk_no as u64,
                elapsed: started.elapsed(),
            });
            return Ok((outcome, Stop::Finished));
        }
        cursor = bound;
        chunk_size = tuner.next(chunk_size, elapsed);
        let rest =
            throttle::after_chunk(rows, elapsed, tuning.sleep_ratio, tuning.max_rows_per_sec);
        // A stop during the pause is seen at the top of the loop.
        throttle::pause(rest, stop).await;
    }
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

/// One chunk in one transaction: find its upper key, apply the action,
/// move the cursor, log the chunk. Returns rows written, the bound (None
/// for the last chunk) and the time taken.
async fn chunk(
    db: &mut Db,
    run_id: i64,
    index: usize,
    step: &StepSql<'_>,
    cursor: Option<&[String]>,
    size: u64,
    chunk_no: i64,
) -> Result<(u64, Option<Vec<String>>, Duration), DbError> {
    let started = Instant::now();
    let d = db.dialect();
    db.execute(d.begin_write()).await?;
    let result = async {
        let bound_sql = step.bound_query(cursor, size);
        let rows = db.fetch_with(&bound_sql.text, &bound_sql.params()).await?;
        let bound: Option<Vec<String>> = rows.first().map(|r| {
            (0..step.key.len())
                .map(|i| get_string(r, i).unwrap_or_default())
                .collect()
        });
        let counted = step.counts_duplicates();
        if counted {
            db.execute(sqlgen::RESET_DUP_COUNTERS).await?;
        }
        let mut written = 0;
        for sql in step.action(cursor, bound.as_deref()) {
            written += db.run(&sql.text, &sql.params()).await?;
        }
        if counted {
            written = written.saturating_sub(duplicates(db, step).await?);
        }
        let elapsed = started.elapsed();
        let done = state::ChunkDone {
            chunk_no,
            from: cursor,
            to: bound.as_deref(),
            rows: written,
            elapsed_ms: elapsed.as_millis(),
        };
        state::checkpoint(db, run_id, index, &done).await?;
        Ok::<_, DbError>((written, bound))
    }
    .await;
    match result {
        Ok((written, bound)) => {
            db.execute("COMMIT").await?;
            Ok((written, bound, started.elapsed()))
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK").await;
            Err(e)
        }
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
