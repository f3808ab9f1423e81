//! `mendb backfill run|status`: resumable, chunked plans, by file or by
//! the name of a plan shipped with mendb. The engine is `crate::backfill`;
//! this file turns flags into its options and its refusals into messages.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::backfill::{self, BackfillError, LoadLimits, Plan, PlanError, RunOptions, Tuning};
use crate::cli::CliError;
use crate::cli::opt::{Connection, LockTimeout, TextOrJson};
use crate::cli::parse::{
    parse_chunk_target, parse_lease, parse_positive, parse_sleep_ratio, parse_wait,
};
use crate::cli::render::{Output, PlanCommand};
use crate::db::{Db, DbUrl};

#[derive(Debug, Args)]
pub struct BackfillArgs {
    #[command(subcommand)]
    pub command: BackfillCommand,
    #[command(flatten)]
    pub output: TextOrJson,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Subcommand)]
pub enum BackfillCommand {
    /// Run a plan, or resume its unfinished run
    Run(RunArgs),
    /// Show runs and their progress
    Status {
        /// Only this plan (file or shipped name)
        plan: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A plan file, or the name of a plan shipped with mendb (e.g. fill-price-gaps)
    plan: String,
    /// Override a parameter: NAME=VALUE (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// Print per step the rows, chunks and SQL it would run; write nothing
    #[arg(long)]
    pub dry_run: bool,
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
    #[command(flatten)]
    lock: LockTimeout,
}

/// Plans shipped with mendb, usable by name.
static PLANS: include_dir::Dir<'_> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/backfill-plans");

/// The shipped plans by file name, for `mendb init` to write out.
pub(super) fn shipped_plans() -> Vec<(String, &'static [u8])> {
    let mut plans: Vec<_> = PLANS
        .files()
        .filter_map(|f| Some((f.path().file_name()?.to_str()?.to_string(), f.contents())))
        .filter(|(name, _)| name.ends_with(".toml"))
        .collect();
    plans.sort();
    plans
}

pub(super) fn load_plan(name_or_path: &str) -> Result<Plan, PlanError> {
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

/// `stop` is set by the first SIGINT/SIGTERM: a run stops after the
/// current chunk, resumable.
pub async fn run(args: &BackfillArgs, stop: &AtomicBool, out: &Output) -> Result<(), CliError> {
    let read_only = match &args.command {
        BackfillCommand::Run(run) => run.dry_run,
        BackfillCommand::Status { .. } => true,
    };
    let mut db = args.connection.open(read_only).await?;
    let result = match &args.command {
        BackfillCommand::Run(run) => run_plan(run, stop, &mut db, out).await,
        BackfillCommand::Status { plan } => status(plan.as_deref(), &mut db, out).await,
    };
    db.close().await;
    result
}

async fn run_plan(
    args: &RunArgs,
    stop: &AtomicBool,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    let command = PlanCommand {
        plan: args.plan.clone(),
        sets: args.sets.clone(),
    };
    let plan = load_plan(&args.plan).map_err(BackfillError::from)?;
    let replicas = args
        .replica_urls
        .iter()
        .map(|u| DbUrl::parse(u))
        .collect::<Result<Vec<_>, _>>()
        .map_err(BackfillError::from)?;
    let opts = RunOptions {
        sets: args.sets.clone(),
        dry_run: args.dry_run,
        restart: args.restart,
        tuning: Tuning {
            target: args.chunk_target,
            max_rows_per_sec: args.max_rows_per_sec.unwrap_or(0),
            sleep_ratio: args.sleep_ratio,
            workers: usize::from(args.workers),
            lease: args.lease,
            ..Tuning::default()
        },
        load: LoadLimits {
            max_threads_running: args.max_threads_running,
            max_replica_lag: args.max_replica_lag,
            replicas,
        },
        lock_timeout: args.lock.get()?,
    };
    let progress = out.backfill_progress(&command);
    let report = match backfill::run(db, &plan, &opts, stop, &|e| progress.event(&e)).await {
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
    Ok(())
}

async fn status(plan: Option<&str>, db: &mut Db, out: &Output) -> Result<(), CliError> {
    let loaded = match plan {
        Some(p) => Some(load_plan(p).map_err(BackfillError::from)?),
        None => None,
    };
    out.backfill_status(&backfill::status(db, loaded.as_ref()).await?, plan);
    Ok(())
}
