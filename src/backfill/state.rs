//! Backfill state in mendb's own tables: runs (plan, checksum, params,
//! status), each step's frontier (the last key handed out), the leases of
//! chunks in workers' hands, and the chunk log. A chunk's rows, the end of
//! its lease and its log entry commit in one transaction.

use std::time::Duration;

use serde::Serialize;

use crate::db::lock::{LockName, with_lock};
use crate::db::{Db, DbError, Dialect, Param, get_i64, get_string, introspect};

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
                db.execute(&ddl).await?;
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
        db.execute("BEGIN").await?;
    }
    let result = insert_run(db, plan, checksum, params, step_names).await;
    if !own_transaction {
        return result;
    }
    match result {
        Ok(id) => {
            db.execute("COMMIT").await?;
            Ok(id)
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK").await;
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

/// The `done` column of a step: open, every chunk handed out (some may
/// still be in a worker's hands), or finished.
pub mod progress {
    pub const OPEN: i64 = 0;
    pub const DONE: i64 = 1;
    pub const HANDED_OUT: i64 = 2;
}

/// A chunk handed to one worker: the keys after `from` up to `to` (None:
/// to the end of the step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub chunk_no: i64,
    pub from: Option<Vec<String>>,
    pub to: Option<Vec<String>>,
}

/// The step's row, locked until the transaction ends: the last key handed
/// out and the step's progress (see `progress`).
pub struct Frontier {
    pub cursor: Option<Vec<String>>,
    pub done: i64,
}

/// Key values as stored: NULL is no key; anything but a JSON array of
/// texts is damage, which a worker must not read as "no key" (from the
/// start again) or guess around.
fn keys(text: Option<String>, row: &str, column: &str) -> Result<Option<Vec<String>>, DbError> {
    text.map(|c| {
        serde_json::from_str(&c).map_err(|_| {
            DbError::Conflict(format!(
                "{column} of {row} is not a JSON array of texts: {c}; rerun the plan to have its state checked"
            ))
        })
    })
    .transpose()
}

fn keys_json(k: Option<&[String]>) -> Option<String> {
    k.map(|k| serde_json::to_string(k).unwrap_or_default())
}

fn text(v: &Option<String>) -> Param<'_> {
    v.as_deref().map_or(Param::NullText, Param::Text)
}

/// Locks the step's row: one worker at a time hands out chunks.
pub async fn lock_step(db: &mut Db, run_id: i64, step_index: usize) -> Result<Frontier, DbError> {
    let sql = format!(
        "SELECT cursor_key, done FROM mendb_backfill_steps WHERE run_id = {run_id} AND step_index = {step_index}{}",
        db.dialect().for_update()
    );
    let rows = db.fetch(&sql, &[]).await?;
    let where_ = format!("mendb_backfill_steps run_id = {run_id} AND step_index = {step_index}");
    // Without its row the step has no frontier to move: every claim would
    // cut the first chunk again.
    let Some(row) = rows.first() else {
        return Err(DbError::Conflict(format!(
            "the row {where_} is gone; rerun the plan to have its state checked"
        )));
    };
    let done = get_i64(row, 1).unwrap_or(progress::OPEN);
    if ![progress::OPEN, progress::HANDED_OUT, progress::DONE].contains(&done) {
        return Err(DbError::Conflict(format!(
            "done = {done} in {where_} is none of 0, 1, 2; rerun the plan to have its state checked"
        )));
    }
    Ok(Frontier {
        cursor: keys(get_string(row, 0), &where_, "cursor_key")?,
        done,
    })
}

/// A lease nobody is writing (its row is not locked), with whether its
/// time ran out and the server session of its owner.
pub struct Idle {
    pub lease: Lease,
    pub owner_session: Option<i64>,
    pub expired: bool,
}

