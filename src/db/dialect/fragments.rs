//! Pieces of statements that other modules assemble: quoting, bound
//! parameters, casts, time and epoch arithmetic, null-safe comparison, and
//! the forms of INSERT-or-skip (with the counters it keeps on MySQL) and
//! UPDATE-with-join. Each says what it means; where it goes, and why, is
//! the caller's business.

use super::{Dialect, ValueKind};

/// A statement form with holes for text the caller builds. That text may
/// bind parameters, so the caller fills the holes in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<H> {
    Text(String),
    Hole(H),
}

/// The holes of `Dialect::update_join`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateHole {
    /// The condition joining the source to the target.
    On,
    /// The assignments; `qualified`: each target column is written with
    /// the target's alias (MySQL needs it when both tables have the column,
    /// PostgreSQL and SQLite refuse it).
    Set { qualified: bool },
}

impl Dialect {
    pub fn quote_ident(self, ident: &str) -> String {
        match self {
            Dialect::Mysql => format!("`{}`", ident.replace('`', "``")),
            Dialect::Postgres | Dialect::Sqlite => format!("\"{}\"", ident.replace('"', "\"\"")),
        }
    }

    /// Placeholder for the n-th (1-based) bound parameter.
    pub fn param(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("${n}"),
            Dialect::Mysql | Dialect::Sqlite => "?".to_string(),
        }
    }

    /// A bound parameter carrying `kind` as text, cast so the server
    /// compares it as that type (PostgreSQL will not compare a timestamp
    /// with text; SQLite stores dates and times as text already).
    pub fn cast_param(self, placeholder: &str, kind: ValueKind) -> String {
        let ty = match (self, kind) {
            (_, ValueKind::Text) => return placeholder.to_string(),
            (Dialect::Sqlite, ValueKind::Date | ValueKind::Timestamp) => {
                return placeholder.to_string();
            }
            (Dialect::Mysql, ValueKind::Int) => "SIGNED",
            (Dialect::Mysql, ValueKind::Float) => "DOUBLE",
            (Dialect::Mysql, ValueKind::Date) => "DATE",
            (Dialect::Mysql, ValueKind::Timestamp) => "DATETIME",
            (Dialect::Postgres, ValueKind::Int) => "BIGINT",
            (Dialect::Postgres, ValueKind::Float) => "DOUBLE PRECISION",
            (Dialect::Postgres, ValueKind::Date) => "DATE",
            (Dialect::Postgres, ValueKind::Timestamp) => "TIMESTAMP",
            (Dialect::Sqlite, ValueKind::Int) => "INTEGER",
            (Dialect::Sqlite, ValueKind::Float) => "REAL",
        };
        format!("CAST({placeholder} AS {ty})")
    }

    /// An expression read back as text, whatever its type (the `Any`
    /// driver cannot decode dates, times or decimals).
    pub fn as_text(self, expr: &str) -> String {
        match self {
            Dialect::Mysql => format!("CAST({expr} AS CHAR)"),
            Dialect::Postgres => format!("CAST({expr} AS TEXT)"),
            Dialect::Sqlite => format!("CAST({expr} AS TEXT)"),
        }
    }

    /// `expr` as a signed 64-bit integer the `Any` driver can decode
    /// (SQLite's integers already are).
    pub fn as_int(self, expr: &str) -> String {
        match self {
            Dialect::Mysql => format!("CAST({expr} AS SIGNED)"),
            Dialect::Postgres => format!("CAST({expr} AS BIGINT)"),
            Dialect::Sqlite => expr.to_string(),
        }
    }

    /// A binary column as hexadecimal text.
    pub fn hex(self, expr: &str) -> String {
        match self {
            Dialect::Mysql | Dialect::Sqlite => format!("HEX({expr})"),
            Dialect::Postgres => format!("encode({expr}, 'hex')"),
        }
    }

    /// The current UTC time as text, evaluated by the server.
    pub fn now_text(self) -> &'static str {
        match self {
            Dialect::Mysql => "DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ')",
            Dialect::Postgres => {
                "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
            }
            Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        }
    }

    /// The database's clock in whole seconds since 1970: lease expiry uses
    /// it, so workers on machines with different clocks agree.
    pub fn epoch_now(self) -> &'static str {
        match self {
            Dialect::Mysql => "UNIX_TIMESTAMP()",
            Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)",
            Dialect::Sqlite => "CAST(strftime('%s', 'now') AS INTEGER)",
        }
    }

    /// A time expression as whole UTC epoch seconds, an integer.
    pub fn epoch_seconds(self, expr: &str) -> String {
        match self {
            Dialect::Mysql => format!("CAST(FLOOR(UNIX_TIMESTAMP({expr})) AS SIGNED)"),
            Dialect::Postgres => format!("CAST(FLOOR(date_part('epoch', {expr})) AS BIGINT)"),
            Dialect::Sqlite => format!("CAST(strftime('%s', {expr}) AS INTEGER)"),
        }
    }

    /// A time expression's whole UTC epoch seconds divided by `width`,
    /// rounded down, an integer.
    pub fn epoch_bucket(self, expr: &str, width: i64) -> String {
        match self {
            // The session runs at UTC (`session_setup`), so this is the true
            // epoch for DATETIME and TIMESTAMP alike; DIV keeps it integer.
            Dialect::Mysql => format!("UNIX_TIMESTAMP({expr}) DIV {width}"),
            // date_part is EXTRACT(EPOCH ...) in double precision: exact for
            // whole seconds, and about twice as fast as EXTRACT's numeric.
            Dialect::Postgres => {
                format!("CAST(FLOOR(date_part('epoch', {expr}) / {width}) AS BIGINT)")
            }
            // strftime understands both 'YYYY-MM-DD HH:MM:SS' and ISO-8601
            // with 'T', fractions and offsets, and yields NULL for anything
            // else.
            Dialect::Sqlite => format!("CAST(strftime('%s', {expr}) AS INTEGER) / {width}"),
        }
    }

    /// The condition "`left` differs from the right operand", a NULL
    /// differing from any value and equal to NULL: the text before the
    /// right operand and the text after it.
    pub fn null_safe_differs(self, left: &str) -> (String, &'static str) {
        match self {
            Dialect::Mysql => (format!("NOT ({left} <=> "), ")"),
            Dialect::Postgres => (format!("{left} IS DISTINCT FROM "), ""),
            Dialect::Sqlite => (format!("{left} IS NOT "), ""),
        }
    }

    /// Ends an `INSERT INTO table ... SELECT` so that a row whose `key`
    /// columns (quoted, at least one) already hold its values in `table` is
    /// skipped, a row written earlier by the same statement included.
    /// PostgreSQL and SQLite absorb only a clash on `key`; a clash on any
    /// other unique key still fails. MySQL has no conflict target: every
    /// clash is absorbed, and counted in the session variable `skipped`
    /// when it is on `key`, in `clashed` when on another unique key.
    pub fn insert_or_skip(
        self,
        table: &str,
        key: &[String],
        skipped: &str,
        clashed: &str,
    ) -> String {
        match self {
            Dialect::Postgres | Dialect::Sqlite => {
                format!(" ON CONFLICT ({}) DO NOTHING", key.join(", "))
            }
            Dialect::Mysql => {
                // The update changes nothing; it only counts.
                let same = key
                    .iter()
                    .map(|k| format!("{table}.{k} <=> VALUES({k})"))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let first = format!("{table}.{}", key[0]);
                format!(
                    " ON DUPLICATE KEY UPDATE {first} = IF({same}, \
                     IF(({skipped} := {skipped} + 1) IS NULL, NULL, {first}), \
                     IF(({clashed} := {clashed} + 1) IS NULL, NULL, {first}))"
                )
            }
        }
    }

    /// Whether `insert_or_skip` costs more than a plain insert of the same
    /// rows, so that a plain insert is worth trying first where no key is
    /// expected to exist. PostgreSQL's `ON CONFLICT` inserts every row
    /// speculatively: an extra probe of the unique index and an extra WAL
    /// record per row, 1.3–1.7× a plain insert's time measured on 100,000
    /// rows (docs/benchmarks.md). MySQL's upsert costs what the plain insert
    /// does; SQLite was not measured.
    pub fn skipping_costs_extra(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether `insert_or_skip` counts what it skips in session variables
    /// (MySQL), which the caller zeroes before and reads after: the server
    /// reports skipped rows as affected, and other clashes not at all.
    pub fn insert_or_skip_counts(self) -> bool {
        self == Dialect::Mysql
    }

    /// The session variables mendb's own `insert_or_skip` counts in, as its
    /// `skipped` and `clashed`, where it counts (`insert_or_skip_counts`).
    pub fn skip_counters(self) -> (&'static str, &'static str) {
        ("@mendb_dup", "@mendb_other")
    }

    /// Zeroes the `skip_counters` before the statement that counts in them.
    pub fn reset_skip_counters(self) -> String {
        let (skipped, clashed) = self.skip_counters();
        format!("SET {skipped} = 0, {clashed} = 0")
    }

    /// Reads the `skip_counters` after it: one row, the rows skipped as
    /// existing keys, then the rows that clashed on another unique key.
    pub fn read_skip_counters(self) -> String {
        let (skipped, clashed) = self.skip_counters();
        format!("SELECT {skipped}, {clashed}")
    }

    /// The form of an UPDATE of `target` (alias `t`) from rows of `from`
    /// (alias `s`) it joins to, up to where the caller's own conditions
    /// follow: those come last, after the returned pieces.
    pub fn update_join(self, target: &str, t: &str, from: &str, s: &str) -> Vec<Piece<UpdateHole>> {
        match self {
            Dialect::Mysql => vec![
                Piece::Text(format!("UPDATE {target} {t} JOIN {from} {s} ON ")),
                Piece::Hole(UpdateHole::On),
                Piece::Text(" SET ".to_string()),
                Piece::Hole(UpdateHole::Set { qualified: true }),
                Piece::Text(" WHERE ".to_string()),
            ],
            Dialect::Postgres | Dialect::Sqlite => vec![
                Piece::Text(format!("UPDATE {target} AS {t} SET ")),
                Piece::Hole(UpdateHole::Set { qualified: false }),
                Piece::Text(format!(" FROM {from} AS {s} WHERE ")),
                Piece::Hole(UpdateHole::On),
                Piece::Text(" AND ".to_string()),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn each<T>(f: impl Fn(Dialect) -> T) -> [T; 3] {
        Dialect::ALL.map(f)
    }

    #[test]
    fn as_int_casts_where_the_driver_needs_it() {
        assert_eq!(
            each(|d| d.as_int("COUNT(*)")),
            [
                "CAST(COUNT(*) AS SIGNED)",
                "CAST(COUNT(*) AS BIGINT)",
                "COUNT(*)"
            ]
        );
    }

    #[test]
    fn as_text_casts_on_every_dialect() {
        assert_eq!(
            each(|d| d.as_text("k")),
            ["CAST(k AS CHAR)", "CAST(k AS TEXT)", "CAST(k AS TEXT)"]
        );
    }

    #[test]
    fn epoch_seconds_is_an_integer() {
        assert_eq!(
            each(|d| d.epoch_seconds("MIN(ts)")),
            [
                "CAST(FLOOR(UNIX_TIMESTAMP(MIN(ts))) AS SIGNED)",
                "CAST(FLOOR(date_part('epoch', MIN(ts))) AS BIGINT)",
                "CAST(strftime('%s', MIN(ts)) AS INTEGER)",
            ]
        );
    }

    #[test]
    fn epoch_bucket_divides_whole_seconds() {
        assert_eq!(
            each(|d| d.epoch_bucket("ts", 3600)),
            [
                "UNIX_TIMESTAMP(ts) DIV 3600",
                "CAST(FLOOR(date_part('epoch', ts) / 3600) AS BIGINT)",
                "CAST(strftime('%s', ts) AS INTEGER) / 3600",
            ]
        );
    }

    #[test]
    fn null_safe_differs_wraps_the_right_operand() {
        let written = each(|d| {
            let (before, after) = d.null_safe_differs("t.v");
            format!("{before}(x){after}")
        });
        assert_eq!(
            written,
            [
                "NOT (t.v <=> (x))",
                "t.v IS DISTINCT FROM (x)",
                "t.v IS NOT (x)"
            ]
        );
    }

    #[test]
    fn insert_or_skip_names_the_key_or_counts_clashes() {
        let key = ["a".to_string(), "b".to_string()];
        let [mysql, postgres, sqlite] = each(|d| d.insert_or_skip("dst", &key, "@dup", "@other"));
        assert_eq!(
            mysql,
            " ON DUPLICATE KEY UPDATE dst.a = IF(dst.a <=> VALUES(a) AND dst.b <=> VALUES(b), \
             IF((@dup := @dup + 1) IS NULL, NULL, dst.a), \
             IF((@other := @other + 1) IS NULL, NULL, dst.a))"
        );
        assert_eq!(postgres, " ON CONFLICT (a, b) DO NOTHING");
        assert_eq!(sqlite, postgres);
        assert_eq!(each(Dialect::insert_or_skip_counts), [true, false, false]);
        assert_eq!(each(Dialect::skipping_costs_extra), [false, true, false]);
    }

    #[test]
    fn skip_counters_are_zeroed_and_read_together() {
        let mysql = Dialect::Mysql;
        assert_eq!(
            mysql.reset_skip_counters(),
            "SET @mendb_dup = 0, @mendb_other = 0"
        );
        assert_eq!(
            mysql.read_skip_counters(),
            "SELECT @mendb_dup, @mendb_other"
        );
    }

    #[test]
    fn update_join_orders_its_holes_as_the_statement_reads() {
        let written = each(|d| {
            d.update_join("dst", "t", "src", "s")
                .into_iter()
                .map(|p| match p {
                    Piece::Text(text) => text,
                    Piece::Hole(UpdateHole::On) => "<on>".to_string(),
                    Piece::Hole(UpdateHole::Set { qualified }) => format!("<set {qualified}>"),
                })
                .collect::<String>()
        });
        assert_eq!(
            written,
            [
                "UPDATE dst t JOIN src s ON <on> SET <set true> WHERE ",
                "UPDATE dst AS t SET <set false> FROM src AS s WHERE <on> AND ",
                "UPDATE dst AS t SET <set false> FROM src AS s WHERE <on> AND ",
            ]
        );
    }
}
