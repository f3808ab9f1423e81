//! Database locks that keep mendb to one runner at a time: MySQL's
//! `GET_LOCK`, PostgreSQL's session advisory locks, and on SQLite the
//! database's own write lock (`BEGIN IMMEDIATE`). A lock is taken and
//! released on the same connection, and the server drops it if the
//! connection dies, so a killed runner never leaves a stale lock behind.

use std::time::{Duration, Instant};

use super::{Db, DbError, Dialect, Param, get_i64, get_string};

/// Identifies what is being guarded, e.g. `migrate` or `backfill:fill-gaps`.
#[derive(Debug, Clone)]
pub struct LockName(pub String);

/// PostgreSQL advisory locks take two 32-bit keys; mendb's first key spells
/// "mend" so its locks are easy to spot in `pg_locks`.
const PG_CLASS_ID: i64 = 0x6d65_6e64;

impl LockName {
    fn mysql_name(&self, db: &Db) -> String {
        // GET_LOCK names are server-wide and at most 64 characters.
        let full = format!("mendb:{}:{}", db.url().database_name(), self.0);
        full.chars().take(64).collect()
    }

    fn pg_obj_id(&self) -> i64 {
        // FNV-1a, folded into the positive 31-bit range of an `oid` key.
        let mut h: u32 = 0x811c_9dc5;
        for b in self.0.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        i64::from(h & 0x7fff_ffff)
    }
}

/// Runs `work` while holding `name`, releasing the lock whatever `work`
/// returns. On SQLite the lock is a write transaction, which `work` sees as
/// already open.
pub async fn with_lock<T, E>(
    db: &mut Db,
    name: &LockName,
    timeout: Duration,
    work: impl AsyncFnOnce(&mut Db) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    acquire(db, name, timeout).await?;
    tracing::debug!(lock = %name.0, "lock acquired");
    let result = work(db).await;
    let released = release(db, name).await;
    tracing::debug!(lock = %name.0, "lock released");
    let value = result?;
    released?;
    Ok(value)
}

/// Takes `name` until the current transaction ends, waiting at most
/// `timeout`: PostgreSQL's transaction-level advisory lock, or on MySQL a
/// `GET_LOCK` that the caller gives back with `release_after_transaction`
/// once it has committed or rolled back. SQLite's write transaction
/// already keeps every other writer out.
pub async fn lock_for_transaction(
    db: &mut Db,
    name: &LockName,
    timeout: Duration,
) -> Result<(), DbError> {
    match db.dialect() {
        Dialect::Mysql => acquire(db, name, timeout).await,
        Dialect::Postgres => {
            // Chunks wait here in turn: look again soon.
            let poll = Duration::from_millis(20);
            pg_try_until(db, name, timeout, "pg_try_advisory_xact_lock", poll).await
        }
        Dialect::Sqlite => Ok(()),
    }
}

/// Calls PostgreSQL's `try` advisory lock function `function` (session or
/// transaction level) every `poll` until it succeeds or `timeout` passes.
async fn pg_try_until(
    db: &mut Db,
    name: &LockName,
    timeout: Duration,
    function: &str,
    poll: Duration,
) -> Result<(), DbError> {
    let started = Instant::now();
    let obj = name.pg_obj_id();
    let sql = format!("SELECT {function}({PG_CLASS_ID}::int, {obj}::int)");
    loop {
        if db.scalar_i64(&sql).await? == Some(1) {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            return Err(DbError::LockTimeout {
                name: name.0.clone(),
                lock: format!("PostgreSQL advisory lock ({PG_CLASS_ID}, {obj})"),
                waited: started.elapsed(),
                holder: pg_holder(db, obj).await,
            });
        }
        tokio::time::sleep(poll).await;
    }
}

/// Gives back a `lock_for_transaction` lock after the transaction ended
/// (MySQL; the others let go at COMMIT or ROLLBACK themselves).
pub async fn release_after_transaction(db: &mut Db, name: &LockName) -> Result<(), DbError> {
    match db.dialect() {
        Dialect::Mysql => release(db, name).await,
        Dialect::Postgres | Dialect::Sqlite => Ok(()),
    }
}

