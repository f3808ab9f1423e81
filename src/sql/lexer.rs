//! The small lexer behind splitting and pattern matching.
//!
//! It knows just enough of the MySQL/MariaDB, PostgreSQL and SQLite
//! lexical rules (quotes, dollar quotes, comments) to tell a `;` that ends a
//! statement from one that is data.

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
    pub(super) fn end(&self) -> usize {
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
    /// Where the next token starts; the splitter moves it past the client
    /// commands it consumes.
    pub(super) pos: usize,
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

    /// One match on the token's first byte with an arm per kind of token;
    /// it is long because the dialects' rules are best read side by side.
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

pub(super) fn line_end(b: &[u8], start: usize) -> usize {
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
