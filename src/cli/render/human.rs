//! How every text output writes numbers for people: counts with thousands
//! separators, percentages with one decimal, durations at a precision
//! that suits their size, and times to the second in UTC. One place, so
//! the same figure never reads two ways in two commands. JSON output
//! keeps raw numbers and never goes through here.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// `456480` as `456,480`.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A stored counter, which the state check may find negative.
pub(crate) fn signed_count(n: i64) -> String {
    if n < 0 {
        format!("-{}", count(n.unsigned_abs()))
    } else {
        count(n.unsigned_abs())
    }
}

/// `29.912` as `29.9%`.
pub(crate) fn percent(p: f64) -> String {
    format!("{p:.1}%")
}

/// `part` of `whole` as a percentage; a whole of 0 is all done.
pub(crate) fn percent_of(part: u64, whole: u64) -> String {
    if whole == 0 {
        return percent(100.0);
    }
    // Never 100.0% while something is left: 99.96% would round up.
    let p = part as f64 * 100.0 / whole as f64;
    if part < whole {
        percent(p.min(99.9))
    } else {
        percent(p)
    }
}

/// `14 ms`, `2.4 s`, `3m 05s`, `2h 07m`: milliseconds under a second,
/// tenths under a minute, then whole minutes and seconds, then hours and
/// minutes.
pub(crate) fn duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms} ms");
    }
    if ms < 59_950 {
        // Rounded to tenths, so 59.96 s does not read 60.0 s.
        return format!("{:.1} s", (ms as f64 / 100.0).round() / 10.0);
    }
    let secs = (ms + 500) / 1000;
    if secs < 3600 {
        return format!("{}m {:02}s", secs / 60, secs % 60);
    }
    let mins = (secs + 30) / 60;
    format!("{}h {:02}m", mins / 60, mins % 60)
}

/// A duration stored as milliseconds (reports keep them so for JSON).
pub(crate) fn millis(ms: u128) -> String {
    duration(Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX)))
}

/// Rows per second over `elapsed`, as `69,772 rows/s`; None when too
/// little time passed to say.
pub(crate) fn rate(rows: u64, elapsed: Duration) -> Option<String> {
    per_second(rows, elapsed).map(|r| format!("{} rows/s", count(r.round() as u64)))
}

/// Rows per second, when `elapsed` is long enough to measure.
pub(crate) fn per_second(rows: u64, elapsed: Duration) -> Option<f64> {
    let secs = elapsed.as_secs_f64();
    (secs >= 0.001).then(|| rows as f64 / secs)
}

/// The time `remaining` rows take at `per_sec` rows per second, rounded
/// up to a whole second so that work left never reads `0 s`. None when
/// the rate is unknown.
pub(crate) fn eta(remaining: u64, per_sec: Option<f64>) -> Option<String> {
    let per_sec = per_sec.filter(|r| r.is_finite() && *r > 0.0)?;
    if remaining == 0 {
        return Some(duration(Duration::ZERO));
    }
    let secs = (remaining as f64 / per_sec).ceil().clamp(1.0, 1.0e9);
    Some(duration(Duration::from_secs(secs as u64)))
}

/// A UTC time to the second: `2025-09-30T06:06:03Z`.
pub(crate) fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A time stored as text by a database (`2026-11-23T00:21:46.127Z`,
/// `2025-09-30 12:00:00.123456`) to the second; text that is not a time
/// is shown as it is.
pub(crate) fn stored_time(text: &str) -> String {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return time(t.with_timezone(&Utc).naive_utc());
    }
    let bare = text.trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(bare, f).ok())
        .map_or_else(|| text.to_string(), time)
}

/// Seconds since 1970, as `time` writes them.
pub(crate) fn epoch(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .map_or_else(|| format!("{secs} s after 1970"), |t| time(t.naive_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_digits_by_three() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(77_730), "77,730");
        assert_eq!(count(182_592), "182,592");
        assert_eq!(count(1_825_920), "1,825,920");
        assert_eq!(signed_count(-1234), "-1,234");
        assert_eq!(signed_count(12), "12");
    }

    #[test]
    fn percentages_have_one_decimal_and_no_space() {
        assert_eq!(percent(29.912), "29.9%");
        assert_eq!(percent(30.0), "30.0%");
        assert_eq!(percent_of(5000, 57_510), "8.7%");
        assert_eq!(percent_of(0, 0), "100.0%");
        assert_eq!(percent_of(9999, 10_000), "99.9%");
        assert_eq!(percent_of(10, 10), "100.0%");
    }

    #[test]
    fn durations_read_at_a_precision_that_suits_them() {
        assert_eq!(duration(Duration::ZERO), "0 ms");
        assert_eq!(duration(Duration::from_micros(14_400)), "14 ms");
        assert_eq!(duration(Duration::from_millis(999)), "999 ms");
        assert_eq!(duration(Duration::from_millis(1000)), "1.0 s");
        assert_eq!(duration(Duration::from_millis(2394)), "2.4 s");
        assert_eq!(duration(Duration::from_millis(59_960)), "1m 00s");
        assert_eq!(duration(Duration::from_secs(185)), "3m 05s");
        assert_eq!(duration(Duration::from_secs(7620)), "2h 07m");
        assert_eq!(millis(2394), "2.4 s");
    }

    #[test]
    fn an_eta_is_shown_only_when_known_and_never_zero_with_work_left() {
        assert_eq!(eta(100, None), None);
        assert_eq!(eta(100, Some(0.0)), None);
        assert_eq!(eta(1, Some(1.0e9)).as_deref(), Some("1.0 s"));
        assert_eq!(eta(600, Some(10.0)).as_deref(), Some("1m 00s"));
        assert_eq!(eta(0, Some(10.0)).as_deref(), Some("0 ms"));
    }

    #[test]
    fn rates_need_a_measurable_time() {
        assert_eq!(rate(10, Duration::ZERO), None);
        assert_eq!(
            rate(69_772, Duration::from_secs(1)).as_deref(),
            Some("69,772 rows/s")
        );
    }

    #[test]
    fn times_are_utc_to_the_second() {
        let t =
            NaiveDateTime::parse_from_str("2025-09-30 06:06:03.049941660", "%Y-%m-%d %H:%M:%S%.f")
                .unwrap();
        assert_eq!(time(t), "2025-09-30T06:06:03Z");
        assert_eq!(
            stored_time("2026-11-23T00:21:46.127Z"),
            "2026-11-23T00:21:46Z"
        );
        assert_eq!(
            stored_time("2026-11-23T00:21:46.127456Z"),
            "2026-11-23T00:21:46Z"
        );
        assert_eq!(stored_time("2025-09-30 12:00:00"), "2025-09-30T12:00:00Z");
        assert_eq!(stored_time("soon"), "soon");
        assert_eq!(epoch(0), "1970-01-01T00:00:00Z");
    }
}
