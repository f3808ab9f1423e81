//! Backfill state in mendb's own tables: runs (plan, checksum, params,
//! status), each step's frontier (the last key handed out), the leases of
//! chunks in workers' hands, and the chunk log. A chunk's rows, the end of
//! its lease and its log entry commit in one transaction. Here: the tables
//! and the runs; the chunk protocol is `chunks`, the rows as stored that
//! the state check reads and repairs are `rows`.

mod chunks;
mod rows;

use std::time::Duration;

use serde::Serialize;

pub use chunks::{
    Frontier, Idle, Lease, complete, finish_if_complete, give_back, hold, idle_leases, lock_step,
    open_lease, session_alive, take_over,
};
pub use rows::{
    Counter, LeaseRow, Logged, StepRow, chunk_log, chunk_time, delete_lease, epoch_now,
    insert_step_at_start, lease_rows, leases_without_run, recount_run_rows, set_negative_counter,
    step_rows,
};

use crate::db::lock::{LockName, with_lock};
use crate::db::{Db, DbError, Dialect, Param, get_i64, get_string, introspect};

pub mod status {
    pub const RUNNING: &str = "running";
    /// Stopped by a signal between chunks; resumable.
    pub const INTERRUPTED: &str = "interrupted";
    pub const FAILED: &str = "failed";
    pub const FINISHED: &str = "finished";
    /// Replaced by a `--restart`, or cancelled.
    pub const ABANDONED: &str = "abandoned";
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub id: i64,
    pub plan: String,
    pub checksum: String,
    /// As stored: a JSON object of names and values as text, which JSON
    /// output shows as that object.
    #[serde(serialize_with = "params_object")]
    pub params: String,
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub rows_written: i64,
    pub last_error: Option<String>,
}

/// Stored params as the JSON they are; text that is not JSON (a damaged
/// row) as a string.
fn params_object<S: serde::Serializer>(params: &str, s: S) -> Result<S::Ok, S::Error> {
    match serde_json::from_str::<serde_json::Value>(params) {
        Ok(v) => v.serialize(s),
        Err(_) => s.serialize_str(params),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepState {
    pub step_index: i64,
    pub step_name: String,
    /// The last key handed out, as a JSON array of texts; None before the
    /// first chunk.
    pub cursor: Option<Vec<String>>,
    pub rows_written: i64,
    pub chunks: i64,
    pub done: bool,
}

/// The lock under which the state tables are created. Not `backfill:...`,
/// which a plan named `state` would spell.
fn bootstrap_lock() -> LockName {
    LockName("backfill-state".into())
}

/// Creates the state tables that are missing, once, however many runners
/// start together on a database without them: under a lock of its own,
/// like a migration, because PostgreSQL's `CREATE TABLE IF NOT EXISTS`
/// fails in the runner that loses the race (a duplicate `pg_type` key).
/// When every table is there no lock is taken and nothing is created, so a
/// user without the right to create tables (PostgreSQL checks it even for
/// `IF NOT EXISTS`) runs plans once they exist.
pub async fn ensure_tables(db: &mut Db, lock_timeout: Duration) -> Result<(), DbError> {
    if missing_tables(db).await?.is_empty() {
        return Ok(());
    }
    with_lock(db, &bootstrap_lock(), lock_timeout, async |db: &mut Db| {
        // Another runner may have created them while this one waited.
        let missing = missing_tables(db).await?;
        for (table, ddl) in db.dialect().backfill_state_ddl() {
            if missing.contains(&table) {
                db.execute_script(&ddl).await?;
            }
        }
        Ok(())
    })
    .await
}

async fn missing_tables(db: &mut Db) -> Result<Vec<&'static str>, DbError> {
    let mut missing = Vec::new();
    for (table, _) in db.dialect().backfill_state_ddl() {
        if !introspect::table_exists(db, table).await? {
            missing.push(table);
        }
    }
    Ok(missing)
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
            db.fetch(&sql, &[Param::Text(p)]).await?
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
    Ok(step_rows(db, run_id)
        .await?
        .into_iter()
        .map(|r| StepState {
            step_index: r.step_index,
            step_name: r.step_name,
            cursor: r.cursor_key.and_then(|c| serde_json::from_str(&c).ok()),
            rows_written: r.rows_written,
            chunks: r.chunks,
            done: r.done == progress::DONE,
        })
        .collect())
}

/// Records a new run of `plan` with its steps and returns the run's id.
/// The id is the one the database gave the row: runs of other plans are
/// created at the same time under their own plans' locks, so nothing read
/// back afterwards (a `MAX(id)`) is known to be this run's. The run and its
/// steps commit together, so a kill cannot leave a run without steps.
pub async fn create_run(
    db: &mut Db,
    plan: &str,
    checksum: &str,
    params: &str,
    step_names: &[String],
) -> Result<i64, DbError> {
    // On SQLite the plan's lock is already a write transaction.
    let own_transaction = db.dialect() != Dialect::Sqlite;
    if own_transaction {
        db.execute_script("BEGIN").await?;
    }
    let result = insert_run(db, plan, checksum, params, step_names).await;
    if !own_transaction {
        return result;
    }
    match result {
        Ok(id) => {
            db.execute_script("COMMIT").await?;
            Ok(id)
        }
        Err(e) => {
            let _ = db.execute_script("ROLLBACK").await;
            Err(e)
        }
    }
}

async fn insert_run(
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
    let id = db
        .insert_returning_id(
            &sql,
            &[
                Param::Text(plan),
                Param::Text(checksum),
                Param::Text(params),
            ],
        )
        .await?;
    for (i, name) in step_names.iter().enumerate() {
        let sql = format!(
            "INSERT INTO mendb_backfill_steps (run_id, step_index, step_name) VALUES ({id}, {i}, {})",
            d.param(1)
        );
        db.execute(&sql, &[Param::Text(name)]).await?;
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
    // An abandoned run stays so: a process still finishing the chunk it
    // had when the run was cancelled must not bring it back.
    let sql = format!(
        "UPDATE mendb_backfill_runs SET status = {}, finished_at = {finished}, last_error = {}, \
         rows_written = (SELECT COALESCE(SUM(rows_written), 0) FROM mendb_backfill_steps WHERE run_id = {run_id}) \
         WHERE id = {run_id} AND status <> '{}'",
        d.param(1),
        d.param(2),
        status::ABANDONED
    );
    let error = error.map_or(Param::NullText, Param::Text);
    db.execute(&sql, &[Param::Text(new_status), error]).await?;
    Ok(())
}

/// Ends an unfinished run as abandoned, with `why`; false when it was
/// not unfinished (it finished, or was abandoned, meanwhile).
pub async fn cancel(db: &mut Db, run_id: i64, why: &str) -> Result<bool, DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE mendb_backfill_runs SET status = '{}', finished_at = {}, last_error = {}, \
         rows_written = (SELECT COALESCE(SUM(rows_written), 0) FROM mendb_backfill_steps WHERE run_id = {run_id}) \
         WHERE id = {run_id} AND status IN ('{}', '{}', '{}')",
        status::ABANDONED,
        d.now_text(),
        d.param(1),
        status::RUNNING,
        status::INTERRUPTED,
        status::FAILED
    );
    Ok(db.execute(&sql, &[Param::Text(why)]).await? == 1)
}

/// The `done` column of a step: open, every chunk handed out (some may
/// still be in a worker's hands), or finished.
pub mod progress {
    pub const OPEN: i64 = 0;
    pub const DONE: i64 = 1;
    pub const HANDED_OUT: i64 = 2;
}
