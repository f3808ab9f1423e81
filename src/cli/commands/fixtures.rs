//! `mendb fixtures load`: the deterministic incident world, for tests and
//! the demo.

use clap::{Args, Subcommand};

use crate::cli::CliError;
use crate::cli::opt::{Connection, LockTimeout, TextOrJson};
use crate::cli::render::Output;
use crate::fixtures::{self, LoadOptions};

#[derive(Debug, Args)]
pub struct FixturesArgs {
    #[command(subcommand)]
    pub command: FixturesCommand,
    #[command(flatten)]
    pub output: TextOrJson,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Load the world into an empty database (migrating it to V1 first) or one at V1
    Load {
        /// Size of the world: 1 is the documented scale; tests use less
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Seed of the generator; the same seed and scale give the same rows
        #[arg(long, default_value_t = 20250930)]
        seed: u64,
        #[command(flatten)]
        lock: LockTimeout,
    },
}

pub async fn run(args: &FixturesArgs, out: &Output) -> Result<(), CliError> {
    let FixturesCommand::Load { scale, seed, lock } = &args.command;
    let opts = LoadOptions {
        scale: *scale,
        seed: *seed,
        lock_timeout: lock.get()?,
    };
    let mut db = args.connection.open(false).await?;
    let result = fixtures::load(&mut db, &opts, &|p| out.fixtures_progress(&p))
        .await
        .map(|report| out.fixtures_loaded(&report));
    db.close().await;
    Ok(result?)
}
