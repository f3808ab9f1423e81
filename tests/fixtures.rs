//! `mendb fixtures load` through the binary, on SQLite, MariaDB and
//! PostgreSQL: row counts computed here from the world's documented rules
//! (not from the generator), the outage seen in SQL, the ML population and
//! enhanced share, the views, determinism of the checksum, refusals that
//! write nothing, and scale 1 against the counts in docs/fixtures.md.

mod common;

use std::collections::BTreeMap;

use common::{Backend, TestDb};

per_backend!(
    small_world_follows_its_rules,
    same_seed_same_checksum_other_seed_differs,
    refuses_a_database_past_v1,
    refuses_v1_with_rows_and_bad_scales,
    scale_one_matches_the_documented_counts,
);

const T0: &str = "2025-09-30 12:00:00";
const OUTAGE_START: &str = "2025-09-28 12:00:00";
const SMALL: f64 = 0.02;

/// The 48 tables and their row counts at `scale`, from the rules in
/// docs/fixtures.md.
fn expected_counts(scale: f64) -> BTreeMap<&'static str, i64> {
    let r = |x: f64| x.round() as i64;
    let pre_hours = r(120.0 * scale).max(2);
    let onchain_days = r(322.0 * scale).max(8);
    let ml_days = r(14.0 * scale).max(2);
    let mild = |base: f64| r(base * scale.powf(0.25)).max(1);
    let old_points = 12 * (pre_hours + 48);
    let old_per_symbol = old_points - r(0.02 * old_points as f64) + r(0.01 * old_points as f64);
    let base = 317 * onchain_days;
    BTreeMap::from([
        ("crypto_assets", 317),
        ("price_data_real", 317 * 12 * pre_hours),
        ("price_data_old", 127 * old_per_symbol),
        ("ohlc_data", 250 * (pre_hours + 48)),
        ("crypto_onchain_data", base),
        ("crypto_onchain_data_enhanced", r(0.083 * base as f64)),
        ("ml_features_materialized", 317 * 24 * ml_days),
        ("crypto_news", mild(40.0)),
        ("social_sentiment", mild(60.0)),
        ("macro_indicators", 6 * mild(8.0)),
        ("technical_indicators", mild(48.0)),
        ("trading_signals", mild(36.0)),
        ("narrative_analysis", mild(24.0)),
        ("collector_runs", mild(48.0)),
        ("api_usage_log", mild(60.0)),
        ("exchange_info", 12),
        ("market_summary", mild(36.0)),
        ("price_alerts", mild(24.0)),
        ("derivatives_data", mild(40.0)),
        ("defi_protocol_metrics", 6 * mild(8.0)),
        ("price_data_test", 3),
        ("price_data_tmp", 0),
        ("price_data_backup_20250901", 5),
        ("price_data_real_backup_20250915", 0),
        ("price_data_v1", 2),
        ("ohlc_data_test", 0),
        ("ohlc_data_backup_20250820", 4),
        ("crypto_assets_backup_20250901", 0),
        ("crypto_assets_test", 3),
        ("crypto_onchain_data_v1", 0),
        ("crypto_onchain_data_tmp", 2),
        ("onchain_enhanced_test", 0),
        ("ml_features_v1", 0),
        ("ml_features_test", 5),
        ("ml_features_materialized_old", 0),
        ("ml_features_backup_20250910", 1),
        ("sentiment_data_old", 0),
        ("social_sentiment_test", 2),
        ("news_data_old", 0),
        ("crypto_news_tmp", 1),
        ("technical_indicators_v1", 0),
        ("trading_signals_test", 4),
        ("trading_signals_backup_20250825", 0),
        ("macro_indicators_old", 3),
        ("narrative_analysis_tmp", 0),
        ("collector_runs_old", 0),
        ("api_usage_log_backup_20250901", 2),
        ("price_alerts_test", 3),
    ])
}

fn count(db: &TestDb, table: &str) -> i64 {
    db.scalar(&format!("SELECT COUNT(*) FROM {table}"))
}

fn counts_in_db(db: &TestDb) -> BTreeMap<&'static str, i64> {
    expected_counts(1.0)
        .keys()
        .map(|t| (*t, count(db, t)))
        .collect()
}

/// The last stdout line of a text run: `checksum <hex> (seed S, scale X)`.
fn checksum_line(stdout: &str) -> String {
    let line = stdout.lines().last().unwrap_or_default().to_string();
    assert!(line.starts_with("checksum "), "{stdout}");
    line
}

