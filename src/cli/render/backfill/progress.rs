//! Progress of `backfill run` on stderr: a bar per step on a terminal,
//! otherwise a gh-ost style line every few seconds, or JSON log events;
//! throttles, retries, lease waits and repaired state as they happen.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::PlanCommand;
use super::findings::{expire_sql, place, problem, remedy, when};
use crate::backfill::integrity::{Action, Finding, MAX_LEASE_SECS, Row};
use crate::backfill::{Event, Holder, OneWriterWhy, Snapshot, StepKind, WaitPhase};
use crate::cli::opt::LogFormat;
use crate::cli::render::human::{count, duration, eta, per_second, percent_of, rate, time};
use crate::cli::render::{Output, VERB};

/// Progress lines are rate-limited: a chunk every half second would flood
/// a terminal or a log collector.
const EVERY: Duration = Duration::from_secs(2);

pub struct Progress<'a> {
    out: &'a Output,
    command: PlanCommand,
    last: Mutex<Option<Instant>>,
    /// When the last lease wait was said: several workers wait at once.
    last_wait: Mutex<Option<Instant>>,
    /// Leases whose way out was shown already.
    hinted: Mutex<Vec<Row>>,
    /// The current step's bar, when stderr is a terminal.
    bar: Mutex<Option<ProgressBar>>,
    current: Mutex<Current>,
    use_bars: bool,
}

/// What the step being run said when it started, for the lines after.
#[derive(Debug, Clone, Copy, Default)]
struct Current {
    estimated: bool,
    written_before: u64,
}

/// The verb of a step's progress line: what its kind does to rows.
fn verb(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Copy => "Copy",
        StepKind::Update => "Update",
        StepKind::Sql => "SQL",
    }
}

/// `5,000/57,510 8.7%; written 4,210; chunk 500 rows in 8 ms; 9,800 rows/s;
/// ETA 5.4 s`: the run's totals, this process's rate, and an ETA only when
/// the rate and the rows left are known.
fn chunk_text(
    p: &Snapshot,
    estimated: bool,
    step_rows: u64,
    chunk_size: u64,
    elapsed: Duration,
) -> String {
    let total = p.scanned + p.remaining;
    let mut text = if p.total_known {
        let about = if estimated && p.remaining > 0 {
            "about "
        } else {
            ""
        };
        format!(
            "{}/{about}{} {}",
            count(p.scanned),
            count(total),
            percent_of(p.scanned, total)
        )
    } else {
        format!("{} scanned, more than estimated", count(p.scanned))
    };
    text.push_str(&format!(
        "; written {}; chunk {} rows in {}",
        count(step_rows),
        count(chunk_size),
        duration(elapsed)
    ));
    let per_sec =
        per_second(p.session_scanned, p.session_elapsed).filter(|_| p.session_scanned > 0);
    if let Some(r) = per_sec {
        text.push_str(&format!("; {} rows/s", count(r.round() as u64)));
    }
    if p.total_known
        && p.remaining > 0
        && let Some(eta) = eta(p.remaining, per_sec)
    {
        text.push_str(&format!("; ETA {eta}"));
    }
    text
}

impl Output {
    pub fn backfill_progress(&self, command: &PlanCommand) -> Progress<'_> {
        Progress {
            out: self,
            command: command.clone(),
            last: Mutex::new(None),
            last_wait: Mutex::new(None),
            hinted: Mutex::new(Vec::new()),
            bar: Mutex::new(None),
            current: Mutex::new(Current::default()),
            use_bars: !self.quiet
                && self.log_format == LogFormat::Text
                && std::io::stderr().is_terminal(),
        }
    }
}

