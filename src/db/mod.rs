//! Database access: URLs, connecting (and waiting for a database that is
//! still starting), the dialect's answers to small questions, locks and
//! schema introspection. Owns every piece of SQL that differs between MySQL,
//! PostgreSQL and SQLite; knows nothing about migrations or plans.

mod dialect;
pub mod ident;
pub mod introspect;
pub mod load;
pub mod lock;
mod native;
pub mod scratch;
mod url;

use std::time::{Duration, Instant};

use sqlx::any::{AnyConnectOptions, AnyRow};
use sqlx::{AnyConnection, AssertSqlSafe, ConnectOptions, Connection, Executor};

mod error;
mod row;

pub use dialect::{Dialect, Piece, TxStyle, UpdateHole, ValueKind};
pub use error::DbError;
use row::bind;
pub use row::{Param, RowCount, get_i64, get_string};
pub use url::{DbUrl, redact};

/// One dedicated connection and what it is connected to.
pub struct Db {
    conn: AnyConnection,
    url: DbUrl,
}

impl Db {
    /// Connects once; `wait` > 0 retries with backoff until the database
    /// answers (an init container usually starts before its database).
    pub async fn connect(url: &DbUrl, wait: Duration) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions = url
            .connect_str()
            .parse::<AnyConnectOptions>()
            .map_err(|e| DbError::InvalidUrl {
                url: url.to_string(),
                reason: scrub(&e.to_string(), url),
            })?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(5));
        let started = Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            match options.connect().await {
                Ok(conn) => {
                    let mut db = Db {
                        conn,
                        url: url.clone(),
                    };
                    db.execute_script(db.dialect().session_setup()).await?;
                    tracing::debug!(url = %url, "connected");
                    return Ok(db);
                }
                Err(e) if matches!(e, sqlx::Error::Configuration(_)) => {
                    return Err(DbError::InvalidUrl {
                        url: url.to_string(),
                        reason: scrub(&e.to_string(), url),
                    });
                }
                Err(e) => {
                    let reason = scrub(&connect_reason(&e), url);
                    let remaining = wait.saturating_sub(started.elapsed());
                    if remaining.is_zero() {
                        return Err(if wait.is_zero() {
                            DbError::Connect {
                                url: url.to_string(),
                                reason,
                            }
                        } else {
                            DbError::WaitTimedOut {
                                url: url.to_string(),
                                waited: started.elapsed(),
                                reason,
                            }
                        });
                    }
                    // The last try happens at the deadline, not a back-off step before it.
                    let pause = delay.min(remaining);
                    tracing::info!(url = %url, error = %reason, "database not ready; retrying in {pause:?}");
                    tokio::time::sleep(pause).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.url.dialect()
    }

    /// A second connection to the same database whose session is what the
    /// dialect's own client would get (`mariadb`, `psql`): the server's
    /// sql_mode, time zone and collation, none of mendb's settings. User
    /// SQL (migration files) runs there, so a file means what it means
    /// under the native client, and nothing it does to its session reaches
    /// mendb's bookkeeping. None on SQLite, whose single writer must stay
    /// one connection.
    pub async fn native_session(&self) -> Result<Option<Db>, DbError> {
        if self.dialect() == Dialect::Sqlite {
            return Ok(None);
        }
        let mut db = Db::connect(&self.url, Duration::ZERO).await?;
        native::reset_session(&mut db).await?;
        Ok(Some(db))
    }

    /// Replaces a connection that was lost, waiting up to `wait` for the
    /// database to come back.
    pub async fn reconnect(&mut self, wait: Duration) -> Result<(), DbError> {
        let fresh = Db::connect(&self.url, wait).await?;
        let old = std::mem::replace(self, fresh);
        let _ = old.conn.close_hard().await;
        Ok(())
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// Runs SQL that binds nothing; several statements are allowed.
    pub async fn execute_script(&mut self, sql: &str) -> Result<u64, DbError> {
        if sql.trim().is_empty() {
            return Ok(0);
        }
        let result = self
            .conn
            .execute(sqlx::raw_sql(AssertSqlSafe(sql.to_string())))
            .await
            .map_err(DbError::query(format!("running `{}`", abbreviate(sql))))?;
        Ok(result.rows_affected())
    }

    /// Runs one statement with bound parameters and returns rows affected.
    pub async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        let result = bind(sql, params)
            .execute(&mut self.conn)
            .await
            .map_err(DbError::query(format!("running `{}`", abbreviate(sql))))?;
        Ok(result.rows_affected())
    }

    /// Runs one INSERT of a single row into a table whose key `id` the
    /// database numbers, and returns the number it gave that row: never a
    /// MAX(id) read afterwards, which another writer's row can overtake.
    pub async fn insert_returning_id(
        &mut self,
        insert: &str,
        params: &[Param<'_>],
    ) -> Result<i64, DbError> {
        let context = || format!("running `{}`", abbreviate(insert));
        if self.dialect() == Dialect::Postgres {
            let sql = format!("{insert} RETURNING id");
            let rows = self.fetch(&sql, params).await?;
            return rows
                .first()
                .and_then(|r| get_i64(r, 0))
                .ok_or_else(|| DbError::Conflict(format!("{}: no id returned", context())));
        }
        let result = bind(insert, params)
            .execute(&mut self.conn)
            .await
            .map_err(DbError::query(context()))?;
        if let Some(id) = result.last_insert_id() {
            return Ok(id);
        }
        // Not every driver carries it back; the connection still knows.
        let asked = self.dialect().last_insert_id_query();
        self.scalar_i64(asked)
            .await?
            .ok_or_else(|| DbError::Conflict(format!("{}: no id returned", context())))
    }

    /// Runs `work` on a session that cannot write (Dialect::read_only_begin),
    /// and makes the session writable again whatever `work` returns.
    pub async fn read_only<T, E>(
        &mut self,
        work: impl AsyncFnOnce(&mut Db) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut begun = Ok(());
        for sql in self.dialect().read_only_begin() {
            begun = self.execute_script(sql).await.map(|_| ());
            if begun.is_err() {
                break;
            }
        }
        let result = match begun {
            Ok(()) => work(self).await,
            Err(e) => Err(e.into()),
        };
        let mut ended = Ok(());
        // Every statement is tried: a failed ROLLBACK must not leave the
        // session read-only for the writes that follow.
        for sql in self.dialect().read_only_end() {
            if let Err(e) = self.execute_script(sql).await {
                ended = ended.and(Err(e));
            }
        }
        let value = result?;
        ended?;
        Ok(value)
    }

    /// Has the database compile `sql` without running it: names and types
    /// are checked, nothing is read or written.
    pub async fn prepare(&mut self, sql: &str) -> Result<(), DbError> {
        use sqlx::SqlSafeStr;
        // The driver caches prepared statements by text, and this one is
        // prepared without parameter types: PostgreSQL would guess int4 for
        // a placeholder beside an INTEGER column, and a later run of the
        // same text binding an int8 would fail. A marked text keeps the two
        // apart.
        let marked = format!("/* mendb: compile only */ {sql}");
        (&mut self.conn)
            .prepare(AssertSqlSafe(marked).into_sql_str())
            .await
            .map(|_| ())
            .map_err(DbError::query(format!("compiling `{}`", abbreviate(sql))))
    }

    /// How many rows `select` returns: the planner's estimate where the
    /// database gives one cheaply (MySQL, PostgreSQL), else an exact count.
    /// Progress needs a total, not a second scan of a large table.
    pub async fn rows_in(
        &mut self,
        select: &str,
        params: &[Param<'_>],
    ) -> Result<RowCount, DbError> {
        let explain = format!("EXPLAIN {select}");
        let estimate = match self.dialect() {
            // One row per table; `rows` is the tenth column.
            Dialect::Mysql => self
                .fetch(&explain, params)
                .await?
                .first()
                .and_then(|r| get_i64(r, 8)),
            // The top plan node: "... (cost=0.00..1.10 rows=10 width=4)".
            Dialect::Postgres => self
                .fetch(&explain, params)
                .await?
                .first()
                .and_then(|r| get_string(r, 0))
                .and_then(|line| {
                    let at = line.find(" rows=")? + " rows=".len();
                    let digits: String = line[at..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    digits.parse().ok()
                }),
            Dialect::Sqlite => None,
        };
        if let Some(n) = estimate {
            return Ok(RowCount::Estimate(n.max(0) as u64));
        }
        let count = format!("SELECT COUNT(*) FROM ({select}) mendb_count");
        let n = self
            .fetch(&count, params)
            .await?
            .first()
            .and_then(|r| get_i64(r, 0))
            .unwrap_or(0);
        Ok(RowCount::Exact(n.max(0) as u64))
    }

    /// Runs one statement with bound parameters and returns its rows.
    pub async fn fetch(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<AnyRow>, DbError> {
        bind(sql, params)
            .fetch_all(&mut self.conn)
            .await
            .map_err(DbError::query(format!("running `{}`", abbreviate(sql))))
    }

    /// The schema mendb's unqualified names resolve to, where the dialect
    /// has schemas inside a database.
    pub async fn current_schema(&mut self) -> Result<Option<String>, DbError> {
        let Some(sql) = self.dialect().current_schema_query() else {
            return Ok(None);
        };
        let rows = self.fetch(sql, &[]).await?;
        Ok(rows.first().and_then(|r| get_string(r, 0)))
    }

    /// A single integer from the first column of the first row, if any.
    pub async fn scalar_i64(&mut self, sql: &str) -> Result<Option<i64>, DbError> {
        let rows = self.fetch(sql, &[]).await?;
        match rows.first() {
            None => Ok(None),
            Some(row) => Ok(get_i64(row, 0)),
        }
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

fn connect_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        // SQLite's words for a file that a read-only command won't create.
        sqlx::Error::Database(db) if db.message().contains("unable to open database file") => {
            "no such database file (or it cannot be opened)".to_string()
        }
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

/// Drivers sometimes echo the URL back in errors; make sure the password
/// does not travel with it.
fn scrub(message: &str, url: &DbUrl) -> String {
    match ::url::Url::parse(url.connect_str()) {
        Ok(u) if u.password().is_some_and(|p| !p.is_empty()) => {
            message.replace(u.password().unwrap_or_default(), "***")
        }
        _ => message.to_string(),
    }
}

/// First line of a statement, shortened, for error messages.
pub fn abbreviate(sql: &str) -> String {
    let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}...", one_line.chars().take(77).collect::<String>())
    } else {
        one_line
    }
}
