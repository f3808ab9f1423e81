//! `mendb gaps`: missing time buckets per key, and the exit code that
//! lets a cron job alert on them. Reads only.

use std::time::Duration;

use chrono::NaiveDateTime;
use clap::Args;

use crate::cli::CliError;
use crate::cli::opt::{Connection, TextOrJson};
use crate::cli::parse::parse_every;
use crate::cli::render::Output;
use crate::db::Db;
use crate::gaps::{self, GapQuery};
use crate::time::parse_time;

#[derive(Debug, Args)]
pub struct GapsArgs {
    /// Table to inspect
    #[arg(long)]
    pub table: String,
    /// Column that identifies a series (e.g. symbol)
    #[arg(long, default_value = "symbol")]
    pub key: String,
    /// Timestamp column
    #[arg(long, default_value = "timestamp")]
    pub time: String,
    /// Bucket width, e.g. 5m or 1h (whole seconds, 1s to 366d)
    #[arg(long, value_name = "DUR", value_parser = parse_every)]
    pub every: Duration,
    /// Start of the window (inclusive) [default: the table's first row]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<NaiveDateTime>,
    /// End of the window (exclusive) [default: now]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<NaiveDateTime>,
    /// Only these keys (comma-separated); keys without any row count as fully missing
    #[arg(long, value_delimiter = ',')]
    pub symbols: Option<Vec<String>>,
    /// Exit 10 when more than N buckets are missing
    #[arg(long, value_name = "N")]
    pub fail_if_missing: Option<u64>,
    #[command(flatten)]
    pub output: TextOrJson,
    #[command(flatten)]
    pub connection: Connection,
}

pub async fn run(args: &GapsArgs, out: &Output) -> Result<(), CliError> {
    let mut db = args.connection.open(true).await?;
    let result = find(args, &mut db, out).await;
    db.close().await;
    result
}

async fn find(args: &GapsArgs, db: &mut Db, out: &Output) -> Result<(), CliError> {
    let query = GapQuery {
        table: args.table.clone(),
        key: args.key.clone(),
        time: args.time.clone(),
        every: args.every,
        since: args.since,
        until: args.until,
        keys: args.symbols.clone(),
    };
    let report = gaps::find(db, &query).await?;
    out.gaps(&report);
    match args.fail_if_missing {
        Some(limit) if report.buckets_missing > limit => Err(CliError::GapsFound(format!(
            "{} buckets missing in {}, more than the {limit} allowed by --fail-if-missing",
            report.buckets_missing, report.table
        ))),
        _ => Ok(()),
    }
}
