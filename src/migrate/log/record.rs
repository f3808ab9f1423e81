//! Writing an attempt's progress to the log: its start, each statement as
//! sent and as committed, its end, and the user's word after a repair.
//! Never reads the rows back.

use super::{Attempt, Resume, TABLE, status};
use crate::db::{Db, DbError, Param};

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
    db.execute(
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
    db.execute(&sql, &[Param::Int(session), Param::Int(id)])
        .await
        .map(|_| ())
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
    db.execute(
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
    db.execute(
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
    db.execute(
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

pub(super) async fn set_status(db: &mut Db, id: i64, status: &str) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE {TABLE} SET status = {}, finished_at = {} WHERE id = {}",
        d.param(1),
        d.now_text(),
        d.param(2)
    );
    db.execute(&sql, &[Param::Text(status), Param::Int(id)])
        .await
        .map(|_| ())
}
