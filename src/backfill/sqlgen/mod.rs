//! The SQL a backfill step runs, built from its plan: keyset predicates
//! for a chunk, the bound-finding query, and the statements of the `copy`,
//! `update` and `sql` actions. Values are bound, identifiers quoted; plan
//! expressions are SQL by design (reviewed files, checked by `preflight`).
//! The SQL that differs between dialects comes from `crate::db::Dialect`.
//!
//! `StepSql` and the binding of plan expressions are here, shared by every
//! builder; a statement under construction is `statement`, the keyset walk
//! `keyset`, the checks of plan SQL `probe`, the actions' statements
//! `actions`.

mod actions;
mod keyset;
mod probe;
mod statement;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use statement::{BoundValue, Shown, Sql};

use super::plan::{ParamKind, ParamValue, StepDef, param_refs};
use crate::db::{Dialect, ValueKind};

/// Everything the builders need about one step, resolved against the live
/// schema by `preflight`.
#[derive(Debug, Clone)]
pub struct StepSql<'p> {
    pub dialect: Dialect,
    pub def: &'p StepDef,
    /// Key columns with their kinds, in batch order.
    pub key: Vec<(String, ValueKind)>,
    pub params: &'p BTreeMap<String, ParamValue>,
    pub param_kinds: BTreeMap<String, ParamKind>,
    /// A copy step whose target has a unique key on exactly its match
    /// columns: the database skips existing keys itself.
    pub copy_upsert: bool,
    /// An update's source columns equal to the batch key, column by column
    /// (see `preflight`): the chunk's range is repeated over them.
    pub source_key: Option<Vec<String>>,
}

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
        self.q(self.def.batch.table.get_ref())
    }
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
