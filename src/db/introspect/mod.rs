//! Reading the live schema into a normalized, sorted description that can be
//! compared, diffed and stored as a snapshot: tables (columns, indexes,
//! foreign keys, check constraints, partitioning, options, comments), views,
//! materialized views, triggers, functions and procedures, events,
//! sequences, domains, enum types and rules, as far as each database has
//! them. Also the small existence and row-count questions the engines ask
//! before they act. Reads only; never changes the schema. The per-dialect
//! catalog queries live here and nowhere else: the shared shapes in this
//! file, each database's own in its submodule.

mod mysql;
mod postgres;
mod sqlite;
mod sqlite_ddl;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Db, DbError, Dialect, get_i64, get_string};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    pub views: BTreeMap<String, View>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub materialized_views: BTreeMap<String, MaterializedView>,
    /// By the table (or view) they are on, then by name: PostgreSQL names
    /// triggers per table, and a real schema reuses a name on many tables.
    pub triggers: BTreeMap<String, BTreeMap<String, Trigger>>,
    /// PostgreSQL: by `name(argument types)`, as overloads are told apart;
    /// MySQL: by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Routine>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub procedures: BTreeMap<String, Routine>,
    /// MySQL's scheduled events.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, Event>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<String, Sequence>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, Domain>,
    /// PostgreSQL enum types: their labels in sort order.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub enum_types: BTreeMap<String, Vec<String>>,
    /// PostgreSQL rules, by the relation they are on, then by name: the
    /// `CREATE RULE` text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, BTreeMap<String, String>>,
}

