//! Rendering of `report`: a text summary for people, JSON for programs and
//! the Prometheus text format for alerting. Metric names are documented in
//! docs/report.md; renaming one breaks someone's alert.

use std::fmt::Write as _;

use super::Output;
use super::human::{count, percent, time};
use crate::cli::opt::Format;
use crate::report::Report;

impl Output {
    pub fn report(&self, report: &Report) {
        match self.format {
            Format::Json => self.json(report),
            Format::Text => outln!("{}", text(report)),
        }
    }

    /// `report --format prom`: only `report` renders Prometheus metrics.
    pub fn report_prom(&self, report: &Report) {
        outln!("{}", prometheus(report));
    }
}

fn hours(secs: u64) -> String {
    if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else {
        format!("{}m", secs / 60)
    }
}

/// The text summary: the figures aligned, then the ML columns and tables.
fn text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Health of {} at {}\n", r.database, time(r.at));
    for (name, value) in figures(r) {
        let _ = writeln!(s, "{name:<19} {value}");
    }
    if let Some(ml) = &r.ml_features {
        let _ = writeln!(s, "\nML feature population");
        for c in &ml.columns {
            let _ = writeln!(s, "  {:<28} {:>6}", c.column, percent(c.pct));
        }
    }
    let empty = r.tables.iter().filter(|t| t.rows == 0).count();
    let _ = writeln!(s, "\nTables ({}, {} empty)", r.tables.len(), empty);
    let width = r.tables.iter().map(|t| t.table.len()).max().unwrap_or(0);
    for t in &r.tables {
        let _ = writeln!(s, "  {:<width$} {:>12}", t.table, count(t.rows));
    }
    s.trim_end().to_string()
}

/// Escapes a Prometheus label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

struct Prom(String);

impl Prom {
    fn gauge(&mut self, name: &str, help: &str, samples: &[(String, f64)]) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(self.0, "{name}{labels} {value}");
        }
    }
}

/// Long because it is the list of metrics docs/report.md documents, one gauge after another.
fn prometheus(r: &Report) -> String {
    let mut p = Prom(String::new());
    let one = |v: f64| vec![(String::new(), v)];
    p.gauge(
        "mendb_report_timestamp_seconds",
        "The moment the report describes (--until), as Unix time.",
        &one(r.at.and_utc().timestamp() as f64),
    );
    let tables: Vec<(String, f64)> = r
        .tables
        .iter()
        .map(|t| (format!("{{table=\"{}\"}}", label(&t.table)), t.rows as f64))
        .collect();
    p.gauge("mendb_table_rows", "Rows per project table.", &tables);
    if let Some(a) = r.assets {
        p.gauge(
            "mendb_assets",
            "Symbols listed in crypto_assets.",
            &one(a as f64),
        );
    }
    if let Some(f) = r.fresh_symbols {
        p.gauge(
            "mendb_price_symbols_fresh",
            "Symbols with a price_data_real row in the hour before the report time.",
            &one(f as f64),
        );
    }
    if let Some(g) = &r.price_gaps {
        let l = format!(
            "table=\"{}\",window=\"{}\"",
            label(&g.table),
            hours((g.until - g.since).num_seconds().max(0) as u64,)
        );
        p.gauge(
            "mendb_price_buckets_expected",
            "Price buckets expected in the window (symbols x buckets).",
            &[(format!("{{{l}}}"), g.buckets_expected as f64)],
        );
        p.gauge(
            "mendb_price_buckets_missing",
            "Price buckets with no row in the window.",
            &[(format!("{{{l}}}"), g.buckets_missing as f64)],
        );
        p.gauge(
            "mendb_price_symbols_missing",
            "Symbols missing price buckets in the window, fully or partly.",
            &[
                (
                    format!("{{{l},kind=\"full\"}}"),
                    g.symbols_fully_missing as f64,
                ),
                (
                    format!("{{{l},kind=\"partial\"}}"),
                    g.symbols_partly_missing as f64,
                ),
            ],
        );
    }
    if let Some(o) = &r.onchain {
        p.gauge(
            "mendb_onchain_enhanced_coverage_ratio",
            "Share of crypto_onchain_data rows with an enhanced row (0..1).",
            &one(o.coverage_pct / 100.0),
        );
    }
    if let Some(m) = &r.ml_features {
        p.gauge(
            "mendb_ml_feature_population_ratio",
            "Share of non-null ML feature cells (0..1), over all feature columns or the onchain_* ones.",
            &[
                ("{scope=\"all\"}".to_string(), m.overall_pct / 100.0),
                ("{scope=\"onchain\"}".to_string(), m.onchain_pct / 100.0),
            ],
        );
        let columns: Vec<(String, f64)> = m
            .columns
            .iter()
            .map(|c| {
                (
                    format!("{{column=\"{}\"}}", label(&c.column)),
                    c.pct / 100.0,
                )
            })
            .collect();
        p.gauge(
            "mendb_ml_column_population_ratio",
            "Share of non-null values per ML feature column (0..1).",
            &columns,
        );
    }
    let m = &r.migrations;
    p.gauge(
        "mendb_migration_version",
        "Latest applied migration version (0 when none).",
        &one(f64::from(m.current_version.unwrap_or(0))),
    );
    p.gauge(
        "mendb_migration_pending",
        "Migrations not yet applied.",
        &one(m.pending as f64),
    );
    p.gauge(
        "mendb_migration_dirty",
        "1 when a migration stopped half-way and needs `mendb migrate repair`.",
        &one(if m.dirty { 1.0 } else { 0.0 }),
    );
    p.0.trim_end().to_string()
}