async fn acquire(db: &mut Db, name: &LockName, timeout: Duration) -> Result<(), DbError> {
    let started = Instant::now();
    let timed_out = |lock: String, holder: Option<String>| DbError::LockTimeout {
        name: name.0.clone(),
        lock,
        waited: started.elapsed(),
        holder,
    };
    match db.dialect() {
        Dialect::Mysql => {
            let lock = name.mysql_name(db);
            let secs = timeout.as_secs_f64().ceil().max(0.0) as i64;
            let rows = db
                .fetch(
                    &format!("SELECT CAST(GET_LOCK(?, {secs}) AS SIGNED)"),
                    &[Param::Text(&lock)],
                )
                .await?;
            if rows.first().and_then(|r| get_i64(r, 0)) == Some(1) {
                return Ok(());
            }
            let holder = mysql_holder(db, &lock).await;
            Err(timed_out(format!("MySQL GET_LOCK('{lock}')"), holder))
        }
        Dialect::Postgres => {
            let poll = Duration::from_millis(200);
            pg_try_until(db, name, timeout, "pg_try_advisory_lock", poll).await
        }
        Dialect::Sqlite => {
            set_busy_timeout(db, timeout).await?;
            match db.execute_script("BEGIN IMMEDIATE").await {
                Ok(_) => Ok(()),
                Err(DbError::Query { source, .. })
                    if Dialect::Sqlite.is_busy_error(&source.to_string()) =>
                {
                    Err(timed_out(
                        "SQLite write lock".to_string(),
                        Some("another process writing to this SQLite file".to_string()),
                    ))
                }
                Err(e) => Err(e),
            }
        }
    }
}

/// How long SQLite waits for another writer before giving up.
pub async fn set_busy_timeout(db: &mut Db, timeout: Duration) -> Result<(), DbError> {
    let ms = timeout.as_millis().min(i32::MAX as u128);
    db.execute_script(&format!("PRAGMA busy_timeout = {ms}"))
        .await?;
    Ok(())
}

async fn release(db: &mut Db, name: &LockName) -> Result<(), DbError> {
    match db.dialect() {
        Dialect::Mysql => {
            let lock = name.mysql_name(db);
            db.fetch(
                "SELECT CAST(RELEASE_LOCK(?) AS SIGNED)",
                &[Param::Text(&lock)],
            )
            .await?;
        }
        Dialect::Postgres => {
            let obj = name.pg_obj_id();
            db.execute_script(&format!(
                "SELECT pg_advisory_unlock({PG_CLASS_ID}::int, {obj}::int)"
            ))
            .await?;
        }
        Dialect::Sqlite => {
            db.execute_script("COMMIT").await?;
        }
    }
    Ok(())
}

async fn mysql_holder(db: &mut Db, lock: &str) -> Option<String> {
    let rows = db
        .fetch(
            "SELECT CAST(p.ID AS SIGNED), p.USER, p.HOST, CAST(p.TIME AS SIGNED) \
             FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)",
            &[Param::Text(lock)],
        )
        .await
        .ok()?;
    let row = rows.first()?;
    Some(format!(
        "connection {} ({}@{}, {} s in its current state)",
        get_i64(row, 0)?,
        get_string(row, 1).unwrap_or_default(),
        get_string(row, 2).unwrap_or_default(),
        get_i64(row, 3).unwrap_or_default()
    ))
}

async fn pg_holder(db: &mut Db, obj: i64) -> Option<String> {
    let sql = format!(
        "SELECT a.pid::bigint, coalesce(a.usename::text, ''), coalesce(a.application_name::text, ''), \
                coalesce(host(a.client_addr), 'local socket'), \
                CAST(EXTRACT(EPOCH FROM now() - a.backend_start) AS bigint) \
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted \
           AND l.classid = {PG_CLASS_ID}::oid AND l.objid = {obj}::oid"
    );
    let rows = db.fetch(&sql, &[]).await.ok()?;
    let row = rows.first()?;
    Some(format!(
        "pid {} (user {}, application {}, from {}, connected {} s ago)",
        get_i64(row, 0)?,
        get_string(row, 1).unwrap_or_default(),
        get_string(row, 2).unwrap_or_default(),
        get_string(row, 3).unwrap_or_default(),
        get_i64(row, 4).unwrap_or_default()
    ))
}
