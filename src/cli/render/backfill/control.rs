//! How the changes of a run's control log read: on the line a worker
//! prints when it sees one, in `backfill status`, and as the answer of
//! `backfill pause|resume|cancel|throttle`.

use super::super::human::stored_time;
use super::super::{Output, VERB};
use crate::backfill::control::{Action, Change, Outcome, Settings};
use crate::cli::opt::Format;

/// `max-rows-per-sec 100, sleep-ratio 0.5`, named as the flags are;
/// `as started` for a reset with nothing else.
pub(super) fn settings_text(s: &Settings) -> String {
    let mut parts = Vec::new();
    if s.reset {
        parts.push("the flags each process started with".to_string());
    }
    if let Some(n) = s.max_rows_per_sec {
        parts.push(format!("max-rows-per-sec {n} per worker"));
    }
    if let Some(r) = s.sleep_ratio {
        parts.push(format!("sleep-ratio {r}"));
    }
    if let Some(t) = s.chunk_target() {
        parts.push(format!(
            "chunk-target {}",
            crate::cli::render::human::duration(t)
        ));
    }
    if let Some(n) = s.max_threads_running {
        parts.push(format!("max-threads-running {n}"));
    }
    parts.join(", ")
}

/// The verb a change is announced with.
pub(super) fn verb(a: Action) -> &'static str {
    match a {
        Action::Pause => "Paused",
        Action::Resume => "Resumed",
        Action::Cancel => "Cancelled",
        Action::Throttle => "Throttled",
    }
}

/// `run 3 by ops@pod-1 at 2025-09-30T06:06:03Z`, and what a throttle set.
pub(super) fn change_text(c: &Change) -> String {
    let mut text = format!("run {} by {} at {}", c.run_id, c.by, stored_time(&c.at));
    if let Some(s) = c.settings.as_ref().filter(|s| !s.is_empty()) {
        text += &format!(": {}", settings_text(s));
    }
    text
}

/// The line a worker prints when it reads a change; `plan` as the user
/// named it, for the command that undoes a pause.
pub(super) fn seen_line(c: &Change, plan: &str) -> String {
    let then = match c.action {
        Action::Pause => format!("; waiting for `mendb backfill resume {plan}`"),
        Action::Cancel => "; stopping, the chunk in hand given back".to_string(),
        Action::Resume | Action::Throttle => String::new(),
    };
    format!("{:>VERB$} {}{then}", verb(c.action), change_text(c))
}

/// Why `backfill run` stopped when its run was cancelled, and the one
/// command that goes on from there.
pub fn cancelled_message(c: &Change, plan: &str) -> String {
    format!(
        "{} was cancelled; it is abandoned, and `mendb backfill run {plan} --restart` starts a new run",
        change_text(c)
    )
}

impl Output {
    pub fn backfill_control(&self, o: &Outcome) {
        if self.format == Format::Json {
            self.json(o);
            return;
        }
        match (&o.change, &o.unchanged) {
            (Some(c), _) => {
                let next = match c.action {
                    Action::Pause => format!(
                        "; every worker stops after its chunk and holds nothing until `mendb backfill resume {}`",
                        o.plan
                    ),
                    Action::Resume => "; every worker goes on after its next look".to_string(),
                    Action::Cancel => format!(
                        "; it is abandoned: its workers stop after their chunk, and only `mendb backfill run {} --restart` starts another",
                        o.plan
                    ),
                    Action::Throttle => {
                        "; every worker of every process keeps to it from its next chunk"
                            .to_string()
                    }
                };
                outln!("{} {}{next}", verb(c.action), change_text(c));
            }
            (None, why) => outln!(
                "Nothing to do: run {} of {} is {}",
                o.run_id,
                o.plan,
                why.as_deref().unwrap_or("as asked")
            ),
        }
    }
}
