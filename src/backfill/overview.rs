//! What `backfill status` shows: each run with the state its rows bear out
//! rather than the one last written (a killed process leaves `running`
//! behind), each step's progress, rate and ETA where they can be known,
//! and what the state check finds. Reads only.

use std::collections::BTreeMap;

use serde::Serialize;

use super::plan::Plan;
use super::state::{self, status};
use super::{BackfillError, control, integrity, preflight};
use crate::db::Db;

/// A run's state, derived from its status and its leases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// A worker holds a live lease of it.
    Running,
    /// Paused by `backfill pause`: no worker writes until `resume`.
    Paused,
    /// Stopped before its end, by a signal or a kill: the same command
    /// resumes it.
    Interrupted,
    Failed,
    Finished,
    /// Replaced by a `--restart`, or cancelled.
    Abandoned,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Interrupted => "interrupted",
            RunState::Failed => "failed",
            RunState::Finished => "finished",
            RunState::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    #[serde(flatten)]
    pub step: state::StepState,
    /// Rows of the step's walk scanned so far, and in all: known for a
    /// finished step, and for an unfinished one when `status` was given
    /// the plan file the run was started from. `estimated` when the total
    /// is the planner's guess.
    pub scanned: Option<u64>,
    pub total: Option<u64>,
    pub estimated: bool,
    /// Time the step's chunks took, summed over its chunk log.
    pub elapsed_ms: u64,
    /// Rows scanned per second of chunk time, when known.
    pub rows_per_sec: Option<f64>,
    /// Seconds the rest of the step takes at that rate, when both are
    /// known and something is left.
    pub eta_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunStatus {
    pub run: state::Run,
    /// What the run's rows bear out; `run.status` is what was last written.
    pub state: RunState,
    pub steps: Vec<StepStatus>,
    pub leases: Vec<state::LeaseRow>,
    /// What the state check found in this run's rows.
    pub findings: Vec<integrity::Finding>,
    /// What its control log holds in force: a pause, a cancel, throttle
    /// settings.
    pub controls: control::ControlState,
    /// Every change of its control log, oldest first.
    pub history: Vec<control::Change>,
}

/// Runs and what the state check found.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub runs: Vec<RunStatus>,
    /// Leases of runs that are not recorded.
    pub stray_leases: Vec<state::LeaseRow>,
    pub stray_findings: Vec<integrity::Finding>,
    /// The database's clock, in the seconds leases expire in.
    pub now: i64,
}

