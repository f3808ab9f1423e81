//! Reading the times users write (flags, plan parameters): one place, so
//! `--since` and a plan's `since = ...` accept the same forms and refuse
//! the same years. A leaf: it depends on nothing in the crate.

use chrono::NaiveDateTime;

/// Parses a UTC time: `2025-09-30T12:00:00Z`, `2025-09-30 12:00:00` or
/// `2025-09-30`, in the years 1 to 9999: what every dialect's time types
/// hold, and far enough from chrono's ends that a window or a margin
/// subtracted from it still exists.
pub fn parse_time(s: &str) -> Result<NaiveDateTime, String> {
    let time = read_time(s).ok_or_else(|| format!("`{s}` is not a UTC time (examples: 2025-09-30T12:00:00Z, 2025-09-30 12:00:00, 2025-09-30)"))?;
    check_year(s, time.date())?;
    Ok(time)
}

/// The time `s` writes in one of `parse_time`'s forms, in any year.
pub fn read_time(s: &str) -> Option<NaiveDateTime> {
    let t = s.trim().trim_end_matches('Z').replace('T', " ");
    NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .ok()
}

/// Refuses dates outside the years 1 to 9999 (see `parse_time`).
pub fn check_year(s: &str, date: chrono::NaiveDate) -> Result<(), String> {
    use chrono::Datelike;
    if (1..=9999).contains(&date.year()) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is out of range (times are 0001-01-01 to 9999-12-31)",
            s.trim()
        ))
    }
}
