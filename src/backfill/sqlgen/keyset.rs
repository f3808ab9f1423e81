//! The keyset walk: a chunk's predicate (the batch filter, after the
//! cursor, up to the bound), the order of the batch key, and the queries
//! that find a chunk's bound and what remains.

use super::{Sql, StepSql};
use crate::backfill::plan::Order;
use crate::db::ValueKind;

/// Columns the keyset walk compares, with the key's kinds.
type KeyColumns = [(String, ValueKind)];

impl StepSql<'_> {
    /// `cols` strictly after `cursor` in batch order (`alias.` prefixed).
    fn push_after(&self, sql: &mut Sql, alias: &str, cols: &KeyColumns, cursor: &[String]) {
        let op = match self.def.batch.order {
            Order::Asc => ">",
            Order::Desc => "<",
        };
        self.push_lexicographic(sql, alias, cols, cursor, op, false);
    }

    /// `cols` at or before `bound` in batch order.
    fn push_upto(&self, sql: &mut Sql, alias: &str, cols: &KeyColumns, bound: &[String]) {
        let op = match self.def.batch.order {
            Order::Asc => "<",
            Order::Desc => ">",
        };
        self.push_lexicographic(sql, alias, cols, bound, op, true);
    }

    /// (k1 op v1) OR (k1 = v1 AND k2 op v2) ... [OR all equal]; expanded
    /// rather than a row comparison, which some optimizers don't turn into
    /// an index range.
    fn push_lexicographic(
        &self,
        sql: &mut Sql,
        alias: &str,
        cols: &KeyColumns,
        values: &[String],
        op: &str,
        or_equal: bool,
    ) {
        // Key values that do not fit the key (the executor refuses those
        // before it builds a chunk) restrict nothing: a wider chunk only
        // redoes work the action skips as done, a narrower one would lose
        // rows without a word.
        let pairs: Vec<(&(String, ValueKind), &String)> = cols.iter().zip(values).collect();
        let Some(((first, kind), value)) = pairs
            .first()
            .copied()
            .filter(|_| values.len() == cols.len())
        else {
            sql.push("(1 = 1)");
            return;
        };
        // A plain range on the first key column comes first: it is what
        // lets every optimizer start the index scan at the cursor.
        sql.push(&format!("({alias}{} {op}= ", self.q(first)));
        sql.bind(self.dialect, value, *kind);
        sql.push(" AND ");
        sql.push("(");
        let n = pairs.len();
        for i in 0..n + usize::from(or_equal) {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(");
            for (j, ((col, kind), value)) in pairs.iter().take(i.min(n)).enumerate() {
                if j > 0 {
                    sql.push(" AND ");
                }
                sql.push(&format!("{alias}{} = ", self.q(col)));
                sql.bind(self.dialect, value, *kind);
            }
            if let Some(((col, kind), value)) = pairs.get(i) {
                if i > 0 {
                    sql.push(" AND ");
                }
                sql.push(&format!("{alias}{} {op} ", self.q(col)));
                sql.bind(self.dialect, value, *kind);
            }
            sql.push(")");
        }
        sql.push("))");
    }

    pub(super) fn push_filter(&self, sql: &mut Sql) {
        match &self.def.batch.filter {
            Some(f) => {
                sql.push("(");
                self.push_expr(sql, f.get_ref().for_dialect(self.dialect));
                sql.push(")");
            }
            None => sql.push("1 = 1"),
        }
    }

    /// The chunk: after `cursor` (if any) and up to `bound` (if any).
    pub fn push_chunk(
        &self,
        sql: &mut Sql,
        alias: &str,
        cursor: Option<&[String]>,
        bound: Option<&[String]>,
    ) {
        sql.push("(");
        self.push_filter(sql);
        self.push_range(sql, alias, &self.key, cursor, bound);
        sql.push(")");
    }

    /// ` AND` after `cursor` (if any) ` AND` up to `bound` (if any), over
    /// `cols`.
    fn push_range(
        &self,
        sql: &mut Sql,
        alias: &str,
        cols: &KeyColumns,
        cursor: Option<&[String]>,
        bound: Option<&[String]>,
    ) {
        if let Some(c) = cursor {
            sql.push(" AND ");
            self.push_after(sql, alias, cols, c);
        }
        if let Some(b) = bound {
            sql.push(" AND ");
            self.push_upto(sql, alias, cols, b);
        }
    }

    /// The chunk's key range once more, over columns of another table
    /// that equal the key's column by column (`cols`, in key order):
    /// redundant, but a planner that does not carry a range across an
    /// equality then reads only the chunk's rows of that table.
    pub(super) fn push_range_on(
        &self,
        sql: &mut Sql,
        alias: &str,
        cols: &[String],
        cursor: Option<&[String]>,
        bound: Option<&[String]>,
    ) {
        let cols: Vec<(String, ValueKind)> = cols
            .iter()
            .zip(&self.key)
            .map(|(c, (_, kind))| (c.clone(), *kind))
            .collect();
        self.push_range(sql, alias, &cols, cursor, bound);
    }

    fn direction(&self) -> &'static str {
        match self.def.batch.order {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
        }
    }

    pub(super) fn order_by(&self) -> String {
        let dir = self.direction();
        self.key
            .iter()
            .map(|(c, _)| format!("t.{} {dir}", self.q(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `ORDER BY` terms over the key's `mendb_k{i}` aliases.
    pub(super) fn key_order(&self, prefix: &str) -> String {
        let dir = self.direction();
        (0..self.key.len())
            .map(|i| format!("{prefix}{i} {dir}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The key of the `size`-th row after `cursor`: the chunk's last key.
    /// Scans `size` index entries from the cursor, never from the start.
    pub fn bound_query(&self, cursor: Option<&[String]>, size: u64) -> Sql {
        let mut sql = Sql::default();
        // Aliased, so ORDER BY sorts the typed column, not its text (which
        // PostgreSQL would pick by name) and an index can serve it.
        let cols: Vec<String> = self
            .key
            .iter()
            .enumerate()
            .map(|(i, (c, _))| {
                format!(
                    "{} AS mendb_k{i}",
                    self.dialect.as_text(&format!("t.{}", self.q(c)))
                )
            })
            .collect();
        sql.push(&format!(
            "SELECT {} FROM {} t WHERE ",
            cols.join(", "),
            self.batch_table()
        ));
        self.push_chunk(&mut sql, "t.", cursor, None);
        // The offset is bound like the cursor: one statement text for every
        // chunk, prepared once per connection.
        sql.push(&format!(" ORDER BY {} LIMIT 1 OFFSET ", self.order_by()));
        sql.bind(
            self.dialect,
            &size.saturating_sub(1).to_string(),
            ValueKind::Int,
        );
        sql
    }

    /// The rows after `cursor`, for counting or estimating what remains
    /// (progress and dry runs).
    pub fn remaining_query(&self, cursor: Option<&[String]>) -> Sql {
        let mut sql = Sql::default();
        sql.push(&format!("SELECT 1 FROM {} t WHERE ", self.batch_table()));
        self.push_chunk(&mut sql, "t.", cursor, None);
        sql
    }
}
