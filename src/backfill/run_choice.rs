//! Choosing the run a plan's run goes on with, under the plan's lock:
//! resume its unfinished run when the plan file and parameters are the
//! ones it started with, abandon it for `--restart`, or start a new one;
//! before any of it is trusted, the state check repairs what the data
//! settles and refuses the rest. Writes run rows and repairs; no chunks.

use std::collections::BTreeMap;

use super::plan::{ParamValue, Plan};
use super::progress::Event;
use super::sqlgen::StepSql;
use super::state::{self, Run, status};
use super::{BackfillError, RunOptions, control, integrity};
use crate::db::Db;
use crate::db::lock::{LockName, with_lock};

/// The parameters as stored with a run, to tell whether a resume would
/// run with others.
pub fn params_json(params: &BTreeMap<String, ParamValue>) -> String {
    serde_json::to_string(
        &params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_text()))
            .collect::<BTreeMap<_, _>>(),
    )
    .unwrap_or_default()
}

/// What the run is chosen from.
pub struct Choice<'a> {
    pub plan: &'a Plan,
    pub steps: &'a [StepSql<'a>],
    pub params_json: &'a str,
    pub opts: &'a RunOptions,
    pub on_event: &'a (dyn Fn(Event<'_>) + Sync),
}

/// The run chosen, and what choosing it did.
pub struct Chosen {
    pub run_id: i64,
    pub resumed: bool,
    /// What the state check repaired.
    pub repaired: Vec<integrity::Finding>,
}

/// Chooses the run and checks its state. Only this needs the plan's lock:
/// other processes on the same plan join the run, and leases keep their
/// workers apart.
pub async fn choose(db: &mut Db, c: &Choice<'_>) -> Result<Chosen, BackfillError> {
    let lock = LockName(format!("backfill:{}", c.plan.name()));
    with_lock(db, &lock, c.opts.lock_timeout, async |db: &mut Db| {
        let runs = state::runs(db, Some(c.plan.name())).await?;
        // A cancel is meant to outlast the processes it stopped: a pod that
        // restarts must not start the backfill over on its own.
        if let (false, Some(newest)) = (c.opts.restart, runs.first())
            && newest.status == status::ABANDONED
            && let Some(cancel) = control::cancelled_by(db, newest.id).await?
        {
            return Err(BackfillError::Cancelled {
                plan: c.plan.name().to_string(),
                run_id: newest.id,
                by: cancel.by,
                at: crate::time::read_time(&cancel.at)
                    .map_or(cancel.at, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            });
        }
        let unfinished = runs.into_iter().find(|r| {
            [status::RUNNING, status::INTERRUPTED, status::FAILED].contains(&r.status.as_str())
        });
        let resume = match unfinished {
            Some(r) if c.opts.restart => {
                state::set_status(db, r.id, status::ABANDONED, Some("replaced by --restart"))
                    .await?;
                None
            }
            Some(r) => match changed(c, &r) {
                Some(what) => {
                    return Err(BackfillError::Changed {
                        path: c.plan.path.clone(),
                        plan: c.plan.name().to_string(),
                        run_id: r.id,
                        what,
                    });
                }
                None => Some(r.id),
            },
            None => None,
        };
        let repaired = check_state(db, c, resume).await?;
        let run_id = match resume {
            Some(id) => {
                state::set_status(db, id, status::RUNNING, None).await?;
                id
            }
            None => {
                let names: Vec<String> = c
                    .steps
                    .iter()
                    .map(|s| s.def.name.get_ref().clone())
                    .collect();
                state::create_run(db, c.plan.name(), &c.plan.checksum, c.params_json, &names)
                    .await?
            }
        };
        Ok(Chosen {
            run_id,
            resumed: resume.is_some(),
            repaired,
        })
    })
    .await
}

/// What differs from what the unfinished run `r` was started with, if
/// anything: resuming it then could mix two plans.
fn changed(c: &Choice<'_>, r: &Run) -> Option<String> {
    if r.checksum != c.plan.checksum {
        return Some(format!(
            "another version of the plan file (checksum {} then, {} now)",
            r.checksum, c.plan.checksum
        ));
    }
    if r.params != c.params_json {
        return Some(format!(
            "other parameters ({} then, {} now)",
            r.params, c.params_json
        ));
    }
    None
}

/// The state is checked before anything trusts it: what the data settles
/// is repaired, anything else refuses the run untouched. Returns the
/// repairs made.
async fn check_state(
    db: &mut Db,
    c: &Choice<'_>,
    resume: Option<i64>,
) -> Result<Vec<integrity::Finding>, BackfillError> {
    let shapes: Vec<integrity::StepShape> = c
        .steps
        .iter()
        .map(|s| integrity::StepShape {
            name: s.def.name.get_ref().clone(),
            key: s.key.clone(),
        })
        .collect();
    let runs = state::runs(db, Some(c.plan.name())).await?;
    let findings = integrity::at_run_start(db, &runs, resume, &shapes).await?;
    let refused: Vec<integrity::Finding> =
        findings.iter().filter(|f| f.refuses()).cloned().collect();
    if let (false, Some(id)) = (refused.is_empty(), resume) {
        return Err(BackfillError::Damaged {
            path: c.plan.path.clone(),
            plan: c.plan.name().to_string(),
            run_id: id,
            findings: refused,
        });
    }
    for finding in &findings {
        integrity::repair(db, finding).await?;
        (c.on_event)(Event::State { finding });
    }
    Ok(findings
        .into_iter()
        .filter(|f| matches!(f.action, integrity::Action::Repair(_)))
        .collect())
}
