//! One module per command, each with its arguments (clap) and one entry
//! function `run` that connects, calls the library and hands the result
//! to `cli::render`. Commands never print themselves and never touch the
//! process (exit codes, signals, logging belong to `cli`).

pub mod backfill;
pub mod completions;
pub mod config;
pub mod demo;
pub mod fixtures;
pub mod gaps;
pub mod init;
pub mod man;
pub mod migrate;
pub mod report;
pub mod schema;
pub mod verify;

use super::CliError;
use super::opt::Connection;
use super::settings::{self, SettingsError};
use crate::db::{Db, DbError, DbUrl};

impl Connection {
    /// The URL to connect to (`cli::settings` says where it comes from); a
    /// read-only command's SQLite file is opened read-only, so a missing
    /// one is not created.
    fn url(&self, read_only: bool) -> Result<DbUrl, SettingsError> {
        let found = settings::database_url(self.database_url.as_deref())?;
        // A URL the user did not type here: the error says where it was written.
        let url = DbUrl::parse(&found.url)
            .map_err(|e| SettingsError::BadUrl(Box::new(e), found.source))?;
        Ok(if read_only { url.read_only() } else { url })
    }

    async fn connect(&self, url: &DbUrl) -> Result<Db, DbError> {
        Db::connect(url, self.wait).await
    }

    /// `url` then `connect`, for commands with nothing to check between.
    async fn open(&self, read_only: bool) -> Result<Db, CliError> {
        let url = self.url(read_only)?;
        Ok(self.connect(&url).await?)
    }
}
