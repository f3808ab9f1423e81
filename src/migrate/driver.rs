//! refinery's driver contract (`AsyncTransaction`, `AsyncQuery`,
//! `AsyncMigrate`) over mendb's sqlx connections, so refinery's own checks
//! (changed, missing, out-of-order migrations) and history table are used
//! as they are. Like any refinery driver, it is only the transaction and
//! the statement loop: the history's rows are named and decoded in
//! `history`, and the decisions are the commands'. What refinery leaves to
//! drivers, this adds:
//! - a migration's statements run on a session of their own, set up as the
//!   native client's (`Db::native_session`), while the lock, the log and
//!   the history stay on mendb's connection, out of the file's reach;
//! - statements run one by one, each recorded as sent before it runs and as
//!   committed after, so a migration that stops half-way on MySQL leaves a
//!   true record, and a repaired one resumes after what committed.
//!
//! One file of about 400 lines: refinery's traits and the statement loop
//! share the driver's state (session, step, failure) and nothing else.

use refinery_core::Migration;
use refinery_core::traits::r#async::{AsyncMigrate, AsyncQuery, AsyncTransaction};

use super::{history, log};
use crate::checksum::Digest;
use crate::db::{Db, DbError, TxStyle};
use crate::sql::Statement;

/// The migration (or revert) that `execute` is applying, so its statements
/// can be logged and, after a repair, partly skipped.
pub struct Step {
    /// The file's text: how refinery's batch names the migration.
    pub sql: String,
    pub statements: Vec<Statement>,
    pub log_id: i64,
    /// Statements committed by an earlier attempt, not run again.
    pub skip: usize,
    /// Statements commit one by one instead of in one transaction.
    pub statement_by_statement: bool,
}

/// Where and why a migration stopped.
#[derive(Debug, Clone)]
pub struct StatementFailure {
    /// 1-based position of the statement in the file.
    pub index: usize,
    pub line: usize,
    pub statement: String,
    pub error: String,
    /// Statements known to be committed when it stopped.
    pub done: usize,
    /// Whether statements done+1..=index may have committed: the server
    /// never answered (a lost connection), or mendb could not record that
    /// they did.
    pub in_doubt: bool,
    /// The failure was mendb's own record, not the statement.
    pub bookkeeping: bool,
}

impl StatementFailure {
    /// Whether part of the migration may stay committed.
    pub fn left_dirty(&self) -> bool {
        self.done > 0 || self.in_doubt
    }
}

pub struct Driver<'a> {
    /// mendb's connection: lock, log, history.
    pub db: &'a mut Db,
    /// The native-client session the migration's statements run on; None
    /// where they share `db` (SQLite).
    session: Option<Db>,
    /// mendb's schema, where its history row goes whatever search_path the
    /// file left behind (PostgreSQL).
    schema: Option<String>,
    step: Option<Step>,
    failure: Option<StatementFailure>,
}

