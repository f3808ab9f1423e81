//! Gap detection: which fixed-width time buckets have no row, per key, in a
//! window, reported as ranges. Computed set-based on the server (window
//! functions over distinct buckets); no rows travel through mendb. Reads
//! only.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::{Db, DbError};
use crate::exit;

#[derive(Debug, Clone)]
pub struct GapQuery {
    pub table: String,
    pub key: String,
    pub time: String,
    pub every: Duration,
    /// Inclusive; `None` means the table's first row.
    pub since: Option<NaiveDateTime>,
    /// Exclusive; `None` means now.
    pub until: Option<NaiveDateTime>,
    /// Only these keys; keys without rows are fully missing. `None` means
    /// every key the table holds.
    pub keys: Option<Vec<String>>,
}

/// A run of consecutive missing buckets of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapRange {
    pub key: String,
    /// Start of the first missing bucket.
    pub from: NaiveDateTime,
    /// Start of the last missing bucket.
    pub to: NaiveDateTime,
    pub missing: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    pub table: String,
    pub key: String,
    pub time: String,
    pub every_secs: u64,
    pub since: NaiveDateTime,
    pub until: NaiveDateTime,
    pub keys_checked: u64,
    pub keys_with_gaps: u64,
    /// Keys with every bucket of the window missing.
    pub keys_fully_missing: u64,
    pub buckets_expected: u64,
    pub buckets_missing: u64,
    pub ranges: Vec<GapRange>,
}

#[derive(Debug, thiserror::Error)]
pub enum GapError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    WrongState(String),
}

impl GapError {
    pub fn exit_code(&self) -> i32 {
        match self {
            GapError::Db(e) => crate::migrate::db_exit_code(e),
            GapError::Usage(_) => exit::USAGE,
            GapError::WrongState(_) => exit::WRONG_STATE,
        }
    }
}

pub async fn find(_db: &mut Db, _query: &GapQuery) -> Result<GapReport, GapError> {
    todo!("gaps::find")
}
