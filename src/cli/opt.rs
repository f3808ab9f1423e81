//! Command-line definitions only (clap). Behaviour lives in `cli::run`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mendb",
    version,
    about = "Mends a crypto market-data database: reversible schema migrations and resumable backfills"
)]
pub struct Cli {
    /// Database URL: mysql://, mariadb://, postgres://, postgresql://, sqlite:FILE or sqlite::memory: [default: sqlite:mendb.db]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Read migrations from DIR (or DIR/<dialect>/) instead of the embedded ones
    #[arg(long, value_name = "DIR", global = true)]
    pub migrations: Option<PathBuf>,

    /// Output format of results
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,

    /// Format of log lines on stderr
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// More logging (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// How long to wait for another runner's lock
    #[arg(long, value_name = "DUR", default_value = "5m", value_parser = parse_duration, global = true)]
    pub lock_timeout: Duration,

    /// Retry connecting for up to DUR while the database is not up yet
    #[arg(long, value_name = "DUR", default_value = "0s", value_parser = parse_duration, global = true)]
    pub wait: Duration,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply, revert and inspect schema migrations
    Migrate(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations, oldest first, under the migration lock
    Up {
        /// Stop after this version
        #[arg(long, value_name = "V")]
        to: Option<i64>,
        /// Print what would run, write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Revert applied migrations, newest first, with their .down.sql files
    Down {
        /// Revert every migration above V (0 reverts all)
        #[arg(long, value_name = "V", conflicts_with = "steps")]
        to: Option<i64>,
        /// Revert the newest N migrations [default: 1]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        steps: Option<u32>,
        /// Print what would run, write nothing
        #[arg(long)]
        dry_run: bool,
        /// Proceed even though a down drops tables or columns that hold data
        #[arg(long)]
        allow_data_loss: bool,
    },
    /// Show every migration: applied, pending, changed, dirty
    Status,
    /// Adopt an existing database: record migrations up to V as applied without running them
    Baseline {
        /// The version the database already matches
        #[arg(long, value_name = "V")]
        version: i64,
    },
    /// Clear a dirty mark after fixing the database by hand
    Repair {
        /// Start the failed migration over instead of resuming after its completed statements
        #[arg(long)]
        rerun: bool,
        /// Accept edited applied migrations by recording their new checksums
        #[arg(long)]
        recompute_checksums: bool,
    },
    /// Create V<next>__NAME.sql and .down.sql in every dialect folder
    New {
        /// lowercase_with_underscores
        name: String,
    },
}

/// Parses `500ms`, `30s`, `5m`, `2h` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (examples: 500ms, 30s, 5m, 2h)"))?;
    let secs = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use ms, s, m or h)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("5 minutes").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
