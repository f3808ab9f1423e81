//! The SQL of `gaps`: which dialect fragments (`crate::db::Dialect`) go
//! where, so an index serves each part, and the statements assembled from
//! them. Writes no per-dialect SQL of its own. Identifiers arrive already
//! validated and quoted; values are bound parameters or integers and times
//! mendb computed.

use chrono::Duration;

use super::window::{Window, format_time};
use crate::db::Dialect;

/// Aggregate: whole epoch seconds of the earliest `col`.
pub fn first_epoch(d: Dialect, col: &str) -> String {
    if d.stores_times_as_text() {
        // The lexically smallest value need not be the earliest when
        // separators or offsets differ, so compare instants.
        format!("MIN({})", d.epoch_seconds(col))
    } else {
        // MIN over the native type can use an index on the column.
        d.epoch_seconds(&format!("MIN({col})"))
    }
}

/// Aggregate: the bucket of the earliest (`agg` = `MIN`) or latest (`MAX`)
/// `col`.
pub fn edge_bucket(d: Dialect, agg: &str, col: &str, every: i64) -> String {
    if d.stores_times_as_text() {
        // Compare instants, not spellings (see `first_epoch`).
        format!("{agg}({})", d.epoch_bucket(col, every))
    } else {
        // The aggregate over the bare column lets MariaDB read one index
        // entry per key ("Using index for group-by") instead of every row.
        d.epoch_bucket(&format!("{agg}({col})"), every)
    }
}

/// What LAG orders a key's rows by: `t` (the time column) or `b` (its
/// bucket), as named in `ranges`.
pub fn lag_order(d: Dialect) -> &'static str {
    if d.stores_times_as_text() {
        // Text times need not sort like the instants they spell.
        "b"
    } else {
        // Buckets grow with native times, and the (key, time) index already
        // delivers rows in that order (PostgreSQL then needs no sort).
        "t"
    }
}

/// Condition: `col` lies in the window's complete buckets. `bucket_expr` is
/// `col`'s bucket.
pub fn in_window(d: Dialect, col: &str, bucket_expr: &str, w: &Window) -> String {
    let since = format_time(w.since());
    let until = format_time(w.until());
    if !d.stores_times_as_text() {
        // Native time types compare as instants: a plain range that an index
        // on the column can serve, and exact on its own.
        return format!("{col} >= '{since}' AND {col} < '{until}'");
    }
    // Text compares as text: a range on the date alone, a day wider than
    // any UTC offset on each side, is still an index range; the bucket test
    // then makes it exact.
    let buckets = format!("{bucket_expr} BETWEEN {} AND {}", w.first, w.last);
    let lo = w.since().checked_sub_signed(Duration::days(1));
    let hi = w.until().checked_add_signed(Duration::days(2));
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!(
            "{col} >= '{}' AND {col} < '{}' AND {buckets}",
            lo.format("%Y-%m-%d"),
            hi.format("%Y-%m-%d")
        ),
        // At the ends of chrono's range there is no margin to add: the
        // bucket test alone is exact, only slower.
        _ => buckets,
    }
}

