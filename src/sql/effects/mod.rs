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
//!
//! The pieces: [`cursor`] matches tokens and reads names, [`alter`] reads
//! `ALTER TABLE` actions, [`opaque`] finds statements beyond reading.

mod alter;
mod builtins;
mod cursor;
mod opaque;
#[cfg(test)]
mod tests;

use std::fmt;

use super::lexer::{Flavor, Kind, Lexer, Token};
use alter::{alter_action, top_level_actions};
use cursor::Cursor;
use opaque::opaque;

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
