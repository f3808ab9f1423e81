//! Splitting SQL text into statements, and the small lexer behind it.
//!
//! The lexer knows just enough of the MySQL/MariaDB, PostgreSQL and SQLite
//! lexical rules (quotes, dollar quotes, comments) to tell a `;` that ends a
//! statement from one that is data; `effects` reuses it.

/// One statement of a SQL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement text, trimmed, without the terminating `;`.
    ///
    /// It runs from the first to the last token that is not a comment:
    /// comments between tokens are kept, comments before or after are not.
    pub text: String,
    /// 1-based line in the file where the statement's first non-blank,
    /// non-comment character is.
    pub line: usize,
}

/// Lexical rules that differ between dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// MySQL/MariaDB: `#` starts a comment and `\` escapes a quote inside
    /// `'...'` and `"..."`.
    #[default]
    Mysql,
    /// PostgreSQL: `#` is an operator, `\` an ordinary character except in
    /// `E'...'` strings, `$tag$` quotes bodies and block comments nest.
    Postgres,
    /// SQLite: `#` and `\` are ordinary characters; no dollar quotes.
    Sqlite,
}

/// Splits SQL text (a whole migration file) into statements.
///
/// Statements end at a `;` outside quotes and comments. Statements that hold
/// only whitespace and comments are dropped; a last statement without `;` is
/// kept. In `CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT` statements a `;` inside
/// `BEGIN ... END` (or `CASE ... END`) does not end the statement, so
/// MySQL and SQLite trigger bodies stay whole.
///
/// MySQL executable comments (`/*!40101 SET NAMES utf8 */;`, as written by
/// mysqldump) are kept as statements, because the server runs them.
pub fn split_statements(sql: &str, flavor: Flavor) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut lines = LineCounter::new(sql);
    let mut lexer = Lexer::new(sql, flavor);
    let mut pending: Option<Pending> = None;
    while let Some(tok) = lexer.next() {
        if !tok.is_significant() {
            continue;
        }
        if tok.is_punct(';') && pending.as_ref().is_none_or(|p| p.depth == 0) {
            out.extend(pending.take().map(|p| p.finish(sql)));
            continue;
        }
        let p = pending.get_or_insert_with(|| Pending::new(&tok, lines.line_at(tok.start)));
        p.end = tok.end();
        if tok.kind == Kind::Word {
            p.on_word(tok.text, &mut lexer);
        }
    }
    out.extend(pending.map(|p| p.finish(sql)));
    out
}

/// The statement being collected.
struct Pending {
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
    /// `CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT`: `BEGIN`/`CASE`/`END` nest.
    routine: bool,
    depth: usize,
}

impl Pending {
    fn new(first: &Token<'_>, line: usize) -> Self {
        Pending {
            start: first.start,
            end: first.end(),
            line,
            create: first.is_word("CREATE"),
            begun: false,
            routine: false,
            depth: 0,
        }
    }

    /// Tracks block nesting; `rest` is the lexer just after `word`, so `END`
    /// can look at the word that follows it.
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

    fn finish(self, sql: &str) -> Statement {
        Statement {
            // An unterminated `/*!` comment can end in whitespace.
            text: sql[self.start..self.end].trim().to_string(),
            line: self.line,
        }
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
            Kind::Comment => self.text.starts_with("/*!"),
            _ => true,
        }
    }
}

/// Splits text into tokens, covering every byte. Unterminated quotes and
/// comments run to the end of the text.
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
        // Every token ends just after an ASCII byte or at the end of the
        // text, so slicing `src` below stays on char boundaries.
        let (kind, end) = match first {
            b'-' if second == Some(b'-') => (Kind::Comment, line_end(b, start)),
            // `#>` and `#>>` are PostgreSQL JSON operators, not MySQL comments.
            b'#' if self.flavor == Flavor::Mysql && second != Some(b'>') => {
                (Kind::Comment, line_end(b, start))
            }
            b'/' if second == Some(b'*') => {
                let end = find(b, start + 2, b"*/").map_or(b.len(), |i| i + 2);
                (Kind::Comment, end)
            }
            b'\'' | b'"' | b'`' => {
                let escapes = self.flavor == Flavor::Mysql && first != b'`';
                (Kind::Quoted, quote_end(b, start, escapes))
            }
            // PostgreSQL's escape strings: E'it\'s'.
            b'E' | b'e' if self.flavor == Flavor::Postgres && second == Some(b'\'') => {
                (Kind::Quoted, quote_end(b, start + 1, true))
            }
            // Only PostgreSQL quotes with dollars; `$$` is a common MySQL
            // DELIMITER, and `$` is part of names everywhere.
            b'$' if self.flavor == Flavor::Postgres => match dollar_tag_end(b, start) {
                Some(open_end) => {
                    let tag = &b[start..open_end];
                    let end = find(b, open_end, tag).map_or(b.len(), |i| i + tag.len());
                    (Kind::Quoted, end)
                }
                None => (Kind::Punct, start + 1),
            },
            c if c.is_ascii_whitespace() || c == 0x0b => {
                let end = scan(b, start, |c| c.is_ascii_whitespace() || c == 0x0b);
                (Kind::Space, end)
            }
            // A byte order mark at the start of a file is layout, not a word.
            _ if b[start..].starts_with("\u{feff}".as_bytes()) => (Kind::Space, start + 3),
            c if is_word_byte(c) => (Kind::Word, scan(b, start, is_word_byte)),
            _ => (Kind::Punct, start + 1),
        };
        self.pos = end;
        Some(Token {
            kind,
            text: &self.src[start..end],
            start,
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

/// End of a `'`, `"` or `` ` `` quoted token. A doubled quote character does
/// not end it; with `escapes`, neither does a backslash-escaped one.
fn quote_end(b: &[u8], start: usize, escapes: bool) -> usize {
    let quote = b[start];
    let mut i = start + 1;
    while let Some(&c) = b.get(i) {
        if c == quote {
            if b.get(i + 1) != Some(&quote) {
                return i + 1;
            }
            i += 2;
        } else if c == b'\\' && escapes {
            i += 2;
        } else {
            i += 1;
        }
    }
    b.len()
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
        let got = split_statements(sql, flavor);
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
        check(
            "SELECT a, -- the key; really\n  b /* ; */ FROM t -- done\n;\nSELECT 2 /* trailing */",
            &[
                (1, "SELECT a, -- the key; really\n  b /* ; */ FROM t"),
                (4, "SELECT 2"),
            ],
        );
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
        check(
            "SELECT data #>> '{a,b}', data #> '{c}' FROM t;\nSELECT 2;",
            &[
                (1, "SELECT data #>> '{a,b}', data #> '{c}' FROM t"),
                (2, "SELECT 2"),
            ],
        );
    }

    #[test]
    fn unterminated_quotes_and_comments_run_to_the_end() {
        check("SELECT 'abc; SELECT 2", &[(1, "SELECT 'abc; SELECT 2")]);
        check("SELECT 1 /* open; SELECT 2", &[(1, "SELECT 1")]);
        check_in(
            Flavor::Postgres,
            "SELECT $x$ open; SELECT 2",
            &[(1, "SELECT $x$ open; SELECT 2")],
        );
        check("SELECT '\\", &[(1, "SELECT '\\")]);
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
        let mysql = split_statements("SELECT 5 # 3; SELECT 1\nSELECT 2;", Flavor::Mysql);
        assert_eq!(mysql.len(), 1);
    }
}
