//! The two on-chain plans on the incident world (scale 0.02), on all three
//! databases: restore-onchain-enhanced brings the enhanced table to 100 %
//! of the base table, newest days first, deriving the four metrics exactly
//! as an independent computation here does; refresh-ml-onchain-features
//! then fills the ML features' onchain_* columns from it. Both leave rows
//! they have no business with alone, and a rerun writes nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Backend, TestDb, incident_world as world};

per_backend!(onchain_plans_restore_then_refresh);

const AT: &str = "2025-09-30T12:00:00Z";

/// The base metrics, copied as they are into the enhanced table.
const METRICS: [&str; 10] = [
    "active_addresses",
    "transaction_count",
    "transaction_volume",
    "exchange_inflow",
    "exchange_outflow",
    "whale_transactions",
    "hash_rate",
    "market_cap",
    "realized_cap",
    "circulating_supply",
];

/// The metrics the enhanced table derives from them.
const DERIVED: [&str; 4] = [
    "exchange_netflow",
    "nvt_ratio",
    "mvrv_ratio",
    "avg_transaction_value",
];

/// The ML feature columns that come from the enhanced table: onchain_x = x.
const ONCHAIN: [&str; 10] = [
    "active_addresses",
    "transaction_count",
    "transaction_volume",
    "exchange_inflow",
    "exchange_outflow",
    "exchange_netflow",
    "whale_transactions",
    "nvt_ratio",
    "mvrv_ratio",
    "hash_rate",
];

/// The other ML columns, which the refresh must not touch.
const ML_OTHER: [&str; 11] = [
    "symbol",
    "timestamp",
    "price",
    "volume",
    "returns_1h",
    "returns_24h",
    "volatility_24h",
    "rsi_14",
    "macd",
    "sma_20",
    "created_at",
];

/// A column as text, NULL kept (the Any driver reads no float as text).
fn text(db: &TestDb, column: &str) -> String {
    let c = db.q(column);
    match db.backend {
        Backend::Mysql => format!("CAST({c} AS CHAR)"),
        _ => format!("CAST({c} AS TEXT)"),
    }
}

fn select(db: &TestDb, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| text(db, c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn num(v: &Option<String>) -> Option<f64> {
    v.as_deref().map(|s| {
        s.parse::<f64>()
            .unwrap_or_else(|e| panic!("`{s}` is not a number: {e}"))
    })
}

/// Equal within a relative tolerance: the databases print doubles in
/// their own ways, but every value here is computed in double precision.
fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
        _ => false,
    }
}

/// (symbol, date) → values of `columns`, as text.
type Rows = BTreeMap<(String, String), Vec<Option<String>>>;

fn onchain_rows(db: &TestDb, table: &str, columns: &[&str]) -> Rows {
    let mut all = vec!["symbol", "date"];
    all.extend_from_slice(columns);
    db.query(&format!("SELECT {} FROM {table}", select(db, &all)))
        .into_iter()
        .map(|mut r| {
            let rest = r.split_off(2);
            ((r[0].clone().unwrap(), r[1].clone().unwrap()), rest)
        })
        .collect()
}

/// The enhancer's formulas (docs/fixtures.md), computed here from a base row:
/// NULL where an operand is NULL or a divisor is 0.
fn derive(base: &[Option<String>]) -> [Option<f64>; 4] {
    let get = |name: &str| num(&base[METRICS.iter().position(|m| *m == name).unwrap()]);
    let div = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Some(a / b),
        _ => None,
    };
    let (volume, cap) = (get("transaction_volume"), get("market_cap"));
    [
        get("exchange_inflow")
            .zip(get("exchange_outflow"))
            .map(|(i, o)| i - o),
        div(cap, volume),
        div(cap, get("realized_cap")),
        div(volume, get("transaction_count")),
    ]
}

/// `backfill run PLAN --format json`, returning its report.
fn run_plan(db: &TestDb, plan: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["backfill", "run", plan, "--format", "json"];
    args.extend_from_slice(extra);
    db.mendb(&args).succeeds().json()
}

