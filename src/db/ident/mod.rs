//! Which catalog object a name written in SQL denotes, by each database's
//! own rules. Every comparison of a name taken from SQL text (or from a
//! contract, which names objects the way a service's SQL does) with a name
//! the catalog reports goes through here, so the rules live in one place:
//!
//! - PostgreSQL folds a bare name to lower case (ASCII letters only, in a
//!   UTF-8 database) and keeps a quoted one exactly (`U&"..."` included,
//!   its escapes decoded by the SQL reader); both are cut to 63 bytes. Schemas follow the same rules. An unqualified name is taken to
//!   be in `current_schema()` of mendb's connection, the first schema of the
//!   search path that exists. A three-part name must name the connection's
//!   own database.
//! - SQLite compares table, column and database names ignoring ASCII case,
//!   quoted (`"x"`, `` `x` ``, `[x]`, `'x'`) or not; other letters must
//!   match exactly. `main` is the database mendb inspects; `temp` holds
//!   temporary tables.
//! - MySQL/MariaDB compare column names ignoring case (Unicode letters too,
//!   one letter at a time: `ö` is `Ö`, `ß` is not `ss`, `é` is not `e`).
//!   Table and database names follow `lower_case_table_names`: 0 compares
//!   them exactly, 1 stores them in lower case and compares in lower case,
//!   2 stores them as given and compares in lower case.

use super::{Db, DbError, Dialect, get_i64, get_string};
use crate::sql::{Ident, ObjectName};

/// What a name names; MySQL's rules differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Table,
    Column,
    /// A PostgreSQL schema, a MySQL database, an SQLite attached database.
    Schema,
}

/// Where a possibly qualified table name points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A schema (PostgreSQL), database (MySQL) or attached database
    /// (SQLite), spelled as the catalog stores it.
    Schema(String),
    /// SQLite's `temp`: temporary tables hold no lasting data.
    Temporary,
    /// No object the connection can reach: PostgreSQL refuses a
    /// three-part name of another database, and longer names are errors
    /// everywhere.
    Nowhere,
}

/// PostgreSQL's NAMEDATALEN - 1: longer identifiers are cut, with a notice.
const PG_MAX_IDENT_BYTES: usize = 63;

/// The rules of the database mendb is connected to, and the settings of
/// its connection that they depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    dialect: Dialect,
    /// MySQL's `lower_case_table_names`; 0 elsewhere.
    lower_case_table_names: i64,
    /// Where an unqualified name points: PostgreSQL's `current_schema()`,
    /// MySQL's `DATABASE()`, SQLite's `main`.
    default_schema: String,
    /// PostgreSQL's `current_database()`, the one database a three-part
    /// name may name.
    database: String,
}

impl Names {
    pub fn new(
        dialect: Dialect,
        lower_case_table_names: i64,
        default_schema: impl Into<String>,
        database: impl Into<String>,
    ) -> Names {
        Names {
            dialect,
            lower_case_table_names,
            default_schema: default_schema.into(),
            database: database.into(),
        }
    }

    /// Reads the settings from the connection.
    pub async fn of(db: &mut Db) -> Result<Names, DbError> {
        let dialect = db.dialect();
        let sql = match dialect {
            Dialect::Mysql => "SELECT @@lower_case_table_names, DATABASE()",
            Dialect::Postgres => "SELECT 0, current_schema()::text, current_database()::text",
            Dialect::Sqlite => return Ok(Names::new(dialect, 0, "main", "main")),
        };
        let rows = db.fetch(sql, &[]).await?;
        let row = rows.first();
        let text = |i: usize| row.and_then(|r| get_string(r, i)).unwrap_or_default();
        let lower = row.and_then(|r| get_i64(r, 0)).unwrap_or(0);
        Ok(match dialect {
            Dialect::Mysql => Names::new(dialect, lower, text(1), text(1)),
            _ => Names::new(dialect, lower, text(1), text(2)),
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The schema (database) an unqualified name points to.
    pub fn default_schema(&self) -> &str {
        &self.default_schema
    }

    /// The name the database stores for an object created or renamed with
    /// this identifier.
    pub fn stored(&self, ident: &Ident, kind: NameKind) -> String {
        match self.dialect {
            Dialect::Postgres => {
                let folded = if ident.quoted {
                    ident.text.clone()
                } else {
                    ident.text.to_ascii_lowercase()
                };
                truncate_bytes(folded, PG_MAX_IDENT_BYTES)
            }
            Dialect::Sqlite => ident.text.clone(),
            Dialect::Mysql => match kind {
                NameKind::Table | NameKind::Schema if self.lower_case_table_names == 1 => {
                    ident.text.to_lowercase()
                }
                _ => ident.text.clone(),
            },
        }
    }

    /// Whether `ident`, written in SQL, denotes the object the catalog
    /// spells `catalog`.
    pub fn denotes(&self, ident: &Ident, kind: NameKind, catalog: &str) -> bool {
        match self.dialect {
            Dialect::Postgres => self.stored(ident, kind) == catalog,
            Dialect::Sqlite | Dialect::Mysql => self.same(kind, &ident.text, catalog),
        }
    }

    /// Whether two names as the catalog stores them are one object's: what
    /// a database would say if asked for one by the other's spelling,
    /// quoted.
    pub fn same(&self, kind: NameKind, a: &str, b: &str) -> bool {
        match self.dialect {
            Dialect::Postgres => a == b,
            Dialect::Sqlite => a.eq_ignore_ascii_case(b),
            Dialect::Mysql => match kind {
                NameKind::Column => letters_ignoring_case(a, b),
                NameKind::Table | NameKind::Schema if self.lower_case_table_names == 0 => a == b,
                NameKind::Table | NameKind::Schema => letters_ignoring_case(a, b),
            },
        }
    }

    /// Whether `schema` (a catalog spelling) is where unqualified names
    /// point.
    pub fn is_default_schema(&self, schema: &str) -> bool {
        self.same(NameKind::Schema, schema, &self.default_schema)
    }

    /// Where a table name points.
    pub fn place(&self, name: &ObjectName) -> Place {
        match name.qualifier() {
            [] => Place::Schema(self.default_schema.clone()),
            [schema]
                if self.dialect == Dialect::Sqlite && schema.text.eq_ignore_ascii_case("temp") =>
            {
                Place::Temporary
            }
            [schema] => Place::Schema(self.stored(schema, NameKind::Schema)),
            [database, schema]
                if self.dialect == Dialect::Postgres
                    && self.denotes(database, NameKind::Schema, &self.database) =>
            {
                Place::Schema(self.stored(schema, NameKind::Schema))
            }
            _ => Place::Nowhere,
        }
    }

    /// Whether `name`, written in SQL, denotes the table the catalog
    /// spells `table` in schema (database) `schema`.
    pub fn denotes_table(&self, name: &ObjectName, schema: &str, table: &str) -> bool {
        let in_schema = match self.place(name) {
            Place::Schema(s) => self.same(NameKind::Schema, &s, schema),
            Place::Temporary | Place::Nowhere => false,
        };
        in_schema && self.denotes(name.object(), NameKind::Table, table)
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a
/// character boundary, as PostgreSQL cuts identifiers.
fn truncate_bytes(mut s: String, max: usize) -> String {
    if s.len() > max {
        let cut = (0..=max)
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        s.truncate(cut);
    }
    s
}

/// Equal once each letter is lower-cased on its own.
fn letters_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests;