const ML_FEATURES: [&str; 18] = [
    "price",
    "volume",
    "returns_1h",
    "returns_24h",
    "volatility_24h",
    "rsi_14",
    "macd",
    "sma_20",
    "onchain_active_addresses",
    "onchain_transaction_count",
    "onchain_transaction_volume",
    "onchain_exchange_inflow",
    "onchain_exchange_outflow",
    "onchain_exchange_netflow",
    "onchain_whale_transactions",
    "onchain_nvt_ratio",
    "onchain_mvrv_ratio",
    "onchain_hash_rate",
];

fn small_world_follows_its_rules(b: Backend) {
    let Some(db) = TestDb::new(b, "fx_small") else {
        return;
    };
    let scale = SMALL.to_string();
    let run = db.mendb(&["fixtures", "load", "--scale", &scale, "--format", "json"]);
    run.succeeds();
    let report = run.json();
    assert_eq!(report["migrated_to_v1"], true);
    assert_eq!(db.history_versions(), [1]);

    // Every table holds exactly what the rules say.
    let expected = expected_counts(SMALL);
    assert_eq!(counts_in_db(&db), expected);
    let reported: BTreeMap<String, i64> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["rows"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected_named: BTreeMap<String, i64> =
        expected.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(reported, expected_named);
    assert!(report["checksum"].as_str().unwrap().len() == 16);

    // The outage: nothing in [T0 − 48 h, T0), every symbol on every grid
    // point before it, so a gap search over [P0, T0) finds exactly the 576
    // outage buckets per symbol.
    let p0 = "2025-09-28 10:00:00"; // T0 − 48 h − 2 h at this scale
    assert_eq!(
        db.scalar(&format!(
            "SELECT COUNT(*) FROM price_data_real WHERE timestamp >= '{OUTAGE_START}' AND timestamp < '{T0}'"
        )),
        0
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT COUNT(*) FROM price_data_real WHERE timestamp < '{p0}' OR timestamp >= '{T0}'"
        )),
        0
    );
    assert_eq!(
        db.scalar("SELECT COUNT(DISTINCT timestamp) FROM price_data_real"),
        24
    );
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM (SELECT symbol FROM price_data_real GROUP BY symbol HAVING COUNT(DISTINCT timestamp) = 24) t"
        ),
        317
    );
    // The legacy collector: ranks 1..127, through the outage, inside [P0, T0).
    assert_eq!(
        db.scalar("SELECT COUNT(DISTINCT symbol) FROM price_data_old"),
        127
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT COUNT(*) FROM price_data_old WHERE timestamp < '{p0}' OR timestamp >= '{T0}'"
        )),
        0
    );
    assert!(
        db.scalar(&format!(
            "SELECT COUNT(*) FROM price_data_old WHERE timestamp >= '{OUTAGE_START}'"
        )) > 127 * 500
    );
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM price_data_old o JOIN crypto_assets a ON a.symbol = o.symbol WHERE a.market_cap_rank > 127"
        ),
        0
    );
    // Candles: ranks 1..250, consistent with themselves.
    assert_eq!(
        db.scalar("SELECT COUNT(DISTINCT symbol) FROM ohlc_data"),
        250
    );
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM ohlc_data WHERE high < open OR high < close OR low > open OR low > close"
        ),
        0
    );

    // Enhanced: 8.3 % of base, newest day complete first, formulas exact.
    let base = count(&db, "crypto_onchain_data");
    let enhanced = count(&db, "crypto_onchain_data_enhanced");
    let pct = 100.0 * enhanced as f64 / base as f64;
    assert!((pct - 8.3).abs() < 0.05, "enhanced {pct:.3} %");
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM crypto_onchain_data_enhanced e JOIN crypto_onchain_data b \
             ON b.symbol = e.symbol AND b.date = e.date \
             WHERE e.exchange_netflow <> b.exchange_inflow - b.exchange_outflow \
                OR e.nvt_ratio <> b.market_cap / NULLIF(b.transaction_volume, 0) \
                OR e.mvrv_ratio <> b.market_cap / NULLIF(b.realized_cap, 0) \
                OR e.avg_transaction_value <> b.transaction_volume / NULLIF(b.transaction_count, 0) \
                OR e.market_cap <> b.market_cap OR e.active_addresses <> b.active_addresses"
        ),
        0
    );
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM crypto_onchain_data_enhanced e JOIN crypto_onchain_data b \
             ON b.symbol = e.symbol AND b.date = e.date"
        ),
        enhanced
    );

    // ML: 29.9 % ± 0.5 of the 18 feature cells; no price feature in the
    // outage for symbols without any price source; on-chain values only
    // where an enhanced row exists.
    let filled: Vec<String> = ML_FEATURES.iter().map(|c| format!("COUNT({c})")).collect();
    let cells = db.scalar(&format!(
        "SELECT {} FROM ml_features_materialized",
        filled.join(" + ")
    ));
    let rows = count(&db, "ml_features_materialized");
    let population = 100.0 * cells as f64 / (rows * 18) as f64;
    assert!(
        (population - 29.9).abs() <= 0.5,
        "ML population {population:.3} %"
    );
    let reported = report["ml_feature_population_pct"].as_f64().unwrap();
    assert!(
        (reported - population).abs() < 0.01,
        "{reported} vs {population}"
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT COUNT(m.price) FROM ml_features_materialized m JOIN crypto_assets a ON a.symbol = m.symbol \
             WHERE a.market_cap_rank > 250 AND m.timestamp >= '{OUTAGE_START}'"
        )),
        0
    );
    let date_of_ts = match b {
        Backend::Sqlite => "substr(m.timestamp, 1, 10)",
        _ => "CAST(m.timestamp AS DATE)",
    };
    assert_eq!(
        db.scalar(&format!(
            "SELECT COUNT(*) FROM ml_features_materialized m LEFT JOIN crypto_onchain_data_enhanced e \
             ON e.symbol = m.symbol AND e.date = {date_of_ts} \
             WHERE m.onchain_transaction_count IS NOT NULL \
               AND (e.id IS NULL OR m.onchain_transaction_count <> e.transaction_count \
                    OR m.onchain_nvt_ratio <> e.nvt_ratio)"
        )),
        0
    );
    assert!(db.scalar("SELECT COUNT(onchain_transaction_count) FROM ml_features_materialized") > 0);

    // Both views work over the loaded data.
    assert_eq!(count(&db, "onchain_metrics"), base);
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM onchain_metrics m JOIN crypto_onchain_data_enhanced e \
             ON e.symbol = m.symbol AND e.date = m.date WHERE m.exchange_netflow <> e.exchange_netflow"
        ),
        0
    );
    assert_eq!(count(&db, "price_data_test_latest"), 2);
    // The foreign keys point at real assets.
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM trading_signals_test t JOIN crypto_assets a ON a.id = t.asset_id"
        ),
        4
    );
}

