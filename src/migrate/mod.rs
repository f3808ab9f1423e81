//! Versioned schema migrations, up and down: loading files (`source`),
//! refinery's driver over sqlx (`driver`), refinery's history table
//! (`history`, its only reader and writer), the per-migration log that
//! makes half-applied MySQL migrations visible (`log`, read for the
//! commands by `dirty`), one file per command (`up`, `down`, `baseline`,
//! `repair`, `status`) with what they share (`common`, and `step` for
//! applying one migration), checks before a revert (`data_loss`), adopting
//! another tool's history (`adopt`) and scaffolding new files (`scaffold`).
//! Owns the history and log tables; never renders output. This file holds
//! the types every command shares: errors, events and run reports.

pub mod adopt;
mod baseline;
mod common;
mod data_loss;
mod dirty;
mod down;
mod driver;
mod history;
pub mod log;
mod repair;
mod scaffold;
pub mod source;
mod status;
mod step;
mod up;

use std::time::Duration;

use serde::Serialize;

pub use adopt::{Adoption, ChecksumState, Mapped, Tool};
pub use baseline::{BaselineCheck, BaselineReport, baseline, check_no_history};
pub use common::check_version;
pub use data_loss::{Change, DataLoss, changes};
pub use down::{DownOptions, DownTarget, down};
pub use history::{HISTORY_TABLE, HistoryProblem, MigrationState, StatusReport, StatusRow};
pub use log::Direction;
pub use repair::{InDoubt, RepairOptions, RepairReport, repair};
pub use scaffold::{Scaffolded, scaffold};
pub use source::{MigrationFile, MigrationSet, SourceError};
pub use status::status;
pub use up::up;

use crate::db::DbError;
use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("unknown version {version}: {origin} has {available}")]
    UnknownVersion {
        version: i64,
        origin: String,
        available: String,
    },
    #[error("{0}")]
    History(HistoryProblem),
    #[error(transparent)]
    Dirty(Box<DirtyMark>),
    #[error("nothing is in doubt: {0}")]
    NothingInDoubt(String),
    #[error("cannot revert V{version}__{name}: no down migration {expected}")]
    MissingDown {
        version: i32,
        name: String,
        expected: String,
    },
    #[error("{0}")]
    DataLoss(DataLoss),
    #[error(transparent)]
    Failed(Box<StatementFailed>),
    #[error(
        "database already has migration history (latest V{latest}); baseline only adopts a database that has none"
    )]
    AlreadyBaselined { latest: i32 },
    #[error(
        "refusing to baseline at V{version}: the live schema is not what the migrations up to V{version} build:{}\n  make the database match (or the migrations), or record V{version} anyway with `mendb migrate baseline --to {version} --force \"<why>\"`",
        differences.iter().map(|d| format!("\n  - {d}")).collect::<String>()
    )]
    BaselineDiffers {
        version: i32,
        differences: Vec<String>,
    },
    #[error("{0}")]
    Adopt(String),
    #[error("migrate new: {0}")]
    BadName(String),
    #[error(
        "the migrations in use are the ones built into mendb (V1-V{latest}), which cannot be added to; \
         run `mendb init` to copy them into a project folder of your own (its mendb.toml points every command there), \
         then `mendb migrate new {name}` writes V{next}; or name a folder with --migrations DIR",
        next = latest + 1
    )]
    EmbeddedInUse { latest: i32, name: String },
    #[error("cannot write {0}")]
    Write(String),
    #[error("refinery: {0}")]
    Refinery(String),
}

/// A migration that stopped half-way where DDL is not transactional, and
/// what it takes to go on.
#[derive(Debug)]
pub struct DirtyMark {
    pub version: i32,
    pub name: String,
    pub direction: String,
    pub path: String,
    /// Statements known to be committed.
    pub done: i64,
    pub total: i64,
    pub kind: DirtyKind,
    /// The statement at issue (the failed one, the first in doubt, the
    /// first not yet run) and its line in the file.
    pub statement_index: i64,
    pub line: usize,
    pub statement: String,
    pub error: String,
    /// The server session still running the statement in doubt.
    pub still_running_in: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirtyKind {
    /// The server refused a statement (or the run stopped between
    /// statements): what committed is known, resuming is safe.
    Stopped,
    /// Statements first..=last were sent but their commit was never
    /// recorded: only the user can say whether they took effect.
    InDoubt { first: i64, last: i64 },
    /// The committed statements were edited since, so where to resume is
    /// unknown.
    Edited,
}

impl std::fmt::Display for DirtyMark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = format!("V{}__{}", self.version, self.name);
        let (k, done, total) = (self.statement_index, self.done, self.total);
        let at = format!("{}:{}", self.path, self.line);
        match self.kind {
            DirtyKind::Stopped => write!(
                f,
                "database is dirty: {} of {label} stopped at statement {k} ({at}) with {done} of {total} statements committed: {}\n  statement: {}\n  \
                 fix that statement in the file (leave the {done} committed ones as they are), then run `mendb migrate repair` to resume at statement {k}; \
                 or undo the committed statements by hand and run `mendb migrate repair --restart` to start the migration over",
                self.direction, self.error, self.statement
            ),
            DirtyKind::InDoubt { first, last } => {
                let which = if first == last {
                    format!("statement {first}")
                } else {
                    format!("statements {first} to {last}")
                };
                write!(
                    f,
                    "database is dirty: {} of {label} stopped with {which} ({at}) in doubt: sent to the server, but whether it committed was never recorded ({}); {done} of {total} statements are known to be committed\n  statement: {}\n  ",
                    self.direction, self.error, self.statement
                )?;
                if let Some(session) = self.still_running_in {
                    write!(
                        f,
                        "the server is still running it in connection {session}: wait until that connection is gone (or end it with `KILL {session}`); then "
                    )?;
                }
                write!(
                    f,
                    "check the database to see whether it took effect, then run `mendb migrate repair --in-doubt applied` (it did) or `mendb migrate repair --in-doubt not-applied` (it did not); \
                     or undo the migration's effects by hand and run `mendb migrate repair --restart`"
                )
            }
            DirtyKind::Edited => write!(
                f,
                "cannot resume {} of {label}: statements 1 to {done} committed, but they have been edited in {} since, so mendb cannot tell where to resume\n  \
                 restore those statements as they were, or undo their effects by hand and run `mendb migrate repair --restart` to start the migration over",
                self.direction, self.path
            ),
        }
    }
}

