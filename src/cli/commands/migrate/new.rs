//! `mendb migrate new`: scaffold the next migration's files in the folder
//! in use. Touches no database, so it takes no connection flags.

use std::path::Path;

use clap::Args;

use crate::cli::render::Output;
use crate::migrate::{self, MigrateError};

#[derive(Debug, Args)]
pub struct NewArgs {
    /// lowercase_with_underscores
    pub name: String,
}

/// `dir` is the folder in use (`--migrations` or `mendb.toml`), None when
/// the embedded migrations are.
pub fn run(args: &NewArgs, dir: Option<&Path>, out: &Output) -> Result<(), MigrateError> {
    let made = migrate::scaffold(dir, &args.name)?;
    out.scaffolded(&made);
    Ok(())
}
