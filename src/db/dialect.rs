//! The one place where MySQL/MariaDB, PostgreSQL and SQLite differ in small
//! ways: quoting, transactions around DDL, session settings and the DDL of
//! mendb's own tables. Callers ask the dialect; they never `match` on it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sql::Flavor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Mysql,
    Postgres,
    Sqlite,
}

/// The kinds of value mendb binds or reads back as text: keys of a keyset
/// walk and plan parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    Int,
    Float,
    Text,
    Date,
    Timestamp,
}

impl ValueKind {
    /// The kind of a column from its introspected type name.
    pub fn of_column_type(data_type: &str) -> ValueKind {
        let t = data_type.to_ascii_lowercase();
        if t.contains("int") {
            ValueKind::Int
        } else if t.contains("double")
            || t.contains("real")
            || t.contains("float")
            || t.contains("numeric")
            || t.contains("decimal")
        {
            ValueKind::Float
        } else if t.starts_with("timestamp") || t.starts_with("datetime") {
            ValueKind::Timestamp
        } else if t == "date" {
            ValueKind::Date
        } else {
            ValueKind::Text
        }
    }
}

/// How a migration's statements are made atomic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStyle {
    /// `BEGIN` ... `COMMIT`: DDL is transactional (PostgreSQL).
    Transaction,
    /// A savepoint inside the run-wide write transaction that doubles as
    /// the lock (SQLite).
    Savepoint,
    /// Each statement commits on its own because DDL commits implicitly
    /// (MySQL/MariaDB); progress is logged statement by statement instead.
    Autocommit,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::Mysql, Dialect::Postgres, Dialect::Sqlite];

    /// Folder name under `migrations/`.
    pub fn dir_name(self) -> &'static str {
        match self {
            Dialect::Mysql => "mysql",
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The lexical rules its SQL files are split with.
    pub fn sql_flavor(self) -> Flavor {
        match self {
            Dialect::Mysql => Flavor::Mysql,
            Dialect::Postgres => Flavor::Postgres,
            Dialect::Sqlite => Flavor::Sqlite,
        }
    }

    pub fn tx_style(self) -> TxStyle {
        match self {
            Dialect::Mysql => TxStyle::Autocommit,
            Dialect::Postgres => TxStyle::Transaction,
            Dialect::Sqlite => TxStyle::Savepoint,
        }
    }

    /// Whether a failed migration can leave part of its work behind.
    pub fn can_be_left_dirty(self) -> bool {
        self.tx_style() == TxStyle::Autocommit
    }

    /// Statements that open, commit and undo one migration's changes.
    pub fn migration_tx(self) -> (&'static str, &'static str, &'static str) {
        match self.tx_style() {
            TxStyle::Transaction => ("BEGIN", "COMMIT", "ROLLBACK"),
            TxStyle::Savepoint => (
                "SAVEPOINT mendb_migration",
                "RELEASE SAVEPOINT mendb_migration",
                "ROLLBACK TO SAVEPOINT mendb_migration; RELEASE SAVEPOINT mendb_migration",
            ),
            TxStyle::Autocommit => ("", "", ""),
        }
    }

    /// Run on every new connection: UTC everywhere, so timestamps written by
    /// mendb mean the same thing on every server.
    pub fn session_setup(self) -> &'static str {
        match self {
            Dialect::Mysql => "SET time_zone = '+00:00'",
            Dialect::Postgres => "SET TIME ZONE 'UTC'; SET application_name = 'mendb'",
            Dialect::Sqlite => "",
        }
    }

    /// Run inside a migration's transaction before mendb writes its history
    /// row there: undoes, until the transaction ends, what the file may
    /// have done to the session (search_path, role, timeouts). `schema` is
    /// where mendb's tables are.
    pub fn bookkeeping_reset(self, schema: &str) -> String {
        match self {
            Dialect::Postgres => format!(
                "SET LOCAL search_path TO {}; SET LOCAL ROLE NONE; \
                 SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0",
                self.quote_ident(schema)
            ),
            Dialect::Mysql | Dialect::Sqlite => String::new(),
        }
    }

    /// Settings that make mendb's own connection behave as the native
    /// client while migration files run on it, and the ones to restore
    /// after (SQLite only: sqlx turns foreign keys on, the sqlite3 shell
    /// and the library default leave them off).
    pub fn shared_session_settings(self) -> (&'static str, &'static str) {
        match self {
            Dialect::Sqlite => ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"),
            Dialect::Mysql | Dialect::Postgres => ("", ""),
        }
    }

    /// The id this connection's last INSERT gave its row (PostgreSQL uses
    /// RETURNING instead).
    pub fn last_insert_id_query(self) -> &'static str {
        match self {
            Dialect::Mysql => "SELECT CAST(LAST_INSERT_ID() AS SIGNED)",
            Dialect::Postgres => "SELECT CAST(lastval() AS BIGINT)",
            Dialect::Sqlite => "SELECT last_insert_rowid()",
        }
    }

    /// The schema unqualified names resolve to (PostgreSQL), for mendb's
    /// own tables.
    pub fn current_schema_query(self) -> Option<&'static str> {
        match self {
            Dialect::Postgres => Some("SELECT CAST(current_schema() AS TEXT)"),
            Dialect::Mysql | Dialect::Sqlite => None,
        }
    }

    pub fn quote_ident(self, ident: &str) -> String {
        match self {
            Dialect::Mysql => format!("`{}`", ident.replace('`', "``")),
            Dialect::Postgres | Dialect::Sqlite => format!("\"{}\"", ident.replace('"', "\"\"")),
        }
    }

    /// Placeholder for the n-th (1-based) bound parameter.
    pub fn param(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("${n}"),
            Dialect::Mysql | Dialect::Sqlite => "?".to_string(),
        }
    }

    /// A bound parameter carrying `kind` as text, cast so the server
    /// compares it as that type (PostgreSQL will not compare a timestamp
    /// with text; SQLite stores dates and times as text already).
    pub fn cast_param(self, placeholder: &str, kind: ValueKind) -> String {
        let ty = match (self, kind) {
            (_, ValueKind::Text) => return placeholder.to_string(),
            (Dialect::Sqlite, ValueKind::Date | ValueKind::Timestamp) => {
                return placeholder.to_string();
            }
            (Dialect::Mysql, ValueKind::Int) => "SIGNED",
            (Dialect::Mysql, ValueKind::Float) => "DOUBLE",
            (Dialect::Mysql, ValueKind::Date) => "DATE",
            (Dialect::Mysql, ValueKind::Timestamp) => "DATETIME",
            (Dialect::Postgres, ValueKind::Int) => "BIGINT",
            (Dialect::Postgres, ValueKind::Float) => "DOUBLE PRECISION",
            (Dialect::Postgres, ValueKind::Date) => "DATE",
            (Dialect::Postgres, ValueKind::Timestamp) => "TIMESTAMP",
            (Dialect::Sqlite, ValueKind::Int) => "INTEGER",
            (Dialect::Sqlite, ValueKind::Float) => "REAL",
        };
        format!("CAST({placeholder} AS {ty})")
    }

    /// An expression read back as text, whatever its type (the `Any`
    /// driver cannot decode dates, times or decimals).
    pub fn as_text(self, expr: &str) -> String {
        match self {
            Dialect::Mysql => format!("CAST({expr} AS CHAR)"),
            Dialect::Postgres => format!("CAST({expr} AS TEXT)"),
            Dialect::Sqlite => format!("CAST({expr} AS TEXT)"),
        }
    }

    /// A binary column as hexadecimal text.
    pub fn hex(self, expr: &str) -> String {
        match self {
            Dialect::Mysql | Dialect::Sqlite => format!("HEX({expr})"),
            Dialect::Postgres => format!("encode({expr}, 'hex')"),
        }
    }

    /// The current UTC time as text, evaluated by the server.
    pub fn now_text(self) -> &'static str {
        match self {
            Dialect::Mysql => "DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ')",
            Dialect::Postgres => {
                "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
            }
            Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        }
    }

    /// Column type of an auto-numbered primary key, for mendb's own tables.
    fn id_column(self) -> &'static str {
        match self {
            Dialect::Mysql => "BIGINT AUTO_INCREMENT PRIMARY KEY",
            Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
            Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        }
    }

    /// Column type for text of any length (statements, errors, cursors).
    fn long_text(self) -> &'static str {
        match self {
            Dialect::Mysql => "LONGTEXT",
            Dialect::Postgres | Dialect::Sqlite => "TEXT",
        }
    }

    /// DDL of the per-migration log that records started / finished /
    /// statements done, so a half-applied MySQL migration is detectable.
    pub fn migration_log_ddl(self) -> String {
        let (id, text) = (self.id_column(), self.long_text());
        format!(
            "CREATE TABLE IF NOT EXISTS mendb_migration_log (
                id {id},
                version INTEGER NOT NULL,
                name VARCHAR(255) NOT NULL,
                direction VARCHAR(8) NOT NULL,
                status VARCHAR(16) NOT NULL,
                checksum VARCHAR(32) NOT NULL,
                started_at VARCHAR(40) NOT NULL,
                finished_at VARCHAR(40) NULL,
                statements_total INTEGER NOT NULL,
                statements_done INTEGER NOT NULL,
                done_digest VARCHAR(32) NULL,
                failed_line INTEGER NULL,
                failed_statement {text} NULL,
                error {text} NULL,
                statement_started INTEGER NULL,
                started_digest VARCHAR(32) NULL,
                session_id BIGINT NULL,
                statement_by_statement INTEGER NULL,
                note {text} NULL
            )"
        )
    }

    /// DDL of the backfill state: runs, each step's cursor, and a log of
    /// chunks (whose order shows what was written first).
    pub fn backfill_state_ddl(self) -> Vec<(&'static str, String)> {
        let (id, text) = (self.id_column(), self.long_text());
        vec![
            (
                "mendb_backfill_runs",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_runs (
                    id {id},
                    plan VARCHAR(128) NOT NULL,
                    checksum VARCHAR(32) NOT NULL,
                    params {text} NOT NULL,
                    status VARCHAR(16) NOT NULL,
                    started_at VARCHAR(40) NOT NULL,
                    finished_at VARCHAR(40) NULL,
                    rows_written BIGINT NOT NULL DEFAULT 0,
                    last_error {text} NULL
                )"
                ),
            ),
            (
                "mendb_backfill_steps",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_steps (
                    run_id BIGINT NOT NULL,
                    step_index INTEGER NOT NULL,
                    step_name VARCHAR(128) NOT NULL,
                    cursor_key {text} NULL,
                    rows_written BIGINT NOT NULL DEFAULT 0,
                    chunks BIGINT NOT NULL DEFAULT 0,
                    done INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (run_id, step_index)
                )"
                ),
            ),
            // A chunk handed to a worker and not finished yet. The worker
            // holds the row's lock while it writes the chunk; a lease whose
            // row is unlocked and whose owner is gone (or whose time ran
            // out) is taken over by another worker.
            (
                "mendb_backfill_leases",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_leases (
                    run_id BIGINT NOT NULL,
                    step_index INTEGER NOT NULL,
                    chunk_no BIGINT NOT NULL,
                    key_from {text} NULL,
                    key_to {text} NULL,
                    owner VARCHAR(200) NOT NULL,
                    owner_session BIGINT NULL,
                    expires_at BIGINT NOT NULL,
                    PRIMARY KEY (run_id, step_index, chunk_no)
                )"
                ),
            ),
            (
                "mendb_backfill_chunks",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_chunks (
                    id {id},
                    run_id BIGINT NOT NULL,
                    step_index INTEGER NOT NULL,
                    chunk_no BIGINT NOT NULL,
                    key_from {text} NULL,
                    key_to {text} NULL,
                    rows_written BIGINT NOT NULL,
                    elapsed_ms BIGINT NOT NULL,
                    finished_at VARCHAR(40) NOT NULL
                )"
                ),
            ),
        ]
    }

    /// The database's clock in whole seconds since 1970: lease expiry uses
    /// it, so workers on machines with different clocks agree.
    pub fn epoch_now(self) -> &'static str {
        match self {
            Dialect::Mysql => "UNIX_TIMESTAMP()",
            Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)",
            Dialect::Sqlite => "CAST(strftime('%s', 'now') AS INTEGER)",
        }
    }

    /// This connection's id on the server (NULL on SQLite, where the
    /// process id stands in).
    pub fn session_id(self) -> &'static str {
        match self {
            Dialect::Mysql => "CONNECTION_ID()",
            Dialect::Postgres => "pg_backend_pid()",
            Dialect::Sqlite => "NULL",
        }
    }

    /// Counts the server sessions with the id bound as the first
    /// parameter; None on SQLite.
    pub fn session_alive_query(self) -> Option<&'static str> {
        match self {
            Dialect::Mysql => {
                Some("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?")
            }
            Dialect::Postgres => Some("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1"),
            Dialect::Sqlite => None,
        }
    }

    /// Appended to a SELECT that locks the rows it reads until the
    /// transaction ends; SQLite's write transaction already excludes
    /// every other writer.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Mysql | Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        }
    }

    /// Like `for_update`, passing over rows another transaction holds
    /// (MariaDB 10.6+, MySQL 8.0+, PostgreSQL 9.5+).
    pub fn for_update_skip_locked(self) -> &'static str {
        match self {
            Dialect::Mysql | Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        }
    }

    /// Statements, run one at a time, after which this session cannot
    /// write until `read_only_end`. MySQL's read-only transaction alone
    /// does not stop DDL, which commits it implicitly and then runs; the
    /// session default does, for every transaction after it. PostgreSQL
    /// gets the session default too, so a `COMMIT` cannot leave a writable
    /// transaction behind.
    pub fn read_only_begin(self) -> &'static [&'static str] {
        match self {
            Dialect::Mysql => &[
                "SET SESSION TRANSACTION READ ONLY",
                "START TRANSACTION READ ONLY",
            ],
            Dialect::Postgres => &[
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
                "BEGIN READ ONLY",
            ],
            Dialect::Sqlite => &["PRAGMA query_only = ON"],
        }
    }

    /// Undoes `read_only_begin`: nothing was written, so the transaction
    /// is rolled back.
    pub fn read_only_end(self) -> &'static [&'static str] {
        match self {
            Dialect::Mysql => &["ROLLBACK", "SET SESSION TRANSACTION READ WRITE"],
            Dialect::Postgres => &[
                "ROLLBACK",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
            ],
            Dialect::Sqlite => &["PRAGMA query_only = OFF"],
        }
    }

    /// Opens a transaction that writes; SQLite takes its write lock at
    /// once, so concurrent runners queue instead of failing mid-chunk.
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Mysql | Dialect::Postgres => "BEGIN",
        }
    }

    /// Whether an error is worth retrying: lost connections, deadlocks,
    /// lock wait timeouts, serialization failures, a busy SQLite file.
    pub fn is_transient(self, code: Option<&str>, message: &str) -> bool {
        match self {
            // 1467: InnoDB's wait for the table's AUTO-INC lock timed out.
            Dialect::Mysql => matches!(
                code,
                Some("1205" | "1213" | "1467" | "2006" | "2013" | "1317")
            ),
            Dialect::Postgres => {
                matches!(code, Some("40001" | "40P01" | "55P03" | "57P01" | "57014"))
            }
            Dialect::Sqlite => self.is_busy_error(message),
        }
    }

    /// Whether an error means the chunk took too long (shrink and retry).
    pub fn is_timeout(self, code: Option<&str>) -> bool {
        match self {
            Dialect::Mysql => matches!(code, Some("1205" | "3024")),
            Dialect::Postgres => matches!(code, Some("57014" | "55P03")),
            Dialect::Sqlite => false,
        }
    }

    /// Whether a database error means another writer holds the database.
    pub fn is_busy_error(self, message: &str) -> bool {
        match self {
            Dialect::Sqlite => message.contains("database is locked") || message.contains("busy"),
            Dialect::Mysql | Dialect::Postgres => false,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Mysql => "MySQL/MariaDB",
            Dialect::Postgres => "PostgreSQL",
            Dialect::Sqlite => "SQLite",
        })
    }
}