impl<'a> Driver<'a> {
    pub fn new(db: &'a mut Db) -> Driver<'a> {
        Driver {
            db,
            session: None,
            schema: None,
            step: None,
            failure: None,
        }
    }

    /// Sets the migration to apply and opens the session it runs on.
    pub async fn set_step(&mut self, step: Step) -> Result<(), DbError> {
        self.session = self.db.native_session().await?;
        self.schema = self.db.current_schema().await?;
        if let Some(session) = &mut self.session {
            let d = session.dialect();
            let id = session
                .scalar_i64(&format!("SELECT {}", d.as_text(d.session_id())))
                .await?;
            if let Some(id) = id {
                log::set_session(self.db, step.log_id, id).await?;
            }
        }
        self.step = Some(step);
        self.failure = None;
        Ok(())
    }

    pub fn take_failure(&mut self) -> Option<StatementFailure> {
        self.failure.take()
    }

    /// Closes the migration's session; an open transaction in it (a file
    /// that never committed) is rolled back by the server, as when the
    /// native client exits.
    pub async fn finish(&mut self) {
        if let Some(session) = self.session.take() {
            session.close().await;
        }
    }

    fn user(&mut self) -> &mut Db {
        match &mut self.session {
            Some(s) => s,
            None => self.db,
        }
    }

    async fn run_all(&mut self, queries: Vec<String>) -> Result<usize, DbError> {
        let Some(step) = self.step.take_if(|s| queries.contains(&s.sql)) else {
            return self.run_bookkeeping(&queries).await;
        };
        let result = self.run_step(&step, &queries).await;
        self.step = Some(step);
        result
    }

    /// refinery's own statements (creating its table) outside a migration.
    async fn run_bookkeeping(&mut self, queries: &[String]) -> Result<usize, DbError> {
        let (begin, commit, rollback) = self.db.dialect().migration_tx();
        self.db.execute_script(begin).await?;
        for query in queries {
            if let Err(e) = self.db.execute_script(query).await {
                self.db.execute_script(rollback).await.ok();
                return Err(e);
            }
        }
        self.db.execute_script(commit).await?;
        Ok(queries.len())
    }

    /// The migration's statements, then refinery's history row: in one
    /// transaction where DDL is transactional; on MySQL one by one, each
    /// recorded, and the history row last.
    async fn run_step(&mut self, step: &Step, queries: &[String]) -> Result<usize, DbError> {
        let (begin, commit, rollback) = if step.statement_by_statement {
            ("", "", "")
        } else {
            self.db.dialect().migration_tx()
        };
        self.user().execute_script(begin).await?;
        let done = self.run_statements(step, rollback).await?;
        if step.statement_by_statement && done < step.statements.len() {
            return Err(self.ended_in_transaction(step, done).await);
        }
        self.record_history(step, queries, done, rollback).await?;
        self.commit(step, done, commit).await?;
        Ok(step.statements.len() - step.skip)
    }

    /// The file's statements after those an earlier attempt committed.
    /// Returns how many are known to be committed.
    async fn run_statements(
        &mut self,
        step: &Step,
        rollback: &'static str,
    ) -> Result<usize, DbError> {
        let dialect = self.db.dialect();
        let autocommit = step.statement_by_statement;
        let mut done = step.skip;
        let mut digest = Digest::default();
        for (i, stmt) in step.statements.iter().enumerate() {
            digest.add(&stmt.text);
            let index = i + 1;
            if i < step.skip {
                tracing::info!(
                    statement = index,
                    line = stmt.line,
                    "skipping statement committed before the repair"
                );
                continue;
            }
            let fail =
                |e: &DbError, done: usize, in_doubt: bool, bookkeeping: bool| StatementFailure {
                    index,
                    line: stmt.line,
                    statement: stmt.text.clone(),
                    error: database_message(e),
                    done,
                    in_doubt,
                    bookkeeping,
                };
            if autocommit
                && let Err(e) = log::sent(self.db, step.log_id, index, &digest.hex()).await
            {
                self.failure = Some(fail(&e, done, false, true));
                return Err(e);
            }
            tracing::debug!(statement = index, line = stmt.line, "executing");
            if let Err(e) = self.user().execute_script(&stmt.text).await {
                // A statement the server refused took no effect; one whose
                // answer never came may have. Work a file opened in an
                // explicit transaction is undone here, so nothing hangs
                // between the two.
                let lost = e.is_connection_lost()
                    || self
                        .user()
                        .execute_script(rollback_of(dialect, autocommit, rollback))
                        .await
                        .is_err();
                self.failure = Some(fail(&e, done, autocommit && lost, false));
                return Err(e);
            }
            if autocommit {
                match self.record_commit(step.log_id, index, &digest.hex()).await {
                    Ok(true) => done = index,
                    Ok(false) => {}
                    Err((e, bookkeeping)) => {
                        self.failure = Some(fail(&e, done, true, bookkeeping));
                        return Err(e);
                    }
                }
            }
        }
        Ok(done)
    }

    /// After a statement ran on its own: records it as committed, unless it
    /// ran inside a transaction the file opened, where it is committed only
    /// when the transaction is. (Other files cannot open one: their
    /// transaction control is refused when they load.) The error says
    /// whether it was mendb's record that failed.
    async fn record_commit(
        &mut self,
        log_id: i64,
        index: usize,
        digest: &str,
    ) -> Result<bool, (DbError, bool)> {
        if self.db.dialect().tx_style() == TxStyle::Autocommit {
            match self.user().in_transaction().await {
                Ok(true) => return Ok(false),
                Ok(false) => {}
                Err(e) => return Err((e, false)),
            }
        }
        log::committed(self.db, log_id, index, digest)
            .await
            .map_err(|e| (e, true))?;
        Ok(true)
    }

    /// A file that opened a transaction and never committed it: what it
    /// ran since is rolled back, and the migration stops there.
    async fn ended_in_transaction(&mut self, step: &Step, done: usize) -> DbError {
        let open = StatementFailure {
            index: done + 1,
            line: step.statements.get(done).map_or(0, |s| s.line),
            statement: step.statements.get(done).map(|s| s.text.clone()).unwrap_or_default(),
            error: "the file ends inside a transaction it opened, so its statements from here on were never committed; end it with COMMIT".into(),
            done,
            in_doubt: false,
            bookkeeping: false,
        };
        self.user().execute_script("ROLLBACK").await.ok();
        self.failure = Some(open);
        DbError::Conflict("migration ends inside an open transaction".into())
    }

    /// The statements of the batch that are not the file: refinery's
    /// history row, or a revert's removal of it.
    async fn record_history(
        &mut self,
        step: &Step,
        queries: &[String],
        done: usize,
        rollback: &'static str,
    ) -> Result<(), DbError> {
        let autocommit = step.statement_by_statement;
        for query in queries.iter().filter(|q| **q != step.sql) {
            let result = if autocommit {
                self.db.execute_script(query).await
            } else {
                self.record_in_transaction(query).await
            };
            if let Err(e) = result {
                self.user().execute_script(rollback).await.ok();
                let last = step.statements.last();
                self.failure = Some(StatementFailure {
                    index: step.statements.len(),
                    line: last.map_or(0, |s| s.line),
                    statement: last.map(|s| s.text.clone()).unwrap_or_default(),
                    error: database_message(&e),
                    done,
                    in_doubt: autocommit,
                    bookkeeping: true,
                });
                return Err(e);
            }
        }
        Ok(())
    }

    async fn commit(
        &mut self,
        step: &Step,
        done: usize,
        commit: &'static str,
    ) -> Result<(), DbError> {
        if let Err(e) = self.user().execute_script(commit).await {
            self.failure = Some(StatementFailure {
                index: step.statements.len(),
                line: step.statements.last().map_or(0, |s| s.line),
                statement: "COMMIT".into(),
                error: database_message(&e),
                done,
                in_doubt: e.is_connection_lost(),
                bookkeeping: false,
            });
            return Err(e);
        }
        Ok(())
    }

    /// refinery's history row, written inside the migration's own
    /// transaction so the two commit together. Whatever the file did to
    /// its session (search_path, role, timeouts) is undone for the rest of
    /// the transaction first.
    async fn record_in_transaction(&mut self, query: &str) -> Result<u64, DbError> {
        let reset = self
            .db
            .dialect()
            .bookkeeping_reset(self.schema.as_deref().unwrap_or_default());
        let session = self.user();
        session.execute_script(&reset).await?;
        session.execute_script(query).await
    }
}

/// How to undo, after a refused statement, the transaction it ran in:
/// mendb's, or on MySQL one the file opened.
fn rollback_of(
    dialect: crate::db::Dialect,
    statement_by_statement: bool,
    rollback: &'static str,
) -> &'static str {
    match (dialect.tx_style(), statement_by_statement) {
        (TxStyle::Autocommit, _) => "ROLLBACK",
        (_, true) => "",
        (TxStyle::Transaction | TxStyle::Savepoint, false) => rollback,
    }
}

fn database_message(e: &DbError) -> String {
    match e {
        DbError::Query {
            source: sqlx::Error::Database(db),
            ..
        } => db.message().to_string(),
        DbError::Query { source, .. } => source.to_string(),
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
        history::refinery_query(self.db, query).await
    }
}

impl AsyncMigrate for Driver<'_> {}
