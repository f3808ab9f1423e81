//! Stored key values (cursors and lease bounds, JSON arrays of texts)
//! read and held to the step's key: the arity, and each value readable as
//! its column's type the way the chunk's SQL binds it. Pure.

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use crate::db::{Dialect, ValueKind};

/// Why stored key values cannot be used as a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum KeyFault {
    NotJson {
        text: String,
    },
    Arity {
        found: usize,
        expected: usize,
    },
    Type {
        column: String,
        value: String,
        kind: ValueKind,
    },
}

impl fmt::Display for KeyFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyFault::NotJson { text } => write!(f, "is `{text}`, not a JSON array of texts"),
            KeyFault::Arity { found, expected } => write!(
                f,
                "holds {found} value(s), but the key has {expected} column(s)"
            ),
            KeyFault::Type {
                column,
                value,
                kind,
            } => write!(
                f,
                "holds `{value}`, which is not {} as key column `{column}` needs",
                kind_noun(*kind)
            ),
        }
    }
}

fn kind_noun(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Int => "an integer",
        ValueKind::Float => "a number",
        ValueKind::Text => "text",
        ValueKind::Date => "a date",
        ValueKind::Timestamp => "a timestamp",
    }
}

/// Stored key values, or None for NULL.
pub fn parse_key(text: Option<&str>) -> Result<Option<Vec<String>>, KeyFault> {
    text.map(|t| {
        serde_json::from_str(t).map_err(|_| KeyFault::NotJson {
            text: t.to_string(),
        })
    })
    .transpose()
}

/// Whether key values fit the key: one per column, each readable as the
/// column's type the way the chunk's SQL binds it.
pub fn fit(
    values: &[String],
    key: &[(String, ValueKind)],
    dialect: Dialect,
) -> Result<(), KeyFault> {
    if values.len() != key.len() {
        return Err(KeyFault::Arity {
            found: values.len(),
            expected: key.len(),
        });
    }
    for (value, (column, kind)) in values.iter().zip(key) {
        if !value_fits(value, *kind, dialect) {
            return Err(KeyFault::Type {
                column: column.clone(),
                value: value.clone(),
                kind: *kind,
            });
        }
    }
    Ok(())
}

fn value_fits(value: &str, kind: ValueKind, dialect: Dialect) -> bool {
    match kind {
        // As the binding reads it: anything else is cast as text, which
        // MySQL turns into 0 and PostgreSQL refuses.
        ValueKind::Int => value.parse::<i64>().is_ok(),
        ValueKind::Float => value.parse::<f64>().is_ok(),
        ValueKind::Text => true,
        // SQLite compares these as stored, and its date functions read
        // numbers as well.
        ValueKind::Date | ValueKind::Timestamp if dialect == Dialect::Sqlite => {
            is_timestamp(value) || value.parse::<f64>().is_ok()
        }
        ValueKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
        ValueKind::Timestamp => is_timestamp(value),
    }
}

/// `YYYY-MM-DD`, optionally with a time (` ` or `T`, seconds and fraction
/// optional) and a zone (`Z`, `+hh`, `+hh:mm`, `-hhmm`): what the three
/// databases print for dates and timestamps.
fn is_timestamp(value: &str) -> bool {
    let (Some(date), Some(rest)) = (value.get(..10), value.get(10..)) else {
        return false;
    };
    if NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix(['T', ' ']) else {
        return false;
    };
    let rest = rest.strip_suffix('Z').unwrap_or(rest);
    let time = match rest.find(['+', '-']) {
        Some(at) => {
            let zone = &rest[at + 1..];
            let digits: String = zone.chars().filter(|c| *c != ':').collect();
            if !(digits.len() == 2 || digits.len() == 4)
                || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return false;
            }
            &rest[..at]
        }
        None => rest,
    };
    NaiveTime::parse_from_str(time, "%H:%M:%S%.f").is_ok()
        || NaiveTime::parse_from_str(time, "%H:%M").is_ok()
}

/// What is wrong with a stored key's text, if anything: held to `key`
/// when the plan's step is known, to JSON alone otherwise.
pub(super) fn key_fault(
    text: Option<&str>,
    key: Option<&[(String, ValueKind)]>,
    dialect: Dialect,
) -> Option<KeyFault> {
    match parse_key(text) {
        Err(fault) => Some(fault),
        Ok(Some(values)) => key.and_then(|k| fit(&values, k, dialect).err()),
        Ok(None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_as_the_databases_print_them() {
        for ok in [
            "2025-09-28",
            "2025-09-28 12:00:00",
            "2025-09-28T12:00:00Z",
            "2025-09-28 12:00:00.123456",
            "2025-09-28 12:00:00+00",
            "2025-09-28 12:00:00+05:30",
            "2025-09-28 12:00",
        ] {
            assert!(is_timestamp(ok), "{ok}");
        }
        for bad in [
            "not-a-time",
            "2025-09-28 25:00:00",
            "2025-13-01",
            "2025-09-28X",
            "",
        ] {
            assert!(!is_timestamp(bad), "{bad}");
        }
        assert!(value_fits(
            "1727000000",
            ValueKind::Timestamp,
            Dialect::Sqlite
        ));
        assert!(!value_fits(
            "1727000000",
            ValueKind::Timestamp,
            Dialect::Mysql
        ));
        assert!(!value_fits("1.5", ValueKind::Int, Dialect::Mysql));
        assert!(value_fits("1.5e3", ValueKind::Float, Dialect::Mysql));
    }
}
