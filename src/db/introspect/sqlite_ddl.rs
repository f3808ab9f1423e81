//! What SQLite keeps only in the CREATE text it stores: check constraints,
//! column collations, generation expressions, table options, the
//! expressions of an index. A small reader of that text; SQLite itself
//! wrote it, so it parsed once already.

use std::collections::BTreeMap;

use super::normalize::normalize_space;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A bare word: a keyword or an unquoted name.
    Word,
    /// `"name"`, `` `name` `` or `[name]`.
    Quoted,
    /// `'text'`
    Text,
    Open,
    Close,
    Comma,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// The stored CREATE text as words, quoted names, strings, parentheses
/// and commas; long because each quoting form SQLite accepts is a case.
fn tokens(sql: &str) -> Vec<Token> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = match c {
            _ if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                continue;
            }
            b'\'' | b'"' | b'`' | b'[' => {
                let close = if c == b'[' { b']' } else { c };
                i += 1;
                loop {
                    match b.get(i) {
                        None => break,
                        // A doubled quote is the quote itself.
                        Some(&x) if x == close && close != b']' && b.get(i + 1) == Some(&close) => {
                            i += 2
                        }
                        Some(&x) if x == close => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                if c == b'\'' { Kind::Text } else { Kind::Quoted }
            }
            b'(' => {
                i += 1;
                Kind::Open
            }
            b')' => {
                i += 1;
                Kind::Close
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] >= 0x80
                        || b[i] == b'$')
                {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                i += 1;
                Kind::Other
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

fn is_word(sql: &str, t: &Token, word: &str) -> bool {
    t.kind == Kind::Word && sql[t.start..t.end].eq_ignore_ascii_case(word)
}

/// A name as SQLite reads it: unquoted.
fn name(sql: &str, t: &Token) -> String {
    let s = &sql[t.start..t.end];
    match t.kind {
        Kind::Quoted if s.len() >= 2 => {
            let q = &s[..1];
            let inner = &s[1..s.len() - 1];
            if q == "[" {
                inner.to_string()
            } else {
                inner.replace(&format!("{q}{q}"), q)
            }
        }
        _ => s.to_string(),
    }
}

/// The index of the `)` that closes the `(` at `open`.
fn closing(toks: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// The source text between the `(` at `open` and its `)`.
fn inside(sql: &str, toks: &[Token], open: usize) -> (String, usize) {
    let close = closing(toks, open);
    let from = toks[open].end;
    let to = toks.get(close).map_or(sql.len(), |t| t.start);
    (normalize_space(&sql[from..to]), close)
}

/// The items of the first parenthesized list, split at its own commas:
/// token ranges.
fn list_items(toks: &[Token]) -> (Vec<(usize, usize)>, usize) {
    let Some(open) = toks.iter().position(|t| t.kind == Kind::Open) else {
        return (Vec::new(), toks.len());
    };
    let close = closing(toks, open);
    let mut items = Vec::new();
    let mut depth = 0;
    let mut from = open + 1;
    let end = close.min(toks.len());
    for (i, t) in toks.iter().enumerate().take(end).skip(open + 1) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Comma if depth == 0 => {
                items.push((from, i));
                from = i + 1;
            }
            _ => {}
        }
    }
    if from < close {
        items.push((from, close.min(toks.len())));
    }
    (items, close)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnDdl {
    pub collation: Option<String>,
    /// The expression of a generated column.
    pub generated: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableDdl {
    /// By lowercase column name, as SQLite matches names.
    pub columns: BTreeMap<String, ColumnDdl>,
    /// Name and `CHECK (...)`: a named constraint by its name, a column's
    /// unnamed check by the column's name, a table's unnamed checks as
    /// `check_1`, `check_2`... in their order.
    pub checks: Vec<(String, String)>,
    /// `WITHOUT ROWID`, `STRICT`.
    pub options: Option<String>,
}

const TABLE_CONSTRAINTS: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

pub fn parse_create_table(sql: &str) -> TableDdl {
    let toks = tokens(sql);
    let (items, close) = list_items(&toks);
    let mut out = TableDdl::default();
    let mut unnamed = 0;
    for (from, to) in items {
        let def = &toks[from..to];
        let Some(first) = def.first() else {
            continue;
        };
        let is_constraint = TABLE_CONSTRAINTS.iter().any(|w| is_word(sql, first, w));
        let column = (!is_constraint).then(|| name(sql, first));
        let mut pending: Option<String> = None;
        let mut ddl = ColumnDdl::default();
        let mut i = usize::from(column.is_some());
        while i < def.len() {
            let t = &def[i];
            if t.kind == Kind::Open {
                i = closing(def, i) + 1;
                continue;
            }
            if is_word(sql, t, "CONSTRAINT") && i + 1 < def.len() {
                pending = Some(name(sql, &def[i + 1]));
                i += 2;
                continue;
            }
            let opens = def.get(i + 1).is_some_and(|n| n.kind == Kind::Open);
            if is_word(sql, t, "CHECK") && opens {
                let (clause, end) = inside(sql, def, i + 1);
                let name = match (pending.take(), &column) {
                    (Some(n), _) => n,
                    (None, Some(c)) => c.clone(),
                    (None, None) => {
                        unnamed += 1;
                        format!("check_{unnamed}")
                    }
                };
                out.checks.push((name, format!("CHECK ({clause})")));
                i = end + 1;
                continue;
            }
            if is_word(sql, t, "AS") && opens && column.is_some() {
                let (expr, end) = inside(sql, def, i + 1);
                ddl.generated = Some(expr);
                i = end + 1;
                continue;
            }
            if is_word(sql, t, "COLLATE") && i + 1 < def.len() && column.is_some() {
                ddl.collation = Some(name(sql, &def[i + 1]));
                i += 2;
                continue;
            }
            i += 1;
        }
        if let Some(c) = column {
            out.columns.insert(c.to_ascii_lowercase(), ddl);
        }
    }
    let tail: Vec<String> = toks
        .iter()
        .skip(close + 1)
        .map(|t| match t.kind {
            Kind::Comma => ",".to_string(),
            _ => sql[t.start..t.end].to_ascii_uppercase(),
        })
        .filter(|w| w != ";")
        .collect();
    let options = tail.join(" ").replace(" ,", ",");
    out.options = (!options.is_empty()).then_some(options);
    out
}

/// The key items of a `CREATE INDEX`, as written, in their order.
pub fn index_items(sql: &str) -> Vec<String> {
    let toks = tokens(sql);
    let (items, _) = list_items(&toks);
    items
        .into_iter()
        .map(|(from, to)| normalize_space(&sql[toks[from].start..toks[to - 1].end]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_checks_collations_generated_columns_and_options() {
        let t = parse_create_table(
            "CREATE TABLE film (id INTEGER PRIMARY KEY, \
             title TEXT COLLATE NOCASE CHECK (length(title) > 0), \
             \"Price\" REAL DEFAULT (1.5) CONSTRAINT price_positive CHECK (\"Price\" >= 0), \
             total REAL GENERATED ALWAYS AS (\"Price\" * 2) STORED, -- a comment, with a comma\n\
             v REAL AS (\"Price\"+1), \
             CONSTRAINT film_title CHECK (title <> 'a, (b)'), \
             CHECK (total   >= 0), UNIQUE (title)) STRICT, WITHOUT ROWID;",
        );
        assert_eq!(
            t.checks,
            [
                ("title".into(), "CHECK (length(title) > 0)".into()),
                ("price_positive".into(), "CHECK (\"Price\" >= 0)".into()),
                ("film_title".into(), "CHECK (title <> 'a, (b)')".into()),
                ("check_1".into(), "CHECK (total >= 0)".into()),
            ]
        );
        assert_eq!(t.columns["title"].collation.as_deref(), Some("NOCASE"));
        assert_eq!(
            t.columns["total"].generated.as_deref(),
            Some("\"Price\" * 2")
        );
        assert_eq!(t.columns["v"].generated.as_deref(), Some("\"Price\"+1"));
        assert_eq!(t.columns["price"], ColumnDdl::default());
        assert_eq!(t.options.as_deref(), Some("STRICT, WITHOUT ROWID"));
        assert_eq!(
            parse_create_table("CREATE TABLE [a b] (x)"),
            TableDdl {
                columns: [("x".to_string(), ColumnDdl::default())].into(),
                ..TableDdl::default()
            }
        );
    }

    #[test]
    fn reads_index_items() {
        assert_eq!(
            index_items("CREATE INDEX i ON t (lower(a), b DESC, substr(c, 1, 2)) WHERE a > 0"),
            ["lower(a)", "b DESC", "substr(c, 1, 2)"]
        );
    }
}
