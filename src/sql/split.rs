//! Splitting SQL text into statements, and the small lexer behind it.
//!
//! The lexer knows just enough of the MySQL/MariaDB, PostgreSQL and SQLite
//! lexical rules (quotes, dollar quotes, comments) to tell a `;` that ends a
//! statement from one that is data; `effects` reuses it. Splitting follows
//! what each database's own client does with a file (`mariadb < file`,
//! `psql -f file`, `sqlite3 db < file`): the `mariadb` client's `DELIMITER`
//! command and its removal of comments, psql's parenthesis and
//! `BEGIN ATOMIC` rules. Text those clients would reject, or would run
//! differently than mendb can (client commands, `COPY ... FROM stdin`,
//! unterminated quotes and comments, NUL bytes), is refused with its line.

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

/// Lexical rules that differ between dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// MySQL/MariaDB: `#` and `-- ` start comments, `\` escapes a quote
    /// inside `'...'` and `"..."`, `/*! ... */` comments are executed.
    #[default]
    Mysql,
    /// PostgreSQL: `#` is an operator, `\` an ordinary character except in
    /// `E'...'` strings, `$tag$` quotes bodies and block comments nest.
    Postgres,
    /// SQLite: `#` and `\` are ordinary characters; no dollar quotes;
    /// `[name]` quotes an identifier.
    Sqlite,
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

/// A line the native client acts on itself instead of sending it.
enum Command {
    /// `DELIMITER x`: statements end at `x` from the next line on.
    Delimiter { to: String, next: usize },
    /// A client command that changes nothing mendb does.
    Skip { next: usize },
}

