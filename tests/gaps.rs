//! `mendb gaps` through the binary on SQLite, MariaDB and PostgreSQL: ranges
//! on a small table with holes placed by hand, compared with what the test
//! works out on its own; the text output, `--fail-if-missing` and refused
//! input; and real exchange candles with the exchange's own missing candles.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime};
use common::{Backend, TestDb};

per_backend!(
    ranges_match_the_holes,
    zoned_time_columns_give_the_same_ranges,
    the_same_ranges_without_an_index_on_the_key,
    default_window_and_keys,
    text_output_and_fail_if_missing,
    bad_input_is_refused,
    real_candles_gaps_are_the_missing_candles,
);

const EVERY: i64 = 300;
/// 2025-01-01 00:00:00 UTC.
const E: i64 = 1_735_689_600;
/// The window of most scenarios: 24 five-minute buckets from E.
const BUCKETS: i64 = 24;
const SINCE: &str = "2025-01-01 00:00:00";
const UNTIL: &str = "2025-01-01 02:00:00";

/// How the time column is declared and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Times {
    /// DATETIME / TIMESTAMP / TEXT 'YYYY-MM-DD HH:MM:SS'.
    Plain,
    /// TIMESTAMP / TIMESTAMPTZ / TEXT ISO-8601 with 'T' and a zone.
    Zoned,
}

fn text(epoch: i64) -> String {
    time(epoch).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn time(epoch: i64) -> NaiveDateTime {
    DateTime::from_timestamp(epoch, 0).unwrap().naive_utc()
}

/// The rows of the synthetic table, as (key, UTC epoch seconds).
fn synthetic_rows() -> Vec<(&'static str, i64)> {
    let mut rows = Vec::new();
    // AAA: a leading hole (0..=2), one between rows (8..=10) and a trailing
    // one (21..=23); off the grid, with duplicates in bucket 5.
    for b in (3..=20).filter(|b| !(8..=10).contains(b)) {
        rows.push(("AAA", E + b * EVERY + (b * 37) % EVERY));
    }
    rows.push(("AAA", E + 5 * EVERY));
    rows.push(("AAA", E + 5 * EVERY + 299));
    // BBB: complete, with rows just outside the window on both sides.
    for b in 0..BUCKETS {
        rows.push(("BBB", E + b * EVERY));
    }
    rows.push(("BBB", E - 1));
    rows.push(("BBB", E + BUCKETS * EVERY));
    rows.push(("BBB", E + BUCKETS * EVERY + 100));
    // CCC stopped an hour before the window.
    rows.push(("CCC", E - 3600 + 3));
    rows.push(("CCC", E - 3300 + 17));
    // EEE: only the first and the last bucket, at their far edges.
    rows.push(("EEE", E + 299));
    rows.push(("EEE", E + 23 * EVERY + 1));
    rows
}

fn create_table(db: &TestDb, table: &str, key: &str, time: &str, times: Times) {
    let (k, t) = (db.q(key), db.q(time));
    let time_type = match (db.backend, times) {
        (Backend::Mysql, Times::Plain) => "DATETIME NOT NULL",
        // Without NULL DEFAULT NULL, MariaDB gives a first TIMESTAMP column
        // ON UPDATE CURRENT_TIMESTAMP.
        (Backend::Mysql, Times::Zoned) => "TIMESTAMP NULL DEFAULT NULL",
        (Backend::Postgres, Times::Plain) => "TIMESTAMP NOT NULL",
        (Backend::Postgres, Times::Zoned) => "TIMESTAMPTZ NOT NULL",
        (Backend::Sqlite, _) => "TEXT NOT NULL",
    };
    let price = match db.backend {
        Backend::Postgres => "DOUBLE PRECISION",
        _ => "DOUBLE",
    };
    db.exec(&format!(
        "CREATE TABLE {} ({k} VARCHAR(20) NOT NULL, {t} {time_type}, price {price})",
        db.q(table)
    ));
    db.exec(&format!(
        "CREATE INDEX {} ON {} ({k}, {t})",
        db.q(&format!("{table}_key_time")),
        db.q(table)
    ));
}

/// The literal a row's time is written as: UTC text on the servers (the
/// sessions run at UTC), and on SQLite either plain text or ISO-8601, some
/// of it with an offset.
fn literal(b: Backend, times: Times, epoch: i64, i: usize) -> String {
    match (b, times) {
        (Backend::Sqlite, Times::Zoned) if i % 3 == 1 => {
            // The same instant, written two hours ahead.
            let local = time(epoch + 7200).format("%Y-%m-%dT%H:%M:%S");
            format!("'{local}+02:00'")
        }
        (Backend::Sqlite, Times::Zoned) => {
            format!("'{}'", time(epoch).format("%Y-%m-%dT%H:%M:%SZ"))
        }
        _ => format!("'{}'", text(epoch)),
    }
}

/// Inserts rows in batches, one statement per batch.
fn insert(db: &TestDb, table: &str, key: &str, time: &str, times: Times, rows: &[(String, i64)]) {
    for (n, chunk) in rows.chunks(500).enumerate() {
        let values: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (k, t))| {
                format!(
                    "('{k}', {}, 1.5)",
                    literal(db.backend, times, *t, n * 500 + i)
                )
            })
            .collect();
        db.exec(&format!(
            "INSERT INTO {} ({}, {}, price) VALUES {}",
            db.q(table),
            db.q(key),
            db.q(time),
            values.join(", ")
        ));
    }
}

