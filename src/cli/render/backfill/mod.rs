//! Rendering of `backfill run` and `backfill status`: cargo-style step
//! lines and a summary of a run, the runs and their state for `status`.
//! Progress while a run goes is `progress`; the words for state findings
//! are `findings`; `backfill list` is `list`.

mod control;
mod findings;
mod list;
mod progress;

use std::time::Duration;

use super::Output;
use super::human::{count, duration, millis, percent_of, signed_count, stored_time};
use crate::backfill::integrity::Finding;
use crate::backfill::sqlgen::Shown;
use crate::backfill::{RunReport, RunState, RunStatus, Status, StepStatus};
use crate::cli::opt::Format;
use crate::sql::layout;
pub use control::cancelled_message;
use findings::{lease_line, place, problem, remedy};
pub use list::{PlanEntry, PlanSource};

/// How the user ran the plan, so the commands mendb suggests can be typed
/// as shown.
#[derive(Debug, Clone)]
pub struct PlanCommand {
    /// The plan as given: a file or a shipped plan's name.
    pub plan: String,
    pub sets: Vec<String>,
}

impl PlanCommand {
    /// `mendb backfill run PLAN [--set ...] [extra]`.
    pub fn run(&self, extra: &str) -> String {
        let mut words = vec!["mendb".to_string(), "backfill".into(), "run".into()];
        words.push(shell_word(&self.plan));
        for set in &self.sets {
            words.push("--set".into());
            words.push(shell_word(set));
        }
        if !extra.is_empty() {
            words.push(extra.to_string());
        }
        words.join(" ")
    }
}

/// Where a step of `backfill status` stands: done, or its cursor with the
/// share of its walk behind it, its rate and ETA as far as they are known.
fn step_progress(s: &StepStatus) -> String {
    let elapsed = Duration::from_millis(s.elapsed_ms);
    if s.step.done {
        return format!("done in {}", duration(elapsed));
    }
    let mut text = format!(
        "at {}",
        s.step
            .cursor
            .as_ref()
            .map_or("start".into(), |c| c.join(", "))
    );
    if let (Some(scanned), Some(total)) = (s.scanned, s.total) {
        let about = if s.estimated { "about " } else { "" };
        text.push_str(&format!(
            "; {}/{about}{} scanned {}",
            count(scanned),
            count(total),
            percent_of(scanned, total)
        ));
    }
    if let Some(r) = s.rows_per_sec {
        text.push_str(&format!("; {} rows/s", count(r.round() as u64)));
    }
    if let Some(eta) = s.eta_secs {
        text.push_str(&format!("; ETA {}", duration(Duration::from_secs(eta))));
    }
    text
}

/// A word as a POSIX shell reads it back.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A dry run for review: per step the rows it would scan, then each
/// statement of its first chunk laid out a clause a line, with the values
/// bound to its placeholders listed under it.
pub fn dry_run_text(report: &RunReport) -> String {
    let mut text = format!("Dry run of plan {}: nothing written\n", report.plan);
    for s in &report.dry_steps {
        text.push_str(&format!(
            "\n-- step {}: {}{} rows to scan in about {} chunk(s); first chunk:\n",
            s.name,
            if s.estimated { "about " } else { "" },
            count(s.rows),
            count(s.chunks)
        ));
        for (i, sql) in s.sql.iter().enumerate() {
            text.push_str(&layout(sql, s.dialect.sql_flavor()));
            text.push_str(";\n");
            for v in s.values.get(i).into_iter().flatten() {
                let value = match &v.value {
                    Shown::Int(n) => n.to_string(),
                    Shown::Text(t) => format!("'{}'", t.replace('\'', "''")),
                };
                text.push_str(&format!("-- {} = {value}\n", v.placeholder));
            }
        }
    }
    text
}

impl Output {
    /// Where `--output` put a dry run's review.
    pub fn backfill_dry_run_written(&self, report: &RunReport, path: &std::path::Path) {
        if self.format == Format::Json {
            return self.json(&serde_json::json!({
                "plan": report.plan,
                "dry_run": true,
                "output": path.display().to_string(),
            }));
        }
        outln!(
            "Dry run of plan {}: nothing written; the review is in {}",
            report.plan,
            path.display()
        );
    }

