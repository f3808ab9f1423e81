//! Rendering of `fixtures load`: a cargo-style line per loaded table on
//! stderr (a structured log line with JSON logs, nothing with -q), then the
//! row counts and the checksum on stdout, or the whole report as JSON.

use std::io::Write;

use super::human::{count, duration, millis, percent};
use super::{Output, VERB};
use crate::cli::opt::{Format, LogFormat};
use crate::fixtures::{LoadReport, Progress};

impl Output {
    pub fn fixtures_progress(&self, progress: &Progress<'_>) {
        if self.log_format == LogFormat::Json {
            match progress {
                Progress::Migrated { database, elapsed } => tracing::info!(
                    database = %database, version = 1,
                    elapsed_ms = elapsed.as_millis() as u64, "migrated to V1"
                ),
                Progress::Table {
                    table,
                    rows,
                    elapsed,
                } => tracing::info!(
                    table = %table, rows, elapsed_ms = elapsed.as_millis() as u64, "table loaded"
                ),
            }
            return;
        }
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = match progress {
            Progress::Migrated { database, elapsed } => writeln!(
                err,
                "{:>VERB$} {database} to V1 ({})",
                "Migrated",
                duration(*elapsed)
            ),
            Progress::Table {
                table,
                rows,
                elapsed,
            } => writeln!(
                err,
                "{:>VERB$} {table} {} rows ({})",
                "Loaded",
                count(*rows),
                duration(*elapsed)
            ),
        };
        let _ = err.flush();
    }

    pub fn fixtures_loaded(&self, report: &LoadReport) {
        if self.format == Format::Json {
            return self.json(report);
        }
        for line in loaded_lines(report) {
            outln!("{line}");
        }
    }
}

/// The text result: a heading, the non-empty tables with their counts, the
/// number of empty ones, the two health figures and the checksum line.
fn loaded_lines(report: &LoadReport) -> Vec<String> {
    let mut lines = vec![format!(
        "Loaded the incident world into {} ({} rows in {}{})",
        report.database,
        count(report.total_rows),
        millis(report.elapsed_ms),
        if report.migrated_to_v1 {
            ", migrated to V1 first"
        } else {
            ""
        }
    )];
    let filled: Vec<_> = report.tables.iter().filter(|t| t.rows > 0).collect();
    let name_w = filled
        .iter()
        .map(|t| t.table.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let rows_w = count(report.total_rows).len().max(4);
    lines.push(String::new());
    lines.push(format!("{:<name_w$}  {:>rows_w$}", "TABLE", "ROWS"));
    for t in &filled {
        lines.push(format!("{:<name_w$}  {:>rows_w$}", t.table, count(t.rows)));
    }
    lines.push(format!(
        "{:<name_w$}  {:>rows_w$}",
        "total",
        count(report.total_rows)
    ));
    lines.push(String::new());
    let empty = report.tables.len() - filled.len();
    lines.push(format!(
        "{empty} empty table{}",
        if empty == 1 { "" } else { "s" }
    ));
    lines.push(format!(
        "ML feature population {}, on-chain enhanced {} of base",
        percent(report.ml_feature_population_pct),
        percent(report.onchain_enhanced_pct)
    ));
    lines.push(format!(
        "checksum {} (seed {}, scale {})",
        report.checksum, report.seed, report.scale
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::TableCount;

    #[test]
    fn text_lists_non_empty_tables_and_ends_with_the_checksum() {
        let report = LoadReport {
            database: "sqlite:w.db".into(),
            scale: 0.02,
            seed: 7,
            migrated_to_v1: true,
            tables: vec![
                TableCount {
                    table: "crypto_assets".into(),
                    rows: 317,
                },
                TableCount {
                    table: "price_data_tmp".into(),
                    rows: 0,
                },
            ],
            total_rows: 317,
            ml_feature_population_pct: 29.91,
            onchain_enhanced_pct: 8.28,
            checksum: "0123456789abcdef".into(),
            elapsed_ms: 1500,
        };
        let lines = loaded_lines(&report);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("crypto_assets") && l.ends_with("317"))
        );
        assert!(!lines.iter().any(|l| l.contains("price_data_tmp")));
        assert!(lines.contains(&"1 empty table".to_string()));
        assert_eq!(
            lines.last().unwrap(),
            "checksum 0123456789abcdef (seed 7, scale 0.02)"
        );
    }
}
