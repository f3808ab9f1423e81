//! The binary's edge: parse arguments, set up logging and the signal
//! handling, hand the command to its module in `commands`, and turn errors
//! into one clear message and a documented exit code. What a command does
//! lives in its own file; what it prints lives in `render`.

mod commands;
mod opt;
mod parse;
#[macro_use]
mod render;
mod settings;
mod telemetry;

use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::backfill::BackfillError;
use crate::db::DbError;
use crate::exit;
use crate::fixtures::FixtureError;
use crate::gaps::GapError;
use crate::migrate::MigrateError;
use crate::report::ReportError;
use opt::{Cli, Command, LogFormat};

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            render::errln!("error: cannot start the async runtime: {e}");
            return exit::INTERNAL;
        }
    };
    let cooperative = matches!(cli.command, Command::Backfill(_) | Command::Demo { .. });
    runtime.block_on(async {
        let work = run(&cli);
        tokio::pin!(work);
        tokio::select! {
            code = &mut work => code,
            (signal, code) = shutdown_signal() => {
                if !cooperative {
                    render::errln!("mendb: {signal}; stopped (the database released the lock; work in progress was rolled back or is marked in the migration log)");
                    return code;
                }
                // A backfill finishes its chunk (rows and checkpoint commit
                // together) and stops; a second signal stops at once.
                STOP.store(true, Ordering::SeqCst);
                render::errln!("mendb: {signal}; finishing the current chunk (signal again to stop now)");
                // The work may finish or fail on its own meanwhile (the
                // signal came during the last chunk): its code tells that.
                tokio::select! {
                    c = &mut work => if c == exit::INTERRUPTED { code } else { c },
                    _ = shutdown_signal() => code,
                }
            }
        }
    })
}

/// Waits for SIGINT or SIGTERM; returns what to say and the conventional
/// exit code (128 + signal number).
async fn shutdown_signal() -> (&'static str, i32) {
    const INTERRUPTED: (&str, i32) = ("interrupted", exit::INTERRUPTED);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => INTERRUPTED,
                _ = term.recv() => ("terminated", exit::TERMINATED),
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                INTERRUPTED
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        INTERRUPTED
    }
}

fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose, cli.log_format) {
        (true, _, _) => "error",
        (false, 0, LogFormat::Text) => "warn",
        (false, 0, LogFormat::Json) | (false, 1, _) => "info",
        (false, 2, _) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{default},sqlx=warn,refinery_core=warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour_on_stderr())
        .with_target(false);
    let _ = match cli.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.compact().try_init(),
    };
}

/// Colour codes only for a person at a terminal: a file, a pipe or a CI
/// log gets plain text, and a non-empty `NO_COLOR` (no-color.org) turns
/// them off everywhere.
fn colour_on_stderr() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Everything that can stop a command, with its exit code.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    #[error(transparent)]
    Gaps(#[from] GapError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Backfill(#[from] BackfillError),
    #[error(transparent)]
    Settings(#[from] settings::SettingsError),
    #[error(transparent)]
    Init(#[from] commands::init::InitError),
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    GapsFound(String),
    #[error("{0}")]
    Interrupted(String),
    #[error("{0}")]
    VerifyFailed(String),
    /// `migrate status --exit-code`: not up to date, and why.
    #[error("{0}")]
    NotClean(String, i32),
    /// An error whose message the render layer composed.
    #[error("{message}")]
    Rendered { message: String, code: i32 },
}

impl CliError {
    fn exit_code(&self) -> i32 {
        match self {
            CliError::Migrate(e) => e.exit_code(),
            CliError::Db(e) => e.exit_code(),
            CliError::Fixtures(e) => e.exit_code(),
            CliError::Gaps(e) => e.exit_code(),
            CliError::Report(e) => e.exit_code(),
            CliError::Backfill(e) => e.exit_code(),
            CliError::Settings(e) => e.exit_code(),
            CliError::Init(e) => e.exit_code(),
            CliError::Metrics(e) => e.exit_code(),
            CliError::Usage(_) => exit::USAGE,
            CliError::GapsFound(_) => exit::GAPS_FOUND,
            CliError::Interrupted(_) => exit::INTERRUPTED,
            CliError::VerifyFailed(_) => exit::VERIFY_FAILED,
            CliError::NotClean(_, code) => *code,
            CliError::Rendered { code, .. } => *code,
        }
    }
}

async fn run(cli: &Cli) -> i32 {
    let out = render::Output::new(cli.command.format(), cli.log_format, cli.quiet);
    match dispatch(cli, &out).await {
        Ok(()) => exit::OK,
        // The command printed its result already; a second JSON document
        // on stdout would break parsers, so only say why on stderr.
        Err(
            e @ (CliError::GapsFound(_)
            | CliError::Interrupted(_)
            | CliError::VerifyFailed(_)
            | CliError::NotClean(..)),
        ) => {
            out.notice(&e.to_string(), e.exit_code());
            e.exit_code()
        }
        Err(e) => {
            out.error(&e.to_string(), e.exit_code());
            e.exit_code()
        }
    }
}

async fn dispatch(cli: &Cli, out: &render::Output) -> Result<(), CliError> {
    match &cli.command {
        Command::Migrate(args) => commands::migrate::run(args, out).await,
        Command::Fixtures(args) => commands::fixtures::run(args, out).await,
        Command::Gaps(args) => commands::gaps::run(args, out).await,
        Command::Report(args) => commands::report::run(args, out).await,
        Command::Backfill(args) => commands::backfill::run(args, &STOP, out).await,
        Command::Verify(args) => commands::verify::run(args, out).await,
        Command::Schema(args) => commands::schema::run(args, out).await,
        Command::Demo(args) => commands::demo::run(args, &STOP, out).await,
        Command::Config(args) => Ok(commands::config::run(args, out)?),
        Command::Init(args) => Ok(commands::init::run(args, out)?),
        Command::Completions(args) => {
            commands::completions::run(args);
            Ok(())
        }
        Command::Man(args) => commands::man::run(args, out).map_err(|e| CliError::Rendered {
            message: format!("cannot write the manual pages: {e}"),
            code: exit::INTERNAL,
        }),
    }
}

/// Set by the first SIGINT/SIGTERM during a backfill or the demo: the run
/// stops after the current chunk, resumable.
static STOP: AtomicBool = AtomicBool::new(false);
