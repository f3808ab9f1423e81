//! The per-migration log, `mendb_migration_log`: one row per attempt to
//! apply or revert a migration. On MySQL/MariaDB, where DDL commits as it
//! goes, each statement is recorded twice: as sent before it runs
//! (`statement_started`) and as committed once the server says so
//! (`statements_done`). A crash between the two leaves the statements in
//! between *in doubt*, never counted as done or as not done. An attempt
//! that did not finish is a dirty mark that stops every later run until
//! `repair`. The states and transitions are tabled in docs/migrations.md.

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
    db.execute(&ddl).await?;
    for (column, ty) in LATER_COLUMNS {
        if !introspect::column_exists(db, TABLE, column).await? {
            db.execute(&format!("ALTER TABLE {TABLE} ADD COLUMN {column} {ty}"))
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

/// Records the start of an attempt and returns its id. A resumed attempt
/// inherits the committed count, so a failure at its first statement
/// cannot make the next run repeat what committed before.
pub async fn start(db: &mut Db, attempt: &Attempt<'_>, resume: &Resume) -> Result<i64, DbError> {
    let d = db.dialect();
    let sql = format!(
        "INSERT INTO {TABLE} (version, name, direction, status, checksum, started_at, statements_total, \
                              statements_done, done_digest, statement_started, started_digest, statement_by_statement) \
         VALUES ({}, {}, {}, '{}', {}, {}, {}, {}, {}, {}, {}, {})",
        d.param(1),
        d.param(2),
        d.param(3),
        status::RUNNING,
        d.param(4),
        d.now_text(),
        d.param(5),
        d.param(6),
        d.param(7),
        d.param(8),
        d.param(9),
        d.param(10),
    );
    let checksum = attempt.checksum.to_string();
    let done = resume.done as i64;
    let digest = resume
        .digest
        .as_deref()
        .map_or(Param::NullText, Param::Text);
    db.insert_returning_id(
        &sql,
        &[
            Param::Int(i64::from(attempt.version)),
            Param::Text(attempt.name),
            Param::Text(attempt.direction.as_str()),
            Param::Text(&checksum),
            Param::Int(attempt.statements_total as i64),
            Param::Int(done),
            digest,
            Param::Int(done),
            digest,
            Param::Int(i64::from(attempt.statement_by_statement)),
        ],
    )
    .await
}

/// Before statement `index` runs: from here until `committed`, it is in
/// doubt. `digest` covers statements 1..=index.
pub async fn sent(db: &mut Db, id: i64, index: usize, digest: &str) -> Result<(), DbError> {
    set_counts(db, id, "statement_started", "started_digest", index, digest).await
}

/// A baseline recorded with `--force` although the schema differed: why,
/// and what differed, for whoever reads the log later.
pub async fn record_forced_baseline(
    db: &mut Db,
    version: i32,
    name: &str,
    reason: &str,
    differences: &[String],
) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "INSERT INTO {TABLE} (version, name, direction, status, checksum, started_at, finished_at, statements_total, statements_done, note) \
         VALUES ({}, {}, 'up', '{}', '', {now}, {now}, 0, 0, {})",
        d.param(1),
        d.param(2),
        status::BASELINED,
        d.param(3),
        now = d.now_text(),
    );
    let note = format!(
        "baselined with --force: {reason}; {} difference(s) from the migrations:{}",
        differences.len(),
        differences
            .iter()
            .map(|x| format!("\n- {x}"))
            .collect::<String>()
    );
    db.run(
        &sql,
        &[
            Param::Int(i64::from(version)),
            Param::Text(name),
            Param::Text(&note),
        ],
    )
    .await
    .map(|_| ())
}

/// The server session the attempt's statements run in.
pub async fn set_session(db: &mut Db, id: i64, session: i64) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {TABLE} SET session_id = {} WHERE id = {}",
        d.param(1),
        d.param(2)
    );
    db.run(&sql, &[Param::Int(session), Param::Int(id)])
        .await
        .map(|_| ())
}

/// Whether the session of an attempt in doubt still exists on the server:
/// a statement whose client died runs on until the server notices.
pub async fn mark_still_running(db: &mut Db, entries: &mut [Entry]) -> Result<(), DbError> {
    let Some(alive) = db.dialect().session_alive_query() else {
        return Ok(());
    };
    for e in entries.iter_mut() {
        if let (Some(session), Some(_)) = (e.session_id, e.in_doubt()) {
            let rows = db.fetch_with(alive, &[Param::Int(session)]).await?;
            e.still_running = rows.first().and_then(|r| get_i64(r, 0)).unwrap_or(0) > 0;
        }
    }
    Ok(())
}

/// Statements 1..=index are committed; `digest` covers them.
pub async fn committed(db: &mut Db, id: i64, index: usize, digest: &str) -> Result<(), DbError> {
    set_counts(db, id, "statements_done", "done_digest", index, digest).await
}

