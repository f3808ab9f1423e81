//! Splitting SQL text into statements, on the tokens of `super::lexer`.
//!
//! Splitting follows what each database's own client does with a file
//! (`mariadb < file`, `psql -f file`, `sqlite3 db < file`): the `mariadb`
//! client's `DELIMITER` command and its removal of comments, psql's
//! parenthesis and `BEGIN ATOMIC` rules. Text those clients would reject, or would run
//! differently than mendb can (client commands, `COPY ... FROM stdin`,
//! unterminated quotes and comments, NUL bytes), is refused with its line.
//!
//! [`command`] reads the client commands a file can hold, [`pending`]
//! assembles one statement and tracks the blocks a `;` cannot end.

mod command;
mod pending;
#[cfg(test)]
mod tests;

use super::lexer::{Flavor, Kind, Lexer, Token};
use crate::position::line_of;
use command::{Command, client_command};
use pending::Pending;

/// One statement of a SQL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement text as the native client sends it: trimmed, without
    /// the delimiter. It runs from the first to the last token that is not
    /// a comment; on MySQL/MariaDB comments inside it are removed too, as
    /// the `mariadb` client does (executable `/*! ... */` comments stay).
    pub text: String,
    /// 1-based line in the file where the statement's first non-blank,
    /// non-comment character is.
    pub line: usize,
}

/// Text the native client would not run as mendb would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct SplitError {
    pub line: usize,
    pub problem: String,
}

/// Splits SQL text (a whole migration file) into statements.
///
/// Statements end at the delimiter outside quotes and comments: `;`, or on
/// MySQL/MariaDB whatever a `DELIMITER` line set (the line itself is not a
/// statement). Statements that hold only whitespace and comments are
/// dropped; a last statement without a delimiter is kept.
///
/// With `;` as the delimiter, a `;` inside `BEGIN ... END` of a routine does
/// not end it: on MySQL and SQLite in `CREATE TRIGGER/PROCEDURE/FUNCTION/
/// EVENT` (nested `BEGIN`/`CASE` blocks tracked), on PostgreSQL as psql
/// decides (`CREATE [OR REPLACE] FUNCTION/PROCEDURE ... BEGIN ATOMIC`, and
/// any `;` inside parentheses).
pub fn split_statements(sql: &str, flavor: Flavor) -> Result<Vec<Statement>, SplitError> {
    if let Some(at) = sql.find('\0') {
        return Err(SplitError {
            line: line_of(sql, at),
            problem: "NUL byte (\\0): SQL text cannot hold one".into(),
        });
    }
    let mut out = Vec::new();
    let mut lines = LineCounter::new(sql);
    let mut lexer = Lexer::new(sql, flavor);
    let mut delimiter = String::from(";");
    let mut pending: Option<Pending> = None;
    while let Some(tok) = lexer.next() {
        if let Some(what) = tok.unterminated {
            return Err(SplitError {
                line: line_of(sql, tok.start),
                problem: format!("unterminated {what}: it runs to the end of the file"),
            });
        }
        match client_command(sql, &tok, flavor, pending.is_none())? {
            Some(Command::Delimiter { to, next }) => {
                delimiter = to;
                lexer.pos = next;
                continue;
            }
            Some(Command::Skip { next }) => {
                lexer.pos = next;
                continue;
            }
            None => {}
        }
        if !tok.is_significant() {
            continue;
        }
        if delimiter != ";" {
            if let Some(at) = find_delimiter(sql, &tok, &delimiter) {
                if at > tok.start {
                    let p = pending.get_or_insert_with(|| {
                        Pending::new(flavor, &tok, lines.line_at(tok.start))
                    });
                    p.end = at;
                }
                if let Some(p) = pending.take() {
                    out.push(p.finish(sql)?);
                }
                lexer.pos = at + delimiter.len();
                continue;
            }
        } else if tok.is_punct(';') && pending.as_ref().is_none_or(Pending::may_end) {
            if let Some(p) = pending.take() {
                out.push(p.finish(sql)?);
            }
            continue;
        }
        let p = pending.get_or_insert_with(|| Pending::new(flavor, &tok, lines.line_at(tok.start)));
        p.end = tok.end();
        if delimiter == ";" {
            p.on_token(&tok, &mut lexer);
        }
    }
    if let Some(p) = pending {
        out.push(p.finish(sql)?);
    }
    Ok(out)
}

/// Where a custom delimiter starts inside `tok`, matched byte by byte as the
/// client does, so `END$$` ends at `$$` and `;;` spans two tokens.
fn find_delimiter(sql: &str, tok: &Token<'_>, delimiter: &str) -> Option<usize> {
    if !matches!(tok.kind, Kind::Word | Kind::Punct) {
        return None;
    }
    (tok.start..tok.end()).find(|&i| sql.is_char_boundary(i) && sql[i..].starts_with(delimiter))
}

/// Turns byte offsets into line numbers, for offsets that only grow.
struct LineCounter<'a> {
    bytes: &'a [u8],
    counted: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(sql: &'a str) -> Self {
        LineCounter {
            bytes: sql.as_bytes(),
            counted: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, pos: usize) -> usize {
        let newly = self.bytes.get(self.counted..pos).unwrap_or_default();
        self.line += newly.iter().filter(|&&b| b == b'\n').count();
        self.counted = self.counted.max(pos);
        self.line
    }
}
