//! The statements that apply a step's action to one chunk: `copy` as an
//! upsert or an anti-join, `update` through a join, `sql` as written with
//! the chunk put in; and what the executor must know about how they write.

use super::statement::append;
use super::{Sql, StepSql};
use crate::backfill::plan::{Action, CopyDef, SqlDef, UpdateDef};
use crate::db::{Piece, UpdateHole};

impl StepSql<'_> {
    /// The table a copy step writes.
    pub fn copy_target(&self) -> Option<&str> {
        match self.def.action() {
            Action::Copy(c) => Some(c.into.get_ref()),
            _ => None,
        }
    }

    /// The target whose chunks must be written one at a time: a copy that
    /// skips existing rows by reading the target (no unique key does it)
    /// would not see a row another worker's open transaction is adding,
    /// and both would insert it. SQLite writes one at a time anyway.
    pub fn writes_one_at_a_time(&self) -> Option<&str> {
        match self.def.action() {
            Action::Copy(c) if !self.copy_upsert && !self.dialect.one_writer_at_a_time() => {
                Some(c.into.get_ref())
            }
            _ => None,
        }
    }

    /// Whether the chunk's write must be wrapped in the duplicate
    /// counters: a MySQL upsert reports skipped rows as affected.
    pub fn counts_duplicates(&self) -> bool {
        self.copy_upsert && self.dialect.insert_or_skip_counts()
    }

    /// The statements that apply the step's action to one chunk.
    pub fn action(&self, cursor: Option<&[String]>, bound: Option<&[String]>) -> Vec<Sql> {
        match self.def.action() {
            Action::Copy(c) if self.copy_upsert => vec![self.copy_upsert(c, cursor, bound, true)],
            Action::Copy(c) => vec![self.copy_anti_join(c, cursor, bound)],
            Action::Update(u) => vec![self.update(u, cursor, bound)],
            Action::Sql(s) => self.plan_statements(s, cursor, bound),
        }
    }

    /// A copy's chunk as a plain insert that skips nothing, where the
    /// upsert costs more than that (`Dialect::skipping_costs_extra`): the
    /// executor tries it first, inside a savepoint, and falls back to the
    /// upsert when a key exists. None where there is no upsert to spare.
    pub fn plain_copy(&self, cursor: Option<&[String]>, bound: Option<&[String]>) -> Option<Sql> {
        match self.def.action() {
            Action::Copy(c) if self.copy_upsert && self.dialect.skipping_costs_extra() => {
                Some(self.copy_upsert(c, cursor, bound, false))
            }
            _ => None,
        }
    }

    fn update(&self, u: &UpdateDef, cursor: Option<&[String]>, bound: Option<&[String]>) -> Sql {
        let target = self.batch_table();
        let from = self.q(u.from.get_ref());
        let mut join = Sql::default();
        for (i, (col, expr)) in u.on.iter().enumerate() {
            if i > 0 {
                join.push(" AND ");
            }
            join.push(&format!("s.{} = ", self.q(col.get_ref())));
            self.push_expr(&mut join, expr.get_ref().for_dialect(self.dialect));
        }
        // Only rows whose value would change: a rerun writes nothing.
        let mut differs = Sql::default();
        for (i, (col, expr)) in u.set.iter().enumerate() {
            if i > 0 {
                differs.push(" OR ");
            }
            let c = format!("t.{}", self.q(col.get_ref()));
            let (before, after) = self.dialect.null_safe_differs(&c);
            differs.push(&before);
            differs.push("(");
            self.push_expr(&mut differs, expr.get_ref().for_dialect(self.dialect));
            differs.push(")");
            differs.push(after);
        }
        let mut sql = Sql::default();
        for piece in self.dialect.update_join(&target, "t", &from, "s") {
            match piece {
                Piece::Text(text) => sql.push(&text),
                Piece::Hole(UpdateHole::On) => append(&mut sql, &join),
                Piece::Hole(UpdateHole::Set { qualified }) => {
                    self.push_assignments(&mut sql, u, if qualified { "t." } else { "" });
                }
            }
        }
        self.push_chunk(&mut sql, "t.", cursor, bound);
        // PostgreSQL does not carry the chunk's range across `s.id = t.id`:
        // without it, each chunk hash-joined a scan of the whole source,
        // a cost that grows with the table (545-637 ms for a 60,000-row
        // chunk of a 1,000,000-row source).
        if let Some(cols) = &self.source_key {
            self.push_range_on(&mut sql, "s.", cols, cursor, bound);
        }
        sql.push(" AND (");
        append(&mut sql, &differs);
        sql.push(")");
        sql
    }

    /// A `sql` step's statements for this dialect, `{chunk}` replaced by
    /// the chunk's predicate.
    fn plan_statements(
        &self,
        s: &SqlDef,
        cursor: Option<&[String]>,
        bound: Option<&[String]>,
    ) -> Vec<Sql> {
        s.for_dialect(self.dialect)
            .iter()
            .map(|stmt| {
                let stmt = stmt.get_ref();
                let mut chunk = Sql::default();
                self.push_chunk(&mut chunk, "", cursor, bound);
                let (before, after) = stmt.split_once("{chunk}").unwrap_or((stmt, ""));
                let mut sql = Sql::default();
                self.push_expr(&mut sql, before);
                append(&mut sql, &chunk);
                self.push_expr(&mut sql, after);
                sql
            })
            .collect()
    }

    fn copy_columns(&self, c: &CopyDef) -> String {
        c.columns
            .keys()
            .map(|k| self.q(k.get_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `<expr> AS "col", ...` for every copied column.
    fn push_copy_exprs(&self, sql: &mut Sql, c: &CopyDef) {
        for (i, (col, expr)) in c.columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            self.push_expr(sql, expr.get_ref().for_dialect(self.dialect));
            sql.push(&format!(" AS {}", self.q(col.get_ref())));
        }
    }

    /// Copy where the target has a unique key on exactly the match
    /// columns: rows go in batch order and the database skips those whose
    /// key exists, including a key an earlier row of the same chunk wrote,
    /// so the first in batch order wins. One pass, no lookup of our own.
    /// Without `skip`, the same insert fails on an existing key instead.
    fn copy_upsert(
        &self,
        c: &CopyDef,
        cursor: Option<&[String]>,
        bound: Option<&[String]>,
        skip: bool,
    ) -> Sql {
        let into = self.q(c.into.get_ref());
        let mut sql = Sql::default();
        sql.push(&format!(
            "INSERT INTO {into} ({}) SELECT ",
            self.copy_columns(c)
        ));
        self.push_copy_exprs(&mut sql, c);
        sql.push(&format!(" FROM {} t WHERE ", self.batch_table()));
        self.push_chunk(&mut sql, "t.", cursor, bound);
        sql.push(&format!(" ORDER BY {}", self.order_by()));
        if !skip {
            return sql;
        }
        let matched = self.match_columns(c);
        // MySQL counts skipped rows, and clashes on another unique key, in
        // the variables `Dialect::reset_skip_counters` zeroes; the executor
        // turns a clash into an error and a rollback.
        let (skipped, clashed) = self.dialect.skip_counters();
        let skip = self
            .dialect
            .insert_or_skip(&into, &matched, skipped, clashed);
        sql.push(&skip);
        sql
    }

    /// Copy into a target without a usable unique key: an anti-join keeps
    /// the chunk's rows whose key the target lacks, then `ROW_NUMBER` picks
    /// the first of those per match key. Filtering by key first gives the
    /// same rows (whether a key is in the target does not depend on which
    /// row carries it) and leaves the window only the missing rows to
    /// sort: on PostgreSQL, sorting a whole 60,000-row chunk for it took a
    /// third of the chunk's time.
    fn copy_anti_join(
        &self,
        c: &CopyDef,
        cursor: Option<&[String]>,
        bound: Option<&[String]>,
    ) -> Sql {
        let into = self.q(c.into.get_ref());
        let cols: Vec<String> = c.columns.keys().map(|k| self.q(k.get_ref())).collect();
        let keys: Vec<String> = (0..self.key.len()).map(|i| format!("mendb_k{i}")).collect();
        let matched = self.match_columns(c);
        let mut sql = Sql::default();
        sql.push(&format!(
            "INSERT INTO {into} ({}) SELECT {} FROM (SELECT {}, {}, ROW_NUMBER() OVER (PARTITION BY {} ORDER BY {}) AS mendb_rn FROM (SELECT ",
            cols.join(", "),
            qualified("mendb_new", &cols),
            qualified("mendb_src", &cols),
            qualified("mendb_src", &keys),
            qualified("mendb_src", &matched),
            self.key_order("mendb_src.mendb_k"),
        ));
        // The plan's expressions are evaluated alone over the batch table,
        // where their unqualified names can only mean its columns.
        self.push_copy_exprs(&mut sql, c);
        // The batch key travels along so rows can be inserted in key
        // order: out of order, a clustered target (InnoDB) splits pages
        // and ends up about twice its size; in order, ids the target
        // assigns itself follow the source's order too.
        for (i, (col, _)) in self.key.iter().enumerate() {
            sql.push(&format!(", t.{} AS mendb_k{i}", self.q(col)));
        }
        sql.push(&format!(" FROM {} t WHERE ", self.batch_table()));
        self.push_chunk(&mut sql, "t.", cursor, bound);
        // A LEFT JOIN rather than NOT EXISTS: MariaDB runs NOT EXISTS as a
        // dependent subquery per row, about a third slower. The join
        // demands equal match values, so a NULL first match column on the
        // target side means no target row has the key.
        let on = matched
            .iter()
            .map(|m| format!("mendb_dst.{m} = mendb_src.{m}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        sql.push(&format!(
            ") mendb_src LEFT JOIN {into} mendb_dst ON {on} WHERE mendb_dst.{} IS NULL) mendb_new \
             WHERE mendb_new.mendb_rn = 1 ORDER BY {}",
            matched[0],
            self.key_order("mendb_new.mendb_k")
        ));
        sql
    }

    /// The copy's match columns, quoted.
    fn match_columns(&self, c: &CopyDef) -> Vec<String> {
        c.match_on
            .get_ref()
            .iter()
            .map(|m| self.q(m.get_ref()))
            .collect()
    }

    fn push_assignments(&self, sql: &mut Sql, u: &UpdateDef, prefix: &str) {
        for (i, (col, expr)) in u.set.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push(&format!("{prefix}{} = ", self.q(col.get_ref())));
            self.push_expr(sql, expr.get_ref().for_dialect(self.dialect));
        }
        // Sessions run in UTC (Dialect::session_setup), so this is UTC on
        // all three; only rows the WHERE found changed get here.
        for col in &u.touch {
            sql.push(&format!(
                ", {prefix}{} = CURRENT_TIMESTAMP",
                self.q(col.get_ref())
            ));
        }
    }
}

/// `alias.col, ...` for each of `cols`.
fn qualified(alias: &str, cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
