//! The metrics of `backfill run`, fed from the run's events: per plan and
//! step, rows, chunks, their durations, retries and waits by reason, the
//! chunk size, what is left and when it should be done; the replica lag
//! seen; and the run's state, which stays in a Pushgateway after the
//! process ends.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use prometheus::{
    CounterVec, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
};

use super::MetricsError;
use crate::backfill::control::Action;
use crate::backfill::{Event, Hold, Rest, RetryReason, WaitPhase};

/// How a run ended in this process, for `mendb_backfill_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    Finished,
    /// Stopped by a signal after a finished chunk: resumable.
    Interrupted,
    Cancelled,
    Failed,
}

/// Every state `mendb_backfill_state` has a series for, one of them 1.
const STATES: &[&str] = &[
    "running",
    "paused",
    "finished",
    "interrupted",
    "cancelled",
    "failed",
];

/// Every `reason` of `mendb_backfill_retries_total`.
const RETRY_REASONS: [RetryReason; 3] = [
    RetryReason::ConnectionLost,
    RetryReason::Timeout,
    RetryReason::Conflict,
];
/// Every `reason` of the throttle waits: the load limits before a chunk,
/// the pace after one.
const HOLDS: [Hold; 3] = [Hold::ThreadsRunning, Hold::ReplicaLag, Hold::ReplicaStopped];
const RESTS: [Rest; 2] = [Rest::RateCap, Rest::SleepRatio];

/// Chunk durations: the tuner aims at 500 ms by default, and a chunk that
/// takes over a minute is worth seeing in its own bucket.
const CHUNK_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

pub struct BackfillMetrics {
    plan: String,
    rows_written: IntCounterVec,
    rows_scanned: IntCounterVec,
    chunks: IntCounterVec,
    chunk_seconds: HistogramVec,
    retries: IntCounterVec,
    waits: IntCounterVec,
    wait_seconds: CounterVec,
    chunk_rows: IntGaugeVec,
    remaining_rows: IntGaugeVec,
    progress: GaugeVec,
    eta_seconds: GaugeVec,
    last_chunk: GaugeVec,
    replica_lag: GaugeVec,
    state: IntGaugeVec,
    /// Rows scanned as last counted, per step: a chunk's event carries the
    /// step's total, and the counter takes the difference.
    scanned: Mutex<HashMap<String, u64>>,
}

