//! Command-line definitions only (clap). Behaviour lives in `cli::run`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDateTime;
use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::time::{check_year, parse_time, read_time};

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

    /// How long to wait for another runner's lock (0s to 7d)
    #[arg(long, value_name = "DUR", default_value = "5m", value_parser = parse_wait, global = true)]
    pub lock_timeout: Duration,

    /// Retry connecting for up to DUR while the database is not up yet (0s to 7d)
    #[arg(long, value_name = "DUR", default_value = "0s", value_parser = parse_wait, global = true)]
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
    /// Compare the live schema with this snapshot [default: schema/<dialect>.json]
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Compare with no snapshot: the drift check is listed as skipped instead of failing for want of one
    #[arg(long, conflicts_with = "snapshot")]
    pub no_snapshot: bool,
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
        /// Tune chunk sizes toward this duration (1ms to 1h)
        #[arg(long, value_name = "DUR", default_value = "500ms", value_parser = parse_chunk_target)]
        chunk_target: Duration,
        /// Write at most N rows per second (N at least 1)
        #[arg(long, value_name = "N", value_parser = parse_positive, allow_negative_numbers = true)]
        max_rows_per_sec: Option<u64>,
        /// After each chunk, sleep this fraction of its duration (0 to 100)
        #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_sleep_ratio, allow_negative_numbers = true)]
        sleep_ratio: f64,
        /// MariaDB/MySQL: hold chunks back while Threads_running exceeds N (N at least 1)
        #[arg(long, value_name = "N", value_parser = parse_positive, allow_negative_numbers = true)]
        max_threads_running: Option<u64>,
        /// MariaDB/MySQL: a replica whose lag holds chunks back (repeatable)
        #[arg(long = "replica-url", value_name = "URL")]
        replica_urls: Vec<String>,
        /// Hold chunks back while a replica is further behind than this (0s to 7d)
        #[arg(long, value_name = "DUR", default_value = "5s", value_parser = parse_wait)]
        max_replica_lag: Duration,
        /// Workers in this process, each with its own connection (other
        /// processes may run the same plan at once)
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        workers: u16,
        /// A chunk left by a worker that stopped answering is taken over after this (1s to 7d)
        #[arg(long, value_name = "DUR", default_value = "60s", value_parser = parse_lease)]
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
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The moment the figures describe [default: now]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// How far back to count missing price buckets (5m to 3650d)
    #[arg(long, value_name = "DUR", default_value = "48h", value_parser = parse_window)]
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
        #[arg(long, value_name = "V", value_parser = parse_version, allow_negative_numbers = true)]
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
        #[arg(long, value_name = "V", conflicts_with = "steps", value_parser = parse_version, allow_negative_numbers = true)]
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
        #[arg(long, value_name = "V", value_parser = parse_version, allow_negative_numbers = true, required_unless_present = "from", conflicts_with = "from")]
        version: Option<i64>,
        /// Adopt the history another tool keeps in this database (its table is left as it is)
        #[arg(long, value_enum, value_name = "TOOL")]
        from: Option<FromTool>,
        /// Record the version even though the live schema differs from what the migrations build; the reason and the differences go into the migration log
        #[arg(long, value_name = "REASON")]
        force: Option<String>,
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

/// Migration tools whose history `baseline --from` adopts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FromTool {
    /// flyway_schema_history
    Flyway,
    /// _sqlx_migrations
    Sqlx,
    /// schema_migrations (version, dirty)
    GolangMigrate,
    /// schema_migrations (version)
    Dbmate,
    /// refinery_schema_history
    Refinery,
}

/// What the user found about statements in doubt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InDoubtArg {
    /// They took effect
    Applied,
    /// They did not take effect
    NotApplied,
}

/// Parses `500ms`, `30s`, `5m`, `2h`, `7d` or a bare number of seconds.
/// A value too large for a `Duration` is refused, not a panic; flags take
/// a narrower range on top (`Bounds`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let secs = duration_secs(s)?;
    Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("`{}` is too large for a duration", s.trim()))
}

/// The seconds `s` stands for, before they become a `Duration`: the
/// number may be far beyond what one holds.
fn duration_secs(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (examples: 500ms, 30s, 5m, 2h)"))?;
    match unit {
        "ms" => Ok(value / 1000.0),
        "" | "s" => Ok(value),
        "m" => Ok(value * 60.0),
        "h" => Ok(value * 3600.0),
        "d" => Ok(value * 86400.0),
        _ => Err(format!(
            "`{s}`: unknown unit `{unit}` (use ms, s, m, h or d)"
        )),
    }
}

