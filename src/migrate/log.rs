//! The per-migration log, `mendb_migration_log`: one row per attempt to
//! apply or revert a migration, with how many statements completed. On
//! MySQL/MariaDB, where DDL commits as it goes, an attempt that did not
//! finish is a dirty mark that stops every later run until `repair`.

use serde::Serialize;

use crate::db::{Db, DbError, Param, get_i64, get_string, introspect};

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
    /// A dirty attempt cleared by `repair --rerun`; the next run starts over.
    pub const RERUN: &str = "rerun";
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
    pub statements_done: i64,
    pub done_digest: Option<String>,
    pub failed_line: Option<i64>,
    pub failed_statement: Option<String>,
    pub error: Option<String>,
}

pub async fn ensure_table(db: &mut Db) -> Result<(), DbError> {
    let ddl = db.dialect().migration_log_ddl();
    db.execute(&ddl).await.map(|_| ())
}

/// Records the start of an attempt and returns its id.
pub async fn start(
    db: &mut Db,
    version: i32,
    name: &str,
    direction: Direction,
    checksum: u64,
    statements_total: usize,
) -> Result<i64, DbError> {
    let d = db.dialect();
    let sql = format!(
        "INSERT INTO {TABLE} (version, name, direction, status, checksum, started_at, statements_total, statements_done) \
         VALUES ({}, {}, {}, '{}', {}, {}, {}, 0)",
        d.param(1),
        d.param(2),
        d.param(3),
        status::RUNNING,
        d.param(4),
        d.now_text(),
        d.param(5),
    );
    let checksum = checksum.to_string();
    db.run(
        &sql,
        &[
            Param::Int(i64::from(version)),
            Param::Text(name),
            Param::Text(direction.as_str()),
            Param::Text(&checksum),
            Param::Int(statements_total as i64),
        ],
    )
    .await?;
    let id = db
        .scalar_i64(&format!("SELECT MAX(id) FROM {TABLE}"))
        .await?
        .unwrap_or_default();
    Ok(id)
}

pub async fn progress(db: &mut Db, id: i64, done: usize, digest: &str) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {TABLE} SET statements_done = {}, done_digest = {} WHERE id = {}",
        d.param(1),
        d.param(2),
        d.param(3)
    );
    db.run(
        &sql,
        &[Param::Int(done as i64), Param::Text(digest), Param::Int(id)],
    )
    .await
    .map(|_| ())
}

pub async fn finish(db: &mut Db, id: i64) -> Result<(), DbError> {
    set_status(db, id, status::OK).await
}

/// Records a failure: `status::FAILED` when work may have been committed,
/// `status::ROLLED_BACK` when the database undid it.
pub async fn fail(
    db: &mut Db,
    id: i64,
    status: &str,
    line: Option<usize>,
    statement: Option<&str>,
    error: &str,
) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {TABLE} SET status = {}, finished_at = {}, failed_line = {}, failed_statement = {}, error = {} WHERE id = {}",
        d.param(1),
        d.now_text(),
        d.param(2),
        d.param(3),
        d.param(4),
        d.param(5)
    );
    let line = line.map_or(Param::NullInt, |l| Param::Int(l as i64));
    let statement = statement.map_or(Param::NullText, Param::Text);
    db.run(
        &sql,
        &[
            Param::Text(status),
            line,
            statement,
            Param::Text(error),
            Param::Int(id),
        ],
    )
    .await
    .map(|_| ())
}

async fn set_status(db: &mut Db, id: i64, status: &str) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {TABLE} SET status = {}, finished_at = {} WHERE id = {}",
        d.param(1),
        d.now_text(),
        d.param(2)
    );
    db.run(&sql, &[Param::Text(status), Param::Int(id)])
        .await
        .map(|_| ())
}

async fn entries(db: &mut Db, filter: &str) -> Result<Vec<Entry>, DbError> {
    if !introspect::table_exists(db, TABLE).await? {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, version, name, direction, status, started_at, finished_at, statements_total, \
                statements_done, done_digest, failed_line, failed_statement, error \
         FROM {TABLE} {filter} ORDER BY id"
    );
    let rows = db.fetch(&sql, &[]).await?;
    Ok(rows
        .iter()
        .map(|r| Entry {
            id: get_i64(r, 0).unwrap_or_default(),
            version: get_i64(r, 1).unwrap_or_default() as i32,
            name: get_string(r, 2).unwrap_or_default(),
            direction: get_string(r, 3).unwrap_or_default(),
            status: get_string(r, 4).unwrap_or_default(),
            started_at: get_string(r, 5).unwrap_or_default(),
            finished_at: get_string(r, 6),
            statements_total: get_i64(r, 7).unwrap_or_default(),
            statements_done: get_i64(r, 8).unwrap_or_default(),
            done_digest: get_string(r, 9),
            failed_line: get_i64(r, 10),
            failed_statement: get_string(r, 11),
            error: get_string(r, 12),
        })
        .collect())
}

/// Attempts that did not end cleanly and were not repaired. Read-only, so
/// `status` and dry runs can use it; `settle_interrupted` decides what they
/// mean once the lock is held.
pub async fn unfinished(db: &mut Db) -> Result<Vec<Entry>, DbError> {
    entries(
        db,
        &format!(
            "WHERE status IN ('{}', '{}')",
            status::RUNNING,
            status::FAILED
        ),
    )
    .await
}

/// Under the lock no attempt can still be running, so a `running` row is
/// one whose process died. Where DDL is transactional the database rolled
/// it back; say so, and leave only real dirty marks.
pub async fn settle_interrupted(db: &mut Db) -> Result<Vec<Entry>, DbError> {
    let open = unfinished(db).await?;
    if db.dialect().can_be_left_dirty() {
        return Ok(open);
    }
    for entry in &open {
        fail(
            db,
            entry.id,
            status::ROLLED_BACK,
            None,
            None,
            "interrupted; the database rolled it back",
        )
        .await?;
    }
    Ok(Vec::new())
}

/// Marks dirty attempts repaired (resume after their completed statements)
/// or to be rerun from the start.
pub async fn repair(db: &mut Db, rerun: bool) -> Result<Vec<Entry>, DbError> {
    let dirty = settle_interrupted(db).await?;
    let new_status = if rerun {
        status::RERUN
    } else {
        status::REPAIRED
    };
    for entry in &dirty {
        set_status(db, entry.id, new_status).await?;
    }
    Ok(dirty)
}

/// The latest attempt at `version` in `direction`, if it was repaired for
/// resumption: its completed statements may be skipped.
pub async fn resumable(
    db: &mut Db,
    version: i32,
    direction: Direction,
) -> Result<Option<Entry>, DbError> {
    let all = entries(
        db,
        &format!(
            "WHERE version = {version} AND direction = '{}'",
            direction.as_str()
        ),
    )
    .await?;
    Ok(all
        .into_iter()
        .last()
        .filter(|e| e.status == status::REPAIRED && e.statements_done > 0))
}