impl Progress<'_> {
    pub fn event(&self, event: &Event<'_>) {
        if self.out.quiet {
            return;
        }
        let json = self.out.log_format == LogFormat::Json;
        match event {
            Event::StepStarted {
                step,
                index,
                kind,
                remaining,
                estimated,
                resumed,
                scanned_before,
                written_before,
            } => {
                *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Current {
                    estimated: *estimated,
                    written_before: *written_before,
                };
                if json {
                    tracing::info!(
                        step,
                        index,
                        kind = kind.as_str(),
                        remaining,
                        estimated,
                        resumed,
                        scanned_before,
                        written_before,
                        "backfill step started"
                    );
                } else {
                    let verb = if *resumed { "Resuming" } else { "Running" };
                    let about = if *estimated { "about " } else { "" };
                    let earlier = if *resumed {
                        format!(
                            " ({} scanned and {} written earlier in this run)",
                            count(*scanned_before),
                            count(*written_before)
                        )
                    } else {
                        String::new()
                    };
                    errln!(
                        "{verb:>VERB$} step {step} ({}): {about}{} rows to scan{earlier}",
                        kind.as_str(),
                        count(*remaining)
                    );
                }
                if self.use_bars {
                    self.start_bar(*kind, step, *scanned_before, *remaining);
                }
            }
            Event::Chunk { .. } => self.chunk(event, json),
            // What only the metrics count.
            Event::Throttled {
                phase: WaitPhase::Over,
                ..
            }
            | Event::ReplicaLag { .. }
            | Event::Rested { .. } => {}
            Event::Throttled {
                step,
                reason,
                waited,
                ..
            } => {
                let waited_ms = waited.as_millis() as u64;
                if json {
                    tracing::info!(step, reason, waited_ms, "backfill throttled");
                    return;
                }
                self.say(&format!(
                    "{:>VERB$} {step}: {reason}; waiting ({} so far)",
                    "Throttled",
                    duration(*waited)
                ));
            }
            Event::OneWriter {
                step,
                requested,
                why,
            } => one_writer(step, *requested, why, json),
            Event::Retrying {
                step,
                attempt,
                error,
                ..
            } => {
                tracing::warn!(step, attempt, "retrying chunk after: {error}");
                if !json {
                    errln!(
                        "{:>VERB$} {step} (attempt {attempt}) after: {error}",
                        "Retrying"
                    );
                }
            }
            Event::State { finding } => self.state_finding(finding, json),
            Event::Control { step, change } => {
                if json {
                    tracing::info!(
                        step,
                        run_id = change.run_id,
                        action = change.action.as_str(),
                        by = change.by,
                        at = change.at,
                        settings = change
                            .settings
                            .as_ref()
                            .map(|s| serde_json::to_string(s).unwrap_or_default()),
                        "backfill control"
                    );
                } else {
                    self.say(&super::control::seen_line(change, &self.command.plan));
                }
            }
            Event::LeaseWait {
                step,
                waited,
                holders,
            } => self.lease_wait(step, *waited, holders, json),
            Event::StepFinished {
                step,
                rows,
                chunks,
                elapsed,
            } => self.step_finished(step, *rows, *chunks, *elapsed, json),
        }
    }
}

/// Why a step runs with one worker, and what would let more write at once.
fn one_writer(step: &str, requested: usize, why: &OneWriterWhy<'_>, json: bool) {
    let (cause, remedy) = match why {
        OneWriterWhy::AutoIncLock(lock) => (
            format!(
                "`{}` has the AUTO_INCREMENT column `{}` and innodb_autoinc_lock_mode is {}, so each INSERT ... SELECT into it holds the table's AUTO-INC lock",
                lock.table, lock.column, lock.mode
            ),
            "innodb_autoinc_lock_mode = 2 (with binlog_format ROW or MIXED, or no binary log) lets workers write at once",
        ),
        OneWriterWhy::NoUniqueKey { table } => (
            format!(
                "`{table}` has no unique key on the match columns, so each chunk holds mendb's lock on it"
            ),
            "a unique key on the match columns lets workers write at once",
        ),
        OneWriterWhy::OneWriterDatabase => (
            "SQLite lets one connection write at a time".to_string(),
            "MariaDB or PostgreSQL let workers write at once",
        ),
    };
    if json {
        tracing::warn!(
            step,
            requested,
            workers = 1,
            cause,
            remedy,
            "backfill step runs with one worker"
        );
        return;
    }
    errln!(
        "{:>VERB$} {step}: 1 instead of {requested}: {cause}, and the others would only wait; {remedy}",
        "Workers"
    );
}