/// Whether each key's edges are found faster by probing an index led by
/// the key (`ranges` with `probe`) than by grouping the window's rows: not
/// on MariaDB, whose loose index scan reads one entry per key already, and
/// not where times are text, whose edges are aggregates over an expression
/// that no index answers (measured on SQLite: a tenth slower).
pub fn probes_edges(d: Dialect) -> bool {
    !d.skips_through_index_groups() && !d.stores_times_as_text()
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

/// The distinct keys the table holds (for an empty window, which `ranges`
/// is not asked about).
pub fn list_keys(d: Dialect, t: &Target) -> String {
    format!(
        "SELECT DISTINCT {} FROM {} WHERE {} IS NOT NULL",
        d.as_text(&t.key),
        t.table,
        t.key
    )
}

/// The statement of `ranges`, and how many times it binds the keys asked
/// about (each time as one list, in order).
pub struct RangesSql {
    pub text: String,
    pub key_lists: usize,
}

/// The rows of `ranges`: `(key, first missing bucket, last missing
/// bucket)`; with the table's own keys, also one row `(key, NULL, NULL)`
/// per key, so keys without a gap are known too (the gap map draws them).
///
/// Gaps between two rows of a key are steps of more than one bucket
/// between neighbours: LAG over the key's rows in time order, one read of
/// the window. Rows sharing a bucket make a step of 0, so no DISTINCT is
/// needed, and none is wanted: on MariaDB it builds a temporary table of
/// every (key, bucket) that spills to disk. The gap before a key's first
/// and after its last row in the window, or the whole window for a key
/// without rows, come from the key's earliest and latest row. Where the
/// database reads one index entry per key for those (MariaDB's loose index
/// scan), DISTINCT and MIN/MAX per key find them; with `probe` (an index
/// led by the key, where `probes_edges`), a recursive walk finds each next
/// key and two probes per key its first and last row, so the window is
/// read once instead of three times (PostgreSQL: 1.3 times the
/// hand-written LAG query's time before, 0.9 after; docs/benchmarks.md).
pub fn ranges(d: Dialect, t: &Target, w: &Window, n_keys: Option<usize>, probe: bool) -> RangesSql {
    let Target { table, key, time } = t;
    let bucket = d.epoch_bucket(time, w.every);
    let window = in_window(d, time, &bucket, w);
    let lo = edge_bucket(d, "MIN", time, w.every);
    let hi = edge_bucket(d, "MAX", time, w.every);
    // Asked keys are bound once per use, each use the next list of
    // placeholders: the list of keys itself first, then the filters.
    let in_list =
        |list: usize, n: usize| format!(" AND {key} IN ({})", placeholders(d, list * n + 1, n));
    let (with, keys) = match n_keys {
        Some(n) => (
            "WITH",
            format!(
                "gk (k) AS ({})",
                (1..=n)
                    .map(|i| format!("SELECT {} AS k", d.param(i)))
                    .collect::<Vec<_>>()
                    .join(" UNION ALL ")
            ),
        ),
        // MIN skips NULLs; the walk ends on the NULL after the last key.
        None if probe => (
            "WITH RECURSIVE",
            format!(
                "gs (k) AS (SELECT MIN({key}) FROM {table} \
                 UNION ALL SELECT (SELECT MIN({key}) FROM {table} WHERE {key} > gs.k) \
                 FROM gs WHERE gs.k IS NOT NULL), \
                 gk (k) AS (SELECT k FROM gs WHERE k IS NOT NULL)"
            ),
        ),
        None => (
            "WITH",
            format!("gk (k) AS (SELECT DISTINCT {key} FROM {table} WHERE {key} IS NOT NULL)"),
        ),
    };
    let edges = if probe {
        let probe_edge =
            |edge: &str| format!("(SELECT {edge} FROM {table} WHERE {key} = gk.k AND {window})");
        format!(
            "ge (k, lo, hi) AS (SELECT gk.k, {}, {} FROM gk)",
            probe_edge(&lo),
            probe_edge(&hi)
        )
    } else {
        let filter = n_keys.map(|n| in_list(1, n)).unwrap_or_default();
        format!(
            "ge (k, lo, hi) AS (SELECT {key}, {lo}, {hi} FROM {table} \
             WHERE {key} IS NOT NULL AND {window}{filter} GROUP BY {key})"
        )
    };
    // The rows' filter is the last list: after the keys', and after the
    // edges' where they filter too.
    let rows_list = if probe { 1 } else { 2 };
    let (filter_rows, count, key_lists) = match n_keys {
        Some(n) => (in_list(rows_list, n), String::new(), rows_list + 1),
        None => (
            String::new(),
            format!(
                " UNION ALL SELECT {}, {}, {} FROM gk",
                d.as_text("gk.k"),
                d.as_int("NULL"),
                d.as_int("NULL")
            ),
            0,
        ),
    };
    let (first, last) = (w.first, w.last);
    let text = format!(
        "{with} {keys}, {edges}, \
         gl (k, b, prev) AS (SELECT k, b, LAG(b) OVER (PARTITION BY k ORDER BY {order}) \
                             FROM (SELECT {key} AS k, {time} AS t, {bucket} AS b FROM {table} \
                                   WHERE {key} IS NOT NULL AND {window}{filter_rows}) r) \
         SELECT {gl_k}, {gl_from}, {gl_to} FROM gl WHERE b - prev > 1 \
         UNION ALL SELECT {gk_k}, {first_}, {lead_to} FROM gk LEFT JOIN ge ON ge.k = gk.k \
                   WHERE ge.lo IS NULL OR ge.lo > {first} \
         UNION ALL SELECT {ge_k}, {trail_from}, {last_} FROM ge WHERE ge.hi < {last}{count}",
        order = lag_order(d),
        gl_k = d.as_text("k"),
        gl_from = d.as_int("prev + 1"),
        gl_to = d.as_int("b - 1"),
        gk_k = d.as_text("gk.k"),
        first_ = d.as_int(&first.to_string()),
        lead_to = d.as_int(&format!("COALESCE(ge.lo - 1, {last})")),
        ge_k = d.as_text("ge.k"),
        trail_from = d.as_int("ge.hi + 1"),
        last_ = d.as_int(&last.to_string()),
    );
    RangesSql { text, key_lists }
}
