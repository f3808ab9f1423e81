//! The SQL of `gaps`: the per-dialect fragments (one function each, one
//! `match` each) and the statements assembled from them, which are the same
//! for every dialect. Identifiers arrive already validated and quoted;
//! values are bound parameters or integers and times mendb computed.

use chrono::Duration;

use super::window::{Window, format_time};
use crate::db::Dialect;

/// The bucket number of `col` as an integer: whole UTC epoch seconds
/// divided by `every`.
pub fn bucket(d: Dialect, col: &str, every: i64) -> String {
    match d {
        // The session runs at UTC (Dialect::session_setup), so this is the
        // true epoch for DATETIME and TIMESTAMP alike; DIV keeps it integer.
        Dialect::Mysql => format!("UNIX_TIMESTAMP({col}) DIV {every}"),
        // date_part is EXTRACT(EPOCH ...) in double precision: exact for
        // whole seconds, and about twice as fast as EXTRACT's numeric.
        Dialect::Postgres => format!("CAST(FLOOR(date_part('epoch', {col}) / {every}) AS BIGINT)"),
        // strftime understands both 'YYYY-MM-DD HH:MM:SS' and ISO-8601 with
        // 'T', fractions and offsets, and yields NULL for anything else.
        Dialect::Sqlite => format!("CAST(strftime('%s', {col}) AS INTEGER) / {every}"),
    }
}

/// Aggregate: whole epoch seconds of the earliest `col`.
pub fn first_epoch(d: Dialect, col: &str) -> String {
    match d {
        // MIN over the native type can use an index on the column.
        Dialect::Mysql => format!("CAST(FLOOR(UNIX_TIMESTAMP(MIN({col}))) AS SIGNED)"),
        Dialect::Postgres => format!("CAST(FLOOR(date_part('epoch', MIN({col}))) AS BIGINT)"),
        // Text: the lexically smallest value need not be the earliest when
        // separators or offsets differ, so compare instants.
        Dialect::Sqlite => format!("MIN(CAST(strftime('%s', {col}) AS INTEGER))"),
    }
}

/// Aggregate: the bucket of the earliest (`agg` = `MIN`) or latest (`MAX`)
/// `col`.
pub fn edge_bucket(d: Dialect, agg: &str, col: &str, every: i64) -> String {
    match d {
        // The aggregate over the bare column lets MariaDB read one index
        // entry per key ("Using index for group-by") instead of every row.
        Dialect::Mysql | Dialect::Postgres => bucket(d, &format!("{agg}({col})"), every),
        // Text: compare instants, not spellings (see `first_epoch`).
        Dialect::Sqlite => format!("{agg}({})", bucket(d, col, every)),
    }
}

/// What LAG orders a key's rows by: `t` (the time column) or `b` (its
/// bucket), as named in `ranges`.
pub fn lag_order(d: Dialect) -> &'static str {
    match d {
        // Buckets grow with native times, and the (key, time) index already
        // delivers rows in that order (PostgreSQL then needs no sort).
        Dialect::Mysql | Dialect::Postgres => "t",
        // Text times need not sort like the instants they spell.
        Dialect::Sqlite => "b",
    }
}

/// Condition: `col` lies in the window's complete buckets. `bucket_expr` is
/// `bucket(d, col, ..)`.
pub fn in_window(d: Dialect, col: &str, bucket_expr: &str, w: &Window) -> String {
    let since = format_time(w.since());
    let until = format_time(w.until());
    match d {
        // Native time types compare as instants: a plain range that an index
        // on the column can serve, and exact on its own.
        Dialect::Mysql | Dialect::Postgres => {
            format!("{col} >= '{since}' AND {col} < '{until}'")
        }
        // Text compares as text: a range on the date alone, a day wider than
        // any UTC offset on each side, is still an index range; the bucket
        // test then makes it exact.
        Dialect::Sqlite => {
            let buckets = format!("{bucket_expr} BETWEEN {} AND {}", w.first, w.last);
            let lo = w.since().checked_sub_signed(Duration::days(1));
            let hi = w.until().checked_add_signed(Duration::days(2));
            match (lo, hi) {
                (Some(lo), Some(hi)) => format!(
                    "{col} >= '{}' AND {col} < '{}' AND {buckets}",
                    lo.format("%Y-%m-%d"),
                    hi.format("%Y-%m-%d")
                ),
                // At the ends of chrono's range there is no margin to add:
                // the bucket test alone is exact, only slower.
                _ => buckets,
            }
        }
    }
}

/// `expr` as a signed 64-bit integer the `Any` driver can decode.
pub fn as_int(d: Dialect, expr: &str) -> String {
    match d {
        Dialect::Mysql => format!("CAST({expr} AS SIGNED)"),
        Dialect::Postgres => format!("CAST({expr} AS BIGINT)"),
        Dialect::Sqlite => expr.to_string(),
    }
}