impl std::error::Error for DirtyMark {}

/// A statement of a migration that did not complete.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}: V{version}__{name} failed at statement {statement_index}: {error}\n  {}", self.consequence())]
pub struct StatementFailed {
    pub version: i32,
    pub name: String,
    pub path: String,
    pub line: usize,
    pub statement_index: usize,
    pub error: String,
    /// Statements known to be committed.
    pub done: usize,
    pub left_dirty: bool,
    pub in_doubt: bool,
    /// mendb's own record failed, not the statement.
    pub bookkeeping: bool,
    /// The migration ran in one transaction (PostgreSQL, SQLite).
    pub transactional: bool,
}

impl StatementFailed {
    fn consequence(&self) -> String {
        let k = self.statement_index;
        if self.in_doubt && self.transactional {
            format!(
                "the connection was lost while the migration committed, so whether V{}__{} was applied is unknown; it commits with its history row or not at all, and the next `mendb migrate up` tells which",
                self.version, self.name
            )
        } else if self.in_doubt {
            format!(
                "{} whether statement {k} committed is unknown; the database is marked dirty with it in doubt: run `mendb migrate status`, check the database, then `mendb migrate repair --in-doubt applied` or `--in-doubt not-applied`",
                if self.bookkeeping {
                    "mendb could not record the statement's outcome, so"
                } else {
                    "the connection was lost before the server answered, so"
                }
            )
        } else if self.left_dirty {
            format!(
                "statements 1 to {} of this migration stay committed (its statements commit one by one); the database is marked dirty: fix statement {k} in the file, then run `mendb migrate repair` and run the migration again",
                self.done
            )
        } else if self.bookkeeping {
            "mendb could not record the migration; it was rolled back and nothing of it was applied"
                .into()
        } else {
            "the migration was rolled back; nothing of it was applied".into()
        }
    }
}

impl MigrateError {
    pub fn exit_code(&self) -> i32 {
        match self {
            MigrateError::Db(e) => e.exit_code(),
            MigrateError::UnknownVersion { .. }
            | MigrateError::BadName(_)
            | MigrateError::EmbeddedInUse { .. } => exit::USAGE,
            MigrateError::Source(_)
            | MigrateError::History(_)
            | MigrateError::MissingDown { .. }
            | MigrateError::AlreadyBaselined { .. } => exit::FILES_OR_HISTORY,
            MigrateError::Dirty(_) | MigrateError::NothingInDoubt(_) => exit::DIRTY,
            MigrateError::BaselineDiffers { .. } | MigrateError::Adopt(_) => exit::WRONG_STATE,
            MigrateError::Failed(_) => exit::MIGRATION_FAILED,
            MigrateError::DataLoss(_) => exit::DATA_LOSS,
            MigrateError::Write(_) | MigrateError::Refinery(_) => exit::INTERNAL,
        }
    }
}

/// A migration as a command reports it.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationRef {
    pub version: i32,
    pub name: String,
}

/// Settings shared by the mutating commands.
#[derive(Debug, Clone)]
pub struct Options {
    pub lock_timeout: Duration,
}

/// Progress of a run, for the caller to render.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    Started {
        direction: Direction,
        migration: &'a MigrationFile,
        resume_after: usize,
    },
    Finished {
        direction: Direction,
        migration: &'a MigrationFile,
        elapsed: Duration,
    },
    Failed {
        direction: Direction,
        migration: &'a MigrationFile,
        elapsed: Duration,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct StepPlan {
    pub version: i32,
    pub name: String,
    pub path: String,
    /// Statements completed by an earlier, repaired attempt that will be skipped.
    pub resume_after: usize,
    /// The statements that will run (dry runs only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u128>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub direction: Direction,
    pub dry_run: bool,
    pub from_version: Option<i32>,
    pub to_version: Option<i32>,
    pub steps: Vec<StepPlan>,
    /// What a revert destroys (or, in a dry run, would destroy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_loss: Option<DataLoss>,
}
