//! `mendb verify`, the CI gate, and the contract check of `migrate up
//! --verify`: runs every check (migration files, history, drift, the
//! up/down/up roundtrip, consumer contracts, destructive pending changes)
//! and returns each result as data, failures and all. Reads the live
//! database only; writes happen on a scratch database (`--roundtrip`).
//! Rendering is the caller's.

pub mod contracts;
pub mod drift;
mod roundtrip;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::db::ident::Names;
use crate::db::introspect::{self, Schema};
use crate::db::{Db, DbError, Dialect};
use crate::migrate::{
    self, Change, Direction, MigrateError, MigrationFile, MigrationSet, MigrationState,
};
use contracts::{Breach, Contract};
use drift::Snapshot;

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
    /// `schema/<dialect>.json`: it must exist, unless `--roundtrip`
    /// compares with the migrations instead.
    Default(PathBuf),
    /// `--no-snapshot`: skipped on purpose, and said so.
    Skipped,
}

impl SnapshotFile {
    pub fn default_for(dialect: Dialect) -> SnapshotFile {
        SnapshotFile::Default(PathBuf::from(format!("schema/{}.json", dialect.dir_name())))
    }
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
        checks.push(match &rt.at_current {
            Ok(scratch) => Check::new(
                CheckKind::Drift,
                format!(
                    "the migrations up to V{} on a scratch database",
                    current.unwrap_or(0)
                ),
                drift::diff(scratch, &live, "the migrations", "the live database")
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
            Err(e) => Check::new(
                CheckKind::Drift,
                "the migrations on a scratch database",
                vec![e.clone()],
            ),
        });
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

fn report(db: &Db, checks: Vec<Check>) -> VerifyReport {
    VerifyReport {
        database: db.url().to_string(),
        dialect: db.dialect(),
        checks,
    }
}

fn files_check(dialect: Dialect, dir: Option<&Path>) -> Check {
    let subject = match dir {
        Some(d) => d.display().to_string(),
        None => "embedded migrations".to_string(),
    };
    let problems = migrate::source::audit(dialect, dir);
    Check::new(
        CheckKind::Files,
        subject,
        problems.into_iter().map(|p| p.message).collect(),
    )
}

fn history_check(
    status: &migrate::StatusReport,
    pending: &[&MigrationFile],
    allow_pending: bool,
) -> Check {
    let mut failures = status.problems.clone();
    for d in &status.dirty {
        failures.push(format!(
            "V{}__{} is dirty: its {} failed after {} of {} statements ({}); fix it by hand, then `mendb migrate repair`",
            d.version,
            d.name,
            d.direction,
            d.statements_done,
            d.statements_total,
            d.error.as_deref().unwrap_or("the run was interrupted"),
        ));
    }
    let labels: Vec<String> = pending.iter().map(|m| m.label()).collect();
    if !allow_pending {
        for m in pending {
            failures.push(format!(
                "{} is pending ({}); apply it with `mendb migrate up`, or pass --allow-pending",
                m.label(),
                m.up.path
            ));
        }
    }
    let check = Check::new(CheckKind::History, status.database.clone(), failures);
    let at = format!("at V{}", status.current_version.unwrap_or(0));
    match (labels.is_empty(), allow_pending) {
        (true, _) => check.with_note(format!("{at}, nothing pending")),
        (false, true) => check.with_note(format!("{at}; pending, allowed: {}", labels.join(", "))),
        (false, false) => check.with_note(at),
    }
}

/// The live schema against the snapshot file. A gate that passes because
/// its reference is missing would be worse than none: a missing snapshot
/// fails, unless the user said `--no-snapshot` or `--roundtrip` compares
/// with the migrations themselves.
fn snapshot_check(
    file: &SnapshotFile,
    dialect: Dialect,
    current: Option<i32>,
    live: &Schema,
    roundtrip: bool,
) -> Check {
    let (path, given) = match file {
        SnapshotFile::Given(p) => (p, true),
        SnapshotFile::Default(p) => (p, false),
        SnapshotFile::Skipped => {
            return Check::skipped(
                CheckKind::Drift,
                "snapshot",
                "--no-snapshot: the live schema is not compared with a snapshot",
            );
        }
    };
    let subject = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if given => {
            return Check::new(
                CheckKind::Drift,
                subject.clone(),
                vec![format!("{subject}: cannot read the snapshot: {e}")],
            );
        }
        Err(_) if roundtrip => {
            return Check::skipped(
                CheckKind::Drift,
                subject.clone(),
                format!(
                    "no snapshot at {subject}; --roundtrip compares the live schema with the migrations instead"
                ),
            );
        }
        Err(_) => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(|d| format!("mkdir -p {} && ", d.display()))
                .unwrap_or_default();
            return Check::new(
                CheckKind::Drift,
                subject.clone(),
                vec![format!(
                    "{subject}: no snapshot to compare the live schema with; write one with `{dir}mendb schema dump --format json > {subject}`, \
                     or compare with the migrations (`mendb verify --roundtrip`), or skip the comparison on purpose (`mendb verify --no-snapshot`)"
                )],
            );
        }
    };
    let snapshot = match Snapshot::parse(&subject, &text) {
        Ok(s) => s,
        Err(e) => return Check::new(CheckKind::Drift, subject, vec![e]),
    };
    if snapshot.dialect != dialect {
        return Check::new(
            CheckKind::Drift,
            subject.clone(),
            vec![format!(
                "{subject}: the snapshot is of a {} database, this one is {}",
                snapshot.dialect.dir_name(),
                dialect.dir_name()
            )],
        );
    }
    let v = |v: Option<i32>| format!("V{}", v.unwrap_or(0));
    if snapshot.version > current {
        // A database behind the snapshot has pending migrations, which the
        // history check reports; a schema at another version cannot match.
        return Check::skipped(
            CheckKind::Drift,
            subject,
            format!(
                "the snapshot is of {}, the database is at {}; drift is compared once they are at the same version",
                v(snapshot.version),
                v(current)
            ),
        );
    }
    if snapshot.version < current {
        return Check::new(
            CheckKind::Drift,
            subject.clone(),
            vec![format!(
                "{subject}: the snapshot is of {}, older than the database at {}; refresh it with `mendb schema dump --format json > {subject}`",
                v(snapshot.version),
                v(current)
            )],
        );
    }
    Check::new(
        CheckKind::Drift,
        subject,
        drift::diff(&snapshot.schema, live, "the snapshot", "the live database")
            .iter()
            .map(ToString::to_string)
            .collect(),
    )
}

