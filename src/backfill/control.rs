//! Live control of a run through the database. `backfill pause`,
//! `resume`, `cancel` and `throttle` append a change to the run's control
//! log (mendb_backfill_controls), naming who gave it, from where and when;
//! every worker of every process reads what is new there between chunks
//! and obeys (`Watch`), and `backfill status` shows the log as the run's
//! history. Owns that table and, for a cancel, the run's status; never
//! touches chunks, leases or frontiers, which the workers hand back
//! themselves.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::BackfillError;
use super::state::{self, Run, status};
use crate::db::{Db, DbError, Dialect, Param, get_i64, get_string, introspect};

const TABLE: &str = "mendb_backfill_controls";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Pause,
    Resume,
    Cancel,
    Throttle,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Cancel => "cancel",
            Action::Throttle => "throttle",
        }
    }

    fn parse(text: &str) -> Option<Action> {
        [
            Action::Pause,
            Action::Resume,
            Action::Cancel,
            Action::Throttle,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

/// What a `throttle` sets: each value given replaces the one in force;
/// `reset` first drops every earlier one, back to the flags each process
/// was started with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows_per_sec: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_target_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_threads_running: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
}

impl Settings {
    pub fn is_empty(&self) -> bool {
        *self == Settings::default()
    }

    fn merge(&mut self, next: &Settings) {
        if next.reset {
            *self = Settings::default();
        }
        self.max_rows_per_sec = next.max_rows_per_sec.or(self.max_rows_per_sec);
        self.sleep_ratio = next.sleep_ratio.or(self.sleep_ratio);
        self.chunk_target_ms = next.chunk_target_ms.or(self.chunk_target_ms);
        self.max_threads_running = next.max_threads_running.or(self.max_threads_running);
        self.reset = false;
    }

    pub fn chunk_target(&self) -> Option<Duration> {
        self.chunk_target_ms.map(Duration::from_millis)
    }
}

/// One entry of the control log.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: i64,
    pub run_id: i64,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// `user@host` of whoever gave it.
    pub by: String,
    pub at: String,
}

/// What the log says now: paused (by which change), cancelled, and the
/// throttle settings in force with the change that last set them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ControlState {
    pub paused: Option<Change>,
    pub cancelled: Option<Change>,
    pub settings: Settings,
    pub throttled: Option<Change>,
}

impl ControlState {
    fn apply(&mut self, c: &Change) {
        match c.action {
            Action::Pause => {
                if self.paused.is_none() {
                    self.paused = Some(c.clone());
                }
            }
            Action::Resume => self.paused = None,
            Action::Cancel => self.cancelled = Some(c.clone()),
            Action::Throttle => {
                if let Some(s) = &c.settings {
                    self.settings.merge(s);
                }
                self.throttled = Some(c.clone());
            }
        }
    }

    pub fn of(log: &[Change]) -> ControlState {
        let mut state = ControlState::default();
        for c in log {
            state.apply(c);
        }
        state
    }
}

/// The run's control log, oldest first; empty where the table is not
/// there yet (state tables made before it existed).
pub async fn log(db: &mut Db, run_id: i64) -> Result<Vec<Change>, DbError> {
    if !introspect::table_exists(db, TABLE).await? {
        return Ok(Vec::new());
    }
    log_after(db, run_id, 0).await
}

/// The entries after `after`, from a table known to exist.
async fn log_after(db: &mut Db, run_id: i64, after: i64) -> Result<Vec<Change>, DbError> {
    let sql = format!(
        "SELECT id, run_id, action, settings, by_user, by_host, at FROM {TABLE} \
         WHERE run_id = {run_id} AND id > {after} ORDER BY id"
    );
    let rows = db.fetch(&sql, &[]).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let action = Action::parse(&get_string(r, 2)?)?;
            Some(Change {
                id: get_i64(r, 0)?,
                run_id: get_i64(r, 1)?,
                action,
                settings: get_string(r, 3).and_then(|s| serde_json::from_str(&s).ok()),
                by: format!(
                    "{}@{}",
                    get_string(r, 4).unwrap_or_default(),
                    get_string(r, 5).unwrap_or_default()
                ),
                at: get_string(r, 6).unwrap_or_default(),
            })
        })
        .collect())
}