fn onchain_pct(db: &TestDb) -> f64 {
    let report = db
        .mendb(&["report", "--at", AT, "--format", "json"])
        .succeeds()
        .json();
    report["ml_features"]["onchain_pct"]
        .as_f64()
        .unwrap_or_else(|| panic!("no ml_features.onchain_pct in {report}"))
}

/// A chunk of the log: its exclusive start and inclusive end key in walk
/// order, as [date, symbol] (None: the walk's start or end).
type Chunk = (Option<(String, String)>, Option<(String, String)>, i64);

fn key(v: Option<String>) -> Option<(String, String)> {
    let k: Vec<String> = serde_json::from_str(&v?).expect("chunk key is a JSON array of texts");
    assert_eq!(k.len(), 2, "{k:?}");
    Some((k[0].clone(), k[1].clone()))
}

fn chunks(db: &TestDb, run_id: i64) -> Vec<Chunk> {
    db.query(&format!(
        "SELECT key_from, key_to, rows_written FROM mendb_backfill_chunks \
         WHERE run_id = {run_id} AND step_index = 0 ORDER BY chunk_no"
    ))
    .into_iter()
    .map(|r| {
        let rows = r[2].as_deref().unwrap().parse().unwrap();
        let mut r = r.into_iter();
        (key(r.next().unwrap()), key(r.next().unwrap()), rows)
    })
    .collect()
}

/// One world per database for both plans: loading it is most of the time,
/// and the refresh needs the restore done anyway.
fn onchain_plans_restore_then_refresh(b: Backend) {
    let Some(db) = world(b, "onchain_plans") else {
        return;
    };
    restore_reaches_the_base_newest_first(&db);
    refresh_copies_the_enhanced_rows(&db);
}

