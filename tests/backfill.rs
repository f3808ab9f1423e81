//! Backfill plans on the incident world, on all three databases: what
//! fill-price-gaps writes and never writes, resuming after kill -9, a rerun
//! writing nothing, and bad plans refused before any write.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use chrono::NaiveDateTime;
use common::{Backend, TestDb, incident_world as world, mendb_command};

per_backend!(
    fill_price_gaps_fills_only_what_sources_hold,
    killed_runs_resume_to_the_same_result,
    bad_plans_are_refused_before_any_write,
);

const SINCE: &str = "2025-09-28 12:00:00";
const UNTIL: &str = "2025-09-30 12:00:00";

fn parse(ts: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(&ts[..19], "%Y-%m-%d %H:%M:%S").unwrap()
}

/// (symbol, bucket) pairs, as text.
type Pairs = BTreeSet<(String, String)>;

fn pairs(db: &TestDb, sql: &str) -> Pairs {
    db.query(sql)
        .into_iter()
        .map(|r| {
            (
                r[0].clone().unwrap(),
                r[1].clone().unwrap()[..19].to_string(),
            )
        })
        .collect()
}

/// What the plan should write, computed here from the sources: each legacy
/// sample belongs to the nearest 5-minute grid point; each candle's close
/// to the hour's last bucket; existing rows win.
fn expected(db: &TestDb) -> (Pairs, Pairs) {
    let ts = db.as_text("timestamp");
    let existing = pairs(db, &format!("SELECT symbol, {ts} FROM price_data_real"));
    let since = parse(SINCE);
    let until = parse(UNTIL);
    let mut from_old = BTreeSet::new();
    for (symbol, t) in pairs(db, &format!("SELECT symbol, {ts} FROM price_data_old")) {
        let t = parse(&t);
        let secs = t.and_utc().timestamp();
        let bucket = chrono::DateTime::from_timestamp((secs + 150) / 300 * 300, 0)
            .unwrap()
            .naive_utc();
        if bucket >= since && bucket < until {
            let key = (symbol, bucket.format("%Y-%m-%d %H:%M:%S").to_string());
            if !existing.contains(&key) {
                from_old.insert(key);
            }
        }
    }
    let mut from_ohlc = BTreeSet::new();
    for (symbol, t) in pairs(db, &format!("SELECT symbol, {ts} FROM ohlc_data")) {
        let t = parse(&t);
        if t >= since && t < until {
            let bucket = (t + chrono::Duration::minutes(55))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            let key = (symbol, bucket);
            if !existing.contains(&key) && !from_old.contains(&key) {
                from_ohlc.insert(key);
            }
        }
    }
    (from_old, from_ohlc)
}

/// Checks everything a finished fill must satisfy; returns rows written.
fn check_filled(
    db: &TestDb,
    before: &[String],
    from_old: &BTreeSet<(String, String)>,
    from_ohlc: &BTreeSet<(String, String)>,
) {
    let ts = db.as_text("timestamp");
    let got_old = pairs(
        db,
        &format!("SELECT symbol, {ts} FROM price_data_real WHERE data_source = 'price_data_old'"),
    );
    let got_ohlc = pairs(
        db,
        &format!("SELECT symbol, {ts} FROM price_data_real WHERE data_source = 'ohlc_data'"),
    );
    assert_eq!(&got_old, from_old, "rows filled from price_data_old");
    assert_eq!(&got_ohlc, from_ohlc, "rows filled from ohlc_data");
    let dupes = db.scalar("SELECT COUNT(*) FROM (SELECT symbol, timestamp FROM price_data_real GROUP BY symbol, timestamp HAVING COUNT(*) > 1) d");
    assert_eq!(dupes, 0, "a (symbol, bucket) has two rows");
    let after = untouched_rows(db);
    assert_eq!(after, before, "rows that existed before changed");
    // Ranks above 250 have no source: nothing invented for them.
    let invented = db.scalar(&format!(
        "SELECT COUNT(*) FROM price_data_real p JOIN crypto_assets a ON a.symbol = p.symbol \
         WHERE a.market_cap_rank > 250 AND p.timestamp >= '{SINCE}' AND p.timestamp < '{UNTIL}'"
    ));
    assert_eq!(invented, 0);
    // Filled values are the sources' own prices and keep close in sync.
    let mismatched = db.scalar(
        "SELECT COUNT(*) FROM price_data_real WHERE data_source IS NOT NULL AND (current_price IS NULL OR close IS NULL OR close <> current_price)",
    );
    assert_eq!(mismatched, 0);
}

fn untouched_rows(db: &TestDb) -> Vec<String> {
    let mut rows = db.table_rows("price_data_real");
    // Only rows from before the fill: the fill's own rows carry a source.
    rows.retain(|r| r.ends_with("|NULL"));
    rows
}

