//! How catalog text is made comparable: which objects a read keeps, and
//! the cleaning of definitions, types and generated-column notes so that
//! two databases holding the same schema describe it alike. Pure text
//! work; no queries.

use super::is_internal;

/// What the readers filter and clean with.
pub(super) struct Reading {
    pub(super) include_internal: bool,
    /// MySQL qualifies names in view definitions with the database's own
    /// name, PostgreSQL the table of a trigger or rule with the schema's;
    /// two databases with the same schema must compare equal.
    pub(super) own_prefix: Option<String>,
}

impl Reading {
    pub(super) fn keep(&self, name: &str) -> bool {
        self.include_internal || !is_internal(name)
    }

    pub(super) fn clean(&self, text: &str) -> String {
        let text = normalize_space(text);
        match &self.own_prefix {
            Some(p) => strip_qualifier(&text, p),
            None => text,
        }
    }
}

/// `text` without `prefix` where it starts a qualified name, not where it
/// ends a longer one (`public.` in `public.film`, not in `mypublic.film`).
fn strip_qualifier(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back().or(out.chars().next_back());
        let joined = before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        out.push_str(&rest[..at]);
        if joined {
            out.push_str(prefix);
        }
        rest = &rest[at + prefix.len()..];
    }
    out.push_str(rest);
    out
}

pub(super) fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercase, except inside single-quoted strings and double-quoted
/// names: ENUM and SET values keep their case, which is part of what the
/// column stores, and so do PostgreSQL type names that had to be quoted.
fn lowercase_outside_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            // A doubled quote closes and reopens the string, which leaves
            // the state as it was.
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// `int(11)` -> `int`, `bigint(20) unsigned` -> `bigint unsigned`: MySQL
/// 8 dropped integer display widths and MariaDB still shows them; they
/// change nothing about the values a column holds.
pub(super) fn normalize_type(raw: &str) -> String {
    let lower = normalize_space(&lowercase_outside_quotes(raw));
    const INTEGERS: [&str; 6] = [
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "integer",
        "bigint",
    ];
    if let Some((base, rest)) = lower.split_once('(')
        && INTEGERS.contains(&base)
        && let Some((width, tail)) = rest.split_once(')')
        && width.chars().all(|c| c.is_ascii_digit())
        // tinyint(1) is how MySQL spells BOOLEAN; keep it apart.
        && !(base == "tinyint" && width == "1")
    {
        return format!("{base}{tail}");
    }
    lower
}

/// MySQL's EXTRA, without the words that only say a default is an
/// expression. A generation expression after the colon keeps its case.
pub(super) fn normalize_extra(raw: &str) -> Option<String> {
    let (words, expression) = match raw.split_once(": ") {
        Some((w, e)) => (w, Some(e)),
        None => (raw, None),
    };
    let words = words
        .to_ascii_lowercase()
        .replace("default_generated", "")
        .trim()
        .to_string();
    let words = normalize_space(&words);
    match expression {
        Some(e) => Some(format!("{words}: {}", normalize_space(e))),
        None => (!words.is_empty()).then_some(words),
    }
}

/// The WHERE clause of a partial index: PostgreSQL gives it alone, SQLite
/// only within the CREATE INDEX text.
pub(super) fn partial_predicate(text: &str) -> String {
    let upper = text.to_ascii_uppercase();
    let clause = match upper.rfind(" WHERE ") {
        Some(at) => &text[at + " WHERE ".len()..],
        None => text,
    };
    normalize_space(clause.trim().trim_end_matches(';'))
}
