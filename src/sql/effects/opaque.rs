//! Statements whose effects no pattern can know: dynamic SQL, procedure
//! calls, anonymous blocks, and calls of functions that are not built in.

use super::Opaque;
use super::builtins::{BUILTIN_FUNCTIONS, NOT_CALLS};
use super::cursor::unquote_identifier;
use crate::sql::lexer::{Flavor, Kind, Token};

/// Whether the statement's effects are beyond reading; `None` also for
/// every statement the patterns above recognise.
pub(super) fn opaque(tokens: &[Token<'_>], flavor: Flavor) -> Option<Opaque> {
    // SQLite has no procedures and no dynamic SQL, and a connection of
    // mendb's registers no functions: only built-ins can be called.
    if flavor == Flavor::Sqlite {
        return None;
    }
    let first = tokens.first()?;
    let at = |i: usize, k: &str| tokens.get(i).is_some_and(|t| t.is_word(k));
    if first.is_word("CALL") {
        return Some(Opaque::ProcedureCall);
    }
    if first.is_word("EXECUTE") {
        return Some(Opaque::DynamicSql);
    }
    if flavor == Flavor::Postgres && first.is_word("DO") {
        return Some(Opaque::DoBlock);
    }
    if flavor == Flavor::Mysql && first.is_word("BEGIN") && at(1, "NOT") && at(2, "ATOMIC") {
        return Some(Opaque::AnonymousBlock);
    }
    // The statements that can call a function: MySQL's `DO` is one.
    let queries: &[&str] = match flavor {
        Flavor::Mysql => &["SELECT", "VALUES", "WITH", "DO", "SET"],
        _ => &["SELECT", "VALUES", "WITH"],
    };
    if queries.iter().any(|k| first.is_word(k)) || first.is_punct('(') {
        user_function(tokens, flavor)
    } else {
        None
    }
}

/// The first call of a function that is not built in, if any.
fn user_function(tokens: &[Token<'_>], flavor: Flavor) -> Option<Opaque> {
    for (i, t) in tokens.iter().enumerate() {
        if !tokens.get(i + 1).is_some_and(|n| n.is_punct('(')) {
            continue;
        }
        let name = match t.kind {
            Kind::Word => t.text,
            Kind::Quoted if unquote_identifier(t.text, flavor).is_some() => t.text,
            _ => continue,
        };
        let before = |back: usize| i.checked_sub(back).and_then(|j| tokens.get(j));
        if before(1).is_some_and(|p| p.is_punct('.')) {
            // PostgreSQL's own functions live in pg_catalog.
            if flavor == Flavor::Postgres && before(2).is_some_and(|q| q.is_word("pg_catalog")) {
                continue;
            }
            let qualifier = before(2).map(|q| q.text).unwrap_or_default();
            return Some(Opaque::FunctionCall(format!("{qualifier}.{name}()")));
        }
        let listed = |list: &[&str]| list.iter().any(|k| name.eq_ignore_ascii_case(k));
        let is_type = before(1).is_some_and(|p| p.is_word("AS") || p.is_punct(':'));
        if t.kind == Kind::Word
            && (listed(NOT_CALLS)
                || listed(BUILTIN_FUNCTIONS)
                || name.starts_with(|c: char| c.is_ascii_digit()))
            || is_type
            || cte_columns(tokens, i + 1)
        {
            continue;
        }
        return Some(Opaque::FunctionCall(format!("{name}()")));
    }
    None
}

/// Whether the `(` at `open` holds a CTE's column list:
/// `WITH t (a, b) AS (...)`.
fn cte_columns(tokens: &[Token<'_>], open: usize) -> bool {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                let next = |k: usize| tokens.get(i + k);
                return next(1).is_some_and(|t| t.is_word("AS"))
                    && next(2).is_some_and(|t| {
                        t.is_punct('(') || t.is_word("MATERIALIZED") || t.is_word("NOT")
                    });
            }
        }
    }
    false
}