/// Where the schema after the pending migrations came from.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The live schema with the pending drops and renames applied.
    Projected(i32),
    /// All migrations run on a scratch database.
    Scratch(i32),
}

/// The live schema as the pending migrations' drops and renames leave it.
/// Additions are not followed: only what a pending migration takes away
/// can break a service that works today. Each change applies to the names
/// its statement sees, after the renames before it; changes in other
/// schemas, and statements not analysed, leave the schema as it is.
fn project(live: &Schema, changes: &[Change]) -> Schema {
    let mut s = live.clone();
    for c in changes
        .iter()
        .filter(|c| c.is_analysed() && c.schema.is_none())
    {
        match (&c.then_column, &c.to) {
            (None, None) if c.action == "drops" => {
                s.tables.remove(&c.then_table);
            }
            (None, Some(to)) => {
                if let Some(t) = s.tables.remove(&c.then_table)
                    && !c.moves_away
                {
                    s.tables.insert(to.clone(), t);
                }
            }
            (Some(col), to) => {
                if let Some(t) = s.tables.get_mut(&c.then_table) {
                    match to {
                        Some(to) => {
                            for column in t.columns.iter_mut().filter(|x| &x.name == col) {
                                column.name = to.clone();
                            }
                        }
                        None => t.columns.retain(|x| &x.name != col),
                    }
                }
            }
            _ => {}
        }
    }
    s
}

