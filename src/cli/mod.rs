//! The binary's edge: parse arguments, set up logging, connect, run one
//! command, render its result (text or JSON) and turn errors into one clear
//! message and a documented exit code.

mod demo;
mod opt;
#[macro_use]
mod render;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::backfill::{self, BackfillError, LoadLimits, Plan, PlanError, RunOptions, Tuning};
use crate::db::{DEFAULT_URL, Db, DbError, DbUrl};
use crate::exit;
use crate::fixtures::{self, FixtureError, LoadOptions};
use crate::gaps::{self, GapError, GapQuery};
use crate::migrate::{
    self, DownOptions, DownTarget, MigrateError, MigrationSet, Options, RepairOptions,
};
use crate::report::{self, ReportError, ReportOptions};
use crate::verify::{self, SnapshotFile, VerifyOptions, VerifyReport};
pub use opt::{
    BackfillArgs, BackfillCommand, Cli, Command, FixturesArgs, FixturesCommand, Format, GapsArgs,
    LogFormat, MigrateArgs, MigrateCommand, ReportArgs, SchemaArgs, SchemaCommand, VerifyArgs,
    check_year, parse_duration, parse_time, read_time,
};

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
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    #[error(transparent)]
    Gaps(#[from] GapError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Backfill(#[from] BackfillError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    GapsFound(String),
    #[error("{0}")]
    Interrupted(String),
    #[error("{0}")]
    VerifyFailed(String),
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
            CliError::Usage(_) => exit::USAGE,
            CliError::GapsFound(_) => exit::GAPS_FOUND,
            CliError::Interrupted(_) => exit::INTERRUPTED,
            CliError::VerifyFailed(_) => exit::VERIFY_FAILED,
            CliError::Rendered { code, .. } => *code,
        }
    }
}

