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

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use super::plan::Plan;
use super::state::{self, Counter, LeaseRow, Logged, Run, StepRow, progress, status};
use crate::db::{Db, DbError, Dialect, ValueKind, introspect};

/// The longest lease `--lease` hands out. mendb never writes a later
/// expiry, so one further out was written by something else.
pub const MAX_LEASE_SECS: i64 = 7 * 24 * 3600;
/// Leases are timed by the database's clock, which may have been set back
/// a little since one was written (or moved to a new primary).
const CLOCK_SLACK_SECS: i64 = 3600;

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

/// Why stored key values cannot be used as a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum KeyFault {
    NotJson {
        text: String,
    },
    Arity {
        found: usize,
        expected: usize,
    },
    Type {
        column: String,
        value: String,
        kind: ValueKind,
    },
}

impl fmt::Display for KeyFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyFault::NotJson { text } => write!(f, "is `{text}`, not a JSON array of texts"),
            KeyFault::Arity { found, expected } => write!(
                f,
                "holds {found} value(s), but the key has {expected} column(s)"
            ),
            KeyFault::Type {
                column,
                value,
                kind,
            } => write!(
                f,
                "holds `{value}`, which is not {} as key column `{column}` needs",
                kind_noun(*kind)
            ),
        }
    }
}

fn kind_noun(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Int => "an integer",
        ValueKind::Float => "a number",
        ValueKind::Text => "text",
        ValueKind::Date => "a date",
        ValueKind::Timestamp => "a timestamp",
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

/// Stored key values, or None for NULL.
pub fn parse_key(text: Option<&str>) -> Result<Option<Vec<String>>, KeyFault> {
    text.map(|t| {
        serde_json::from_str(t).map_err(|_| KeyFault::NotJson {
            text: t.to_string(),
        })
    })
    .transpose()
}

/// Whether key values fit the key: one per column, each readable as the
/// column's type the way the chunk's SQL binds it.
pub fn fit(
    values: &[String],
    key: &[(String, ValueKind)],
    dialect: Dialect,
) -> Result<(), KeyFault> {
    if values.len() != key.len() {
        return Err(KeyFault::Arity {
            found: values.len(),
            expected: key.len(),
        });
    }
    for (value, (column, kind)) in values.iter().zip(key) {
        if !value_fits(value, *kind, dialect) {
            return Err(KeyFault::Type {
                column: column.clone(),
                value: value.clone(),
                kind: *kind,
            });
        }
    }
    Ok(())
}

fn value_fits(value: &str, kind: ValueKind, dialect: Dialect) -> bool {
    match kind {
        // As the binding reads it: anything else is cast as text, which
        // MySQL turns into 0 and PostgreSQL refuses.
        ValueKind::Int => value.parse::<i64>().is_ok(),
        ValueKind::Float => value.parse::<f64>().is_ok(),
        ValueKind::Text => true,
        // SQLite compares these as stored, and its date functions read
        // numbers as well.
        ValueKind::Date | ValueKind::Timestamp if dialect == Dialect::Sqlite => {
            is_timestamp(value) || value.parse::<f64>().is_ok()
        }
        ValueKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
        ValueKind::Timestamp => is_timestamp(value),
    }
}

/// `YYYY-MM-DD`, optionally with a time (` ` or `T`, seconds and fraction
/// optional) and a zone (`Z`, `+hh`, `+hh:mm`, `-hhmm`): what the three
/// databases print for dates and timestamps.
fn is_timestamp(value: &str) -> bool {
    let (Some(date), Some(rest)) = (value.get(..10), value.get(10..)) else {
        return false;
    };
    if NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix(['T', ' ']) else {
        return false;
    };
    let rest = rest.strip_suffix('Z').unwrap_or(rest);
    let time = match rest.find(['+', '-']) {
        Some(at) => {
            let zone = &rest[at + 1..];
            let digits: String = zone.chars().filter(|c| *c != ':').collect();
            if !(digits.len() == 2 || digits.len() == 4)
                || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return false;
            }
            &rest[..at]
        }
        None => rest,
    };
    NaiveTime::parse_from_str(time, "%H:%M:%S%.f").is_ok()
        || NaiveTime::parse_from_str(time, "%H:%M").is_ok()
}

