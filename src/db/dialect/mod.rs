//! The one place where MySQL/MariaDB, PostgreSQL and SQLite differ in small
//! ways: statement fragments (`fragments`), session settings and
//! transactions (`session`), the DDL of mendb's own tables (`ddl`) and what
//! an error means (`errors`), plus the capabilities that decide behaviour.
//! Callers ask the dialect; they never `match` on it.

mod ddl;
mod errors;
mod fragments;
mod session;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sql::Flavor;
pub use fragments::{Piece, UpdateHole};

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

    /// This dialect's one of three values written once per dialect (plan
    /// expressions and statements).
    pub fn pick<T>(self, mysql: T, postgres: T, sqlite: T) -> T {
        match self {
            Dialect::Mysql => mysql,
            Dialect::Postgres => postgres,
            Dialect::Sqlite => sqlite,
        }
    }

    /// Whether dates and times are stored as text (SQLite): they then
    /// compare and sort as spelled, not as the instants they spell.
    pub fn stores_times_as_text(self) -> bool {
        self == Dialect::Sqlite
    }

    /// Whether `SELECT DISTINCT k` and `MIN`/`MAX` grouped by `k` read one
    /// entry per `k` from an index led by `k` (MariaDB's loose index scan).
    /// Elsewhere they read every entry, and probing the index once per key
    /// is faster where the keys are few.
    pub fn skips_through_index_groups(self) -> bool {
        self == Dialect::Mysql
    }

    /// Whether a write transaction excludes every other writer (SQLite),
    /// so two writes never overlap.
    pub fn one_writer_at_a_time(self) -> bool {
        self == Dialect::Sqlite
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_takes_this_dialects_value() {
        assert_eq!(Dialect::ALL.map(|d| d.pick("m", "p", "s")), ["m", "p", "s"]);
    }

    #[test]
    fn only_sqlite_stores_times_as_text_and_has_one_writer() {
        assert_eq!(
            Dialect::ALL.map(Dialect::stores_times_as_text),
            [false, false, true]
        );
        assert_eq!(
            Dialect::ALL.map(Dialect::one_writer_at_a_time),
            [false, false, true]
        );
    }
}
