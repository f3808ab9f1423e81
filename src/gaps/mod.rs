//! Gap detection: which fixed-width time buckets have no row, per key, in a
//! window, reported as ranges. Computed set-based on the server (LAG over
//! each key's rows, MIN and MAX per key); only the ranges travel to mendb.
//! Reads only.
//!
//! `find` validates the question against the live schema first, settles the
//! window in whole buckets (`window`), then asks one statement for every
//! range (`sql`) and adds up the figures.

pub mod sql;
pub mod window;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::{Serialize, Serializer};

use crate::db::{Db, DbError, Param, get_i64, get_string, introspect};
use crate::exit;
use sql::Target;
use window::{Window, epoch_to_time, format_every, format_time};

/// The widest bucket: a year and a day, so a yearly grid fits, and the
/// bucket arithmetic stays far from the ends of the time range.
pub const MAX_EVERY: Duration = Duration::from_secs(366 * 86_400);

#[derive(Debug, Clone)]
pub struct GapQuery {
    pub table: String,
    pub key: String,
    pub time: String,
    /// Bucket width: whole seconds, at least one.
    pub every: Duration,
    /// Inclusive; `None` means the bucket of the first row (of the keys
    /// concerned).
    pub since: Option<NaiveDateTime>,
    /// Exclusive; `None` means now (UTC).
    pub until: Option<NaiveDateTime>,
    /// Only these keys; keys without rows are fully missing. `None` means
    /// every key the table holds, in or out of the window.
    pub keys: Option<Vec<String>>,
}

/// A run of consecutive missing buckets of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapRange {
    pub key: String,
    /// Start of the first missing bucket.
    #[serde(serialize_with = "time_text")]
    pub from: NaiveDateTime,
    /// Start of the last missing bucket.
    #[serde(serialize_with = "time_text")]
    pub to: NaiveDateTime,
    pub missing: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    pub table: String,
    pub key: String,
    pub time: String,
    pub every_secs: u64,
    /// Start of the first complete bucket judged (the requested start,
    /// rounded up to a bucket boundary).
    #[serde(serialize_with = "time_text")]
    pub since: NaiveDateTime,
    /// End of the last complete bucket judged (the requested end, rounded
    /// down to a bucket boundary); exclusive.
    #[serde(serialize_with = "time_text")]
    pub until: NaiveDateTime,
    /// Complete buckets in the window, per key.
    pub window_buckets: u64,
    pub keys_checked: u64,
    pub keys_with_gaps: u64,
    /// Keys with every bucket of the window missing.
    pub keys_fully_missing: u64,
    /// `keys_checked × window_buckets`.
    pub buckets_expected: u64,
    pub buckets_missing: u64,
    /// Every key checked, with or without gaps, sorted: the rows of the gap
    /// map.
    pub keys: Vec<String>,
    /// Sorted by key, then time.
    pub ranges: Vec<GapRange>,
}

impl GapReport {
    /// The bucket width as it would be written on the command line (`5m`).
    pub fn every_text(&self) -> String {
        format_every(self.every_secs)
    }
}

fn time_text<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(*t))
}

#[derive(Debug, thiserror::Error)]
pub enum GapError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    WrongState(String),
}

impl GapError {
    pub fn exit_code(&self) -> i32 {
        match self {
            GapError::Db(e) => e.exit_code(),
            GapError::Usage(_) => exit::USAGE,
            GapError::WrongState(_) => exit::WRONG_STATE,
        }
    }
}

