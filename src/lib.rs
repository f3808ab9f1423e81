//! mendb: versioned, reversible schema migrations and resumable backfills
//! for a crypto market-data database on MySQL/MariaDB, PostgreSQL and
//! SQLite. The binary is `cli::main`; everything else returns data.

pub mod backfill;
pub mod checksum;
pub mod cli;
pub mod db;
pub mod exit;
pub mod fixtures;
pub mod gaps;
pub mod metrics;
pub mod migrate;
pub mod position;
pub mod report;
pub mod sql;
pub mod time;
pub mod verify;