    pub fn backfill_report(&self, report: &RunReport) {
        if self.format == Format::Json {
            return self.json(report);
        }
        if report.dry_run {
            outln!("{}", dry_run_text(report).trim_end());
            return;
        }
        let state = if report.interrupted {
            "Interrupted"
        } else {
            "Finished"
        };
        outln!(
            "{state} plan {} (run {}{}): {} rows written in {}",
            report.plan,
            report.run_id.unwrap_or_default(),
            if report.resumed { ", resumed" } else { "" },
            count(report.rows),
            millis(report.elapsed_ms)
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
                count(s.rows),
                count(s.chunks)
            );
        }
    }

    /// A run refused by the state check: every finding, and the way out.
    pub fn backfill_refusal(
        &self,
        plan: &str,
        run_id: i64,
        findings: &[Finding],
        command: &PlanCommand,
    ) -> String {
        let mut text = format!(
            "run {run_id} of plan `{plan}` cannot be resumed: its backfill state is damaged, and nothing was written:"
        );
        for f in findings {
            text.push_str(&format!("\n  {}: {}", place(f), problem(f)));
        }
        text.push_str(&format!(
            "\nfix: `{}` abandons run {run_id} and starts a new run from the first key",
            command.run("--restart")
        ));
        text
    }

    /// `backfill status`; `plan` is the PLAN argument, when given.
    pub fn backfill_status(&self, status: &Status, plan: Option<&str>) {
        let command = |name: &str| PlanCommand {
            plan: plan.unwrap_or(name).to_string(),
            sets: Vec::new(),
        };
        if self.format == Format::Json {
            let mut entries: Vec<serde_json::Value> = status
                .runs
                .iter()
                .map(|r| serde_json::to_value(r).unwrap_or_default())
                .collect();
            if !status.stray_leases.is_empty() {
                entries.push(serde_json::json!({
                    "run": null,
                    "steps": [],
                    "leases": status.stray_leases,
                    "findings": status.stray_findings,
                }));
            }
            return self.json(&entries);
        }
        if status.runs.is_empty() && status.stray_leases.is_empty() {
            outln!("No backfill runs recorded");
            return;
        }
        for r in &status.runs {
            run_status(r, status.now, &command(&r.run.plan));
        }
        if !status.stray_leases.is_empty() {
            outln!("leases of runs that are not recorded:");
            for l in &status.stray_leases {
                outln!("  run {} {}", l.run_id, lease_line(l, status.now));
            }
            let command = command("PLAN");
            for f in &status.stray_findings {
                outln!(
                    "  problem: {}: {}; {}",
                    place(f),
                    problem(f),
                    remedy(f, &command, false)
                );
            }
        }
    }
}

/// One run of `backfill status`: the run, its steps, leases and findings.
fn run_status(r: &RunStatus, now: i64, command: &PlanCommand) {
    let run = &r.run;
    // The end's word is the state's: an interrupted run did not finish.
    let ended = match (r.state, run.finished_at.as_deref()) {
        (RunState::Running | RunState::Paused, _) | (_, None) => String::new(),
        (RunState::Interrupted, Some(t)) => format!(" stopped {}", stored_time(t)),
        (state, Some(t)) => format!(" {} {}", state.as_str(), stored_time(t)),
    };
    outln!(
        "run {} {} {} started {}{ended} rows {}{}",
        run.id,
        run.plan,
        r.state.as_str(),
        stored_time(&run.started_at),
        signed_count(run.rows_written),
        run.last_error
            .as_ref()
            .map(|e| format!(" error: {e}"))
            .unwrap_or_default()
    );
    if let Some(p) = &r.controls.paused {
        outln!(
            "  paused by {} since {}; `mendb backfill resume {}` goes on",
            p.by,
            stored_time(&p.at),
            command.plan
        );
    }
    if let Some(c) = &r.controls.cancelled {
        outln!(
            "  cancelled by {} at {}; `mendb backfill run {} --restart` starts a new run",
            c.by,
            stored_time(&c.at),
            command.plan
        );
    }
    if !r.controls.settings.is_empty() {
        outln!(
            "  throttled to {}",
            control::settings_text(&r.controls.settings)
        );
    }
    for c in &r.history {
        outln!("  {:<9} {}", c.action.as_str(), control::change_text(c));
    }
    for s in &r.steps {
        outln!(
            "  step {} {}: {} rows, {} chunks, {}",
            s.step.step_index,
            s.step.step_name,
            signed_count(s.step.rows_written),
            signed_count(s.step.chunks),
            step_progress(s)
        );
    }
    for l in &r.leases {
        outln!("  {}", lease_line(l, now));
    }
    for f in &r.findings {
        outln!(
            "  problem: {}: {}; {}",
            place(f),
            problem(f),
            remedy(f, command, false)
        );
    }
}
