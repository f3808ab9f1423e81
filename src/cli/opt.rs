//! Command-line definitions only (clap). Behaviour lives in `cli::run`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDateTime;
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

    /// Read consumer contracts from DIR (every *.toml) instead of the embedded ones
    #[arg(long, value_name = "DIR", global = true)]
    pub contracts: Option<PathBuf>,

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
    /// Prometheus text exposition format (`report` only)
    Prom,
    /// JUnit XML for CI systems (`verify` only)
    Junit,
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
    /// Build the incident world of 2025-09-30 (deterministic test data)
    Fixtures(FixturesArgs),
    /// Missing time buckets per key, as ranges
    Gaps(GapsArgs),
    /// Health figures: freshness, gaps, on-chain coverage, ML population, migrations
    Report(ReportArgs),
    /// Run and inspect resumable, chunked backfill plans
    Backfill(BackfillArgs),
    /// The CI gate: migration files, history, drift, contracts, destructive changes
    Verify(VerifyArgs),
    /// Describe the live schema
    Schema(SchemaArgs),
    /// The whole story on a fresh SQLite file: world, report, migrate, recover, report
    Demo {
        /// The demo's SQLite file, deleted and rebuilt
        #[arg(long, default_value = "mendb-demo.db")]
        file: PathBuf,
        /// Size of the world (1 is the documented scale)
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Compare the live schema with this snapshot [default: schema/<dialect>.json, when it exists]
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Also run the migrations on a scratch database: up, down to 0, up again
    #[arg(long)]
    pub roundtrip: bool,
    /// Pending migrations are not a failure (they are still checked)
    #[arg(long)]
    pub allow_pending: bool,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[command(subcommand)]
    pub command: SchemaCommand,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print the live schema, normalized and sorted (--format json writes a snapshot for verify)
    Dump {
        /// Include mendb's and refinery's own tables and tables parked by a prune
        #[arg(long)]
        include_internal: bool,
    },
}

#[derive(Debug, Args)]
pub struct BackfillArgs {
    #[command(subcommand)]
    pub command: BackfillCommand,
}

#[derive(Debug, Subcommand)]
pub enum BackfillCommand {
    /// Run a plan, or resume its unfinished run
    Run {
        /// A plan file, or the name of a plan shipped with mendb (e.g. fill-price-gaps)
        plan: String,
        /// Override a parameter: NAME=VALUE (repeatable)
        #[arg(long = "set", value_name = "NAME=VALUE")]
        sets: Vec<String>,
        /// Print per step the rows, chunks and SQL it would run; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Abandon an unfinished run (even of a changed plan) and start over
        #[arg(long)]
        restart: bool,
        /// Tune chunk sizes toward this duration
        #[arg(long, value_name = "DUR", default_value = "500ms", value_parser = parse_duration)]
        chunk_target: Duration,
        /// Write at most N rows per second
        #[arg(long, value_name = "N")]
        max_rows_per_sec: Option<u64>,
        /// After each chunk, sleep this fraction of its duration
        #[arg(long, value_name = "F", default_value_t = 0.0)]
        sleep_ratio: f64,
        /// MariaDB/MySQL: hold chunks back while Threads_running exceeds N
        #[arg(long, value_name = "N")]
        max_threads_running: Option<u64>,
        /// MariaDB/MySQL: a replica whose lag holds chunks back (repeatable)
        #[arg(long = "replica-url", value_name = "URL")]
        replica_urls: Vec<String>,
        /// Hold chunks back while a replica is further behind than this
        #[arg(long, value_name = "DUR", default_value = "5s", value_parser = parse_duration)]
        max_replica_lag: Duration,
        /// Workers in this process, each with its own connection (other
        /// processes may run the same plan at once)
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        workers: u16,
        /// A chunk left by a worker that stopped answering is taken over after this
        #[arg(long, value_name = "DUR", default_value = "60s", value_parser = parse_duration)]
        lease: Duration,
    },
    /// Show runs and their progress
    Status {
        /// Only this plan (file or shipped name)
        plan: Option<String>,
    },
}

impl Command {
    /// Commands that must not write, so a missing SQLite file is not created.
    pub fn is_read_only(&self) -> bool {
        match self {
            Command::Migrate(m) => match &m.command {
                MigrateCommand::Status => true,
                MigrateCommand::Up { dry_run, .. } | MigrateCommand::Down { dry_run, .. } => {
                    *dry_run
                }
                _ => false,
            },
            Command::Gaps(_) | Command::Report(_) | Command::Verify(_) | Command::Schema(_) => true,
            Command::Backfill(b) => match &b.command {
                BackfillCommand::Run { dry_run, .. } => *dry_run,
                BackfillCommand::Status { .. } => true,
            },
            Command::Fixtures(_) | Command::Demo { .. } => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct FixturesArgs {
    #[command(subcommand)]
    pub command: FixturesCommand,
}

#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Load the world into an empty database (migrating it to V1 first) or one at V1
    Load {
        /// Size of the world: 1 is the documented scale; tests use less
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Seed of the generator; the same seed and scale give the same rows
        #[arg(long, default_value_t = 20250930)]
        seed: u64,
    },
}

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
    /// Bucket width, e.g. 5m or 1h
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
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
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The moment the figures describe [default: now]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// How far back to count missing price buckets
    #[arg(long, value_name = "DUR", default_value = "48h", value_parser = parse_duration)]
    pub window: Duration,
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
        /// Then check the consumer contracts against the migrated schema (exit 13 if one fails)
        #[arg(long)]
        verify: bool,
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
        #[arg(long, conflicts_with = "in_doubt")]
        rerun: bool,
        /// Settle statements in doubt (sent, commit never recorded): `applied` resumes after them, `not-applied` runs them again
        #[arg(long, value_enum, value_name = "OUTCOME")]
        in_doubt: Option<InDoubtArg>,
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

/// What the user found about statements in doubt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InDoubtArg {
    /// They took effect
    Applied,
    /// They did not take effect
    NotApplied,
}

/// Parses a UTC time: `2025-09-30T12:00:00Z`, `2025-09-30 12:00:00` or
/// `2025-09-30`.
pub fn parse_time(s: &str) -> Result<NaiveDateTime, String> {
    let t = s.trim().trim_end_matches('Z').replace('T', " ");
    NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map_err(|_| format!("`{s}` is not a UTC time (examples: 2025-09-30T12:00:00Z, 2025-09-30 12:00:00, 2025-09-30)"))
}

/// Parses `500ms`, `30s`, `5m`, `2h`, `7d` or a bare number of seconds.
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
        "d" => value * 86400.0,
        _ => {
            return Err(format!(
                "`{s}`: unknown unit `{unit}` (use ms, s, m, h or d)"
            ));
        }
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
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86400)));
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn times() {
        let t = parse_time("2025-09-30T12:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2025-09-30 12:00:00");
        assert_eq!(parse_time("2025-09-30 12:00:00"), Ok(t));
        assert_eq!(
            parse_time("2025-09-30").unwrap().to_string(),
            "2025-09-30 00:00:00"
        );
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
