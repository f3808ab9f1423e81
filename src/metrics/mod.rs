//! Prometheus metrics: every metric mendb exposes, its name, help and
//! labels, fed from a backfill run's events (`backfill`), a migration's
//! (`migrate`) and the health report (`report`); and where they go
//! (`export`): the `/metrics` endpoint a command serves while it runs
//! (`--metrics-addr`) and the push to a Pushgateway (`--pushgateway`).
//! Counts what it is told; never reads a database nor steers a run.
//! docs/metrics.md lists the names: renaming one breaks someone's alert
//! or dashboard, and deploy/ holds both.

mod backfill;
mod export;
mod migrate;
mod report;

pub use backfill::{BackfillMetrics, RunEnd};
pub use export::{Exporter, PushTarget, Pushed, parse_listen};
pub use migrate::MigrateMetrics;
pub use report::{report_registry, report_text};

use prometheus::{Encoder as _, Registry, TextEncoder};

/// What the exporters can be refused for, before the command starts.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("--metrics-addr {addr}: cannot listen: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("--metrics-addr {addr}: {why}")]
    Address { addr: String, why: String },
    #[error("--pushgateway {url}: {why}")]
    PushUrl { url: String, why: String },
    /// Two metrics of one name: a bug, not an input.
    #[error("metric registry: {0}")]
    Registry(#[from] prometheus::Error),
}

impl MetricsError {
    pub fn exit_code(&self) -> i32 {
        match self {
            MetricsError::Listen { .. }
            | MetricsError::Address { .. }
            | MetricsError::PushUrl { .. } => crate::exit::USAGE,
            MetricsError::Registry(_) => crate::exit::INTERNAL,
        }
    }
}

/// The Prometheus text format (0.0.4), which a Prometheus scrape, a
/// Pushgateway and a textfile collector all read.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The registry's metrics in the text format.
pub fn encode(registry: &Registry) -> String {
    let mut out = Vec::new();
    // Encoding into memory fails only on a metric family without samples
    // of a known type, which the typed constructors never build.
    let _ = TextEncoder::new().encode(&registry.gather(), &mut out);
    String::from_utf8(out).unwrap_or_default()
}
