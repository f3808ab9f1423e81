//! Rendering of `verify`, `migrate up --verify` and `schema dump`: text,
//! JSON, and JUnit XML for CI systems.

use std::fmt::Write as _;

use serde_json::json;

use super::{Output, VERB};
use crate::cli::opt::{Format, LogFormat};
use crate::migrate::RunReport;
use crate::verify::drift::Snapshot;
use crate::verify::{Check, Status, VerifyReport};

impl Output {
    pub fn verify_report(&self, report: &VerifyReport) {
        match self.format {
            Format::Json => self.json(report),
            Format::Junit => outln!("{}", junit(report)),
            Format::Text | Format::Prom => {
                for check in &report.checks {
                    outln!("{}", check_text(check));
                }
                outln!("{}", summary(report));
            }
        }
    }

    /// `migrate up --verify`: the run, then the contract checks; one JSON
    /// document holding both with `--format json`.
    pub fn verified_run(&self, run: &RunReport, verify: &VerifyReport, url: &crate::db::DbUrl) {
        if self.log_format == LogFormat::Json {
            for c in &verify.checks {
                match c.status {
                    Status::Failed => {
                        tracing::error!(check = c.check.as_str(), subject = %c.subject, failures = ?c.failures, "contract check failed")
                    }
                    _ => {
                        tracing::info!(check = c.check.as_str(), subject = %c.subject, "contract check passed")
                    }
                }
            }
        }
        if self.format == Format::Json {
            return self.json(&json!({ "migrate": run, "verify": verify }));
        }
        self.run_report(run, url);
        if !self.quiet || !verify.passed() {
            for check in &verify.checks {
                outln!("{}", check_text(check));
            }
            outln!("{}", summary(verify));
        }
    }

    pub fn schema_dump(&self, snapshot: &Snapshot) {
        if self.format == Format::Json {
            return self.json(snapshot);
        }
        outln!("{}", schema_text(snapshot));
    }
}

fn check_text(c: &Check) -> String {
    let verb = match c.status {
        Status::Passed => "Passed",
        Status::Failed => "FAILED",
        Status::Skipped => "Skipped",
    };
    let mut s = format!("{verb:>VERB$} {} {}", c.check.as_str(), c.subject);
    if let Some(note) = &c.note {
        let _ = write!(s, " ({note})");
    }
    for f in &c.failures {
        let _ = write!(s, "\n{:VERB$}   {f}", "");
    }
    s
}

fn summary(r: &VerifyReport) -> String {
    let count = |st: Status| r.checks.iter().filter(|c| c.status == st).count();
    format!(
        "verify: {} checks: {} passed, {} failed ({} failures), {} skipped",
        r.checks.len(),
        count(Status::Passed),
        count(Status::Failed),
        r.failures(),
        count(Status::Skipped)
    )
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// One testsuite per kind of check, one testcase per subject, one
/// `<failure>` per failing subject with every failure in its text.
fn junit(r: &VerifyReport) -> String {
    let count = |cs: &[&Check], st: Status| cs.iter().filter(|c| c.status == st).count();
    let all: Vec<&Check> = r.checks.iter().collect();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"mendb verify\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        all.len(),
        count(&all, Status::Failed),
        count(&all, Status::Skipped)
    );
    let mut kinds: Vec<&str> = Vec::new();
    for c in &r.checks {
        if !kinds.contains(&c.check.as_str()) {
            kinds.push(c.check.as_str());
        }
    }
    for kind in kinds {
        let cases: Vec<&Check> = r
            .checks
            .iter()
            .filter(|c| c.check.as_str() == kind)
            .collect();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{kind}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            cases.len(),
            count(&cases, Status::Failed),
            count(&cases, Status::Skipped)
        );
        for c in cases {
            let name = xml_escape(&c.subject);
            let _ = write!(
                x,
                "    <testcase classname=\"mendb.verify.{kind}\" name=\"{name}\""
            );
            match c.status {
                Status::Passed => {
                    let _ = writeln!(x, "/>");
                }
                Status::Skipped => {
                    let _ = writeln!(
                        x,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(c.note.as_deref().unwrap_or_default())
                    );
                }
                Status::Failed => {
                    let first = c.failures.first().map(String::as_str).unwrap_or_default();
                    let _ = writeln!(
                        x,
                        ">\n      <failure type=\"{kind}\" message=\"{}\">{}</failure>\n    </testcase>",
                        xml_escape(first),
                        xml_escape(&c.failures.join("\n"))
                    );
                }
            }
        }
        let _ = writeln!(x, "  </testsuite>");
    }
    x.push_str("</testsuites>");
    x
}

fn schema_text(snapshot: &Snapshot) -> String {
    let s = &snapshot.schema;
    let n =
        |count: usize, what: &str| format!("{count} {what}{}", if count == 1 { "" } else { "s" });
    let mut x = format!(
        "-- {} schema at V{}: {}, {}, {}\n",
        snapshot.dialect.dir_name(),
        snapshot.version.unwrap_or(0),
        n(s.tables.len(), "table"),
        n(s.views.len(), "view"),
        n(s.triggers.len(), "trigger")
    );
    for (name, t) in &s.tables {
        let _ = writeln!(x, "\ntable {name}");
        let width = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let type_width = t
            .columns
            .iter()
            .map(|c| c.data_type.len())
            .max()
            .unwrap_or(0);
        for c in &t.columns {
            let mut line = format!(
                "  {:width$}  {:type_width$}  {}",
                c.name,
                c.data_type,
                if c.nullable { "NULL" } else { "NOT NULL" }
            );
            if let Some(d) = &c.default {
                let _ = write!(line, "  DEFAULT {d}");
            }
            if let Some(g) = &c.generated {
                let _ = write!(line, "  {g}");
            }
            let _ = writeln!(x, "{}", line.trim_end());
        }
        for (iname, i) in &t.indexes {
            let unique = if i.unique { "UNIQUE " } else { "" };
            let pred = i
                .predicate
                .as_ref()
                .map(|p| format!(" WHERE {p}"))
                .unwrap_or_default();
            let _ = writeln!(
                x,
                "  {unique}INDEX {iname} ({}){pred}",
                i.columns.join(", ")
            );
        }
        for (fname, f) in &t.foreign_keys {
            let _ = writeln!(
                x,
                "  FOREIGN KEY {fname} ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}",
                f.columns.join(", "),
                f.references,
                f.referenced_columns.join(", "),
                f.on_update,
                f.on_delete
            );
        }
    }
    for (name, v) in &s.views {
        let _ = writeln!(
            x,
            "\nview {name} ({})\n  {}",
            v.columns.join(", "),
            v.definition
        );
    }
    for (name, t) in &s.triggers {
        let _ = writeln!(
            x,
            "\ntrigger {name} {} {} ON {}\n  {}",
            t.timing,
            t.events.join(" OR "),
            t.table,
            t.body
        );
    }
    x.trim_end().to_string()
}
