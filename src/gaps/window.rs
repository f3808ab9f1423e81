//! Bucket arithmetic: which complete buckets a window holds, and the times
//! they stand for. Pure integer maths on UTC epoch seconds, so the server
//! only ever sees integers mendb computed.

use chrono::{DateTime, NaiveDateTime};

/// The complete buckets `first..=last` of width `every` seconds; empty when
/// `last < first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub every: i64,
    pub first: i64,
    pub last: i64,
}

impl Window {
    /// Buckets that start at or after `since` and end at or before `until`:
    /// a bucket still open at `until` (e.g. the current one when `until` is
    /// now) is never judged.
    pub fn between(since: NaiveDateTime, until: NaiveDateTime, every: i64) -> Window {
        let since_utc = since.and_utc();
        // A fractional second pushes the start past that second's bucket
        // boundary, so round it up before dividing.
        let since_secs = since_utc.timestamp() + i64::from(since_utc.timestamp_subsec_nanos() > 0);
        let first = ceil_div(since_secs, every);
        let last = until.and_utc().timestamp().div_euclid(every) - 1;
        Window { every, first, last }
    }

    /// The bucket holding `epoch_secs`.
    pub fn bucket_of(epoch_secs: i64, every: i64) -> i64 {
        epoch_secs.div_euclid(every)
    }

    pub fn len(&self) -> u64 {
        u64::try_from(self.last - self.first + 1).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn start_of(&self, bucket: i64) -> NaiveDateTime {
        epoch_to_time(bucket.saturating_mul(self.every))
    }

    /// Start of the first bucket judged.
    pub fn since(&self) -> NaiveDateTime {
        self.start_of(self.first)
    }

    /// End (exclusive) of the last bucket judged; equal to `since()` when
    /// the window is empty.
    pub fn until(&self) -> NaiveDateTime {
        self.start_of(self.last.max(self.first - 1) + 1)
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    -((-a).div_euclid(b))
}

pub fn epoch_to_time(secs: i64) -> NaiveDateTime {
    DateTime::from_timestamp(secs, 0)
        .unwrap_or(DateTime::UNIX_EPOCH)
        .naive_utc()
}

/// `YYYY-MM-DD HH:MM:SS`, the one way gaps writes a time.
pub fn format_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn time_to_epoch(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

/// `300` as `5m`, `3600` as `1h`: the largest unit that divides exactly.
pub fn format_every(secs: u64) -> String {
    match secs {
        0 => "0s".into(),
        s if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        s if s.is_multiple_of(3_600) => format!("{}h", s / 3_600),
        s if s.is_multiple_of(60) => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn only_complete_buckets_count() {
        let w = Window::between(t("2025-09-28 12:00:00"), t("2025-09-30 12:00:00"), 300);
        assert_eq!(w.len(), 576);
        assert_eq!(w.since(), t("2025-09-28 12:00:00"));
        assert_eq!(w.until(), t("2025-09-30 12:00:00"));

        // Off the grid: the partial buckets at both ends are left out.
        let w = Window::between(t("2025-09-28 12:00:01"), t("2025-09-28 12:14:59"), 300);
        assert_eq!(w.since(), t("2025-09-28 12:05:00"));
        assert_eq!(w.until(), t("2025-09-28 12:10:00"));
        assert_eq!(w.len(), 1);

        let w = Window::between(t("2025-09-28 12:00:00.5"), t("2025-09-28 12:10:00"), 300);
        assert_eq!(w.since(), t("2025-09-28 12:05:00"));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_window_without_a_complete_bucket_is_empty() {
        let w = Window::between(t("2025-09-28 12:01:00"), t("2025-09-28 12:04:00"), 300);
        assert!(w.is_empty());
        assert_eq!(w.since(), w.until());
    }

    #[test]
    fn every_reads_like_the_flag() {
        assert_eq!(format_every(300), "5m");
        assert_eq!(format_every(3600), "1h");
        assert_eq!(format_every(86_400), "1d");
        assert_eq!(format_every(90), "90s");
        assert_eq!(format_every(5400), "90m");
    }
}