impl Progress<'_> {
    fn start_bar(&self, kind: StepKind, step: &str, before: u64, remaining: u64) {
        // Configured while hidden, so the first frame drawn is complete;
        // `wide_msg` truncates to the terminal, so a line never wraps and
        // redraws stay on one line.
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template(&format!("{{prefix:>{VERB}}} [{{bar:25}}] {{wide_msg}}"))
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(verb(kind));
        bar.set_message(step.to_string());
        bar.set_length(before + remaining);
        bar.set_position(before);
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.tick();
        *self.bar.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
    }

    fn chunk(&self, event: &Event<'_>, json: bool) {
        let &Event::Chunk {
            step,
            kind,
            step_rows,
            progress: p,
            chunk_size,
            elapsed,
            ..
        } = event
        else {
            return;
        };
        let estimated = self
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .estimated;
        if let Some(bar) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            // The message last: its draw is the one that shows this chunk
            // whole, bar and figures alike.
            bar.update(|s| {
                s.set_len(p.scanned + p.remaining);
                s.set_pos(p.scanned);
            });
            bar.set_message(format!(
                "{step} {}",
                chunk_text(&p, estimated, step_rows, chunk_size, elapsed)
            ));
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        *last = Some(Instant::now());
        if json {
            let per_sec = per_second(p.session_scanned, p.session_elapsed);
            let eta_secs = (p.total_known && p.remaining > 0 && p.session_scanned > 0)
                .then_some(per_sec)
                .flatten()
                .map(|r| (p.remaining as f64 / r).ceil().max(1.0) as u64);
            tracing::info!(
                step,
                kind = kind.as_str(),
                scanned = p.scanned,
                total = p.scanned + p.remaining,
                written = step_rows,
                chunk_size,
                eta_secs,
                "backfill progress"
            );
        } else {
            errln!(
                "{:>VERB$} {step}: {}",
                verb(kind),
                chunk_text(&p, estimated, step_rows, chunk_size, elapsed)
            );
        }
    }

    fn step_finished(&self, step: &str, rows: u64, chunks: u64, elapsed: Duration, json: bool) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).take() {
            bar.finish_and_clear();
        }
        if json {
            tracing::info!(
                step,
                rows,
                chunks,
                elapsed_ms = elapsed.as_millis() as u64,
                "backfill step finished"
            );
        } else {
            let before = self
                .current
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .written_before;
            let speed = rate(rows.saturating_sub(before), elapsed)
                .map(|r| format!(", {r}"))
                .unwrap_or_default();
            errln!(
                "{:>VERB$} step {step}: {} rows written in {} chunk{} ({}{speed})",
                "Finished",
                count(rows),
                count(chunks),
                if chunks == 1 { "" } else { "s" },
                duration(elapsed)
            );
        }
    }
}
impl Progress<'_> {
    /// A line above the bar, when there is one.
    fn say(&self, line: &str) {
        match self.bar.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some(bar) => bar.println(line),
            None => errln!("{line}"),
        }
    }

    fn state_finding(&self, f: &Finding, json: bool) {
        let verb = match f.action {
            Action::Repair(_) => "Repaired",
            _ => "Warning",
        };
        let text = format!(
            "{}: {}; {}",
            place(f),
            problem(f),
            remedy(f, &self.command, true)
        );
        if json {
            tracing::warn!(
                run_id = f.run_id,
                table = f.row.table(),
                row = f.row.predicate(),
                repaired = matches!(f.action, Action::Repair(_)),
                "backfill state: {text}"
            );
        } else {
            self.say(&format!("{verb:>VERB$} {text}"));
        }
    }

    fn lease_wait(&self, step: &str, waited: Duration, holders: &[Holder], json: bool) {
        {
            // Each worker says it; once for all of them is enough.
            let mut last = self.last_wait.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(4)) {
                return;
            }
            *last = Some(Instant::now());
        }
        let since = chrono::Utc::now()
            - chrono::Duration::from_std(waited).unwrap_or_else(|_| chrono::Duration::zero());
        for h in holders {
            let l = &h.lease;
            let row = Row::Lease {
                run_id: l.run_id,
                step_index: l.step_index,
                chunk_no: l.chunk_no,
            };
            if json {
                tracing::info!(
                    step,
                    chunk = l.chunk_no,
                    owner = l.owner,
                    session = l.owner_session,
                    session_alive = h.session_alive,
                    expires_at = l.expires_at,
                    waited_ms = waited.as_millis() as u64,
                    "backfill waiting for a lease"
                );
                continue;
            }
            let session = match (l.owner_session, h.session_alive) {
                (Some(s), Some(true)) => format!("session {s}, still connected"),
                (Some(s), _) => format!("session {s}, gone"),
                (None, _) => "no session recorded".to_string(),
            };
            self.say(&format!(
                "{:>VERB$} {step}: chunk {} is held by {} ({session}) until {}; waiting since {} ({})",
                "Waiting",
                l.chunk_no,
                l.owner,
                when(l.expires_at, h.now),
                time(since.naive_utc()),
                duration(waited)
            ));
            // A holder that is still there and will let go in time needs
            // no help; one without a session, or with an expiry mendb
            // never gives, may hold the chunk for as long as it says.
            let stuck =
                l.owner_session.is_none() || l.expires_at.saturating_sub(h.now) > MAX_LEASE_SECS;
            let mut hinted = self.hinted.lock().unwrap_or_else(|p| p.into_inner());
            if stuck && !hinted.contains(&row) {
                hinted.push(row.clone());
                self.say(&format!(
                    "{:>VERB$} it is taken over once its session ends or it expires; to take it over now: `{}`, or stop this run and run `{}`",
                    "",
                    expire_sql(&row),
                    self.command.run("--restart")
                ));
            }
        }
    }
}
