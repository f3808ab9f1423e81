//! `mendb migrate down`: revert by version or by count.

use clap::Args;

use crate::cli::CliError;
use crate::cli::opt::{Connection, LockTimeout};
use crate::cli::parse::parse_version;
use crate::cli::render::Output;
use crate::db::Db;
use crate::migrate::{self, DownOptions, DownTarget, MigrationSet};

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Revert every migration above V (0 reverts all)
    #[arg(long, value_name = "V", conflicts_with = "steps", value_parser = parse_version, allow_negative_numbers = true)]
    pub to: Option<i64>,
    /// Revert the newest N migrations [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub steps: Option<u32>,
    /// Print what would run, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Proceed even though a down drops tables or columns that hold data
    #[arg(long)]
    pub allow_data_loss: bool,
    #[command(flatten)]
    pub lock: LockTimeout,
    #[command(flatten)]
    pub connection: Connection,
}

pub async fn run(
    args: &DownArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    let target = match (args.to, args.steps) {
        (Some(v), _) => DownTarget::To(v),
        (None, Some(n)) => DownTarget::Steps(n as usize),
        (None, None) => DownTarget::Steps(1),
    };
    let down = DownOptions {
        target,
        dry_run: args.dry_run,
        allow_data_loss: args.allow_data_loss,
    };
    let opts = args.lock.options()?;
    let report = migrate::down(db, set, &down, &opts, &|e| out.event(&e)).await?;
    out.run_report(&report, db.url());
    Ok(())
}