fn owned(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
    rows.iter().map(|(k, t)| (k.to_string(), *t)).collect()
}

type Range = (String, String, String, u64);

/// The missing runs worked out without SQL: the buckets each key has in
/// `first..first+n`, and the runs of the others.
fn expected(rows: &[(String, i64)], keys: &[&str], first: i64, n: i64) -> Vec<Range> {
    expected_every(rows, keys, first, n, EVERY)
}

fn expected_every(
    rows: &[(String, i64)],
    keys: &[&str],
    first: i64,
    n: i64,
    every: i64,
) -> Vec<Range> {
    let mut present: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for (k, t) in rows {
        present
            .entry(k.as_str())
            .or_default()
            .insert(t.div_euclid(every));
    }
    let mut out = Vec::new();
    for key in keys {
        let have = present.get(key).cloned().unwrap_or_default();
        let mut run: Option<(i64, i64)> = None;
        for b in first..first + n {
            if have.contains(&b) {
                if let Some((s, e)) = run.take() {
                    out.push((s, e, key));
                }
            } else {
                run = Some(run.map_or((b, b), |(s, _)| (s, b)));
            }
        }
        if let Some((s, e)) = run {
            out.push((s, e, key));
        }
    }
    let mut ranges: Vec<Range> = out
        .into_iter()
        .map(|(s, e, k)| {
            (
                k.to_string(),
                text(s * every),
                text(e * every),
                (e - s + 1) as u64,
            )
        })
        .collect();
    ranges.sort();
    ranges
}

