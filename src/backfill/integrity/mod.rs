//! The state check. Before a run resumes, and in `backfill status`, the
//! rows of mendb's state tables are held to the invariants the executor
//! keeps (docs/backfill-plans.md, "State model"): a run has one row per
//! step of its plan, named and ordered as the plan's steps; cursors and
//! lease keys have the key's arity and values of the key columns' types;
//! leases belong to a live run and one of its steps; counters are not
//! negative; a finished run's steps are all done. Each departure is a
//! finding that says what to do about it: repair it, where the data
//! settles the answer; refuse the run, with `--restart` as the way out;
//! rerun a finished plan whose result is not confirmed; or wait for a
//! lease held elsewhere. The check reads only; `repair` applies a repair.

//! The findings and the database side are here; the judging of a run's
//! rows is `judge`, the reading of stored keys `keys`.

mod judge;
mod keys;

use serde::Serialize;

pub use judge::{judge, judge_strays};
pub use keys::{KeyFault, fit, parse_key};

use super::plan::Plan;
use super::state::{self, Counter, LeaseRow, Logged, Run, StepRow, status};
use crate::db::{Db, DbError, Dialect, ValueKind, introspect};

/// The longest lease `--lease` hands out. mendb never writes a later
/// expiry, so one further out was written by something else.
pub const MAX_LEASE_SECS: i64 = 7 * 24 * 3600;

/// What the check needs to know of a plan's step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepShape {
    pub name: String,
    /// The key columns with their kinds, in batch order.
    pub key: Vec<(String, ValueKind)>,
}

/// The row a finding is about, as its table's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "table")]
pub enum Row {
    #[serde(rename = "mendb_backfill_runs")]
    Run { id: i64 },
    #[serde(rename = "mendb_backfill_steps")]
    Step { run_id: i64, step_index: i64 },
    #[serde(rename = "mendb_backfill_leases")]
    Lease {
        run_id: i64,
        step_index: i64,
        chunk_no: i64,
    },
}

impl Row {
    pub fn table(&self) -> &'static str {
        match self {
            Row::Run { .. } => "mendb_backfill_runs",
            Row::Step { .. } => "mendb_backfill_steps",
            Row::Lease { .. } => "mendb_backfill_leases",
        }
    }

    /// The row's key as a SQL condition, to look it up or fix it by hand.
    pub fn predicate(&self) -> String {
        match self {
            Row::Run { id } => format!("id = {id}"),
            Row::Step { run_id, step_index } => {
                format!("run_id = {run_id} AND step_index = {step_index}")
            }
            Row::Lease {
                run_id,
                step_index,
                chunk_no,
            } => {
                format!("run_id = {run_id} AND step_index = {step_index} AND chunk_no = {chunk_no}")
            }
        }
    }
}

/// Which stored key a fault is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyColumn {
    CursorKey,
    KeyFrom,
    KeyTo,
}

impl KeyColumn {
    pub fn column(self) -> &'static str {
        match self {
            KeyColumn::CursorKey => "cursor_key",
            KeyColumn::KeyFrom => "key_from",
            KeyColumn::KeyTo => "key_to",
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The run's status is none mendb writes, so no run resumes it.
    UnknownStatus {
        status: String,
    },
    /// The plan's step has no row; the chunk log and the leases still
    /// hold this much of it, and a later step may have started.
    StepMissing {
        chunks: i64,
        leases: i64,
        later_started: bool,
    },
    /// A row at an index the plan has no step for.
    StepNotInPlan {
        name: String,
    },
    /// The row at the plan's index carries another name.
    StepRenamed {
        found: String,
    },
    /// `done` is none of 0 (open), 2 (handed out) and 1 (finished).
    UnknownDone {
        value: i64,
    },
    /// A step's counter is negative; the chunk log says `logged`.
    NegativeCounter {
        counter: Counter,
        value: i64,
        logged: i64,
    },
    NegativeRunRows {
        value: i64,
    },
    /// The run is finished, but this step is not.
    FinishedStepOpen {
        done: i64,
    },
    BadKey {
        column: KeyColumn,
        fault: KeyFault,
    },
    /// A lease of a run that is not recorded.
    LeaseWithoutRun,
    /// A lease of a run no worker serves any more.
    LeaseOfEndedRun {
        status: String,
    },
    /// A lease of a step the run does not have.
    LeaseWithoutStep,
    /// A lease of a step that is marked finished: its chunk may never have
    /// been written.
    LeaseOfDoneStep,
    /// A lease mendb did not write as it stands, which may hold its chunk
    /// for long: it names no session of its holder (so only its expiry
    /// frees it), or it expires later than any `--lease` gives, or both.
    LeaseHeld {
        no_session: bool,
        beyond_max: bool,
        expires_at: i64,
        now: i64,
    },
}

/// What is repaired, when the data settles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    /// No worker will ever serve the lease.
    DeleteLease,
    /// The step provably never started: nothing of it is in the chunk log
    /// or the leases, and no later step started either.
    RecreateStep { name: String },
    /// A step's counters equal its chunk log, row for row: both change in
    /// the chunk's transaction.
    SetCounter { counter: Counter, value: i64 },
    /// A run's rows are the sum of its steps', as every status change
    /// recounts them.
    RecountRunRows,
}

