//! Value parsers for the flags: durations, limits and versions, each with
//! the range it accepts and a message that names the range. Parsing only;
//! what a value means belongs to the command that takes it.

use std::time::Duration;

/// The seconds `s` stands for, before they become a `Duration`: the
/// number may be far beyond what one holds.
fn duration_secs(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (examples: 500ms, 30s, 5m, 2h)"))?;
    match unit {
        "ms" => Ok(value / 1000.0),
        "" | "s" => Ok(value),
        "m" => Ok(value * 60.0),
        "h" => Ok(value * 3600.0),
        "d" => Ok(value * 86400.0),
        _ => Err(format!(
            "`{s}`: unknown unit `{unit}` (use ms, s, m, h or d)"
        )),
    }
}

/// The range a duration flag accepts. Every duration ends up in deadline
/// arithmetic (`Instant + d`), SQL or a tuning formula, where a value far
/// beyond what the flag means would overflow or be clamped in silence.
struct Bounds {
    min: Duration,
    max: Duration,
}

impl Bounds {
    fn parse(&self, s: &str) -> Result<Duration, String> {
        let d = Duration::try_from_secs_f64(duration_secs(s)?)
            .ok()
            .filter(|d| *d <= self.max)
            .ok_or_else(|| self.refusal(s, "too large"))?;
        if d < self.min {
            return Err(self.refusal(s, "too small"));
        }
        Ok(d)
    }

    fn refusal(&self, s: &str, what: &str) -> String {
        format!(
            "`{}` is {what} (the range is {} to {})",
            s.trim(),
            duration_text(self.min),
            duration_text(self.max)
        )
    }
}

/// Waiting for a lock, a database or a replica. SQLite's busy timeout
/// stops at i32::MAX ms (under 25 days); a week keeps every dialect honest.
const WAITS: Bounds = Bounds {
    min: Duration::ZERO,
    max: Duration::from_secs(7 * 86_400),
};
/// A chunk is one transaction: past an hour it holds locks for too long to
/// be a chunk at all.
const CHUNK_TARGET: Bounds = Bounds {
    min: Duration::from_millis(1),
    max: Duration::from_secs(3600),
};
/// Leases are whole seconds in the state tables.
const LEASE: Bounds = Bounds {
    min: Duration::from_secs(1),
    max: Duration::from_secs(7 * 86_400),
};
const WINDOW: Bounds = Bounds {
    min: crate::report::MIN_WINDOW,
    max: crate::report::MAX_WINDOW,
};

pub(super) fn parse_wait(s: &str) -> Result<Duration, String> {
    WAITS.parse(s)
}

pub(super) fn parse_chunk_target(s: &str) -> Result<Duration, String> {
    CHUNK_TARGET.parse(s)
}

pub(super) fn parse_lease(s: &str) -> Result<Duration, String> {
    LEASE.parse(s)
}

/// Only the upper end: below 1s and fractions of a second are left to
/// gaps, whose message explains the whole seconds.
pub(super) fn parse_every(s: &str) -> Result<Duration, String> {
    let max = crate::gaps::MAX_EVERY;
    let too_large = || {
        format!(
            "`{}` is too large (the range is 1s to {})",
            s.trim(),
            duration_text(max)
        )
    };
    let d = Duration::try_from_secs_f64(duration_secs(s)?).map_err(|_| too_large())?;
    if d > max { Err(too_large()) } else { Ok(d) }
}

pub(super) fn parse_window(s: &str) -> Result<Duration, String> {
    WINDOW.parse(s)
}

/// Sleeping a hundred times each chunk's duration already leaves the
/// database idle 99% of the time; beyond that a run never ends.
const MAX_SLEEP_RATIO: f64 = 100.0;

pub(super) fn parse_sleep_ratio(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let range = format!("the range is 0 to {MAX_SLEEP_RATIO}");
    let f: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number (examples: 0, 0.5, 2)"))?;
    if !f.is_finite() {
        Err(format!("`{s}` is not a finite number ({range})"))
    } else if f < 0.0 {
        Err(format!("`{s}` is negative ({range})"))
    } else if f > MAX_SLEEP_RATIO {
        Err(format!("`{s}` is too large ({range})"))
    } else {
        Ok(f)
    }
}

