//! One migration applied or reverted, for `up` and `down`: its attempt in
//! the log, its statements through the driver, and what a failure leaves
//! recorded. Never decides which migrations run.

use std::time::{Duration, Instant};

use refinery_core::traits::r#async::AsyncTransaction;
use refinery_core::{Target, error::Kind};

use super::driver::{Driver, StatementFailure, Step};
use super::history::{self, HistoryProblem};
use super::log::{self, Direction};
use super::source::{MigrationFile, SqlFile};
use super::{Event, MigrateError, StatementFailed};
use crate::db::Db;

/// How a step reaches the database: ups go through refinery so its checks
/// and history bookkeeping run; downs undo refinery's history row directly.
pub(super) enum Via<'a> {
    Refinery(&'a [refinery_core::Migration]),
    Direct,
}

/// Runs `m` in `direction` after the statements `resume` says committed,
/// and returns how long it took.
pub(super) async fn apply(
    db: &mut Db,
    m: &MigrationFile,
    direction: Direction,
    resume: log::Resume,
    via: Via<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Duration, MigrateError> {
    let file = m.file(direction).ok_or_else(|| MigrateError::MissingDown {
        version: m.version,
        name: m.name.clone(),
        expected: format!("V{}__{}.down.sql", m.version, m.name),
    })?;
    let statement_by_statement = file.statement_by_statement(db.dialect());
    let attempt = log::Attempt {
        version: m.version,
        name: &m.name,
        direction,
        checksum: m.checksum(),
        statements_total: file.statements.len(),
        statement_by_statement,
    };
    let log_id = log::start(db, &attempt, &resume).await?;
    on_event(Event::Started {
        direction,
        migration: m,
        resume_after: resume.done,
    });
    let started = Instant::now();
    let step = Step {
        sql: file.sql.clone(),
        statements: file.statements.clone(),
        log_id,
        skip: resume.done,
        statement_by_statement,
    };
    let (result, failure) = run(db, m, file, step, via).await;
    let elapsed = started.elapsed();
    let event = match &result {
        Ok(()) => {
            log::finish(db, log_id).await?;
            Event::Finished {
                direction,
                migration: m,
                elapsed,
            }
        }
        Err(_) => Event::Failed {
            direction,
            migration: m,
            elapsed,
        },
    };
    on_event(event);
    match result {
        Ok(()) => Ok(elapsed),
        Err(err) => {
            let attempt = Failing {
                m,
                file,
                log_id,
                resumed_after: resume.done,
                statement_by_statement,
            };
            Err(record_failure(db, &attempt, failure, err).await)
        }
    }
}

/// The step's statements on the driver, and where they stopped if they did.
async fn run(
    db: &mut Db,
    m: &MigrationFile,
    file: &SqlFile,
    step: Step,
    via: Via<'_>,
) -> (Result<(), MigrateError>, Option<StatementFailure>) {
    let mut driver = Driver::new(db);
    let result = match driver.set_step(step).await {
        Err(e) => Err(MigrateError::from(e)),
        Ok(()) => match via {
            Via::Refinery(all) => history::migrate(&mut driver, all, Target::Version(m.version))
                .await
                .map(|_| ())
                .map_err(|e| refinery_error(e, m)),
            Via::Direct => {
                let forget = history::forget(m.version);
                driver
                    .execute([file.sql.as_str(), forget.as_str()].into_iter())
                    .await
                    .map(|_| ())
                    .map_err(MigrateError::from)
            }
        },
    };
    driver.finish().await;
    (result, driver.take_failure())
}

/// The attempt that failed.
struct Failing<'a> {
    m: &'a MigrationFile,
    file: &'a SqlFile,
    log_id: i64,
    resumed_after: usize,
    statement_by_statement: bool,
}

/// Records in the log what the failed attempt leaves behind, and returns
/// the error that tells the user.
async fn record_failure(
    db: &mut Db,
    attempt: &Failing<'_>,
    failure: Option<StatementFailure>,
    err: MigrateError,
) -> MigrateError {
    let Failing {
        m,
        file,
        log_id,
        resumed_after,
        statement_by_statement: dirty_capable,
    } = *attempt;
    let Some(f) = failure else {
        // Nothing of this attempt ran; what an earlier one committed stays.
        let status = if dirty_capable && resumed_after > 0 {
            log::status::FAILED
        } else {
            log::status::ROLLED_BACK
        };
        return match log::fail(db, log_id, status, None, None, &err.to_string(), false).await {
            Ok(()) => err,
            Err(e) => e.into(),
        };
    };
    let left_dirty = dirty_capable && f.left_dirty();
    let status = if left_dirty {
        log::status::FAILED
    } else {
        log::status::ROLLED_BACK
    };
    let failed = StatementFailed {
        version: m.version,
        name: m.name.clone(),
        path: file.path.clone(),
        line: f.line,
        statement_index: f.index,
        error: f.error.clone(),
        done: f.done,
        left_dirty,
        in_doubt: f.in_doubt,
        bookkeeping: f.bookkeeping,
        transactional: !dirty_capable,
    };
    if failed.in_doubt && failed.transactional {
        // The COMMIT's answer was lost: the migration and its history row
        // committed together or not at all. The attempt stays `running`,
        // and the next locked run reads which from the history.
        return MigrateError::Failed(Box::new(failed));
    }
    let recorded = log::fail(
        db,
        log_id,
        status,
        Some(f.line),
        Some(&f.statement),
        &f.error,
        failed.in_doubt,
    )
    .await;
    if let Err(e) = recorded {
        // The log row still says what was sent and what committed, which is
        // what the next run reads; the user needs the file and line now.
        let table = log::TABLE;
        tracing::error!(error = %e, "could not record the failure in {table}");
        return MigrateError::Failed(Box::new(StatementFailed {
            in_doubt: dirty_capable || failed.in_doubt,
            bookkeeping: true,
            ..failed
        }));
    }
    MigrateError::Failed(Box::new(failed))
}

fn refinery_error(e: refinery_core::Error, m: &MigrationFile) -> MigrateError {
    match e.kind() {
        Kind::DivergentVersion(applied, _) => MigrateError::History(HistoryProblem::Changed {
            version: applied.version(),
            name: applied.name().to_string(),
            path: m.up.path.clone(),
        }),
        // mendb checks files against history before refinery does, so this
        // only happens when the history changed in between.
        Kind::MissingVersion(missing) => MigrateError::History(HistoryProblem::MissingFile {
            version: missing.version(),
            name: missing.name().to_string(),
            origin: "the migration files".into(),
        }),
        _ => MigrateError::Refinery(e.to_string()),
    }
}
