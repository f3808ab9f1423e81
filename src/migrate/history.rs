//! Comparing refinery's history table with the migration files: what is
//! applied, pending, changed, missing or out of order. Read-only.

use std::fmt;

use serde::Serialize;

use super::driver::HISTORY_TABLE;
use super::source::MigrationSet;
use crate::db::{Db, DbError, get_i64, get_string, introspect};

#[derive(Debug, Clone)]
pub struct Applied {
    pub version: i32,
    pub name: String,
    pub applied_on: String,
    pub checksum: String,
}

/// The history, or nothing when the table does not exist yet.
pub async fn read_applied(db: &mut Db) -> Result<Vec<Applied>, DbError> {
    if !introspect::table_exists(db, HISTORY_TABLE).await? {
        return Ok(Vec::new());
    }
    let rows = db
        .fetch(
            &format!(
                "SELECT version, name, applied_on, checksum FROM {HISTORY_TABLE} ORDER BY version"
            ),
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Applied {
            version: get_i64(r, 0).unwrap_or_default() as i32,
            name: get_string(r, 1).unwrap_or_default(),
            applied_on: get_string(r, 2).unwrap_or_default(),
            checksum: get_string(r, 3).unwrap_or_default(),
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryProblem {
    Changed {
        version: i32,
        name: String,
        path: String,
    },
    Renamed {
        version: i32,
        applied_name: String,
        path: String,
    },
    MissingFile {
        version: i32,
        name: String,
        origin: String,
    },
    OutOfOrder {
        version: i32,
        path: String,
        latest: i32,
    },
}

impl fmt::Display for HistoryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryProblem::Changed {
                version,
                name,
                path,
            } => write!(
                f,
                "{path}: V{version}__{name} was edited after it was applied (checksum changed); restore the file, or accept the edit with `mendb migrate repair --recompute-checksums`"
            ),
            HistoryProblem::Renamed {
                version,
                applied_name,
                path,
            } => write!(
                f,
                "{path}: V{version} was applied as V{version}__{applied_name}; the file diverges from the history"
            ),
            HistoryProblem::MissingFile {
                version,
                name,
                origin,
            } => write!(
                f,
                "V{version}__{name} is recorded as applied but {origin} has no V{version}__{name}.sql"
            ),
            HistoryProblem::OutOfOrder {
                version,
                path,
                latest,
            } => write!(
                f,
                "{path}: V{version} is not applied but V{latest} already is; out-of-order migrations are refused"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationState {
    Applied,
    Pending,
    Changed,
    MissingFile,
    OutOfOrder,
    Dirty,
}

impl fmt::Display for MigrationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::Changed => "changed",
            MigrationState::MissingFile => "missing file",
            MigrationState::OutOfOrder => "out of order",
            MigrationState::Dirty => "dirty",
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub version: i32,
    pub name: String,
    pub state: MigrationState,
    pub applied_on: Option<String>,
    /// "ok", "changed", or None when not applied.
    pub checksum: Option<&'static str>,
    pub has_down: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub database: String,
    pub dialect: crate::db::Dialect,
    pub migrations: String,
    pub current_version: Option<i32>,
    pub latest_version: Option<i32>,
    pub pending: usize,
    pub rows: Vec<StatusRow>,
    pub dirty: Vec<super::log::Entry>,
    pub problems: Vec<String>,
}

/// Lines up files and history, version by version.
pub fn compare(set: &MigrationSet, applied: &[Applied]) -> (Vec<StatusRow>, Vec<HistoryProblem>) {
    let latest_applied = applied.iter().map(|a| a.version).max();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for m in &set.migrations {
        let row = match applied.iter().find(|a| a.version == m.version) {
            Some(a) => {
                let same_sum = a.checksum == m.checksum().to_string();
                let state = if a.name != m.name {
                    problems.push(HistoryProblem::Renamed {
                        version: m.version,
                        applied_name: a.name.clone(),
                        path: m.up.path.clone(),
                    });
                    MigrationState::Changed
                } else if !same_sum {
                    problems.push(HistoryProblem::Changed {
                        version: m.version,
                        name: m.name.clone(),
                        path: m.up.path.clone(),
                    });
                    MigrationState::Changed
                } else {
                    MigrationState::Applied
                };
                StatusRow {
                    version: m.version,
                    name: m.name.clone(),
                    state,
                    applied_on: Some(a.applied_on.clone()),
                    checksum: Some(if same_sum { "ok" } else { "changed" }),
                    has_down: m.down.is_some(),
                }
            }
            None => {
                let state = match latest_applied {
                    Some(latest) if latest > m.version => {
                        problems.push(HistoryProblem::OutOfOrder {
                            version: m.version,
                            path: m.up.path.clone(),
                            latest,
                        });
                        MigrationState::OutOfOrder
                    }
                    _ => MigrationState::Pending,
                };
                StatusRow {
                    version: m.version,
                    name: m.name.clone(),
                    state,
                    applied_on: None,
                    checksum: None,
                    has_down: m.down.is_some(),
                }
            }
        };
        rows.push(row);
    }
    for a in applied {
        if set.get(a.version).is_none() {
            problems.push(HistoryProblem::MissingFile {
                version: a.version,
                name: a.name.clone(),
                origin: set.origin.clone(),
            });
            rows.push(StatusRow {
                version: a.version,
                name: a.name.clone(),
                state: MigrationState::MissingFile,
                applied_on: Some(a.applied_on.clone()),
                checksum: None,
                has_down: false,
            });
        }
    }
    rows.sort_by_key(|r| r.version);
    (rows, problems)
}