fn ranges_of(report: &serde_json::Value) -> Vec<Range> {
    report["ranges"]
        .as_array()
        .expect("ranges")
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["from"].as_str().unwrap().to_string(),
                r["to"].as_str().unwrap().to_string(),
                r["missing"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn figure(report: &serde_json::Value, name: &str) -> u64 {
    report[name]
        .as_u64()
        .unwrap_or_else(|| panic!("no `{name}` in {report}"))
}

fn gaps_json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["gaps", "--format", "json"];
    all.extend_from_slice(args);
    db.mendb(&all).succeeds().json()
}

fn synthetic(b: Backend, tag: &str, times: Times) -> Option<TestDb> {
    let db = TestDb::new(b, tag)?;
    create_table(&db, "prices", "symbol", "timestamp", times);
    insert(
        &db,
        "prices",
        "symbol",
        "timestamp",
        times,
        &owned(&synthetic_rows()),
    );
    Some(db)
}

fn check_ranges(db: &TestDb) {
    let rows = owned(&synthetic_rows());
    let first = E / EVERY;
    let window = ["--since", SINCE, "--until", UNTIL];

    // Every key the table holds, CCC included although it stopped before
    // the window.
    let mut args = vec!["--table", "prices", "--every", "5m"];
    args.extend_from_slice(&window);
    let report = gaps_json(db, &args);
    let want = expected(&rows, &["AAA", "BBB", "CCC", "EEE"], first, BUCKETS);
    assert_eq!(ranges_of(&report), want);
    // The holes the rows were built with, spelled out once.
    assert_eq!(
        want.iter()
            .filter(|r| r.0 == "AAA")
            .map(|r| r.3)
            .collect::<Vec<_>>(),
        [3, 3, 3]
    );
    assert_eq!(report["since"], SINCE);
    assert_eq!(report["until"], UNTIL);
    assert_eq!(figure(&report, "window_buckets"), 24);
    assert_eq!(figure(&report, "keys_checked"), 4);
    assert_eq!(figure(&report, "keys_with_gaps"), 3);
    assert_eq!(figure(&report, "keys_fully_missing"), 1);
    assert_eq!(figure(&report, "buckets_expected"), 96);
    assert_eq!(figure(&report, "buckets_missing"), 9 + 24 + 22);

    // Exactly the keys asked for; DDD has no row at all.
    args.extend_from_slice(&["--symbols", "EEE,DDD,AAA,EEE"]);
    let report = gaps_json(db, &args);
    assert_eq!(
        ranges_of(&report),
        expected(&rows, &["AAA", "DDD", "EEE"], first, BUCKETS)
    );
    assert_eq!(figure(&report, "keys_checked"), 3);
    assert_eq!(figure(&report, "keys_fully_missing"), 1);
    assert_eq!(figure(&report, "buckets_missing"), 9 + 24 + 22);

    // Off-grid bounds: only the complete buckets inside count.
    let report = gaps_json(
        db,
        &[
            "--table",
            "prices",
            "--every",
            "5m",
            "--since",
            "2025-01-01 00:12:30",
            "--until",
            "2025-01-01T01:47:59Z",
            "--symbols",
            "AAA",
        ],
    );
    assert_eq!(report["since"], "2025-01-01 00:15:00");
    assert_eq!(report["until"], "2025-01-01 01:45:00");
    assert_eq!(ranges_of(&report), expected(&rows, &["AAA"], first + 3, 18));

    // Wider buckets: a hole counts only where it empties a whole quarter.
    let report = gaps_json(
        db,
        &[
            "--table", "prices", "--every", "15m", "--since", SINCE, "--until", UNTIL,
        ],
    );
    let want = expected_every(&rows, &["AAA", "BBB", "CCC", "EEE"], E / 900, 8, 900);
    assert_eq!(ranges_of(&report), want);
    assert_eq!(
        want.iter().map(|r| r.3).collect::<Vec<_>>(),
        [1, 1, 8, 6],
        "AAA's first and last quarter, CCC, EEE's inner quarters"
    );
}

fn ranges_match_the_holes(b: Backend) {
    let Some(db) = synthetic(b, "gaps_plain", Times::Plain) else {
        return;
    };
    check_ranges(&db);
}

fn zoned_time_columns_give_the_same_ranges(b: Backend) {
    let Some(db) = synthetic(b, "gaps_zoned", Times::Zoned) else {
        return;
    };
    check_ranges(&db);
}

/// Where an index leads with the key, PostgreSQL walks the keys and probes
/// each key's edges through it; without one it groups the window's rows as
/// MariaDB and SQLite always do. Both ways must find the same ranges.
fn the_same_ranges_without_an_index_on_the_key(b: Backend) {
    let Some(db) = synthetic(b, "gaps_noindex", Times::Plain) else {
        return;
    };
    let walk = |probe: bool| {
        let args = [
            "-vv", "gaps", "--table", "prices", "--every", "5m", "--since", SINCE, "--until", UNTIL,
        ];
        db.mendb(&args).succeeds().stderr_has(match probe {
            true => "edges probed through an index",
            false => "edges grouped from the window",
        });
    };
    walk(b == Backend::Postgres);
    let index = db.q("prices_key_time");
    match b {
        Backend::Mysql => db.exec(&format!("DROP INDEX {index} ON {}", db.q("prices"))),
        _ => db.exec(&format!("DROP INDEX {index}")),
    }
    db.exec(&format!(
        "CREATE INDEX {} ON {} ({})",
        db.q("prices_time"),
        db.q("prices"),
        db.q("timestamp")
    ));
    walk(false);
    check_ranges(&db);
}

fn default_window_and_keys(b: Backend) {
    let Some(db) = synthetic(b, "gaps_default", Times::Plain) else {
        return;
    };
    // The window starts at the bucket of the first row (CCC's, an hour
    // before E) and ends with the last complete bucket before now.
    let report = gaps_json(&db, &["--table", "prices", "--every", "1h"]);
    assert_eq!(report["since"], text(E - 3600));
    let now = chrono::Utc::now().timestamp();
    let until = now.div_euclid(3600) * 3600;
    let until_seen = report["until"].as_str().unwrap();
    // The hour may turn between the run and this line.
    assert!(
        until_seen == text(until) || until_seen == text(until - 3600),
        "{until_seen}"
    );
    assert_eq!(figure(&report, "keys_checked"), 4);

    // With keys, the first row among those keys.
    let report = gaps_json(
        &db,
        &[
            "--table",
            "prices",
            "--every",
            "5m",
            "--symbols",
            "AAA",
            "--until",
            UNTIL,
        ],
    );
    assert_eq!(report["since"], text(E + 3 * EVERY));
    assert_eq!(
        ranges_of(&report),
        expected(
            &owned(&synthetic_rows()),
            &["AAA"],
            E / EVERY + 3,
            BUCKETS - 3
        )
    );

    // A window without one complete bucket judges nothing, and says so.
    let report = gaps_json(
        &db,
        &[
            "--table",
            "prices",
            "--every",
            "5m",
            "--since",
            "2025-01-01 00:01:00",
            "--until",
            "2025-01-01 00:09:00",
        ],
    );
    assert_eq!(report["since"], "2025-01-01 00:05:00");
    assert_eq!(report["until"], "2025-01-01 00:05:00");
    assert_eq!(figure(&report, "window_buckets"), 0);
    assert_eq!(figure(&report, "keys_checked"), 4);
    assert_eq!(figure(&report, "buckets_missing"), 0);
    assert_eq!(ranges_of(&report), []);

    // No rows for the keys asked about: nothing to start the window at.
    db.mendb(&[
        "gaps",
        "--table",
        "prices",
        "--every",
        "5m",
        "--symbols",
        "ZZZ",
    ])
    .fails_with(9)
    .stderr_has("`prices` has no rows for the --symbols given")
    .stderr_has("--since");
}

fn text_output_and_fail_if_missing(b: Backend) {
    let Some(db) = synthetic(b, "gaps_text", Times::Plain) else {
        return;
    };
    let args = [
        "gaps", "--table", "prices", "--every", "5m", "--since", SINCE, "--until", UNTIL,
    ];
    let run = db.mendb(&args);
    run.succeeds();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "SYMBOL  FROM                  TO                    MISSING",
            "AAA     2025-01-01T00:00:00Z  2025-01-01T00:10:00Z        3",
            "AAA     2025-01-01T00:40:00Z  2025-01-01T00:50:00Z        3",
            "AAA     2025-01-01T01:45:00Z  2025-01-01T01:55:00Z        3",
            "CCC     2025-01-01T00:00:00Z  2025-01-01T01:55:00Z       24",
            "EEE     2025-01-01T00:05:00Z  2025-01-01T01:50:00Z       22",
            "3 of 4 keys have gaps (1 fully missing): 55 of 96 buckets missing \
             in [2025-01-01T00:00:00Z, 2025-01-01T02:00:00Z) every 5m",
        ],
        "{}",
        run.stdout
    );

    // At the limit passes, one below fails with 10 and says why.
    let with_limit = |n: &str| {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--fail-if-missing", n]);
        db.mendb(&a)
    };
    with_limit("55").succeeds();
    with_limit("54")
        .fails_with(10)
        .stderr_has("55 buckets missing in prices, more than the 54 allowed");
    // With JSON output, stdout stays one document: the report.
    let mut json_args = args.to_vec();
    json_args.extend_from_slice(&["--format", "json", "--fail-if-missing", "54"]);
    let run = db.mendb(&json_args);
    run.fails_with(10);
    assert_eq!(run.json()["buckets_missing"], 55);

    // A complete series prints the summary only.
    let run = db.mendb(&[
        "gaps",
        "--table",
        "prices",
        "--every",
        "5m",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--symbols",
        "BBB",
        "--fail-if-missing",
        "0",
    ]);
    run.succeeds();
    assert_eq!(
        run.stdout.trim_end(),
        "0 of 1 keys have gaps: 0 of 24 buckets missing in \
         [2025-01-01T00:00:00Z, 2025-01-01T02:00:00Z) every 5m"
    );
}

