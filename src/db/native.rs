//! The session a database's own client gets, for running user SQL as
//! `mariadb < file` or `psql -f file` would. sqlx sets up its connections
//! for itself (MySQL: `PIPES_AS_CONCAT` added to sql_mode, `time_zone
//! '+00:00'`; PostgreSQL: `TimeZone=UTC`, `DateStyle`, `extra_float_digits`
//! in the startup packet); these resets undo that for one connection.

use std::collections::HashMap;

use super::{Db, DbError, Dialect, Param, get_string};

/// PostgreSQL settings that sqlx's startup packet sets and that change how
/// SQL text is read or what it stores (time zone of timestamptz constants,
/// date order, float text).
const PG_CLIENT_SET: [&str; 4] = [
    "TimeZone",
    "DateStyle",
    "IntervalStyle",
    "extra_float_digits",
];

pub(super) async fn reset_session(db: &mut Db) -> Result<(), DbError> {
    match db.dialect() {
        // mendb reads files as UTF-8, so they are sent as utf8mb4, as
        // `mariadb --default-character-set=utf8mb4` does; the collation is
        // the server's own where it is a utf8mb4 one.
        Dialect::Mysql => db
            .execute_script(
                "SET SESSION sql_mode = @@GLOBAL.sql_mode, time_zone = @@GLOBAL.time_zone; \
                 SET NAMES utf8mb4; \
                 SET SESSION collation_connection = IF(@@GLOBAL.collation_connection LIKE 'utf8mb4\\_%', \
                     @@GLOBAL.collation_connection, @@SESSION.collation_connection)",
            )
            .await
            .map(|_| ()),
        Dialect::Postgres => reset_postgres(db).await,
        Dialect::Sqlite => Ok(()),
    }
}

/// What a client that sends no settings gets, in the server's order of
/// precedence: the role's and database's settings, then postgresql.conf
/// (readable by superusers and pg_read_all_settings), then the built-in
/// default.
async fn reset_postgres(db: &mut Db) -> Result<(), DbError> {
    let names = PG_CLIENT_SET
        .iter()
        .map(|n| format!("'{}'", n.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    // Not readable by every role; then the built-in default stands in.
    let file: HashMap<String, String> = match db
        .fetch(
            &format!(
                "SELECT name, setting FROM pg_file_settings \
                 WHERE applied AND error IS NULL AND lower(name) IN ({names}) ORDER BY seqno"
            ),
            &[],
        )
        .await
    {
        // The file spells names as it likes; settings are case-insensitive.
        Ok(rows) => rows
            .iter()
            .filter_map(|r| Some((get_string(r, 0)?.to_lowercase(), get_string(r, 1)?)))
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "pg_file_settings not readable; using built-in defaults where no role or database setting applies");
            HashMap::new()
        }
    };
    let rows = db
        .fetch(
            &format!(
                "SELECT s.name, \
                        (SELECT substr(c, length(s.name) + 2) \
                           FROM pg_db_role_setting r, unnest(r.setconfig) c \
                          WHERE r.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database())) \
                            AND r.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user)) \
                            AND lower(c) LIKE lower(s.name) || '=%' \
                          ORDER BY (r.setdatabase <> 0 AND r.setrole <> 0) DESC, (r.setrole <> 0) DESC \
                          LIMIT 1), \
                        s.boot_val \
                   FROM pg_settings s WHERE lower(s.name) IN ({names})"
            ),
            &[],
        )
        .await?;
    for r in &rows {
        let Some(name) = get_string(r, 0) else {
            continue;
        };
        let value = get_string(r, 1)
            .or_else(|| file.get(&name.to_lowercase()).cloned())
            .or_else(|| get_string(r, 2))
            .unwrap_or_default();
        db.execute(
            "SELECT CAST(set_config($1, $2, false) AS TEXT)",
            &[Param::Text(&name), Param::Text(&value)],
        )
        .await?;
    }
    Ok(())
}

impl Db {
    /// Whether this session has a transaction open, by the first of the
    /// dialect's questions the server can answer. A lost connection is an
    /// error, not an answer.
    pub async fn in_transaction(&mut self) -> Result<bool, DbError> {
        let mut last = None;
        for query in self.dialect().open_transaction_queries() {
            match self.scalar_i64(query).await {
                Ok(n) => return Ok(n.unwrap_or_default() > 0),
                Err(e) if e.is_connection_lost() => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        last.map_or(Ok(false), Err)
    }
}