/// A limit of 0 would stop a run for good (0 rows per second, 0 running
/// statements), so the smallest is 1.
pub(super) fn parse_positive(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let range = format!("the range is 1 to {}", u64::MAX);
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{s}` is not a whole number ({range})"));
    }
    match s.parse::<u64>() {
        Ok(0) => Err(format!("`{s}` is too small ({range})")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is too large ({range})")),
    }
}

/// Migration versions are 32-bit in the history table (refinery's
/// `i32`): a larger number can name no migration.
pub(super) fn parse_version(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let range = format!("versions are 0 to {}", i32::MAX);
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        match s.parse::<i32>() {
            Ok(v) if v >= 0 => Ok(i64::from(v)),
            _ => Err(format!("`{s}` is out of range ({range})")),
        }
    } else {
        Err(format!("`{s}` is not a migration version ({range})"))
    }
}

/// `7d`, `1h`, `5m`, `1s`, `1ms`, `0s`: how a limit is written on the
/// command line.
/// A duration as a flag would be written: `5m`, `90s`, `500ms`.
pub(super) fn duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    let secs = d.as_secs();
    if !ms.is_multiple_of(1000) {
        format!("{ms}ms")
    } else if secs == 0 {
        "0s".into()
    } else if secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_time;

    #[test]
    fn durations() {
        assert_eq!(duration_secs("30s"), Ok(30.0));
        assert_eq!(duration_secs("5m"), Ok(300.0));
        assert_eq!(duration_secs("250ms"), Ok(0.25));
        assert_eq!(duration_secs("2"), Ok(2.0));
        assert!(duration_secs("5 minutes").is_err());
        assert_eq!(duration_secs("7d"), Ok(7.0 * 86400.0));
        assert!(duration_secs("").is_err());
    }

    #[test]
    fn durations_beyond_a_flag_are_refused_not_a_panic() {
        let huge = format!("1{}s", "0".repeat(400));
        for s in [
            "100000000000000000000000s",
            "100000000000000000000000h",
            &huge,
        ] {
            let e = WAITS.parse(s).unwrap_err();
            assert!(e.ends_with("is too large (the range is 0s to 7d)"), "{e}");
            let e = parse_every(s).unwrap_err();
            assert!(e.ends_with("is too large (the range is 1s to 366d)"), "{e}");
        }
        assert_eq!(WAITS.parse("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(WAITS.parse("0s"), Ok(Duration::ZERO));
        assert!(WAITS.parse("7.001d").is_err());
        assert_eq!(
            CHUNK_TARGET.parse("0.5ms").unwrap_err(),
            "`0.5ms` is too small (the range is 1ms to 1h)"
        );
        assert_eq!(CHUNK_TARGET.parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(
            LEASE.parse("500ms").unwrap_err(),
            "`500ms` is too small (the range is 1s to 7d)"
        );
        assert_eq!(
            WINDOW.parse("3651d").unwrap_err(),
            "`3651d` is too large (the range is 5m to 3650d)"
        );
        // Zero and fractions are gaps' to explain.
        assert_eq!(parse_every("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_every("366d"), Ok(crate::gaps::MAX_EVERY));
    }

    #[test]
    fn limits_read_like_flags() {
        let text = |ms| duration_text(Duration::from_millis(ms));
        assert_eq!(text(0), "0s");
        assert_eq!(text(1), "1ms");
        assert_eq!(text(1500), "1500ms");
        assert_eq!(text(90_000), "90s");
        assert_eq!(text(300_000), "5m");
        assert_eq!(text(3_600_000), "1h");
        assert_eq!(text(604_800_000), "7d");
    }

    #[test]
    fn numbers_beyond_a_flag_are_refused() {
        assert_eq!(parse_sleep_ratio("0.5"), Ok(0.5));
        assert_eq!(parse_sleep_ratio("100"), Ok(100.0));
        for (s, why) in [
            ("inf", "is not a finite number"),
            ("NaN", "is not a finite number"),
            ("1e400", "is not a finite number"),
            ("-1", "is negative"),
            ("100.5", "is too large"),
            ("half", "is not a number"),
        ] {
            let e = parse_sleep_ratio(s).unwrap_err();
            assert!(e.starts_with(&format!("`{s}` {why}")), "{e}");
        }
        assert_eq!(parse_positive("1"), Ok(1));
        assert_eq!(parse_positive("18446744073709551615"), Ok(u64::MAX));
        for (s, why) in [
            ("0", "is too small"),
            ("18446744073709551616", "is too large"),
            ("99999999999999999999", "is too large"),
            ("-5", "is not a whole number"),
            ("1.5", "is not a whole number"),
        ] {
            let e = parse_positive(s).unwrap_err();
            assert!(e.starts_with(&format!("`{s}` {why}")), "{e}");
        }
    }

    #[test]
    fn versions_are_32_bit() {
        assert_eq!(parse_version("0"), Ok(0));
        assert_eq!(parse_version("2147483647"), Ok(2_147_483_647));
        for s in ["2147483648", "99999999999999999999", "-1"] {
            assert_eq!(
                parse_version(s).unwrap_err(),
                format!("`{s}` is out of range (versions are 0 to 2147483647)")
            );
        }
        assert!(
            parse_version("v3")
                .unwrap_err()
                .contains("is not a migration version")
        );
    }

    #[test]
    fn times_are_in_the_years_1_to_9999() {
        assert!(parse_time("0001-01-01").is_ok());
        assert!(parse_time("9999-12-31T23:59:59Z").is_ok());
        for s in ["0000-12-31", "-262143-01-01", "-0001-06-01 12:00:00"] {
            assert_eq!(
                parse_time(s).unwrap_err(),
                format!("`{s}` is out of range (times are 0001-01-01 to 9999-12-31)")
            );
        }
    }

    #[test]
    fn times() {
        let t = parse_time("2025-09-30T12:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2025-09-30 12:00:00");
        assert_eq!(parse_time("2025-09-30 12:00:00"), Ok(t));
        assert_eq!(
            parse_time("2025-09-30").unwrap().to_string(),
            "2025-09-30 00:00:00"
        );
        assert!(parse_time("yesterday").is_err());
    }
}
