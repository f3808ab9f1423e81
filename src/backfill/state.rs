//! Backfill state in mendb's own tables: runs (plan, checksum, params,
//! status), each step's cursor, and the chunk log. The executor updates a
//! step's cursor in the same transaction as the chunk's rows.

use serde::Serialize;

use crate::db::{Db, DbError, Param, get_i64, get_string, introspect};

pub mod status {
    pub const RUNNING: &str = "running";
    /// Stopped by a signal between chunks; resumable.
    pub const INTERRUPTED: &str = "interrupted";
    pub const FAILED: &str = "failed";
    pub const FINISHED: &str = "finished";
    /// Replaced by a `--restart`.
    pub const ABANDONED: &str = "abandoned";
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub id: i64,
    pub plan: String,
    pub checksum: String,
    pub params: String,
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub rows_written: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepState {
    pub step_index: i64,
    pub step_name: String,
    /// The last key done, as a JSON array of texts; None before the first chunk.
    pub cursor: Option<Vec<String>>,
    pub rows_written: i64,
    pub chunks: i64,
    pub done: bool,
}

pub async fn ensure_tables(db: &mut Db) -> Result<(), DbError> {
    for ddl in db.dialect().backfill_state_ddl() {
        db.execute(&ddl).await?;
    }
    Ok(())
}

fn run_from(r: &sqlx::any::AnyRow) -> Run {
    Run {
        id: get_i64(r, 0).unwrap_or_default(),
        plan: get_string(r, 1).unwrap_or_default(),
        checksum: get_string(r, 2).unwrap_or_default(),
        params: get_string(r, 3).unwrap_or_default(),
        status: get_string(r, 4).unwrap_or_default(),
        started_at: get_string(r, 5).unwrap_or_default(),
        finished_at: get_string(r, 6),
        rows_written: get_i64(r, 7).unwrap_or_default(),
        last_error: get_string(r, 8),
    }
}

const RUN_COLUMNS: &str =
    "id, plan, checksum, params, status, started_at, finished_at, rows_written, last_error";

/// Every run, newest first; `plan` narrows to one plan.
pub async fn runs(db: &mut Db, plan: Option<&str>) -> Result<Vec<Run>, DbError> {
    if !introspect::table_exists(db, "mendb_backfill_runs").await? {
        return Ok(Vec::new());
    }
    let rows = match plan {
        Some(p) => {
            let sql = format!(
                "SELECT {RUN_COLUMNS} FROM mendb_backfill_runs WHERE plan = {} ORDER BY id DESC",
                db.dialect().param(1)
            );
            db.fetch(&sql, &[p]).await?
        }
        None => {
            db.fetch(
                &format!("SELECT {RUN_COLUMNS} FROM mendb_backfill_runs ORDER BY id DESC"),
                &[],
            )
            .await?
        }
    };
    Ok(rows.iter().map(run_from).collect())
}

pub async fn steps(db: &mut Db, run_id: i64) -> Result<Vec<StepState>, DbError> {
    let rows = db
        .fetch(
            &format!(
                "SELECT step_index, step_name, cursor_key, rows_written, chunks, done \
                 FROM mendb_backfill_steps WHERE run_id = {run_id} ORDER BY step_index"
            ),
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| StepState {
            step_index: get_i64(r, 0).unwrap_or_default(),
            step_name: get_string(r, 1).unwrap_or_default(),
            cursor: get_string(r, 2).and_then(|c| serde_json::from_str(&c).ok()),
            rows_written: get_i64(r, 3).unwrap_or_default(),
            chunks: get_i64(r, 4).unwrap_or_default(),
            done: get_i64(r, 5).unwrap_or_default() != 0,
        })
        .collect())
}

pub async fn create_run(
    db: &mut Db,
    plan: &str,
    checksum: &str,
    params: &str,
    step_names: &[String],
) -> Result<i64, DbError> {
    let d = db.dialect();
    let sql = format!(
        "INSERT INTO mendb_backfill_runs (plan, checksum, params, status, started_at) VALUES ({}, {}, {}, '{}', {})",
        d.param(1),
        d.param(2),
        d.param(3),
        status::RUNNING,
        d.now_text()
    );
    db.run(
        &sql,
        &[
            Param::Text(plan),
            Param::Text(checksum),
            Param::Text(params),
        ],
    )
    .await?;
    let id = db
        .scalar_i64("SELECT MAX(id) FROM mendb_backfill_runs")
        .await?
        .unwrap_or_default();
    for (i, name) in step_names.iter().enumerate() {
        let sql = format!(
            "INSERT INTO mendb_backfill_steps (run_id, step_index, step_name) VALUES ({id}, {i}, {})",
            d.param(1)
        );
        db.run(&sql, &[Param::Text(name)]).await?;
    }
    Ok(id)
}

