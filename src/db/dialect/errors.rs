//! What a database error means for a retry: transient, a timeout, a busy
//! SQLite file. Reads codes and messages only; retrying is the caller's.

use super::Dialect;

impl Dialect {
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

    /// Whether an error is a duplicate key in a unique index.
    pub fn is_unique_violation(self, code: Option<&str>, message: &str) -> bool {
        match self {
            Dialect::Mysql => code == Some("1062"),
            Dialect::Postgres => code == Some("23505"),
            // SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY.
            Dialect::Sqlite => {
                matches!(code, Some("2067" | "1555"))
                    || message.starts_with("UNIQUE constraint failed")
            }
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
