//! Rendering of `backfill run` and `backfill status`: a progress bar per
//! step on a terminal, otherwise a gh-ost style line every few seconds;
//! cargo-style step lines and a summary.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::{Output, VERB};
use crate::backfill::{Event, RunReport, RunStatus};
use crate::cli::opt::{Format, LogFormat};

/// Progress lines are rate-limited: a chunk every half second would flood
/// a terminal or a log collector.
const EVERY: Duration = Duration::from_secs(2);

pub struct Progress<'a> {
    out: &'a Output,
    last: Mutex<Option<Instant>>,
    /// The current step's bar, when stderr is a terminal.
    bar: Mutex<Option<ProgressBar>>,
    use_bars: bool,
}

fn rate(rows: u64, elapsed: Duration) -> u64 {
    (rows as f64 / elapsed.as_secs_f64().max(0.001)) as u64
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
                remaining,
                estimated,
                resumed,
            } => {
                if json {
                    tracing::info!(
                        step,
                        index,
                        remaining,
                        estimated,
                        resumed,
                        "backfill step started"
                    );
                } else {
                    let verb = if *resumed { "Resuming" } else { "Running" };
                    let about = if *estimated { "about " } else { "" };
                    errln!("{verb:>VERB$} step {step}: {about}{remaining} rows to scan");
                }
                if self.use_bars {
                    let bar = ProgressBar::new(*remaining);
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{prefix:>12} [{bar:30}] {pos}/{len} {percent}%; {msg}; ETA {eta}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    bar.set_prefix(step.to_string());
                    *self.bar.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
                }
            }
            Event::Chunk {
                step,
                step_rows,
                scanned,
                remaining,
                chunk_size,
                elapsed,
                ..
            } => {
                if let Some(bar) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                    bar.set_length(scanned + remaining);
                    bar.set_position(*scanned);
                    bar.set_message(format!("written {step_rows}"));
                    return;
                }
                let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
                if last.is_some_and(|t| t.elapsed() < EVERY) {
                    return;
                }
                *last = Some(Instant::now());
                let total = scanned + remaining;
                let pct = if total == 0 {
                    100.0
                } else {
                    *scanned as f64 * 100.0 / total as f64
                };
                let per_sec = rate(*chunk_size, *elapsed);
                let eta = if per_sec == 0 {
                    0
                } else {
                    remaining / per_sec.max(1)
                };
                if json {
                    tracing::info!(
                        step,
                        scanned,
                        total,
                        written = step_rows,
                        chunk_size,
                        eta_secs = eta,
                        "backfill progress"
                    );
                } else {
                    errln!(
                        "{:>VERB$} {step}: {scanned}/{total} {pct:.1}%; written {step_rows}; chunk {chunk_size} rows in {} ms; ETA {eta}s",
                        "Copy",
                        elapsed.as_millis()
                    );
                }
            }
            Event::Throttled {
                step,
                reason,
                waited,
            } => {
                let waited_ms = waited.as_millis() as u64;
                if json {
                    tracing::info!(step, reason, waited_ms, "backfill throttled");
                    return;
                }
                let line = format!(
                    "{:>VERB$} {step}: {reason}; waiting ({:.0} s so far)",
                    "Throttled",
                    waited.as_secs_f64()
                );
                match self.bar.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                    Some(bar) => bar.println(line),
                    None => errln!("{line}"),
                }
            }
            Event::Retrying {
                step,
                attempt,
                error,
            } => {
                tracing::warn!(step, attempt, "retrying chunk after: {error}");
                if !json {
                    errln!(
                        "{:>VERB$} {step} (attempt {attempt}) after: {error}",
                        "Retrying"
                    );
                }
            }
            Event::StepFinished {
                step,
                rows,
                chunks,
                elapsed,
            } => {
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
                    errln!(
                        "{:>VERB$} step {step}: {rows} rows in {chunks} chunks ({:.1} s, {} rows/s)",
                        "Finished",
                        elapsed.as_secs_f64(),
                        rate(*rows, *elapsed)
                    );
                }
            }
        }
    }
}

impl Output {
    pub fn backfill_progress(&self) -> Progress<'_> {
        Progress {
            out: self,
            last: Mutex::new(None),
            bar: Mutex::new(None),
            use_bars: !self.quiet
                && self.log_format == LogFormat::Text
                && std::io::stderr().is_terminal(),
        }
    }

    pub fn backfill_report(&self, report: &RunReport) {
        if self.format == Format::Json {
            return self.json(report);
        }
        if report.dry_run {
            outln!("Dry run of plan {}: nothing written", report.plan);
            for s in &report.dry_steps {
                outln!(
                    "\n-- step {}: {}{} rows to scan in about {} chunk(s); first chunk:",
                    s.name,
                    if s.estimated { "about " } else { "" },
                    s.rows,
                    s.chunks
                );
                for sql in &s.sql {
                    outln!("{sql};");
                }
            }
            return;
        }
        let state = if report.interrupted {
            "Interrupted"
        } else {
            "Finished"
        };
        outln!(
            "{state} plan {} (run {}{}): {} rows written in {:.1} s",
            report.plan,
            report.run_id.unwrap_or_default(),
            if report.resumed { ", resumed" } else { "" },
            report.rows,
            report.elapsed_ms as f64 / 1000.0
        );
        let width = report.steps.iter().map(|s| s.name.len()).max().unwrap_or(4);
        for s in &report.steps {
            let note = if s.skipped_done {
                " (done earlier)"
            } else {
                ""
            };
            outln!(
                "  {:<width$} {:>10} rows {:>6} chunks{note}",
                s.name,
                s.rows,
                s.chunks
            );
        }
    }

    pub fn backfill_status(&self, runs: &[RunStatus]) {
        if self.format == Format::Json {
            return self.json(&runs);
        }
        if runs.is_empty() {
            outln!("No backfill runs recorded");
            return;
        }
        for r in runs {
            let run = &r.run;
            outln!(
                "run {} {} {} started {} finished {} rows {}{}",
                run.id,
                run.plan,
                run.status,
                run.started_at,
                run.finished_at.as_deref().unwrap_or("-"),
                run.rows_written,
                run.last_error
                    .as_ref()
                    .map(|e| format!(" error: {e}"))
                    .unwrap_or_default()
            );
            for s in &r.steps {
                outln!(
                    "  step {} {}: {} rows, {} chunks, {}",
                    s.step_index,
                    s.step_name,
                    s.rows_written,
                    s.chunks,
                    if s.done {
                        "done".to_string()
                    } else {
                        format!(
                            "at {}",
                            s.cursor.as_ref().map_or("start".into(), |c| c.join(", "))
                        )
                    }
                );
            }
        }
    }
}
