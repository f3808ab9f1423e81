//! The binary's edge: parse arguments, set up logging, connect, run one
//! command, render its result (text or JSON) and turn errors into one clear
//! message and a documented exit code.

mod opt;
#[macro_use]
mod render;

use std::path::Path;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::db::{DEFAULT_URL, Db, DbError, DbUrl};
use crate::migrate::{
    self, DownOptions, DownTarget, MigrateError, MigrationSet, Options, RepairOptions,
};
pub use opt::{Cli, Command, Format, LogFormat, MigrateCommand, parse_duration};

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                migrate::exit::USAGE
            } else {
                0
            };
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
            return migrate::exit::INTERNAL;
        }
    };
    runtime.block_on(async {
        tokio::select! {
            code = run(&cli) => code,
            (signal, code) = shutdown_signal() => {
                render::errln!("mendb: {signal}; stopped (the database released the lock; work in progress was rolled back or is marked in the migration log)");
                code
            }
        }
    })
}

/// Waits for SIGINT or SIGTERM; returns what to say and the conventional
/// exit code (128 + signal number).
async fn shutdown_signal() -> (&'static str, i32) {
    const INTERRUPTED: (&str, i32) = ("interrupted", 130);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => INTERRUPTED,
                _ = term.recv() => ("terminated", 143),
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
        .with_target(false);
    let _ = match cli.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.compact().try_init(),
    };
}

/// Everything that can stop a command, with its exit code.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl CliError {
    fn exit_code(&self) -> i32 {
        match self {
            CliError::Migrate(e) => e.exit_code(),
            CliError::Db(e) => migrate::db_exit_code(e),
        }
    }
}

async fn run(cli: &Cli) -> i32 {
    let out = render::Output::new(cli.format, cli.log_format, cli.quiet);
    match dispatch(cli, &out).await {
        Ok(()) => 0,
        Err(e) => {
            out.error(&e.to_string(), e.exit_code());
            e.exit_code()
        }
    }
}

async fn dispatch(cli: &Cli, out: &render::Output) -> Result<(), CliError> {
    let Command::Migrate(args) = &cli.command;
    if let MigrateCommand::New { name } = &args.command {
        let dir = cli.migrations.as_deref().unwrap_or(Path::new("migrations"));
        let made = migrate::scaffold(dir, name)?;
        out.scaffolded(&made);
        return Ok(());
    }
    let raw = cli.database_url.as_deref().unwrap_or(DEFAULT_URL);
    let mut url = DbUrl::parse(raw)?;
    let read_only = match &args.command {
        MigrateCommand::Status => true,
        MigrateCommand::Up { dry_run, .. } | MigrateCommand::Down { dry_run, .. } => *dry_run,
        _ => false,
    };
    if read_only {
        url = url.read_only();
    }
    let set =
        MigrationSet::load(url.dialect(), cli.migrations.as_deref()).map_err(MigrateError::from)?;
    let mut db = Db::connect(&url, cli.wait).await?;
    let opts = Options {
        lock_timeout: cli.lock_timeout,
    };
    let on_event = |e: migrate::Event<'_>| out.event(&e);
    let result = match &args.command {
        MigrateCommand::Up { to, dry_run } => {
            migrate::up(&mut db, &set, *to, *dry_run, &opts, &on_event)
                .await
                .map(|r| out.run_report(&r, db.url()))
        }
        MigrateCommand::Down {
            to,
            steps,
            dry_run,
            allow_data_loss,
        } => {
            let target = match (to, steps) {
                (Some(v), _) => DownTarget::To(*v),
                (None, Some(n)) => DownTarget::Steps(*n as usize),
                (None, None) => DownTarget::Steps(1),
            };
            let down = DownOptions {
                target,
                dry_run: *dry_run,
                allow_data_loss: *allow_data_loss,
            };
            migrate::down(&mut db, &set, &down, &opts, &on_event)
                .await
                .map(|r| out.run_report(&r, db.url()))
        }
        MigrateCommand::Status => migrate::status(&mut db, &set).await.map(|r| out.status(&r)),
        MigrateCommand::Baseline { version } => migrate::baseline(&mut db, &set, *version, &opts)
            .await
            .map(|r| out.baseline(&r)),
        MigrateCommand::Repair {
            rerun,
            recompute_checksums,
        } => {
            let repair = RepairOptions {
                rerun: *rerun,
                recompute_checksums: *recompute_checksums,
            };
            migrate::repair(&mut db, &set, &repair, &opts)
                .await
                .map(|r| out.repair(&r))
        }
        MigrateCommand::New { .. } => Ok(()),
    };
    db.close().await;
    Ok(result?)
}
