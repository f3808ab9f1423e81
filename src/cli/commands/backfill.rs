//! `mendb backfill run|status|list|pause|resume|cancel|throttle`:
//! resumable, chunked plans, by file or by the name of a plan shipped with
//! mendb, and live control of their runs. The engine is `crate::backfill`;
//! this file turns flags into its options and its refusals into messages.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::backfill::control::{Action, Request, Settings};
use crate::backfill::{self, BackfillError, LoadLimits, Plan, PlanError, RunOptions, Tuning};
use crate::cli::CliError;
use crate::cli::opt::{Connection, LockTimeout, TextOrJson};
use crate::cli::parse::{
    parse_chunk_target, parse_lease, parse_positive, parse_sleep_ratio, parse_wait,
};
use crate::cli::render::{
    Output, PlanCommand, PlanEntry, PlanSource, cancelled_message, dry_run_text,
};
use crate::cli::settings::{self, Folder, SettingsError};
use crate::cli::telemetry::{self, Telemetry};
use crate::db::{Db, DbUrl, Dialect};
use crate::metrics::{BackfillMetrics, RunEnd};

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
    Run(Box<RunArgs>),
    /// Show runs and their progress
    Status {
        /// Only this plan (file or shipped name)
        plan: Option<String>,
    },
    /// List the plans shipped with mendb and those in the project's plans folder (plans in mendb.toml, else ./backfill-plans/)
    List {
        /// Also list the plans (*.toml) in this directory
        #[arg(long, value_name = "DIR")]
        plans: Option<PathBuf>,
    },
    /// Pause a plan's run: every worker of every process stops after its chunk and holds no lease
    Pause(ControlArgs),
    /// Resume a paused run: its waiting workers go on
    Resume(ControlArgs),
    /// Cancel a plan's run: its workers stop after their chunk and it ends abandoned; only --restart starts another
    Cancel(ControlArgs),
    /// Change the pace of a running plan for every worker of every process
    Throttle(ThrottleArgs),
}

#[derive(Debug, Args)]
pub struct ControlArgs {
    /// A plan file, a plan's name, or the name a run was started under
    plan: String,
    #[command(flatten)]
    lock: LockTimeout,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("pace").required(true).multiple(true))]
