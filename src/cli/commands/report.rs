//! `mendb report`: the health figures as text, JSON or Prometheus
//! metrics. Reads only.

use std::time::Duration;

use chrono::NaiveDateTime;
use clap::{Args, ValueEnum};

use crate::cli::CliError;
use crate::cli::opt::{Connection, Format, Migrations, default_format};
use crate::cli::parse::parse_window;
use crate::cli::render::Output;
use crate::db::Db;
use crate::migrate::{MigrateError, MigrationSet};
use crate::report::{self, ReportOptions};
use crate::time::parse_time;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The moment the figures describe [default: now]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// How far back to count missing price buckets (5m to 3650d)
    #[arg(long, value_name = "DUR", default_value = "48h", value_parser = parse_window)]
    pub window: Duration,
    /// Output format of results [default: text, or format in mendb.toml]
    #[arg(long = "format", value_enum)]
    format: Option<ReportFormat>,
    #[command(flatten)]
    pub migrations: Migrations,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    /// Prometheus text exposition format
    Prom,
}

impl ReportArgs {
    pub fn format(&self) -> ReportFormat {
        self.format.unwrap_or_else(|| match default_format() {
            Format::Text => ReportFormat::Text,
            Format::Json => ReportFormat::Json,
        })
    }
}

impl ReportFormat {
    /// Errors are written as text unless JSON was asked for.
    pub fn output(self) -> Format {
        match self {
            ReportFormat::Json => Format::Json,
            ReportFormat::Text | ReportFormat::Prom => Format::Text,
        }
    }
}

pub async fn run(args: &ReportArgs, out: &Output) -> Result<(), CliError> {
    let url = args.connection.url(true)?;
    let dir = args.migrations.dir()?;
    let dir = dir.as_deref();
    let set = MigrationSet::load(url.dialect(), dir).map_err(MigrateError::from)?;
    let mut db = args.connection.connect(&url).await?;
    let result = build(args, &set, &mut db, out).await;
    db.close().await;
    result
}

async fn build(
    args: &ReportArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    let opts = ReportOptions {
        at: args.at.unwrap_or_else(|| chrono::Utc::now().naive_utc()),
        window: args.window,
    };
    let report = report::build(db, set, &opts).await?;
    match args.format() {
        ReportFormat::Prom => out.report_prom(&report),
        ReportFormat::Text | ReportFormat::Json => out.report(&report),
    }
    Ok(())
}
