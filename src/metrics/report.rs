//! The health report as metrics: what `report --format prom` prints and
//! `report --pushgateway` pushes, every figure a gauge, a figure whose
//! table is missing left out.

use prometheus::{Gauge, GaugeVec, Opts, Registry};

use super::migrate::{DIRTY, PENDING, VERSION};
use super::{MetricsError, encode};
use crate::report::Report;

/// `report --format prom`.
pub fn report_text(r: &Report) -> Result<String, MetricsError> {
    Ok(encode(&report_registry(r)?))
}

/// The window as `report` names it in a label (`48h`, `90m`).
fn window_label(secs: u64) -> String {
    if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else {
        format!("{}m", secs / 60)
    }
}

struct Gauges<'a>(&'a Registry);

impl Gauges<'_> {
    fn one(&self, name: &str, help: &str, value: f64) -> Result<(), MetricsError> {
        let g = Gauge::new(name, help)?;
        g.set(value);
        self.0.register(Box::new(g))?;
        Ok(())
    }

    fn family(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
        samples: impl IntoIterator<Item = (Vec<String>, f64)>,
    ) -> Result<(), MetricsError> {
        let g = GaugeVec::new(Opts::new(name, help), labels)?;
        for (values, v) in samples {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            g.get_metric_with_label_values(&values)?.set(v);
        }
        self.0.register(Box::new(g))?;
        Ok(())
    }
}

/// Long because it is the list of metrics docs/metrics.md documents, one
/// gauge after another.
pub fn report_registry(r: &Report) -> Result<Registry, MetricsError> {
    let registry = Registry::new();
    let g = Gauges(&registry);
    g.one(
        "mendb_report_timestamp_seconds",
        "The moment the report describes (--until), as Unix time.",
        r.at.and_utc().timestamp() as f64,
    )?;
    g.family(
        "mendb_table_rows",
        "Rows per project table.",
        &["table"],
        r.tables
            .iter()
            .map(|t| (vec![t.table.clone()], t.rows as f64)),
    )?;
    if let Some(a) = r.assets {
        g.one("mendb_assets", "Symbols listed in crypto_assets.", a as f64)?;
    }
    if let Some(f) = r.fresh_symbols {
        g.one(
            "mendb_price_symbols_fresh",
            "Symbols with a price_data_real row in the hour before the report time.",
            f as f64,
        )?;
    }
    if let Some(p) = &r.price_gaps {
        let window = window_label((p.until - p.since).num_seconds().max(0) as u64);
        let at = || vec![p.table.clone(), window.clone()];
        let labels = &["table", "window"];
        g.family(
            "mendb_price_buckets_expected",
            "Price buckets expected in the window (symbols x buckets).",
            labels,
            [(at(), p.buckets_expected as f64)],
        )?;
        g.family(
            "mendb_price_buckets_missing",
            "Price buckets with no row in the window.",
            labels,
            [(at(), p.buckets_missing as f64)],
        )?;
        let kind = |k: &str| vec![p.table.clone(), window.clone(), k.to_string()];
        g.family(
            "mendb_price_symbols_missing",
            "Symbols missing price buckets in the window, fully or partly.",
            &["table", "window", "kind"],
            [
                (kind("full"), p.symbols_fully_missing as f64),
                (kind("partial"), p.symbols_partly_missing as f64),
            ],
        )?;
        let found = &p.found;
        let window_secs = (found.until - found.since).num_seconds().max(0) as f64;
        let every = chrono::Duration::seconds(found.every_secs as i64);
        g.family(
            "mendb_price_symbol_staleness_seconds",
            "Per symbol, seconds from the end of its last 5-minute bucket with a row to the end of the window (the window's length when it has none).",
            &["table", "symbol"],
            found.keys.iter().map(|key| {
                let trailing = found
                    .ranges
                    .iter()
                    .filter(|g| &g.key == key && g.to + every >= found.until)
                    .map(|g| (found.until - g.from).num_seconds() as f64)
                    .next();
                (
                    vec![found.table.clone(), key.clone()],
                    trailing.unwrap_or(0.0).min(window_secs),
                )
            }),
        )?;
    }
    if let Some(o) = &r.onchain {
        g.one(
            "mendb_onchain_enhanced_coverage_ratio",
            "Share of crypto_onchain_data rows with an enhanced row (0..1).",
            o.coverage_pct / 100.0,
        )?;
    }
    if let Some(m) = &r.ml_features {
        g.family(
            "mendb_ml_feature_population_ratio",
            "Share of non-null ML feature cells (0..1), over all feature columns or the onchain_* ones.",
            &["scope"],
            [
                (vec!["all".to_string()], m.overall_pct / 100.0),
                (vec!["onchain".to_string()], m.onchain_pct / 100.0),
            ],
        )?;
        g.family(
            "mendb_ml_column_population_ratio",
            "Share of non-null values per ML feature column (0..1).",
            &["column"],
            m.columns
                .iter()
                .map(|c| (vec![c.column.clone()], c.pct / 100.0)),
        )?;
    }
    let m = &r.migrations;
    g.one(
        VERSION.0,
        VERSION.1,
        f64::from(m.current_version.unwrap_or(0)),
    )?;
    g.one(PENDING.0, PENDING.1, m.pending as f64)?;
    g.one(DIRTY.0, DIRTY.1, if m.dirty { 1.0 } else { 0.0 })?;
    Ok(registry)
}
