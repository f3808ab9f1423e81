//! `mendb migrate up`, optionally followed by the consumer contract checks
//! (`--verify`) on the migrated schema.

use clap::Args;

use crate::cli::CliError;
use crate::cli::commands::verify::failed_summary;
use crate::cli::opt::{Connection, Contracts, LockTimeout};
use crate::cli::parse::parse_version;
use crate::cli::render::Output;
use crate::cli::telemetry::Telemetry;
use crate::db::Db;
use crate::metrics::MigrateMetrics;
use crate::migrate::{self, MigrationSet};
use crate::verify;

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Stop after this version
    #[arg(long, value_name = "V", value_parser = parse_version, allow_negative_numbers = true)]
    pub to: Option<i64>,
    /// Print what would run, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Then check the consumer contracts against the migrated schema (exit 13 if one fails)
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    pub contracts: Contracts,
    #[command(flatten)]
    pub lock: LockTimeout,
    #[command(flatten)]
    pub connection: Connection,
    #[command(flatten)]
    pub telemetry: Telemetry,
}

pub async fn run(
    args: &UpArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &Output,
    metrics: Option<&MigrateMetrics>,
) -> Result<(), CliError> {
    let opts = args.lock.options()?;
    // What the history says before and after: the gauges follow the
    // database, not only this process's work. Read only for the metrics.
    let read_state = async |db: &mut Db| {
        let Some(metrics) = metrics else { return };
        match migrate::status(db, set).await {
            Ok(s) => metrics.status(&s),
            Err(e) => tracing::debug!("migration state for the metrics: {e}"),
        }
    };
    read_state(db).await;
    let on_event = |e: migrate::Event<'_>| {
        if let Some(m) = metrics {
            m.event(&e);
        }
        out.event(&e);
    };
    let result = migrate::up(db, set, args.to, args.dry_run, &opts, &on_event).await;
    read_state(db).await;
    let report = result?;
    if !args.verify {
        out.run_report(&report, db.url());
        return Ok(());
    }
    let contracts = args.contracts.dir()?;
    let checked = verify::contracts_only(db, contracts.as_deref()).await?;
    out.verified_run(&report, &checked, db.url());
    match failed_summary(&checked) {
        Some(why) => Err(CliError::VerifyFailed(why)),
        None => Ok(()),
    }
}