/// Recognises the client commands a file can hold at `tok`: the `mariadb`
/// client's `DELIMITER` (first on its line, between statements), and
/// backslash commands of `mariadb` and psql, which are refused but for
/// pg_dump's `\restrict` guard lines.
fn client_command(
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

/// Where a custom delimiter starts inside `tok`, matched byte by byte as the
/// client does, so `END$$` ends at `$$` and `;;` spans two tokens.
fn find_delimiter(sql: &str, tok: &Token<'_>, delimiter: &str) -> Option<usize> {
    if !matches!(tok.kind, Kind::Word | Kind::Punct) {
        return None;
    }
    (tok.start..tok.end()).find(|&i| sql.is_char_boundary(i) && sql[i..].starts_with(delimiter))
}

fn line_of(sql: &str, pos: usize) -> usize {
    1 + sql.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// The statement being collected.
struct Pending {
    flavor: Flavor,
    start: usize,
    /// End of the last significant token so far: trailing comments are not
    /// part of the statement.
    end: usize,
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
    fn new(flavor: Flavor, first: &Token<'_>, line: usize) -> Self {
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

    fn may_end(&self) -> bool {
        self.depth == 0 && self.parens == 0
    }

    /// Tracks block nesting; `rest` is the lexer just after `tok`, so `END`
    /// can look at the word that follows it.
    fn on_token(&mut self, tok: &Token<'_>, rest: &mut Lexer<'_>) {
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

    fn finish(self, sql: &str) -> Result<Statement, SplitError> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Space,
    Comment,
    /// An identifier or keyword, or a number.
    Word,
    /// A string, quoted identifier or dollar-quoted body, quotes included.
    Quoted,
    /// Any other single ASCII character.
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
    /// Byte offset in the lexed text.
    pub(super) start: usize,
    /// A MySQL executable comment (`/*! ... */`, MariaDB's `/*M! ... */`),
    /// which the server runs.
    pub(super) executable: bool,
    /// What the token is if it never closes (a string, a comment...).
    pub(super) unterminated: Option<&'static str>,
}

impl Token<'_> {
    fn end(&self) -> usize {
        self.start + self.text.len()
    }

    pub(super) fn is_word(&self, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    pub(super) fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.starts_with(c)
    }

    /// Whether the token is SQL rather than layout. MySQL executable
    /// comments count as SQL because the server runs them.
    pub(super) fn is_significant(&self) -> bool {
        match self.kind {
            Kind::Space => false,
            Kind::Comment => self.executable,
            _ => true,
        }
    }
}

/// Splits text into tokens, covering every byte. Unterminated quotes and
/// comments run to the end of the text and say so in `unterminated`.
#[derive(Debug, Clone)]
pub(super) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    flavor: Flavor,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str, flavor: Flavor) -> Self {
        Lexer {
            src,
            pos: 0,
            flavor,
        }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let b = self.src.as_bytes();
        let start = self.pos;
        let first = *b.get(start)?;
        let second = b.get(start + 1).copied();
        let mysql = self.flavor == Flavor::Mysql;
        let mut executable = false;
        // Every token ends just after an ASCII byte or at the end of the
        // text, so slicing `src` below stays on char boundaries.
        let ((kind, end), unterminated) = match first {
            // MySQL needs a space or control character after `--`
            // (`SELECT 8--1` is 9).
            b'-' if second == Some(b'-')
                && (!mysql || b.get(start + 2).is_none_or(|&c| c <= b' ')) =>
            {
                ((Kind::Comment, line_end(b, start)), None)
            }
            b'#' if mysql => ((Kind::Comment, line_end(b, start)), None),
            b'/' if second == Some(b'*') => {
                executable =
                    mysql && (b[start..].starts_with(b"/*!") || b[start..].starts_with(b"/*M!"));
                let nests = self.flavor == Flavor::Postgres;
                let (end, closed) = comment_end(b, start, nests);
                (
                    (Kind::Comment, end),
                    (!closed).then_some("block comment `/*`"),
                )
            }
            b'\'' | b'"' => {
                let (end, closed) = quote_end(b, start, mysql);
                let what = if first == b'\'' {
                    "string `'`"
                } else {
                    "quoted name or string `\"`"
                };
                ((Kind::Quoted, end), (!closed).then_some(what))
            }
            b'`' if self.flavor != Flavor::Postgres => {
                let (end, closed) = quote_end(b, start, false);
                (
                    (Kind::Quoted, end),
                    (!closed).then_some("quoted name `` ` ``"),
                )
            }
            b'[' if self.flavor == Flavor::Sqlite => {
                let (end, closed) =
                    find(b, start + 1, b"]").map_or((b.len(), false), |i| (i + 1, true));
                ((Kind::Quoted, end), (!closed).then_some("quoted name `[`"))
            }
            // PostgreSQL's escape strings: E'it\'s'.
            b'E' | b'e' if self.flavor == Flavor::Postgres && second == Some(b'\'') => {
                let (end, closed) = quote_end(b, start + 1, true);
                ((Kind::Quoted, end), (!closed).then_some("string `E'`"))
            }
            // Only PostgreSQL quotes with dollars; `$$` is a common MySQL
            // DELIMITER, and `$` is part of names everywhere.
            b'$' if self.flavor == Flavor::Postgres => match dollar_tag_end(b, start) {
                Some(open_end) => {
                    let tag = &b[start..open_end];
                    let (end, closed) =
                        find(b, open_end, tag).map_or((b.len(), false), |i| (i + tag.len(), true));
                    (
                        (Kind::Quoted, end),
                        (!closed).then_some("dollar-quoted string"),
                    )
                }
                None => ((Kind::Punct, start + 1), None),
            },
            c if c.is_ascii_whitespace() || c == 0x0b => {
                let end = scan(b, start, |c| c.is_ascii_whitespace() || c == 0x0b);
                ((Kind::Space, end), None)
            }
            // A byte order mark at the start of a file is layout, not a word.
            _ if b[start..].starts_with("\u{feff}".as_bytes()) => ((Kind::Space, start + 3), None),
            c if is_word_byte(c) => ((Kind::Word, scan(b, start, is_word_byte)), None),
            _ => ((Kind::Punct, start + 1), None),
        };
        self.pos = end;
        Some(Token {
            kind,
            text: &self.src[start..end],
            start,
            executable,
            unterminated,
        })
    }
}

/// Identifier characters. `$` is one (PostgreSQL and MySQL allow it inside
/// names), so a `$` only opens a dollar quote where a word can't go on.
/// Non-ASCII bytes count as letters.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn scan(b: &[u8], start: usize, keep: impl Fn(u8) -> bool) -> usize {
    b[start..]
        .iter()
        .position(|&c| !keep(c))
        .map_or(b.len(), |i| start + i)
}