pub async fn set_status(
    db: &mut Db,
    run_id: i64,
    new_status: &str,
    error: Option<&str>,
) -> Result<(), DbError> {
    let d = db.dialect();
    let finished = if new_status == status::RUNNING {
        "NULL".to_string()
    } else {
        d.now_text().to_string()
    };
    let sql = format!(
        "UPDATE mendb_backfill_runs SET status = {}, finished_at = {finished}, last_error = {}, \
         rows_written = (SELECT COALESCE(SUM(rows_written), 0) FROM mendb_backfill_steps WHERE run_id = {run_id}) \
         WHERE id = {run_id}",
        d.param(1),
        d.param(2)
    );
    let error = error.map_or(Param::NullText, Param::Text);
    db.run(&sql, &[Param::Text(new_status), error]).await?;
    Ok(())
}

/// A finished chunk, as the chunk log records it.
#[derive(Clone, Copy)]
pub struct ChunkDone<'a> {
    pub chunk_no: i64,
    pub from: Option<&'a [String]>,
    /// The chunk's last key; None for the step's last chunk.
    pub to: Option<&'a [String]>,
    pub rows: u64,
    pub elapsed_ms: u128,
}

/// Records a finished chunk; runs inside the chunk's transaction.
pub async fn checkpoint(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
    chunk: &ChunkDone<'_>,
) -> Result<(), DbError> {
    let ChunkDone {
        chunk_no,
        from,
        to,
        rows,
        elapsed_ms,
    } = *chunk;
    let done = to.is_none();
    let d = db.dialect();
    let json = |k: Option<&[String]>| k.map(|k| serde_json::to_string(k).unwrap_or_default());
    let (from, to) = (json(from), json(to));
    fn text(v: &Option<String>) -> Param<'_> {
        v.as_deref().map_or(Param::NullText, Param::Text)
    }
    // Every value is bound, so the two statements keep one text each and
    // the connection's prepared-statement cache serves them chunk after
    // chunk. The cursor stays as it is on the last chunk (no bound): that
    // chunk ends the step instead.
    // `chunks` doubles as a version: if another runner moved this step
    // since we read it, nothing matches and the chunk is rolled back.
    let sql = format!(
        "UPDATE mendb_backfill_steps SET cursor_key = COALESCE({p1}, cursor_key), \
         rows_written = rows_written + {p2}, chunks = chunks + 1, done = {p3} \
         WHERE run_id = {p4} AND step_index = {p5} AND chunks = {p6}",
        p1 = d.param(1),
        p2 = d.param(2),
        p3 = d.param(3),
        p4 = d.param(4),
        p5 = d.param(5),
        p6 = d.param(6),
    );
    let moved = db
        .run(
            &sql,
            &[
                text(&to),
                Param::Int(rows as i64),
                Param::Int(i64::from(done)),
                Param::Int(run_id),
                Param::Int(step_index as i64),
                Param::Int(chunk_no - 1),
            ],
        )
        .await?;
    if moved == 0 {
        return Err(DbError::Conflict(format!(
            "run {run_id} step {step_index} was advanced by another runner; one runner per plan"
        )));
    }
    let sql = format!(
        "INSERT INTO mendb_backfill_chunks (run_id, step_index, chunk_no, key_from, key_to, rows_written, elapsed_ms, finished_at) \
         VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        d.param(1),
        d.param(2),
        d.param(3),
        d.param(4),
        d.param(5),
        d.param(6),
        d.param(7),
        d.now_text()
    );
    db.run(
        &sql,
        &[
            Param::Int(run_id),
            Param::Int(step_index as i64),
            Param::Int(chunk_no),
            text(&from),
            text(&to),
            Param::Int(rows as i64),
            Param::Int(elapsed_ms.min(i64::MAX as u128) as i64),
        ],
    )
    .await?;
    Ok(())
}