impl Schema {
    /// How many triggers, over every table.
    pub fn trigger_count(&self) -> usize {
        self.triggers.values().map(BTreeMap::len).sum()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Table {
    /// In the table's column order.
    pub columns: Vec<Column>,
    pub indexes: BTreeMap<String, Index>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_keys: BTreeMap<String, ForeignKey>,
    /// Check constraints by name: `CHECK (...)`, as the database prints it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, String>,
    /// `RANGE (year(created))`, with `SUBPARTITION BY ...` on MySQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// MySQL's partitions, in their order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<Partition>,
    /// A PostgreSQL partition: `parent FOR VALUES ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<String>,
    /// MySQL's storage engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// MySQL's default collation for the table's text columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// What else the table was created with: MySQL's create options,
    /// PostgreSQL's `UNLOGGED`, access method, storage parameters and
    /// `INHERITS`, SQLite's `WITHOUT ROWID` and `STRICT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// Lowercase outside quoted ENUM/SET values, as the server reports it,
    /// without MySQL integer display widths (`int(11)` and `int` are the
    /// same type).
    pub data_type: String,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Filled by the database itself: `auto_increment`, `identity`,
    /// `rowid`, `generated stored: <expression>`, `on update
    /// current_timestamp()`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// MySQL's character set of a text column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// MySQL: every text column's; PostgreSQL and SQLite: one other than
    /// the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Column {
    /// Whether an INSERT may leave this column out.
    pub fn may_be_omitted(&self) -> bool {
        self.nullable || self.default.is_some() || self.generated.is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Index {
    pub unique: bool,
    /// Column names, `name(n)` for a MySQL prefix, or the expression; with
    /// ` DESC`, `NULLS FIRST`/`LAST`, a collation or operator class that is
    /// not the default.
    pub columns: Vec<String>,
    /// The WHERE clause of a partial index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `BTREE`, `FULLTEXT`, `SPATIAL`, `HASH` (MySQL); `btree`, `gin`,
    /// `gist`, `brin`... (PostgreSQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// PostgreSQL's `INCLUDE` columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references: String,
    pub referenced_columns: Vec<String>,
    pub on_update: String,
    pub on_delete: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Partition {
    pub name: String,
    /// `VALUES LESS THAN (2000)`, `VALUES IN (1,2)`; none for HASH and KEY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subpartitions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct View {
    pub columns: Vec<String>,
    /// As the server reports it, whitespace collapsed and the database's
    /// own name taken out of qualified names.
    pub definition: String,
    /// MySQL's `ALGORITHM=... SQL SECURITY ... WITH ... CHECK OPTION`,
    /// PostgreSQL's `WITH (...)` options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MaterializedView {
    pub columns: Vec<String>,
    pub definition: String,
    pub indexes: BTreeMap<String, Index>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    pub timing: String,
    pub events: Vec<String>,
    /// The trigger's statement (MySQL), `CREATE TRIGGER` text (PostgreSQL,
    /// whose function is compared as a function) or CREATE text (SQLite),
    /// whitespace collapsed.
    pub body: String,
    /// MySQL: the sql_mode it was created under, which its body runs with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_mode: Option<String>,
    /// PostgreSQL: `DISABLED`, `ENABLE REPLICA` or `ENABLE ALWAYS`; none
    /// when it fires as usual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// A function or procedure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Routine {
    /// PostgreSQL's `aggregate` or `window`; none for a plain function or
    /// a procedure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The parameter list as `CREATE` writes it: modes, names, types,
    /// defaults.
    pub arguments: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// PostgreSQL's `LANGUAGE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The body, whitespace collapsed.
    pub body: String,
    /// `DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER`, `STABLE STRICT
    /// PARALLEL SAFE COST 100 SET search_path=public`...
    pub characteristics: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A MySQL scheduled event. When it starts, and when a one-time event
/// runs, are left out: left unsaid in its CREATE, they are the moment it
/// was created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Event {
    /// `EVERY 1 DAY`, `EVERY 1 DAY ENDS '2030-01-01 00:00:00'`, or `AT`
    /// for a one-time event.
    pub schedule: String,
    pub body: String,
    /// `ENABLED`, `DISABLED` or `SLAVESIDE_DISABLED`.
    pub status: String,
    /// `PRESERVE` or `NOT PRESERVE`.
    pub on_completion: String,
    pub sql_mode: String,
    pub time_zone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A sequence's definition; never its current value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sequence {
    pub data_type: String,
    pub start: String,
    pub increment: String,
    pub min: String,
    pub max: String,
    pub cache: String,
    pub cycle: bool,
    /// `table.column` of a serial or identity column, or of `OWNED BY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Domain {
    pub data_type: String,
    pub nullable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The history tables of the migration tools mendb adopts from
/// (`migrate baseline --from`): Flyway, sqlx, golang-migrate and dbmate.
/// After an adoption they stay, untouched, beside mendb's own.
pub const OTHER_TOOLS_HISTORY: [&str; 3] = [
    "flyway_schema_history",
    "_sqlx_migrations",
    "schema_migrations",
];

/// mendb's and refinery's bookkeeping, other migration tools' history
/// tables, and tables parked by a reversible prune, are not part of the
/// project's schema.
pub fn is_internal(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("mendb_")
        || lower.starts_with("refinery_")
        || OTHER_TOOLS_HISTORY.contains(&lower.as_str())
}

/// The catalog queries every database answers in the same shape. Each
/// returns its columns in the order `read_common` expects; views' columns
/// are in the columns query too. `None` where the database has no such
/// thing in its catalog (SQLite's are read from its CREATE text).
struct Queries {
    /// (name, 'BASE TABLE' | 'VIEW' | 'MATERIALIZED VIEW')
    objects: String,
    /// (relation, column, type, 'YES' | 'NO', default, generated,
    /// character set, collation, comment)
    columns: String,
    /// (relation, index, 0 when unique, column or expression, predicate,
    /// method, 1 for an INCLUDE column, comment)
    indexes: String,
    /// (table, constraint, column, referenced table, referenced column,
    /// on update, on delete)
    foreign_keys: String,
    /// (view or materialized view, definition, options, comment)
    views: String,
    /// (trigger, table, timing, events comma-separated, body, sql_mode,
    /// state)
    triggers: String,
    /// (table, engine, collation, options, comment, partition key,
    /// partition of)
    tables: Option<String>,
    /// (table, constraint, CHECK clause)
    checks: Option<String>,
}

/// What the readers filter and clean with.
struct Reading {
    include_internal: bool,
    /// MySQL qualifies names in view definitions with the database's own
    /// name, PostgreSQL the table of a trigger or rule with the schema's;
    /// two databases with the same schema must compare equal.
    own_prefix: Option<String>,
}

impl Reading {
    fn keep(&self, name: &str) -> bool {
        self.include_internal || !is_internal(name)
    }

    fn clean(&self, text: &str) -> String {
        let text = normalize_space(text);
        match &self.own_prefix {
            Some(p) => strip_qualifier(&text, p),
            None => text,
        }
    }
}

/// Reads the schema. `include_internal` keeps mendb's and refinery's tables.
pub async fn read_schema(db: &mut Db, include_internal: bool) -> Result<Schema, DbError> {
    let dialect = db.dialect();
    let own_prefix = match dialect {
        Dialect::Mysql => Some(format!("`{}`.", db.url().database_name())),
        Dialect::Postgres => db
            .fetch("SELECT quote_ident(current_schema())", &[])
            .await?
            .first()
            .and_then(|r| get_string(r, 0))
            .map(|s| format!("{s}.")),
        Dialect::Sqlite => None,
    };
    let reading = Reading {
        include_internal,
        own_prefix,
    };
    let mut schema = Schema::default();
    match dialect {
        Dialect::Mysql => {
            let q = mysql::queries(db).await?;
            read_common(db, &q, &reading, &mut schema).await?;
            mysql::read(db, &reading, &mut schema).await?;
        }
        Dialect::Postgres => {
            read_common(db, &postgres::queries(), &reading, &mut schema).await?;
            postgres::read(db, &reading, &mut schema).await?;
        }
        Dialect::Sqlite => {
            read_common(db, &sqlite::queries(), &reading, &mut schema).await?;
            sqlite::read(db, &mut schema).await?;
        }
    }
    Ok(schema)
}

/// Text of a column, none when NULL or empty.
fn text(row: &sqlx::any::AnyRow, idx: usize) -> Option<String> {
    get_string(row, idx).filter(|s| !s.is_empty())
}

async fn read_common(
    db: &mut Db,
    q: &Queries,
    r: &Reading,
    schema: &mut Schema,
) -> Result<(), DbError> {
    for row in db.fetch(&q.objects, &[]).await? {
        let (Some(name), Some(kind)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if !r.keep(&name) {
            continue;
        }
        match kind.as_str() {
            "VIEW" => {
                schema.views.insert(name, View::default());
            }
            "MATERIALIZED VIEW" => {
                schema
                    .materialized_views
                    .insert(name, MaterializedView::default());
            }
            "BASE TABLE" => {
                schema.tables.insert(name, Table::default());
            }
            _ => {}
        }
    }
    for row in db.fetch(&q.columns, &[]).await? {
        let (Some(rel), Some(name)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if let Some(v) = schema.views.get_mut(&rel) {
            v.columns.push(name);
        } else if let Some(m) = schema.materialized_views.get_mut(&rel) {
            m.columns.push(name);
        } else if let Some(t) = schema.tables.get_mut(&rel) {
            t.columns.push(Column {
                name,
                data_type: normalize_type(&get_string(&row, 2).unwrap_or_default()),
                nullable: get_string(&row, 3).as_deref() == Some("YES"),
                // MariaDB reports "no default" as the text NULL.
                default: get_string(&row, 4).filter(|d| !d.eq_ignore_ascii_case("null")),
                generated: get_string(&row, 5).and_then(|g| normalize_extra(&g)),
                charset: text(&row, 6),
                collation: text(&row, 7),
                comment: text(&row, 8),
            });
        }
    }
    for row in db.fetch(&q.indexes, &[]).await? {
        let (Some(rel), Some(index)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        let indexes = match (
            schema.tables.get_mut(&rel),
            schema.materialized_views.get_mut(&rel),
        ) {
            (Some(t), _) => &mut t.indexes,
            (None, Some(m)) => &mut m.indexes,
            (None, None) => continue,
        };
        let entry = indexes.entry(index).or_default();
        entry.unique = get_i64(&row, 2) == Some(0);
        let key = get_string(&row, 3).unwrap_or_default();
        if get_i64(&row, 6) == Some(1) {
            entry.include.push(key);
        } else {
            entry.columns.push(key);
        }
        entry.predicate = get_string(&row, 4).map(|p| partial_predicate(&p));
        entry.method = text(&row, 5);
        entry.comment = text(&row, 7);
    }
    for row in db.fetch(&q.foreign_keys, &[]).await? {
        let (Some(table), Some(name)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if let Some(t) = schema.tables.get_mut(&table) {
            let fk = t.foreign_keys.entry(name).or_default();
            fk.columns.push(get_string(&row, 2).unwrap_or_default());
            fk.references = get_string(&row, 3).unwrap_or_default();
            fk.referenced_columns
                .push(get_string(&row, 4).unwrap_or_default());
            fk.on_update = get_string(&row, 5).unwrap_or_default().to_ascii_uppercase();
            fk.on_delete = get_string(&row, 6).unwrap_or_default().to_ascii_uppercase();
        }
    }
    for row in db.fetch(&q.views, &[]).await? {
        let Some(name) = get_string(&row, 0) else {
            continue;
        };
        let definition = r.clean(&get_string(&row, 1).unwrap_or_default());
        let (options, comment) = (text(&row, 2), text(&row, 3));
        if let Some(v) = schema.views.get_mut(&name) {
            *v = View {
                columns: std::mem::take(&mut v.columns),
                definition,
                options,
                comment,
            };
        } else if let Some(m) = schema.materialized_views.get_mut(&name) {
            m.definition = definition;
            m.options = options;
            m.comment = comment;
        }
    }
    for row in db.fetch(&q.triggers, &[]).await? {
        let (Some(name), Some(table)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if !r.keep(&table) {
            continue;
        }
        let event = get_string(&row, 3).unwrap_or_default();
        let trigger = schema
            .triggers
            .entry(table)
            .or_default()
            .entry(name)
            .or_insert_with(|| Trigger {
                timing: get_string(&row, 2).unwrap_or_default(),
                events: Vec::new(),
                body: r.clean(&get_string(&row, 4).unwrap_or_default()),
                sql_mode: text(&row, 5),
                state: text(&row, 6),
            });
        trigger.events.extend(
            event
                .split(',')
                .filter(|e| !e.is_empty())
                .map(str::to_string),
        );
        trigger.events.sort();
        trigger.events.dedup();
    }
    if let Some(sql) = &q.tables {
        for row in db.fetch(sql, &[]).await? {
            let Some(t) = get_string(&row, 0).and_then(|n| schema.tables.get_mut(&n)) else {
                continue;
            };
            t.engine = text(&row, 1);
            t.collation = text(&row, 2);
            t.options = text(&row, 3).map(|o| normalize_space(&o));
            t.comment = text(&row, 4);
            t.partition_by = text(&row, 5).map(|p| r.clean(&p));
            t.partition_of = text(&row, 6).map(|p| r.clean(&p));
        }
    }
    if let Some(sql) = &q.checks {
        for row in db.fetch(sql, &[]).await? {
            let (Some(table), Some(name)) = (get_string(&row, 0), get_string(&row, 1)) else {
                continue;
            };
            if let Some(t) = schema.tables.get_mut(&table) {
                let clause = r.clean(&get_string(&row, 2).unwrap_or_default());
                t.checks.insert(name, clause);
            }
        }
    }
    Ok(())
}

/// `text` without `prefix` where it starts a qualified name, not where it
/// ends a longer one (`public.` in `public.film`, not in `mypublic.film`).
fn strip_qualifier(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back().or(out.chars().next_back());
        let joined = before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        out.push_str(&rest[..at]);
        if joined {
            out.push_str(prefix);
        }
        rest = &rest[at + prefix.len()..];
    }
    out.push_str(rest);
    out
}

fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercase, except inside single-quoted strings and double-quoted
/// names: ENUM and SET values keep their case, which is part of what the
/// column stores, and so do PostgreSQL type names that had to be quoted.
fn lowercase_outside_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            // A doubled quote closes and reopens the string, which leaves
            // the state as it was.
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// `int(11)` -> `int`, `bigint(20) unsigned` -> `bigint unsigned`: MySQL
/// 8 dropped integer display widths and MariaDB still shows them; they
/// change nothing about the values a column holds.
fn normalize_type(raw: &str) -> String {
    let lower = normalize_space(&lowercase_outside_quotes(raw));
    const INTEGERS: [&str; 6] = [
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "integer",
        "bigint",
    ];
    if let Some((base, rest)) = lower.split_once('(')
        && INTEGERS.contains(&base)
        && let Some((width, tail)) = rest.split_once(')')
        && width.chars().all(|c| c.is_ascii_digit())
        // tinyint(1) is how MySQL spells BOOLEAN; keep it apart.
        && !(base == "tinyint" && width == "1")
    {
        return format!("{base}{tail}");
    }
    lower
}

/// MySQL's EXTRA, without the words that only say a default is an
/// expression. A generation expression after the colon keeps its case.
fn normalize_extra(raw: &str) -> Option<String> {
    let (words, expression) = match raw.split_once(": ") {
        Some((w, e)) => (w, Some(e)),
        None => (raw, None),
    };
    let words = words
        .to_ascii_lowercase()
        .replace("default_generated", "")
        .trim()
        .to_string();
    let words = normalize_space(&words);
    match expression {
        Some(e) => Some(format!("{words}: {}", normalize_space(e))),
        None => (!words.is_empty()).then_some(words),
    }
}

/// The WHERE clause of a partial index: PostgreSQL gives it alone, SQLite
/// only within the CREATE INDEX text.
fn partial_predicate(text: &str) -> String {
    let upper = text.to_ascii_uppercase();
    let clause = match upper.rfind(" WHERE ") {
        Some(at) => &text[at + " WHERE ".len()..],
        None => text,
    };
    normalize_space(clause.trim().trim_end_matches(';'))
}

/// Whether a table (not a view) of that name exists.
pub async fn table_exists(db: &mut Db, table: &str) -> Result<bool, DbError> {
    let sql = match db.dialect() {
        Dialect::Mysql => format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME = {}",
            db.dialect().param(1)
        ),
        Dialect::Postgres => {
            "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = $1"
                .to_string()
        }
        Dialect::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?".to_string()
        }
    };
    let rows = db.fetch(&sql, &[table]).await?;
    Ok(rows.first().and_then(|r| get_i64(r, 0)).unwrap_or(0) > 0)
}

/// Whether `table` has a column named `column`.
pub async fn column_exists(db: &mut Db, table: &str, column: &str) -> Result<bool, DbError> {
    let schema_filter = match db.dialect() {
        Dialect::Mysql => "TABLE_SCHEMA = DATABASE()",
        Dialect::Postgres => "table_schema = current_schema()",
        Dialect::Sqlite => "",
    };
    let (sql, params): (String, Vec<&str>) = match db.dialect() {
        Dialect::Sqlite => (
            "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?".into(),
            vec![table, column],
        ),
        d => (
            format!(
                "SELECT COUNT(*) FROM information_schema.columns WHERE {schema_filter} \
                 AND table_name = {} AND column_name = {}",
                d.param(1),
                d.param(2)
            ),
            vec![table, column],
        ),
    };
    let rows = db.fetch(&sql, &params).await?;
    Ok(rows.first().and_then(|r| get_i64(r, 0)).unwrap_or(0) > 0)
}

/// Rows in `table`, or rows holding a non-NULL `column` when one is given.
pub async fn count_rows(db: &mut Db, table: &str, column: Option<&str>) -> Result<i64, DbError> {
    let d = db.dialect();
    let filter = column
        .map(|c| format!(" WHERE {} IS NOT NULL", d.quote_ident(c)))
        .unwrap_or_default();
    let sql = format!("SELECT COUNT(*) FROM {}{filter}", d.quote_ident(table));
    Ok(db.scalar_i64(&sql).await?.unwrap_or(0))
}

/// The unique keys of `table` that enforce uniqueness of whole column
/// values: each as its column names in index order. Left out are keys a
/// database cannot use as a conflict target or that only constrain part of
/// a value: partial and expression indexes, MySQL prefix indexes,
/// PostgreSQL deferrable constraints and `INCLUDE` columns.
pub async fn full_unique_keys(db: &mut Db, table: &str) -> Result<Vec<Vec<String>>, DbError> {
    // Each query returns (index, column or NULL when the index cannot
    // serve), ordered by index then position.
    let sql = match db.dialect() {
        Dialect::Mysql => format!(
            "SELECT INDEX_NAME, CASE WHEN SUB_PART IS NULL THEN COLUMN_NAME END \
             FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {} AND NON_UNIQUE = 0 \
             ORDER BY INDEX_NAME, SEQ_IN_INDEX",
            db.dialect().param(1)
        ),
        Dialect::Postgres => "SELECT i.relname::text, \
                 CASE WHEN ix.indpred IS NULL AND ix.indimmediate THEN a.attname::text END \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, pos) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE n.nspname = current_schema() AND t.relname = $1 AND ix.indisunique \
               AND k.pos <= ix.indnkeyatts \
             ORDER BY 1, k.pos"
            .to_string(),
        Dialect::Sqlite => "SELECT il.name, CASE WHEN il.partial = 0 THEN ii.name END \
             FROM pragma_index_list(?1) il JOIN pragma_index_info(il.name) ii \
             WHERE il.\"unique\" = 1 ORDER BY il.name, ii.seqno"
            .to_string(),
    };
    let mut keys: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    for row in db.fetch(&sql, &[table]).await? {
        let Some(index) = get_string(&row, 0) else {
            continue;
        };
        let entry = keys.entry(index).or_insert_with(|| Some(Vec::new()));
        match (entry.as_mut(), get_string(&row, 1)) {
            (Some(cols), Some(col)) => cols.push(col),
            _ => *entry = None,
        }
    }
    Ok(keys.into_values().flatten().collect())
}

/// Every base table the connection can see, as (schema, table) spelled by
/// the catalog: PostgreSQL's schemas, MySQL's databases (the system ones
/// left out, and temporary tables, which hold no lasting data), SQLite's
/// `main` database.
pub async fn base_tables(db: &mut Db) -> Result<Vec<(String, String)>, DbError> {
    let sql = match db.dialect() {
        Dialect::Mysql => {
            "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES \
             WHERE TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') \
             AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
        }
        Dialect::Postgres => {
            "SELECT n.nspname::text, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
        }
        Dialect::Sqlite => {
            "SELECT 'main', name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
    };
    Ok(db
        .fetch(sql, &[])
        .await?
        .iter()
        .filter_map(|r| Some((get_string(r, 0)?, get_string(r, 1)?)))
        .collect())
}

/// The columns of `schema.table` (catalog spellings), in table order.
pub async fn table_columns(db: &mut Db, schema: &str, table: &str) -> Result<Vec<String>, DbError> {
    let (sql, params): (&str, Vec<&str>) = match db.dialect() {
        Dialect::Mysql => (
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            vec![schema, table],
        ),
        Dialect::Postgres => (
            "SELECT a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
            vec![schema, table],
        ),
        Dialect::Sqlite => (
            "SELECT name FROM pragma_table_info(?1, ?2) ORDER BY cid",
            vec![table, schema],
        ),
    };
    Ok(db
        .fetch(sql, &params)
        .await?
        .iter()
        .filter_map(|r| get_string(r, 0))
        .collect())
}

/// [`count_rows`] of a table in another schema (PostgreSQL) or database
/// (MySQL) than the connection's own; `None` is the connection's own.
pub async fn count_rows_in(
    db: &mut Db,
    schema: Option<&str>,
    table: &str,
    column: Option<&str>,
) -> Result<i64, DbError> {
    let Some(schema) = schema else {
        return count_rows(db, table, column).await;
    };
    let d = db.dialect();
    let filter = column
        .map(|c| format!(" WHERE {} IS NOT NULL", d.quote_ident(c)))
        .unwrap_or_default();
    let sql = format!(
        "SELECT COUNT(*) FROM {}.{}{filter}",
        d.quote_ident(schema),
        d.quote_ident(table)
    );
    Ok(db.scalar_i64(&sql).await?.unwrap_or(0))
}
