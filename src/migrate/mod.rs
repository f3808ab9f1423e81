//! Versioned schema migrations, up and down: loading files (`source`),
//! refinery's driver over sqlx (`driver`), the per-migration log that makes
//! half-applied MySQL migrations visible (`log`), the decisions of each
//! command (`runner`), checks before a revert (`data_loss`) and scaffolding
//! new files (`scaffold`). Owns the history and log tables; never renders
//! output.

mod data_loss;
mod driver;
mod history;
pub mod log;
mod runner;
mod scaffold;
pub mod source;

use serde::Serialize;

pub use data_loss::{Change, DataLoss, changes};
pub use driver::HISTORY_TABLE;
pub use history::{HistoryProblem, MigrationState, StatusReport, StatusRow};
pub use log::Direction;
pub use runner::{
    BaselineReport, DownOptions, DownTarget, Event, Options, RepairOptions, RepairReport,
    RunReport, StepPlan, baseline, check_version, down, repair, status, up,
};
pub use scaffold::{Scaffolded, scaffold};
pub use source::{MigrationFile, MigrationSet, SourceError};

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
    #[error("migrate new: {0}")]
    BadName(String),
    #[error("cannot write {0}")]
    Write(String),
    #[error("refinery: {0}")]
    Refinery(String),
}

/// A migration that stopped half-way where DDL is not transactional.
#[derive(Debug, thiserror::Error)]
#[error(
    "database is dirty: {direction} of V{version}__{name} failed at statement {statement_index} (line {line}) after {done} of {total} statements committed: {error}\n  statement: {statement}\n  fix the database and the file by hand, then run `mendb migrate repair` (resume after the committed statements) or `mendb migrate repair --rerun` (start the migration over)"
)]
pub struct DirtyMark {
    pub version: i32,
    pub name: String,
    pub direction: String,
    pub done: i64,
    pub total: i64,
    pub statement_index: i64,
    pub line: i64,
    pub statement: String,
    pub error: String,
}

/// A statement of a migration that the database rejected.
#[derive(Debug, thiserror::Error)]
#[error(
    "{path}:{line}: V{version}__{name} failed at statement {statement_index}: {error}{}",
    if *left_dirty { "\n  earlier statements of this migration were committed (MySQL DDL is not transactional); the database is marked dirty" } else { "\n  the migration was rolled back; nothing of it was applied" }
)]
pub struct StatementFailed {
    pub version: i32,
    pub name: String,
    pub path: String,
    pub line: usize,
    pub statement_index: usize,
    pub error: String,
    pub left_dirty: bool,
}

impl MigrateError {
    pub fn exit_code(&self) -> i32 {
        match self {
            MigrateError::Db(e) => db_exit_code(e),
            MigrateError::UnknownVersion { .. } | MigrateError::BadName(_) => exit::USAGE,
            MigrateError::Source(_)
            | MigrateError::History(_)
            | MigrateError::MissingDown { .. }
            | MigrateError::AlreadyBaselined { .. } => exit::FILES_OR_HISTORY,
            MigrateError::Dirty(_) => exit::DIRTY,
            MigrateError::Failed(_) => exit::MIGRATION_FAILED,
            MigrateError::DataLoss(_) => exit::DATA_LOSS,
            MigrateError::Write(_) | MigrateError::Refinery(_) => exit::INTERNAL,
        }
    }
}

pub fn db_exit_code(e: &DbError) -> i32 {
    match e {
        DbError::InvalidUrl { .. } | DbError::Unsupported(_) => exit::USAGE,
        DbError::Connect { .. } | DbError::WaitTimedOut { .. } => exit::UNREACHABLE,
        DbError::LockTimeout { .. } => exit::LOCK_TIMEOUT,
        DbError::Interrupted { .. } => exit::INTERRUPTED,
        DbError::Query { .. } => exit::INTERNAL,
        DbError::Conflict(_) => exit::WRONG_STATE,
    }
}

/// A migration as a command reports it.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationRef {
    pub version: i32,
    pub name: String,
}
