//! The incident world measured end to end: fixtures, then `gaps` and
//! `report` on it, on all three databases. Expected figures are derived
//! from the world's definition (docs/fixtures.md), not from the generator.

mod common;

use common::{Backend, TestDb};

per_backend!(gaps_finds_exactly_the_outage, report_shows_the_incident);

const SCALE: &str = "0.02";
/// At scale 0.02 the price history starts max(2, round(120 * 0.02)) = 2
/// hours before the 48-hour outage, which ends at T0.
const P0: &str = "2025-09-28T10:00:00Z";
const T0: &str = "2025-09-30T12:00:00Z";
const OUTAGE_BUCKETS: u64 = 48 * 12;
const SYMBOLS: u64 = 317;

fn world(b: Backend, tag: &str) -> Option<TestDb> {
    let db = TestDb::new(b, tag)?;
    db.mendb(&["-q", "fixtures", "load", "--scale", SCALE])
        .succeeds();
    Some(db)
}

fn gaps_finds_exactly_the_outage(b: Backend) {
    let Some(db) = world(b, "worldgaps") else {
        return;
    };
    let json = db
        .mendb(&[
            "gaps",
            "--format",
            "json",
            "--table",
            "price_data_real",
            "--every",
            "5m",
            "--since",
            P0,
            "--until",
            T0,
        ])
        .succeeds()
        .json();
    let ranges = json["ranges"].as_array().unwrap();
    assert_eq!(
        ranges.len() as u64,
        SYMBOLS,
        "one range per symbol, nothing else"
    );
    let symbols: std::collections::BTreeSet<&str> =
        ranges.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(symbols.len() as u64, SYMBOLS);
    for r in ranges {
        assert_eq!(r["from"], "2025-09-28 12:00:00", "{r}");
        assert_eq!(r["to"], "2025-09-30 11:55:00", "{r}");
        assert_eq!(r["missing"], OUTAGE_BUCKETS, "{r}");
    }
    assert_eq!(json["buckets_missing"], SYMBOLS * OUTAGE_BUCKETS);
    // Independently: the 2 hours before the outage are complete.
    let before = db.scalar(
        "SELECT COUNT(*) FROM price_data_real WHERE timestamp >= '2025-09-28 10:00:00' AND timestamp < '2025-09-28 12:00:00'",
    );
    assert_eq!(before as u64, SYMBOLS * 24);
}

fn report_shows_the_incident(b: Backend) {
    let Some(db) = world(b, "worldreport") else {
        return;
    };
    let json = db
        .mendb(&["report", "--until", T0, "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(json["assets"], SYMBOLS);
    assert_eq!(
        json["fresh_symbols"], 0,
        "nothing landed in the hour before T0"
    );
    assert_eq!(json["price_gaps"]["symbols_fully_missing"], SYMBOLS);
    assert_eq!(
        json["price_gaps"]["buckets_missing"],
        SYMBOLS * OUTAGE_BUCKETS
    );
    let coverage = json["onchain"]["coverage_pct"].as_f64().unwrap();
    assert!(
        (coverage - 8.3).abs() <= 0.3,
        "enhanced coverage {coverage}%"
    );
    let ml = json["ml_features"]["overall_pct"].as_f64().unwrap();
    assert!((ml - 29.9).abs() <= 0.5, "ML population {ml}%");
    assert_eq!(json["migrations"]["current_version"], 1);

    let prom = db
        .mendb(&["report", "--until", T0, "--format", "prom"])
        .succeeds()
        .stdout
        .clone();
    let sample = |prefix: &str| -> f64 {
        prom.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {prefix} in:\n{prom}"))
    };
    assert_eq!(sample("mendb_assets "), SYMBOLS as f64);
    assert_eq!(sample("mendb_price_symbols_fresh "), 0.0);
    let ratio = sample("mendb_onchain_enhanced_coverage_ratio ");
    assert!((ratio - 0.083).abs() <= 0.003, "{ratio}");
    let ml = sample("mendb_ml_feature_population_ratio{scope=\"all\"} ");
    assert!((ml - 0.299).abs() <= 0.005, "{ml}");
}