pub struct ThrottleArgs {
    #[command(flatten)]
    target: ControlArgs,
    /// Write at most N rows per second per worker (N at least 1)
    #[arg(long, value_name = "N", group = "pace", value_parser = parse_positive, allow_negative_numbers = true)]
    max_rows_per_sec: Option<u64>,
    /// After each chunk, sleep this fraction of its duration (0 to 100)
    #[arg(long, value_name = "F", group = "pace", value_parser = parse_sleep_ratio, allow_negative_numbers = true)]
    sleep_ratio: Option<f64>,
    /// Tune chunk sizes toward this duration (1ms to 1h)
    #[arg(long, value_name = "DUR", group = "pace", value_parser = parse_chunk_target)]
    chunk_target: Option<Duration>,
    /// MariaDB/MySQL: hold chunks back while Threads_running exceeds N (N at least 1)
    #[arg(long, value_name = "N", group = "pace", value_parser = parse_positive, allow_negative_numbers = true)]
    max_threads_running: Option<u64>,
    /// First drop every earlier throttle: back to the flags each process started with
    #[arg(long, group = "pace")]
    reset: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A plan file, or the name of a plan shipped with mendb (e.g. fill-price-gaps)
    plan: String,
    /// Override a parameter: NAME=VALUE (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// The plan's `since` parameter, as in gaps and report: the same as --set since=TIME
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// The plan's `until` parameter, as in gaps and report: the same as --set until=TIME
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Print per step the rows, chunks and SQL it would run; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: write the review (statements and their values) to FILE
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    output: Option<PathBuf>,
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
    #[command(flatten)]
    telemetry: Telemetry,
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

/// A plan shipped with mendb, by name; None when there is none of that
/// name. The demo runs these whatever folder it is started in.
pub(super) fn shipped_plan(name: &str) -> Option<Result<Plan, PlanError>> {
    let file = format!("{name}.toml");
    let source = PLANS.get_file(&file)?.contents_utf8()?;
    Some(Plan::parse(&format!("backfill-plans/{file}"), source))
}

/// The project's plans folder: `plans` in mendb.toml, else
/// ./backfill-plans when there is one.
fn plans_dir() -> Result<Option<PathBuf>, SettingsError> {
    let named = settings::folder(None, Folder::Plans)?;
    Ok(named.or_else(|| Some(PathBuf::from(LOCAL_PLANS)).filter(|d| d.is_dir())))
}

const LOCAL_PLANS: &str = "backfill-plans";

/// A plan the user named: a path, else `NAME.toml` in the project's plans
/// folder (so an edited copy of a shipped plan is the one that runs),
/// else a shipped plan. A name that is none of these is a typo more often
/// than a missing file, so it is answered with the names there are.
fn find_plan(name_or_path: &str) -> Result<Plan, PlanRefused> {
    let path = Path::new(name_or_path);
    let looks_like_file = name_or_path.contains('/') || name_or_path.ends_with(".toml");
    if path.exists() || looks_like_file {
        return Plan::load(path).map_err(PlanRefused::Invalid);
    }
    let dir = plans_dir().map_err(PlanRefused::Settings)?;
    if let Some(file) = dir
        .map(|d| d.join(format!("{name_or_path}.toml")))
        .filter(|f| f.is_file())
    {
        return Plan::load(&file).map_err(PlanRefused::Invalid);
    }
    if let Some(shipped) = shipped_plan(name_or_path) {
        return shipped.map_err(PlanRefused::Invalid);
    }
    let known: Vec<String> = catalog(None)
        .map_err(PlanRefused::Settings)?
        .into_iter()
        .filter_map(|e| e.summary.map(|s| s.name))
        .collect();
    let mut message = format!("no backfill plan is named `{name_or_path}`");
    if let Some(close) = closest(name_or_path, &known) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message.push_str(&format!(
        "\nknown plans: {}\n`mendb backfill list` shows each with its description and parameters; a plan file is given by its path",
        known.join(", ")
    ));
    Err(PlanRefused::Unknown(message))
}

/// Why a named plan was not loaded; small, unlike `CliError`.
#[derive(Debug)]
enum PlanRefused {
    Invalid(PlanError),
    Settings(SettingsError),
    /// No file and no shipped plan of that name: a usage error.
    Unknown(String),
}

impl From<PlanRefused> for CliError {
    fn from(e: PlanRefused) -> CliError {
        match e {
            PlanRefused::Invalid(e) => CliError::Backfill(BackfillError::from(e)),
            PlanRefused::Settings(e) => CliError::Settings(e),
            PlanRefused::Unknown(message) => CliError::Usage(message),
        }
    }
}

/// The shipped plans, then those in the project's plans folder and `dir`,
/// sorted by file name within each place. A file that is not a valid plan
/// is listed with its error. A shipped plan that a file of the project's
/// folder replaces by name is left out: the list shows what runs.
fn catalog(dir: Option<&Path>) -> Result<Vec<PlanEntry>, SettingsError> {
    let mut out: Vec<PlanEntry> = Vec::new();
    let mut shipped: Vec<_> = PLANS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .collect();
    shipped.sort_by_key(|f| f.path().to_path_buf());
    for f in shipped {
        let path = format!("backfill-plans/{}", f.path().display());
        let parsed = f
            .contents_utf8()
            .map(|source| Plan::parse(&path, source))
            .unwrap_or_else(|| Plan::load(Path::new(&path)));
        out.push(PlanEntry::new(PlanSource::Shipped, parsed));
    }
    let project = plans_dir()?;
    let mut dirs: Vec<PathBuf> = project.iter().cloned().collect();
    dirs.extend(dir.map(Path::to_path_buf));
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for file in files {
            // The same directory named twice is listed once.
            let shown = file.display().to_string();
            let listed = |e: &PlanEntry| match &e.source {
                PlanSource::File(p) | PlanSource::Project { path: p, .. } => *p == shown,
                PlanSource::Shipped => false,
            };
            if out.iter().any(listed) {
                continue;
            }
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let source = if project.as_deref() == Some(d.as_path()) {
                // It replaces the shipped plan of its name, as find_plan does.
                out.retain(|e| {
                    e.source != PlanSource::Shipped
                        || e.summary.as_ref().is_none_or(|s| s.name != stem)
                });
                PlanSource::Project {
                    path: shown,
                    name: stem,
                }
            } else {
                PlanSource::File(shown)
            };
            out.push(PlanEntry::new(source, Plan::load(&file)));
        }
    }
    Ok(out)
}

