//! The words for what the state check finds in a backfill's state tables:
//! where a finding is, what is wrong, and what mendb does or the user can
//! do about it. Shared by `backfill status`, the refusal of a damaged run
//! and the progress lines of a run that repaired something.

use super::PlanCommand;
use crate::backfill::integrity::{Action, Finding, MAX_LEASE_SECS, Problem, Repair, Row};
use crate::backfill::state::LeaseRow;
use crate::cli::render::human::{duration, epoch};

/// A span of seconds on the database's clock.
fn span(secs: i64) -> String {
    duration(std::time::Duration::from_secs(secs.unsigned_abs()))
}

/// When a time is, from `now`.
pub(super) fn when(at: i64, now: i64) -> String {
    let left = at.saturating_sub(now);
    if left >= 0 {
        format!("{} (in {})", epoch(at), span(left))
    } else {
        format!("{} ({} ago)", epoch(at), span(left))
    }
}

/// Where a finding is: the run, the step, and the row with its key.
pub(super) fn place(f: &Finding) -> String {
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

/// What is wrong, in words: one arm per kind of problem.
pub(super) fn problem(f: &Finding) -> String {
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
pub(super) fn expire_sql(row: &Row) -> String {
    format!(
        "UPDATE mendb_backfill_leases SET expires_at = 0 WHERE {}",
        row.predicate()
    )
}

/// What happens about a finding, before a run (`status`) or after its
/// start applied it (`done`).
pub(super) fn remedy(f: &Finding, command: &PlanCommand, done: bool) -> String {
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

pub(super) fn lease_line(l: &LeaseRow, now: i64) -> String {
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
