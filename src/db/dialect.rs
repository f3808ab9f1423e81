//! The one place where MySQL/MariaDB, PostgreSQL and SQLite differ in small
//! ways: quoting, transactions around DDL, session settings and the DDL of
//! mendb's own tables. Callers ask the dialect; they never `match` on it.

use std::fmt;

use serde::Serialize;

use crate::sql::Flavor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Mysql,
    Postgres,
    Sqlite,
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
            Dialect::Postgres | Dialect::Sqlite => Flavor::Standard,
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

    /// DDL of the per-migration log that records started / finished /
    /// statements done, so a half-applied MySQL migration is detectable.
    pub fn migration_log_ddl(self) -> String {
        let id = match self {
            Dialect::Mysql => "BIGINT AUTO_INCREMENT PRIMARY KEY",
            Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
            Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        let text = match self {
            Dialect::Mysql => "LONGTEXT",
            Dialect::Postgres | Dialect::Sqlite => "TEXT",
        };
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
                error {text} NULL
            )"
        )
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