/// The step's leases that no transaction holds, oldest first, locked.
pub async fn idle_leases(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
) -> Result<Vec<Idle>, DbError> {
    let d = db.dialect();
    let sql = format!(
        "SELECT chunk_no, key_from, key_to, owner_session, CASE WHEN expires_at < {} THEN 1 ELSE 0 END \
         FROM mendb_backfill_leases WHERE run_id = {run_id} AND step_index = {step_index} \
         ORDER BY chunk_no{}",
        d.epoch_now(),
        d.for_update_skip_locked()
    );
    db.fetch(&sql, &[])
        .await?
        .iter()
        .map(|r| {
            let chunk_no = get_i64(r, 0).unwrap_or_default();
            let row = format!(
                "mendb_backfill_leases run_id = {run_id} AND step_index = {step_index} AND chunk_no = {chunk_no}"
            );
            Ok(Idle {
                lease: Lease {
                    chunk_no,
                    from: keys(get_string(r, 1), &row, "key_from")?,
                    to: keys(get_string(r, 2), &row, "key_to")?,
                },
                owner_session: get_i64(r, 3),
                expired: get_i64(r, 4) == Some(1),
            })
        })
        .collect()
}

/// Whether the server session (or, on SQLite, the local process) that owns
/// a lease still exists.
pub async fn session_alive(db: &mut Db, session: i64) -> Result<bool, DbError> {
    match db.dialect().session_alive_query() {
        Some(sql) => {
            let rows = db.fetch_with(sql, &[Param::Int(session)]).await?;
            Ok(rows.first().and_then(|r| get_i64(r, 0)).unwrap_or(0) > 0)
        }
        // A SQLite file is written from this machine: its processes are
        // visible here. Without /proc, only expiry frees a lease.
        None => {
            let proc = std::path::Path::new("/proc");
            Ok(!proc.is_dir() || proc.join(session.to_string()).exists())
        }
    }
}

/// The owner's session as SQL: the server's id for this connection, or on
/// SQLite this process's id.
fn owner_session(db: &Db) -> String {
    match db.dialect().session_alive_query() {
        Some(_) => db.dialect().session_id().to_string(),
        None => std::process::id().to_string(),
    }
}

/// Hands an idle lease to `owner` for `lease_secs` more seconds.
pub async fn take_over(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
    chunk_no: i64,
    owner: &str,
    lease_secs: u64,
) -> Result<(), DbError> {
    let d = db.dialect();
    let sql = format!(
        "UPDATE mendb_backfill_leases SET owner = {}, owner_session = {}, expires_at = {} + {lease_secs} \
         WHERE run_id = {run_id} AND step_index = {step_index} AND chunk_no = {chunk_no}",
        d.param(1),
        owner_session(db),
        d.epoch_now()
    );
    db.run(&sql, &[Param::Text(owner)]).await?;
    Ok(())
}

/// Hands out the chunk after the frontier up to `to`, and moves the
/// frontier there (or marks every chunk handed out when `to` is None).
#[allow(clippy::too_many_arguments)]
pub async fn open_lease(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
    from: Option<&[String]>,
    to: Option<&[String]>,
    owner: &str,
    lease_secs: u64,
) -> Result<Lease, DbError> {
    let d = db.dialect();
    let where_ = format!("run_id = {run_id} AND step_index = {step_index}");
    // Unlike a run's id, a chunk's number may be the largest one plus one:
    // every claim of the step first locks the step's row (`lock_step`), so
    // no one else numbers a chunk of it meanwhile, and a written chunk
    // leaves the leases for the chunk log in one commit, so one of the two
    // always holds the largest number.
    let sql = format!(
        "SELECT COALESCE(MAX(chunk_no), 0) FROM mendb_backfill_leases WHERE {where_} \
         UNION ALL SELECT COALESCE(MAX(chunk_no), 0) FROM mendb_backfill_chunks WHERE {where_}"
    );
    let last = db
        .fetch(&sql, &[])
        .await?
        .iter()
        .filter_map(|r| get_i64(r, 0))
        .max()
        .unwrap_or(0);
    let chunk_no = last + 1;
    let (from_json, to_json) = (keys_json(from), keys_json(to));
    let sql = format!(
        "INSERT INTO mendb_backfill_leases (run_id, step_index, chunk_no, key_from, key_to, owner, owner_session, expires_at) \
         VALUES ({run_id}, {step_index}, {chunk_no}, {}, {}, {}, {}, {} + {lease_secs})",
        d.param(1),
        d.param(2),
        d.param(3),
        owner_session(db),
        d.epoch_now()
    );
    db.run(
        &sql,
        &[text(&from_json), text(&to_json), Param::Text(owner)],
    )
    .await?;
    let sql = match &to_json {
        Some(_) => format!(
            "UPDATE mendb_backfill_steps SET cursor_key = {} WHERE {where_}",
            d.param(1)
        ),
        None => format!(
            "UPDATE mendb_backfill_steps SET done = {} WHERE {where_}",
            progress::HANDED_OUT
        ),
    };
    let params = match &to_json {
        Some(_) => vec![text(&to_json)],
        None => Vec::new(),
    };
    db.run(&sql, &params).await?;
    Ok(Lease {
        chunk_no,
        from: from.map(<[String]>::to_vec),
        to: to.map(<[String]>::to_vec),
    })
}

