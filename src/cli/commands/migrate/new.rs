//! `mendb migrate new`: scaffold the next migration's files. Touches no
//! database, so it takes no connection flags.

use std::path::Path;

use clap::Args;

use crate::cli::render::Output;
use crate::migrate::{self, MigrateError};

#[derive(Debug, Args)]
pub struct NewArgs {
    /// lowercase_with_underscores
    pub name: String,
}

pub fn run(args: &NewArgs, dir: Option<&Path>, out: &Output) -> Result<(), MigrateError> {
    let dir = dir.unwrap_or(Path::new("migrations"));
    let made = migrate::scaffold(dir, &args.name)?;
    out.scaffolded(&made);
    Ok(())
}
