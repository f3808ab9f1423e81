//! `mendb demo`: the whole story on a fresh SQLite file — the incident
//! world, its health, the migrations, the three recovery plans, its health
//! again — ending with a before/after table. Composes the commands; owns
//! no logic of its own beyond the order of the steps.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::NaiveDateTime;
use clap::Args;

use super::backfill::shipped_plan;
use super::gaps::write_picture;
use crate::backfill::{self, BackfillError, LoadLimits, RunOptions, Tuning};
use crate::cli::CliError;
use crate::cli::opt::{LockTimeout, TextOrJson};
use crate::cli::render::{self, Output};
use crate::db::{Db, DbUrl};
use crate::fixtures::{self, LoadOptions};
use crate::gaps::{self, GapQuery, GapReport};
use crate::migrate::{self, MigrateError, MigrationSet, Options};
use crate::report::{self, ReportOptions};

/// The plans, in the order recovery needs them: prices, then the on-chain
/// table, then the features computed from it.
pub const PLANS: [&str; 3] = [
    "fill-price-gaps",
    "restore-onchain-enhanced",
    "refresh-ml-onchain-features",
];

// It makes its own SQLite file, so it takes no connection flags.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo's SQLite file, deleted and rebuilt
    #[arg(long, default_value = "mendb-demo.db")]
    file: PathBuf,
    /// Size of the world (1 is the documented scale)
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Also write the gap maps of price_data_real before and after recovery, DIR/before.svg and DIR/after.svg
    #[arg(long, value_name = "DIR")]
    gap_maps: Option<PathBuf>,
    #[command(flatten)]
    pub output: TextOrJson,
    #[command(flatten)]
    lock: LockTimeout,
}

/// T0 of the fixture world: the moment the outage was noticed.
fn t0() -> NaiveDateTime {
    crate::time::parse_time("2025-09-30T12:00:00Z").unwrap_or_default()
}

/// `stop` is set by the first SIGINT/SIGTERM: the demo stops after the
/// current chunk of its recovery plans.
pub async fn run(args: &DemoArgs, stop: &AtomicBool, out: &Output) -> Result<(), CliError> {
    let file: &Path = &args.file;
    // The demo's own file: start from nothing every time.
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = DbUrl::parse(&format!("sqlite:{}", file.display()))?;
    let mut db = Db::connect(&url, Duration::ZERO).await?;
    let result = steps(&mut db, args, args.lock.get()?, stop, out).await;
    db.close().await;
    result
}

async fn steps(
    db: &mut Db,
    args: &DemoArgs,
    lock_timeout: Duration,
    stop: &AtomicBool,
    out: &Output,
) -> Result<(), CliError> {
    let scale = args.scale;
    let set = MigrationSet::load(db.dialect(), None).map_err(MigrateError::from)?;
    let at = ReportOptions {
        at: t0(),
        window: Duration::from_secs(48 * 3600),
    };

    out.demo_heading("1. The incident world of 2025-09-30 12:00 UTC");
    let opts = LoadOptions {
        scale,
        seed: fixtures::DEFAULT_SEED,
        lock_timeout,
    };
    let loaded = fixtures::load(db, &opts, &|p| out.fixtures_progress(&p)).await?;
    out.demo_line(&format!(
        "{} rows in {} tables, checksum {}",
        loaded.total_rows,
        loaded.tables.len(),
        loaded.checksum
    ));

    out.demo_heading("2. Its health before");
    let before = report::build(db, &set, &at).await?;
    out.report(&before);
    let map_before = match args.gap_maps {
        Some(_) => Some(outage_map(db).await?),
        None => None,
    };

    out.demo_heading("3. Migrations");
    let run = Options { lock_timeout };
    let migrated = migrate::up(db, &set, None, false, &run, &|e| out.event(&e)).await?;
    out.run_report(&migrated, db.url());

    out.demo_heading("4. Recovery plans");
    for name in PLANS {
        let progress = out.backfill_progress(&render::PlanCommand {
            plan: name.to_string(),
            sets: Vec::new(),
        });
        let plan = shipped_plan(name)
            .expect("the demo's plans are shipped")
            .map_err(BackfillError::from)?;
        let opts = RunOptions {
            sets: Vec::new(),
            dry_run: false,
            restart: false,
            tuning: Tuning::default(),
            load: LoadLimits::default(),
            lock_timeout,
        };
        let report = backfill::run(db, &plan, &opts, stop, &|e| progress.event(&e)).await?;
        out.backfill_report(&report);
        if report.interrupted {
            return Err(CliError::Interrupted(
                "demo stopped after a finished chunk".into(),
            ));
        }
    }

    out.demo_heading("5. Its health after");
    let after = report::build(db, &set, &at).await?;
    out.report(&after);

    out.demo_heading("Before and after");
    out.demo_comparison(&before, &after);
    if let (Some(dir), Some(map_before)) = (&args.gap_maps, map_before) {
        let map_after = outage_map(db).await?;
        for (name, gaps) in [("before.svg", &map_before), ("after.svg", &map_after)] {
            let file = dir.join(name);
            write_picture(&file, "the gap map", render::gap_map(gaps).as_bytes())?;
            out.demo_written(&file, &render::map_summary(gaps));
        }
    }
    Ok(())
}

/// price_data_real from its first row to T0, the outage included: the
/// hole is seen against the collection that worked before it.
async fn outage_map(db: &mut Db) -> Result<GapReport, CliError> {
    let until = t0();
    let query = GapQuery {
        table: "price_data_real".into(),
        key: "symbol".into(),
        time: "timestamp".into(),
        every: Duration::from_secs(300),
        since: None,
        until: Some(until),
        keys: None,
    };
    Ok(gaps::find(db, &query).await?)
}