/// Finds every run of missing buckets. One statement computes the ranges
/// (and counts the keys) on the server; only when `since` is not given does
/// a small aggregate come first, for the first row's time.
pub async fn find(db: &mut Db, query: &GapQuery) -> Result<GapReport, GapError> {
    let every = every_secs(query.every)?;
    let keys = query.keys.as_deref().map(distinct_keys).transpose()?;
    if let (Some(since), Some(until)) = (query.since, query.until)
        && since >= until
    {
        return Err(GapError::Usage(format!(
            "--since {} is not before --until {}",
            format_time(since),
            format_time(until)
        )));
    }
    check_schema(db, query).await?;

    let d = db.dialect();
    let target = Target {
        table: d.quote_ident(&query.table),
        key: d.quote_ident(&query.key),
        time: d.quote_ident(&query.time),
    };
    let key_params: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
    let asked = Asked {
        target: &target,
        table_name: &query.table,
        key_name: &query.key,
        keys: keys.as_deref(),
        key_params: &key_params,
        every,
    };
    let until = match query.until {
        Some(u) => u,
        None => chrono::Utc::now().naive_utc(),
    };
    let since = window_start(db, query, &asked, until).await?;
    let window = Window::between(since, until, every);
    let (ranges, keys) = missing_ranges(db, &asked, &window).await?;
    Ok(summarize(query, every, &window, ranges, keys))
}

/// What one `find` asks of the table, once its names are quoted.
struct Asked<'a> {
    target: &'a Target,
    /// The table and key column as given, for the catalog.
    table_name: &'a str,
    key_name: &'a str,
    keys: Option<&'a [String]>,
    key_params: &'a [&'a str],
    every: i64,
}

impl Asked<'_> {
    fn n_keys(&self) -> Option<usize> {
        self.keys.map(<[String]>::len)
    }
}

/// The window's first bucket: `--since`, or the bucket of the first row.
async fn window_start(
    db: &mut Db,
    query: &GapQuery,
    asked: &Asked<'_>,
    until: NaiveDateTime,
) -> Result<NaiveDateTime, GapError> {
    match query.since {
        Some(s) if s >= until => Err(GapError::Usage(format!(
            "--since {} is not before --until (now, {})",
            format_time(s),
            format_time(until)
        ))),
        Some(s) => Ok(s),
        None => {
            let first = if asked.n_keys() == Some(0) {
                None
            } else {
                let sql = sql::first_row(db.dialect(), asked.target, asked.n_keys());
                let rows = db.fetch(&sql, &Param::texts(asked.key_params)).await?;
                rows.first().and_then(|r| get_i64(r, 0))
            };
            let Some(first) = first else {
                return Err(GapError::WrongState(format!(
                    "`{}` has no rows{} with a `{}` to start the window at; pass --since",
                    query.table,
                    if asked.keys.is_some() {
                        " for the --symbols given"
                    } else {
                        ""
                    },
                    query.time
                )));
            };
            Ok(epoch_to_time(
                Window::bucket_of(first, asked.every) * asked.every,
            ))
        }
    }
}

/// The missing ranges, sorted by key and time, and the keys checked,
/// sorted.
async fn missing_ranges(
    db: &mut Db,
    asked: &Asked<'_>,
    window: &Window,
) -> Result<(Vec<GapRange>, Vec<String>), GapError> {
    let d = db.dialect();
    let n_keys = asked.n_keys();
    let mut keys: Vec<String> = asked.keys.map(<[String]>::to_vec).unwrap_or_default();
    let mut ranges = Vec::new();
    if !window.is_empty() && n_keys != Some(0) {
        let probe = sql::probes_edges(d)
            && introspect::has_index_led_by(db, asked.table_name, asked.key_name).await?;
        let sql = sql::ranges(d, asked.target, window, n_keys, probe);
        let edges = match probe {
            true => "each key's edges probed through an index led by the key",
            false => "each key's edges grouped from the window",
        };
        tracing::debug!(sql = %sql.text, "gaps: {edges}");
        let params = asked.key_params.repeat(sql.key_lists);
        for row in db.fetch(&sql.text, &Param::texts(&params)).await? {
            match (get_string(&row, 0), get_i64(&row, 1), get_i64(&row, 2)) {
                (Some(key), Some(from), Some(to)) => ranges.push(GapRange {
                    key,
                    from: window.start_of(from),
                    to: window.start_of(to),
                    missing: (to - from + 1) as u64,
                }),
                // One of the rows that name the table's keys.
                (Some(key), None, None) => keys.push(key),
                _ => {}
            }
        }
    } else if asked.keys.is_none() {
        let sql = sql::list_keys(d, asked.target);
        for row in db.fetch(&sql, &[]).await? {
            keys.extend(get_string(&row, 0));
        }
    }
    ranges.sort_by(|a, b| (&a.key, a.from).cmp(&(&b.key, b.from)));
    // The server's collation orders keys its own way; the report orders
    // them as the ranges are, byte by byte.
    keys.sort();
    keys.dedup();
    Ok((ranges, keys))
}