impl BackfillMetrics {
    /// The metrics of a run of `plan`, registered in `registry`; the run
    /// counts as running from now.
    pub fn new(registry: &Registry, plan: &str) -> Result<BackfillMetrics, MetricsError> {
        let step = &["plan", "step"];
        let reason = &["plan", "step", "reason"];
        let m = BackfillMetrics {
            plan: plan.to_string(),
            rows_written: IntCounterVec::new(
                Opts::new(
                    "mendb_backfill_rows_written_total",
                    "Rows a backfill step wrote (inserted or updated), in this process.",
                ),
                step,
            )?,
            rows_scanned: IntCounterVec::new(
                Opts::new(
                    "mendb_backfill_rows_scanned_total",
                    "Source rows a backfill step walked through, in this process.",
                ),
                step,
            )?,
            chunks: IntCounterVec::new(
                Opts::new(
                    "mendb_backfill_chunks_total",
                    "Chunks a backfill step committed, in this process.",
                ),
                step,
            )?,
            chunk_seconds: HistogramVec::new(
                HistogramOpts::new(
                    "mendb_backfill_chunk_duration_seconds",
                    "How long a chunk's transaction took, from claim to commit.",
                )
                .buckets(CHUNK_BUCKETS.to_vec()),
                step,
            )?,
            retries: IntCounterVec::new(
                Opts::new(
                    "mendb_backfill_retries_total",
                    "Chunk statements retried after a transient error, by kind (connection_lost, timeout, conflict).",
                ),
                reason,
            )?,
            waits: IntCounterVec::new(
                Opts::new(
                    "mendb_backfill_throttle_waits_total",
                    "Waits before or after a chunk, by reason (threads_running, replica_lag, replica_stopped, rate_cap, sleep_ratio).",
                ),
                reason,
            )?,
            wait_seconds: CounterVec::new(
                Opts::new(
                    "mendb_backfill_throttle_wait_seconds_total",
                    "Time workers spent in those waits, by reason.",
                ),
                reason,
            )?,
            chunk_rows: IntGaugeVec::new(
                Opts::new(
                    "mendb_backfill_chunk_size_rows",
                    "Source rows in the step's latest chunk (the tuner's current size).",
                ),
                step,
            )?,
            remaining_rows: IntGaugeVec::new(
                Opts::new(
                    "mendb_backfill_remaining_rows",
                    "Source rows the step has left to scan, counted or estimated.",
                ),
                step,
            )?,
            progress: GaugeVec::new(
                Opts::new(
                    "mendb_backfill_progress_ratio",
                    "Share of the step's source rows scanned by the run, earlier attempts included (0..1).",
                ),
                step,
            )?,
            eta_seconds: GaugeVec::new(
                Opts::new(
                    "mendb_backfill_eta_seconds",
                    "Seconds until the step is done at this process's rate so far.",
                ),
                step,
            )?,
            last_chunk: GaugeVec::new(
                Opts::new(
                    "mendb_backfill_last_chunk_timestamp_seconds",
                    "When the step's latest chunk committed, as Unix time.",
                ),
                step,
            )?,
            replica_lag: GaugeVec::new(
                Opts::new(
                    "mendb_backfill_replica_lag_seconds",
                    "Replica lag as the load check last read it; -1 while the replica does not replicate.",
                ),
                &["plan", "replica"],
            )?,
            state: IntGaugeVec::new(
                Opts::new(
                    "mendb_backfill_state",
                    "1 for the state the run is in, in this process: running, paused, finished, interrupted, cancelled or failed.",
                ),
                &["plan", "state"],
            )?,
            scanned: Mutex::new(HashMap::new()),
        };
        registry.register(Box::new(m.rows_written.clone()))?;
        registry.register(Box::new(m.rows_scanned.clone()))?;
        registry.register(Box::new(m.chunks.clone()))?;
        registry.register(Box::new(m.chunk_seconds.clone()))?;
        registry.register(Box::new(m.retries.clone()))?;
        registry.register(Box::new(m.waits.clone()))?;
        registry.register(Box::new(m.wait_seconds.clone()))?;
        registry.register(Box::new(m.chunk_rows.clone()))?;
        registry.register(Box::new(m.remaining_rows.clone()))?;
        registry.register(Box::new(m.progress.clone()))?;
        registry.register(Box::new(m.eta_seconds.clone()))?;
        registry.register(Box::new(m.last_chunk.clone()))?;
        registry.register(Box::new(m.replica_lag.clone()))?;
        registry.register(Box::new(m.state.clone()))?;
        m.set_state("running");
        Ok(m)
    }

    fn set_state(&self, now: &str) {
        for s in STATES {
            self.state
                .with_label_values(&[self.plan.as_str(), s])
                .set(i64::from(*s == now));
        }
    }

    /// The run in this process ended so.
    pub fn ended(&self, end: RunEnd) {
        self.set_state(match end {
            RunEnd::Finished => "finished",
            RunEnd::Interrupted => "interrupted",
            RunEnd::Cancelled => "cancelled",
            RunEnd::Failed => "failed",
        });
    }

