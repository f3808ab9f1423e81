//! Judging one run's stored rows against the invariants the executor
//! keeps, each departure a finding with what to do about it. Pure: reads
//! no database, writes nothing. Over 400 lines with its tests: one test
//! per invariant, beside the rules it checks.

use super::keys::key_fault;
use super::{
    Action, Context, Finding, KeyColumn, MAX_LEASE_SECS, Problem, Repair, Row, RunState, resumable,
};
use crate::backfill::state::{Counter, LeaseRow, Logged, StepRow, progress, status};
use crate::db::ValueKind;

/// Leases are timed by the database's clock, which may have been set back
/// a little since one was written (or moved to a new primary).
const CLOCK_SLACK_SECS: i64 = 3600;

/// One run's judging: its rows, and the findings so far.
struct Judging<'a> {
    state: &'a RunState,
    cx: &'a Context<'a>,
    finished: bool,
    /// What cannot be settled: a resumable run is refused, a finished
    /// one's result is not confirmed.
    damaged: Action,
    out: Vec<Finding>,
}

/// Judges one run's stored state.
pub fn judge(state: &RunState, cx: &Context<'_>) -> Vec<Finding> {
    let finished = state.run.status == status::FINISHED;
    let mut j = Judging {
        state,
        cx,
        finished,
        damaged: if finished {
            Action::Rerun
        } else {
            Action::Restart
        },
        out: Vec::new(),
    };
    if !finished && !resumable(&state.run.status) {
        j.ended_run();
        return j.out;
    }
    j.run_rows();
    let expected = j.expected_steps();
    for &i in &expected {
        j.expected_step(i);
    }
    for row in &state.steps {
        j.step(row, &expected);
    }
    for l in &state.leases {
        j.lease(l);
    }
    let mut out = j.out;
    // A refused run is not repaired: `--restart` abandons it, and then
    // none of its rows matter but its leases, which go as an ended run's.
    if out.iter().any(Finding::refuses) {
        out.retain(|f| !matches!(f.action, Action::Repair(_)));
    }
    out
}