/// The range a duration flag accepts. Every duration ends up in deadline
/// arithmetic (`Instant + d`), SQL or a tuning formula, where a value far
/// beyond what the flag means would overflow or be clamped in silence.
struct Bounds {
    min: Duration,
    max: Duration,
}

impl Bounds {
    fn parse(&self, s: &str) -> Result<Duration, String> {
        let d = Duration::try_from_secs_f64(duration_secs(s)?)
            .ok()
            .filter(|d| *d <= self.max)
            .ok_or_else(|| self.refusal(s, "too large"))?;
        if d < self.min {
            return Err(self.refusal(s, "too small"));
        }
        Ok(d)
    }

    fn refusal(&self, s: &str, what: &str) -> String {
        format!(
            "`{}` is {what} (the range is {} to {})",
            s.trim(),
            duration_text(self.min),
            duration_text(self.max)
        )
    }
}

/// Waiting for a lock, a database or a replica. SQLite's busy timeout
/// stops at i32::MAX ms (under 25 days); a week keeps every dialect honest.
const WAITS: Bounds = Bounds {
    min: Duration::ZERO,
    max: Duration::from_secs(7 * 86_400),
};
/// A chunk is one transaction: past an hour it holds locks for too long to
/// be a chunk at all.
const CHUNK_TARGET: Bounds = Bounds {
    min: Duration::from_millis(1),
    max: Duration::from_secs(3600),
};
/// Leases are whole seconds in the state tables.
const LEASE: Bounds = Bounds {
    min: Duration::from_secs(1),
    max: Duration::from_secs(7 * 86_400),
};
const WINDOW: Bounds = Bounds {
    min: crate::report::MIN_WINDOW,
    max: crate::report::MAX_WINDOW,
};

fn parse_wait(s: &str) -> Result<Duration, String> {
    WAITS.parse(s)
}

fn parse_chunk_target(s: &str) -> Result<Duration, String> {
    CHUNK_TARGET.parse(s)
}

fn parse_lease(s: &str) -> Result<Duration, String> {
    LEASE.parse(s)
}

/// Only the upper end: below 1s and fractions of a second are left to
/// gaps, whose message explains the whole seconds.
fn parse_every(s: &str) -> Result<Duration, String> {
    let max = crate::gaps::MAX_EVERY;
    let too_large = || {
        format!(
            "`{}` is too large (the range is 1s to {})",
            s.trim(),
            duration_text(max)
        )
    };
    let d = Duration::try_from_secs_f64(duration_secs(s)?).map_err(|_| too_large())?;
    if d > max { Err(too_large()) } else { Ok(d) }
}

fn parse_window(s: &str) -> Result<Duration, String> {
    WINDOW.parse(s)
}

/// Sleeping a hundred times each chunk's duration already leaves the
/// database idle 99% of the time; beyond that a run never ends.
const MAX_SLEEP_RATIO: f64 = 100.0;

fn parse_sleep_ratio(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let range = format!("the range is 0 to {MAX_SLEEP_RATIO}");
    let f: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number (examples: 0, 0.5, 2)"))?;
    if !f.is_finite() {
        Err(format!("`{s}` is not a finite number ({range})"))
    } else if f < 0.0 {
        Err(format!("`{s}` is negative ({range})"))
    } else if f > MAX_SLEEP_RATIO {
        Err(format!("`{s}` is too large ({range})"))
    } else {
        Ok(f)
    }
}

