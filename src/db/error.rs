//! The error every database call returns, and what it means to a caller:
//! the exit code it ends a command with, and whether retrying may help.

use std::time::Duration;

use crate::exit;

use super::Dialect;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("{url} did not accept connections within {:.1} s; last error: {reason}", waited.as_secs_f64())]
    WaitTimedOut {
        url: String,
        waited: Duration,
        reason: String,
    },
    #[error("{context}: {source}")]
    Query {
        context: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "timed out after {:.1} s waiting for the `{name}` lock ({lock}){}",
        waited.as_secs_f64(),
        holder.as_ref().map(|h| format!("; held by {h}")).unwrap_or_default()
    )]
    LockTimeout {
        name: String,
        /// How the database knows the lock, for an operator to look it up.
        lock: String,
        waited: Duration,
        holder: Option<String>,
    },
    #[error("interrupted while waiting for {what}")]
    Interrupted { what: String },
    /// Someone else changed what this work was based on.
    #[error("{0}")]
    Conflict(String),
    /// Asked of a database that cannot answer it.
    #[error("{0}")]
    Unsupported(String),
}

impl DbError {
    /// The process exit code this error ends a command with
    /// (docs/exit-codes.md), the same whichever command met it.
    pub fn exit_code(&self) -> i32 {
        match self {
            DbError::InvalidUrl { .. } | DbError::Unsupported(_) => exit::USAGE,
            DbError::Connect { .. } | DbError::WaitTimedOut { .. } => exit::UNREACHABLE,
            DbError::LockTimeout { .. } => exit::LOCK_TIMEOUT,
            DbError::Interrupted { .. } => exit::INTERRUPTED,
            DbError::Query { .. } => exit::INTERNAL,
            DbError::Conflict(_) => exit::WRONG_STATE,
        }
    }

    /// Whether retrying the same work may succeed (see Dialect::is_transient).
    pub fn is_transient(&self, dialect: Dialect) -> bool {
        match self {
            DbError::Query { source, .. } => match source {
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Protocol(_) => true,
                sqlx::Error::Database(db) => {
                    dialect.is_transient(error_code(db.as_ref()).as_deref(), db.message())
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether the statement ran out of time (the chunk should shrink).
    pub fn is_timeout(&self, dialect: Dialect) -> bool {
        match self {
            DbError::Query {
                source: sqlx::Error::Database(db),
                ..
            } => dialect.is_timeout(error_code(db.as_ref()).as_deref()),
            _ => false,
        }
    }

    /// Whether a statement failed on a duplicate key of a unique index.
    pub fn is_unique_violation(&self, dialect: Dialect) -> bool {
        match self {
            DbError::Query {
                source: sqlx::Error::Database(db),
                ..
            } => dialect.is_unique_violation(error_code(db.as_ref()).as_deref(), db.message()),
            _ => false,
        }
    }

    /// Whether the connection itself is gone and must be replaced.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            DbError::Query { source, .. } => match source {
                sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
                sqlx::Error::Database(db) => {
                    matches!(
                        error_code(db.as_ref()).as_deref(),
                        Some("2006" | "2013" | "57P01")
                    )
                }
                _ => false,
            },
            _ => false,
        }
    }

    pub fn query(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> DbError {
        let context = context.into();
        move |source| DbError::Query { context, source }
    }
}

/// The code that tells errors apart: MySQL's error number (its SQLSTATE
/// lumps lock wait timeouts in with everything else as HY000), the
/// SQLSTATE elsewhere.
pub(super) fn error_code(e: &dyn sqlx::error::DatabaseError) -> Option<String> {
    match e.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        Some(my) => Some(my.number().to_string()),
        None => e.code().map(|c| c.into_owned()),
    }
}