/// The name of this machine (a pod's name in Kubernetes), to tell apart
/// who gave a change and which process holds a lease.
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Who gives a change: $USER or $LOGNAME, else the account of this
/// process's user id (a `kubectl exec` shell often sets neither).
fn user_name() -> String {
    if let Some(u) = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
    {
        return u;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) {
            let account = std::fs::read_to_string("/etc/passwd")
                .ok()
                .and_then(|passwd| {
                    passwd.lines().find_map(|l| {
                        let f: Vec<&str> = l.split(':').collect();
                        (f.get(2) == Some(&uid.to_string().as_str())).then(|| f[0].to_string())
                    })
                });
            return account.unwrap_or_else(|| format!("uid {uid}"));
        }
    }
    "unknown".into()
}

/// A change asked for on the command line.
#[derive(Debug, Clone)]
pub struct Request {
    pub action: Action,
    pub settings: Option<Settings>,
}

/// What a control command did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub plan: String,
    pub run_id: i64,
    /// The change written; None when the run already was as asked.
    pub change: Option<Change>,
    /// The run's control state after it.
    pub state: ControlState,
    /// Why nothing was written, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unchanged: Option<String>,
}

fn unfinished(r: &Run) -> bool {
    [status::RUNNING, status::INTERRUPTED, status::FAILED].contains(&r.status.as_str())
}

/// Applies `req` to the newest run of `plan`, which must be unfinished.
pub async fn apply(
    db: &mut Db,
    plan: &str,
    req: &Request,
    lock_timeout: Duration,
) -> Result<Outcome, BackfillError> {
    let Some(run) = state::runs(db, Some(plan)).await?.into_iter().next() else {
        return Err(BackfillError::NoRun {
            plan: plan.to_string(),
        });
    };
    if !unfinished(&run) {
        return Err(BackfillError::NotUnfinished {
            plan: plan.to_string(),
            run_id: run.id,
            status: run.status.clone(),
        });
    }
    if db.dialect() == Dialect::Sqlite {
        crate::db::lock::set_busy_timeout(db, lock_timeout).await?;
    }
    state::ensure_tables(db, lock_timeout).await?;
    let before = ControlState::of(&log(db, run.id).await?);
    let unchanged = match (&req.action, &before.paused) {
        (Action::Pause, Some(p)) => Some(format!("already paused by {} since {}", p.by, p.at)),
        (Action::Resume, None) => Some("not paused".to_string()),
        _ => None,
    };
    if let Some(why) = unchanged {
        return Ok(Outcome {
            plan: plan.to_string(),
            run_id: run.id,
            change: None,
            state: before,
            unchanged: Some(why),
        });
    }
    let id = write(db, &run, req).await?;
    let all = log(db, run.id).await?;
    Ok(Outcome {
        plan: plan.to_string(),
        run_id: run.id,
        change: all.iter().find(|c| c.id == id).cloned(),
        state: ControlState::of(&all),
        unchanged: None,
    })
}

/// Appends the change; a cancel also ends the run as abandoned, in the
/// same transaction, unless it finished meanwhile.
async fn write(db: &mut Db, run: &Run, req: &Request) -> Result<i64, BackfillError> {
    let d = db.dialect();
    db.execute_script(d.begin_write()).await?;
    let result = async {
        let settings = req
            .settings
            .as_ref()
            .map(|s| serde_json::to_string(s).unwrap_or_default());
        let (user, host) = (user_name(), host_name());
        let sql = format!(
            "INSERT INTO {TABLE} (run_id, action, settings, by_user, by_host, at) VALUES ({}, {}, {}, {}, {}, {})",
            run.id,
            d.param(1),
            d.param(2),
            d.param(3),
            d.param(4),
            d.now_text()
        );
        let id = db
            .insert_returning_id(
                &sql,
                &[
                    Param::Text(req.action.as_str()),
                    settings.as_deref().map_or(Param::NullText, Param::Text),
                    Param::Text(&user),
                    Param::Text(&host),
                ],
            )
            .await?;
        if req.action == Action::Cancel {
            let ended = state::cancel(db, run.id, &format!("cancelled by {user}@{host}")).await?;
            if !ended {
                return Err(BackfillError::NotUnfinished {
                    plan: run.plan.clone(),
                    run_id: run.id,
                    status: status::FINISHED.to_string(),
                });
            }
        }
        Ok::<_, BackfillError>(id)
    }
    .await;
    match result {
        Ok(id) => {
            db.execute_script("COMMIT").await?;
            Ok(id)
        }
        Err(e) => {
            let _ = db.execute_script("ROLLBACK").await;
            Err(e)
        }
    }
}

