//! `mendb gaps`: missing time buckets per key, and the exit code that
//! lets a cron job alert on them. Reads only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDateTime;
use clap::{Args, ValueEnum};

use crate::cli::CliError;
use crate::cli::opt::{Connection, Format, default_format};
use crate::cli::parse::parse_every;
use crate::cli::render::{self, Output};
use crate::db::Db;
use crate::exit;
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
    pub output: GapsOutput,
    #[command(flatten)]
    pub connection: Connection,
}

/// `--format` and `--output` of `gaps`: the ranges as text or JSON, or
/// the gap map as an SVG picture, on stdout or in a file.
#[derive(Debug, Args)]
pub struct GapsOutput {
    /// Output format of results [default: text, or format in mendb.toml]
    #[arg(long = "format", value_enum)]
    format: Option<GapsFormat>,
    /// Write the SVG gap map to FILE (its folder is created) instead of stdout
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GapsFormat {
    Text,
    Json,
    /// The gap map: keys by time buckets, missing ones in red
    Svg,
}

impl GapsOutput {
    pub fn kind(&self) -> GapsFormat {
        self.format.unwrap_or_else(|| match default_format() {
            Format::Text => GapsFormat::Text,
            Format::Json => GapsFormat::Json,
        })
    }

    /// How errors are written: text unless JSON was asked for.
    pub fn format(&self) -> Format {
        match self.kind() {
            GapsFormat::Json => Format::Json,
            GapsFormat::Text | GapsFormat::Svg => Format::Text,
        }
    }
}

/// The bytes of a picture or page in `file`, written whole or not at all:
/// a browser or a CI artifact upload never sees half a file. The folder is
/// created first.
pub fn write_whole(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut partial = file.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

/// A picture or page that could not be written: which, where, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {what} to {}: {source}", file.display())]
pub struct WriteError {
    what: &'static str,
    file: PathBuf,
    source: std::io::Error,
}

impl From<WriteError> for CliError {
    fn from(e: WriteError) -> CliError {
        CliError::Rendered {
            message: e.to_string(),
            code: exit::INTERNAL,
        }
    }
}

/// `write_whole`, failing with an error that names the file and what it
/// was to hold.
pub fn write_picture(file: &Path, what: &'static str, bytes: &[u8]) -> Result<(), WriteError> {
    write_whole(file, bytes).map_err(|source| WriteError {
        what,
        file: file.to_path_buf(),
        source,
    })
}

pub async fn run(args: &GapsArgs, out: &Output) -> Result<(), CliError> {
    if args.output.output.is_some() && args.output.kind() != GapsFormat::Svg {
        return Err(CliError::Usage(
            "--output writes the gap map: add --format svg".into(),
        ));
    }
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
    match (args.output.kind(), &args.output.output) {
        (GapsFormat::Svg, Some(file)) => {
            write_picture(file, "the gap map", render::gap_map(&report).as_bytes())?;
            out.gap_map_written(file, &report);
        }
        (GapsFormat::Svg, None) => out.gap_map(&report),
        (GapsFormat::Text | GapsFormat::Json, _) => out.gaps(&report),
    }
    match args.fail_if_missing {
        Some(limit) if report.buckets_missing > limit => Err(CliError::GapsFound(format!(
            "{} buckets missing in {}, more than the {limit} allowed by --fail-if-missing",
            report.buckets_missing, report.table
        ))),
        _ => Ok(()),
    }
}
