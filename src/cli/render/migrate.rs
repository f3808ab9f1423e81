//! Rendering of the `migrate` commands.

use std::io::Write;

use super::human::{self, duration, millis};
use super::{Output, VERB};
use crate::cli::opt::{Format, LogFormat};
use crate::db::DbUrl;
use crate::migrate::{
    BaselineReport, ChecksumState, Direction, Event, MigrationState, RepairReport, RunReport,
    Scaffolded, StatusReport, Tool,
};

impl Output {
    /// Progress of a running migration: one cargo-style line per step on a
    /// terminal or in text logs, one structured log line with JSON logs.
    pub fn event(&self, event: &Event<'_>) {
        if self.log_format == LogFormat::Json {
            match event {
                Event::Started {
                    direction,
                    migration,
                    resume_after,
                } => tracing::info!(
                    direction = ?direction, version = migration.version, name = %migration.name,
                    resume_after, "migration started"
                ),
                Event::Finished {
                    direction,
                    migration,
                    elapsed,
                } => tracing::info!(
                    direction = ?direction, version = migration.version, name = %migration.name,
                    elapsed_ms = elapsed.as_millis() as u64, "migration finished"
                ),
                Event::Failed {
                    direction,
                    migration,
                    elapsed,
                } => tracing::error!(
                    direction = ?direction, version = migration.version, name = %migration.name,
                    elapsed_ms = elapsed.as_millis() as u64, "migration failed"
                ),
            }
            return;
        }
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = match event {
            Event::Started {
                direction,
                migration,
                resume_after,
            } => {
                let verb = match direction {
                    Direction::Up if *resume_after > 0 => "Resuming",
                    Direction::Up => "Applying",
                    Direction::Down => "Reverting",
                };
                let resume = if *resume_after > 0 {
                    format!(" after statement {resume_after}")
                } else {
                    String::new()
                };
                write!(
                    err,
                    "{verb:>VERB$} V{} {}{resume} ... ",
                    migration.version, migration.name
                )
            }
            Event::Finished { elapsed, .. } => writeln!(err, "ok ({})", duration(*elapsed)),
            Event::Failed { elapsed, .. } => writeln!(err, "FAILED ({})", duration(*elapsed)),
        };
        let _ = err.flush();
    }

    pub fn run_report(&self, report: &RunReport, url: &DbUrl) {
        if self.format == Format::Json {
            return self.json(report);
        }
        let (verb, none) = match report.direction {
            Direction::Up => ("apply", "Nothing to apply"),
            Direction::Down => ("revert", "Nothing to revert"),
        };
        if report.steps.is_empty() {
            match report.from_version {
                Some(v) => outln!("{none}: {url} is at V{v}"),
                None => outln!("{none}: {url} has no migration applied"),
            }
            return;
        }
        if report.dry_run {
            return dry_run_text(report, verb, url);
        }
        let total: u128 = report.steps.iter().filter_map(|s| s.elapsed_ms).sum();
        let past = match report.direction {
            Direction::Up => "Migrated",
            Direction::Down => "Reverted",
        };
        outln!(
            "{past} {url} from {} to {} ({} step(s), {})",
            version_text(report.from_version),
            version_text(report.to_version),
            report.steps.len(),
            millis(total)
        );
        if let Some(loss) = &report.data_loss {
            if !loss.items.is_empty() {
                outln!("Destroyed data:");
                for line in loss.loss_lines() {
                    outln!("  {line}");
                }
            }
            if !loss.not_analysed.is_empty() {
                outln!("Ran without analysis:");
                for line in loss.unanalysed_lines() {
                    outln!("  {line}");
                }
            }
        }
    }

    pub fn status(&self, report: &StatusReport) {
        if self.format == Format::Json {
            return self.json(report);
        }
        let current = report
            .current_version
            .map_or("none".into(), |v| format!("V{v}"));
        let latest = report
            .latest_version
            .map_or("none".into(), |v| format!("V{v}"));
        outln!("Database    {} ({})", report.database, report.dialect);
        outln!("Migrations  {}", report.migrations);
        outln!(
            "Version     {current} of {latest}, {} pending",
            report.pending
        );
        outln!();
        let name_w = report
            .rows
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        outln!(
            "{:<8} {:<name_w$} {:<13} {:<20} {:<9} DOWN",
            "VERSION",
            "NAME",
            "STATE",
            "APPLIED AT",
            "CHECKSUM"
        );
        for r in &report.rows {
            outln!(
                "{:<8} {:<name_w$} {:<13} {:<20} {:<9} {}",
                format!("V{}", r.version),
                r.name,
                r.state.to_string(),
                r.applied_on
                    .as_deref()
                    .map_or("-".to_string(), human::stored_time),
                r.checksum.unwrap_or("-"),
                if r.has_down { "yes" } else { "no" }
            );
        }
        for d in &report.dirty {
            let mut doubt = match d.in_doubt() {
                Some((a, b)) if a == b => {
                    format!("; statement {a} in doubt (sent, commit never recorded)")
                }
                Some((a, b)) => {
                    format!("; statements {a} to {b} in doubt (sent, commit never recorded)")
                }
                None => String::new(),
            };
            if let (true, Some(session)) = (d.still_running, d.session_id) {
                doubt += &format!(", still running on the server in connection {session}");
            }
            outln!(
                "\nDirty: {} of V{}__{}: {} of {} statements committed{doubt}{}",
                d.direction,
                d.version,
                d.name,
                d.statements_done,
                d.statements_total,
                d.error
                    .as_ref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            );
        }
        for p in &report.problems {
            outln!("\nProblem: {p}");
        }
        if report
            .rows
            .iter()
            .any(|r| r.state != MigrationState::Applied && r.state != MigrationState::Pending)
        {
            outln!("\nRun `mendb migrate up` only after the problems above are resolved.");
        }
    }

