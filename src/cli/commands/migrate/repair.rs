//! `mendb migrate repair`: settle a dirty mark after a fix by hand.

use clap::{Args, ValueEnum};

use crate::cli::CliError;
use crate::cli::opt::{Connection, LockTimeout};
use crate::cli::render::Output;
use crate::db::Db;
use crate::migrate::{self, MigrationSet, RepairOptions};

#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Start the failed migration over instead of resuming after its completed statements
    #[arg(long = "restart", alias = "rerun", conflicts_with = "in_doubt")]
    pub restart: bool,
    /// Settle statements in doubt (sent, commit never recorded): `applied` resumes after them, `not-applied` runs them again
    #[arg(long, value_enum, value_name = "OUTCOME")]
    pub in_doubt: Option<InDoubtArg>,
    /// Accept edited applied migrations by recording their new checksums
    #[arg(long)]
    pub recompute_checksums: bool,
    #[command(flatten)]
    pub lock: LockTimeout,
    #[command(flatten)]
    pub connection: Connection,
}

/// What the user found about statements in doubt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InDoubtArg {
    /// They took effect
    Applied,
    /// They did not take effect
    NotApplied,
}

pub async fn run(
    args: &RepairArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    let repair = RepairOptions {
        rerun: args.restart,
        in_doubt: args.in_doubt.map(|d| match d {
            InDoubtArg::Applied => migrate::InDoubt::Applied,
            InDoubtArg::NotApplied => migrate::InDoubt::NotApplied,
        }),
        recompute_checksums: args.recompute_checksums,
    };
    let opts = args.lock.options()?;
    out.repair(&migrate::repair(db, set, &repair, &opts).await?);
    Ok(())
}