fn same_seed_same_checksum_other_seed_differs(b: Backend) {
    let (Some(first), Some(second), Some(other)) = (
        TestDb::new(b, "fx_sum_a"),
        TestDb::new(b, "fx_sum_b"),
        TestDb::new(b, "fx_sum_c"),
    ) else {
        return;
    };
    let a = first.mendb(&["fixtures", "load", "--scale", "0.001"]);
    a.succeeds()
        .stderr_has("      Loaded price_data_real 7,608 rows (");
    // The second database is already at V1 with empty tables: loaded as is.
    second.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    let b2 = second.mendb(&["fixtures", "load", "--scale", "0.001"]);
    b2.succeeds();
    assert!(b2.stdout.contains("price_data_real"), "{}", b2.stdout);
    assert!(!b2.stdout.contains("migrated to V1"), "{}", b2.stdout);
    assert!(a.stdout.contains("migrated to V1"), "{}", a.stdout);
    let c = other.mendb(&["-q", "fixtures", "load", "--scale", "0.001", "--seed", "7"]);
    c.succeeds();
    assert!(c.stderr.is_empty(), "-q prints no progress: {}", c.stderr);
    let (la, lb, lc) = (
        checksum_line(&a.stdout),
        checksum_line(&b2.stdout),
        checksum_line(&c.stdout),
    );
    assert!(la.ends_with("(seed 20250930, scale 0.001)"), "{la}");
    assert_eq!(la, lb);
    assert!(lc.ends_with("(seed 7, scale 0.001)"), "{lc}");
    assert_ne!(la.split(' ').nth(1), lc.split(' ').nth(1));
    // Same rows, row for row, on the two databases with the same seed.
    for table in [
        "crypto_assets",
        "price_data_old",
        "ml_features_materialized",
    ] {
        assert_eq!(first.table_rows(table), second.table_rows(table), "{table}");
    }
}