/// The migrations figure in words, as the text and HTML reports show it.
pub(super) fn migrations_line(r: &Report) -> String {
    let m = &r.migrations;
    let version = |v: Option<i32>| v.map_or("none".to_string(), |v| format!("V{v}"));
    format!(
        "{} of {}, {} pending, {}{}",
        version(m.current_version),
        version(m.latest_version),
        count(m.pending as u64),
        if m.dirty { "DIRTY" } else { "clean" },
        if m.problems.is_empty() {
            String::new()
        } else {
            format!(
                ", {} problem(s): see `mendb migrate status`",
                m.problems.len()
            )
        }
    )
}

/// The headline figures, in the order docs/report.md shows them, as the
/// text and HTML reports both word them.
pub(super) fn figures(r: &Report) -> Vec<(&'static str, String)> {
    let absent = || "n/a (table missing)".to_string();
    let mut rows = vec![(
        "Price freshness",
        match (r.fresh_symbols, r.assets) {
            (Some(f), Some(a)) => format!(
                "{} of {} symbols have price_data_real rows in the hour before",
                count(f),
                count(a)
            ),
            (Some(f), None) => format!(
                "{} symbols have price_data_real rows in the hour before",
                count(f)
            ),
            _ => absent(),
        },
    )];
    match &r.price_gaps {
        Some(g) => {
            rows.push((
                "Missing buckets",
                format!(
                    "{} of {} {}-minute buckets missing in [{}, {})",
                    count(g.buckets_missing),
                    count(g.buckets_expected),
                    g.every_secs / 60,
                    time(g.since),
                    time(g.until)
                ),
            ));
            rows.push((
                "Symbols",
                format!(
                    "{} fully missing, {} partly missing, {} complete",
                    count(g.symbols_fully_missing),
                    count(g.symbols_partly_missing),
                    count(g.symbols_complete)
                ),
            ));
        }
        None => rows.push(("Missing buckets", absent())),
    }
    rows.push((
        "On-chain coverage",
        match &r.onchain {
            Some(o) => format!(
                "{} ({} of {} base rows have an enhanced row)",
                percent(o.coverage_pct),
                count(o.covered_rows),
                count(o.base_rows)
            ),
            None => absent(),
        },
    ));
    rows.push((
        "ML features",
        match &r.ml_features {
            Some(m) => format!(
                "{} of cells populated ({} rows x {} columns); onchain_* columns {}",
                percent(m.overall_pct),
                count(m.rows),
                m.columns.len(),
                percent(m.onchain_pct)
            ),
            None => absent(),
        },
    ));
    rows.push(("Migrations", migrations_line(r)));
    rows
}
