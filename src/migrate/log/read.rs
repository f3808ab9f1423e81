//! Reading the log's attempts back: the unfinished ones, the latest of each
//! migration, the one a run resumes after, and whether a session in doubt
//! still runs. Settling an interrupted attempt of a transactional database
//! is the one write here, since only the history tells how it ended.

use super::record::{fail, set_status};
use super::{Direction, Entry, TABLE, status};
use crate::db::{Db, DbError, Param, get_i64, get_string, introspect};
use crate::migrate::history;

/// Whether the session of an attempt in doubt still exists on the server:
/// a statement whose client died runs on until the server notices.
pub async fn mark_still_running(db: &mut Db, entries: &mut [Entry]) -> Result<(), DbError> {
    let Some(alive) = db.dialect().session_alive_query() else {
        return Ok(());
    };
    for e in entries.iter_mut() {
        if let (Some(session), Some(_)) = (e.session_id, e.in_doubt()) {
            let rows = db.fetch(alive, &[Param::Int(session)]).await?;
            e.still_running = rows.first().and_then(|r| get_i64(r, 0)).unwrap_or(0) > 0;
        }
    }
    Ok(())
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
    let applied = history::read_applied(db).await?;
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
