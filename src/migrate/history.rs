//! refinery's history table, `refinery_schema_history`: the only module
//! that names it, decodes its rows or writes them. refinery writes the row
//! of a migration it applies (or a baseline fakes) through `migrate`; a
//! revert's row is removed with `forget`, inside the revert's own
//! transaction; `repair` rewrites checksums with `set_checksum`. Also
//! compares the history with the files: what is applied, pending, changed,
//! missing or out of order.

use std::fmt;

use refinery_core::traits::r#async::AsyncMigrate;
use refinery_core::{Migration, Report, Target};
use serde::Serialize;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::driver::Driver;
use super::source::{MigrationFile, MigrationSet};
use crate::db::{Db, DbError, Param, get_i64, get_string, introspect};

pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// One row of the history, as stored.
#[derive(Debug, Clone)]
pub struct Applied {
    pub version: i32,
    pub name: String,
    pub applied_on: String,
    pub checksum: String,
}

impl Applied {
    /// A row of `SELECT version, name, applied_on, checksum`, the columns
    /// refinery's own queries select too.
    fn decode(r: &AnyRow) -> Applied {
        Applied {
            version: get_i64(r, 0).unwrap_or_default() as i32,
            name: get_string(r, 1).unwrap_or_default(),
            applied_on: get_string(r, 2).unwrap_or_default(),
            checksum: get_string(r, 3).unwrap_or_default(),
        }
    }

    /// The row as refinery compares it with the files.
    fn refinery(&self) -> Migration {
        let applied_on =
            OffsetDateTime::parse(&self.applied_on, &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let checksum = self.checksum.parse::<u64>().unwrap_or_default();
        Migration::applied(self.version, self.name.clone(), applied_on, checksum)
    }
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
    Ok(rows.iter().map(Applied::decode).collect())
}

/// Answers one of refinery's own queries of the history, run as refinery
/// wrote it.
pub async fn refinery_query(db: &mut Db, query: &str) -> Result<Vec<Migration>, DbError> {
    let rows = db.fetch(query, &[]).await?;
    Ok(rows.iter().map(|r| Applied::decode(r).refinery()).collect())
}

/// What refinery is asked to refuse before it writes the history.
struct Checks {
    /// An applied migration whose file changed.
    abort_divergent: bool,
    /// An applied migration whose file is gone.
    abort_missing: bool,
    /// All pending migrations in one transaction, instead of each in its own.
    grouped: bool,
}

/// Each migration commits with its own row, so a failure keeps the ones
/// before it.
const CHECKS: Checks = Checks {
    abort_divergent: true,
    abort_missing: true,
    grouped: false,
};

/// refinery applies `all` up to `target` (or, for a fake target, only
/// records them) and writes their history rows, after its own checks.
pub async fn migrate(
    driver: &mut Driver<'_>,
    all: &[Migration],
    target: Target,
) -> Result<Report, refinery_core::Error> {
    let Checks {
        abort_divergent,
        abort_missing,
        grouped,
    } = CHECKS;
    driver
        .migrate(
            all,
            abort_divergent,
            abort_missing,
            grouped,
            target,
            HISTORY_TABLE,
        )
        .await
}

/// The statement that removes a reverted migration's row; it runs after
/// the down file's statements, in the same transaction where there is one.
pub fn forget(version: i32) -> String {
    format!("DELETE FROM {HISTORY_TABLE} WHERE version = {version}")
}

/// Records the file's current checksum and name for an applied migration
/// (`repair --recompute-checksums`).
pub async fn set_checksum(db: &mut Db, m: &MigrationFile) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {HISTORY_TABLE} SET checksum = {}, name = {} WHERE version = {}",
        d.param(1),
        d.param(2),
        d.param(3)
    );
    let checksum = m.checksum().to_string();
    db.execute(
        &sql,
        &[
            Param::Text(&checksum),
            Param::Text(&m.name),
            Param::Int(i64::from(m.version)),
        ],
    )
    .await
    .map(|_| ())
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
