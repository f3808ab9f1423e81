//! The lines a native client acts on itself instead of sending them.

use super::{SplitError, line_of};
use crate::sql::lexer::{Flavor, Token, line_end};

/// A line the native client acts on itself instead of sending it.
pub(super) enum Command {
    /// `DELIMITER x`: statements end at `x` from the next line on.
    Delimiter { to: String, next: usize },
    /// A client command that changes nothing mendb does.
    Skip { next: usize },
}

/// Recognises the client commands a file can hold at `tok`: the `mariadb`
/// client's `DELIMITER` (first on its line, between statements), and
/// backslash commands of `mariadb` and psql, which are refused but for
/// pg_dump's `\restrict` guard lines.
pub(super) fn client_command(
    sql: &str,
    tok: &Token<'_>,
    flavor: Flavor,
    between: bool,
) -> Result<Option<Command>, SplitError> {
    let b = sql.as_bytes();
    let eol = line_end(b, tok.start);
    let refuse = |problem: String| {
        Err(SplitError {
            line: line_of(sql, tok.start),
            problem,
        })
    };
    match flavor {
        Flavor::Mysql if between && tok.is_word("DELIMITER") && at_line_start(b, tok.start) => {
            let rest = &sql[tok.end()..eol];
            let arg = rest.trim_start_matches([' ', '\t']);
            if arg.len() == rest.len() && !rest.is_empty() {
                // `delimiterx`: a word that only starts like the command.
                return Ok(None);
            }
            let to = match arg.chars().next() {
                Some(q @ ('\'' | '"' | '`')) => arg[1..].split(q).next().unwrap_or_default(),
                _ => arg.split([' ', '\t', '\r']).next().unwrap_or_default(),
            };
            if to.is_empty() {
                return refuse(
                    "DELIMITER must be followed by a delimiter character or string".into(),
                );
            }
            if to.contains('\\') {
                return refuse(format!(
                    "DELIMITER `{to}` contains a backslash, which the client does not allow"
                ));
            }
            Ok(Some(Command::Delimiter {
                to: to.to_string(),
                next: eol,
            }))
        }
        Flavor::Mysql if tok.is_punct('\\') => match b.get(tok.end()) {
            Some(c) if c.is_ascii_alphabetic() && *c != b'N' || *c == b'.' => refuse(format!(
                "`\\{}` is a command of the mariadb client, not SQL; mendb sends SQL only (end statements with the delimiter)",
                *c as char
            )),
            _ => Ok(None),
        },
        Flavor::Postgres if tok.is_punct('\\') => {
            let command = sql[tok.end()..eol]
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or_default();
            if command == "restrict" || command == "unrestrict" {
                // pg_dump's guard against meta-commands in the dump; mendb
                // runs none.
                return Ok(Some(Command::Skip { next: eol }));
            }
            refuse(format!(
                "`\\{command}` is a psql meta-command, not SQL; mendb sends SQL only"
            ))
        }
        Flavor::Sqlite if between && tok.is_punct('.') && at_line_start(b, tok.start) => {
            refuse(format!(
                "`{}` is a sqlite3 shell command, not SQL; mendb sends SQL only",
                sql[tok.start..eol].trim_end()
            ))
        }
        _ => Ok(None),
    }
}

/// Whether only spaces and tabs stand between the line's start and `pos`.
fn at_line_start(b: &[u8], pos: usize) -> bool {
    b[..pos]
        .iter()
        .rev()
        .take_while(|&&c| c != b'\n')
        .all(|&c| c == b' ' || c == b'\t')
}
