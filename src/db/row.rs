//! Parameters in and values out: what mendb binds through the `Any`
//! driver, and reading integer and text columns whatever width or type
//! the driver decoded them as.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

/// A statement with its parameters bound, ready to run.
pub(super) fn bind<'q>(
    sql: &str,
    params: &[Param<'_>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(AssertSqlSafe(sql.to_string()));
    for p in params {
        query = match p {
            Param::Text(s) => query.bind(s.to_string()),
            Param::Int(i) => query.bind(*i),
            Param::NullText => query.bind(None::<String>),
            Param::NullInt => query.bind(None::<i64>),
        };
    }
    query
}

/// A bound parameter. The `Any` driver only carries a few types, and mendb
/// needs no more for its own bookkeeping.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Text(&'a str),
    Int(i64),
    NullText,
    /// NULL for an integer column (PostgreSQL will not take a text NULL).
    NullInt,
}

impl<'a> Param<'a> {
    /// Text values to bind, one `Param::Text` each.
    pub fn texts(values: &[&'a str]) -> Vec<Param<'a>> {
        values.iter().copied().map(Param::Text).collect()
    }
}

/// Reads an integer column whatever width the driver chose for it.
pub fn get_i64(row: &AnyRow, idx: usize) -> Option<i64> {
    row.try_get::<Option<i64>, _>(idx)
        .ok()
        .flatten()
        .or_else(|| {
            row.try_get::<Option<i32>, _>(idx)
                .ok()
                .flatten()
                .map(i64::from)
        })
        .or_else(|| {
            row.try_get::<Option<i16>, _>(idx)
                .ok()
                .flatten()
                .map(i64::from)
        })
        .or_else(|| {
            row.try_get::<Option<bool>, _>(idx)
                .ok()
                .flatten()
                .map(i64::from)
        })
        .or_else(|| {
            row.try_get::<Option<String>, _>(idx)
                .ok()
                .flatten()
                .and_then(|s| s.trim().parse().ok())
        })
}

/// A number of rows, counted or estimated by the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowCount {
    Exact(u64),
    Estimate(u64),
}

impl RowCount {
    pub fn get(self) -> u64 {
        match self {
            RowCount::Exact(n) | RowCount::Estimate(n) => n,
        }
    }

    pub fn is_estimate(self) -> bool {
        matches!(self, RowCount::Estimate(_))
    }
}

/// Reads a text column; NULL and undecodable values become `None`.
pub fn get_string(row: &AnyRow, idx: usize) -> Option<String> {
    row.try_get::<Option<String>, _>(idx)
        .ok()
        .flatten()
        .or_else(|| {
            row.try_get::<Option<Vec<u8>>, _>(idx)
                .ok()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        })
        .or_else(|| get_i64(row, idx).map(|i| i.to_string()))
}
