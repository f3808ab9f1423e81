//! Per-connection SQL: session settings, transactions around migrations
//! and read-only work, row locks, and who the session is on the server.
//! Only the statements: running them is `Db`'s.

use super::{Dialect, TxStyle};

impl Dialect {
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

    /// How a session asks whether it is inside a transaction, best first:
    /// MariaDB's `@@in_transaction`, else InnoDB's list of open
    /// transactions. Only autocommit dialects are asked
    /// (`TxStyle::Autocommit`); the others answer with no query.
    pub fn open_transaction_queries(self) -> &'static [&'static str] {
        match self {
            Dialect::Mysql => &[
                "SELECT @@in_transaction",
                "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID()",
            ],
            Dialect::Postgres | Dialect::Sqlite => &[],
        }
    }
}
