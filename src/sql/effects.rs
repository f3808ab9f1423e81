//! Recognising statements that destroy or move data.
//!
//! Pattern matching over tokens, not a parser: it recognises the common
//! spellings of drops, truncations and renames in MySQL/MariaDB, PostgreSQL
//! and SQLite, and the statements whose effects no pattern can know
//! (dynamic SQL, procedure calls, anonymous blocks, calls of user
//! functions). It says nothing about any other statement.
//!
//! Names come back as written, with their quoting, so that the database's
//! own rules (`crate::db::ident`) can decide which catalog object they
//! denote: case folding differs between databases, and between quoted and
//! bare names.

use std::fmt;

use super::split::{Flavor, Kind, Lexer, Token};

/// One part of a name as a statement writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The token as written, quotes included: `OHLC_DATA`, `"Mixed"`,
    /// `` `we``ird` ``, `[a b]`.
    pub raw: String,
    /// Without its quotes, doubled quotes undone, case as written.
    pub text: String,
    /// Written in quotes (for SQLite also `[...]` and `'...'`).
    pub quoted: bool,
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A possibly qualified name: `t`, `schema.t`, `db.t`, `db.schema.t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectName {
    /// Never empty; the object's own name is the last part.
    pub parts: Vec<Ident>,
}

impl ObjectName {
    /// The object's own name.
    pub fn object(&self) -> &Ident {
        // `parts` is never empty: every constructor pushes at least one.
        &self.parts[self.parts.len() - 1]
    }

    /// The parts before the object's own name (schema, database...).
    pub fn qualifier(&self) -> &[Ident] {
        &self.parts[..self.parts.len() - 1]
    }
}

impl fmt::Display for ObjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&p.raw)?;
        }
        Ok(())
    }
}

/// Why a statement's effects cannot be read from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opaque {
    /// `EXECUTE stmt`, `EXECUTE IMMEDIATE '...'`: SQL built at run time.
    DynamicSql,
    /// `CALL proc(...)`.
    ProcedureCall,
    /// PostgreSQL's `DO $$ ... $$`.
    DoBlock,
    /// MariaDB's `BEGIN NOT ATOMIC ... END`.
    AnonymousBlock,
    /// A function that is not one of the database's own, called from
    /// `SELECT`, `VALUES`, `WITH`, or MySQL's `DO` and `SET`.
    FunctionCall(String),
}

impl fmt::Display for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Opaque::DynamicSql => f.write_str("dynamic SQL"),
            Opaque::ProcedureCall => f.write_str("procedure call"),
            Opaque::DoBlock => f.write_str("DO block"),
            Opaque::AnonymousBlock => f.write_str("anonymous block"),
            Opaque::FunctionCall(name) => write!(f, "call of function {name}"),
        }
    }
}

/// Something a statement does that loses data, or breaks code that uses the
/// old names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    DropTable {
        table: ObjectName,
    },
    DropColumn {
        table: ObjectName,
        column: Ident,
    },
    RenameTable {
        from: ObjectName,
        to: ObjectName,
    },
    RenameColumn {
        table: ObjectName,
        from: Ident,
        to: Ident,
    },
    TruncateTable {
        table: ObjectName,
    },
    /// `DROP SCHEMA` (PostgreSQL, MySQL), `DROP DATABASE` (MySQL): every
    /// table in it goes.
    DropSchema {
        schema: Ident,
    },
    /// Also reported for PostgreSQL's `DROP MATERIALIZED VIEW`.
    DropView {
        view: ObjectName,
    },
    /// The statement may destroy anything; only a person reading it (and
    /// what it calls) can tell.
    NotAnalysed {
        why: Opaque,
    },
}

/// What one statement destroys or renames, or that it cannot be known;
/// empty for anything else.
///
/// Keywords are case-insensitive and comments are ignored. Only the first
/// statement is looked at if the text holds several. `DROP TEMPORARY TABLE`
/// is not reported: temporary tables hold no lasting data.
pub fn statement_effects(stmt: &str, flavor: Flavor) -> Vec<Effect> {
    let tokens = significant_tokens(stmt, flavor);
    let mut c = Cursor::new(&tokens, flavor);
    let mut out = Vec::new();
    if let Some(why) = opaque(&tokens, flavor) {
        out.push(Effect::NotAnalysed { why });
    } else if c.kw("DROP") {
        if c.kw("TABLE") || (flavor == Flavor::Mysql && c.kw("TABLES")) {
            c.kws(&["IF", "EXISTS"]);
            for table in c.name_list() {
                out.push(Effect::DropTable { table });
            }
        } else if c.kw("VIEW") || c.kws(&["MATERIALIZED", "VIEW"]) {
            c.kws(&["IF", "EXISTS"]);
            for view in c.name_list() {
                out.push(Effect::DropView { view });
            }
        } else if c.kw("SCHEMA") || (flavor == Flavor::Mysql && c.kw("DATABASE")) {
            // MySQL's schemas are its databases; SQLite has neither.
            c.kws(&["IF", "EXISTS"]);
            if flavor != Flavor::Sqlite {
                for name in c.name_list() {
                    if let [schema] = name.parts.as_slice() {
                        out.push(Effect::DropSchema {
                            schema: schema.clone(),
                        });
                    }
                }
            }
        }
    } else if c.kw("TRUNCATE") {
        c.kw("TABLE");
        for table in c.name_list() {
            out.push(Effect::TruncateTable { table });
        }
    } else if c.kws(&["RENAME", "TABLE"]) {
        // MySQL: RENAME TABLE a TO b, c TO d
        while let (Some(from), true, Some(to)) = (c.name(), c.kw("TO"), c.name()) {
            out.push(Effect::RenameTable { from, to });
            if !c.punct(',') {
                break;
            }
        }
    } else if c.kw("ALTER") {
        // MariaDB/MySQL modifiers before TABLE.
        c.kw("ONLINE");
        c.kw("IGNORE");
        if c.kw("TABLE") {
            c.kws(&["IF", "EXISTS"]);
            c.kw("ONLY");
            if let Some(table) = c.name() {
                c.punct('*');
                for action in top_level_actions(c.rest()) {
                    alter_action(&table, &mut Cursor::new(action, flavor), &mut out);
                }
            }
        }
    }
    out
}

/// Reads a name given outside SQL text (a contract's table or column) as
/// SQL would: bare, or quoted the dialect's ways; `None` when the text is
/// not one (possibly qualified) name.
pub fn parse_name(text: &str, flavor: Flavor) -> Option<ObjectName> {
    let tokens = significant_tokens(text, flavor);
    let mut c = Cursor::new(&tokens, flavor);
    let name = c.name()?;
    c.rest().is_empty().then_some(name)
}

/// The statement's tokens up to its first `;`, without layout; the SQL
/// inside MySQL executable comments is read as SQL.
fn significant_tokens(stmt: &str, flavor: Flavor) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for t in Lexer::new(stmt, flavor) {
        if t.is_punct(';') {
            return out;
        }
        if let Some((skip, inner)) = executable_comment(t.text, flavor) {
            let at = t.start + skip;
            out.extend(
                significant_tokens(inner, flavor)
                    .into_iter()
                    .map(|i| Token {
                        start: at + i.start,
                        ..i
                    }),
            );
            continue;
        }
        if !matches!(t.kind, Kind::Space | Kind::Comment) {
            out.push(t);
        }
    }
    out
}

/// The SQL inside a MySQL executable comment (`/*!40101 ... */`, MariaDB's
/// `/*M!100100 ... */`), which the server runs whatever version it names
/// (mendb does not know which server will read the file), with its offset
/// in the comment.
fn executable_comment(text: &str, flavor: Flavor) -> Option<(usize, &str)> {
    if flavor != Flavor::Mysql {
        return None;
    }
    let body = text
        .strip_prefix("/*!")
        .or_else(|| text.strip_prefix("/*M!"))?;
    let body = body.trim_start_matches(|c: char| c.is_ascii_digit());
    Some((
        text.len() - body.len(),
        body.strip_suffix("*/").unwrap_or(body),
    ))
}

/// Whether the statement's effects are beyond reading; `None` also for
/// every statement the patterns above recognise.
fn opaque(tokens: &[Token<'_>], flavor: Flavor) -> Option<Opaque> {
    let first = tokens.first()?;
    let at = |i: usize, k: &str| tokens.get(i).is_some_and(|t| t.is_word(k));
    match flavor {
        // SQLite has no procedures and no dynamic SQL, and a connection of
        // mendb's registers no functions: only built-ins can be called.
        Flavor::Sqlite => None,
        Flavor::Postgres => {
            if first.is_word("DO") {
                Some(Opaque::DoBlock)
            } else if first.is_word("CALL") {
                Some(Opaque::ProcedureCall)
            } else if first.is_word("EXECUTE") {
                Some(Opaque::DynamicSql)
            } else if ["SELECT", "VALUES", "WITH"]
                .iter()
                .any(|k| first.is_word(k))
                || first.is_punct('(')
            {
                user_function(tokens, flavor)
            } else {
                None
            }
        }
        Flavor::Mysql => {
            if first.is_word("CALL") {
                Some(Opaque::ProcedureCall)
            } else if first.is_word("EXECUTE") {
                Some(Opaque::DynamicSql)
            } else if first.is_word("BEGIN") && at(1, "NOT") && at(2, "ATOMIC") {
                Some(Opaque::AnonymousBlock)
            } else if ["SELECT", "VALUES", "WITH", "DO", "SET"]
                .iter()
                .any(|k| first.is_word(k))
                || first.is_punct('(')
            {
                user_function(tokens, flavor)
            } else {
                None
            }
        }
    }
}

/// Words that a `(` may follow without making a function call: keywords,
/// and type names in casts such as MySQL's `CONVERT(x, DECIMAL(10, 2))`.
const NOT_CALLS: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "between",
    "binary",
    "bit",
    "by",
    "case",
    "char",
    "character",
    "cross",
    "cube",
    "decimal",
    "distinct",
    "do",
    "double",
    "else",
    "escape",
    "except",
    "exists",
    "fetch",
    "filter",
    "float",
    "for",
    "from",
    "full",
    "group",
    "groups",
    "having",
    "ilike",
    "in",
    "inner",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "join",
    "key",
    "lateral",
    "left",
    "like",
    "limit",
    "materialized",
    "natural",
    "nchar",
    "not",
    "numeric",
    "nvarchar",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "partition",
    "range",
    "recursive",
    "regexp",
    "returning",
    "right",
    "rlike",
    "rollup",
    "row",
    "rows",
    "select",
    "set",
    "sets",
    "signed",
    "similar",
    "some",
    "table",
    "tablesample",
    "then",
    "to",
    "union",
    "unsigned",
    "using",
    "values",
    "varbinary",
    "varchar",
    "when",
    "where",
    "window",
    "with",
    "within",
    "xor",
];

/// Functions the three databases ship. A call of any other function in a
/// query may run SQL of its author's choosing.
const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "acos",
    "age",
    "array_agg",
    "array_length",
    "array_to_string",
    "ascii",
    "asin",
    "atan",
    "atan2",
    "avg",
    "bit_and",
    "bit_length",
    "bit_or",
    "bool_and",
    "bool_or",
    "btrim",
    "cardinality",
    "cast",
    "cbrt",
    "ceil",
    "ceiling",
    "char_length",
    "character_length",
    "charset",
    "chr",
    "coalesce",
    "collation",
    "concat",
    "concat_ws",
    "connection_id",
    "convert",
    "convert_tz",
    "cos",
    "count",
    "crc32",
    "cume_dist",
    "curdate",
    "current_date",
    "current_database",
    "current_role",
    "current_schema",
    "current_setting",
    "current_time",
    "current_timestamp",
    "current_user",
    "currval",
    "curtime",
    "database",
    "date",
    "date_add",
    "date_format",
    "date_part",
    "date_sub",
    "date_trunc",
    "datediff",
    "datetime",
    "day",
    "dayofweek",
    "dayofyear",
    "degrees",
    "dense_rank",
    "div",
    "elt",
    "every",
    "exp",
    "extract",
    "field",
    "find_in_set",
    "first_value",
    "floor",
    "format",
    "found_rows",
    "from_unixtime",
    "gen_random_uuid",
    "generate_series",
    "get_lock",
    "glob",
    "greatest",
    "group_concat",
    "grouping",
    "hex",
    "hour",
    "if",
    "ifnull",
    "iif",
    "initcap",
    "instr",
    "is_free_lock",
    "is_used_lock",
    "isnull",
    "json_agg",
    "json_array",
    "json_arrayagg",
    "json_build_array",
    "json_build_object",
    "json_extract",
    "json_group_array",
    "json_group_object",
    "json_object",
    "json_objectagg",
    "json_unquote",
    "json_valid",
    "jsonb_agg",
    "jsonb_build_array",
    "jsonb_build_object",
    "julianday",
    "lag",
    "last_day",
    "last_insert_id",
    "last_insert_rowid",
    "last_value",
    "lastval",
    "lcase",
    "lead",
    "least",
    "length",
    "like",
    "ln",
    "localtime",
    "localtimestamp",
    "locate",
    "log",
    "log10",
    "log2",
    "lower",
    "lpad",
    "ltrim",
    "make_date",
    "make_interval",
    "make_timestamp",
    "max",
    "md5",
    "microsecond",
    "mid",
    "min",
    "minute",
    "mod",
    "month",
    "nextval",
    "now",
    "nth_value",
    "ntile",
    "nullif",
    "octet_length",
    "overlay",
    "percent_rank",
    "percentile_cont",
    "percentile_disc",
    "pg_advisory_lock",
    "pg_advisory_unlock",
    "pg_advisory_xact_lock",
    "pg_backend_pid",
    "pg_sleep",
    "pg_try_advisory_lock",
    "pi",
    "position",
    "pow",
    "power",
    "printf",
    "quarter",
    "quote",
    "quote_ident",
    "quote_literal",
    "radians",
    "rand",
    "random",
    "rank",
    "regexp_replace",
    "regexp_substr",
    "release_all_locks",
    "release_lock",
    "repeat",
    "replace",
    "reverse",
    "round",
    "row_count",
    "row_number",
    "rpad",
    "rtrim",
    "schema",
    "second",
    "session_user",
    "set_config",
    "setval",
    "sha1",
    "sha2",
    "sign",
    "sin",
    "sleep",
    "split_part",
    "sqrt",
    "statement_timestamp",
    "std",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "str_to_date",
    "strftime",
    "string_agg",
    "strpos",
    "subdate",
    "substr",
    "substring",
    "substring_index",
    "sum",
    "sysdate",
    "system_user",
    "tan",
    "time",
    "timediff",
    "timestamp",
    "timestampadd",
    "timestampdiff",
    "to_char",
    "to_date",
    "to_json",
    "to_jsonb",
    "to_number",
    "to_timestamp",
    "total",
    "total_changes",
    "transaction_timestamp",
    "trim",
    "trunc",
    "truncate",
    "typeof",
    "ucase",
    "unhex",
    "unix_timestamp",
    "unixepoch",
    "unnest",
    "upper",
    "user",
    "utc_date",
    "utc_time",
    "utc_timestamp",
    "uuid",
    "var_pop",
    "var_samp",
    "variance",
    "version",
    "week",
    "weekday",
    "year",
    "yearweek",
];

/// The first call of a function that is not built in, if any.
fn user_function(tokens: &[Token<'_>], flavor: Flavor) -> Option<Opaque> {
    for (i, t) in tokens.iter().enumerate() {
        if !tokens.get(i + 1).is_some_and(|n| n.is_punct('(')) {
            continue;
        }
        let name = match t.kind {
            Kind::Word => t.text,
            Kind::Quoted if unquote_identifier(t.text, flavor).is_some() => t.text,
            _ => continue,
        };
        let before = |back: usize| i.checked_sub(back).and_then(|j| tokens.get(j));
        if before(1).is_some_and(|p| p.is_punct('.')) {
            // PostgreSQL's own functions live in pg_catalog.
            if flavor == Flavor::Postgres && before(2).is_some_and(|q| q.is_word("pg_catalog")) {
                continue;
            }
            let qualifier = before(2).map(|q| q.text).unwrap_or_default();
            return Some(Opaque::FunctionCall(format!("{qualifier}.{name}()")));
        }
        let listed = |list: &[&str]| list.iter().any(|k| name.eq_ignore_ascii_case(k));
        let is_type = before(1).is_some_and(|p| p.is_word("AS") || p.is_punct(':'));
        if t.kind == Kind::Word
            && (listed(NOT_CALLS)
                || listed(BUILTIN_FUNCTIONS)
                || name.starts_with(|c: char| c.is_ascii_digit()))
            || is_type
            || cte_columns(tokens, i + 1)
        {
            continue;
        }
        return Some(Opaque::FunctionCall(format!("{name}()")));
    }
    None
}

/// Whether the `(` at `open` holds a CTE's column list:
/// `WITH t (a, b) AS (...)`.
fn cte_columns(tokens: &[Token<'_>], open: usize) -> bool {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                let next = |k: usize| tokens.get(i + k);
                return next(1).is_some_and(|t| t.is_word("AS"))
                    && next(2).is_some_and(|t| {
                        t.is_punct('(') || t.is_word("MATERIALIZED") || t.is_word("NOT")
                    });
            }
        }
    }
    false
}

/// Object kinds that `ALTER TABLE ... DROP <kind>` removes without removing
/// a column.
const NOT_COLUMNS: [&str; 9] = [
    "INDEX",
    "KEY",
    "PRIMARY",
    "FOREIGN",
    "CONSTRAINT",
    "CHECK",
    "PARTITION",
    // MariaDB: DROP SYSTEM VERSIONING, DROP PERIOD FOR ...
    "SYSTEM",
    "PERIOD",
];

/// One `ALTER TABLE` action. Actions that start with anything else, such as
/// `ALTER COLUMN c DROP DEFAULT`, change no data worth reporting.
fn alter_action(table: &ObjectName, c: &mut Cursor<'_, '_>, out: &mut Vec<Effect>) {
    let table = table.clone();
    if c.kw("DROP") {
        if NOT_COLUMNS.iter().any(|k| c.peek_kw(k)) {
            return;
        }
        c.kw("COLUMN");
        c.kws(&["IF", "EXISTS"]);
        if let Some(column) = c.ident() {
            out.push(Effect::DropColumn { table, column });
        }
    } else if c.kw("RENAME") {
        if c.kw("TO") || c.kw("AS") {
            if let Some(to) = c.name() {
                out.push(Effect::RenameTable { from: table, to });
            }
            return;
        }
        if ["INDEX", "KEY", "CONSTRAINT"].iter().any(|k| c.peek_kw(k)) {
            return;
        }
        let column_keyword = c.kw("COLUMN");
        let Some(name) = c.name() else { return };
        if c.kw("TO") {
            if let (Some(to), [from]) = (c.ident(), name.parts.as_slice()) {
                out.push(Effect::RenameColumn {
                    table,
                    from: from.clone(),
                    to,
                });
            }
        } else if !column_keyword {
            // MySQL makes TO optional: ALTER TABLE t RENAME t2
            out.push(Effect::RenameTable {
                from: table,
                to: name,
            });
        }
    } else if c.kw("CHANGE") {
        // MySQL: CHANGE [COLUMN] old new <definition>; often used to change
        // only the definition, with new == old. MySQL column names ignore
        // case, so `CHANGE px PX` renames nothing either.
        c.kw("COLUMN");
        if let (Some(from), Some(to)) = (c.ident(), c.ident())
            && from.text.to_lowercase() != to.text.to_lowercase()
        {
            out.push(Effect::RenameColumn { table, from, to });
        }
    }
}

/// Splits `ALTER TABLE` actions on commas that are not inside parentheses
/// (`DECIMAL(10, 2)`, `CHECK (a IN (1, 2))`).
fn top_level_actions<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut actions = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
        } else if t.is_punct(',') && depth == 0 {
            actions.push(&tokens[from..i]);
            from = i + 1;
        }
    }
    actions.push(&tokens[from..]);
    actions
}

/// A position in a token list with the few matchers the patterns need.
/// Failed matches consume nothing.
struct Cursor<'t, 'a> {
    tokens: &'t [Token<'a>],
    pos: usize,
    flavor: Flavor,
}

impl<'t, 'a> Cursor<'t, 'a> {
    fn new(tokens: &'t [Token<'a>], flavor: Flavor) -> Self {
        Cursor {
            tokens,
            pos: 0,
            flavor,
        }
    }

    fn rest(&self) -> &'t [Token<'a>] {
        self.tokens.get(self.pos..).unwrap_or_default()
    }

    fn peek_kw(&self, keyword: &str) -> bool {
        self.tokens
            .get(self.pos)
            .is_some_and(|t| t.is_word(keyword))
    }

    fn kw(&mut self, keyword: &str) -> bool {
        let hit = self.peek_kw(keyword);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Consumes a keyword sequence only if all of it is there.
    fn kws(&mut self, keywords: &[&str]) -> bool {
        let hit = keywords
            .iter()
            .enumerate()
            .all(|(i, k)| self.tokens.get(self.pos + i).is_some_and(|t| t.is_word(k)));
        if hit {
            self.pos += keywords.len();
        }
        hit
    }

    fn punct(&mut self, c: char) -> bool {
        let hit = self.tokens.get(self.pos).is_some_and(|t| t.is_punct(c));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// A bare or quoted identifier.
    fn ident(&mut self) -> Option<Ident> {
        let t = self.tokens.get(self.pos)?;
        if self.flavor == Flavor::Postgres
            && let Some(ident) = self.unicode_ident()
        {
            return Some(ident);
        }
        let (text, quoted) = match t.kind {
            Kind::Word => (t.text.to_string(), false),
            Kind::Quoted => (unquote_identifier(t.text, self.flavor)?, true),
            _ => return None,
        };
        self.pos += 1;
        Some(Ident {
            raw: t.text.to_string(),
            text,
            quoted,
        })
    }

    /// PostgreSQL's `U&"d\0061ta"`, optionally followed by `UESCAPE '!'`:
    /// a quoted name spelled with Unicode escapes.
    fn unicode_ident(&mut self) -> Option<Ident> {
        let at = |i: usize| self.tokens.get(self.pos + i);
        let (u, amp, quoted) = (at(0)?, at(1)?, at(2)?);
        let adjacent = amp.start == u.start + 1 && quoted.start == amp.start + 1;
        if !(u.is_word("U") && amp.is_punct('&') && adjacent && quoted.text.starts_with('"')) {
            return None;
        }
        let body = unquote_identifier(quoted.text, self.flavor)?;
        let mut raw = format!("{}&{}", u.text, quoted.text);
        let mut used = 3;
        let mut escape = '\\';
        if let (Some(kw), Some(lit)) = (at(3), at(4))
            && kw.is_word("UESCAPE")
        {
            let mut chars = lit.text.strip_prefix('\'')?.strip_suffix('\'')?.chars();
            escape = chars.next().filter(|_| chars.next().is_none())?;
            raw = format!("{raw} {} {}", kw.text, lit.text);
            used = 5;
        }
        let text = unicode_unescape(&body, escape)?;
        self.pos += used;
        Some(Ident {
            raw,
            text,
            quoted: true,
        })
    }

    /// A possibly qualified name.
    fn name(&mut self) -> Option<ObjectName> {
        let start = self.pos;
        let mut parts = vec![self.ident()?];
        while self.punct('.') {
            let Some(part) = self.ident() else {
                self.pos = start;
                return None;
            };
            parts.push(part);
        }
        Some(ObjectName { parts })
    }

    /// `a [, b ...]`, skipping PostgreSQL's `ONLY` and `*` around each name.
    fn name_list(&mut self) -> Vec<ObjectName> {
        let mut names = Vec::new();
        loop {
            self.kw("ONLY");
            let Some(name) = self.name() else { break };
            names.push(name);
            self.punct('*');
            if !self.punct(',') {
                break;
            }
        }
        names
    }
}

/// Decodes `\XXXX`, `\+XXXXXX` and a doubled escape character; `None` for
/// an escape PostgreSQL would reject.
fn unicode_unescape(body: &str, escape: char) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != escape {
            out.push(c);
            continue;
        }
        let mut ahead = chars.clone();
        let digits = match ahead.next()? {
            e if e == escape => {
                out.push(escape);
                chars = ahead;
                continue;
            }
            '+' => 6,
            _ => 4,
        };
        if digits == 4 {
            ahead = chars.clone();
        }
        let hex: String = ahead.by_ref().take(digits).collect();
        if hex.len() != digits || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
            return None;
        }
        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
        chars = ahead;
    }
    Some(out)
}

/// The name a quoted token spells where the dialect takes it for an
/// identifier; `None` for strings, unterminated quotes and quote marks the
/// dialect does not use for names.
///
/// `"a""b"` is `a"b` and `` `a``b` `` is ``a`b``. MySQL's `"..."` counts
/// as a name, as under ANSI_QUOTES: a file may turn that mode on, and a
/// string where a name belongs would only fail. SQLite also reads `[a]`
/// (no escapes inside) and, where only a name can go, `'a'`.
fn unquote_identifier(text: &str, flavor: Flavor) -> Option<String> {
    let quotes: &[char] = match flavor {
        Flavor::Mysql => &['`', '"'],
        Flavor::Postgres => &['"'],
        Flavor::Sqlite => &['"', '`', '\'', '['],
    };
    let open = quotes.iter().copied().find(|&q| text.starts_with(q))?;
    let close = if open == '[' { ']' } else { open };
    let inner = text.get(1..)?.strip_suffix(close)?;
    if open == '[' {
        return (!inner.is_empty()).then(|| inner.to_string());
    }
    // A lone quote inside means the token ran past its real end
    // (unterminated), not a name.
    let doubled = format!("{open}{open}");
    let unescaped = inner.replace(&doubled, "");
    (!inner.is_empty() && !unescaped.contains(open))
        .then(|| inner.replace(&doubled, &open.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::split::split_statements;
    use super::*;

    /// A name as `raw` spells it, read with every quote mark SQLite knows.
    fn n(raw: &str) -> ObjectName {
        parse_name(raw, Flavor::Sqlite).unwrap_or_else(|| panic!("not a name: {raw}"))
    }

    fn i(raw: &str) -> Ident {
        let name = n(raw);
        assert_eq!(name.parts.len(), 1, "{raw}");
        name.object().clone()
    }

    fn drop_table(table: &str) -> Effect {
        Effect::DropTable { table: n(table) }
    }

    fn drop_column(table: &str, column: &str) -> Effect {
        Effect::DropColumn {
            table: n(table),
            column: i(column),
        }
    }

    fn rename_table(from: &str, to: &str) -> Effect {
        Effect::RenameTable {
            from: n(from),
            to: n(to),
        }
    }

    fn rename_column(table: &str, from: &str, to: &str) -> Effect {
        Effect::RenameColumn {
            table: n(table),
            from: i(from),
            to: i(to),
        }
    }

    fn truncate(table: &str) -> Effect {
        Effect::TruncateTable { table: n(table) }
    }

    fn drop_view(view: &str) -> Effect {
        Effect::DropView { view: n(view) }
    }

    fn not_analysed(why: Opaque) -> Effect {
        Effect::NotAnalysed { why }
    }

    fn check(stmt: &str, expected: &[Effect]) {
        check_in(Flavor::Mysql, stmt, expected);
    }

    fn check_in(flavor: Flavor, stmt: &str, expected: &[Effect]) {
        assert_eq!(
            statement_effects(stmt, flavor),
            expected,
            "effects of {stmt:?} in {flavor:?}"
        );
    }

    #[test]
    fn names_keep_their_spelling_quoting_and_qualifier() {
        let name = n("\"public\".\"Trades\"");
        assert_eq!(name.qualifier().len(), 1);
        assert_eq!(name.qualifier()[0].text, "public");
        assert_eq!(
            name.object(),
            &Ident {
                raw: "\"Trades\"".into(),
                text: "Trades".into(),
                quoted: true
            }
        );
        assert_eq!(name.to_string(), "\"public\".\"Trades\"");
        let bare = i("OHLC_DATA");
        assert_eq!((bare.text.as_str(), bare.quoted), ("OHLC_DATA", false));
        assert_eq!(i("\"we\"\"ird\"").text, "we\"ird");
        assert_eq!(i("`we``ird`").text, "we`ird");
        assert_eq!(i("[a b;c]").text, "a b;c");
        assert_eq!(i("'x''y'").text, "x'y");
    }

    #[test]
    fn postgres_unicode_escaped_names() {
        let pg = |raw: &str| parse_name(raw, Flavor::Postgres).map(|n| n.object().clone());
        let data = pg("U&\"D\\0061t\\+000061\"").unwrap();
        assert_eq!((data.text.as_str(), data.quoted), ("Data", true));
        assert_eq!(data.raw, "U&\"D\\0061t\\+000061\"");
        assert_eq!(pg("u&\"a!00e9\" UESCAPE '!'").unwrap().text, "aé");
        assert_eq!(pg("U&\"x\\\\y\"").unwrap().text, "x\\y");
        assert_eq!(pg("U&\"bad\\00\""), None);
        // With a space it is a column U, then an operator.
        assert_eq!(pg("U &\"x\""), None);
        check_in(
            Flavor::Postgres,
            "DROP TABLE public.U&\"ohlc\\005fdata\"",
            &[Effect::DropTable {
                table: ObjectName {
                    parts: vec![
                        i("public"),
                        Ident {
                            raw: "U&\"ohlc\\005fdata\"".into(),
                            text: "ohlc_data".into(),
                            quoted: true,
                        },
                    ],
                },
            }],
        );
    }

    #[test]
    fn parse_name_takes_one_name_or_nothing() {
        assert_eq!(
            parse_name("price_data_real", Flavor::Postgres),
            Some(n("price_data_real"))
        );
        assert_eq!(parse_name(" s . t ", Flavor::Postgres), Some(n("s.t")));
        assert_eq!(parse_name("a b", Flavor::Postgres), None);
        assert_eq!(parse_name("s.", Flavor::Postgres), None);
        assert_eq!(parse_name("", Flavor::Postgres), None);
        assert_eq!(parse_name("\"\"", Flavor::Postgres), None);
        assert_eq!(parse_name("\"unterminated", Flavor::Postgres), None);
        // Quote marks a dialect does not use for names are not names there.
        assert_eq!(parse_name("`t`", Flavor::Postgres), None);
        assert_eq!(parse_name("[t]", Flavor::Mysql), None);
        assert_eq!(parse_name("'t'", Flavor::Mysql), None);
        assert_eq!(parse_name("'t'", Flavor::Sqlite), Some(n("'t'")));
    }

    #[test]
    fn drop_table_statement() {
        check("DROP TABLE trades", &[drop_table("trades")]);
        check("drop table if exists `trades`;", &[drop_table("`trades`")]);
        check(
            "DROP TABLE IF EXISTS \"public\".\"trades\", candles CASCADE",
            &[drop_table("\"public\".\"trades\""), drop_table("candles")],
        );
        check(
            "DROP TABLE `market`.`Trades`, `market`.candles RESTRICT",
            &[
                drop_table("`market`.`Trades`"),
                drop_table("`market`.candles"),
            ],
        );
        check("DROP TABLE \"we\"\"ird\"", &[drop_table("\"we\"\"ird\"")]);
        check("DROP TABLE `we``ird`", &[drop_table("`we``ird`")]);
        check("DROP TABLE OHLC_DATA", &[drop_table("OHLC_DATA")]);
    }

    #[test]
    fn sqlite_quotes_names_four_ways() {
        check_in(
            Flavor::Sqlite,
            "DROP TABLE [OHLC DATA], main.[x;y], 'quoted', `tick`, \"dq\"",
            &[
                drop_table("[OHLC DATA]"),
                drop_table("main.[x;y]"),
                drop_table("'quoted'"),
                drop_table("`tick`"),
                drop_table("\"dq\""),
            ],
        );
        check_in(
            Flavor::Sqlite,
            "ALTER TABLE [price data] DROP COLUMN [Market Cap]",
            &[drop_column("[price data]", "[Market Cap]")],
        );
        // Brackets are no quotes elsewhere, and single quotes make strings.
        check_in(Flavor::Postgres, "DROP TABLE [t]", &[]);
        check_in(Flavor::Postgres, "DROP TABLE 't'", &[]);
        check_in(Flavor::Postgres, "DROP TABLE `t`", &[]);
    }

    #[test]
    fn drop_schema_and_database_statements() {
        let schema = |raw: &str| Effect::DropSchema { schema: i(raw) };
        check_in(
            Flavor::Postgres,
            "DROP SCHEMA IF EXISTS staging, \"Archive\" CASCADE",
            &[schema("staging"), schema("\"Archive\"")],
        );
        check(
            "DROP DATABASE `crypto_archive`",
            &[schema("`crypto_archive`")],
        );
        check("drop schema if exists archive", &[schema("archive")]);
        check_in(Flavor::Postgres, "DROP DATABASE archive", &[]);
        check_in(Flavor::Sqlite, "DROP SCHEMA archive", &[]);
    }

    #[test]
    fn mysql_runs_executable_comments_and_drop_tables() {
        check("/*!40000 DROP TABLE a2 */", &[drop_table("a2")]);
        check("/*M!100000 DROP TABLE `a3` */", &[drop_table("`a3`")]);
        check("/*!DROP TABLE a4*/", &[drop_table("a4")]);
        check("/*!40101 SET NAMES utf8mb4 */", &[]);
        check("DROP TABLES a1, a2", &[drop_table("a1"), drop_table("a2")]);
        check_in(Flavor::Postgres, "/*!40000 DROP TABLE a2 */", &[]);
        check_in(Flavor::Postgres, "DROP TABLES a1", &[]);
    }

    #[test]
    fn drop_view_statement() {
        check("DROP VIEW daily", &[drop_view("daily")]);
        check(
            "DROP VIEW IF EXISTS reporting.daily, `weekly` CASCADE;",
            &[drop_view("reporting.daily"), drop_view("`weekly`")],
        );
        check(
            "DROP MATERIALIZED VIEW mv_candles",
            &[drop_view("mv_candles")],
        );
    }

    #[test]
    fn truncate_statement() {
        check("TRUNCATE trades", &[truncate("trades")]);
        check(
            "truncate table `db`.`trades`;",
            &[truncate("`db`.`trades`")],
        );
        check(
            "TRUNCATE TABLE ONLY trades, public.candles * RESTART IDENTITY CASCADE",
            &[truncate("trades"), truncate("public.candles")],
        );
    }

    #[test]
    fn alter_table_drop_column() {
        check(
            "ALTER TABLE trades DROP COLUMN fee",
            &[drop_column("trades", "fee")],
        );
        check(
            "alter table `trades` drop `fee`;",
            &[drop_column("`trades`", "`fee`")],
        );
        check(
            "ALTER TABLE IF EXISTS ONLY public.trades DROP COLUMN IF EXISTS \"fee\" CASCADE",
            &[drop_column("public.trades", "\"fee\"")],
        );
        // MariaDB allows IF EXISTS without COLUMN.
        check(
            "ALTER TABLE trades DROP IF EXISTS fee",
            &[drop_column("trades", "fee")],
        );
        check(
            "ALTER TABLE trades ADD COLUMN px DECIMAL(18, 8) NOT NULL DEFAULT 0, DROP COLUMN fee, \
             ADD CONSTRAINT pos CHECK (side IN ('buy', 'sell')), DROP taker",
            &[drop_column("trades", "fee"), drop_column("trades", "taker")],
        );
        check(
            "ALTER TABLE price_data_old DROP COLUMN MARKET_CAP",
            &[drop_column("price_data_old", "MARKET_CAP")],
        );
    }

    #[test]
    fn alter_table_drops_that_are_not_columns() {
        for stmt in [
            "ALTER TABLE t DROP INDEX idx_ts",
            "ALTER TABLE t DROP KEY idx_ts",
            "ALTER TABLE t DROP PRIMARY KEY",
            "ALTER TABLE t DROP FOREIGN KEY fk_market",
            "ALTER TABLE t DROP CONSTRAINT IF EXISTS fk_market",
            "ALTER TABLE t DROP CHECK chk_price",
            "ALTER TABLE t DROP PARTITION p2019",
            "ALTER TABLE t ALTER COLUMN price DROP DEFAULT",
            "ALTER TABLE t ALTER COLUMN price DROP NOT NULL",
            "ALTER TABLE t ALTER price DROP DEFAULT",
            "ALTER TABLE t DROP SYSTEM VERSIONING",
        ] {
            check(stmt, &[]);
        }
        check(
            "ALTER TABLE t DROP INDEX a, DROP COLUMN b, ALTER c DROP DEFAULT",
            &[drop_column("t", "b")],
        );
    }

    #[test]
    fn alter_table_rename() {
        check(
            "ALTER TABLE trades RENAME COLUMN px TO price",
            &[rename_column("trades", "px", "price")],
        );
        check(
            "ALTER TABLE \"trades\" RENAME \"px\" TO \"price\"",
            &[rename_column("\"trades\"", "\"px\"", "\"price\"")],
        );
        check(
            "ALTER TABLE public.trades RENAME TO fills",
            &[rename_table("public.trades", "fills")],
        );
        check(
            "ALTER TABLE `trades` RENAME AS `fills`",
            &[rename_table("`trades`", "`fills`")],
        );
        check(
            "ALTER TABLE trades RENAME fills",
            &[rename_table("trades", "fills")],
        );
        check("ALTER TABLE trades RENAME INDEX a TO b", &[]);
        check("ALTER TABLE trades RENAME KEY a TO b", &[]);
        check("ALTER TABLE trades RENAME CONSTRAINT a TO b", &[]);
        check("ALTER TABLE trades RENAME COLUMN s.px TO price", &[]);
        check(
            "ALTER TABLE t RENAME COLUMN a TO b, RENAME INDEX i TO j, RENAME TO u",
            &[rename_column("t", "a", "b"), rename_table("t", "u")],
        );
    }

    #[test]
    fn alter_table_change_column() {
        check(
            "ALTER TABLE trades CHANGE COLUMN px price DECIMAL(18, 8) NOT NULL",
            &[rename_column("trades", "px", "price")],
        );
        check(
            "ALTER TABLE trades CHANGE `px` `price` DECIMAL(18,8)",
            &[rename_column("trades", "`px`", "`price`")],
        );
        check("ALTER TABLE trades CHANGE px px BIGINT", &[]);
        check("ALTER TABLE trades CHANGE px PX BIGINT", &[]);
        check("ALTER TABLE trades CHANGE größe GRÖßE BIGINT", &[]);
        check(
            "ALTER TABLE t CHANGE a a INT, CHANGE b c INT, MODIFY d TEXT",
            &[rename_column("t", "b", "c")],
        );
    }

    #[test]
    fn rename_table_statement() {
        check("RENAME TABLE a TO b", &[rename_table("a", "b")]);
        check(
            "rename table `db`.`a` to `db`.`b`, c TO d;",
            &[rename_table("`db`.`a`", "`db`.`b`"), rename_table("c", "d")],
        );
    }

    #[test]
    fn comments_are_ignored() {
        check(
            "/* cleanup */ ALTER TABLE trades -- old fee\n DROP /* gone */ COLUMN fee # bye\n",
            &[drop_column("trades", "fee")],
        );
        check("-- DROP TABLE trades\nSELECT 1", &[]);
        check("/* DROP TABLE trades; */", &[]);
    }

    #[test]
    fn dynamic_sql_calls_and_blocks_are_not_analysed() {
        let pg = Flavor::Postgres;
        check_in(
            pg,
            "DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'ohlc_data'); END $$",
            &[not_analysed(Opaque::DoBlock)],
        );
        check_in(
            pg,
            "do language plpgsql $body$ begin drop table t; end $body$",
            &[not_analysed(Opaque::DoBlock)],
        );
        check_in(
            pg,
            "CALL archive_old(30)",
            &[not_analysed(Opaque::ProcedureCall)],
        );
        check_in(pg, "EXECUTE purge(1)", &[not_analysed(Opaque::DynamicSql)]);
        check(
            "EXECUTE IMMEDIATE 'DROP TABLE ohlc_data'",
            &[not_analysed(Opaque::DynamicSql)],
        );
        check("execute stmt USING @a", &[not_analysed(Opaque::DynamicSql)]);
        check(
            "CALL `archive`.purge()",
            &[not_analysed(Opaque::ProcedureCall)],
        );
        check(
            "BEGIN NOT ATOMIC DROP TABLE t",
            &[not_analysed(Opaque::AnonymousBlock)],
        );
        // Preparing runs nothing; the EXECUTE that follows is reported.
        check("PREPARE stmt FROM @sql", &[]);
        check("BEGIN", &[]);
        // SQLite knows none of these statements.
        check_in(Flavor::Sqlite, "DO $$ x $$", &[]);
        check_in(Flavor::Sqlite, "CALL p()", &[]);
    }

    #[test]
    fn user_functions_in_queries_are_not_analysed() {
        let call = |name: &str| [not_analysed(Opaque::FunctionCall(name.into()))];
        let pg = Flavor::Postgres;
        check_in(
            pg,
            "SELECT drop_old_partitions()",
            &call("drop_old_partitions()"),
        );
        check_in(
            pg,
            "select * from ops.purge('ohlc_data', 30)",
            &call("ops.purge()"),
        );
        check_in(pg, "SELECT \"Purge\"(1)", &call("\"Purge\"()"));
        check_in(pg, "VALUES (1, purge(2))", &call("purge()"));
        check_in(
            pg,
            "WITH x (a) AS (SELECT purge()) SELECT a FROM x",
            &call("purge()"),
        );
        check("SELECT `purge`(1)", &call("`purge`()"));
        check("DO purge_all(), SLEEP(1)", &call("purge_all()"));
        check("SET @n = purge_all()", &call("purge_all()"));
        check("(SELECT archive(1))", &call("archive()"));
        // The databases' own functions, keywords and casts call nothing.
        for stmt in [
            "SELECT setval('prices_id_seq', (SELECT max(id) FROM prices))",
            "SELECT pg_catalog.set_config('search_path', '', false)",
            "SELECT pg_catalog.anything(1)",
            "SELECT COUNT(*) FILTER (WHERE x IN (1, 2)) FROM t WHERE EXISTS (SELECT 1)",
            "SELECT CAST(x AS numeric(10, 2)), y::varchar(3), row_number() OVER (ORDER BY z) FROM t",
            "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
            "WITH n (i) AS MATERIALIZED (SELECT 1) SELECT i FROM n",
            "SELECT * FROM t AS a (b, c) JOIN u USING (id)",
            "SELECT a FROM t WHERE b = ANY (ARRAY[1]) AND (c OR d)",
            "VALUES (1), (2)",
        ] {
            check_in(pg, stmt, &[]);
        }
        for stmt in [
            "SELECT CONVERT(x, DECIMAL(10, 2)), IF(a, b, c), GET_LOCK('x', 1)",
            "SET FOREIGN_KEY_CHECKS = 0",
            "SET @sql = CONCAT('DROP TABLE ', 'x')",
            "DO RELEASE_LOCK('mendb')",
            "SELECT 1 FROM DUAL",
        ] {
            check(stmt, &[]);
        }
        // In SQLite a connection of mendb's can only call built-ins.
        check_in(Flavor::Sqlite, "SELECT purge()", &[]);
        // Outside queries, calls are not looked for.
        check_in(pg, "INSERT INTO t VALUES (purge())", &[]);
    }

    #[test]
    fn everything_else_has_no_effects() {
        for stmt in [
            "",
            ";",
            "SELECT * FROM trades",
            "INSERT INTO log VALUES ('DROP TABLE trades')",
            "DELETE FROM trades WHERE ts < '2020-01-01'",
            "CREATE TABLE trades (id BIGINT, drop_reason TEXT)",
            "DROP INDEX idx_ts ON trades",
            "DROP TEMPORARY TABLE scratch",
            "DROP TRIGGER trades_bi",
            "DROP FUNCTION touch()",
            "ALTER TABLE trades ADD COLUMN fee DECIMAL(10, 2)",
            "ALTER TABLE trades MODIFY fee DECIMAL(12, 2)",
            "ALTER VIEW v RENAME TO w",
            "\"DROP\" TABLE trades",
            "DROP TABLE",
            "DROP TABLE s.",
            "ALTER TABLE",
            "ALTER TABLE t DROP",
            "ALTER TABLE t RENAME COLUMN a",
            "RENAME TABLE a",
            "CREATE FUNCTION f() RETURNS int RETURN 1",
        ] {
            check(stmt, &[]);
        }
        check_in(
            Flavor::Postgres,
            "CREATE FUNCTION f() RETURNS void AS $$ BEGIN EXECUTE 'DROP TABLE t'; END $$ LANGUAGE plpgsql",
            &[],
        );
    }

    #[test]
    fn only_the_first_statement_counts() {
        check("SELECT 1; DROP TABLE trades", &[]);
        check("DROP TABLE a; DROP TABLE b", &[drop_table("a")]);
        check_in(
            Flavor::Sqlite,
            "DROP TABLE [a;b]; DROP TABLE c",
            &[drop_table("[a;b]")],
        );
    }

    #[test]
    fn works_on_split_statements() {
        let sql = "-- 0008\nALTER TABLE trades DROP COLUMN fee;\nCREATE TRIGGER t_bd BEFORE DELETE ON trades FOR EACH ROW BEGIN DELETE FROM fills; END;\nTRUNCATE candles\n";
        let effects: Vec<Vec<Effect>> = split_statements(sql, Flavor::Mysql)
            .unwrap()
            .iter()
            .map(|s| statement_effects(&s.text, Flavor::Mysql))
            .collect();
        assert_eq!(
            effects,
            [
                vec![drop_column("trades", "fee")],
                vec![],
                vec![truncate("candles")]
            ]
        );
    }

    /// Random concatenations of SQL fragments, including unterminated
    /// quotes and comments, never make either function panic.
    #[test]
    fn never_panics_on_noise() {
        const FRAGMENTS: &[&str] = &[
            "CREATE ",
            "TRIGGER ",
            "FUNCTION ",
            "BEGIN ",
            "END ",
            "IF ",
            "CASE ",
            "LOOP ",
            "DROP ",
            "TABLE ",
            "VIEW ",
            "ALTER ",
            "COLUMN ",
            "RENAME ",
            "TO ",
            "AS ",
            "CHANGE ",
            "TRUNCATE ",
            "ONLY ",
            "EXISTS ",
            "INDEX ",
            "t",
            "x1",
            ";",
            "'",
            "''",
            "\\",
            "\"",
            "`",
            "$$",
            "$a$",
            "$1",
            "$",
            "--",
            "#",
            "#>",
            "/*",
            "*/",
            "/*!",
            "\n",
            "\r\n",
            " ",
            ",",
            "(",
            ")",
            ".",
            "*",
            "é",
            "größe",
            "\u{feff}",
            "[",
            "]",
            "U&",
            "UESCAPE ",
            "'!'",
            "\\0061",
            "\\+",
            "DO ",
            "CALL ",
            "EXECUTE ",
            "SELECT ",
            "WITH ",
            "\t",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..500 {
            let len = next() % 40;
            let sql: String = (0..len)
                .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
                .collect();
            let lines = sql.matches('\n').count() + 1;
            for flavor in [Flavor::Mysql, Flavor::Postgres, Flavor::Sqlite] {
                statement_effects(&sql, flavor);
                parse_name(&sql, flavor);
            }
            for stmt in split_statements(&sql, Flavor::Postgres).unwrap_or_default() {
                assert!(!stmt.text.is_empty(), "{sql:?}");
                assert_eq!(stmt.text.trim(), stmt.text, "{sql:?}");
                assert!((1..=lines).contains(&stmt.line), "{sql:?}");
                statement_effects(&stmt.text, Flavor::Postgres);
            }
        }
    }
}
