//! The SQL a backfill step runs, built from its plan: keyset predicates
//! for a chunk, the bound-finding query, and the statements of the `copy`,
//! `update` and `sql` actions. Values are bound, identifiers quoted; plan
//! expressions are SQL by design (reviewed files, checked by `preflight`).
//! The SQL that differs between dialects comes from `crate::db::Dialect`.
//! One file past 400 lines: every builder shares the keyset and binding
//! helpers of `StepSql`.

use std::collections::BTreeMap;

use super::plan::{Action, CopyDef, Order, ParamKind, ParamValue, StepDef, param_refs};
use crate::db::{Dialect, Param, Piece, UpdateHole, ValueKind};

/// A statement and its bound values, in placeholder order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    pub text: String,
    values: Vec<Value>,
}

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Int(i64),
}

impl Sql {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn bind(&mut self, dialect: Dialect, text: &str, kind: ValueKind) {
        let placeholder = dialect.param(self.values.len() + 1);
        match (kind, text.parse::<i64>()) {
            (ValueKind::Int, Ok(i)) => {
                self.values.push(Value::Int(i));
                self.text.push_str(&placeholder);
            }
            _ => {
                self.values.push(Value::Text(text.to_string()));
                self.text.push_str(&dialect.cast_param(&placeholder, kind));
            }
        }
    }

    pub fn params(&self) -> Vec<Param<'_>> {
        self.values
            .iter()
            .map(|v| match v {
                Value::Text(s) => Param::Text(s),
                Value::Int(i) => Param::Int(*i),
            })
            .collect()
    }
}

/// Everything the builders need about one step, resolved against the live
/// schema by `preflight`.
#[derive(Debug, Clone)]
pub struct StepSql<'p> {
    pub dialect: Dialect,
    pub step: &'p StepDef,
    /// Key columns with their kinds, in batch order.
    pub key: Vec<(String, ValueKind)>,
    pub params: &'p BTreeMap<String, ParamValue>,
    pub param_kinds: BTreeMap<String, ParamKind>,
    /// A copy step whose target has a unique key on exactly its match
    /// columns: the database skips existing keys itself.
    pub copy_upsert: bool,
}

/// Before a MySQL upsert copy: zero the counters it keeps.
pub const RESET_DUP_COUNTERS: &str = "SET @mendb_dup = 0, @mendb_other = 0";
/// After it: rows skipped as existing keys, and rows that clashed on a
/// unique key other than the match key.
pub const READ_DUP_COUNTERS: &str = "SELECT @mendb_dup, @mendb_other";

fn value_kind(kind: ParamKind) -> ValueKind {
    match kind {
        ParamKind::Timestamp => ValueKind::Timestamp,
        ParamKind::Date => ValueKind::Date,
        ParamKind::Int => ValueKind::Int,
        ParamKind::Float => ValueKind::Float,
        ParamKind::Text => ValueKind::Text,
    }
}