/// Runs with their steps and leases, newest first, each checked; `plan`
/// narrows to one plan and lets the runs started from this very file be
/// checked against its steps and keys too, and their progress counted.
pub async fn status(db: &mut Db, plan: Option<&Plan>) -> Result<Status, BackfillError> {
    let runs = state::runs(db, plan.map(Plan::name)).await?;
    let mut out = Status::default();
    // State tables left half made by an interrupted first run hold
    // nothing to check.
    let complete = crate::db::introspect::table_exists(db, "mendb_backfill_runs").await?
        && crate::db::introspect::table_exists(db, "mendb_backfill_leases").await?
        && crate::db::introspect::table_exists(db, "mendb_backfill_chunks").await?;
    let shapes = match plan {
        Some(p) if complete => Some(integrity::shapes(db, p).await?),
        _ => None,
    };
    if complete {
        out.now = state::epoch_now(db).await?;
        out.stray_leases = state::leases_without_run(db).await?;
        out.stray_findings = integrity::judge_strays(&out.stray_leases);
    }
    for run in runs {
        let saved = state::steps(db, run.id).await?;
        let same_file = plan.filter(|p| p.checksum == run.checksum);
        let (leases, findings, times) = if complete {
            let stored = integrity::read_run(db, &run).await?;
            let cx = integrity::Context {
                shapes: shapes.as_deref().filter(|_| same_file.is_some()),
                dialect: db.dialect(),
                now: out.now,
            };
            let findings = integrity::judge(&stored, &cx);
            let times = state::chunk_time(db, run.id).await?;
            (stored.leases.clone(), findings, times)
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        let live = live_lease(db, &leases, out.now).await?;
        let history = control::log(db, run.id).await?;
        let controls = control::ControlState::of(&history);
        let mut state = derive_state(&run.status, saved.iter().all(|s| s.done), live);
        if controls.paused.is_some() && matches!(state, RunState::Running | RunState::Interrupted) {
            state = RunState::Paused;
        }
        let counts = match same_file {
            Some(p) if state != RunState::Finished => walk_counts(db, p, &run, &saved).await,
            _ => BTreeMap::new(),
        };
        let steps = saved
            .into_iter()
            .map(|s| {
                let ms = times
                    .iter()
                    .find(|(i, _)| *i == s.step_index)
                    .map_or(0, |(_, ms)| *ms);
                let count = counts.get(&s.step_index).copied();
                step_status(s, count, ms, state != RunState::Abandoned)
            })
            .collect();
        out.runs.push(RunStatus {
            run,
            state,
            steps,
            leases,
            findings,
            controls,
            history,
        });
    }
    Ok(out)
}

/// The state a run's rows bear out. A process killed mid-run cannot say
/// so: its run stays `running`, with no worker holding a live lease.
fn derive_state(stored: &str, all_done: bool, live_lease: bool) -> RunState {
    match stored {
        status::ABANDONED => RunState::Abandoned,
        status::FAILED => RunState::Failed,
        status::FINISHED if all_done => RunState::Finished,
        status::RUNNING if live_lease => RunState::Running,
        _ => RunState::Interrupted,
    }
}

/// Whether a worker holds one of `leases` now: it has not expired, and
/// the session it names, if any, is still there.
async fn live_lease(
    db: &mut Db,
    leases: &[state::LeaseRow],
    now: i64,
) -> Result<bool, BackfillError> {
    for l in leases.iter().filter(|l| l.expires_at > now) {
        let alive = match l.owner_session {
            Some(s) => state::session_alive(db, s).await?,
            None => true,
        };
        if alive {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Rows scanned and in all for each unfinished step that has begun, from
/// the same counts a run makes. Progress is only shown, so a count that
/// fails (the schema changed since) leaves it unknown.
async fn walk_counts(
    db: &mut Db,
    plan: &Plan,
    run: &state::Run,
    saved: &[state::StepState],
) -> BTreeMap<i64, (u64, u64, bool)> {
    let mut out = BTreeMap::new();
    let sets: Vec<String> = serde_json::from_str::<BTreeMap<String, String>>(&run.params)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let Ok(params) = plan.resolve_params(&sets) else {
        return out;
    };
    let Ok(checked) = preflight::check(db, plan, &params).await else {
        return out;
    };
    for s in saved.iter().filter(|s| !s.done) {
        let Some(step) = usize::try_from(s.step_index)
            .ok()
            .and_then(|i| checked.get(i))
        else {
            continue;
        };
        let all = step.remaining_query(None);
        let left = step.remaining_query(s.cursor.as_deref());
        let counted = async {
            let total = db.rows_in(&all.text, &all.params()).await?;
            let remaining = match s.cursor {
                Some(_) => db.rows_in(&left.text, &left.params()).await?.get(),
                None => total.get(),
            };
            Ok::<_, crate::db::DbError>((total, remaining))
        };
        if let Ok((total, remaining)) = counted.await {
            // As a run counts it: every row written was scanned first.
            let scanned = total
                .get()
                .saturating_sub(remaining)
                .max(s.rows_written.max(0) as u64);
            let all = total.get().max(scanned + remaining);
            out.insert(s.step_index, (scanned, all, total.is_estimate()));
        }
    }
    out
}

/// `resumable`: whether anything will finish the step; an abandoned
/// run has no ETA, only another run with `--restart`.
fn step_status(
    s: state::StepState,
    counts: Option<(u64, u64, bool)>,
    elapsed_ms: u64,
    resumable: bool,
) -> StepStatus {
    // A finished step scanned its whole walk, whatever an estimate said.
    let (scanned, total, estimated) = match counts {
        _ if s.done => (None, None, false),
        Some((scanned, total, estimated)) => (Some(scanned), Some(total), estimated),
        None => (None, None, false),
    };
    let rows_per_sec = scanned
        .filter(|n| *n > 0 && elapsed_ms > 0)
        .map(|n| n as f64 * 1000.0 / elapsed_ms as f64);
    let eta_secs = match (scanned, total, rows_per_sec) {
        (Some(done), Some(all), Some(rate)) if all > done && resumable => {
            Some(((all - done) as f64 / rate).ceil().max(1.0) as u64)
        }
        _ => None,
    };
    StepStatus {
        step: s,
        scanned,
        total,
        estimated,
        elapsed_ms,
        rows_per_sec,
        eta_secs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_left_running_without_a_live_lease_was_interrupted() {
        assert_eq!(derive_state("running", false, true), RunState::Running);
        assert_eq!(derive_state("running", false, false), RunState::Interrupted);
        assert_eq!(
            derive_state("interrupted", false, false),
            RunState::Interrupted
        );
        assert_eq!(derive_state("finished", true, false), RunState::Finished);
        assert_eq!(
            derive_state("finished", false, false),
            RunState::Interrupted
        );
        assert_eq!(derive_state("abandoned", false, false), RunState::Abandoned);
        assert_eq!(derive_state("failed", false, false), RunState::Failed);
    }
}
