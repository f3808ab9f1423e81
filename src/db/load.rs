//! A MariaDB/MySQL server's load, as a backfill throttle reads it: how many
//! threads are running, and how far a replica is behind its primary; and
//! the lock that makes concurrent inserts into one table wait for each
//! other. Reads status and settings only; never changes anything.

use std::time::Duration;

use sqlx::Column;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, DbError, Dialect, Param, get_i64, get_string};

/// What a replica says about its lag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaLag {
    Behind(Duration),
    /// Replication is configured but not running: the lag is unknown and
    /// grows while it stays so.
    Stopped,
    /// The server replicates from nobody.
    NotAReplica,
}

fn mysql_only(db: &Db, what: &str) -> Result<(), DbError> {
    match db.dialect() {
        Dialect::Mysql => Ok(()),
        other => Err(DbError::Unsupported(format!(
            "{what} is a MariaDB/MySQL status; {} has none",
            other.dir_name()
        ))),
    }
}

/// InnoDB's table-level AUTO-INC lock: below `innodb_autoinc_lock_mode` 2
/// (interleaved), an `INSERT ... SELECT` into a table with an
/// AUTO_INCREMENT column holds it until the statement ends, whether or not
/// it gives the ids itself, so such inserts into the table run one at a
/// time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoIncLock {
    pub table: String,
    pub column: String,
    pub mode: i64,
}

/// The AUTO-INC lock concurrent `INSERT ... SELECT`s into `table` (of the
/// connection's database) would wait on, if any; None on other databases,
/// on other engines and in interleaved mode.
pub async fn auto_inc_lock(db: &mut Db, table: &str) -> Result<Option<AutoIncLock>, DbError> {
    if db.dialect() != Dialect::Mysql {
        return Ok(None);
    }
    let sql = "SELECT c.COLUMN_NAME, @@innodb_autoinc_lock_mode \
               FROM information_schema.COLUMNS c JOIN information_schema.TABLES t \
               ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME \
               WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ? \
               AND t.ENGINE = 'InnoDB' AND c.EXTRA LIKE '%auto_increment%'";
    let rows = db.fetch(sql, &[Param::Text(table)]).await?;
    Ok(rows.first().and_then(|r| {
        let mode = get_i64(r, 1)?;
        (mode < 2).then(|| AutoIncLock {
            table: table.to_string(),
            column: get_string(r, 0).unwrap_or_default(),
            mode,
        })
    }))
}

/// `Threads_running`: statements executing now, this one included.
pub async fn threads_running(db: &mut Db) -> Result<u64, DbError> {
    mysql_only(db, "Threads_running")?;
    let rows = db
        .fetch("SHOW GLOBAL STATUS LIKE 'Threads_running'", &[])
        .await?;
    Ok(rows
        .first()
        .and_then(|r| get_i64(r, 1))
        .map_or(0, |n| n.max(0) as u64))
}

/// The replica's lag: `Seconds_Behind_Master` (MariaDB) or
/// `Seconds_Behind_Source` (MySQL 8) of its default connection.
pub async fn replica_lag(db: &mut Db) -> Result<ReplicaLag, DbError> {
    mysql_only(db, "replica lag")?;
    // SHOW REPLICA STATUS: MariaDB 10.5 and MySQL 8.0.22 on; older
    // servers know only the SLAVE spelling.
    let rows = match db.fetch("SHOW REPLICA STATUS", &[]).await {
        Ok(rows) => rows,
        Err(_) => db.fetch("SHOW SLAVE STATUS", &[]).await?,
    };
    let Some(row) = rows.first() else {
        return Ok(ReplicaLag::NotAReplica);
    };
    let seconds = ["Seconds_Behind_Master", "Seconds_Behind_Source"]
        .iter()
        .find_map(|name| column(row, name))
        .and_then(|i| get_i64(row, i).or_else(|| get_string(row, i)?.trim().parse().ok()));
    Ok(match seconds {
        Some(s) => ReplicaLag::Behind(Duration::from_secs(s.max(0) as u64)),
        None => ReplicaLag::Stopped,
    })
}

fn column(row: &AnyRow, name: &str) -> Option<usize> {
    row.columns()
        .iter()
        .position(|c| c.name().eq_ignore_ascii_case(name))
}