fn line_end(b: &[u8], start: usize) -> usize {
    scan(b, start, |c| c != b'\n')
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = b.get(from..)?;
    hay.windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// End of a `/* ... */` comment and whether it closes; PostgreSQL's nest.
fn comment_end(b: &[u8], start: usize, nests: bool) -> (usize, bool) {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' && (nests || depth == 0) {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return (i, true);
            }
        } else {
            i += 1;
        }
    }
    (b.len(), false)
}

/// End of a `'`, `"` or `` ` `` quoted token and whether it closes. A
/// doubled quote character does not end it; with `escapes`, neither does a
/// backslash-escaped one.
fn quote_end(b: &[u8], start: usize, escapes: bool) -> (usize, bool) {
    let quote = b[start];
    let mut i = start + 1;
    while let Some(&c) = b.get(i) {
        if c == quote {
            if b.get(i + 1) != Some(&quote) {
                return (i + 1, true);
            }
            i += 2;
        } else if c == b'\\' && escapes {
            i += 2;
        } else {
            i += 1;
        }
    }
    (b.len(), false)
}

/// If a PostgreSQL dollar quote (`$$` or `$tag$`) opens at `start`, where
/// its opening delimiter ends. `$1` is a positional parameter instead.
fn dollar_tag_end(b: &[u8], start: usize) -> Option<usize> {
    let tag_start = start + 1;
    if b.get(tag_start).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let tag_end = scan(b, tag_start, |c| c != b'$' && is_word_byte(c));
    (b.get(tag_end) == Some(&b'$')).then_some(tag_end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts the exact `(line, text)` of every statement.
    fn check(sql: &str, expected: &[(usize, &str)]) {
        check_in(Flavor::Mysql, sql, expected);
    }

    fn check_in(flavor: Flavor, sql: &str, expected: &[(usize, &str)]) {
        let got = split_statements(sql, flavor).unwrap();
        let got: Vec<(usize, &str)> = got.iter().map(|s| (s.line, s.text.as_str())).collect();
        assert_eq!(got, expected, "splitting {sql:?}");
    }

    #[test]
    fn splits_on_semicolons_and_keeps_last_statement_without_one() {
        check(
            "CREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);  INSERT INTO a VALUES (2)\n",
            &[
                (1, "CREATE TABLE a (id INT)"),
                (2, "INSERT INTO a VALUES (1)"),
                (2, "INSERT INTO a VALUES (2)"),
            ],
        );
    }

    #[test]
    fn empty_and_comment_only_statements_are_dropped() {
        check("", &[]);
        check(" \n\t", &[]);
        check(";; -- nothing\n ; /* still nothing */ ;\n# bye", &[]);
        check(
            "SELECT 1;;\n;SELECT 2;",
            &[(1, "SELECT 1"), (2, "SELECT 2")],
        );
    }

    #[test]
    fn quotes_hide_semicolons_and_comment_markers() {
        check(
            "INSERT INTO notes VALUES ('a;b', 'c -- d', '/* e', \"f;g\", `h;i`, 'j # k');\nSELECT 2;",
            &[
                (
                    1,
                    "INSERT INTO notes VALUES ('a;b', 'c -- d', '/* e', \"f;g\", `h;i`, 'j # k')",
                ),
                (2, "SELECT 2"),
            ],
        );
    }

    #[test]
    fn doubled_and_backslash_escaped_quotes_do_not_end_strings() {
        check(
            "INSERT INTO t VALUES ('it''s; ok', 'it\\'s; ok', \"a\"\";b\");\nSELECT `we``ird;` FROM t;",
            &[
                (
                    1,
                    "INSERT INTO t VALUES ('it''s; ok', 'it\\'s; ok', \"a\"\";b\")",
                ),
                (2, "SELECT `we``ird;` FROM t"),
            ],
        );
        // An escaped backslash does not escape the closing quote.
        check(
            "INSERT INTO paths VALUES ('C:\\\\');SELECT 1;",
            &[(1, "INSERT INTO paths VALUES ('C:\\\\')"), (1, "SELECT 1")],
        );
    }

    #[test]
    fn comments_hide_semicolons() {
        check(
            "-- first; not a statement\nSELECT 1; /* ; */ SELECT 2;\n# MySQL; comment\nSELECT 3;",
            &[(2, "SELECT 1"), (2, "SELECT 2"), (4, "SELECT 3")],
        );
    }

    #[test]
    fn comments_inside_a_statement_stay_and_trailing_ones_go() {
        let sql =
            "SELECT a, -- the key; really\n  b /* ; */ FROM t -- done\n;\nSELECT 2 /* trailing */";
        check_in(
            Flavor::Postgres,
            sql,
            &[
                (1, "SELECT a, -- the key; really\n  b /* ; */ FROM t"),
                (4, "SELECT 2"),
            ],
        );
        // The mariadb client removes comments before sending, and stored
        // routine bodies keep what it sent.
        check(sql, &[(1, "SELECT a, \n  b  FROM t"), (4, "SELECT 2")]);
    }

    #[test]
    fn line_numbers_skip_leading_comments_and_blank_lines() {
        let sql = "/* Migration 0007\n * adds trades;\n * and candles\n */\n\nCREATE TABLE trades (id BIGINT);\n\n-- candles; hourly\n-- more\nCREATE TABLE candles (\n  id BIGINT\n);\n";
        check(
            sql,
            &[
                (6, "CREATE TABLE trades (id BIGINT)"),
                (10, "CREATE TABLE candles (\n  id BIGINT\n)"),
            ],
        );
    }

    #[test]
    fn crlf_input() {
        check(
            "CREATE TABLE a (\r\n  id INT\r\n);\r\n-- gone;\r\nDROP TABLE b;\r\n\r\nSELECT 'x\r\ny'\r\n",
            &[
                (1, "CREATE TABLE a (\r\n  id INT\r\n)"),
                (5, "DROP TABLE b"),
                (7, "SELECT 'x\r\ny'"),
            ],
        );
    }

    #[test]
    fn mysql_trigger_with_if_end_if() {
        let trigger = "\
CREATE TRIGGER trades_bi BEFORE INSERT ON trades FOR EACH ROW
BEGIN
  IF NEW.price IS NULL THEN
    SET NEW.price = 0;
  ELSEIF NEW.price < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative; price';
  END IF;
END";
        check(
            &format!("{trigger};\nINSERT INTO trades (price) VALUES (1);\n"),
            &[(1, trigger), (9, "INSERT INTO trades (price) VALUES (1)")],
        );
    }

    #[test]
    fn mysql_procedure_with_loops_and_case_statements() {
        let body = "\
CREATE DEFINER=`root`@`localhost` PROCEDURE backfill(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  WHILE i < n DO SET i = i + 1; END WHILE;
  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;
  l: LOOP LEAVE l; END LOOP l;
  CASE n WHEN 0 THEN SELECT 'none'; ELSE SELECT 'some'; END CASE;
  SELECT CASE WHEN n > 1 THEN 'many' END AS size;
  BEGIN SELECT 1; END;
END";
        check(
            &format!("{body};\nCALL backfill(3);"),
            &[(1, body), (11, "CALL backfill(3)")],
        );
    }

    #[test]
    fn mysql_trigger_without_body_block_ends_at_semicolon() {
        check(
            "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;\nSELECT 1;",
            &[
                (
                    1,
                    "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
                ),
                (2, "SELECT 1"),
            ],
        );
    }

    #[test]
    fn sqlite_trigger_with_case_end() {
        let trigger = "\
CREATE TRIGGER IF NOT EXISTS candles_au AFTER UPDATE ON candles
BEGIN
  UPDATE candles SET color = CASE WHEN NEW.close >= NEW.open THEN 'green' ELSE 'red' END
  WHERE id = NEW.id;
  INSERT INTO audit (msg) VALUES ('updated; ok');
END";
        check(
            &format!("-- triggers\n{trigger};\nDROP TABLE old_candles;\n"),
            &[(2, trigger), (8, "DROP TABLE old_candles")],
        );
    }

    #[test]
    fn postgres_functions_with_dollar_quotes() {
        let plain = "\
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql";
        let tagged = "\
CREATE FUNCTION purge(days int) RETURNS void AS $fn$
BEGIN
  EXECUTE $$DELETE FROM trades WHERE ts < now() - interval '1 day' * $1;$$ USING days;
END;
$fn$ LANGUAGE plpgsql";
        let trigger = "CREATE TRIGGER trades_touch BEFORE UPDATE ON trades FOR EACH ROW EXECUTE FUNCTION touch()";
        check_in(
            Flavor::Postgres,
            &format!("{plain};\n\n{tagged};\n{trigger};\n"),
            &[(1, plain), (8, tagged), (13, trigger)],
        );
    }

    #[test]
    fn dollar_digit_is_a_parameter_not_a_quote() {
        check(
            "PREPARE q AS SELECT $1, a$b$ FROM t WHERE x = $2;SELECT 2;",
            &[
                (1, "PREPARE q AS SELECT $1, a$b$ FROM t WHERE x = $2"),
                (1, "SELECT 2"),
            ],
        );
        // A lone `$` opens nothing.
        check(
            "SELECT '$' || $ ;SELECT 2",
            &[(1, "SELECT '$' || $"), (1, "SELECT 2")],
        );
    }

    #[test]
    fn begin_outside_routines_is_a_normal_word() {
        check(
            "BEGIN;\nUPDATE t SET begin_date = NULL, end_date = NULL;\nEND;\nBEGIN TRANSACTION; COMMIT;",
            &[
                (1, "BEGIN"),
                (2, "UPDATE t SET begin_date = NULL, end_date = NULL"),
                (3, "END"),
                (4, "BEGIN TRANSACTION"),
                (4, "COMMIT"),
            ],
        );
    }

    #[test]
    fn routine_keywords_count_only_as_whole_words_outside_quotes() {
        // Neither 'trigger' nor trigger_kind makes this a routine, so the
        // BEGIN column does not open a block.
        check(
            "CREATE TABLE spans (kind text DEFAULT 'trigger', trigger_kind text, begin int);\nINSERT INTO spans VALUES ('a', 'b', 1);",
            &[
                (
                    1,
                    "CREATE TABLE spans (kind text DEFAULT 'trigger', trigger_kind text, begin int)",
                ),
                (2, "INSERT INTO spans VALUES ('a', 'b', 1)"),
            ],
        );
        // Nor does a routine keyword after the first BEGIN.
        check(
            "CREATE TABLE spans (begin int, function text);SELECT 1;",
            &[
                (1, "CREATE TABLE spans (begin int, function text)"),
                (1, "SELECT 1"),
            ],
        );
        // Inside a routine, begin_at/end_at are not BEGIN/END.
        check(
            "CREATE TRIGGER s_ai AFTER INSERT ON s BEGIN UPDATE s SET end_at = begin_at; END;SELECT 1;",
            &[
                (
                    1,
                    "CREATE TRIGGER s_ai AFTER INSERT ON s BEGIN UPDATE s SET end_at = begin_at; END",
                ),
                (1, "SELECT 1"),
            ],
        );
    }

    #[test]
    fn mysql_executable_comments_are_statements() {
        check(
            "/*!40101 SET NAMES utf8mb4 */;\n/* plain */;\nSELECT 1;",
            &[(1, "/*!40101 SET NAMES utf8mb4 */"), (3, "SELECT 1")],
        );
    }

    #[test]
    fn postgres_json_operators_are_not_comments() {
        check_in(
            Flavor::Postgres,
            "SELECT data #>> '{a,b}', data #> '{c}' FROM t;\nSELECT 2;",
            &[
                (1, "SELECT data #>> '{a,b}', data #> '{c}' FROM t"),
                (2, "SELECT 2"),
            ],
        );
    }

    #[test]
    fn unterminated_quotes_and_comments_are_refused_with_their_line() {
        let cases: [(Flavor, &str, usize, &str); 8] = [
            (
                Flavor::Mysql,
                "SELECT 1;\nSELECT 'abc; SELECT 2",
                2,
                "unterminated string",
            ),
            (
                Flavor::Mysql,
                "SELECT 1;\n\nSELECT 1 /* open; SELECT 2",
                3,
                "unterminated block comment",
            ),
            (
                Flavor::Postgres,
                "SELECT $x$ open; SELECT 2",
                1,
                "unterminated dollar-quoted",
            ),
            (Flavor::Mysql, "SELECT '\\", 1, "unterminated string"),
            (Flavor::Mysql, "SELECT `a;\n", 1, "unterminated quoted name"),
            (
                Flavor::Sqlite,
                "SELECT [a;\n",
                1,
                "unterminated quoted name `[`",
            ),
            // Closed for MySQL, still open for PostgreSQL, whose comments nest.
            (
                Flavor::Postgres,
                "/* a /* b */ SELECT 1;",
                1,
                "unterminated block comment",
            ),
            (
                Flavor::Postgres,
                "SELECT 1;\nSELECT E'it\\'s",
                2,
                "unterminated string `E'`",
            ),
        ];
        for (flavor, sql, line, what) in cases {
            let err = split_statements(sql, flavor).unwrap_err();
            assert_eq!(err.line, line, "{sql:?}");
            assert!(err.problem.contains(what), "{sql:?}: {}", err.problem);
        }
        check("/* a /* b */ SELECT 1;", &[(1, "SELECT 1")]);
    }

    #[test]
    fn nul_bytes_are_refused_with_their_line() {
        for flavor in [Flavor::Mysql, Flavor::Postgres, Flavor::Sqlite] {
            let err = split_statements("SELECT 1;\nSELECT '\0';", flavor).unwrap_err();
            assert_eq!(err.line, 2);
            assert!(err.problem.contains("NUL"), "{}", err.problem);
        }
    }

    #[test]
    fn postgres_block_comments_nest() {
        check_in(
            Flavor::Postgres,
            "/* outer /* inner; */ still comment; */ SELECT 1; SELECT /* a /* b */ c */ 2;",
            &[(1, "SELECT 1"), (1, "SELECT /* a /* b */ c */ 2")],
        );
    }

    #[test]
    fn mysql_delimiter_command() {
        let sql = "\
CREATE TABLE t (id INT);
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN
  SET NEW.id = NEW.id + 1;
END */;;
DELIMITER ;
delimiter $$
CREATE PROCEDURE p() BEGIN SELECT 'a;;b$'; SELECT 2; END$$
  DELIMITER //   trailing words are ignored
CREATE FUNCTION f() RETURNS INT RETURN 1//
SELECT 1 // SELECT 2//
DELIMITER ;
SELECT 3;";
        check(
            sql,
            &[
                (1, "CREATE TABLE t (id INT)"),
                (
                    3,
                    "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.id = NEW.id + 1;\nEND */",
                ),
                (
                    8,
                    "CREATE PROCEDURE p() BEGIN SELECT 'a;;b$'; SELECT 2; END",
                ),
                (10, "CREATE FUNCTION f() RETURNS INT RETURN 1"),
                (11, "SELECT 1"),
                (11, "SELECT 2"),
                (13, "SELECT 3"),
            ],
        );
        // Quoted delimiters, and one that is a word.
        check(
            "DELIMITER 'MySQL'\nSELECT 1MySQL\ndelimiter delimiter\nSELECT 2delimiter\n",
            &[(2, "SELECT 1"), (4, "SELECT 2")],
        );
        // Only first on its line and between statements: elsewhere it is a
        // name, as the client treats it.
        check(
            "SELECT a,\ndelimiter FROM t;\nSELECT 1; DELIMITER x",
            &[
                (1, "SELECT a,\ndelimiter FROM t"),
                (3, "SELECT 1"),
                (3, "DELIMITER x"),
            ],
        );
        for (sql, what) in [
            (
                "SELECT 1;\nDELIMITER\nSELECT 2;",
                "must be followed by a delimiter",
            ),
            ("DELIMITER \\\\\nSELECT 2;", "backslash"),
        ] {
            let err = split_statements(sql, Flavor::Mysql).unwrap_err();
            assert!(err.problem.contains(what), "{sql:?}: {}", err.problem);
        }
    }

    #[test]
    fn mysql_double_dash_needs_a_space() {
        check(
            "SELECT 8--1;\nSELECT 1 -- c;\n;",
            &[(1, "SELECT 8--1"), (2, "SELECT 1")],
        );
        // `#` is a comment to MySQL whatever follows it, `;` included.
        check(
            "SELECT data #> 'x';\nSELECT 2;",
            &[(1, "SELECT data \nSELECT 2")],
        );
    }

    #[test]
    fn client_commands_are_refused() {
        for (flavor, sql, what) in [
            (
                Flavor::Mysql,
                "SELECT 1\\g\nSELECT 2;",
                "command of the mariadb client",
            ),
            (
                Flavor::Mysql,
                "\\. other.sql\n",
                "command of the mariadb client",
            ),
            (
                Flavor::Postgres,
                "SELECT 1;\n\\connect other\n",
                "psql meta-command",
            ),
            (
                Flavor::Sqlite,
                ".mode csv\nSELECT 1;",
                "sqlite3 shell command",
            ),
            (
                Flavor::Postgres,
                "COPY t (a) FROM stdin;\n1\n\\.\n",
                "COPY ... FROM stdin",
            ),
        ] {
            let err = split_statements(sql, flavor).unwrap_err();
            assert!(err.problem.contains(what), "{sql:?}: {}", err.problem);
        }
        // MySQL's \N is NULL, not a command; pg_dump's \restrict lines guard
        // psql and are passed over.
        check("SELECT \\N;", &[(1, "SELECT \\N")]);
        check_in(
            Flavor::Postgres,
            "\\restrict abc\nSELECT 1;\n\\unrestrict abc\n",
            &[(2, "SELECT 1")],
        );
    }

    #[test]
    fn psql_keeps_parentheses_and_begin_atomic_whole() {
        let rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))";
        let atomic = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND";
        check_in(
            Flavor::Postgres,
            &format!("{rule};\n{atomic};\nSELECT 3;"),
            &[(1, rule), (2, atomic), (7, "SELECT 3")],
        );
        // Backticks quote nothing in PostgreSQL.
        check_in(
            Flavor::Postgres,
            "SELECT 1 `; SELECT 2",
            &[(1, "SELECT 1 `"), (1, "SELECT 2")],
        );
    }

    #[test]
    fn byte_order_mark_and_non_ascii_text() {
        check(
            "\u{feff}CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN SELECT 'é;'; END;\nSELECT 'ß' AS größe;",
            &[
                (
                    1,
                    "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN SELECT 'é;'; END",
                ),
                (2, "SELECT 'ß' AS größe"),
            ],
        );
    }

    #[test]
    fn standard_flavor_has_no_hash_comments_or_backslash_escapes() {
        // PostgreSQL: `#` is XOR and '\' is a one-character string.
        let sql = "SELECT 5 # 3; SELECT 'C:\\dir\\'; SELECT E'it\\'s; here';\nSELECT 2";
        let got: Vec<String> = split_statements(sql, Flavor::Postgres)
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(
            got,
            [
                "SELECT 5 # 3",
                "SELECT 'C:\\dir\\'",
                "SELECT E'it\\'s; here'",
                "SELECT 2"
            ]
        );
        // The same text read with MySQL's rules: `#` hides the rest of the line.
        let mysql = split_statements("SELECT 5 # 3; SELECT 1\nSELECT 2;", Flavor::Mysql).unwrap();
        assert_eq!(mysql.len(), 1);
    }
}
