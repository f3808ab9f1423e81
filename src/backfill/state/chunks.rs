//! The chunk protocol on the state tables: the step's frontier, locked
//! while a chunk is cut; the leases of chunks in workers' hands, taken
//! over when their worker is gone; and a written chunk's end of lease,
//! log entry and counters, inside the chunk's own transaction.

use super::progress;
use crate::db::{Db, DbError, Param, get_i64, get_string};

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
            let rows = db.fetch(sql, &[Param::Int(session)]).await?;
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
    db.execute(&sql, &[Param::Text(owner)]).await?;
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
    db.execute(
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
    db.execute(&sql, &params).await?;
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
    db.execute_script(&format!(
        "UPDATE mendb_backfill_steps SET done = {} WHERE run_id = {run_id} AND step_index = {step_index}",
        progress::DONE
    ))
    .await?;
    Ok(true)
}

/// Hands back `owner`'s lease of a chunk not started: when the frontier
/// still ends where the lease does, the lease goes and the frontier moves
/// back to where it began, as if it had never been cut; otherwise it
/// expires now, for the next claim of any worker to take over.
pub async fn give_back(
    db: &mut Db,
    run_id: i64,
    step_index: usize,
    lease: &Lease,
    owner: &str,
) -> Result<(), DbError> {
    let frontier = lock_step(db, run_id, step_index).await?;
    let where_ = format!("run_id = {run_id} AND step_index = {step_index}");
    if !hold(db, run_id, step_index, lease.chunk_no, owner).await? {
        return Ok(());
    }
    let last_cut = match &lease.to {
        Some(to) => frontier.done == progress::OPEN && frontier.cursor.as_ref() == Some(to),
        None => frontier.done == progress::HANDED_OUT,
    };
    let d = db.dialect();
    if !last_cut {
        let sql = format!(
            "UPDATE mendb_backfill_leases SET expires_at = {} - 1 WHERE {where_} AND chunk_no = {}",
            d.epoch_now(),
            lease.chunk_no
        );
        db.execute_script(&sql).await?;
        return Ok(());
    }
    db.execute_script(&format!(
        "DELETE FROM mendb_backfill_leases WHERE {where_} AND chunk_no = {}",
        lease.chunk_no
    ))
    .await?;
    let from = keys_json(lease.from.as_deref());
    let sql = format!(
        "UPDATE mendb_backfill_steps SET cursor_key = {}, done = {} WHERE {where_}",
        d.param(1),
        progress::OPEN
    );
    db.execute(&sql, &[text(&from)]).await?;
    Ok(())
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
    db.execute_script(&format!(
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
    db.execute(
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
    db.execute(
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
