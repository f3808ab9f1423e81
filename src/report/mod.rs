//! The health report of DESIGN §4: row counts, price freshness, missing
//! price buckets, on-chain coverage, ML feature population and migration
//! state, as data for text, JSON or Prometheus rendering. Reads only.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::{Db, DbError};
use crate::gaps::GapError;
use crate::migrate::{MigrateError, MigrationSet};

#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub at: NaiveDateTime,
    pub window: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub at: NaiveDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Gaps(#[from] GapError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
}

impl ReportError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ReportError::Db(e) => crate::migrate::db_exit_code(e),
            ReportError::Gaps(e) => e.exit_code(),
            ReportError::Migrate(e) => e.exit_code(),
        }
    }
}

pub async fn build(
    _db: &mut Db,
    _set: &MigrationSet,
    _opts: &ReportOptions,
) -> Result<Report, ReportError> {
    todo!("report::build")
}
