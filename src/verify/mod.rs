//! `mendb verify`, the CI gate, and the contract check of `migrate up
//! --verify`: runs every check (migration files, history, drift, the
//! up/down/up roundtrip, consumer contracts, destructive pending changes)
//! and returns each result as data, failures and all. Reads the live
//! database only; writes happen on a scratch database (`--roundtrip`).
//! Rendering is the caller's.
//!
//! Each check has its file: [`history`] the migration files, their history
//! and their destructive changes, [`snapshot`] the comparison with the
//! snapshot file, [`target`] the contracts against the live schema and the
//! one the pending migrations leave.

pub mod contracts;
pub mod drift;
mod history;
mod roundtrip;
mod snapshot;
mod target;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::db::ident::Names;
use crate::db::introspect::{self, Schema};
use crate::db::{Db, DbError, Dialect};
use crate::migrate::{self, Direction, MigrateError, MigrationFile, MigrationSet, MigrationState};
use history::{destructive_checks, files_check, history_check};
use snapshot::snapshot_check;
use target::{Target, contract_checks, project};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    Files,
    History,
    Drift,
    Roundtrip,
    Contracts,
    Destructive,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Files => "files",
            CheckKind::History => "history",
            CheckKind::Drift => "drift",
            CheckKind::Roundtrip => "roundtrip",
            CheckKind::Contracts => "contracts",
            CheckKind::Destructive => "destructive",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// One check on one subject (a folder, a contract, a migration...).
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: CheckKind,
    pub subject: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Check {
    fn new(check: CheckKind, subject: impl Into<String>, failures: Vec<String>) -> Check {
        Check {
            check,
            subject: subject.into(),
            status: if failures.is_empty() {
                Status::Passed
            } else {
                Status::Failed
            },
            failures,
            note: None,
        }
    }

    fn skipped(check: CheckKind, subject: impl Into<String>, why: impl Into<String>) -> Check {
        Check {
            check,
            subject: subject.into(),
            status: Status::Skipped,
            failures: Vec::new(),
            note: Some(why.into()),
        }
    }

    fn with_note(mut self, note: impl Into<String>) -> Check {
        self.note = Some(note.into());
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub database: String,
    pub dialect: Dialect,
    pub checks: Vec<Check>,
}

impl VerifyReport {
    pub fn failures(&self) -> usize {
        self.checks.iter().map(|c| c.failures.len()).sum()
    }

    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Failed)
    }
}

/// Where the drift check finds its snapshot.
#[derive(Debug, Clone)]
pub enum SnapshotFile {
    /// `--snapshot FILE`: it must exist.
    Given(PathBuf),
    /// `<snapshots>/<dialect>.json`: it must exist, unless `--roundtrip`
    /// compares with the migrations instead.
    Default(PathBuf),
    /// `--no-snapshot`: skipped on purpose, and said so.
    Skipped,
}

#[derive(Debug, Clone)]
pub struct VerifyOptions<'a> {
    pub migrations_dir: Option<&'a Path>,
    pub contracts_dir: Option<&'a Path>,
    pub snapshot: SnapshotFile,
    pub roundtrip: bool,
    pub allow_pending: bool,
    pub lock_timeout: Duration,
}

/// How the live schema differs from what the migrations up to `version`
/// build on a scratch database: what `migrate baseline` checks before it
/// records them as applied. A comparison that cannot be made is itself a
/// difference, never a pass.
pub async fn baseline_differences(
    db: &mut Db,
    set: &MigrationSet,
    version: i32,
    lock_timeout: Duration,
) -> Result<Vec<String>, MigrateError> {
    let live = introspect::read_schema(db, false).await?;
    let built = match roundtrip::schema_at(db, set, version, lock_timeout).await {
        Ok(Ok(schema)) => schema,
        Ok(Err(e)) => {
            return Ok(vec![format!(
                "the migrations up to V{version} fail on a scratch database, so nothing can be compared: {e}"
            )]);
        }
        Err(e) => {
            return Ok(vec![format!(
                "no scratch database to build the migrations up to V{version} on, so nothing can be compared: {e}"
            )]);
        }
    };
    let label = format!("the migrations up to V{version}");
    Ok(drift::diff(&built, &live, &label, "the live database")
        .iter()
        .map(ToString::to_string)
        .collect())
}