/// Marks the step finished once every chunk was handed out and written.
/// Returns whether it is.
pub async fn finish_if_complete(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
) -> Result<bool, DbError> {
    let pending = db
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM mendb_backfill_leases WHERE run_id = {run_id} AND step_index = {step_index}"
        ))
        .await?
        .unwrap_or(0);
    if pending > 0 {
        return Ok(false);
    }
    db.execute(&format!(
        "UPDATE mendb_backfill_steps SET done = {} WHERE run_id = {run_id} AND step_index = {step_index}",
        progress::DONE
    ))
    .await?;
    Ok(true)
}

/// Locks `owner`'s lease for the chunk's transaction; false when another
/// worker has taken it over (or finished it) meanwhile.
pub async fn hold(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
    chunk_no: i64,
    owner: &str,
) -> Result<bool, DbError> {
    let d = db.dialect();
    let sql = format!(
        "SELECT owner FROM mendb_backfill_leases \
         WHERE run_id = {run_id} AND step_index = {step_index} AND chunk_no = {chunk_no}{}",
        d.for_update()
    );
    let rows = db.fetch(&sql, &[]).await?;
    Ok(rows.first().and_then(|r| get_string(r, 0)).as_deref() == Some(owner))
}

/// Records a written chunk; runs inside the chunk's transaction, after
/// `hold`. Returns the rows the step has written in all.
pub async fn complete(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
    lease: &Lease,
    rows: u64,
    elapsed_ms: u128,
) -> Result<u64, DbError> {
    let d = db.dialect();
    let where_ = format!("run_id = {run_id} AND step_index = {step_index}");
    db.execute(&format!(
        "DELETE FROM mendb_backfill_leases WHERE {where_} AND chunk_no = {}",
        lease.chunk_no
    ))
    .await?;
    let (from, to) = (
        keys_json(lease.from.as_deref()),
        keys_json(lease.to.as_deref()),
    );
    // The log entry and the counters bind every value; only the dialect's
    // clock expression is formatted in, the same text each time. So these
    // two statements keep one text each, and the connection's
    // prepared-statement cache serves them chunk after chunk. The DELETE
    // above formats the chunk's ids in (a text per chunk) and the SELECT
    // below the step's (a text per step).
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
            Param::Int(lease.chunk_no),
            text(&from),
            text(&to),
            Param::Int(rows as i64),
            Param::Int(elapsed_ms.min(i64::MAX as u128) as i64),
        ],
    )
    .await?;
    let sql = format!(
        "UPDATE mendb_backfill_steps SET rows_written = rows_written + {}, chunks = chunks + 1 \
         WHERE run_id = {} AND step_index = {}",
        d.param(1),
        d.param(2),
        d.param(3)
    );
    db.run(
        &sql,
        &[
            Param::Int(rows as i64),
            Param::Int(run_id),
            Param::Int(step_index as i64),
        ],
    )
    .await?;
    let total = db
        .scalar_i64(&format!(
            "SELECT rows_written FROM mendb_backfill_steps WHERE {where_}"
        ))
        .await?
        .unwrap_or(0);
    Ok(total.max(0) as u64)
}

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
    db.execute(&format!(
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
    db.run(&sql, &[Param::Text(name)]).await?;
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
    db.execute(&format!(
        "UPDATE mendb_backfill_steps SET {c} = {value} \
         WHERE run_id = {run_id} AND step_index = {step_index} AND {c} < 0"
    ))
    .await?;
    Ok(())
}

/// Recounts a run's rows from its steps, as every status change does.
pub async fn recount_run_rows(db: &mut Db, run_id: i64) -> Result<(), DbError> {
    db.execute(&format!(
        "UPDATE mendb_backfill_runs SET rows_written = \
         (SELECT COALESCE(SUM(rows_written), 0) FROM mendb_backfill_steps WHERE run_id = {run_id}) \
         WHERE id = {run_id}"
    ))
    .await?;
    Ok(())
}