/// Judges one run's stored state.
pub fn judge(state: &RunState, cx: &Context<'_>) -> Vec<Finding> {
    let run = &state.run;
    let mut out = Vec::new();
    let shapes = cx.shapes;
    let name_of = |index: i64| -> Option<String> {
        usize::try_from(index)
            .ok()
            .and_then(|i| shapes.and_then(|s| s.get(i)))
            .map(|s| s.name.clone())
            .or_else(|| {
                state
                    .steps
                    .iter()
                    .find(|s| s.step_index == index)
                    .map(|s| s.step_name.clone())
            })
    };
    let mut push = |step_index: Option<i64>, row: Row, problem: Problem, action: Action| {
        out.push(Finding {
            run_id: run.id,
            plan: Some(run.plan.clone()),
            step_index,
            step_name: step_index.and_then(name_of),
            row,
            problem,
            action,
        });
    };
    let step_row = |step_index| Row::Step {
        run_id: run.id,
        step_index,
    };
    let lease_row = |l: &LeaseRow| Row::Lease {
        run_id: l.run_id,
        step_index: l.step_index,
        chunk_no: l.chunk_no,
    };
    let finished = run.status == status::FINISHED;
    if !finished && !resumable(&run.status) {
        // Abandoned, or a status no run resumes: nobody reads its steps
        // again, and nobody will write its leases' chunks.
        if run.status != status::ABANDONED {
            push(
                None,
                Row::Run { id: run.id },
                Problem::UnknownStatus {
                    status: run.status.clone(),
                },
                Action::Rerun,
            );
        }
        for l in &state.leases {
            push(
                Some(l.step_index),
                lease_row(l),
                Problem::LeaseOfEndedRun {
                    status: run.status.clone(),
                },
                Action::Repair(Repair::DeleteLease),
            );
        }
        return out;
    }
    // What cannot be settled: a resumable run is refused, a finished one's
    // result is not confirmed.
    let damaged = if finished {
        Action::Rerun
    } else {
        Action::Restart
    };
    let logged = |index: i64| {
        state
            .logged
            .iter()
            .find(|l| l.step_index == index)
            .copied()
            .unwrap_or(Logged {
                step_index: index,
                ..Logged::default()
            })
    };
    let leases_of = |index: i64| {
        state
            .leases
            .iter()
            .filter(|l| l.step_index == index)
            .count() as i64
    };
    let started = |s: &StepRow| {
        s.cursor_key.is_some() || s.done != progress::OPEN || s.chunks != 0 || s.rows_written != 0
    };
    if run.rows_written < 0 {
        push(
            None,
            Row::Run { id: run.id },
            Problem::NegativeRunRows {
                value: run.rows_written,
            },
            if finished {
                damaged.clone()
            } else {
                Action::Repair(Repair::RecountRunRows)
            },
        );
    }
    // Which step indices the run must have.
    let expected: Vec<i64> = match shapes {
        Some(s) => (0..s.len() as i64).collect(),
        None => {
            let last = state.steps.iter().map(|s| s.step_index).max().unwrap_or(0);
            (0..=last.max(0)).collect()
        }
    };
    for &i in &expected {
        let Some(row) = state.steps.iter().find(|s| s.step_index == i) else {
            let (chunks, leases) = (logged(i).chunks, leases_of(i));
            let later_started = state.steps.iter().any(|s| s.step_index > i && started(s))
                || state.logged.iter().any(|l| l.step_index > i)
                || state.leases.iter().any(|l| l.step_index > i);
            let action = match name_of(i) {
                Some(name)
                    if !finished
                        && shapes.is_some()
                        && chunks == 0
                        && leases == 0
                        && !later_started =>
                {
                    Action::Repair(Repair::RecreateStep { name })
                }
                _ => damaged.clone(),
            };
            push(
                Some(i),
                step_row(i),
                Problem::StepMissing {
                    chunks,
                    leases,
                    later_started,
                },
                action,
            );
            continue;
        };
        if let Some(shape) = shapes.and_then(|s| s.get(i as usize))
            && row.step_name != shape.name
        {
            push(
                Some(i),
                step_row(i),
                Problem::StepRenamed {
                    found: row.step_name.clone(),
                },
                damaged.clone(),
            );
        }
    }
    for row in &state.steps {
        let i = row.step_index;
        if !expected.contains(&i) {
            push(
                Some(i),
                step_row(i),
                Problem::StepNotInPlan {
                    name: row.step_name.clone(),
                },
                damaged.clone(),
            );
        }
        if ![progress::OPEN, progress::HANDED_OUT, progress::DONE].contains(&row.done) {
            push(
                Some(i),
                step_row(i),
                Problem::UnknownDone { value: row.done },
                damaged.clone(),
            );
        } else if finished && row.done != progress::DONE {
            push(
                Some(i),
                step_row(i),
                Problem::FinishedStepOpen { done: row.done },
                Action::Rerun,
            );
        }
        let log = logged(i);
        for (counter, value, logged) in [
            (Counter::RowsWritten, row.rows_written, log.rows),
            (Counter::Chunks, row.chunks, log.chunks),
        ] {
            if value < 0 {
                let action = if !finished && logged >= 0 {
                    Action::Repair(Repair::SetCounter {
                        counter,
                        value: logged,
                    })
                } else {
                    damaged.clone()
                };
                push(
                    Some(i),
                    step_row(i),
                    Problem::NegativeCounter {
                        counter,
                        value,
                        logged,
                    },
                    action,
                );
            }
        }
        let key = usize::try_from(i)
            .ok()
            .and_then(|i| shapes.and_then(|s| s.get(i)))
            .map(|s| s.key.as_slice());
        if let Some(fault) = key_fault(row.cursor_key.as_deref(), key, cx.dialect) {
            push(
                Some(i),
                step_row(i),
                Problem::BadKey {
                    column: KeyColumn::CursorKey,
                    fault,
                },
                damaged.clone(),
            );
        }
    }
    for l in &state.leases {
        let i = l.step_index;
        if finished {
            push(
                Some(i),
                lease_row(l),
                Problem::LeaseOfEndedRun {
                    status: run.status.clone(),
                },
                Action::Repair(Repair::DeleteLease),
            );
            continue;
        }
        let step = state.steps.iter().find(|s| s.step_index == i);
        let in_plan = shapes.map(|s| i >= 0 && (i as usize) < s.len());
        match (step, in_plan) {
            // No worker serves a step the plan does not have.
            (_, Some(false)) => {
                push(
                    Some(i),
                    lease_row(l),
                    Problem::LeaseWithoutStep,
                    Action::Repair(Repair::DeleteLease),
                );
                continue;
            }
            // The missing step refuses the run already.
            (None, Some(true)) => continue,
            (None, None) => {
                push(
                    Some(i),
                    lease_row(l),
                    Problem::LeaseWithoutStep,
                    damaged.clone(),
                );
                continue;
            }
            (Some(s), _) if s.done == progress::DONE => {
                push(
                    Some(i),
                    lease_row(l),
                    Problem::LeaseOfDoneStep,
                    damaged.clone(),
                );
            }
            (Some(_), _) => {}
        }
        let key = usize::try_from(i)
            .ok()
            .and_then(|i| shapes.and_then(|s| s.get(i)))
            .map(|s| s.key.as_slice());
        for (column, text) in [
            (KeyColumn::KeyFrom, l.key_from.as_deref()),
            (KeyColumn::KeyTo, l.key_to.as_deref()),
        ] {
            if let Some(fault) = key_fault(text, key, cx.dialect) {
                push(
                    Some(i),
                    lease_row(l),
                    Problem::BadKey { column, fault },
                    damaged.clone(),
                );
            }
        }
        // An expired lease is taken over whoever holds it.
        let no_session = l.owner_session.is_none() && l.expires_at >= cx.now;
        let beyond_max = l.expires_at > cx.now.saturating_add(MAX_LEASE_SECS + CLOCK_SLACK_SECS);
        if no_session || beyond_max {
            push(
                Some(i),
                lease_row(l),
                Problem::LeaseHeld {
                    no_session,
                    beyond_max,
                    expires_at: l.expires_at,
                    now: cx.now,
                },
                Action::Wait,
            );
        }
    }
    // A refused run is not repaired: `--restart` abandons it, and then
    // none of its rows matter but its leases, which go as an ended run's.
    if out.iter().any(Finding::refuses) {
        out.retain(|f| !matches!(f.action, Action::Repair(_)));
    }
    out
}

