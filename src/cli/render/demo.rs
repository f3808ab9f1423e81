//! Rendering of `demo`: headings between the steps and the closing
//! before/after table.

use super::Output;
use super::human::{count, percent};
use crate::cli::opt::Format;
use crate::report::Report;

impl Output {
    pub fn demo_heading(&self, title: &str) {
        if self.format == Format::Text {
            outln!("\n== {title} ==\n");
        }
    }

    pub fn demo_line(&self, line: &str) {
        if self.format == Format::Text {
            outln!("{line}");
        }
    }

    /// `demo --gap-maps DIR`: a picture written, after the table.
    pub fn demo_written(&self, file: &std::path::Path, what: &str) {
        if self.format == Format::Text {
            outln!("Wrote {} ({what})", file.display());
        }
    }

    pub fn demo_comparison(&self, before: &Report, after: &Report) {
        if self.format == Format::Json {
            return self.json(&serde_json::json!({ "before": before, "after": after }));
        }
        let rows = figures(before).into_iter().zip(figures(after));
        outln!("{:<40} {:>14} {:>14}", "figure", "before", "after");
        for ((name, b), (_, a)) in rows {
            outln!("{name:<40} {b:>14} {a:>14}");
        }
    }
}

fn figures(r: &Report) -> Vec<(&'static str, String)> {
    let n = |v: Option<u64>| v.map_or("n/a".to_string(), count);
    let pct = |v: Option<f64>| v.map_or("n/a".to_string(), percent);
    let gaps = r.price_gaps.as_ref();
    vec![
        ("symbols with prices in the last hour", n(r.fresh_symbols)),
        (
            "price buckets missing (48 h)",
            n(gaps.map(|g| g.buckets_missing)),
        ),
        (
            "symbols fully missing",
            n(gaps.map(|g| g.symbols_fully_missing)),
        ),
        (
            "symbols partly missing",
            n(gaps.map(|g| g.symbols_partly_missing)),
        ),
        (
            "on-chain enhanced coverage",
            pct(r.onchain.as_ref().map(|o| o.coverage_pct)),
        ),
        (
            "ML feature population",
            pct(r.ml_features.as_ref().map(|m| m.overall_pct)),
        ),
        (
            "ML onchain_* population",
            pct(r.ml_features.as_ref().map(|m| m.onchain_pct)),
        ),
        (
            "schema version",
            r.migrations
                .current_version
                .map_or("none".into(), |v| format!("V{v}")),
        ),
    ]
}
