//! `mendb migrate status`: every migration and its state; reads only.

use clap::Args;

use crate::cli::CliError;
use crate::cli::opt::Connection;
use crate::cli::render::Output;
use crate::db::Db;
use crate::exit;
use crate::migrate::{self, MigrationSet, StatusReport};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Exit 6 if a migration left the database dirty, 5 if files and history disagree, 14 if migrations are pending; 0 only when up to date
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub connection: Connection,
}

pub async fn run(
    args: &StatusArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    let report = migrate::status(db, set).await?;
    out.status(&report);
    match args.exit_code.then(|| not_clean(&report)).flatten() {
        Some((message, code)) => Err(CliError::NotClean(message, code)),
        None => Ok(()),
    }
}

/// Why the database is not up to date with the files, worst first, and
/// the exit code that says so.
fn not_clean(report: &StatusReport) -> Option<(String, i32)> {
    if let Some(d) = report.dirty.first() {
        return Some((
            format!(
                "the database is dirty: V{} {} ({}) did not finish",
                d.version, d.name, d.direction
            ),
            exit::DIRTY,
        ));
    }
    if let Some(p) = report.problems.first() {
        return Some((p.clone(), exit::FILES_OR_HISTORY));
    }
    (report.pending > 0).then(|| {
        (
            format!("{} migration(s) pending", report.pending),
            exit::PENDING,
        )
    })
}
