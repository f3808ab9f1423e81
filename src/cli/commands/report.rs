//! `mendb report`: the health figures as text, JSON or Prometheus
//! metrics. Reads only.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDateTime;
use clap::{Args, ValueEnum};

use crate::cli::CliError;
use crate::cli::commands::gaps::write_picture;
use crate::cli::opt::{Connection, Format, Migrations, default_format};
use crate::cli::parse::parse_window;
use crate::cli::render::{self, Output};
use crate::cli::telemetry::Push;
use crate::db::Db;
use crate::metrics;
use crate::migrate::{MigrateError, MigrationSet};
use crate::report::{self, ReportError, ReportOptions};
use crate::time::parse_time;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Count missing price buckets from TIME on [default: 48h before --until]
    #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with = "window")]
    pub since: Option<NaiveDateTime>,
    /// The moment the figures describe, the end of the window [default: now]
    #[arg(long = "until", alias = "at", value_name = "TIME", value_parser = parse_time)]
    pub until: Option<NaiveDateTime>,
    /// The window's length instead of --since (5m to 3650d)
    #[arg(long, value_name = "DUR", value_parser = parse_window)]
    pub window: Option<Duration>,
    /// Output format of results [default: text, or format in mendb.toml]
    #[arg(long = "format", value_enum)]
    format: Option<ReportFormat>,
    /// Write the HTML page to FILE (its folder is created) instead of stdout
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    pub migrations: Migrations,
    #[command(flatten)]
    pub connection: Connection,
    #[command(flatten)]
    pub push: Push,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    /// Prometheus text exposition format
    Prom,
    /// One self-contained page with the gap map inline
    Html,
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
            ReportFormat::Text | ReportFormat::Prom | ReportFormat::Html => Format::Text,
        }
    }
}

/// The window ends at `--until` and starts at `--since`, or `--window`
/// before its end; a window the flags allow in no other spelling is
/// refused the same way.
fn options(args: &ReportArgs) -> Result<ReportOptions, ReportError> {
    let at = args.until.unwrap_or_else(|| chrono::Utc::now().naive_utc());
    let window = match (args.since, args.window) {
        (Some(since), _) => {
            let secs = (at - since).num_seconds();
            let text = format!("{}s", secs.max(0));
            parse_window(&text).map_err(|why| {
                ReportError::Usage(format!("--since {since} --until {at}: the window {why}"))
            })?
        }
        (None, Some(window)) => window,
        (None, None) => report::DEFAULT_WINDOW,
    };
    Ok(ReportOptions { at, window })
}

pub async fn run(args: &ReportArgs, out: &Output) -> Result<(), CliError> {
    if args.output.is_some() && args.format() != ReportFormat::Html {
        return Err(CliError::Usage(
            "--output writes the HTML page: add --format html".into(),
        ));
    }
    let url = args.connection.url(true)?;
    let opts = options(args)?;
    let push = args.push.target(&[("command", "report")])?;
    let dir = args.migrations.dir()?;
    let dir = dir.as_deref();
    let set = MigrationSet::load(url.dialect(), dir).map_err(MigrateError::from)?;
    let mut db = args.connection.connect(&url).await?;
    let result = build(args, &opts, &set, &mut db, out).await;
    db.close().await;
    let report = result?;
    if let Some(target) = push {
        let registry = metrics::report_registry(&report)?;
        out.metrics_pushed(&target.push_now(&registry).await);
    }
    Ok(())
}

async fn build(
    args: &ReportArgs,
    opts: &ReportOptions,
    set: &MigrationSet,
    db: &mut Db,
    out: &Output,
) -> Result<report::Report, CliError> {
    let report = report::build(db, set, opts).await?;
    match (args.format(), &args.output) {
        (ReportFormat::Html, Some(file)) => {
            let page = render::report_html(&report);
            write_picture(file, "the report page", page.as_bytes())?;
            out.report_page_written(file, &report);
        }
        (ReportFormat::Html, None) => out.report_html(&report),
        (ReportFormat::Prom, _) => out.report_prom(&metrics::report_text(&report)?),
        (ReportFormat::Text | ReportFormat::Json, _) => out.report(&report),
    }
    Ok(report)
}