fn fill_price_gaps_fills_only_what_sources_hold(b: Backend) {
    let Some(db) = world(b, "fillgaps") else {
        return;
    };
    let before = untouched_rows(&db);
    let (from_old, from_ohlc) = expected(&db);
    // The world: every legacy symbol has samples for most of the outage.
    assert!(from_old.len() > 127 * 500, "{}", from_old.len());
    let report = db
        .mendb(&["backfill", "run", "fill-price-gaps", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(report["rows"], (from_old.len() + from_ohlc.len()) as u64);
    check_filled(&db, &before, &from_old, &from_ohlc);
    // Ranks 128..250 get exactly one bucket per hour of the outage.
    let per_symbol = db.query(
        "SELECT p.symbol, COUNT(*) FROM price_data_real p JOIN crypto_assets a ON a.symbol = p.symbol \
         WHERE a.market_cap_rank BETWEEN 128 AND 250 AND p.data_source = 'ohlc_data' GROUP BY p.symbol",
    );
    assert_eq!(per_symbol.len(), 123);
    assert!(
        per_symbol.iter().all(|r| r[1].as_deref() == Some("48")),
        "{per_symbol:?}"
    );

    let again = db
        .mendb(&["backfill", "run", "fill-price-gaps", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(again["rows"], 0, "a finished plan run again writes nothing");
    db.mendb(&["backfill", "status", "fill-price-gaps"])
        .succeeds()
        .stdout_has("fill-price-gaps finished");
}

fn killed_runs_resume_to_the_same_result(b: Backend) {
    let Some(db) = world(b, "resume") else { return };
    let before = untouched_rows(&db);
    let (from_old, from_ohlc) = expected(&db);
    // Small, throttled chunks so kills land mid-run.
    let args = [
        "backfill",
        "run",
        "fill-price-gaps",
        "--max-rows-per-sec",
        "20000",
        "--chunk-target",
        "50ms",
    ];
    for (i, wait_ms) in [700u64, 1300, 900, 1700, 1100].iter().enumerate() {
        let mut child = mendb_command(&db.url, &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(*wait_ms));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        if finished {
            eprintln!("run {i} finished before the kill");
            break;
        }
    }
    // Then a graceful stop: SIGTERM finishes the chunk and says how to resume.
    let child = mendb_command(&db.url, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    unsafe_sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Stopped mid-run, it says how to resume. (A signal during the last
    // chunk lets the run finish: exit 0.)
    if out.status.code() == Some(143) {
        assert!(
            stderr.contains("run the same command again to resume"),
            "{stderr}"
        );
        // The chunk it had claimed next was handed back, not left leased.
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM mendb_backfill_leases"),
            0,
            "{stderr}"
        );
    }
    db.mendb(&["backfill", "run", "fill-price-gaps"]).succeeds();
    check_filled(&db, &before, &from_old, &from_ohlc);
    let runs = db.scalar("SELECT COUNT(*) FROM mendb_backfill_runs");
    assert!(runs >= 1);
}

fn unsafe_sigterm(pid: u32) {
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}

fn bad_plans_are_refused_before_any_write(b: Backend) {
    let Some(db) = world(b, "badplan") else {
        return;
    };
    let good = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("backfill-plans/fill-price-gaps.toml"),
    )
    .unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown key",
            good.replacen("chunk_size = 5000", "chunk_sise = 5000", 1),
            "unknown field `chunk_sise`",
        ),
        (
            "wrong type",
            good.replacen("chunk_size = 5000", "chunk_size = \"lots\"", 1),
            "invalid type: string \"lots\"",
        ),
        (
            "unknown table",
            good.replacen(
                "table = \"price_data_old\"",
                "table = \"price_data_olde\"",
                1,
            ),
            "no table `price_data_olde`",
        ),
        (
            "unknown column",
            good.replacen("current_price = \"price\"", "current_price = \"prise\"", 1),
            "copy.columns.current_price",
        ),
        (
            "unknown target column",
            good.replacen("volume_24h = \"volume\"", "volume_42h = \"volume\"", 1),
            "has no column `volume_42h`",
        ),
        (
            "identifier carrying SQL",
            good.replacen(
                "into = \"price_data_real\"",
                "into = \"price_data_real; DROP TABLE crypto_assets\"",
                1,
            ),
            "is not a plain identifier",
        ),
        (
            "a view",
            good.replacen(
                "table = \"price_data_old\"",
                "table = \"onchain_metrics\"",
                1,
            ),
            "is a view",
        ),
    ];
    for (what, text, fragment) in cases {
        let path = db.dir.join("plan.toml");
        std::fs::write(&path, text).unwrap();
        let run = db.mendb(&["backfill", "run", path.to_str().unwrap()]);
        run.fails_with(11);
        assert!(
            run.stderr.contains("plan.toml:"),
            "{what}: no file:line in {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(fragment),
            "{what}: `{fragment}` not in {}",
            run.stderr
        );
    }
    db.mendb(&[
        "backfill",
        "run",
        "fill-price-gaps",
        "--set",
        "since=last tuesday",
    ])
    .fails_with(11)
    .stderr_has("--set since: `last tuesday` is not a timestamp");
    db.mendb(&[
        "backfill",
        "run",
        "fill-price-gaps",
        "--set",
        "sinse=2025-09-29",
    ])
    .fails_with(11)
    .stderr_has("the plan has no parameter `sinse`");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM price_data_real WHERE data_source IS NOT NULL"),
        0,
        "a refused plan wrote rows"
    );
    let state = db.query("SELECT COUNT(*) FROM refinery_schema_history");
    assert_eq!(state[0][0].as_deref(), Some("4"));
    let tables = db.query(&format!(
        "SELECT COUNT(*) FROM {}",
        match b {
            Backend::Sqlite => "sqlite_master WHERE name = 'mendb_backfill_runs'".to_string(),
            Backend::Mysql => "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'mendb_backfill_runs'".to_string(),
            Backend::Postgres => "pg_tables WHERE tablename = 'mendb_backfill_runs'".to_string(),
        }
    ));
    assert_eq!(
        tables[0][0].as_deref(),
        Some("0"),
        "state tables written by a refused plan"
    );
}
