//! The state rows as stored, nothing parsed, that the state check and
//! `backfill status` read, and the repairs the check makes to them.

use serde::Serialize;

use crate::db::{Db, DbError, Param, get_i64, get_string};

/// A step's row as stored, nothing parsed: what the state check reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub step_index: i64,
    pub step_name: String,
    pub cursor_key: Option<String>,
    pub rows_written: i64,
    pub chunks: i64,
    pub done: i64,
}

pub async fn step_rows(db: &mut Db, run_id: i64) -> Result<Vec<StepRow>, DbError> {
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
        .map(|r| StepRow {
            step_index: get_i64(r, 0).unwrap_or_default(),
            step_name: get_string(r, 1).unwrap_or_default(),
            cursor_key: get_string(r, 2),
            rows_written: get_i64(r, 3).unwrap_or_default(),
            chunks: get_i64(r, 4).unwrap_or_default(),
            done: get_i64(r, 5).unwrap_or_default(),
        })
        .collect())
}

/// A lease as stored, keys unparsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaseRow {
    pub run_id: i64,
    pub step_index: i64,
    pub chunk_no: i64,
    pub key_from: Option<String>,
    pub key_to: Option<String>,
    pub owner: String,
    pub owner_session: Option<i64>,
    /// Seconds since 1970 on the database's clock.
    pub expires_at: i64,
}

const LEASE_COLUMNS: &str =
    "run_id, step_index, chunk_no, key_from, key_to, owner, owner_session, expires_at";

fn lease_from(r: &sqlx::any::AnyRow) -> LeaseRow {
    LeaseRow {
        run_id: get_i64(r, 0).unwrap_or_default(),
        step_index: get_i64(r, 1).unwrap_or_default(),
        chunk_no: get_i64(r, 2).unwrap_or_default(),
        key_from: get_string(r, 3),
        key_to: get_string(r, 4),
        owner: get_string(r, 5).unwrap_or_default(),
        owner_session: get_i64(r, 6),
        expires_at: get_i64(r, 7).unwrap_or_default(),
    }
}

/// A run's leases, or one step's; a plain read, so a lease a writing
/// worker holds locked is listed too, and nothing waits for its lock.
pub async fn lease_rows(
    db: &mut Db,
    run_id: i64,
    step_index: Option<usize>,
) -> Result<Vec<LeaseRow>, DbError> {
    let step = step_index.map_or(String::new(), |i| format!(" AND step_index = {i}"));
    let sql = format!(
        "SELECT {LEASE_COLUMNS} FROM mendb_backfill_leases WHERE run_id = {run_id}{step} \
         ORDER BY step_index, chunk_no"
    );
    Ok(db.fetch(&sql, &[]).await?.iter().map(lease_from).collect())
}

/// Leases whose run is not recorded at all.
pub async fn leases_without_run(db: &mut Db) -> Result<Vec<LeaseRow>, DbError> {
    let sql = format!(
        "SELECT {LEASE_COLUMNS} FROM mendb_backfill_leases l WHERE NOT EXISTS \
         (SELECT 1 FROM mendb_backfill_runs r WHERE r.id = l.run_id) ORDER BY run_id, step_index, chunk_no"
    );
    Ok(db.fetch(&sql, &[]).await?.iter().map(lease_from).collect())
}

/// What the chunk log holds of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Logged {
    pub step_index: i64,
    pub chunks: i64,
    pub rows: i64,
}

pub async fn chunk_log(db: &mut Db, run_id: i64) -> Result<Vec<Logged>, DbError> {
    // Summed as text: MySQL and PostgreSQL sum integers into decimals,
    // which the Any driver does not read as integers.
    let sum = db.dialect().as_text("SUM(rows_written)");
    let sql = format!(
        "SELECT step_index, COUNT(*), {sum} FROM mendb_backfill_chunks \
         WHERE run_id = {run_id} GROUP BY step_index ORDER BY step_index"
    );
    Ok(db
        .fetch(&sql, &[])
        .await?
        .iter()
        .map(|r| Logged {
            step_index: get_i64(r, 0).unwrap_or_default(),
            chunks: get_i64(r, 1).unwrap_or_default(),
            rows: get_string(r, 2)
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
        })
        .collect())
}

/// The database's clock, in the seconds leases expire in.
pub async fn epoch_now(db: &mut Db) -> Result<i64, DbError> {
    let sql = format!("SELECT {}", db.dialect().epoch_now());
    Ok(db.scalar_i64(&sql).await?.unwrap_or_default())
}

pub async fn delete_lease(
    db: &mut Db,
    run_id: i64,
    step_index: i64,
    chunk_no: i64,
) -> Result<(), DbError> {
    db.execute_script(&format!(
        "DELETE FROM mendb_backfill_leases WHERE run_id = {run_id} AND step_index = {step_index} AND chunk_no = {chunk_no}"
    ))
    .await?;
    Ok(())
}

/// A step's row at the start: no cursor, nothing written, open.
pub async fn insert_step_at_start(
    db: &mut Db,
    run_id: i64,
    step_index: i64,
    name: &str,
) -> Result<(), DbError> {
    let sql = format!(
        "INSERT INTO mendb_backfill_steps (run_id, step_index, step_name) VALUES ({run_id}, {step_index}, {})",
        db.dialect().param(1)
    );
    db.execute(&sql, &[Param::Text(name)]).await?;
    Ok(())
}

/// A counter of a step's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    RowsWritten,
    Chunks,
}

impl Counter {
    pub fn column(self) -> &'static str {
        match self {
            Counter::RowsWritten => "rows_written",
            Counter::Chunks => "chunks",
        }
    }
}

/// Sets a counter that went negative; a counter that is not negative any
/// more (a worker's chunk committed meanwhile) is left alone.
pub async fn set_negative_counter(
    db: &mut Db,
    run_id: i64,
    step_index: i64,
    counter: Counter,
    value: i64,
) -> Result<(), DbError> {
    let c = counter.column();
    db.execute_script(&format!(
        "UPDATE mendb_backfill_steps SET {c} = {value} \
         WHERE run_id = {run_id} AND step_index = {step_index} AND {c} < 0"
    ))
    .await?;
    Ok(())
}

/// Recounts a run's rows from its steps, as every status change does.
pub async fn recount_run_rows(db: &mut Db, run_id: i64) -> Result<(), DbError> {
    db.execute_script(&format!(
        "UPDATE mendb_backfill_runs SET rows_written = \
         (SELECT COALESCE(SUM(rows_written), 0) FROM mendb_backfill_steps WHERE run_id = {run_id}) \
         WHERE id = {run_id}"
    ))
    .await?;
    Ok(())
}

/// The time a step's logged chunks took, in milliseconds, per step.
pub async fn chunk_time(db: &mut Db, run_id: i64) -> Result<Vec<(i64, u64)>, DbError> {
    // As text, for the reason `chunk_log` gives.
    let sum = db.dialect().as_text("SUM(elapsed_ms)");
    let sql = format!(
        "SELECT step_index, {sum} FROM mendb_backfill_chunks \
         WHERE run_id = {run_id} GROUP BY step_index ORDER BY step_index"
    );
    Ok(db
        .fetch(&sql, &[])
        .await?
        .iter()
        .map(|r| {
            let ms = get_string(r, 1)
                .and_then(|t| t.parse::<i64>().ok())
                .unwrap_or_default();
            (get_i64(r, 0).unwrap_or_default(), ms.max(0) as u64)
        })
        .collect())
}