/// Runs every check. `set` is the migration files of the database's
/// dialect, or why they would not load (the files check then says what is
/// wrong with them, and the checks that need them are skipped).
pub async fn verify(
    db: &mut Db,
    set: Result<&MigrationSet, String>,
    opts: &VerifyOptions<'_>,
) -> Result<VerifyReport, MigrateError> {
    let dialect = db.dialect();
    let mut checks = vec![files_check(dialect, opts.migrations_dir)];
    let live = introspect::read_schema(db, false).await?;
    let names = Names::of(db).await?;
    let (contracts, contract_errors) = contracts::load(opts.contracts_dir);

    let set = match set {
        Ok(set) => set,
        Err(why) => {
            let why = format!("skipped: the migration files do not load ({why})");
            for kind in [CheckKind::History, CheckKind::Drift, CheckKind::Destructive] {
                checks.push(Check::skipped(kind, "migrations", why.clone()));
            }
            checks.extend(contract_checks(
                &contracts,
                &contract_errors,
                &live,
                None,
                &names,
            ));
            return Ok(report(db, checks));
        }
    };

    let status = migrate::status(db, set).await?;
    let current = status.current_version;
    let pending: Vec<&MigrationFile> = status
        .rows
        .iter()
        .filter(|r| r.state == MigrationState::Pending)
        .filter_map(|r| set.get(r.version))
        .collect();
    checks.push(history_check(&status, &pending, opts.allow_pending));
    checks.push(snapshot_check(
        &opts.snapshot,
        dialect,
        current,
        &live,
        opts.roundtrip,
    ));

    let changes = migrate::changes(db, &pending, Direction::Up).await?;
    let mut target = pending
        .last()
        .map(|last| (Target::Projected(last.version), project(&live, &changes)));

    if opts.roundtrip {
        let rt = roundtrip::run(db, set, current, opts.lock_timeout).await?;
        checks.push(scratch_drift_check(&rt.at_current, current, &live));
        checks.push(Check::new(
            CheckKind::Roundtrip,
            "up, down to 0, up again on a scratch database",
            rt.problems,
        ));
        if let (Some(latest), Some(last)) = (rt.at_latest, pending.last()) {
            target = Some((Target::Scratch(last.version), latest));
        }
    }

    let target = target.as_ref().map(|(t, s)| (t, s, &changes));
    checks.extend(contract_checks(
        &contracts,
        &contract_errors,
        &live,
        target,
        &names,
    ));
    checks.extend(destructive_checks(&pending, &changes));
    Ok(report(db, checks))
}

/// The contract checks alone, against the live schema: what `migrate up
/// --verify` runs after applying.
pub async fn contracts_only(
    db: &mut Db,
    contracts_dir: Option<&Path>,
) -> Result<VerifyReport, DbError> {
    let live = introspect::read_schema(db, false).await?;
    let names = Names::of(db).await?;
    let (contracts, errors) = contracts::load(contracts_dir);
    let checks = contract_checks(&contracts, &errors, &live, None, &names);
    Ok(report(db, checks))
}

/// The live schema against the migrations up to `current` run on a
/// scratch database, or why they could not be run.
fn scratch_drift_check(
    scratch: &Result<Schema, String>,
    current: Option<i32>,
    live: &Schema,
) -> Check {
    match scratch {
        Ok(scratch) => Check::new(
            CheckKind::Drift,
            format!(
                "the migrations up to V{} on a scratch database",
                current.unwrap_or(0)
            ),
            drift::diff(scratch, live, "the migrations", "the live database")
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        Err(e) => Check::new(
            CheckKind::Drift,
            "the migrations on a scratch database",
            vec![e.clone()],
        ),
    }
}

fn report(db: &Db, checks: Vec<Check>) -> VerifyReport {
    VerifyReport {
        database: db.url().to_string(),
        dialect: db.dialect(),
        checks,
    }
}
