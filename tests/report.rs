//! `mendb report` on a small hand-built world whose figures the test knows,
//! in text, JSON and Prometheus form, on all three databases.

mod common;

use common::{Backend, TestDb};

per_backend!(report_figures_match_a_known_world);

fn report_figures_match_a_known_world(b: Backend) {
    let Some(db) = TestDb::new(b, "report") else {
        return;
    };
    common::report_world(&db);
    let at = ["--until", "2025-09-30T12:00:00Z", "--window", "2h"];

    let json = db
        .mendb(&[&["report", "--format", "json"][..], &at[..]].concat())
        .succeeds()
        .json();
    // One window, three spellings: --since/--until as in gaps and the
    // plans, --window before --until, and the older --at.
    for other in [
        &[
            "--since",
            "2025-09-30T10:00:00Z",
            "--until",
            "2025-09-30T12:00:00Z",
        ][..],
        &["--at", "2025-09-30T12:00:00Z", "--window", "2h"][..],
    ] {
        let same = db
            .mendb(&[&["report", "--format", "json"][..], other].concat())
            .succeeds()
            .json();
        assert_eq!(same, json, "{other:?}");
    }
    db.mendb(&[
        "report",
        "--since",
        "2025-09-30T12:00:00Z",
        "--until",
        "2025-09-30T11:00:00Z",
    ])
    .fails_with(2)
    .stderr_has("--since 2025-09-30 12:00:00 --until 2025-09-30 11:00:00");
    assert_eq!(json["assets"], 3);
    assert_eq!(
        json["fresh_symbols"], 1,
        "only AAA reported in the last hour"
    );
    let g = &json["price_gaps"];
    assert_eq!(g["buckets_expected"], 3 * 24);
    assert_eq!(
        g["buckets_missing"],
        12 + 24,
        "BBB's last hour and all of CCC"
    );
    assert_eq!(g["symbols_complete"], 1);
    assert_eq!(g["symbols_partly_missing"], 1);
    assert_eq!(g["symbols_fully_missing"], 1);
    let o = &json["onchain"];
    assert_eq!(o["base_rows"], 4);
    assert_eq!(o["covered_rows"], 1);
    assert_eq!(o["coverage_pct"], 25.0);
    let ml = &json["ml_features"];
    assert_eq!(ml["rows"], 2);
    let columns = ml["columns"].as_array().unwrap();
    assert_eq!(
        columns.len(),
        18,
        "8 price features and 10 onchain_* columns"
    );
    // 2 filled cells of 36; 1 of the 20 on-chain cells.
    assert_eq!(ml["overall_pct"], 5.56);
    assert_eq!(ml["onchain_pct"], 5.0);
    assert_eq!(json["migrations"]["current_version"], 1);
    assert_eq!(json["migrations"]["pending"], 3);
    let tables = json["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 48);

    let text = db
        .mendb(&[&["report"][..], &at[..]].concat())
        .succeeds()
        .stdout
        .clone();
    for line in [
        "1 of 3 symbols have price_data_real rows in the hour before",
        "36 of 72 5-minute buckets missing in [2025-09-30T10:00:00Z, 2025-09-30T12:00:00Z)",
        "1 fully missing, 1 partly missing, 1 complete",
        "25.0% (1 of 4 base rows have an enhanced row)",
        "V1 of V4, 3 pending, clean",
    ] {
        assert!(text.contains(line), "text lacks `{line}`:\n{text}");
    }

    let prom = db
        .mendb(&[&["report", "--format", "prom"][..], &at[..]].concat())
        .succeeds()
        .stdout
        .clone();
    let metric = |name: &str| -> f64 {
        prom.lines()
            .find(|l| l.starts_with(name) && !l.starts_with('#'))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no sample {name} in:\n{prom}"))
    };
    assert_eq!(metric("mendb_assets "), 3.0);
    assert_eq!(metric("mendb_price_symbols_fresh "), 1.0);
    assert_eq!(
        metric("mendb_price_buckets_missing{table=\"price_data_real\",window=\"2h\"}"),
        36.0
    );
    assert_eq!(
        metric(
            "mendb_price_symbols_missing{kind=\"full\",table=\"price_data_real\",window=\"2h\"}"
        ),
        1.0
    );
    assert_eq!(metric("mendb_onchain_enhanced_coverage_ratio "), 0.25);
    assert_eq!(metric("mendb_migration_version "), 1.0);
    assert_eq!(metric("mendb_migration_dirty "), 0.0);
    for line in prom.lines().filter(|l| !l.starts_with('#')) {
        let parts: Vec<&str> = line.rsplitn(2, ' ').collect();
        assert_eq!(parts.len(), 2, "bad sample line {line}");
        assert!(parts[0].parse::<f64>().is_ok(), "bad value in {line}");
        assert!(parts[1].starts_with("mendb_"), "unprefixed metric {line}");
    }

    // --format prom is for report only.
    db.mendb(&["migrate", "status", "--format", "prom"])
        .fails_with(2);
}