    pub fn event(&self, event: &Event<'_>) {
        let plan = self.plan.as_str();
        match event {
            Event::StepStarted {
                step,
                remaining,
                scanned_before,
                ..
            } => {
                let labels = [plan, step];
                // Zero samples, so a rate or an alert sees the series at
                // once rather than after the first chunk or retry.
                self.rows_written.with_label_values(&labels);
                self.rows_scanned.with_label_values(&labels);
                self.chunks.with_label_values(&labels);
                self.chunk_seconds.with_label_values(&labels);
                for reason in RETRY_REASONS.map(retry_label) {
                    self.retries.with_label_values(&[plan, step, reason]);
                }
                let waits = HOLDS.map(hold_label).into_iter();
                for reason in waits.chain(RESTS.map(rest_label)) {
                    self.waits.with_label_values(&[plan, step, reason]);
                    self.wait_seconds.with_label_values(&[plan, step, reason]);
                }
                self.remaining_rows
                    .with_label_values(&labels)
                    .set(saturating_i64(*remaining));
                self.progress
                    .with_label_values(&labels)
                    .set(ratio(*scanned_before, *remaining));
                self.scanned_total(step, *scanned_before);
            }
            Event::Chunk {
                step,
                rows,
                progress,
                chunk_size,
                elapsed,
                ..
            } => {
                let labels = [plan, step];
                self.rows_written.with_label_values(&labels).inc_by(*rows);
                let more = self.scanned_total(step, progress.scanned);
                self.rows_scanned.with_label_values(&labels).inc_by(more);
                self.chunks.with_label_values(&labels).inc();
                self.chunk_seconds
                    .with_label_values(&labels)
                    .observe(elapsed.as_secs_f64());
                self.chunk_rows
                    .with_label_values(&labels)
                    .set(saturating_i64(*chunk_size));
                self.remaining_rows
                    .with_label_values(&labels)
                    .set(saturating_i64(progress.remaining));
                self.progress
                    .with_label_values(&labels)
                    .set(ratio(progress.scanned, progress.remaining));
                let rate = progress.session_scanned as f64
                    / progress.session_elapsed.as_secs_f64().max(1e-3);
                if rate > 0.0 {
                    self.eta_seconds
                        .with_label_values(&labels)
                        .set(progress.remaining as f64 / rate);
                }
                self.last_chunk.with_label_values(&labels).set(unix_now());
            }
            Event::StepFinished { step, .. } => {
                let labels = [plan, step];
                self.remaining_rows.with_label_values(&labels).set(0);
                self.progress.with_label_values(&labels).set(1.0);
                self.eta_seconds.with_label_values(&labels).set(0.0);
            }
            Event::Retrying { step, reason, .. } => {
                self.retries
                    .with_label_values(&[plan, step, retry_label(*reason)])
                    .inc();
            }
            Event::Throttled {
                step,
                hold,
                more,
                phase,
                ..
            } => {
                let labels = [plan, step, hold_label(*hold)];
                if *phase == WaitPhase::Began {
                    self.waits.with_label_values(&labels).inc();
                }
                self.wait_seconds
                    .with_label_values(&labels)
                    .inc_by(more.as_secs_f64());
            }
            Event::Rested { step, why, rested } => {
                let labels = [plan, step, rest_label(*why)];
                self.waits.with_label_values(&labels).inc();
                self.wait_seconds
                    .with_label_values(&labels)
                    .inc_by(rested.as_secs_f64());
            }
            Event::ReplicaLag { replica, lag, .. } => {
                self.replica_lag
                    .with_label_values(&[plan, replica])
                    .set(lag.map_or(-1.0, |l: Duration| l.as_secs_f64()));
            }
            Event::Control { change, .. } => match change.action {
                Action::Pause => self.set_state("paused"),
                Action::Resume => self.set_state("running"),
                Action::Cancel => self.set_state("cancelled"),
                Action::Throttle => {}
            },
            Event::OneWriter { .. } | Event::State { .. } | Event::LeaseWait { .. } => {}
        }
    }

    /// Records that `step` has scanned `total` rows; returns how many more
    /// than last counted. Workers' events may arrive out of order, so the
    /// count only grows.
    fn scanned_total(&self, step: &str, total: u64) -> u64 {
        let mut seen = self.scanned.lock().unwrap_or_else(|e| e.into_inner());
        let last = seen.entry(step.to_string()).or_insert(total);
        let more = total.saturating_sub(*last);
        *last = (*last).max(total);
        more
    }
}

fn retry_label(r: RetryReason) -> &'static str {
    match r {
        RetryReason::ConnectionLost => "connection_lost",
        RetryReason::Timeout => "timeout",
        RetryReason::Conflict => "conflict",
    }
}

fn hold_label(h: Hold) -> &'static str {
    match h {
        Hold::ThreadsRunning => "threads_running",
        Hold::ReplicaLag => "replica_lag",
        Hold::ReplicaStopped => "replica_stopped",
    }
}

fn rest_label(r: Rest) -> &'static str {
    match r {
        Rest::RateCap => "rate_cap",
        Rest::SleepRatio => "sleep_ratio",
    }
}

fn ratio(scanned: u64, remaining: u64) -> f64 {
    let total = scanned.saturating_add(remaining);
    if total == 0 {
        1.0
    } else {
        scanned as f64 / total as f64
    }
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
