//! The top of the command line (clap): the flags every command takes, the
//! list of commands, and the flag groups several commands share. Each
//! command's own arguments live next to it in `cli::commands`; behaviour
//! lives there too, not here.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::commands::{
    backfill::BackfillArgs, completions::CompletionsArgs, config::ConfigArgs, demo::DemoArgs,
    fixtures::FixturesArgs, gaps::GapsArgs, init::InitArgs, man::ManArgs, migrate::MigrateArgs,
    report::ReportArgs, schema::SchemaArgs, verify::VerifyArgs,
};
use super::parse::parse_wait;
use super::settings::{self, Folder, SettingsError};

#[derive(Debug, Parser)]
#[command(
    name = "mendb",
    version,
    about = "Mends a crypto market-data database: reversible schema migrations and resumable backfills"
)]
pub struct Cli {
    /// Format of log lines on stderr
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// More logging (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
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
    Demo(DemoArgs),
    /// The settings in effect and where each came from (passwords masked)
    Config(ConfigArgs),
    /// Start a project of your own: mendb.toml, migrations, contracts, backfill plans, schema/
    Init(InitArgs),
    /// Print the completion script for a shell (bash, zsh, fish, powershell)
    Completions(CompletionsArgs),
    /// Print the manual page, or write one per command with --output DIR
    Man(ManArgs),
}

impl Command {
    /// How results and errors are written: text or JSON. Prometheus and
    /// JUnit are extra renderings of one command's result; its errors are
    /// text.
    pub fn format(&self) -> Format {
        match self {
            Command::Migrate(a) => a.output.format(),
            Command::Fixtures(a) => a.output.format(),
            Command::Gaps(a) => a.output.format(),
            Command::Backfill(a) => a.output.format(),
            Command::Schema(a) => a.output.format(),
            Command::Demo(a) => a.output.format(),
            Command::Config(a) => a.output.format(),
            Command::Init(a) => a.output.format(),
            Command::Completions(_) | Command::Man(_) => Format::Text,
            Command::Report(a) => a.format().output(),
            Command::Verify(a) => a.format().output(),
        }
    }
}

/// Text for people, JSON for programs: what every command renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// As written in `--format` and in `mendb.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `--format` of a command that renders text or JSON only. Global, so that
/// in a command with subcommands it may stand before or after the
/// subcommand.
#[derive(Debug, Args)]
pub struct TextOrJson {
    /// Output format of results [default: text, or format in mendb.toml]
    #[arg(long = "format", value_enum, global = true)]
    format: Option<Format>,
}

impl TextOrJson {
    pub fn format(&self) -> Format {
        self.format.unwrap_or_else(default_format)
    }
}

/// The format `mendb.toml` asks for, else text. A file that cannot be
/// read is reported by the first setting the command reads from it.
pub fn default_format() -> Format {
    settings::project()
        .ok()
        .flatten()
        .and_then(|p| p.format())
        .unwrap_or(Format::Text)
}

/// Where the database is and how long to wait for it: every command that
/// connects to one.
#[derive(Debug, Args)]
pub struct Connection {
    /// Database URL: mysql://, mariadb://, postgres://, postgresql://, sqlite:FILE or sqlite::memory:; without it, DATABASE_URL from the environment, then from ./.env, then database_url in mendb.toml (here or in a parent directory)
    #[arg(long, global = true)]
    pub database_url: Option<String>,

    /// Retry connecting for up to DUR while the database is not up yet (0s to 7d)
    #[arg(long, value_name = "DUR", default_value = "0s", value_parser = parse_wait, global = true)]
    pub wait: Duration,
}

/// Commands that read the migration files.
#[derive(Debug, Args)]
pub struct Migrations {
    /// Read migrations from DIR (or DIR/<dialect>/) [default: migrations in mendb.toml, else the embedded ones]
    #[arg(long = "migrations", value_name = "DIR", global = true)]
    migrations: Option<PathBuf>,
}

impl Migrations {
    /// The folder in use; None for the migrations embedded in mendb.
    pub fn dir(&self) -> Result<Option<PathBuf>, SettingsError> {
        settings::folder(self.migrations.as_deref(), Folder::Migrations)
    }
}

/// Commands that check the consumer contracts.
#[derive(Debug, Args)]
pub struct Contracts {
    /// Read consumer contracts from DIR (every *.toml) [default: contracts in mendb.toml, else the embedded ones]
    #[arg(long = "contracts", value_name = "DIR")]
    contracts: Option<PathBuf>,
}

impl Contracts {
    /// The folder in use; None for the contracts embedded in mendb.
    pub fn dir(&self) -> Result<Option<PathBuf>, SettingsError> {
        settings::folder(self.contracts.as_deref(), Folder::Contracts)
    }
}

/// How long a lock is waited for when neither the flag nor `mendb.toml`
/// says.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(300);

/// Commands that take mendb's lock before they write.
#[derive(Debug, Args)]
pub struct LockTimeout {
    /// How long to wait for another runner's lock (0s to 7d) [default: 5m, or lock_timeout in mendb.toml]
    #[arg(long = "lock-timeout", value_name = "DUR", value_parser = parse_wait)]
    lock_timeout: Option<Duration>,
}

impl LockTimeout {
    pub fn get(&self) -> Result<Duration, SettingsError> {
        if let Some(d) = self.lock_timeout {
            return Ok(d);
        }
        Ok(settings::project()?
            .and_then(|p| p.lock_timeout())
            .unwrap_or(LOCK_TIMEOUT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
