//! The metrics of `migrate up`: migrations applied and failed, how long
//! each took, and the database's migration state (version, pending,
//! dirty, statements in doubt) as `migrate status` reads it, under the
//! names `report` uses for the same figures.

use std::sync::Once;

use prometheus::{Histogram, HistogramOpts, IntCounter, IntGauge, Registry};

use super::MetricsError;
use crate::migrate::{Direction, Event, StatusReport};

/// The migration state's gauges, by name and help, which `report` shows
/// too: one Pushgateway refuses a name pushed with two helps.
pub(super) const VERSION: (&str, &str) = (
    "mendb_migration_version",
    "Latest applied migration version (0 when none).",
);
pub(super) const PENDING: (&str, &str) = ("mendb_migration_pending", "Migrations not yet applied.");
pub(super) const DIRTY: (&str, &str) = (
    "mendb_migration_dirty",
    "1 when a migration stopped half-way and needs `mendb migrate repair`.",
);

pub struct MigrateMetrics {
    registry: Registry,
    /// Whether the state gauges are registered: only once the state was
    /// read, so a process still waiting for its database does not claim
    /// version 0.
    state_known: Once,
    applied: IntCounter,
    failed: IntCounter,
    seconds: Histogram,
    version: IntGauge,
    pending: IntGauge,
    dirty: IntGauge,
    in_doubt: IntGauge,
}

impl MigrateMetrics {
    pub fn new(registry: &Registry) -> Result<MigrateMetrics, MetricsError> {
        let m = MigrateMetrics {
            registry: registry.clone(),
            state_known: Once::new(),
            applied: IntCounter::new(
                "mendb_migrations_applied_total",
                "Migrations this process applied.",
            )?,
            failed: IntCounter::new(
                "mendb_migrations_failed_total",
                "Migrations whose SQL failed in this process.",
            )?,
            seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "mendb_migration_duration_seconds",
                    "How long each migration this process ran took.",
                )
                .buckets(vec![0.01, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0, 3600.0]),
            )?,
            version: IntGauge::new(VERSION.0, VERSION.1)?,
            pending: IntGauge::new(PENDING.0, PENDING.1)?,
            dirty: IntGauge::new(DIRTY.0, DIRTY.1)?,
            in_doubt: IntGauge::new(
                "mendb_migration_statements_in_doubt",
                "Statements sent by an unfinished migration whose outcome is not known; `mendb migrate repair` asks about them.",
            )?,
        };
        registry.register(Box::new(m.applied.clone()))?;
        registry.register(Box::new(m.failed.clone()))?;
        registry.register(Box::new(m.seconds.clone()))?;
        Ok(m)
    }

    /// The database's state as `migrate status` reads it.
    pub fn status(&self, s: &StatusReport) {
        self.state_known.call_once(|| {
            for gauge in [&self.version, &self.pending, &self.dirty, &self.in_doubt] {
                // Four names of their own in a registry of this process:
                // registering cannot collide.
                let _ = self.registry.register(Box::new(gauge.clone()));
            }
        });
        self.version.set(i64::from(s.current_version.unwrap_or(0)));
        self.pending.set(s.pending as i64);
        self.dirty.set(i64::from(!s.dirty.is_empty()));
        let in_doubt = s
            .dirty
            .iter()
            .filter_map(|e| e.in_doubt())
            .map(|(first, last)| last - first + 1)
            .sum::<i64>();
        self.in_doubt.set(in_doubt);
    }

    pub fn event(&self, event: &Event<'_>) {
        match event {
            Event::Started { .. } => {}
            Event::Finished {
                direction: Direction::Up,
                migration,
                elapsed,
            } => {
                self.applied.inc();
                self.seconds.observe(elapsed.as_secs_f64());
                self.version.set(i64::from(migration.version));
                self.pending.set((self.pending.get() - 1).max(0));
            }
            Event::Failed {
                direction: Direction::Up,
                elapsed,
                ..
            } => {
                self.failed.inc();
                self.seconds.observe(elapsed.as_secs_f64());
            }
            Event::Finished { .. } | Event::Failed { .. } => {}
        }
    }
}
