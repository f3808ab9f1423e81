//! Transaction control written in a migration file. PostgreSQL and SQLite
//! migrations already run in a transaction of mendb's, so a file's own
//! `BEGIN ... COMMIT` frame (as `sqlite3 .dump` and many hand-written
//! files have) is the same unit and can go; any other `COMMIT`, `ROLLBACK`
//! or `BEGIN` would end or nest mendb's transaction and must be refused.

use super::lexer::{Flavor, Kind, Lexer};
use super::split::Statement;

/// The frame statements to drop, or the statement (1-based position and
/// what it is) that cannot run inside mendb's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// No transaction control at all.
    None,
    /// `BEGIN` at position `begin` and `COMMIT` as the last statement: the
    /// migration's own transaction, spelled out.
    Frame {
        begin: usize,
        commit: usize,
    },
    Refused {
        index: usize,
        what: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    /// A plain `BEGIN`/`START TRANSACTION` (SQLite: with DEFERRED, IMMEDIATE
    /// or EXCLUSIVE, which only choose when its lock is taken).
    Begin,
    /// `BEGIN` with options that change what the transaction is
    /// (PostgreSQL's isolation level, read only...).
    BeginWithOptions,
    Commit,
    Other,
}

fn words(text: &str, flavor: Flavor) -> Vec<String> {
    Lexer::new(text, flavor)
        .filter(|t| t.kind == Kind::Word)
        .take(4)
        .map(|t| t.text.to_ascii_uppercase())
        .collect()
}

fn control(text: &str, flavor: Flavor) -> Option<Control> {
    let w = words(text, flavor);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let noise = |rest: &[&str]| rest.iter().all(|x| matches!(*x, "TRANSACTION" | "WORK"));
    match w.as_slice() {
        ["BEGIN", rest @ ..] if noise(rest) => Some(Control::Begin),
        ["BEGIN", "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE", rest @ ..]
            if flavor == Flavor::Sqlite && noise(rest) =>
        {
            Some(Control::Begin)
        }
        ["START", "TRANSACTION"] => Some(Control::Begin),
        ["BEGIN", ..] | ["START", "TRANSACTION", ..] => Some(Control::BeginWithOptions),
        ["COMMIT" | "END", rest @ ..] if noise(rest) => Some(Control::Commit),
        // ROLLBACK TO SAVEPOINT stays inside the transaction.
        ["ROLLBACK", rest @ ..] if !rest.contains(&"TO") => Some(Control::Other),
        ["ABORT", ..] | ["COMMIT", "PREPARED", ..] | ["PREPARE", "TRANSACTION", ..] => {
            Some(Control::Other)
        }
        ["ROLLBACK", "PREPARED", ..] => Some(Control::Other),
        _ => None,
    }
}

/// How a PostgreSQL or SQLite file's own transaction control fits into the
/// transaction mendb runs it in.
pub fn framing(statements: &[Statement], flavor: Flavor) -> Framing {
    let controls: Vec<(usize, Control)> = statements
        .iter()
        .enumerate()
        .filter_map(|(i, s)| control(&s.text, flavor).map(|c| (i + 1, c)))
        .collect();
    let last = statements.len();
    match controls.as_slice() {
        [] => Framing::None,
        [(begin, Control::Begin), (commit, Control::Commit)] if *commit == last => Framing::Frame {
            begin: *begin,
            commit: *commit,
        },
        _ => {
            // After an opening BEGIN, the next control statement is the one
            // that does not fit.
            let (index, c) = match controls.as_slice() {
                [(_, Control::Begin), next, ..] => *next,
                _ => controls[0],
            };
            let what = match c {
                Control::BeginWithOptions => "a BEGIN with transaction options",
                Control::Begin => "a BEGIN not closed by a COMMIT at the end of the file",
                Control::Commit => "a COMMIT that does not end the file",
                Control::Other => "a ROLLBACK or two-phase commit",
            };
            Framing::Refused {
                index,
                what: what.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::split_statements;

    fn frame(sql: &str, flavor: Flavor) -> Framing {
        framing(&split_statements(sql, flavor).unwrap(), flavor)
    }

    #[test]
    fn a_frame_around_the_file_is_its_transaction() {
        for (sql, flavor) in [
            (
                "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t (a);\nCOMMIT;\n",
                Flavor::Sqlite,
            ),
            ("BEGIN;\nCREATE TABLE t (a int);\nEND;", Flavor::Postgres),
            (
                "START TRANSACTION;\nCREATE TABLE t (a int);\nCOMMIT WORK;",
                Flavor::Postgres,
            ),
            (
                "BEGIN IMMEDIATE;\nCREATE TABLE t (a);\nEND TRANSACTION;",
                Flavor::Sqlite,
            ),
        ] {
            assert!(matches!(frame(sql, flavor), Framing::Frame { .. }), "{sql}");
        }
        let routine =
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nSELECT 1;";
        assert_eq!(frame(routine, Flavor::Postgres), Framing::None);
        assert_eq!(
            frame(
                "BEGIN;\nCREATE TABLE t (a);\nROLLBACK TO SAVEPOINT x;\nCOMMIT;",
                Flavor::Sqlite
            ),
            Framing::Frame {
                begin: 1,
                commit: 4
            }
        );
    }

    #[test]
    fn other_transaction_control_is_refused_with_its_position() {
        for (sql, index) in [
            (
                "CREATE TABLE a (x int);\nCOMMIT;\nCREATE TABLE b (x int);",
                2,
            ),
            ("BEGIN;\nCREATE TABLE a (x int);", 1),
            ("CREATE TABLE a (x int);\nROLLBACK;", 2),
            ("BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;", 1),
            ("BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;", 3),
        ] {
            match frame(sql, Flavor::Postgres) {
                Framing::Refused { index: i, .. } => assert_eq!(i, index, "{sql}"),
                other => panic!("{sql}: {other:?}"),
            }
        }
    }
}
