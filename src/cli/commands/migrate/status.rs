//! `mendb migrate status`: every migration and its state; reads only.

use clap::Args;

use crate::cli::CliError;
use crate::cli::opt::Connection;
use crate::cli::render::Output;
use crate::db::Db;
use crate::migrate::{self, MigrationSet};

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub connection: Connection,
}

pub async fn run(set: &MigrationSet, db: &mut Db, out: &Output) -> Result<(), CliError> {
    out.status(&migrate::status(db, set).await?);
    Ok(())
}
