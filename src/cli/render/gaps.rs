//! Rendering of `gaps`: one aligned line per missing range and a summary
//! line on stdout, or the whole report as JSON.

use super::Output;
use super::human::{self, count};
use crate::cli::opt::Format;
use crate::gaps::GapReport;

impl Output {
    pub fn gaps(&self, report: &GapReport) {
        if self.format == Format::Json {
            return self.json(report);
        }
        for line in gap_lines(report) {
            outln!("{line}");
        }
    }
}

/// The text output, line by line: a table of ranges (when there are any)
/// and the summary.
fn gap_lines(report: &GapReport) -> Vec<String> {
    let mut lines = Vec::new();
    if !report.ranges.is_empty() {
        let rows: Vec<[String; 4]> = report
            .ranges
            .iter()
            .map(|r| {
                [
                    r.key.clone(),
                    human::time(r.from),
                    human::time(r.to),
                    count(r.missing),
                ]
            })
            .collect();
        let header = [
            report.key.to_uppercase(),
            "FROM".to_string(),
            "TO".to_string(),
            "MISSING".to_string(),
        ];
        let width = |i: usize| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
        for [key, from, to, missing] in std::iter::once(header).chain(rows) {
            lines.push(format!(
                "{key:<w0$}  {from:<w1$}  {to:<w2$}  {missing:>w3$}"
            ));
        }
    }
    let fully = if report.keys_fully_missing > 0 {
        format!(" ({} fully missing)", count(report.keys_fully_missing))
    } else {
        String::new()
    };
    lines.push(format!(
        "{} of {} keys have gaps{fully}: {} of {} buckets missing in [{}, {}) every {}",
        count(report.keys_with_gaps),
        count(report.keys_checked),
        count(report.buckets_missing),
        count(report.buckets_expected),
        human::time(report.since),
        human::time(report.until),
        report.every_text(),
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gaps::GapRange;
    use chrono::NaiveDateTime;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn ranges_align_and_the_summary_closes() {
        let range = |key: &str, from: &str, to: &str, missing| GapRange {
            key: key.into(),
            from: t(from),
            to: t(to),
            missing,
        };
        let report = GapReport {
            table: "price_data_real".into(),
            key: "symbol".into(),
            time: "timestamp".into(),
            every_secs: 300,
            since: t("2025-09-28 12:00:00"),
            until: t("2025-09-30 12:00:00"),
            window_buckets: 576,
            keys_checked: 3,
            keys_with_gaps: 2,
            keys_fully_missing: 1,
            buckets_expected: 1728,
            buckets_missing: 578,
            keys: vec!["BTC".into(), "DOGE".into(), "ETH".into()],
            ranges: vec![
                range("BTC", "2025-09-28 12:00:00", "2025-09-30 11:55:00", 576),
                range("DOGE", "2025-09-29 00:00:00", "2025-09-29 00:05:00", 2),
            ],
        };
        assert_eq!(
            gap_lines(&report),
            [
                "SYMBOL  FROM                  TO                    MISSING",
                "BTC     2025-09-28T12:00:00Z  2025-09-30T11:55:00Z      576",
                "DOGE    2025-09-29T00:00:00Z  2025-09-29T00:05:00Z        2",
                "2 of 3 keys have gaps (1 fully missing): 578 of 1,728 buckets missing \
                 in [2025-09-28T12:00:00Z, 2025-09-30T12:00:00Z) every 5m",
            ]
        );
    }
}
