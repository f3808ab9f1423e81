//! Rendering of `backfill run` and `backfill status`: a progress bar per
//! step on a terminal, otherwise a gh-ost style line every few seconds;
//! cargo-style step lines and a summary.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::{Output, VERB};
use crate::backfill::integrity::{Action, Finding, MAX_LEASE_SECS, Problem, Repair, Row};
use crate::backfill::state::LeaseRow;
use crate::backfill::{Event, Holder, RunReport, Status};
use crate::cli::opt::{Format, LogFormat};

/// Progress lines are rate-limited: a chunk every half second would flood
/// a terminal or a log collector.
const EVERY: Duration = Duration::from_secs(2);

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

/// A time on the database's clock (seconds since 1970), in UTC.
fn epoch_text(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(
        || format!("{secs} s after 1970"),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// A span of seconds the way people say it.
fn span(secs: i64) -> String {
    let s = secs.unsigned_abs();
    match s {
        0..120 => format!("{s} s"),
        120..7200 => format!("{} min", s / 60),
        7200..172_800 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

/// When a time is, from `now`.
fn when(at: i64, now: i64) -> String {
    let left = at.saturating_sub(now);
    if left >= 0 {
        format!("{} (in {})", epoch_text(at), span(left))
    } else {
        format!("{} ({} ago)", epoch_text(at), span(left))
    }
}

/// Where a finding is: the run, the step, and the row with its key.
fn place(f: &Finding) -> String {
    let mut out = String::new();
    if f.plan.is_some() {
        out.push_str(&format!("run {}", f.run_id));
    }
    if let (Some(i), Some(name)) = (f.step_index, &f.step_name) {
        out.push_str(&format!(" step {i} `{name}`"));
    } else if let (Some(i), Row::Step { .. }) = (f.step_index, &f.row) {
        out.push_str(&format!(" step {i}"));
    }
    if let Row::Lease { .. } = f.row {
        out.push_str(" lease");
    }
    format!(
        "{} ({} {})",
        out.trim_start(),
        f.row.table(),
        f.row.predicate()
    )
}

/// What is wrong, in words.
fn problem(f: &Finding) -> String {
    match &f.problem {
        Problem::UnknownStatus { status } => {
            format!("status `{status}` is none mendb writes, so no run resumes this one")
        }
        Problem::StepMissing {
            chunks: 0,
            leases: 0,
            later_started: false,
        } => "the row is missing; nothing of the step is in the chunk log or the leases".into(),
        Problem::StepMissing {
            chunks,
            leases,
            later_started,
        } => {
            let mut held = Vec::new();
            if *chunks > 0 {
                held.push(format!("the chunk log holds {chunks} chunk(s) of it"));
            }
            if *leases > 0 {
                held.push(format!("{leases} lease(s) of it are out"));
            }
            if *later_started {
                held.push("a later step has started".into());
            }
            format!(
                "the row is missing, while {}: where the step stopped is not known",
                held.join(" and ")
            )
        }
        Problem::StepNotInPlan { name } => {
            format!("a row for step `{name}`, which the plan does not have at this index")
        }
        Problem::StepRenamed { found } => {
            format!("the row names step `{found}`, which is not the plan's step at this index")
        }
        Problem::UnknownDone { value } => {
            format!("done = {value} is none of 0 (open), 2 (handed out) and 1 (done)")
        }
        Problem::NegativeCounter {
            counter,
            value,
            logged,
        } => format!(
            "{} is {value}, while the chunk log says {logged}",
            counter.column()
        ),
        Problem::NegativeRunRows { value } => format!("rows_written is {value}"),
        Problem::FinishedStepOpen { done } => {
            format!("the run is finished, but this step is not done (done = {done})")
        }
        Problem::BadKey { column, fault } => format!("{} {fault}", column.column()),
        Problem::LeaseWithoutRun => format!("run {} does not exist", f.run_id),
        Problem::LeaseOfEndedRun { status } => {
            format!("its run is {status}, so no worker will write its chunk")
        }
        Problem::LeaseWithoutStep => "the run has no such step".into(),
        Problem::LeaseOfDoneStep => {
            "the step is marked done, so this chunk may never have been written".into()
        }
        Problem::LeaseHeld {
            no_session,
            beyond_max,
            expires_at,
            now,
        } => {
            let at = when(*expires_at, *now);
            let max = span(MAX_LEASE_SECS);
            match (no_session, beyond_max) {
                (true, false) => format!(
                    "no session of its holder is recorded, so nothing but its expiry at {at} frees it"
                ),
                (false, _) => format!(
                    "it expires at {at}, later than any --lease gives ({max}): mendb did not write it, and only the end of its holder's session frees it sooner"
                ),
                (true, true) => format!(
                    "no session of its holder is recorded and it expires at {at}, later than any --lease gives ({max}): mendb did not write it, and nothing but that expiry frees it"
                ),
            }
        }
    }
}

/// The SQL that frees a lease at once; a waiting run then takes the chunk
/// over and writes it (deleting the row instead would lose the chunk).
fn expire_sql(row: &Row) -> String {
    format!(
        "UPDATE mendb_backfill_leases SET expires_at = 0 WHERE {}",
        row.predicate()
    )
}

/// What happens about a finding, before a run (`status`) or after its
/// start applied it (`done`).
fn remedy(f: &Finding, command: &PlanCommand, done: bool) -> String {
    match &f.action {
        Action::Repair(r) => {
            let (will, did) = match r {
                Repair::DeleteLease => ("deletes it".to_string(), "deleted".to_string()),
                Repair::RecreateStep { .. } => (
                    "recreates it at the start of the step".into(),
                    "recreated at the start of the step".into(),
                ),
                Repair::SetCounter { value, .. } => (
                    format!("sets it to {value} from the chunk log"),
                    format!("set to {value} from the chunk log"),
                ),
                Repair::RecountRunRows => (
                    "recounts it from the steps".into(),
                    "recounted from the steps".into(),
                ),
            };
            if done {
                did
            } else {
                format!("the next run of the plan {will}")
            }
        }
        Action::Restart => format!(
            "fix: `{}` abandons run {} and starts a new one from the first key",
            command.run("--restart"),
            f.run_id
        ),
        Action::Rerun => format!(
            "its result is not confirmed: `{}` scans every step again and writes what is missing",
            command.run("")
        ),
        Action::Wait => format!(
            "{} waits for it once no other chunk is left; to free it now: `{}` (a waiting run then takes the chunk over), or stop the run and use `{}`",
            if done { "this run" } else { "a run" },
            expire_sql(&f.row),
            command.run("--restart")
        ),
    }
}

fn lease_line(l: &LeaseRow, now: i64) -> String {
    let session = l
        .owner_session
        .map_or("no session recorded".to_string(), |s| {
            format!("session {s}")
        });
    format!(
        "lease chunk {} of step {}: held by {}, {session}, until {} ({} {})",
        l.chunk_no,
        l.step_index,
        l.owner,
        when(l.expires_at, now),
        "mendb_backfill_leases",
        Row::Lease {
            run_id: l.run_id,
            step_index: l.step_index,
            chunk_no: l.chunk_no,
        }
        .predicate()
    )
}

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
            Event::State { finding } => self.state_finding(finding, json),
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
                "{:>VERB$} {step}: chunk {} is held by {} ({session}) until {}; waiting since {} ({:.0} s)",
                "Waiting",
                l.chunk_no,
                l.owner,
                when(l.expires_at, h.now),
                since.format("%H:%M:%SZ"),
                waited.as_secs_f64()
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

impl Output {
    pub fn backfill_progress(&self, command: &PlanCommand) -> Progress<'_> {
        Progress {
            out: self,
            command: command.clone(),
            last: Mutex::new(None),
            last_wait: Mutex::new(None),
            hinted: Mutex::new(Vec::new()),
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
            for l in &r.leases {
                outln!("  {}", lease_line(l, status.now));
            }
            let command = command(&run.plan);
            for f in &r.findings {
                outln!(
                    "  problem: {}: {}; {}",
                    place(f),
                    problem(f),
                    remedy(f, &command, false)
                );
            }
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
