//! `mendb migrate`: the subcommands' shared start (the migration files,
//! version checks before connecting, one connection) and the dispatch to
//! one file per subcommand. The migration engine itself is
//! `crate::migrate`; nothing here decides what SQL runs.

mod baseline;
mod down;
mod new;
mod repair;
mod status;
mod up;

use clap::{Args, Subcommand};

use crate::cli::CliError;
use crate::cli::opt::{Connection, LockTimeout, Migrations, TextOrJson};
use crate::cli::render::Output;
use crate::cli::settings::SettingsError;
use crate::cli::telemetry;
use crate::metrics::MigrateMetrics;
use crate::migrate::{self, MigrateError, MigrationSet, Options};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
    #[command(flatten)]
    pub migrations: Migrations,
    #[command(flatten)]
    pub output: TextOrJson,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations, oldest first, under the migration lock
    Up(up::UpArgs),
    /// Revert applied migrations, newest first, with their .down.sql files
    Down(down::DownArgs),
    /// Show every migration: applied, pending, changed, dirty
    Status(status::StatusArgs),
    /// Adopt an existing database: record migrations up to V as applied without running them
    Baseline(baseline::BaselineArgs),
    /// Clear a dirty mark after fixing the database by hand
    Repair(repair::RepairArgs),
    /// Create V<next>__NAME.sql and .down.sql in every dialect folder
    New(new::NewArgs),
}

pub async fn run(args: &MigrateArgs, out: &Output) -> Result<(), CliError> {
    let dir = args.migrations.dir()?;
    let dir = dir.as_deref();
    let (connection, read_only): (&Connection, bool) = match &args.command {
        // It writes files, not the database.
        MigrateCommand::New(a) => return Ok(new::run(a, dir, out)?),
        MigrateCommand::Up(a) => (&a.connection, a.dry_run),
        MigrateCommand::Down(a) => (&a.connection, a.dry_run),
        MigrateCommand::Status(a) => (&a.connection, true),
        MigrateCommand::Baseline(a) => (&a.connection, false),
        MigrateCommand::Repair(a) => (&a.connection, false),
    };
    let url = connection.url(read_only)?;
    let set = MigrationSet::load(url.dialect(), dir).map_err(MigrateError::from)?;
    check_version(&args.command, &set)?;
    if let MigrateCommand::Up(a) = &args.command {
        // Served while it waits for the database too: an init container
        // stuck there is worth seeing.
        let registry = prometheus::Registry::new();
        let metrics = MigrateMetrics::new(&registry)?;
        let grouping = [("command", "migrate")];
        let exporter = a.telemetry.start(&registry, &grouping, out).await?;
        let result = async {
            let mut db = connection.connect(&url).await?;
            let metrics = exporter.as_ref().map(|_| &metrics);
            let result = up::run(a, &set, &mut db, out, metrics).await;
            db.close().await;
            result
        }
        .await;
        if let Some(exporter) = exporter {
            telemetry::finish(exporter, out).await;
        }
        return result;
    }
    let mut db = connection.connect(&url).await?;
    let result = match &args.command {
        MigrateCommand::Up(_) => Ok(()),
        MigrateCommand::Down(a) => down::run(a, &set, &mut db, out).await,
        MigrateCommand::Status(a) => status::run(a, &set, &mut db, out).await,
        MigrateCommand::Baseline(a) => baseline::run(a, &set, &mut db, out).await,
        MigrateCommand::Repair(a) => repair::run(a, &set, &mut db, out).await,
        MigrateCommand::New(_) => Ok(()),
    };
    db.close().await;
    result
}

impl LockTimeout {
    /// What every migrate command that takes the lock is told.
    fn options(&self) -> Result<Options, SettingsError> {
        Ok(Options {
            lock_timeout: self.get()?,
        })
    }
}

/// Bad versions are usage errors: refused before touching the database.
fn check_version(command: &MigrateCommand, set: &MigrationSet) -> Result<(), MigrateError> {
    match command {
        MigrateCommand::Up(up::UpArgs { to: Some(v), .. }) => {
            migrate::check_version(set, *v, false)
        }
        MigrateCommand::Down(down::DownArgs { to: Some(v), .. }) => {
            migrate::check_version(set, *v, true)
        }
        MigrateCommand::Baseline(baseline::BaselineArgs { to: Some(v), .. }) => {
            migrate::check_version(set, *v, false)
        }
        _ => Ok(()),
    }
}
