//! `mendb verify`: the CI gate. Broken migration files are one of its
//! findings, not a reason to stop, so it loads them itself.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::CliError;
use crate::cli::opt::{Connection, Contracts, Format, LockTimeout, Migrations, default_format};
use crate::cli::render::Output;
use crate::cli::settings;
use crate::db::Db;
use crate::migrate::MigrationSet;
use crate::verify::{self, SnapshotFile, VerifyOptions, VerifyReport};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Compare the live schema with this snapshot [default: schema/<dialect>.json]
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Compare with no snapshot: the drift check is listed as skipped instead of failing for want of one
    #[arg(long, conflicts_with = "snapshot")]
    pub no_snapshot: bool,
    /// Also run the migrations on a scratch database: up, down to 0, up again
    #[arg(long)]
    pub roundtrip: bool,
    /// Pending migrations are not a failure (they are still checked)
    #[arg(long)]
    pub allow_pending: bool,
    /// Output format of results [default: text, or format in mendb.toml]
    #[arg(long = "format", value_enum)]
    format: Option<VerifyFormat>,
    #[command(flatten)]
    pub migrations: Migrations,
    #[command(flatten)]
    pub contracts: Contracts,
    #[command(flatten)]
    pub lock: LockTimeout,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
    /// JUnit XML for CI systems
    Junit,
}

impl VerifyArgs {
    pub fn format(&self) -> VerifyFormat {
        self.format.unwrap_or_else(|| match default_format() {
            Format::Text => VerifyFormat::Text,
            Format::Json => VerifyFormat::Json,
        })
    }
}

impl VerifyFormat {
    /// Errors are written as text unless JSON was asked for.
    pub fn output(self) -> Format {
        match self {
            VerifyFormat::Json => Format::Json,
            VerifyFormat::Text | VerifyFormat::Junit => Format::Text,
        }
    }
}

pub async fn run(args: &VerifyArgs, out: &Output) -> Result<(), CliError> {
    let url = args.connection.url(true)?;
    let migrations = args.migrations.dir()?;
    let contracts = args.contracts.dir()?;
    let opts = VerifyOptions {
        migrations_dir: migrations.as_deref(),
        contracts_dir: contracts.as_deref(),
        snapshot: match (&args.snapshot, args.no_snapshot) {
            (_, true) => SnapshotFile::Skipped,
            (Some(path), false) => SnapshotFile::Given(path.clone()),
            (None, false) => SnapshotFile::Default(settings::snapshot_path(url.dialect())?),
        },
        roundtrip: args.roundtrip,
        allow_pending: args.allow_pending,
        lock_timeout: args.lock.get()?,
    };
    let loaded = MigrationSet::load(url.dialect(), opts.migrations_dir);
    let mut db = args.connection.connect(&url).await?;
    let set = loaded.as_ref().map_err(ToString::to_string);
    let result = check(args, set, &opts, &mut db, out).await;
    db.close().await;
    result
}

async fn check(
    args: &VerifyArgs,
    set: Result<&MigrationSet, String>,
    opts: &VerifyOptions<'_>,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    let report = verify::verify(db, set, opts).await?;
    match args.format() {
        VerifyFormat::Junit => out.verify_junit(&report),
        VerifyFormat::Text | VerifyFormat::Json => out.verify_report(&report),
    }
    match failed_summary(&report) {
        Some(why) => Err(CliError::VerifyFailed(why)),
        None => Ok(()),
    }
}

/// Why a verify report fails the command, if it does.
pub(super) fn failed_summary(report: &VerifyReport) -> Option<String> {
    if report.passed() {
        return None;
    }
    let failed = report
        .checks
        .iter()
        .filter(|c| c.status == verify::Status::Failed)
        .count();
    Some(format!(
        "verify failed: {} failure(s) in {failed} check(s)",
        report.failures()
    ))
}