/// `expr` as text the `Any` driver can decode (not `name`, not a number).
pub fn as_text(d: Dialect, expr: &str) -> String {
    match d {
        Dialect::Mysql => format!("CAST({expr} AS CHAR)"),
        Dialect::Postgres => format!("CAST({expr} AS TEXT)"),
        Dialect::Sqlite => format!("CAST({expr} AS TEXT)"),
    }
}

/// Quoted names of what a query reads.
#[derive(Debug, Clone)]
pub struct Target {
    pub table: String,
    pub key: String,
    pub time: String,
}

/// Placeholders `first..first+n` as a comma-separated list.
fn placeholders(d: Dialect, first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| d.param(i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Epoch seconds of the earliest row (of the `n_keys` bound keys, if any).
pub fn first_row(d: Dialect, t: &Target, n_keys: Option<usize>) -> String {
    let keys = n_keys
        .map(|n| format!(" AND {} IN ({})", t.key, placeholders(d, 1, n)))
        .unwrap_or_default();
    format!(
        "SELECT {} FROM {} WHERE {} IS NOT NULL{keys}",
        first_epoch(d, &t.time),
        t.table,
        t.key
    )
}

/// How many distinct keys the table holds (for an empty window, which
/// `ranges` is not asked about).
pub fn count_keys(d: Dialect, t: &Target) -> String {
    format!(
        "SELECT {} FROM {} WHERE {} IS NOT NULL",
        as_int(d, &format!("COUNT(DISTINCT {})", t.key)),
        t.table,
        t.key
    )
}

/// The rows of `ranges`: `(key, first missing bucket, last missing
/// bucket)`; with the table's own keys, one extra row `(NULL, number of
/// keys, NULL)`.
///
/// Three set-based parts, each reading the table once: gaps between two rows
/// of a key are steps of more than one bucket between neighbours (LAG over
/// the key's rows in time order; rows sharing a bucket make a step of 0, so
/// no DISTINCT is needed, and none is wanted: on MariaDB it builds a
/// temporary table of every (key, bucket) that spills to disk); the gap
/// before a key's first and after its last row in the window, or the whole
/// window for a key without rows, come from MIN and MAX per key, which an
/// index on (key, time) answers with one probe per key. With `n_keys`, the
/// keys are bound three times: as the list of keys and as the filter of
/// each part.
pub fn ranges(d: Dialect, t: &Target, w: &Window, n_keys: Option<usize>) -> String {
    let Target { table, key, time } = t;
    let bucket = bucket(d, time, w.every);
    let window = in_window(d, time, &bucket, w);
    let (keys, count, filter_edges, filter_rows) = match n_keys {
        None => (
            format!("SELECT DISTINCT {key} FROM {table} WHERE {key} IS NOT NULL"),
            format!(
                " UNION ALL SELECT {}, {}, {} FROM gk",
                as_text(d, "NULL"),
                as_int(d, "COUNT(*)"),
                as_int(d, "NULL")
            ),
            String::new(),
            String::new(),
        ),
        Some(n) => (
            (1..=n)
                .map(|i| format!("SELECT {} AS k", d.param(i)))
                .collect::<Vec<_>>()
                .join(" UNION ALL "),
            String::new(),
            format!(" AND {key} IN ({})", placeholders(d, n + 1, n)),
            format!(" AND {key} IN ({})", placeholders(d, 2 * n + 1, n)),
        ),
    };
    let (first, last) = (w.first, w.last);
    format!(
        "WITH gk (k) AS ({keys}), \
         ge (k, lo, hi) AS (SELECT {key}, {lo}, {hi} FROM {table} \
                            WHERE {key} IS NOT NULL AND {window}{filter_edges} GROUP BY {key}), \
         gl (k, b, prev) AS (SELECT k, b, LAG(b) OVER (PARTITION BY k ORDER BY {order}) \
                             FROM (SELECT {key} AS k, {time} AS t, {bucket} AS b FROM {table} \
                                   WHERE {key} IS NOT NULL AND {window}{filter_rows}) r) \
         SELECT {gl_k}, {gl_from}, {gl_to} FROM gl WHERE b - prev > 1 \
         UNION ALL SELECT {gk_k}, {first_}, {lead_to} FROM gk LEFT JOIN ge ON ge.k = gk.k \
                   WHERE ge.lo IS NULL OR ge.lo > {first} \
         UNION ALL SELECT {ge_k}, {trail_from}, {last_} FROM ge WHERE ge.hi < {last}{count}",
        lo = edge_bucket(d, "MIN", time, w.every),
        hi = edge_bucket(d, "MAX", time, w.every),
        order = lag_order(d),
        gl_k = as_text(d, "k"),
        gl_from = as_int(d, "prev + 1"),
        gl_to = as_int(d, "b - 1"),
        gk_k = as_text(d, "gk.k"),
        first_ = as_int(d, &first.to_string()),
        lead_to = as_int(d, &format!("COALESCE(ge.lo - 1, {last})")),
        ge_k = as_text(d, "ge.k"),
        trail_from = as_int(d, "ge.hi + 1"),
        last_ = as_int(d, &last.to_string()),
    )
}