/// The known name nearest to `typed`, when it is near enough to be what
/// was meant: at most a third of its letters (and at least two) differ.
fn closest<'a>(typed: &str, known: &'a [String]) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (edit_distance(typed, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// `stop` is set by the first SIGINT/SIGTERM: a run stops after the
/// current chunk, resumable.
pub async fn run(args: &BackfillArgs, stop: &AtomicBool, out: &Output) -> Result<(), CliError> {
    let read_only = match &args.command {
        BackfillCommand::Run(run) => run.dry_run,
        BackfillCommand::Status { .. } => true,
        BackfillCommand::Pause(_)
        | BackfillCommand::Resume(_)
        | BackfillCommand::Cancel(_)
        | BackfillCommand::Throttle(_) => false,
        // Plans are files: no database to open.
        BackfillCommand::List { plans } => {
            if let Some(dir) = plans
                && !dir.is_dir()
            {
                return Err(CliError::Usage(format!(
                    "--plans {}: not a directory",
                    dir.display()
                )));
            }
            out.backfill_list(&catalog(plans.as_deref())?);
            return Ok(());
        }
    };
    // Before connecting: a mistyped name must not create a SQLite file.
    let plan = match &args.command {
        BackfillCommand::Run(run) => Some(find_plan(&run.plan)?),
        BackfillCommand::Status { plan: Some(p) } => Some(find_plan(p)?),
        _ => None,
    };
    let control = match &args.command {
        BackfillCommand::Pause(c) => Some((c, Action::Pause, None)),
        BackfillCommand::Resume(c) => Some((c, Action::Resume, None)),
        BackfillCommand::Cancel(c) => Some((c, Action::Cancel, None)),
        BackfillCommand::Throttle(t) => Some((&t.target, Action::Throttle, Some(t.settings()))),
        _ => None,
    };
    let control = match control {
        Some((c, action, settings)) => Some((c, run_name(&c.plan)?, Request { action, settings })),
        None => None,
    };
    // Listening before connecting: a port in use is refused before
    // anything is written.
    let registry = prometheus::Registry::new();
    // Counted only when something reads them.
    let telemetry = match (&args.command, &plan) {
        (BackfillCommand::Run(run), Some(plan)) => {
            let metrics = BackfillMetrics::new(&registry, plan.name())?;
            let grouping = [("command", "backfill"), ("plan", plan.name())];
            run.telemetry
                .start(&registry, &grouping, out)
                .await?
                .map(|exporter| (metrics, exporter))
        }
        _ => None,
    };
    let metrics = telemetry.as_ref().map(|(m, _)| m);
    let result = async {
        let mut db = args.connection.open(read_only).await?;
        let result = match (&args.command, &plan, &control) {
            (_, _, Some((c, name, req))) => control_run(c, name, req, &mut db, out).await,
            (BackfillCommand::Run(run), Some(plan), _) => {
                run_plan(run, plan, stop, &mut db, out, metrics).await
            }
            (BackfillCommand::Status { plan: name }, plan, _) => {
                status(name.as_deref(), plan.as_ref(), &mut db, out).await
            }
            _ => Ok(()),
        };
        db.close().await;
        result
    }
    .await;
    if let Some((metrics, exporter)) = telemetry {
        metrics.ended(match &result {
            Ok(()) => RunEnd::Finished,
            Err(CliError::Interrupted(_)) => RunEnd::Interrupted,
            Err(CliError::Rendered { code, .. }) if *code == crate::exit::CANCELLED => {
                RunEnd::Cancelled
            }
            Err(_) => RunEnd::Failed,
        });
        telemetry::finish(exporter, out).await;
    }
    result
}

impl RunArgs {
    /// `--set` with `--since`/`--until` spelled as the sets they stand for;
    /// naming a parameter both ways is refused rather than one winning.
    fn all_sets(&self) -> Result<Vec<String>, String> {
        let mut sets = self.sets.clone();
        for (name, value) in [("since", &self.since), ("until", &self.until)] {
            let Some(value) = value else { continue };
            if self
                .sets
                .iter()
                .any(|s| s.split_once('=').is_some_and(|(n, _)| n.trim() == name))
            {
                return Err(format!(
                    "--{name} and --set {name}=... both give the plan's {name}; keep one"
                ));
            }
            sets.push(format!("{name}={value}"));
        }
        Ok(sets)
    }
}

async fn run_plan(
    args: &RunArgs,
    plan: &Plan,
    stop: &AtomicBool,
    db: &mut Db,
    out: &Output,
    metrics: Option<&BackfillMetrics>,
) -> Result<(), CliError> {
    let sets = args.all_sets().map_err(CliError::Usage)?;
    let command = PlanCommand {
        plan: args.plan.clone(),
        sets: sets.clone(),
    };
    let replicas = args
        .replica_urls
        .iter()
        .map(|u| DbUrl::parse(u))
        .collect::<Result<Vec<_>, _>>()
        .map_err(BackfillError::from)?;
    let opts = RunOptions {
        sets,
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
    let on_event = |e: backfill::Event<'_>| {
        if let Some(m) = metrics {
            m.event(&e);
        }
        progress.event(&e);
    };
    let report = match backfill::run(db, plan, &opts, stop, &on_event).await {
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
    if let (true, Some(path)) = (report.dry_run, &args.output) {
        std::fs::write(path, dry_run_text(&report)).map_err(|e| CliError::Rendered {
            message: format!("--output {}: cannot write: {e}", path.display()),
            code: crate::exit::INTERNAL,
        })?;
        out.backfill_dry_run_written(&report, path);
        return Ok(());
    }
    out.backfill_report(&report);
    if let Some(c) = &report.cancelled {
        return Err(CliError::Rendered {
            message: cancelled_message(c, &args.plan),
            code: crate::exit::CANCELLED,
        });
    }
    if report.interrupted {
        return Err(CliError::Interrupted(format!(
            "stopped after a finished chunk; run the same command again to resume run {}",
            report.run_id.unwrap_or_default()
        )));
    }
    Ok(())
}

/// The name runs of `plan` are recorded under: a plan's, found as `run`
/// finds it, else the word itself, for an operator without the plan file
/// at hand.
fn run_name(plan: &str) -> Result<String, PlanRefused> {
    match find_plan(plan) {
        Ok(p) => Ok(p.name().to_string()),
        Err(PlanRefused::Unknown(_)) => Ok(plan.to_string()),
        Err(e) => Err(e),
    }
}

impl ThrottleArgs {
    fn settings(&self) -> Settings {
        Settings {
            max_rows_per_sec: self.max_rows_per_sec,
            sleep_ratio: self.sleep_ratio,
            chunk_target_ms: self.chunk_target.map(|d| d.as_millis() as u64),
            max_threads_running: self.max_threads_running,
            reset: self.reset,
        }
    }
}

async fn control_run(
    args: &ControlArgs,
    plan: &str,
    req: &Request,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    if req
        .settings
        .as_ref()
        .is_some_and(|s| s.max_threads_running.is_some())
        && db.dialect() != Dialect::Mysql
    {
        return Err(CliError::Usage(format!(
            "--max-threads-running applies to MariaDB/MySQL, not {}",
            db.dialect().dir_name()
        )));
    }
    let outcome = backfill::control(db, plan, req, args.lock.get()?).await?;
    out.backfill_control(&outcome);
    Ok(())
}

async fn status(
    name: Option<&str>,
    plan: Option<&Plan>,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    out.backfill_status(&backfill::status(db, plan).await?, name);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_name_is_suggested_and_a_far_one_is_not() {
        let known = vec![
            "fill-price-gaps".to_string(),
            "restore-onchain-enhanced".to_string(),
        ];
        assert_eq!(closest("fill-price-gap", &known), Some("fill-price-gaps"));
        assert_eq!(closest("fil-prce-gaps", &known), Some("fill-price-gaps"));
        assert_eq!(closest("vacuum", &known), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