fn bad_input_is_refused(b: Backend) {
    let Some(db) = synthetic(b, "gaps_bad", Times::Plain) else {
        return;
    };
    let gaps = |extra: &[&str]| {
        let mut a = vec!["gaps", "--every", "5m", "--since", SINCE, "--until", UNTIL];
        a.extend_from_slice(extra);
        db.mendb(&a)
    };
    gaps(&["--table", "nope"])
        .fails_with(9)
        .stderr_has("no table `nope`");
    gaps(&["--table", "prices", "--time", "ts"])
        .fails_with(9)
        .stderr_has("table `prices` has no column `ts`");
    gaps(&["--table", "prices", "--key", "asset"])
        .fails_with(9)
        .stderr_has("table `prices` has no column `asset`");
    // A name that would be SQL if it were pasted in is just a missing table.
    gaps(&["--table", "prices; DROP TABLE prices"])
        .fails_with(9)
        .stderr_has("no table `prices; DROP TABLE prices`");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM prices"),
        synthetic_rows().len() as i64
    );

    let plain = |extra: &[&str]| {
        let mut a = vec!["gaps", "--table", "prices"];
        a.extend_from_slice(extra);
        db.mendb(&a)
    };
    plain(&["--every", "0s"])
        .fails_with(2)
        .stderr_has("--every must be a whole number of seconds");
    plain(&["--every", "1500ms"])
        .fails_with(2)
        .stderr_has("--every must be a whole number of seconds");
    plain(&["--every", "5m", "--since", UNTIL, "--until", SINCE])
        .fails_with(2)
        .stderr_has("--since 2025-01-01 02:00:00 is not before --until 2025-01-01 00:00:00");
    plain(&["--every", "5m", "--since", SINCE, "--until", SINCE]).fails_with(2);
    plain(&["--every", "5m", "--since", "2999-01-01"])
        .fails_with(2)
        .stderr_has("is not before --until (now");
    plain(&["--every", "5m", "--symbols", ","])
        .fails_with(2)
        .stderr_has("--symbols names no key");
}