fn contract_checks(
    contracts: &[Contract],
    errors: &[contracts::ContractError],
    live: &Schema,
    target: Option<(&Target, &Schema, &Vec<Change>)>,
    names: &Names,
) -> Vec<Check> {
    let mut checks: Vec<Check> = errors
        .iter()
        .map(|e| {
            Check::new(
                CheckKind::Contracts,
                e.path.clone(),
                vec![e.message.clone()],
            )
        })
        .collect();
    for c in contracts {
        let now = contracts::check(c, live, names);
        let mut failures: Vec<String> = now
            .iter()
            .map(|b| b.describe("the live database"))
            .collect();
        if let Some((target, schema, changes)) = target {
            let seen: BTreeSet<(String, Option<String>)> = now
                .iter()
                .map(|b| (b.table.clone(), b.column.clone()))
                .collect();
            for b in contracts::check(c, schema, names) {
                if !seen.contains(&(b.table.clone(), b.column.clone())) {
                    failures.push(b.describe(&target_name(*target, &b, changes, names)));
                }
            }
        }
        let subject = c.path.clone();
        let check = Check::new(CheckKind::Contracts, subject, failures);
        checks.push(match target {
            Some((Target::Projected(v) | Target::Scratch(v), _, _)) => check.with_note(format!(
                "checked against the live database and the schema at V{v}"
            )),
            None => check.with_note("checked against the live database"),
        });
    }
    checks
}

/// How a breach at the target version is explained: by the pending
/// migration that removes what the service needs, when there is one.
fn target_name(target: Target, b: &Breach, changes: &[Change], names: &Names) -> String {
    let cause = changes
        .iter()
        .rev()
        .filter(|c| c.is_analysed() && c.schema.is_none())
        .find(|c| {
            contracts::names_table(names, &b.table, &c.then_table)
                && match (&c.then_column, &b.column) {
                    (None, _) => true,
                    (Some(changed), Some(used)) => contracts::names_column(names, used, changed),
                    (Some(_), None) => false,
                }
        });
    match (cause, target) {
        (Some(c), _) => format!(
            "the schema after pending V{}__{} ({}:{}, which {})",
            c.version,
            c.name,
            c.path,
            c.line,
            c.describe()
        ),
        (None, Target::Projected(v)) => format!("the schema at V{v}"),
        (None, Target::Scratch(v)) => format!("the schema at V{v} (built on a scratch database)"),
    }
}

fn destructive_checks(pending: &[&MigrationFile], changes: &[Change]) -> Vec<Check> {
    if pending.is_empty() {
        return vec![
            Check::new(CheckKind::Destructive, "pending migrations", Vec::new())
                .with_note("nothing pending"),
        ];
    }
    let mut by_migration: BTreeMap<i32, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        by_migration.entry(c.version).or_default().push(c);
    }
    let mut checks = Vec::new();
    for m in pending {
        let found = by_migration.remove(&m.version).unwrap_or_default();
        let lines: Vec<String> = found
            .iter()
            .map(|c| format!("{}:{}: {} {}", c.path, c.line, m.label(), c.describe()))
            .collect();
        let allowed = found.first().and_then(|c| c.allowed_by_file.clone());
        let check = match (found.is_empty(), allowed) {
            (true, _) => Check::new(CheckKind::Destructive, m.label(), Vec::new())
                .with_note("drops and renames nothing"),
            (false, Some(reason)) => Check::new(CheckKind::Destructive, m.label(), Vec::new())
                .with_note(format!("allowed by the file ({reason}): {}", lines.join("; "))),
            (false, None) => Check::new(
                CheckKind::Destructive,
                m.label(),
                lines
                    .into_iter()
                    .map(|l| format!("{l}; once reviewed, mark the file with a line `-- mendb:allow-destructive <reason>`"))
                    .collect(),
            ),
        };
        checks.push(check);
    }
    checks
}