impl StepSql<'_> {
    fn q(&self, ident: &str) -> String {
        self.dialect.quote_ident(ident)
    }

    /// Appends `expr` with its `:param`s turned into bound values.
    fn push_expr(&self, sql: &mut Sql, expr: &str) {
        let refs = param_refs(expr);
        if refs.is_empty() {
            sql.push(expr);
            return;
        }
        // Walk the text again and replace each reference in order; param_refs
        // already skipped quotes and `::` casts, so a plain scan for the
        // same names in the same order is safe.
        let mut rest = expr;
        for name in refs {
            let needle = format!(":{name}");
            let Some(at) = find_param(rest, &needle) else {
                break;
            };
            sql.push(&rest[..at]);
            let value = self
                .params
                .get(&name)
                .map(ParamValue::to_text)
                .unwrap_or_default();
            let kind = self
                .param_kinds
                .get(&name)
                .copied()
                .map_or(ValueKind::Text, value_kind);
            sql.bind(self.dialect, &value, kind);
            rest = &rest[at + needle.len()..];
        }
        sql.push(rest);
    }

    fn batch_table(&self) -> String {
        self.q(self.step.batch.table.get_ref())
    }

    /// `key` strictly after `cursor` in batch order (`alias.` prefixed).
    fn push_after(&self, sql: &mut Sql, alias: &str, cursor: &[String]) {
        let op = match self.step.batch.order {
            Order::Asc => ">",
            Order::Desc => "<",
        };
        self.push_lexicographic(sql, alias, cursor, op, false);
    }

    /// `key` at or before `bound` in batch order.
    fn push_upto(&self, sql: &mut Sql, alias: &str, bound: &[String]) {
        let op = match self.step.batch.order {
            Order::Asc => "<",
            Order::Desc => ">",
        };
        self.push_lexicographic(sql, alias, bound, op, true);
    }

    /// (k1 op v1) OR (k1 = v1 AND k2 op v2) ... [OR all equal]; expanded
    /// rather than a row comparison, which some optimizers don't turn into
    /// an index range.
    fn push_lexicographic(
        &self,
        sql: &mut Sql,
        alias: &str,
        values: &[String],
        op: &str,
        or_equal: bool,
    ) {
        // Key values that do not fit the key (the executor refuses those
        // before it builds a chunk) restrict nothing: a wider chunk only
        // redoes work the action skips as done, a narrower one would lose
        // rows without a word.
        let pairs: Vec<(&(String, ValueKind), &String)> = self.key.iter().zip(values).collect();
        let Some(((first, kind), value)) = pairs
            .first()
            .copied()
            .filter(|_| values.len() == self.key.len())
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

    fn push_filter(&self, sql: &mut Sql) {
        match &self.step.batch.filter {
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
        if let Some(c) = cursor {
            sql.push(" AND ");
            self.push_after(sql, alias, c);
        }
        if let Some(b) = bound {
            sql.push(" AND ");
            self.push_upto(sql, alias, b);
        }
        sql.push(")");
    }

    fn direction(&self) -> &'static str {
        match self.step.batch.order {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
        }
    }

    fn order_by(&self) -> String {
        let dir = self.direction();
        self.key
            .iter()
            .map(|(c, _)| format!("t.{} {dir}", self.q(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `ORDER BY` terms over the key's `mendb_k{i}` aliases.
    fn key_order(&self, prefix: &str) -> String {
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

    /// `SELECT <exprs>` over no rows of the batching table (alias `t`, and
    /// `from` as `s` when given): makes the database check the expressions.
    pub fn probe(&self, exprs: &[&super::plan::Expr], from: Option<&str>) -> Sql {
        let mut sql = Sql::default();
        sql.push("SELECT ");
        for (i, e) in exprs.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            self.push_expr(&mut sql, e.for_dialect(self.dialect));
        }
        sql.push(&format!(" FROM {} t", self.batch_table()));
        if let Some(f) = from {
            sql.push(&format!(" CROSS JOIN {} s", self.q(f)));
        }
        sql.push(" WHERE 1 = 0");
        sql
    }

    /// The batch filter over no rows.
    pub fn probe_filter(&self) -> Sql {
        let mut sql = Sql::default();
        // The same context the filter runs in: in an update step the joined
        // table is there too, so an ambiguous column shows up here.
        sql.push(&format!("SELECT 1 FROM {} t", self.batch_table()));
        if let Action::Update(u) = self.step.action() {
            sql.push(&format!(" CROSS JOIN {} s", self.q(u.from.get_ref())));
        }
        sql.push(" WHERE 1 = 0 AND ");
        self.push_filter(&mut sql);
        sql
    }

    /// The table a copy step writes.
    pub fn copy_target(&self) -> Option<&str> {
        match self.step.action() {
            Action::Copy(c) => Some(c.into.get_ref()),
            _ => None,
        }
    }

    /// The target whose chunks must be written one at a time: a copy that
    /// skips existing rows by reading the target (no unique key does it)
    /// would not see a row another worker's open transaction is adding,
    /// and both would insert it. SQLite writes one at a time anyway.
    pub fn writes_one_at_a_time(&self) -> Option<&str> {
        match self.step.action() {
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
        match self.step.action() {
            Action::Copy(c) if self.copy_upsert => vec![self.copy_upsert(c, cursor, bound)],
            Action::Copy(c) => vec![self.copy_anti_join(c, cursor, bound)],
            Action::Update(u) => {
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
                sql.push(" AND (");
                append(&mut sql, &differs);
                sql.push(")");
                vec![sql]
            }
            Action::Sql(def) => def
                .for_dialect(self.dialect)
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
                .collect(),
        }
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
    fn copy_upsert(&self, c: &CopyDef, cursor: Option<&[String]>, bound: Option<&[String]>) -> Sql {
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
        let matched: Vec<String> = c
            .match_on
            .get_ref()
            .iter()
            .map(|m| self.q(m.get_ref()))
            .collect();
        // MySQL counts skipped rows, and clashes on another unique key, in
        // the variables RESET_DUP_COUNTERS zeroes; the executor turns a
        // clash into an error and a rollback.
        let skip = self
            .dialect
            .insert_or_skip(&into, &matched, "@mendb_dup", "@mendb_other");
        sql.push(&skip);
        sql
    }

    /// Copy into a target without a usable unique key: `ROW_NUMBER` picks
    /// the first row per match key within the chunk, an anti-join skips
    /// keys the target has.
    fn copy_anti_join(
        &self,
        c: &CopyDef,
        cursor: Option<&[String]>,
        bound: Option<&[String]>,
    ) -> Sql {
        let into = self.q(c.into.get_ref());
        let cols: Vec<String> = c.columns.keys().map(|k| self.q(k.get_ref())).collect();
        let mut sql = Sql::default();
        sql.push(&format!(
            "INSERT INTO {into} ({}) SELECT {} FROM (SELECT ",
            cols.join(", "),
            cols.iter()
                .map(|c| format!("mendb_src.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        self.push_copy_exprs(&mut sql, c);
        // Partition expressions repeat the column expressions; their
        // :params are bound again, in order.
        sql.push(", ROW_NUMBER() OVER (PARTITION BY ");
        for (i, m) in c.match_on.get_ref().iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let expr = c
                .columns
                .iter()
                .find(|(k, _)| k.get_ref() == m.get_ref())
                .map(|(_, e)| e.get_ref().for_dialect(self.dialect))
                .unwrap_or_default();
            sql.push("(");
            self.push_expr(&mut sql, expr);
            sql.push(")");
        }
        sql.push(&format!(" ORDER BY {}) AS mendb_rn", self.order_by()));
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
        let matched = c.match_on.get_ref();
        let on = matched
            .iter()
            .map(|m| format!("mendb_dst.{0} = mendb_src.{0}", self.q(m.get_ref())))
            .collect::<Vec<_>>()
            .join(" AND ");
        sql.push(&format!(
            ") mendb_src LEFT JOIN {into} mendb_dst ON {on} \
             WHERE mendb_src.mendb_rn = 1 AND mendb_dst.{} IS NULL ORDER BY {}",
            self.q(matched[0].get_ref()),
            self.key_order("mendb_src.mendb_k")
        ));
        sql
    }

    fn push_assignments(&self, sql: &mut Sql, u: &super::plan::UpdateDef, prefix: &str) {
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

/// Appends another statement's text and values, renumbering PostgreSQL
/// placeholders: builders number from 1, so the appended part is rebuilt.
fn append(sql: &mut Sql, part: &Sql) {
    if part.values.is_empty() {
        sql.push(&part.text);
        return;
    }
    let offset = sql.values.len();
    let mut text = part.text.clone();
    // Renumber from the highest so `$1` does not clobber `$10`.
    for i in (1..=part.values.len()).rev() {
        let from = format!("${i}");
        let to = format!("${}", i + offset);
        if from != to {
            text = replace_placeholder(&text, &from, &to);
        }
    }
    sql.text.push_str(&text);
    sql.values.extend(part.values.iter().cloned());
}

/// Replaces `$n` not followed by another digit.
fn replace_placeholder(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Position of `:name` that is a parameter (not inside quotes, not `::`).
fn find_param(text: &str, needle: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == b'\'' || c == b'"' || c == b'`' {
            quote = Some(c);
        } else if c == b':' && b.get(i + 1) == Some(&b':') {
            i += 2;
            continue;
        } else if text[i..].starts_with(needle) {
            let end = i + needle.len();
            if !b
                .get(end)
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'_')
            {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_renumber_without_clobbering() {
        let mut sql = Sql::default();
        for i in 0..10 {
            sql.bind(Dialect::Postgres, &i.to_string(), ValueKind::Int);
        }
        let mut part = Sql::default();
        part.bind(Dialect::Postgres, "a", ValueKind::Text);
        part.push(" ");
        part.bind(Dialect::Postgres, "b", ValueKind::Text);
        append(&mut sql, &part);
        assert!(sql.text.ends_with("$11 $12"), "{}", sql.text);
        assert_eq!(sql.params().len(), 12);
    }

    #[test]
    fn keys_that_do_not_fit_restrict_nothing_and_never_panic() {
        let plan = super::super::plan::Plan::parse(
            "t.toml",
            r#"name = "t"
[[steps]]
name = "s"
[steps.batch]
table = "src"
key = ["day", "id"]
[steps.update]
from = "other"
[steps.update.on]
id = "t.id"
[steps.update.set]
v = "s.v"
"#,
        )
        .unwrap();
        let params = BTreeMap::new();
        let step = StepSql {
            dialect: Dialect::Postgres,
            step: plan.def.steps[0].get_ref(),
            key: vec![
                ("day".into(), ValueKind::Date),
                ("id".into(), ValueKind::Int),
            ],
            params: &params,
            param_kinds: BTreeMap::new(),
            copy_upsert: false,
        };
        let short = vec!["2025-01-01".to_string()];
        let long = vec!["2025-01-01".to_string(), "1".into(), "2".into()];
        for keys in [&short, &long, &Vec::new()] {
            let sql = step.bound_query(Some(keys), 10);
            assert!(sql.text.contains("(1 = 1)"), "{}", sql.text);
            let action = step.action(Some(keys), Some(keys));
            assert!(!action[0].text.contains("\"day\" <"), "{}", action[0].text);
        }
        let fits = vec!["2025-01-01".to_string(), "1".into()];
        assert!(
            step.bound_query(Some(&fits), 10)
                .text
                .contains("t.\"id\" >")
        );
    }

    #[test]
    fn finds_params_outside_quotes() {
        assert_eq!(
            find_param("x = ':since' AND y >= :since", ":since"),
            Some(22)
        );
        assert_eq!(find_param("a::since", ":since"), None);
        assert_eq!(find_param(":sinceX", ":since"), None);
    }
}