impl Judging<'_> {
    /// The plan's name for the step, or else the row's.
    fn name_of(&self, index: i64) -> Option<String> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.cx.shapes.and_then(|s| s.get(i)))
            .map(|s| s.name.clone())
            .or_else(|| {
                self.state
                    .steps
                    .iter()
                    .find(|s| s.step_index == index)
                    .map(|s| s.step_name.clone())
            })
    }

    /// The plan's key of the step at `index`, when the plan is known.
    fn key(&self, index: i64) -> Option<&[(String, ValueKind)]> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.cx.shapes.and_then(|s| s.get(i)))
            .map(|s| s.key.as_slice())
    }

    fn push(&mut self, step_index: Option<i64>, row: Row, problem: Problem, action: Action) {
        let run = &self.state.run;
        self.out.push(Finding {
            run_id: run.id,
            plan: Some(run.plan.clone()),
            step_index,
            step_name: step_index.and_then(|i| self.name_of(i)),
            row,
            problem,
            action,
        });
    }

    fn step_row(&self, step_index: i64) -> Row {
        Row::Step {
            run_id: self.state.run.id,
            step_index,
        }
    }

    fn logged(&self, index: i64) -> Logged {
        self.state
            .logged
            .iter()
            .find(|l| l.step_index == index)
            .copied()
            .unwrap_or(Logged {
                step_index: index,
                ..Logged::default()
            })
    }

    /// Abandoned, or a status no run resumes: nobody reads its steps
    /// again, and nobody will write its leases' chunks.
    fn ended_run(&mut self) {
        let run = &self.state.run;
        if run.status != status::ABANDONED {
            self.push(
                None,
                Row::Run { id: run.id },
                Problem::UnknownStatus {
                    status: run.status.clone(),
                },
                Action::Rerun,
            );
        }
        for l in &self.state.leases {
            self.push(
                Some(l.step_index),
                lease_row(l),
                Problem::LeaseOfEndedRun {
                    status: run.status.clone(),
                },
                Action::Repair(Repair::DeleteLease),
            );
        }
    }

    fn run_rows(&mut self) {
        let run = &self.state.run;
        if run.rows_written < 0 {
            let action = if self.finished {
                self.damaged.clone()
            } else {
                Action::Repair(Repair::RecountRunRows)
            };
            self.push(
                None,
                Row::Run { id: run.id },
                Problem::NegativeRunRows {
                    value: run.rows_written,
                },
                action,
            );
        }
    }

    /// Which step indices the run must have.
    fn expected_steps(&self) -> Vec<i64> {
        match self.cx.shapes {
            Some(s) => (0..s.len() as i64).collect(),
            None => {
                let steps = &self.state.steps;
                let last = steps.iter().map(|s| s.step_index).max().unwrap_or(0);
                (0..=last.max(0)).collect()
            }
        }
    }

    /// The row of a step the run must have: there, and named as the plan's.
    fn expected_step(&mut self, i: i64) {
        let Some(row) = self.state.steps.iter().find(|s| s.step_index == i) else {
            self.missing_step(i);
            return;
        };
        if let Some(shape) = self.cx.shapes.and_then(|s| s.get(i as usize))
            && row.step_name != shape.name
        {
            let problem = Problem::StepRenamed {
                found: row.step_name.clone(),
            };
            self.push(Some(i), self.step_row(i), problem, self.damaged.clone());
        }
    }

    /// A step without its row is recreated only when it provably never
    /// started.
    fn missing_step(&mut self, i: i64) {
        let state = self.state;
        let chunks = self.logged(i).chunks;
        let leases = state.leases.iter().filter(|l| l.step_index == i).count() as i64;
        let later_started = state.steps.iter().any(|s| s.step_index > i && started(s))
            || state.logged.iter().any(|l| l.step_index > i)
            || state.leases.iter().any(|l| l.step_index > i);
        let action = match self.name_of(i) {
            Some(name)
                if !self.finished
                    && self.cx.shapes.is_some()
                    && chunks == 0
                    && leases == 0
                    && !later_started =>
            {
                Action::Repair(Repair::RecreateStep { name })
            }
            _ => self.damaged.clone(),
        };
        let problem = Problem::StepMissing {
            chunks,
            leases,
            later_started,
        };
        self.push(Some(i), self.step_row(i), problem, action);
    }

    /// A stored step row: in the plan, a known `done`, counters that are
    /// not negative, a cursor that fits the key.
    fn step(&mut self, row: &StepRow, expected: &[i64]) {
        let i = row.step_index;
        if !expected.contains(&i) {
            let problem = Problem::StepNotInPlan {
                name: row.step_name.clone(),
            };
            self.push(Some(i), self.step_row(i), problem, self.damaged.clone());
        }
        if ![progress::OPEN, progress::HANDED_OUT, progress::DONE].contains(&row.done) {
            let problem = Problem::UnknownDone { value: row.done };
            self.push(Some(i), self.step_row(i), problem, self.damaged.clone());
        } else if self.finished && row.done != progress::DONE {
            let problem = Problem::FinishedStepOpen { done: row.done };
            self.push(Some(i), self.step_row(i), problem, Action::Rerun);
        }
        self.counters(row);
        if let Some(fault) = key_fault(row.cursor_key.as_deref(), self.key(i), self.cx.dialect) {
            let problem = Problem::BadKey {
                column: KeyColumn::CursorKey,
                fault,
            };
            self.push(Some(i), self.step_row(i), problem, self.damaged.clone());
        }
    }

    /// A negative counter is set from the chunk log, while the run is
    /// unfinished and the log is sound.
    fn counters(&mut self, row: &StepRow) {
        let i = row.step_index;
        let log = self.logged(i);
        for (counter, value, logged) in [
            (Counter::RowsWritten, row.rows_written, log.rows),
            (Counter::Chunks, row.chunks, log.chunks),
        ] {
            if value < 0 {
                let action = if !self.finished && logged >= 0 {
                    Action::Repair(Repair::SetCounter {
                        counter,
                        value: logged,
                    })
                } else {
                    self.damaged.clone()
                };
                let problem = Problem::NegativeCounter {
                    counter,
                    value,
                    logged,
                };
                self.push(Some(i), self.step_row(i), problem, action);
            }
        }
    }

    /// A lease: of a step the run has and has not finished, with keys that
    /// fit, and one that does not hold its chunk for long.
    fn lease(&mut self, l: &LeaseRow) {
        let i = l.step_index;
        if self.finished {
            let problem = Problem::LeaseOfEndedRun {
                status: self.state.run.status.clone(),
            };
            self.push(
                Some(i),
                lease_row(l),
                problem,
                Action::Repair(Repair::DeleteLease),
            );
            return;
        }
        let step = self.state.steps.iter().find(|s| s.step_index == i);
        let in_plan = self.cx.shapes.map(|s| i >= 0 && (i as usize) < s.len());
        match (step, in_plan) {
            // No worker serves a step the plan does not have.
            (_, Some(false)) => {
                let action = Action::Repair(Repair::DeleteLease);
                self.push(Some(i), lease_row(l), Problem::LeaseWithoutStep, action);
                return;
            }
            // The missing step refuses the run already.
            (None, Some(true)) => return,
            (None, None) => {
                let action = self.damaged.clone();
                self.push(Some(i), lease_row(l), Problem::LeaseWithoutStep, action);
                return;
            }
            (Some(s), _) if s.done == progress::DONE => {
                let action = self.damaged.clone();
                self.push(Some(i), lease_row(l), Problem::LeaseOfDoneStep, action);
            }
            (Some(_), _) => {}
        }
        for (column, text) in [
            (KeyColumn::KeyFrom, l.key_from.as_deref()),
            (KeyColumn::KeyTo, l.key_to.as_deref()),
        ] {
            if let Some(fault) = key_fault(text, self.key(i), self.cx.dialect) {
                let problem = Problem::BadKey { column, fault };
                self.push(Some(i), lease_row(l), problem, self.damaged.clone());
            }
        }
        self.held(l);
    }

    /// A lease that may hold its chunk for long, which the run waits on.
    fn held(&mut self, l: &LeaseRow) {
        let now = self.cx.now;
        // An expired lease is taken over whoever holds it.
        let no_session = l.owner_session.is_none() && l.expires_at >= now;
        let beyond_max = l.expires_at > now.saturating_add(MAX_LEASE_SECS + CLOCK_SLACK_SECS);
        if no_session || beyond_max {
            let problem = Problem::LeaseHeld {
                no_session,
                beyond_max,
                expires_at: l.expires_at,
                now,
            };
            self.push(Some(l.step_index), lease_row(l), problem, Action::Wait);
        }
    }
}

fn started(s: &StepRow) -> bool {
    s.cursor_key.is_some() || s.done != progress::OPEN || s.chunks != 0 || s.rows_written != 0
}

fn lease_row(l: &LeaseRow) -> Row {
    Row::Lease {
        run_id: l.run_id,
        step_index: l.step_index,
        chunk_no: l.chunk_no,
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
            row: lease_row(l),
            problem: Problem::LeaseWithoutRun,
            action: Action::Repair(Repair::DeleteLease),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backfill::integrity::{KeyFault, StepShape};
    use crate::backfill::state::Run;
    use crate::db::Dialect;

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
}
