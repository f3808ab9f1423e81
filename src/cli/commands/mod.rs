//! One module per command, each with its arguments (clap) and one entry
//! function `run` that connects, calls the library and hands the result
//! to `cli::render`. Commands never print themselves and never touch the
//! process (exit codes, signals, logging belong to `cli`).

pub mod backfill;
pub mod demo;
pub mod fixtures;
pub mod gaps;
pub mod migrate;
pub mod report;
pub mod schema;
pub mod verify;

use super::opt::Connection;
use crate::db::{DEFAULT_URL, Db, DbError, DbUrl};

impl Connection {
    /// The URL to connect to; a read-only command's SQLite file is opened
    /// read-only, so a missing one is not created.
    fn url(&self, read_only: bool) -> Result<DbUrl, DbError> {
        let url = DbUrl::parse(self.database_url.as_deref().unwrap_or(DEFAULT_URL))?;
        Ok(if read_only { url.read_only() } else { url })
    }

    async fn connect(&self, url: &DbUrl) -> Result<Db, DbError> {
        Db::connect(url, self.wait).await
    }

    /// `url` then `connect`, for commands with nothing to check between.
    async fn open(&self, read_only: bool) -> Result<Db, DbError> {
        let url = self.url(read_only)?;
        self.connect(&url).await
    }
}
