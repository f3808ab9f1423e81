//! Rendering of `report`: a text summary for people and JSON for programs;
//! the Prometheus metrics are `crate::metrics::report_text`'s.

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

    /// `report --format prom`: the text `crate::metrics` encodes.
    pub fn report_prom(&self, text: &str) {
        outln!("{}", text.trim_end());
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
