//! SQL text laid out for a reviewer: each clause on a line of its own,
//! indented by how deep in parentheses it sits. Tokens come from the
//! lexer, so a string, a quoted name or a comment is never broken or
//! changed; runs of spaces and line breaks between tokens become one space.

use super::lexer::{Flavor, Kind, Lexer, Token};

/// Keywords that start a clause, first word and the words after it that
/// belong on its line (`GROUP BY`, `ON DUPLICATE KEY UPDATE`).
const CLAUSES: &[&[&str]] = &[
    &["WITH"],
    &["SELECT"],
    &["FROM"],
    &["LEFT", "JOIN"],
    &["RIGHT", "JOIN"],
    &["INNER", "JOIN"],
    &["CROSS", "JOIN"],
    &["FULL", "JOIN"],
    &["JOIN"],
    &["WHERE"],
    &["GROUP", "BY"],
    &["HAVING"],
    &["WINDOW"],
    &["ORDER", "BY"],
    &["LIMIT"],
    &["INSERT"],
    &["UPDATE"],
    &["DELETE"],
    &["SET"],
    &["VALUES"],
    &["ON", "DUPLICATE"],
    &["ON", "CONFLICT"],
    &["RETURNING"],
    &["UNION"],
    &["EXCEPT"],
    &["INTERSECT"],
];

/// Words after which a clause keyword is part of the phrase before it
/// (`LEFT JOIN`, `DO UPDATE SET`, `KEY UPDATE`, `PARTITION BY ... ORDER BY`
/// inside `OVER (...)` stays on its line through the parentheses rule).
const JOINED_AFTER: &[&str] = &[
    "LEFT", "RIGHT", "INNER", "CROSS", "FULL", "OUTER", "NATURAL", "KEY", "DO", "UNION", "ALL",
];

/// `sql` laid out one clause per line.
pub fn layout(sql: &str, flavor: Flavor) -> String {
    let tokens: Vec<Token<'_>> = Lexer::new(sql, flavor).collect();
    let mut out = String::new();
    // Open parentheses, each with whether a clause began inside it.
    let mut parens: Vec<bool> = Vec::new();
    let mut previous: Option<&Token<'_>> = None;
    let mut pending_space = false;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == Kind::Space {
            pending_space = !out.is_empty();
            continue;
        }
        let depth = parens.len();
        let starts_clause = t.kind == Kind::Word
            && is_clause_start(&tokens[i..])
            && !previous.is_some_and(|p| {
                JOINED_AFTER.iter().any(|w| p.is_word(w)) || p.is_punct('.')
            })
            // A window's `ORDER BY` inside `OVER (...)` stays inline.
            && !(depth > 0 && !parens[depth - 1] && !t.is_word("SELECT") && !t.is_word("WITH"));
        if starts_clause {
            if let Some(open) = parens.last_mut() {
                *open = true;
            }
            if !out.is_empty() {
                newline(&mut out, depth);
            }
        } else if t.is_punct(')') && parens.last() == Some(&true) {
            newline(&mut out, depth - 1);
        } else if pending_space && !t.is_punct(',') && !t.is_punct(')') && !after_open(previous) {
            out.push(' ');
        }
        pending_space = false;
        out.push_str(t.text);
        if t.is_punct('(') {
            parens.push(false);
        } else if t.is_punct(')') {
            parens.pop();
        }
        // A line comment runs to the end of its line: what follows starts
        // a new one.
        if t.kind == Kind::Comment && (t.text.starts_with("--") || t.text.starts_with('#')) {
            newline(&mut out, parens.len());
        }
        previous = Some(t);
    }
    out.trim_end().to_string()
}

fn after_open(previous: Option<&Token<'_>>) -> bool {
    previous.is_some_and(|p| p.is_punct('('))
}

fn newline(out: &mut String, depth: usize) {
    while out.ends_with(' ') {
        out.pop();
    }
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
}

/// Whether the significant words from the start of `tokens` spell a clause.
fn is_clause_start(tokens: &[Token<'_>]) -> bool {
    let words: Vec<&Token<'_>> = tokens
        .iter()
        .filter(|t| t.is_significant())
        .take(2)
        .collect();
    CLAUSES.iter().any(|clause| {
        clause.len() <= words.len()
            && clause
                .iter()
                .zip(&words)
                .all(|(keyword, t)| t.is_word(keyword))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_clause_goes_on_its_own_line() {
        let sql = "INSERT INTO t (a, b) SELECT x, y FROM s LEFT JOIN u ON u.id = s.id WHERE s.k > ? AND s.v = 'a  WHERE b' ORDER BY s.k LIMIT 10 ON DUPLICATE KEY UPDATE a = a";
        assert_eq!(
            layout(sql, Flavor::Mysql),
            "INSERT INTO t (a, b)\nSELECT x, y\nFROM s\nLEFT JOIN u ON u.id = s.id\nWHERE s.k > ? AND s.v = 'a  WHERE b'\nORDER BY s.k\nLIMIT 10\nON DUPLICATE KEY UPDATE a = a"
        );
    }

    #[test]
    fn a_subquery_is_indented_and_quotes_are_left_whole() {
        let sql = "UPDATE \"t\" SET \"from\" = 1 WHERE NOT EXISTS (SELECT 1 FROM \"order by\" o WHERE o.k = t.k)";
        assert_eq!(
            layout(sql, Flavor::Postgres),
            "UPDATE \"t\"\nSET \"from\" = 1\nWHERE NOT EXISTS (\n  SELECT 1\n  FROM \"order by\" o\n  WHERE o.k = t.k\n)"
        );
    }

    #[test]
    fn a_window_keeps_its_order_by_inline() {
        let sql = "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS n FROM t";
        assert_eq!(
            layout(sql, Flavor::Sqlite),
            "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS n\nFROM t"
        );
    }

    #[test]
    fn laying_out_changes_only_spaces() {
        let sql = "SELECT a,  'x\n  y' FROM t -- note\nWHERE b = $1";
        let laid = layout(sql, Flavor::Postgres);
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squash(&laid), squash(sql));
        assert!(laid.contains("'x\n  y'"));
    }
}