/// The cancel that ended `run_id`, if one did.
pub async fn cancelled_by(db: &mut Db, run_id: i64) -> Result<Option<Change>, DbError> {
    Ok(ControlState::of(&log(db, run_id).await?).cancelled)
}

/// The control state as the workers of one process see it: each reads
/// what is new in the log before its next chunk, and whoever reads a
/// change first announces it.
pub struct Watch {
    run_id: i64,
    seen: Mutex<(Option<i64>, ControlState)>,
}

impl Watch {
    pub fn new(run_id: i64) -> Watch {
        Watch {
            run_id,
            seen: Mutex::new((None, ControlState::default())),
        }
    }

    /// Reads the log's new entries and returns those to announce: on the
    /// first read only what is in force (a pause, the throttle settings),
    /// after that each change as it comes.
    pub async fn refresh(&self, db: &mut Db) -> Result<Vec<Change>, DbError> {
        let after = self.lock().0.unwrap_or(0);
        let new = log_after(db, self.run_id, after).await?;
        let mut seen = self.lock();
        let first = seen.0.is_none();
        let last = seen.0.unwrap_or(0);
        let fresh: Vec<Change> = new.into_iter().filter(|c| c.id > last).collect();
        for c in &fresh {
            seen.1.apply(c);
        }
        seen.0 = Some(fresh.last().map_or(last, |c| c.id));
        if !first {
            return Ok(fresh);
        }
        let state = &seen.1;
        let mut current: Vec<Change> = state.paused.iter().cloned().collect();
        if let (Some(t), false) = (&state.throttled, state.settings.is_empty()) {
            current.push(Change {
                settings: Some(state.settings.clone()),
                ..t.clone()
            });
        }
        current.extend(state.cancelled.iter().cloned());
        Ok(current)
    }

    pub fn state(&self) -> ControlState {
        self.lock().1.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<i64>, ControlState)> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: i64, action: Action, settings: Option<Settings>) -> Change {
        Change {
            id,
            run_id: 1,
            action,
            settings,
            by: "ops@pod".into(),
            at: format!("t{id}"),
        }
    }

    #[test]
    fn the_log_folds_into_what_is_in_force() {
        let slow = Settings {
            max_rows_per_sec: Some(100),
            ..Settings::default()
        };
        let sleepy = Settings {
            sleep_ratio: Some(1.5),
            ..Settings::default()
        };
        let log = [
            change(1, Action::Pause, None),
            change(2, Action::Pause, None),
            change(3, Action::Throttle, Some(slow)),
            change(4, Action::Throttle, Some(sleepy)),
        ];
        let s = ControlState::of(&log);
        assert_eq!(
            s.paused.as_ref().map(|c| c.id),
            Some(1),
            "paused since the first"
        );
        assert_eq!(s.settings.max_rows_per_sec, Some(100));
        assert_eq!(s.settings.sleep_ratio, Some(1.5));
        let mut more = log.to_vec();
        more.push(change(5, Action::Resume, None));
        more.push(change(
            6,
            Action::Throttle,
            Some(Settings {
                reset: true,
                chunk_target_ms: Some(50),
                ..Settings::default()
            }),
        ));
        let s = ControlState::of(&more);
        assert!(s.paused.is_none());
        assert_eq!(
            s.settings,
            Settings {
                chunk_target_ms: Some(50),
                ..Settings::default()
            },
            "a reset drops what came before it"
        );
    }
}
