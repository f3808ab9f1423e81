//! refinery's driver contract (`AsyncTransaction`, `AsyncQuery`,
//! `AsyncMigrate`) over mendb's single sqlx connection, so refinery's own
//! checks (changed, missing, out-of-order migrations) and history table are
//! used as they are. What refinery leaves to drivers, this adds: statements
//! run one by one with their progress logged, so a migration that fails
//! half-way on MySQL is recorded, and a repaired one can resume.

use refinery_core::Migration;
use refinery_core::traits::r#async::{AsyncMigrate, AsyncQuery, AsyncTransaction};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::log;
use crate::checksum::Digest;
use crate::db::{Db, DbError, TxStyle, get_i64, get_string};
use crate::sql::split_statements;

pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// The migration (or revert) that `execute` is applying, so its statements
/// can be logged and, after a repair, partly skipped.
pub struct Step {
    pub sql: String,
    pub log_id: i64,
    pub skip: usize,
}

/// Where and why a migration's statement failed.
#[derive(Debug, Clone)]
pub struct StatementFailure {
    /// 1-based position of the statement in the file.
    pub index: usize,
    pub line: usize,
    pub statement: String,
    pub error: String,
    /// Whether statements before it stayed committed (no transactional DDL).
    pub left_dirty: bool,
}

pub struct Driver<'a> {
    pub db: &'a mut Db,
    step: Option<Step>,
    failure: Option<StatementFailure>,
}

impl<'a> Driver<'a> {
    pub fn new(db: &'a mut Db) -> Driver<'a> {
        Driver {
            db,
            step: None,
            failure: None,
        }
    }

    pub fn set_step(&mut self, step: Option<Step>) {
        self.step = step;
        self.failure = None;
    }

    pub fn take_failure(&mut self) -> Option<StatementFailure> {
        self.failure.take()
    }

    async fn run_all(&mut self, queries: Vec<String>) -> Result<usize, DbError> {
        let (begin, commit, rollback) = self.db.dialect().migration_tx();
        let autocommit = self.db.dialect().tx_style() == TxStyle::Autocommit;
        self.db.execute(begin).await?;
        let mut count = 0;
        for query in &queries {
            let is_step = self.step.as_ref().is_some_and(|s| &s.sql == query);
            if !is_step {
                if let Err(e) = self.db.execute(query).await {
                    self.db.execute(rollback).await.ok();
                    return Err(e);
                }
                count += 1;
                continue;
            }
            let (log_id, skip) = self
                .step
                .as_ref()
                .map(|s| (s.log_id, s.skip))
                .unwrap_or_default();
            let statements = split_statements(query, self.db.dialect().sql_flavor());
            let mut digest = Digest::default();
            for (i, stmt) in statements.iter().enumerate() {
                digest.add(&stmt.text);
                if i < skip {
                    tracing::info!(
                        statement = i + 1,
                        line = stmt.line,
                        "skipping statement completed before the repair"
                    );
                    continue;
                }
                tracing::debug!(statement = i + 1, line = stmt.line, "executing");
                if let Err(e) = self.db.execute(&stmt.text).await {
                    self.db.execute(rollback).await.ok();
                    self.failure = Some(StatementFailure {
                        index: i + 1,
                        line: stmt.line,
                        statement: stmt.text.clone(),
                        error: match &e {
                            DbError::Query { source, .. } => database_message(source),
                            other => other.to_string(),
                        },
                        left_dirty: autocommit && i > 0,
                    });
                    return Err(e);
                }
                count += 1;
                log::progress(self.db, log_id, i + 1, &digest.hex()).await?;
            }
        }
        self.db.execute(commit).await?;
        Ok(count)
    }
}

fn database_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

impl AsyncTransaction for Driver<'_> {
    type Error = DbError;

    async fn execute<'b, T: Iterator<Item = &'b str> + Send + 'b>(
        &'b mut self,
        queries: T,
    ) -> Result<usize, Self::Error> {
        let queries: Vec<String> = queries.map(str::to_string).collect();
        self.run_all(queries).await
    }
}

impl AsyncQuery<Vec<Migration>> for Driver<'_> {
    async fn query<'b>(&'b mut self, query: &'b str) -> Result<Vec<Migration>, Self::Error> {
        let rows = self.db.fetch(query, &[]).await?;
        let mut applied = Vec::with_capacity(rows.len());
        for row in &rows {
            let version = get_i64(row, 0).unwrap_or_default() as i32;
            let name = get_string(row, 1).unwrap_or_default();
            let applied_on = get_string(row, 2)
                .and_then(|s| OffsetDateTime::parse(&s, &Rfc3339).ok())
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
            let checksum = get_string(row, 3)
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or_default();
            applied.push(Migration::applied(version, name, applied_on, checksum));
        }
        Ok(applied)
    }
}

impl AsyncMigrate for Driver<'_> {}