/// Real 5-minute candles with the exchange's own missing candles left in:
/// the ranges found must be exactly the candles absent from the file.
fn real_candles_gaps_are_the_missing_candles(b: Backend) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realdata/freqtrade/ADA_BTC-5m.json");
    let Ok(json) = std::fs::read_to_string(&path) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "real data missing under CI=true: {} (shared/ must sit beside the repository)",
                path.display()
            );
        }
        eprintln!("SKIPPED real candles: no {}", path.display());
        return;
    };
    let Some(db) = TestDb::new(b, "gaps_real") else {
        return;
    };
    let candles: Vec<Vec<f64>> = serde_json::from_str(&json).expect("candles JSON");
    let opens: Vec<i64> = candles.iter().map(|c| c[0] as i64 / 1000).collect();
    assert!(
        opens.windows(2).all(|w| w[0] < w[1]),
        "candles out of order"
    );

    // Walk the file: every step longer than one candle is a missing run.
    let step = 300;
    let mut want: Vec<Range> = Vec::new();
    for w in opens.windows(2) {
        if w[1] - w[0] > step {
            want.push((
                "ADA/BTC".into(),
                text(w[0] + step),
                text(w[1] - step),
                ((w[1] - w[0]) / step - 1) as u64,
            ));
        }
    }
    assert!(!want.is_empty(), "the file was expected to miss candles");

    create_table(&db, "candles", "pair", "open_time", Times::Plain);
    let rows: Vec<(String, i64)> = opens.iter().map(|t| ("ADA/BTC".into(), *t)).collect();
    insert(&db, "candles", "pair", "open_time", Times::Plain, &rows);

    let since = text(opens[0]);
    let until = text(opens[opens.len() - 1] + step);
    let report = gaps_json(
        &db,
        &[
            "--table",
            "candles",
            "--key",
            "pair",
            "--time",
            "open_time",
            "--every",
            "5m",
            "--since",
            &since,
            "--until",
            &until,
        ],
    );
    assert_eq!(ranges_of(&report), want);
    let span = ((opens[opens.len() - 1] - opens[0]) / step + 1) as u64;
    assert_eq!(figure(&report, "buckets_expected"), span);
    assert_eq!(
        figure(&report, "buckets_missing"),
        span - opens.len() as u64
    );
    assert_eq!(figure(&report, "keys_fully_missing"), 0);
}
