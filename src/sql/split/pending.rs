//! One statement being collected: where it starts and ends, and the block
//! nesting that decides whether a `;` ends it.

use super::{SplitError, Statement};
use crate::sql::lexer::{Flavor, Kind, Lexer, Token};

/// The statement being collected.
pub(super) struct Pending {
    flavor: Flavor,
    start: usize,
    /// End of the last significant token so far: trailing comments are not
    /// part of the statement.
    pub(super) end: usize,
    line: usize,
    /// Starts with `CREATE`: only then can it hold a routine body.
    create: bool,
    /// A `BEGIN` has been seen; from then on, routine keywords no longer
    /// decide anything (`CREATE TABLE ... begin ...` is not a routine).
    begun: bool,
    /// `BEGIN`/`CASE`/`END` nest: a routine on MySQL and SQLite, psql's
    /// `CREATE [OR REPLACE] FUNCTION/PROCEDURE` on PostgreSQL.
    routine: bool,
    depth: usize,
    /// Open parentheses (PostgreSQL: psql ends no statement inside them).
    parens: usize,
    /// First letters of the first four identifiers, as psql keeps them.
    initials: Vec<u8>,
    /// The previous word was `FROM` (for `COPY ... FROM stdin`).
    after_from: bool,
    from_stdin: bool,
}

impl Pending {
    pub(super) fn new(flavor: Flavor, first: &Token<'_>, line: usize) -> Self {
        Pending {
            flavor,
            start: first.start,
            end: first.end(),
            line,
            create: first.is_word("CREATE"),
            begun: false,
            routine: false,
            depth: 0,
            parens: 0,
            initials: Vec::new(),
            after_from: false,
            from_stdin: false,
        }
    }

    pub(super) fn may_end(&self) -> bool {
        self.depth == 0 && self.parens == 0
    }

    /// Tracks block nesting; `rest` is the lexer just after `tok`, so `END`
    /// can look at the word that follows it.
    pub(super) fn on_token(&mut self, tok: &Token<'_>, rest: &mut Lexer<'_>) {
        match self.flavor {
            Flavor::Postgres => self.on_postgres_token(tok),
            Flavor::Mysql | Flavor::Sqlite => {
                if tok.kind == Kind::Word {
                    self.on_word(tok.text, rest);
                }
            }
        }
    }

    /// psql's rules (psqlscan.l): parentheses nest, and in a statement whose
    /// first identifiers are `c[reate] f[unction]`/`p[rocedure]` (or
    /// `c o r f/p`), `BEGIN` and `CASE` open a block that `END` closes.
    fn on_postgres_token(&mut self, tok: &Token<'_>) {
        if tok.is_punct('(') {
            self.parens += 1;
        } else if tok.is_punct(')') {
            self.parens = self.parens.saturating_sub(1);
        }
        if tok.kind != Kind::Word || tok.text.as_bytes()[0].is_ascii_digit() {
            return;
        }
        let word = tok.text;
        if self.initials.len() < 4 {
            self.initials.push(word.as_bytes()[0].to_ascii_lowercase());
        }
        let i = &self.initials;
        let function_like = i.len() > 1
            && i[0] == b'c'
            && (matches!(i[1], b'f' | b'p')
                || (i[1] == b'o'
                    && i.get(2) == Some(&b'r')
                    && matches!(i.get(3), Some(b'f' | b'p'))));
        if word.eq_ignore_ascii_case("BEGIN") || word.eq_ignore_ascii_case("CASE") {
            if function_like {
                self.depth += 1;
            }
        } else if word.eq_ignore_ascii_case("END") {
            self.depth = self.depth.saturating_sub(1);
        }
        if self.after_from && word.eq_ignore_ascii_case("STDIN") && self.initials[0] == b'c' {
            self.from_stdin = true;
        }
        self.after_from = word.eq_ignore_ascii_case("FROM");
    }

    fn on_word(&mut self, word: &str, rest: &mut Lexer<'_>) {
        let is = |k: &str| word.eq_ignore_ascii_case(k);
        if self.create
            && !self.begun
            && ["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]
                .iter()
                .any(|k| is(k))
        {
            self.routine = true;
        }
        if is("BEGIN") {
            self.begun = true;
        }
        if !self.routine {
            return;
        }
        if is("BEGIN") || is("CASE") {
            self.depth += 1;
        } else if is("END") {
            let mut ahead = rest.clone();
            match ahead.find(Token::is_significant) {
                // IF/LOOP/WHILE/REPEAT openers are not counted, so neither are
                // their closers.
                Some(next)
                    if ["IF", "LOOP", "WHILE", "REPEAT"]
                        .iter()
                        .any(|k| next.is_word(k)) => {}
                // MySQL's `END CASE` closes one CASE; its CASE must not be
                // counted as an opener.
                Some(next) if next.is_word("CASE") => {
                    self.depth = self.depth.saturating_sub(1);
                    self.end = next.end();
                    *rest = ahead;
                }
                _ => self.depth = self.depth.saturating_sub(1),
            }
        }
    }

    pub(super) fn finish(self, sql: &str) -> Result<Statement, SplitError> {
        let raw = &sql[self.start..self.end];
        if self.from_stdin && raw.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("COPY")) {
            return Err(SplitError {
                line: self.line,
                problem: "COPY ... FROM stdin reads the rows that follow it in psql's input, which mendb does not run; dump with `pg_dump --inserts` or use INSERT statements".into(),
            });
        }
        let text = match self.flavor {
            // The mariadb client strips comments before sending (its default
            // --skip-comments), and routine bodies are stored as sent.
            Flavor::Mysql => Lexer::new(raw, Flavor::Mysql)
                .filter(|t| t.kind != Kind::Comment || t.executable)
                .map(|t| t.text)
                .collect::<String>(),
            Flavor::Postgres | Flavor::Sqlite => raw.to_string(),
        };
        Ok(Statement {
            // An unterminated `/*!` comment can end in whitespace.
            text: text.trim().to_string(),
            line: self.line,
        })
    }
}