async fn set_counts(
    db: &mut Db,
    id: i64,
    count: &str,
    digest_column: &str,
    index: usize,
    digest: &str,
) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {TABLE} SET {count} = {}, {digest_column} = {} WHERE id = {}",
        d.param(1),
        d.param(2),
        d.param(3)
    );
    db.run(
        &sql,
        &[
            Param::Int(index as i64),
            Param::Text(digest),
            Param::Int(id),
        ],
    )
    .await
    .map(|_| ())
}

/// Settles an attempt's doubt as the user decided: statements 1..=done
/// committed, nothing after them did; `status` says what happens next.
pub async fn resolve(
    db: &mut Db,
    id: i64,
    status: &str,
    done: i64,
    digest: Option<&str>,
) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {TABLE} SET status = {}, statements_done = {}, statement_started = {}, done_digest = {}, finished_at = {} WHERE id = {}",
        d.param(1),
        d.param(2),
        d.param(3),
        d.param(4),
        d.now_text(),
        d.param(5)
    );
    db.run(
        &sql,
        &[
            Param::Text(status),
            Param::Int(done),
            Param::Int(done),
            digest.map_or(Param::NullText, Param::Text),
            Param::Int(id),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn finish(db: &mut Db, id: i64) -> Result<(), DbError> {
    set_status(db, id, status::OK).await
}

/// Records a failure: `status::FAILED` when work may have been committed,
/// `status::ROLLED_BACK` when the database undid it. Unless `in_doubt`, the
/// server said the statement failed, so nothing after the committed ones
/// took effect.
pub async fn fail(
    db: &mut Db,
    id: i64,
    status: &str,
    line: Option<usize>,
    statement: Option<&str>,
    error: &str,
    in_doubt: bool,
) -> Result<(), DbError> {
    let d = db.dialect();
    let started = if in_doubt {
        "statement_started"
    } else {
        "statements_done"
    };
    let sql = format!(
        "UPDATE {TABLE} SET status = {}, finished_at = {}, failed_line = {}, failed_statement = {}, error = {}, statement_started = {started} WHERE id = {}",
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
                statements_done, done_digest, failed_line, failed_statement, error, \
                statement_started, started_digest, session_id, statement_by_statement \
         FROM {TABLE} {filter} ORDER BY id"
    );
    let rows = db.fetch(&sql, &[]).await?;
    let by_default = db.dialect().can_be_left_dirty();
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
            // Rows written before the column existed knew only `done`.
            statement_started: get_i64(r, 13).unwrap_or_else(|| get_i64(r, 8).unwrap_or_default()),
            started_digest: get_string(r, 14),
            session_id: get_i64(r, 15),
            still_running: false,
            // Rows from before the column: what the database always did.
            statement_by_statement: get_i64(r, 16).map_or(by_default, |v| v != 0),
        })
        .collect())
}

/// Attempts that did not end cleanly and were not repaired. Read-only, so
/// `status` and dry runs can use it; `settle_interrupted` decides what they
/// mean once the lock is held.
pub async fn unfinished(db: &mut Db) -> Result<Vec<Entry>, DbError> {
    let mut open = open_attempts(db).await?;
    open.retain(|e| e.statement_by_statement);
    Ok(open)
}

/// Attempts that did not end, whatever they mean.
async fn open_attempts(db: &mut Db) -> Result<Vec<Entry>, DbError> {
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
/// one whose process died. Where DDL is transactional the database either
/// committed the whole migration with its history row or rolled all of it
/// back; the history tells which. Only real dirty marks are left.
pub async fn settle_interrupted(db: &mut Db) -> Result<Vec<Entry>, DbError> {
    let (dirty, transactional): (Vec<Entry>, Vec<Entry>) = open_attempts(db)
        .await?
        .into_iter()
        .partition(|e| e.statement_by_statement);
    if transactional.is_empty() {
        return Ok(dirty);
    }
    let applied = super::history::read_applied(db).await?;
    for entry in &transactional {
        let recorded = applied.iter().any(|a| a.version == entry.version);
        let committed = (entry.direction == Direction::Up.as_str()) == recorded;
        if committed {
            set_status(db, entry.id, status::OK).await?;
        } else {
            fail(
                db,
                entry.id,
                status::ROLLED_BACK,
                None,
                None,
                "interrupted; the database rolled it back",
                false,
            )
            .await?;
        }
    }
    Ok(dirty)
}

/// The latest attempt of each migration and direction that still waits for
/// something: dirty (`running`, `failed`) or repaired and not yet resumed.
pub async fn awaiting_resume(db: &mut Db) -> Result<Vec<Entry>, DbError> {
    let all = entries(db, "").await?;
    let mut latest: Vec<Entry> = Vec::new();
    for e in all {
        latest.retain(|l| !(l.version == e.version && l.direction == e.direction));
        latest.push(e);
    }
    latest.retain(|e| {
        [status::RUNNING, status::FAILED, status::REPAIRED].contains(&e.status.as_str())
    });
    Ok(latest)
}

/// The latest attempt at `version` in `direction`, if it was repaired for
/// resumption: its committed statements are not run again.
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