/// What is done about a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", content = "repair", rename_all = "snake_case")]
pub enum Action {
    /// The start of a run repairs it (`backfill status` says it will).
    Repair(Repair),
    /// The run is refused; `--restart` abandons it and starts over.
    Restart,
    /// A finished run whose result is not confirmed: running the plan again
    /// scans every step and writes what is missing.
    Rerun,
    /// The run waits for the lease until its session ends or it expires.
    Wait,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub run_id: i64,
    /// The run's plan; None when the run is not recorded.
    pub plan: Option<String>,
    pub step_index: Option<i64>,
    /// The plan's name for the step, or else the row's.
    pub step_name: Option<String>,
    pub row: Row,
    pub problem: Problem,
    pub action: Action,
}

impl Finding {
    pub fn refuses(&self) -> bool {
        self.action == Action::Restart
    }
}

/// Everything stored about one run.
#[derive(Debug, Clone)]
pub struct RunState {
    pub run: Run,
    pub steps: Vec<StepRow>,
    pub leases: Vec<LeaseRow>,
    pub logged: Vec<Logged>,
}

/// What the stored state is judged against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The plan's steps, when the run was started from this very plan
    /// file; without them only what holds for every plan is checked.
    pub shapes: Option<&'a [StepShape]>,
    pub dialect: Dialect,
    /// The database's clock, in seconds since 1970.
    pub now: i64,
}

fn resumable(status: &str) -> bool {
    [status::RUNNING, status::INTERRUPTED, status::FAILED].contains(&status)
}

pub async fn read_run(db: &mut Db, run: &Run) -> Result<RunState, DbError> {
    Ok(RunState {
        run: run.clone(),
        steps: state::step_rows(db, run.id).await?,
        leases: state::lease_rows(db, run.id, None).await?,
        logged: state::chunk_log(db, run.id).await?,
    })
}

/// The check at the start of a run of a plan: the run it resumes in
/// full, the leases of the plan's runs that no worker will serve, and the
/// leases of no run at all. Unfinished runs other than the resumed one
/// (none, unless the state was edited) are left as they are.
pub async fn at_run_start(
    db: &mut Db,
    runs: &[Run],
    resumed: Option<i64>,
    shapes: &[StepShape],
) -> Result<Vec<Finding>, DbError> {
    let cx = Context {
        shapes: Some(shapes),
        dialect: db.dialect(),
        now: state::epoch_now(db).await?,
    };
    let mut out = judge_strays(&state::leases_without_run(db).await?);
    for run in runs {
        if Some(run.id) == resumed {
            out.extend(judge(&read_run(db, run).await?, &cx));
        } else if !resumable(&run.status) {
            let ended = RunState {
                run: run.clone(),
                steps: Vec::new(),
                leases: state::lease_rows(db, run.id, None).await?,
                logged: Vec::new(),
            };
            out.extend(
                judge(&ended, &cx)
                    .into_iter()
                    .filter(|f| matches!(f.row, Row::Lease { .. })),
            );
        }
    }
    Ok(out)
}

/// The shapes of a plan's steps, with key kinds from the live schema; a
/// table or column that is gone checks as text.
pub async fn shapes(db: &mut Db, plan: &Plan) -> Result<Vec<StepShape>, DbError> {
    let schema = introspect::read_schema(db, false).await?;
    Ok(plan
        .def
        .steps
        .iter()
        .map(|s| {
            let s = s.get_ref();
            let table = schema.tables.get(s.batch.table.get_ref());
            StepShape {
                name: s.name.get_ref().clone(),
                key: s
                    .batch
                    .key
                    .get_ref()
                    .iter()
                    .map(|k| {
                        let kind = table
                            .and_then(|t| t.columns.iter().find(|c| c.name == *k.get_ref()))
                            .map_or(ValueKind::Text, |c| ValueKind::of_column_type(&c.data_type));
                        (k.get_ref().clone(), kind)
                    })
                    .collect(),
            }
        })
        .collect())
}

/// Applies a finding's repair; other findings change nothing.
pub async fn repair(db: &mut Db, finding: &Finding) -> Result<(), DbError> {
    let Action::Repair(repair) = &finding.action else {
        return Ok(());
    };
    match (repair, &finding.row) {
        (
            Repair::DeleteLease,
            Row::Lease {
                run_id,
                step_index,
                chunk_no,
            },
        ) => state::delete_lease(db, *run_id, *step_index, *chunk_no).await,
        (Repair::RecreateStep { name }, Row::Step { run_id, step_index }) => {
            state::insert_step_at_start(db, *run_id, *step_index, name).await
        }
        (Repair::SetCounter { counter, value }, Row::Step { run_id, step_index }) => {
            state::set_negative_counter(db, *run_id, *step_index, *counter, *value).await
        }
        (Repair::RecountRunRows, Row::Run { id }) => state::recount_run_rows(db, *id).await,
        // `judge` pairs each repair with its row; any other pair is no
        // repair to make.
        _ => Ok(()),
    }
}