async fn run(cli: &Cli) -> i32 {
    let out = render::Output::new(cli.format, cli.log_format, cli.quiet);
    match dispatch(cli, &out).await {
        Ok(()) => exit::OK,
        // The command printed its result already; a second JSON document
        // on stdout would break parsers, so only say why on stderr.
        Err(
            e @ (CliError::GapsFound(_) | CliError::Interrupted(_) | CliError::VerifyFailed(_)),
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
    if cli.format == Format::Prom && !matches!(cli.command, Command::Report(_)) {
        return Err(CliError::Usage(
            "--format prom is only for `mendb report`".into(),
        ));
    }
    if cli.format == Format::Junit && !matches!(cli.command, Command::Verify(_)) {
        return Err(CliError::Usage(
            "--format junit is only for `mendb verify`".into(),
        ));
    }
    if let Command::Migrate(MigrateArgs {
        command: MigrateCommand::New { name },
    }) = &cli.command
    {
        let dir = cli.migrations.as_deref().unwrap_or(Path::new("migrations"));
        let made = migrate::scaffold(dir, name)?;
        out.scaffolded(&made);
        return Ok(());
    }
    if let Command::Demo { file, scale } = &cli.command {
        return demo::run(file, *scale, cli.lock_timeout, &STOP, out).await;
    }
    let raw = cli.database_url.as_deref().unwrap_or(DEFAULT_URL);
    let mut url = DbUrl::parse(raw)?;
    if cli.command.is_read_only() {
        url = url.read_only();
    }
    let loaded = MigrationSet::load(url.dialect(), cli.migrations.as_deref());
    // verify reports broken files among its other findings.
    if let Command::Verify(args) = &cli.command {
        let mut db = Db::connect(&url, cli.wait).await?;
        let set = loaded.as_ref().map_err(ToString::to_string);
        let result = run_verify(cli, args, set, &mut db, out).await;
        db.close().await;
        return result;
    }
    let set = loaded.map_err(MigrateError::from)?;
    // Bad versions are usage errors: refuse them before touching the database.
    if let Command::Migrate(args) = &cli.command {
        match &args.command {
            MigrateCommand::Up { to: Some(v), .. } => migrate::check_version(&set, *v, false)?,
            MigrateCommand::Down { to: Some(v), .. } => migrate::check_version(&set, *v, true)?,
            MigrateCommand::Baseline {
                version: Some(version),
                ..
            } => migrate::check_version(&set, *version, false)?,
            _ => {}
        }
    }
    let mut db = Db::connect(&url, cli.wait).await?;
    let result = match &cli.command {
        Command::Migrate(args) => run_migrate(cli, &args.command, &set, &mut db, out).await,
        Command::Fixtures(args) => run_fixtures(cli, args, &mut db, out).await,
        Command::Gaps(args) => run_gaps(args, &mut db, out).await,
        Command::Report(args) => run_report(args, &set, &mut db, out).await,
        Command::Backfill(args) => run_backfill(cli, args, &mut db, out).await,
        Command::Schema(args) => run_schema(args, &set, &mut db, out).await,
        // Handled before connecting: it makes its own database.
        Command::Demo { .. } => Ok(()),
        // Handled above: it reports broken migration files instead of stopping.
        Command::Verify(_) => Ok(()),
    };
    db.close().await;
    result
}

async fn run_migrate(
    cli: &Cli,
    command: &MigrateCommand,
    set: &MigrationSet,
    db: &mut Db,
    out: &render::Output,
) -> Result<(), CliError> {
    let opts = Options {
        lock_timeout: cli.lock_timeout,
    };
    let on_event = |e: migrate::Event<'_>| out.event(&e);
    match command {
        MigrateCommand::Up {
            to,
            dry_run,
            verify: false,
        } => {
            let report = migrate::up(db, set, *to, *dry_run, &opts, &on_event).await?;
            out.run_report(&report, db.url());
        }
        MigrateCommand::Up {
            to,
            dry_run,
            verify: true,
        } => {
            let report = migrate::up(db, set, *to, *dry_run, &opts, &on_event).await?;
            let checked = verify::contracts_only(db, cli.contracts.as_deref()).await?;
            out.verified_run(&report, &checked, db.url());
            if let Some(why) = failed_summary(&checked) {
                return Err(CliError::VerifyFailed(why));
            }
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
            let report = migrate::down(db, set, &down, &opts, &on_event).await?;
            out.run_report(&report, db.url());
        }
        MigrateCommand::Status => out.status(&migrate::status(db, set).await?),
        MigrateCommand::Baseline {
            version,
            from,
            force,
        } => {
            let tool = from.map(|t| match t {
                opt::FromTool::Flyway => migrate::Tool::Flyway,
                opt::FromTool::Sqlx => migrate::Tool::Sqlx,
                opt::FromTool::GolangMigrate => migrate::Tool::GolangMigrate,
                opt::FromTool::Dbmate => migrate::Tool::Dbmate,
                opt::FromTool::Refinery => migrate::Tool::Refinery,
            });
            out.baseline(&baseline(db, set, *version, tool, force.clone(), &opts).await?);
        }
        MigrateCommand::Repair {
            rerun,
            in_doubt,
            recompute_checksums,
        } => {
            let repair = RepairOptions {
                rerun: *rerun,
                in_doubt: in_doubt.map(|d| match d {
                    opt::InDoubtArg::Applied => migrate::InDoubt::Applied,
                    opt::InDoubtArg::NotApplied => migrate::InDoubt::NotApplied,
                }),
                recompute_checksums: *recompute_checksums,
            };
            out.repair(&migrate::repair(db, set, &repair, &opts).await?);
        }
        // Handled before connecting: it writes files, not the database.
        MigrateCommand::New { .. } => {}
    }
    Ok(())
}

/// `migrate baseline`: from a version, or from another tool's history;
/// the schema is checked against what the migrations build either way.
async fn baseline(
    db: &mut Db,
    set: &MigrationSet,
    version: Option<i64>,
    tool: Option<migrate::Tool>,
    force: Option<String>,
    opts: &migrate::Options,
) -> Result<migrate::BaselineReport, CliError> {
    if tool != Some(migrate::Tool::Refinery) {
        migrate::check_no_history(db).await?;
    }
    let adopted = match tool {
        Some(tool) => Some(migrate::adopt::read(db, set, tool).await?),
        None => None,
    };
    let version = match (&adopted, version) {
        (Some(a), _) => a.version,
        (None, Some(v)) => v as i32,
        (None, None) => return Err(CliError::Usage("give --version V or --from TOOL".into())),
    };
    let mut differences: Vec<String> = adopted
        .iter()
        .flat_map(|a| &a.mapped)
        .filter_map(|m| match &m.checksum {
            migrate::ChecksumState::Differs { recorded, file } => Some(format!(
                "V{}__{}: the checksum {} recorded is {recorded}, the file's is {file} (the files are not the ones it applied)",
                m.version,
                m.name,
                tool.map_or("", migrate::Tool::name)
            )),
            _ => None,
        })
        .collect();
    differences.extend(verify::baseline_differences(db, set, version, opts.lock_timeout).await?);
    if tool == Some(migrate::Tool::Refinery) {
        // Its table is mendb's history already: checked, nothing to record.
        if !differences.is_empty() && force.is_none() {
            return Err(migrate::MigrateError::BaselineDiffers {
                version,
                differences,
            }
            .into());
        }
        return Ok(migrate::BaselineReport {
            version,
            recorded: Vec::new(),
            forced: force,
            differences,
            adopted,
        });
    }
    let check = migrate::BaselineCheck { differences, force };
    let mut report = migrate::baseline(db, set, i64::from(version), opts, check).await?;
    report.adopted = adopted;
    Ok(report)
}

async fn run_verify(
    cli: &Cli,
    args: &VerifyArgs,
    set: Result<&MigrationSet, String>,
    db: &mut Db,
    out: &render::Output,
) -> Result<(), CliError> {
    let opts = VerifyOptions {
        migrations_dir: cli.migrations.as_deref(),
        contracts_dir: cli.contracts.as_deref(),
        snapshot: match (&args.snapshot, args.no_snapshot) {
            (_, true) => SnapshotFile::Skipped,
            (Some(path), false) => SnapshotFile::Given(path.clone()),
            (None, false) => SnapshotFile::default_for(db.dialect()),
        },
        roundtrip: args.roundtrip,
        allow_pending: args.allow_pending,
        lock_timeout: cli.lock_timeout,
    };
    let report = verify::verify(db, set, &opts).await?;
    out.verify_report(&report);
    match failed_summary(&report) {
        Some(why) => Err(CliError::VerifyFailed(why)),
        None => Ok(()),
    }
}

/// Why a verify report fails the command, if it does.
fn failed_summary(report: &VerifyReport) -> Option<String> {
    if report.passed() {
        return None;
    }
    let failed = report
        .checks
        .iter()
        .filter(|c| c.status == verify::Status::Failed)
        .count();
    Some(format!(
        "verify failed: {} failure(s) in {failed} check(s)",
        report.failures()
    ))
}

async fn run_schema(
    args: &SchemaArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &render::Output,
) -> Result<(), CliError> {
    let SchemaCommand::Dump { include_internal } = &args.command;
    let schema = crate::db::introspect::read_schema(db, *include_internal).await?;
    let version = migrate::status(db, set).await?.current_version;
    out.schema_dump(&verify::drift::Snapshot {
        dialect: db.dialect(),
        version,
        schema,
    });
    Ok(())
}

async fn run_fixtures(
    cli: &Cli,
    args: &FixturesArgs,
    db: &mut Db,
    out: &render::Output,
) -> Result<(), CliError> {
    let FixturesCommand::Load { scale, seed } = &args.command;
    let opts = LoadOptions {
        scale: *scale,
        seed: *seed,
        lock_timeout: cli.lock_timeout,
    };
    let report = fixtures::load(db, &opts, &|p| out.fixtures_progress(&p)).await?;
    out.fixtures_loaded(&report);
    Ok(())
}

async fn run_gaps(args: &GapsArgs, db: &mut Db, out: &render::Output) -> Result<(), CliError> {
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

async fn run_report(
    args: &ReportArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &render::Output,
) -> Result<(), CliError> {
    let opts = ReportOptions {
        at: args.at.unwrap_or_else(|| chrono::Utc::now().naive_utc()),
        window: args.window,
    };
    let report = report::build(db, set, &opts).await?;
    out.report(&report);
    Ok(())
}

/// Set by the first SIGINT/SIGTERM during a backfill: the run stops after
/// the current chunk, resumable.
static STOP: AtomicBool = AtomicBool::new(false);

/// Plans shipped with mendb, usable by name.
static PLANS: include_dir::Dir<'_> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/backfill-plans");

fn load_plan(name_or_path: &str) -> Result<Plan, PlanError> {
    let path = Path::new(name_or_path);
    if path.exists() || name_or_path.contains('/') || name_or_path.ends_with(".toml") {
        return Plan::load(path);
    }
    let file = format!("{name_or_path}.toml");
    match PLANS.get_file(&file).and_then(|f| f.contents_utf8()) {
        Some(source) => Plan::parse(&format!("backfill-plans/{file}"), source),
        None => Plan::load(path),
    }
}

async fn run_backfill(
    cli: &Cli,
    args: &BackfillArgs,
    db: &mut Db,
    out: &render::Output,
) -> Result<(), CliError> {
    match &args.command {
        BackfillCommand::Run {
            plan,
            sets,
            dry_run,
            restart,
            chunk_target,
            max_rows_per_sec,
            sleep_ratio,
            max_threads_running,
            replica_urls,
            max_replica_lag,
            workers,
            lease,
        } => {
            let command = render::PlanCommand {
                plan: plan.clone(),
                sets: sets.clone(),
            };
            let plan = load_plan(plan).map_err(BackfillError::from)?;
            let replicas = replica_urls
                .iter()
                .map(|u| DbUrl::parse(u))
                .collect::<Result<Vec<_>, _>>()
                .map_err(BackfillError::from)?;
            let opts = RunOptions {
                sets: sets.clone(),
                dry_run: *dry_run,
                restart: *restart,
                tuning: Tuning {
                    target: *chunk_target,
                    max_rows_per_sec: max_rows_per_sec.unwrap_or(0),
                    sleep_ratio: *sleep_ratio,
                    workers: usize::from(*workers),
                    lease: *lease,
                    ..Tuning::default()
                },
                load: LoadLimits {
                    max_threads_running: *max_threads_running,
                    max_replica_lag: *max_replica_lag,
                    replicas,
                },
                lock_timeout: cli.lock_timeout,
            };
            let progress = out.backfill_progress(&command);
            let report = match backfill::run(db, &plan, &opts, &STOP, &|e| progress.event(&e)).await
            {
                Err(e @ BackfillError::Damaged { .. }) => {
                    let code = e.exit_code();
                    let BackfillError::Damaged {
                        plan,
                        run_id,
                        findings,
                        ..
                    } = e
                    else {
                        return Err(e.into());
                    };
                    return Err(CliError::Rendered {
                        message: out.backfill_refusal(&plan, run_id, &findings, &command),
                        code,
                    });
                }
                other => other?,
            };
            out.backfill_report(&report);
            if report.interrupted {
                return Err(CliError::Interrupted(format!(
                    "stopped after a finished chunk; run the same command again to resume run {}",
                    report.run_id.unwrap_or_default()
                )));
            }
        }
        BackfillCommand::Status { plan } => {
            let loaded = match plan {
                Some(p) => Some(load_plan(p).map_err(BackfillError::from)?),
                None => None,
            };
            out.backfill_status(
                &backfill::status(db, loaded.as_ref()).await?,
                plan.as_deref(),
            );
        }
    }
    Ok(())
}
