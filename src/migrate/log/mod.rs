//! The per-migration log, `mendb_migration_log`: one row per attempt to
//! apply or revert a migration. On MySQL/MariaDB, where DDL commits as it
//! goes, each statement is recorded twice: as sent before it runs
//! (`statement_started`) and as committed once the server says so
//! (`statements_done`). A crash between the two leaves the statements in
//! between *in doubt*, never counted as done or as not done. An attempt
//! that did not finish is a dirty mark that stops every later run until
//! `repair`. The states and transitions are tabled in docs/migrations.md.
//!
//! This file holds the table and its rows; `record` writes an attempt's
//! progress, `read` reads the attempts back.

mod read;
mod record;

use serde::Serialize;

use crate::db::{Db, DbError, introspect};

pub use read::{awaiting_resume, mark_still_running, resumable, settle_interrupted, unfinished};
pub use record::{
    committed, fail, finish, record_forced_baseline, resolve, sent, set_session, start,
};

pub const TABLE: &str = "mendb_migration_log";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// Status values stored in the log.
pub mod status {
    /// Started, not finished: the process died or is still running.
    pub const RUNNING: &str = "running";
    pub const OK: &str = "ok";
    /// Failed with part of its work committed: dirty until repaired.
    pub const FAILED: &str = "failed";
    /// Failed or died, and the database rolled everything back.
    pub const ROLLED_BACK: &str = "rolled_back";
    /// A dirty attempt cleared by `repair`; the next run resumes after the
    /// statements that had completed.
    pub const REPAIRED: &str = "repaired";
    /// A dirty attempt cleared by `repair --restart`; the next run starts over.
    pub const RERUN: &str = "rerun";
    /// Not an attempt: a `baseline --force` recorded a version whose
    /// schema differed (the row's note says why).
    pub const BASELINED: &str = "baselined";
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub direction: String,
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub statements_total: i64,
    /// Statements known to be committed; the count never goes backwards
    /// from one attempt to the next.
    pub statements_done: i64,
    pub done_digest: Option<String>,
    /// The last statement sent to the server. Above `statements_done`, the
    /// statements in between may or may not have committed.
    pub statement_started: i64,
    pub started_digest: Option<String>,
    /// The server session the statements ran in (MySQL's connection id).
    pub session_id: Option<i64>,
    /// That session still exists, so a statement in doubt may still be
    /// running on the server (filled in by `status` and the checks).
    pub still_running: bool,
    /// Its statements committed one by one (MySQL, or a PostgreSQL file
    /// marked no-transaction): an unfinished attempt is a dirty mark, not
    /// a rolled-back transaction.
    pub statement_by_statement: bool,
    pub failed_line: Option<i64>,
    pub failed_statement: Option<String>,
    pub error: Option<String>,
}

impl Entry {
    /// The statements (first, last) that were sent but whose commit was
    /// never recorded, for an attempt that did not finish.
    pub fn in_doubt(&self) -> Option<(i64, i64)> {
        let open = self.status == status::RUNNING || self.status == status::FAILED;
        (open && self.statement_started > self.statements_done)
            .then_some((self.statements_done + 1, self.statement_started))
    }
}

/// Columns added after the first release, for logs created before them.
const LATER_COLUMNS: [(&str, &str); 5] = [
    ("statement_started", "INTEGER NULL"),
    ("started_digest", "VARCHAR(32) NULL"),
    ("session_id", "BIGINT NULL"),
    ("statement_by_statement", "INTEGER NULL"),
    ("note", "TEXT NULL"),
];

pub async fn ensure_table(db: &mut Db) -> Result<(), DbError> {
    let ddl = db.dialect().migration_log_ddl();
    db.execute_script(&ddl).await?;
    for (column, ty) in LATER_COLUMNS {
        if !introspect::column_exists(db, TABLE, column).await? {
            db.execute_script(&format!("ALTER TABLE {TABLE} ADD COLUMN {column} {ty}"))
                .await?;
        }
    }
    Ok(())
}

/// Where an attempt starts: after the statements an earlier, repaired
/// attempt committed (none for a fresh start).
#[derive(Debug, Clone, Default)]
pub struct Resume {
    pub done: usize,
    pub digest: Option<String>,
}

/// What an attempt is about to run.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub version: i32,
    pub name: &'a str,
    pub direction: Direction,
    pub checksum: u64,
    pub statements_total: usize,
    /// Its statements commit one by one (see `Entry`).
    pub statement_by_statement: bool,
}