/// A limit of 0 would stop a run for good (0 rows per second, 0 running
/// statements), so the smallest is 1.
fn parse_positive(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let range = format!("the range is 1 to {}", u64::MAX);
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{s}` is not a whole number ({range})"));
    }
    match s.parse::<u64>() {
        Ok(0) => Err(format!("`{s}` is too small ({range})")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is too large ({range})")),
    }
}

/// Migration versions are 32-bit in the history table (refinery's
/// `i32`): a larger number can name no migration.
fn parse_version(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let range = format!("versions are 0 to {}", i32::MAX);
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        match s.parse::<i32>() {
            Ok(v) if v >= 0 => Ok(i64::from(v)),
            _ => Err(format!("`{s}` is out of range ({range})")),
        }
    } else {
        Err(format!("`{s}` is not a migration version ({range})"))
    }
}

/// `7d`, `1h`, `5m`, `1s`, `1ms`, `0s`: how a limit is written on the
/// command line.
fn duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    let secs = d.as_secs();
    if !ms.is_multiple_of(1000) {
        format!("{ms}ms")
    } else if secs == 0 {
        "0s".into()
    } else if secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
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
    fn durations_beyond_a_flag_are_refused_not_a_panic() {
        let huge = format!("1{}s", "0".repeat(400));
        for s in [
            "100000000000000000000000s",
            "100000000000000000000000h",
            &huge,
        ] {
            let e = parse_duration(s).unwrap_err();
            assert!(e.contains("too large for a duration"), "{e}");
            let e = WAITS.parse(s).unwrap_err();
            assert!(e.ends_with("is too large (the range is 0s to 7d)"), "{e}");
            let e = parse_every(s).unwrap_err();
            assert!(e.ends_with("is too large (the range is 1s to 366d)"), "{e}");
        }
        assert_eq!(WAITS.parse("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(WAITS.parse("0s"), Ok(Duration::ZERO));
        assert!(WAITS.parse("7.001d").is_err());
        assert_eq!(
            CHUNK_TARGET.parse("0.5ms").unwrap_err(),
            "`0.5ms` is too small (the range is 1ms to 1h)"
        );
        assert_eq!(CHUNK_TARGET.parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(
            LEASE.parse("500ms").unwrap_err(),
            "`500ms` is too small (the range is 1s to 7d)"
        );
        assert_eq!(
            WINDOW.parse("3651d").unwrap_err(),
            "`3651d` is too large (the range is 5m to 3650d)"
        );
        // Zero and fractions are gaps' to explain.
        assert_eq!(parse_every("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_every("366d"), Ok(crate::gaps::MAX_EVERY));
    }

    #[test]
    fn limits_read_like_flags() {
        let text = |ms| duration_text(Duration::from_millis(ms));
        assert_eq!(text(0), "0s");
        assert_eq!(text(1), "1ms");
        assert_eq!(text(1500), "1500ms");
        assert_eq!(text(90_000), "90s");
        assert_eq!(text(300_000), "5m");
        assert_eq!(text(3_600_000), "1h");
        assert_eq!(text(604_800_000), "7d");
    }

    #[test]
    fn numbers_beyond_a_flag_are_refused() {
        assert_eq!(parse_sleep_ratio("0.5"), Ok(0.5));
        assert_eq!(parse_sleep_ratio("100"), Ok(100.0));
        for (s, why) in [
            ("inf", "is not a finite number"),
            ("NaN", "is not a finite number"),
            ("1e400", "is not a finite number"),
            ("-1", "is negative"),
            ("100.5", "is too large"),
            ("half", "is not a number"),
        ] {
            let e = parse_sleep_ratio(s).unwrap_err();
            assert!(e.starts_with(&format!("`{s}` {why}")), "{e}");
        }
        assert_eq!(parse_positive("1"), Ok(1));
        assert_eq!(parse_positive("18446744073709551615"), Ok(u64::MAX));
        for (s, why) in [
            ("0", "is too small"),
            ("18446744073709551616", "is too large"),
            ("99999999999999999999", "is too large"),
            ("-5", "is not a whole number"),
            ("1.5", "is not a whole number"),
        ] {
            let e = parse_positive(s).unwrap_err();
            assert!(e.starts_with(&format!("`{s}` {why}")), "{e}");
        }
    }

    #[test]
    fn versions_are_32_bit() {
        assert_eq!(parse_version("0"), Ok(0));
        assert_eq!(parse_version("2147483647"), Ok(2_147_483_647));
        for s in ["2147483648", "99999999999999999999", "-1"] {
            assert_eq!(
                parse_version(s).unwrap_err(),
                format!("`{s}` is out of range (versions are 0 to 2147483647)")
            );
        }
        assert!(
            parse_version("v3")
                .unwrap_err()
                .contains("is not a migration version")
        );
    }

    #[test]
    fn times_are_in_the_years_1_to_9999() {
        assert!(parse_time("0001-01-01").is_ok());
        assert!(parse_time("9999-12-31T23:59:59Z").is_ok());
        for s in ["0000-12-31", "-262143-01-01", "-0001-06-01 12:00:00"] {
            assert_eq!(
                parse_time(s).unwrap_err(),
                format!("`{s}` is out of range (times are 0001-01-01 to 9999-12-31)")
            );
        }
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