fn summarize(
    query: &GapQuery,
    every: i64,
    window: &Window,
    ranges: Vec<GapRange>,
    keys: Vec<String>,
) -> GapReport {
    let keys_checked = keys.len() as u64;
    let window_buckets = window.len();
    let keys_with_gaps = ranges.iter().map(|r| &r.key).collect::<BTreeSet<_>>().len() as u64;
    let keys_fully_missing = ranges
        .iter()
        .filter(|r| r.missing == window_buckets)
        .count() as u64;
    GapReport {
        table: query.table.clone(),
        key: query.key.clone(),
        time: query.time.clone(),
        every_secs: every as u64,
        since: window.since(),
        until: window.until(),
        window_buckets,
        keys_checked,
        keys_with_gaps,
        keys_fully_missing,
        buckets_expected: keys_checked.saturating_mul(window_buckets),
        buckets_missing: ranges.iter().map(|r| r.missing).sum(),
        keys,
        ranges,
    }
}

fn every_secs(every: Duration) -> Result<i64, GapError> {
    if every.subsec_nanos() != 0 || every.as_secs() == 0 {
        return Err(GapError::Usage(format!(
            "--every must be a whole number of seconds, at least 1s (got {:?})",
            every
        )));
    }
    if every > MAX_EVERY {
        return Err(GapError::Usage(format!(
            "--every {}s is too large (the range is 1s to {}d)",
            every.as_secs(),
            MAX_EVERY.as_secs() / 86_400
        )));
    }
    i64::try_from(every.as_secs())
        .map_err(|_| GapError::Usage(format!("--every {every:?} is too large")))
}

/// The keys asked for, without blanks and repeats, sorted. No keys at all is
/// a question with an empty answer; only blanks is a typo.
fn distinct_keys(keys: &[String]) -> Result<Vec<String>, GapError> {
    let set: BTreeSet<String> = keys
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    if set.is_empty() && !keys.is_empty() {
        return Err(GapError::Usage("--symbols names no key".into()));
    }
    Ok(set.into_iter().collect())
}

/// The table and both columns must exist before any name goes into SQL.
async fn check_schema(db: &mut Db, q: &GapQuery) -> Result<(), GapError> {
    if !introspect::table_exists(db, &q.table).await? {
        return Err(GapError::WrongState(format!(
            "no table `{}` in the database",
            q.table
        )));
    }
    for (role, column) in [("key", &q.key), ("time", &q.time)] {
        if !introspect::column_exists(db, &q.table, column).await? {
            return Err(GapError::WrongState(format!(
                "table `{}` has no column `{column}` (the --{role} column)",
                q.table
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_lose_blanks_and_repeats() {
        let keys = |v: &[&str]| distinct_keys(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(keys(&["ETH", " BTC", "ETH", ""]).unwrap(), ["BTC", "ETH"]);
        // No keys asked is an empty question; only blanks is a typo.
        assert!(keys(&[]).unwrap().is_empty());
        assert!(matches!(keys(&["", " "]), Err(GapError::Usage(_))));
    }

    #[test]
    fn every_is_whole_seconds() {
        assert_eq!(every_secs(Duration::from_secs(300)).unwrap(), 300);
        assert_eq!(every_secs(MAX_EVERY).unwrap(), 366 * 86_400);
        for bad in [
            Duration::ZERO,
            Duration::from_millis(1500),
            Duration::from_millis(500),
            MAX_EVERY + Duration::from_secs(1),
            Duration::MAX,
        ] {
            let err = every_secs(bad).unwrap_err();
            assert_eq!(err.exit_code(), exit::USAGE, "{bad:?}");
        }
    }
}