fn key_fault(
    text: Option<&str>,
    key: Option<&[(String, ValueKind)]>,
    dialect: Dialect,
) -> Option<KeyFault> {
    match parse_key(text) {
        Err(fault) => Some(fault),
        Ok(Some(values)) => key.and_then(|k| fit(&values, k, dialect).err()),
        Ok(None) => None,
    }
}

/// Leases of runs that are not recorded: no worker serves them, but a run
/// that gets the same id later would.
pub fn judge_strays(leases: &[LeaseRow]) -> Vec<Finding> {
    leases
        .iter()
        .map(|l| Finding {
            run_id: l.run_id,
            plan: None,
            step_index: Some(l.step_index),
            step_name: None,
            row: Row::Lease {
                run_id: l.run_id,
                step_index: l.step_index,
                chunk_no: l.chunk_no,
            },
            problem: Problem::LeaseWithoutRun,
            action: Action::Repair(Repair::DeleteLease),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: &str) -> Run {
        Run {
            id: 3,
            plan: "p".into(),
            checksum: "c".into(),
            params: "{}".into(),
            status: status.into(),
            started_at: String::new(),
            finished_at: None,
            rows_written: 0,
            last_error: None,
        }
    }

    fn step(i: i64, name: &str) -> StepRow {
        StepRow {
            step_index: i,
            step_name: name.into(),
            cursor_key: None,
            rows_written: 0,
            chunks: 0,
            done: progress::OPEN,
        }
    }

    fn shapes() -> Vec<StepShape> {
        vec![
            StepShape {
                name: "a".into(),
                key: vec![
                    ("day".into(), ValueKind::Date),
                    ("id".into(), ValueKind::Int),
                ],
            },
            StepShape {
                name: "b".into(),
                key: vec![("id".into(), ValueKind::Int)],
            },
        ]
    }

    fn lease(step_index: i64, session: Option<i64>, expires_at: i64) -> LeaseRow {
        LeaseRow {
            run_id: 3,
            step_index,
            chunk_no: 4,
            key_from: None,
            key_to: Some(r#"["2025-01-02","7"]"#.into()),
            owner: "h:1:w0".into(),
            owner_session: session,
            expires_at,
        }
    }

    fn judged(state: &RunState) -> Vec<(Problem, Action)> {
        let shapes = shapes();
        let cx = Context {
            shapes: Some(&shapes),
            dialect: Dialect::Postgres,
            now: 1_000_000,
        };
        judge(state, &cx)
            .into_iter()
            .map(|f| (f.problem, f.action))
            .collect()
    }

    fn state(status: &str, steps: Vec<StepRow>) -> RunState {
        RunState {
            run: run(status),
            steps,
            leases: Vec::new(),
            logged: Vec::new(),
        }
    }

    #[test]
    fn sound_state_has_no_findings() {
        let mut a = step(0, "a");
        a.cursor_key = Some(r#"["2025-01-02","7"]"#.into());
        let mut s = state(status::INTERRUPTED, vec![a, step(1, "b")]);
        s.leases.push(lease(0, Some(9), 1_000_060));
        assert_eq!(judged(&s), []);
    }

    #[test]
    fn a_missing_step_is_recreated_only_when_it_provably_never_started() {
        let s = state(status::RUNNING, vec![step(0, "a")]);
        assert_eq!(
            judged(&s),
            [(
                Problem::StepMissing {
                    chunks: 0,
                    leases: 0,
                    later_started: false,
                },
                Action::Repair(Repair::RecreateStep { name: "b".into() })
            )]
        );
        let mut s = state(status::RUNNING, vec![step(1, "b")]);
        s.logged.push(Logged {
            step_index: 0,
            chunks: 2,
            rows: 10,
        });
        assert_eq!(
            judged(&s),
            [(
                Problem::StepMissing {
                    chunks: 2,
                    leases: 0,
                    later_started: false,
                },
                Action::Restart
            )]
        );
        // Nothing of step 0 in the log, but step 1 started: step 0 was
        // finished once, and where is not known.
        let mut b = step(1, "b");
        b.cursor_key = Some(r#"["5"]"#.into());
        let s = state(status::RUNNING, vec![b]);
        assert_eq!(
            judged(&s),
            [(
                Problem::StepMissing {
                    chunks: 0,
                    leases: 0,
                    later_started: true,
                },
                Action::Restart
            )]
        );
    }

    #[test]
    fn cursors_are_checked_for_arity_and_types() {
        let faults = |cursor: &str| {
            let mut a = step(0, "a");
            a.cursor_key = Some(cursor.into());
            judged(&state(status::FAILED, vec![a, step(1, "b")]))
        };
        assert_eq!(
            faults(r#"["2025-01-02"]"#),
            [(
                Problem::BadKey {
                    column: KeyColumn::CursorKey,
                    fault: KeyFault::Arity {
                        found: 1,
                        expected: 2
                    }
                },
                Action::Restart
            )]
        );
        assert!(matches!(
            &faults(r#"["2025-01-02","x"]"#)[0].0,
            Problem::BadKey { fault: KeyFault::Type { column, .. }, .. } if column == "id"
        ));
        assert!(matches!(
            &faults(r#"["2025-13-02","1"]"#)[0].0,
            Problem::BadKey { fault: KeyFault::Type { column, .. }, .. } if column == "day"
        ));
        assert!(matches!(
            &faults("2025")[0].0,
            Problem::BadKey {
                fault: KeyFault::NotJson { .. },
                ..
            }
        ));
    }

    #[test]
    fn names_order_and_done_values_are_checked() {
        let s = state(status::RUNNING, vec![step(0, "b"), step(1, "a")]);
        assert_eq!(judged(&s).len(), 2);
        let mut a = step(0, "a");
        a.done = 7;
        let s = state(status::RUNNING, vec![a, step(1, "b"), step(2, "c")]);
        assert_eq!(
            judged(&s),
            [
                (Problem::UnknownDone { value: 7 }, Action::Restart),
                (Problem::StepNotInPlan { name: "c".into() }, Action::Restart),
            ]
        );
    }

    #[test]
    fn negative_counters_are_set_from_the_chunk_log() {
        let mut a = step(0, "a");
        a.rows_written = -5;
        let mut s = state(status::INTERRUPTED, vec![a, step(1, "b")]);
        s.logged.push(Logged {
            step_index: 0,
            chunks: 1,
            rows: 40,
        });
        assert_eq!(
            judged(&s),
            [(
                Problem::NegativeCounter {
                    counter: Counter::RowsWritten,
                    value: -5,
                    logged: 40
                },
                Action::Repair(Repair::SetCounter {
                    counter: Counter::RowsWritten,
                    value: 40
                })
            )]
        );
    }

    #[test]
    fn a_finished_run_is_confirmed_or_rerun() {
        let mut a = step(0, "a");
        a.done = progress::DONE;
        let mut s = state(status::FINISHED, vec![a, step(1, "b")]);
        s.leases.push(lease(1, Some(1), 0));
        assert_eq!(
            judged(&s),
            [
                (Problem::FinishedStepOpen { done: 0 }, Action::Rerun),
                (
                    Problem::LeaseOfEndedRun {
                        status: "finished".into()
                    },
                    Action::Repair(Repair::DeleteLease)
                ),
            ]
        );
    }

    #[test]
    fn leases_are_checked() {
        let mut s = state(status::RUNNING, vec![step(0, "a"), step(1, "b")]);
        s.leases.push(lease(5, Some(1), 0));
        assert_eq!(
            judged(&s),
            [(
                Problem::LeaseWithoutStep,
                Action::Repair(Repair::DeleteLease)
            )]
        );
        s.leases
            .push(lease(0, None, 1_000_000 + 10 * MAX_LEASE_SECS));
        let mut bad = lease(0, Some(1), 0);
        bad.key_from = Some(r#"["2025-01-02"]"#.into());
        s.leases.push(bad);
        // The refusal moots the repair: `--restart` deletes every lease of
        // the abandoned run.
        let found = judged(&s);
        assert!(matches!(
            found[0],
            (
                Problem::LeaseHeld {
                    no_session: true,
                    beyond_max: true,
                    ..
                },
                Action::Wait
            )
        ));
        assert!(matches!(
            found[1],
            (
                Problem::BadKey {
                    column: KeyColumn::KeyFrom,
                    ..
                },
                Action::Restart
            )
        ));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn abandoned_runs_only_lose_their_leases() {
        let mut s = state(status::ABANDONED, Vec::new());
        s.leases.push(lease(0, None, 0));
        assert_eq!(
            judged(&s),
            [(
                Problem::LeaseOfEndedRun {
                    status: "abandoned".into()
                },
                Action::Repair(Repair::DeleteLease)
            )]
        );
    }

    #[test]
    fn timestamps_as_the_databases_print_them() {
        for ok in [
            "2025-09-28",
            "2025-09-28 12:00:00",
            "2025-09-28T12:00:00Z",
            "2025-09-28 12:00:00.123456",
            "2025-09-28 12:00:00+00",
            "2025-09-28 12:00:00+05:30",
            "2025-09-28 12:00",
        ] {
            assert!(is_timestamp(ok), "{ok}");
        }
        for bad in [
            "not-a-time",
            "2025-09-28 25:00:00",
            "2025-13-01",
            "2025-09-28X",
            "",
        ] {
            assert!(!is_timestamp(bad), "{bad}");
        }
        assert!(value_fits(
            "1727000000",
            ValueKind::Timestamp,
            Dialect::Sqlite
        ));
        assert!(!value_fits(
            "1727000000",
            ValueKind::Timestamp,
            Dialect::Mysql
        ));
        assert!(!value_fits("1.5", ValueKind::Int, Dialect::Mysql));
        assert!(value_fits("1.5e3", ValueKind::Float, Dialect::Mysql));
    }
}