fn restore_reaches_the_base_newest_first(db: &TestDb) {
    let base = onchain_rows(db, "crypto_onchain_data", &METRICS);
    let before_rows = db.table_rows("crypto_onchain_data_enhanced");
    let before: BTreeSet<_> = onchain_rows(db, "crypto_onchain_data_enhanced", &[])
        .into_keys()
        .collect();
    // The world: 8.3 % of the base, the newest dates first.
    assert_eq!(base.len(), 317 * 8);
    assert!(!before.is_empty() && before.len() < base.len() / 10);
    assert!(before.is_subset(&base.keys().cloned().collect()));

    // A short chunk target makes the runner shrink its chunks, so the walk
    // takes many of them and their order says something.
    let report = run_plan(db, "restore-onchain-enhanced", &["--chunk-target", "5ms"]);
    assert_eq!(report["rows"], (base.len() - before.len()) as u64);

    // 100 % of the base: every (symbol, date), nothing else.
    let mut columns = METRICS.to_vec();
    columns.extend(DERIVED);
    let enhanced = onchain_rows(db, "crypto_onchain_data_enhanced", &columns);
    assert_eq!(
        enhanced.keys().collect::<Vec<_>>(),
        base.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM crypto_onchain_data_enhanced"),
        db.scalar("SELECT COUNT(*) FROM crypto_onchain_data")
    );

    // The rows the daily enhancer wrote are untouched, created_at included.
    let before_ids: BTreeSet<&str> = before_rows
        .iter()
        .map(|r| r.split('|').next().unwrap())
        .collect();
    let kept: Vec<String> = db
        .table_rows("crypto_onchain_data_enhanced")
        .into_iter()
        .filter(|r| before_ids.contains(r.split('|').next().unwrap()))
        .collect();
    assert_eq!(kept, before_rows, "rows that existed before changed");

    // Every row copies its base row and derives the metrics as the enhancer
    // does. Checking all 2,536 rows costs no more than sampling them.
    let mut nulls = 0;
    for (pair, row) in &enhanced {
        let base_row = &base[pair];
        assert_eq!(
            &row[..METRICS.len()],
            &base_row[..],
            "{pair:?}: copied metrics"
        );
        let want = derive(base_row);
        for (i, name) in DERIVED.iter().enumerate() {
            let got = num(&row[METRICS.len() + i]);
            assert!(
                close(got, want[i]),
                "{pair:?}: {name} is {got:?}, the formula gives {:?}",
                want[i]
            );
            nulls += usize::from(got.is_none());
        }
    }
    // The world has assets without exchange flows or realized cap.
    assert!(
        nulls > 0,
        "no NULL derived metric: the NULL cases went untested"
    );

    // Newest first: the chunks' key ranges go strictly from the newest key
    // down to the oldest, each starting where the previous one ended.
    let run_id = report["run_id"].as_i64().unwrap();
    let log = chunks(db, run_id);
    assert!(
        log.len() >= 3,
        "{} chunk(s): too few to show an order",
        log.len()
    );
    assert_eq!(log[0].0, None, "the first chunk starts at the newest key");
    assert_eq!(
        log.last().unwrap().1,
        None,
        "the last chunk runs to the end"
    );
    for w in log.windows(2) {
        assert_eq!(w[1].0, w[0].1, "chunks must be contiguous: {log:?}");
    }
    let ends: Vec<&(String, String)> = log.iter().filter_map(|c| c.1.as_ref()).collect();
    assert!(
        ends.windows(2).all(|w| w[0] > w[1]),
        "chunk ends are not strictly decreasing: {ends:?}"
    );
    assert_eq!(
        log.iter().map(|c| c.2).sum::<i64>(),
        report["rows"].as_i64().unwrap()
    );
    // Place every base key in its chunk, key_to <= key < key_from in
    // (date, symbol) order, and check that no chunk holding a day older than
    // the last 7 comes before one holding a day of them.
    let chunk_of = |k: &(String, String)| {
        log.iter()
            .position(|(from, to, _)| {
                from.as_ref().is_none_or(|f| k < f) && to.as_ref().is_none_or(|t| k >= t)
            })
            .unwrap_or_else(|| panic!("{k:?} is in no chunk: {log:?}"))
    };
    let newest = base.keys().map(|(_, d)| d.clone()).max().unwrap();
    let newest = chrono::NaiveDate::parse_from_str(&newest, "%Y-%m-%d").unwrap();
    let week_start = (newest - chrono::Duration::days(6))
        .format("%Y-%m-%d")
        .to_string();
    let (mut last_recent, mut first_older) = (0, usize::MAX);
    for (symbol, date) in base.keys() {
        let c = chunk_of(&(date.clone(), symbol.clone()));
        if *date >= week_start {
            last_recent = last_recent.max(c);
        } else {
            first_older = first_older.min(c);
        }
    }
    assert!(
        first_older < usize::MAX,
        "the world has no day older than a week"
    );
    assert!(
        last_recent <= first_older,
        "chunk {first_older} wrote days before {week_start} ahead of chunk {last_recent} of the last 7 days"
    );

    let again = run_plan(db, "restore-onchain-enhanced", &[]);
    assert_eq!(again["rows"], 0, "a finished plan run again writes nothing");
}

/// ML rows by id: (symbol, date of timestamp), the other columns, the
/// onchain_* columns, all as text.
type MlRows = BTreeMap<i64, ((String, String), Vec<Option<String>>, Vec<Option<String>>)>;

fn ml_rows(db: &TestDb) -> MlRows {
    let onchain: Vec<String> = ONCHAIN.iter().map(|c| format!("onchain_{c}")).collect();
    let onchain: Vec<&str> = onchain.iter().map(String::as_str).collect();
    let mut other = ML_OTHER.to_vec();
    other.push("updated_at");
    db.query(&format!(
        "SELECT {}, {}, {} FROM ml_features_materialized",
        text(db, "id"),
        select(db, &other),
        select(db, &onchain)
    ))
    .into_iter()
    .map(|mut r| {
        let onchain = r.split_off(1 + other.len());
        let other = r.split_off(1);
        let id = r[0].as_deref().unwrap().parse().unwrap();
        let symbol = other[0].clone().unwrap();
        let date = other[1].as_deref().unwrap()[..10].to_string();
        (id, ((symbol, date), other, onchain))
    })
    .collect()
}