/// The same seed and scale give the same checksum on every database.
#[test]
fn checksum_is_the_same_on_every_database() {
    let mut seen: Vec<(Backend, String)> = Vec::new();
    for b in [Backend::Sqlite, Backend::Mysql, Backend::Postgres] {
        let Some(db) = TestDb::new(b, "fx_every") else {
            continue;
        };
        let run = db.mendb(&["fixtures", "load", "--scale", "0.001", "--seed", "11"]);
        run.succeeds();
        seen.push((b, checksum_line(&run.stdout)));
    }
    for (b, line) in &seen[1..] {
        assert_eq!(line, &seen[0].1, "{b:?} differs from {:?}", seen[0].0);
    }
}

/// Row counts of the 20 tables V4 keeps (V3 parks the other 28).
fn essential_counts(db: &TestDb) -> Vec<i64> {
    expected_counts(1.0)
        .keys()
        .filter(|t| !common::PRUNED.contains(t))
        .map(|t| count(db, t))
        .collect()
}

fn refuses_a_database_past_v1(b: Backend) {
    let Some(db) = TestDb::new(b, "fx_v4") else {
        return;
    };
    db.mendb(&["migrate", "up"]).succeeds();
    db.mendb(&["fixtures", "load", "--scale", "0.001"])
        .fails_with(9)
        .stderr_has("fixtures load needs an empty database or one at V1 with empty tables")
        .stderr_has("is at V4");
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    assert!(essential_counts(&db).iter().all(|n| *n == 0));
}

fn refuses_v1_with_rows_and_bad_scales(b: Backend) {
    let Some(db) = TestDb::new(b, "fx_v1rows") else {
        return;
    };
    db.mendb(&["fixtures", "load", "--scale", "0"])
        .fails_with(2)
        .stderr_has("--scale must be between 0.001 and 10");
    db.mendb(&["fixtures", "load", "--scale", "11"])
        .fails_with(2);
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    db.exec(
        "INSERT INTO price_data_real (symbol, timestamp, current_price, created_at) \
         VALUES ('BTC', '2025-09-30 11:55:00', 109000, '2025-09-30 11:55:02')",
    );
    db.mendb(&["fixtures", "load", "--scale", "0.001"])
        .fails_with(9)
        .stderr_has("table price_data_real already holds 1 row");
    let counts = counts_in_db(&db);
    for (table, n) in counts {
        assert_eq!(
            n,
            i64::from(table == "price_data_real"),
            "{table} was written"
        );
    }
    assert_eq!(db.history_versions(), [1]);
}

fn fixtures_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixtures.md");
    std::fs::read_to_string(path).expect("docs/fixtures.md")
}

/// The scale-1 checksum docs/fixtures.md states for the default seed.
fn documented_checksum() -> String {
    let doc = fixtures_doc().replace('\n', " ");
    let marker = "The checksum at scale 1 with the default seed is `";
    let start = doc.find(marker).expect("the documented checksum") + marker.len();
    doc[start..start + 16].to_string()
}

/// The `| table | rows |` table of docs/fixtures.md.
fn documented_counts() -> BTreeMap<String, i64> {
    let doc = fixtures_doc();
    let mut lines = doc
        .lines()
        .skip_while(|l| l.replace(' ', "") != "|table|rows|")
        .skip(2);
    let mut counts = BTreeMap::new();
    for line in lines.by_ref() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            break;
        }
        let table = cells[1].trim_matches('`').to_string();
        let rows = cells[2].replace(',', "").parse().expect("a row count");
        counts.insert(table, rows);
    }
    counts
}

fn scale_one_matches_the_documented_counts(b: Backend) {
    let documented = documented_counts();
    let by_rule: BTreeMap<String, i64> = expected_counts(1.0)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(
        documented, by_rule,
        "docs/fixtures.md disagrees with the rules"
    );
    let Some(db) = TestDb::new(b, "fx_scale1") else {
        return;
    };
    let started = std::time::Instant::now();
    let run = db.mendb(&["-q", "fixtures", "load"]);
    run.succeeds();
    eprintln!(
        "{b:?}: scale 1 loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        checksum_line(&run.stdout),
        format!(
            "checksum {} (seed 20250930, scale 1)",
            documented_checksum()
        )
    );
    let loaded: BTreeMap<String, i64> = counts_in_db(&db)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(loaded, documented);
}