    pub fn baseline(&self, report: &BaselineReport) {
        if self.format == Format::Json {
            return self.json(report);
        }
        if let Some(a) = &report.adopted {
            outln!(
                "{} history in {}: applied up to V{}",
                a.tool.name(),
                a.table,
                a.version
            );
            for m in &a.mapped {
                let checksum = match &m.checksum {
                    ChecksumState::Matches => "checksum matches".to_string(),
                    ChecksumState::Differs { .. } => "checksum DIFFERS".to_string(),
                    ChecksumState::NotKept => format!("no checksum kept by {}", a.tool.name()),
                };
                outln!(
                    "  {:<8} -> V{}__{} ({checksum})",
                    m.theirs
                        .clone()
                        .unwrap_or_else(|| format!("V{}", m.version)),
                    m.version,
                    m.name
                );
            }
            if a.tool == Tool::Refinery {
                outln!(
                    "{} is mendb's own history: nothing recorded; it matches the files and the live schema",
                    a.table
                );
                return;
            }
        }
        outln!(
            "Baselined at V{}: recorded {} migration(s) as applied without running them",
            report.version,
            report.recorded.len()
        );
        if report.differences.is_empty() {
            outln!(
                "The live schema is what the migrations up to V{} build",
                report.version
            );
        }
        if let Some(reason) = &report.forced {
            outln!(
                "Forced ({reason}) although the live schema differs from what the migrations build; recorded in the migration log:"
            );
            for d in &report.differences {
                outln!("  - {d}");
            }
        }
    }

    pub fn repair(&self, report: &RepairReport) {
        if self.format == Format::Json {
            return self.json(report);
        }
        if report.cleared.is_empty() && report.rechecksummed.is_empty() {
            outln!("Nothing to repair: no dirty migration, no checksum to update");
            return;
        }
        for e in &report.cleared {
            if report.rerun {
                outln!(
                    "Cleared dirty V{}__{}: the next `mendb migrate {}` starts it over at statement 1",
                    e.version,
                    e.name,
                    e.direction
                );
            } else {
                outln!(
                    "Cleared dirty V{}__{}: the next `mendb migrate {}` resumes after statement {} of {}",
                    e.version,
                    e.name,
                    e.direction,
                    e.statements_done,
                    e.statements_total
                );
            }
        }
        for m in &report.rechecksummed {
            outln!(
                "Recorded the current checksum of V{}__{}",
                m.version,
                m.name
            );
        }
    }

    pub fn scaffolded(&self, made: &Scaffolded) {
        if self.format == Format::Json {
            return self.json(made);
        }
        outln!("Created V{}__{}:", made.version, made.name);
        for f in &made.files {
            outln!("  {}", f.display());
        }
    }
}

/// `2026-11-22T22:49:19.254591393Z` as `2026-11-22 22:49:19Z`: seconds are
/// enough for a person; JSON output keeps the full value.
fn version_text(v: Option<i32>) -> String {
    v.map_or("no migration".to_string(), |v| format!("V{v}"))
}

/// `--dry-run`: every statement that would run, and what a revert would
/// destroy.
fn dry_run_text(report: &RunReport, verb: &str, url: &DbUrl) {
    outln!(
        "Dry run: would {verb} {} migration(s) on {url}, {} -> {}",
        report.steps.len(),
        version_text(report.from_version),
        version_text(report.to_version)
    );
    for step in &report.steps {
        let resume = if step.resume_after > 0 {
            format!(", resuming after statement {}", step.resume_after)
        } else {
            String::new()
        };
        outln!(
            "\n-- V{} {} ({}{resume})",
            step.version,
            step.name,
            step.path
        );
        for stmt in &step.statements {
            outln!("{stmt};");
        }
    }
    if let Some(loss) = &report.data_loss {
        if !loss.items.is_empty() {
            outln!("\nThis revert destroys data:");
            for line in loss.loss_lines() {
                outln!("  {line}");
            }
        }
        if !loss.not_analysed.is_empty() {
            outln!("\nThe data-loss guard cannot tell what these statements destroy:");
            for line in loss.unanalysed_lines() {
                outln!("  {line}");
            }
        }
        if loss.needs_consent() {
            outln!("A real run refuses unless given --allow-data-loss.");
        }
    }
}
