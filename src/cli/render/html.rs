//! `report --format html`: the health report as one self-contained page —
//! the figures of the text report, the gap map of the price table inline
//! as SVG, the ML columns and the tables — with its style in the page and
//! nothing fetched from elsewhere, so it can be mailed, attached to a CI
//! run or opened from disk.

use std::fmt::Write as _;

use super::gapmap::gap_map;
use super::human::{count, percent, time};
use super::report::figures;
use super::{Output, raw, xml_text};
use crate::report::Report;

const STYLE: &str = "body{font-family:sans-serif;margin:2em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}\
table{border-collapse:collapse}th,td{padding:.2em .8em;text-align:left;vertical-align:top}\
th{font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}\
tr:nth-child(even){background:#f4f4f4}.map{overflow-x:auto}";

impl Output {
    /// `report --format html` without `--output`: the page on stdout.
    pub fn report_html(&self, report: &Report) {
        raw(report_html(report).as_bytes());
    }

    pub fn report_page_written(&self, file: &std::path::Path, report: &Report) {
        outln!(
            "Wrote {} (health report at {})",
            file.display(),
            time(report.at)
        );
    }
}

/// The whole page.
pub fn report_html(r: &Report) -> String {
    let mut s = String::new();
    let title = format!("Health of {} at {}", r.database, time(r.at));
    let _ = writeln!(s, "<!DOCTYPE html>");
    let _ = writeln!(s, "<html lang=\"en\">");
    let _ = writeln!(
        s,
        "<head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>",
        xml_text(&title)
    );
    let _ = writeln!(s, "<body>");
    let _ = writeln!(s, "<h1>{}</h1>", xml_text(&title));
    let _ = writeln!(s, "<table id=\"figures\">");
    for (name, value) in figures(r) {
        let _ = writeln!(s, "<tr><th>{name}</th><td>{}</td></tr>", xml_text(&value));
    }
    let _ = writeln!(s, "</table>");

    match &r.price_gaps {
        Some(g) => {
            let _ = writeln!(
                s,
                "<h2>Gap map of {} over the report's window</h2>",
                xml_text(&g.table)
            );
            let _ = writeln!(s, "<div class=\"map\">\n{}</div>", gap_map(&g.found));
        }
        None => {
            let _ = writeln!(
                s,
                "<h2>Gap map</h2>\n<p>n/a: price_data_real or crypto_assets is missing</p>"
            );
        }
    }

    if let Some(ml) = &r.ml_features {
        let _ = writeln!(s, "<h2>ML feature population</h2>");
        let _ = writeln!(s, "<table id=\"ml\">");
        let _ = writeln!(
            s,
            "<tr><th>column</th><th>non-null</th><th>populated</th></tr>"
        );
        for c in &ml.columns {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                xml_text(&c.column),
                count(c.non_null),
                percent(c.pct)
            );
        }
        let _ = writeln!(s, "</table>");
    }

    let empty = r.tables.iter().filter(|t| t.rows == 0).count();
    let _ = writeln!(s, "<h2>Tables ({}, {} empty)</h2>", r.tables.len(), empty);
    let _ = writeln!(s, "<table id=\"tables\">");
    let _ = writeln!(s, "<tr><th>table</th><th>rows</th></tr>");
    for t in &r.tables {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            xml_text(&t.table),
            count(t.rows)
        );
    }
    let _ = writeln!(s, "</table>");
    let _ = writeln!(s, "</body>\n</html>");
    s
}
