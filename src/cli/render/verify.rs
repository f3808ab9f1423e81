//! Rendering of `verify` and `migrate up --verify`: text, JSON, and JUnit
//! XML for CI systems.

use std::fmt::Write as _;

use serde_json::json;

use super::{Output, VERB, xml_text};
use crate::cli::opt::{Format, LogFormat};
use crate::migrate::RunReport;
use crate::verify::{Check, Status, VerifyReport};

impl Output {
    pub fn verify_report(&self, report: &VerifyReport) {
        match self.format {
            Format::Json => self.json(report),
            Format::Text => {
                for check in &report.checks {
                    outln!("{}", check_text(check));
                }
                outln!("{}", summary(report));
            }
        }
    }

    /// `verify --format junit`: only `verify` renders JUnit XML.
    pub fn verify_junit(&self, report: &VerifyReport) {
        outln!("{}", junit(report));
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
            let name = xml_text(&c.subject);
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
                        xml_text(c.note.as_deref().unwrap_or_default())
                    );
                }
                Status::Failed => {
                    let first = c.failures.first().map(String::as_str).unwrap_or_default();
                    let _ = writeln!(
                        x,
                        ">\n      <failure type=\"{kind}\" message=\"{}\">{}</failure>\n    </testcase>",
                        xml_text(first),
                        xml_text(&c.failures.join("\n"))
                    );
                }
            }
        }
        let _ = writeln!(x, "  </testsuite>");
    }
    x.push_str("</testsuites>");
    x
}
