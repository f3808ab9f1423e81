//! Reading the live schema into a normalized, sorted description that can be
//! compared, diffed and stored as a snapshot: tables, columns, indexes,
//! foreign keys, views and triggers. Also the small existence and row-count
//! questions the engines ask before they act. Reads only; never changes the
//! schema. The per-dialect catalog queries live here and nowhere else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Db, DbError, Dialect, get_i64, get_string};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    pub views: BTreeMap<String, View>,
    pub triggers: BTreeMap<String, Trigger>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Table {
    /// In the table's column order.
    pub columns: Vec<Column>,
    pub indexes: BTreeMap<String, Index>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_keys: BTreeMap<String, ForeignKey>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// Lowercase, as the server reports it, without MySQL integer display
    /// widths (`int(11)` and `int` are the same type).
    pub data_type: String,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Filled by the database itself: `auto_increment`, `identity`,
    /// `rowid`, `generated stored`, `on update current_timestamp()`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
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
    /// Column names, `name(n)` for a MySQL prefix, or the expression.
    pub columns: Vec<String>,
    /// The WHERE clause of a partial index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
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
pub struct View {
    pub columns: Vec<String>,
    /// As the server reports it, whitespace collapsed and the database's
    /// own name taken out of qualified names.
    pub definition: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    pub table: String,
    pub timing: String,
    pub events: Vec<String>,
    /// The trigger's statement (MySQL), definition (PostgreSQL, which keeps
    /// the body in a function) or CREATE text (SQLite), whitespace collapsed.
    pub body: String,
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

struct Queries {
    /// (name, 'VIEW' | 'BASE TABLE')
    objects: &'static str,
    /// (table or view, column, type, 'YES' | 'NO', default, generated)
    columns: &'static str,
    /// (table, index, 0 when unique, column or expression, predicate)
    indexes: &'static str,
    /// (table, constraint, column, referenced table, referenced column,
    /// on update, on delete)
    foreign_keys: &'static str,
    /// (view, definition)
    views: &'static str,
    /// (trigger, table, timing, events comma-separated, body)
    triggers: &'static str,
}

/// Every query returns its columns in the order the readers below expect,
/// views' columns included.
fn queries(dialect: Dialect) -> Queries {
    match dialect {
        Dialect::Mysql => Queries {
            objects: "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES \
                      WHERE TABLE_SCHEMA = DATABASE()",
            columns: "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA \
                      FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                      ORDER BY TABLE_NAME, ORDINAL_POSITION",
            indexes: "SELECT TABLE_NAME, INDEX_NAME, CAST(NON_UNIQUE AS SIGNED), \
                             CONCAT(COLUMN_NAME, CASE WHEN SUB_PART IS NULL THEN '' ELSE CONCAT('(', SUB_PART, ')') END), \
                             NULL \
                      FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
                      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            foreign_keys: "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, \
                                  k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE \
                           FROM information_schema.KEY_COLUMN_USAGE k \
                           JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
                             ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
                            AND r.TABLE_NAME = k.TABLE_NAME \
                           WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
                           ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            views: "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS \
                    WHERE TABLE_SCHEMA = DATABASE()",
            triggers: "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT \
                       FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
        },
        Dialect::Postgres => Queries {
            objects: "SELECT c.relname::text, CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'BASE TABLE' END \
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v')",
            columns: "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                             CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END, \
                             CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END, \
                             CASE WHEN a.attidentity = 'a' THEN 'identity always' \
                                  WHEN a.attidentity = 'd' THEN 'identity by default' \
                                  WHEN a.attgenerated = 's' THEN 'generated stored: ' || pg_get_expr(d.adbin, d.adrelid) END \
                      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                      JOIN pg_namespace n ON n.oid = c.relnamespace \
                      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v') \
                        AND a.attnum > 0 AND NOT a.attisdropped \
                      ORDER BY c.relname, a.attnum",
            indexes: "SELECT t.relname::text, i.relname::text, CASE WHEN ix.indisunique THEN 0 ELSE 1 END, \
                             pg_get_indexdef(ix.indexrelid, k.n, true), pg_get_expr(ix.indpred, ix.indrelid, true) \
                      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
                      JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
                      CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts) AS k(n) \
                      WHERE ns.nspname = current_schema() ORDER BY 1, 2, k.n",
            foreign_keys: "SELECT c.relname::text, con.conname::text, a.attname::text, rc.relname::text, ra.attname::text, \
                                  CASE con.confupdtype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                                       WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END, \
                                  CASE con.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                                       WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END \
                           FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
                           JOIN pg_namespace n ON n.oid = c.relnamespace \
                           JOIN pg_class rc ON rc.oid = con.confrelid \
                           CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(col, refcol, pos) \
                           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col \
                           JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refcol \
                           WHERE con.contype = 'f' AND n.nspname = current_schema() \
                           ORDER BY 1, 2, k.pos",
            views: "SELECT viewname::text, definition::text FROM pg_views WHERE schemaname = current_schema()",
            triggers: "SELECT t.tgname::text, c.relname::text, \
                              CASE WHEN t.tgtype & 2 = 2 THEN 'BEFORE' WHEN t.tgtype & 64 = 64 THEN 'INSTEAD OF' ELSE 'AFTER' END, \
                              concat_ws(',', CASE WHEN t.tgtype & 4 = 4 THEN 'INSERT' END, \
                                             CASE WHEN t.tgtype & 16 = 16 THEN 'UPDATE' END, \
                                             CASE WHEN t.tgtype & 8 = 8 THEN 'DELETE' END), \
                              pg_get_triggerdef(t.oid) || ' ' || coalesce(p.prosrc, '') \
                       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                       JOIN pg_namespace n ON n.oid = c.relnamespace \
                       LEFT JOIN pg_proc p ON p.oid = t.tgfoid \
                       WHERE n.nspname = current_schema() AND NOT t.tgisinternal",
        },
        Dialect::Sqlite => Queries {
            objects: "SELECT name, CASE type WHEN 'view' THEN 'VIEW' ELSE 'BASE TABLE' END \
                      FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
            // An INTEGER PRIMARY KEY is the rowid: NOT NULL, and filled by
            // SQLite when an INSERT leaves it out.
            columns: "SELECT m.name, p.name, lower(p.type), \
                             CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 AND upper(p.type) = 'INTEGER' THEN 'NO' ELSE 'YES' END, \
                             p.dflt_value, CASE WHEN p.pk > 0 AND upper(p.type) = 'INTEGER' THEN 'rowid' END \
                      FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                      WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
            indexes: "SELECT m.name, il.name, CASE WHEN il.\"unique\" = 1 THEN 0 ELSE 1 END, \
                             coalesce(ii.name, '(expression)'), \
                             CASE WHEN il.partial = 1 THEN s.sql END \
                      FROM sqlite_master m JOIN pragma_index_list(m.name) il \
                      JOIN pragma_index_xinfo(il.name) ii \
                      LEFT JOIN sqlite_master s ON s.type = 'index' AND s.name = il.name \
                      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND ii.key = 1 \
                      ORDER BY m.name, il.name, ii.seqno",
            foreign_keys: "SELECT m.name, 'fk_' || m.name || '_' || f.id, f.\"from\", f.\"table\", f.\"to\", \
                                  f.on_update, f.on_delete \
                           FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
                           WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                           ORDER BY m.name, f.id, f.seq",
            views: "SELECT name, sql FROM sqlite_master WHERE type = 'view'",
            triggers: "SELECT name, tbl_name, \
                              CASE WHEN upper(sql) LIKE '% BEFORE %' THEN 'BEFORE' \
                                   WHEN upper(sql) LIKE '% INSTEAD OF %' THEN 'INSTEAD OF' ELSE 'AFTER' END, \
                              CASE WHEN upper(sql) LIKE '% INSERT ON %' THEN 'INSERT' \
                                   WHEN upper(sql) LIKE '% DELETE ON %' THEN 'DELETE' ELSE 'UPDATE' END, \
                              sql \
                       FROM sqlite_master WHERE type = 'trigger'",
        },
    }
}

/// Reads the schema. `include_internal` keeps mendb's and refinery's tables.
pub async fn read_schema(db: &mut Db, include_internal: bool) -> Result<Schema, DbError> {
    let dialect = db.dialect();
    let q = queries(dialect);
    let keep = |name: &str| include_internal || !is_internal(name);
    // MySQL qualifies names in view definitions with the database's own
    // name; two databases with the same schema must compare equal.
    let own_prefix = match dialect {
        Dialect::Mysql => Some(format!("`{}`.", db.url().database_name())),
        _ => None,
    };
    let clean = |text: &str| {
        let text = normalize_space(text);
        match &own_prefix {
            Some(p) => text.replace(p.as_str(), ""),
            None => text,
        }
    };
    let mut schema = Schema::default();

    for row in db.fetch(q.objects, &[]).await? {
        let (Some(name), Some(kind)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if !keep(&name) {
            continue;
        }
        if kind == "VIEW" {
            schema.views.insert(name, View::default());
        } else {
            schema.tables.insert(name, Table::default());
        }
    }
    for row in db.fetch(q.columns, &[]).await? {
        let (Some(table), Some(name)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if let Some(v) = schema.views.get_mut(&table) {
            v.columns.push(name);
        } else if let Some(t) = schema.tables.get_mut(&table) {
            t.columns.push(Column {
                name,
                data_type: normalize_type(&get_string(&row, 2).unwrap_or_default()),
                nullable: get_string(&row, 3).as_deref() == Some("YES"),
                // MariaDB reports "no default" as the text NULL.
                default: get_string(&row, 4).filter(|d| !d.eq_ignore_ascii_case("null")),
                generated: get_string(&row, 5).and_then(|g| normalize_extra(&g)),
            });
        }
    }
    for row in db.fetch(q.indexes, &[]).await? {
        let (Some(table), Some(index)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if let Some(t) = schema.tables.get_mut(&table) {
            let entry = t.indexes.entry(index).or_default();
            entry.unique = get_i64(&row, 2) == Some(0);
            entry.columns.push(get_string(&row, 3).unwrap_or_default());
            entry.predicate = get_string(&row, 4).map(|p| partial_predicate(&p));
        }
    }
    for row in db.fetch(q.foreign_keys, &[]).await? {
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
    for row in db.fetch(q.views, &[]).await? {
        let Some(name) = get_string(&row, 0) else {
            continue;
        };
        if let Some(v) = schema.views.get_mut(&name) {
            v.definition = clean(&get_string(&row, 1).unwrap_or_default());
        }
    }
    for row in db.fetch(q.triggers, &[]).await? {
        let (Some(name), Some(table)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if !keep(&table) {
            continue;
        }
        let timing = get_string(&row, 2).unwrap_or_default();
        let event = get_string(&row, 3).unwrap_or_default();
        let body = clean(&get_string(&row, 4).unwrap_or_default());
        let trigger = schema.triggers.entry(name).or_insert_with(|| Trigger {
            table,
            timing,
            events: Vec::new(),
            body,
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
    Ok(schema)
}

fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `int(11)` -> `int`, `bigint(20) unsigned` -> `bigint unsigned`: MySQL
/// 8 dropped integer display widths and MariaDB still shows them; they
/// change nothing about the values a column holds.
fn normalize_type(raw: &str) -> String {
    let lower = normalize_space(&raw.to_ascii_lowercase());
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
/// expression.
fn normalize_extra(raw: &str) -> Option<String> {
    let extra = raw
        .to_ascii_lowercase()
        .replace("default_generated", "")
        .trim()
        .to_string();
    (!extra.is_empty()).then(|| normalize_space(&extra))
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