/// Runs after the restore: every (symbol, date) of the base has its
/// enhanced row.
fn refresh_copies_the_enhanced_rows(db: &TestDb) {
    let enhanced = onchain_rows(db, "crypto_onchain_data_enhanced", &ONCHAIN);
    // Two stale values the world lacks: a hash rate where the enhanced row
    // has none (the refresh must clear it: onchain_x = x, NULL included),
    // and a value in a row of a day without on-chain data (it must stay).
    let hash_rate = ONCHAIN.iter().position(|c| *c == "hash_rate").unwrap();
    let rows = ml_rows(db);
    let no_hash_rate = rows
        .iter()
        .find(|(_, (pair, ..))| enhanced.get(pair).is_some_and(|e| e[hash_rate].is_none()))
        .map(|(id, _)| *id)
        .expect("an ML row of a coin without hash rate");
    let no_day = rows
        .iter()
        .find(|(_, (pair, ..))| !enhanced.contains_key(pair))
        .map(|(id, _)| *id)
        .expect("an ML row of a day without on-chain data");
    db.exec(&format!(
        "UPDATE ml_features_materialized SET onchain_hash_rate = 1.5 WHERE id = {no_hash_rate}"
    ));
    db.exec(&format!(
        "UPDATE ml_features_materialized SET onchain_active_addresses = 42 WHERE id = {no_day}"
    ));
    let before = ml_rows(db);
    let pct_before = onchain_pct(db);

    // What the refresh must write: the rows whose (symbol, day) has an
    // enhanced row and whose onchain_* values differ from it.
    let differs = |onchain: &[Option<String>], source: &[Option<String>]| {
        onchain
            .iter()
            .zip(source)
            .any(|(a, b)| !close(num(a), num(b)))
    };
    let expected = before
        .values()
        .filter(|(pair, _, onchain)| enhanced.get(pair).is_some_and(|e| differs(onchain, e)))
        .count();
    let without = before
        .values()
        .filter(|(pair, ..)| !enhanced.contains_key(pair))
        .count();
    // The world: 2 days of hourly rows, one of them (2025-09-30) without an
    // on-chain day yet, and most rows with their onchain_* still empty.
    assert!(without > 0 && without < before.len(), "{without}");
    assert!(expected > before.len() / 2, "{expected}");

    let report = run_plan(db, "refresh-ml-onchain-features", &[]);
    assert_eq!(report["rows"], expected as u64);

    let after = ml_rows(db);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (id, (pair, other, onchain)) in &after {
        let (_, other_before, onchain_before) = &before[id];
        // updated_at is last: the plan touches it on the rows it changes.
        let (updated_at, other) = other.split_last().unwrap();
        let (updated_at_before, other_before) = other_before.split_last().unwrap();
        assert_eq!(
            other, other_before,
            "row {id}: a non-onchain column changed"
        );
        let changed = enhanced
            .get(pair)
            .is_some_and(|e| differs(onchain_before, e));
        if changed {
            assert!(
                updated_at.is_some() && updated_at != updated_at_before,
                "row {id}: changed, but updated_at is {updated_at:?} (was {updated_at_before:?})"
            );
        } else {
            assert_eq!(
                updated_at, updated_at_before,
                "row {id}: unchanged, but updated_at moved"
            );
        }
        match enhanced.get(pair) {
            Some(source) => {
                for (i, c) in ONCHAIN.iter().enumerate() {
                    assert!(
                        close(num(&onchain[i]), num(&source[i])),
                        "row {id} {pair:?}: onchain_{c} is {:?}, the enhanced row has {:?}",
                        onchain[i],
                        source[i]
                    );
                }
            }
            None => assert_eq!(
                onchain, onchain_before,
                "row {id} {pair:?} has no enhanced row but changed"
            ),
        }
    }
    assert_eq!(after[&no_hash_rate].2[hash_rate], None);
    assert_eq!(num(&after[&no_day].2[0]), Some(42.0));
    let pct_after = onchain_pct(db);
    assert!(
        pct_before < pct_after,
        "onchain_pct {pct_before} before, {pct_after} after"
    );

    let again = run_plan(db, "refresh-ml-onchain-features", &[]);
    assert_eq!(again["rows"], 0, "a finished plan run again writes nothing");
    assert_eq!(ml_rows(db), after, "a rerun touched rows");
}
