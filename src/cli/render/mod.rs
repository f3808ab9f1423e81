//! Rendering results and progress: aligned status lines on stderr, results
//! on stdout as text or JSON, errors as one clear message. The only place
//! mendb prints; one file per command family.

use serde::Serialize;
use serde_json::json;

use super::opt::{Format, LogFormat};

/// Like `println!`, but a closed pipe is not worth a panic: output that
/// cannot be written is dropped, and the command finishes its work.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` without the panic on a closed stderr.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub(crate) use errln;

// After the macros, which child modules see by textual scope.
mod backfill;
mod config;
mod demo;
mod fixtures;
mod gapmap;
mod gaps;
mod html;
mod human;
mod init;
mod metrics;
mod migrate;
mod report;
mod schema;
mod verify;

pub use backfill::{PlanCommand, PlanEntry, PlanSource, cancelled_message, dry_run_text};
pub use gapmap::{gap_map, map_summary};
pub use html::report_html;

pub struct Output {
    pub(super) format: Format,
    pub(super) log_format: LogFormat,
    pub(super) quiet: bool,
}

/// Width of cargo-style status verbs.
const VERB: usize = 12;

/// Text for XML (the JUnit report, the gap map's SVG, the HTML report):
/// markup characters as entities, and the control characters XML 1.0
/// cannot hold at all left out.
pub(super) fn xml_text(s: &str) -> String {
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

/// Bytes generated elsewhere (a completion script, a manual page), as
/// they are; a closed pipe drops them like `outln!`.
pub fn raw(bytes: &[u8]) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(bytes);
}

impl Output {
    /// `man --output DIR`: the pages written.
    pub fn man_pages(&self, written: &[std::path::PathBuf]) {
        if self.format == Format::Json {
            return self.json(&written);
        }
        outln!("Wrote {} manual pages:", written.len());
        for page in written {
            outln!("  {}", page.display());
        }
    }

    pub fn new(format: Format, log_format: LogFormat, quiet: bool) -> Output {
        Output {
            format,
            log_format,
            quiet,
        }
    }

    pub(super) fn json<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        outln!("{text}");
    }

    /// Why a command that printed its result still exits non-zero.
    pub fn notice(&self, message: &str, code: i32) {
        if self.log_format == LogFormat::Json {
            tracing::warn!(exit_code = code, "{message}");
        } else {
            errln!("mendb: {message}");
        }
    }

    /// One clear message on stderr (JSON on stdout too when asked), never a
    /// backtrace.
    pub fn error(&self, message: &str, code: i32) {
        if self.format == Format::Json {
            self.json(&json!({ "error": message, "exit_code": code }));
        }
        if self.log_format == LogFormat::Json {
            tracing::error!(exit_code = code, "{message}");
        } else {
            errln!("error: {message}");
        }
    }
}
