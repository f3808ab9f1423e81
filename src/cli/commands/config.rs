//! `mendb config`: the settings in effect and where each came from, with
//! passwords masked. Connects to nothing, and succeeds without a database,
//! showing where it looked.

use clap::Args;

use crate::cli::opt::{Connection, TextOrJson};
use crate::cli::render::Output;
use crate::cli::settings::{self, Effective, SettingsError};

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub output: TextOrJson,
    #[command(flatten)]
    pub connection: Connection,
}

pub fn run(args: &ConfigArgs, out: &Output) -> Result<(), SettingsError> {
    let lookup = settings::lookup(args.connection.database_url.as_deref())?;
    let project = settings::project()?;
    out.config(&Effective::of(
        lookup,
        args.connection.wait,
        project.as_ref(),
    ));
    Ok(())
}
