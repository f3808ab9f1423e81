//! Reading the live schema into a normalized, sorted description that can be
//! compared and diffed: tables, columns, indexes, views and triggers. Also
//! the small existence and row-count questions the engines ask before they
//! act. Reads only; never changes the schema.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Db, DbError, Dialect, get_i64, get_string};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    /// View name to its definition as the server reports it.
    pub views: BTreeMap<String, String>,
    pub triggers: BTreeMap<String, Trigger>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub indexes: BTreeMap<String, Index>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    pub default: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Index {
    pub unique: bool,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub table: String,
    pub timing: String,
    pub events: Vec<String>,
}

/// mendb's and refinery's bookkeeping, and tables parked by a reversible
/// prune, are not part of the project's schema.
pub fn is_internal(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("mendb_") || lower.starts_with("refinery_")
}

struct Queries {
    objects: &'static str,
    columns: &'static str,
    indexes: &'static str,
    views: &'static str,
    triggers: &'static str,
}

/// Every query returns its columns in the order the readers below expect.
fn queries(dialect: Dialect) -> Queries {
    match dialect {
        Dialect::Mysql => Queries {
            objects: "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES \
                      WHERE TABLE_SCHEMA = DATABASE()",
            columns: "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE, c.COLUMN_DEFAULT \
                      FROM information_schema.COLUMNS c JOIN information_schema.TABLES t \
                        ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME \
                      WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' \
                      ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
            indexes: "SELECT TABLE_NAME, INDEX_NAME, CAST(NON_UNIQUE AS SIGNED), COLUMN_NAME \
                      FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
                      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            views: "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS \
                    WHERE TABLE_SCHEMA = DATABASE()",
            triggers: "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION \
                       FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
        },
        Dialect::Postgres => Queries {
            objects: "SELECT c.relname::text, CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'BASE TABLE' END \
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v')",
            columns: "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                             CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END, pg_get_expr(d.adbin, d.adrelid) \
                      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                      JOIN pg_namespace n ON n.oid = c.relnamespace \
                      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
                        AND a.attnum > 0 AND NOT a.attisdropped \
                      ORDER BY c.relname, a.attnum",
            indexes: "SELECT t.relname::text, i.relname::text, CASE WHEN ix.indisunique THEN 0 ELSE 1 END, \
                             pg_get_indexdef(ix.indexrelid, k.n, true) \
                      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
                      JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
                      CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts) AS k(n) \
                      WHERE ns.nspname = current_schema() ORDER BY 1, 2, k.n",
            views: "SELECT viewname::text, definition::text FROM pg_views WHERE schemaname = current_schema()",
            triggers: "SELECT t.tgname::text, c.relname::text, \
                              CASE WHEN t.tgtype & 2 = 2 THEN 'BEFORE' WHEN t.tgtype & 64 = 64 THEN 'INSTEAD OF' ELSE 'AFTER' END, \
                              concat_ws(',', CASE WHEN t.tgtype & 4 = 4 THEN 'INSERT' END, \
                                             CASE WHEN t.tgtype & 16 = 16 THEN 'UPDATE' END, \
                                             CASE WHEN t.tgtype & 8 = 8 THEN 'DELETE' END) \
                       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                       JOIN pg_namespace n ON n.oid = c.relnamespace \
                       WHERE n.nspname = current_schema() AND NOT t.tgisinternal",
        },
        Dialect::Sqlite => Queries {
            objects: "SELECT name, CASE type WHEN 'view' THEN 'VIEW' ELSE 'BASE TABLE' END \
                      FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
            columns: "SELECT m.name, p.name, p.type, CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 AND p.type = 'INTEGER' THEN 'NO' ELSE 'YES' END, p.dflt_value \
                      FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
            indexes: "SELECT m.name, il.name, CASE WHEN il.\"unique\" = 1 THEN 0 ELSE 1 END, ii.name \
                      FROM sqlite_master m JOIN pragma_index_list(m.name) il \
                      JOIN pragma_index_info(il.name) ii \
                      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                      ORDER BY m.name, il.name, ii.seqno",
            views: "SELECT name, sql FROM sqlite_master WHERE type = 'view'",
            triggers: "SELECT name, tbl_name, \
                              CASE WHEN upper(sql) LIKE '% BEFORE %' THEN 'BEFORE' \
                                   WHEN upper(sql) LIKE '% INSTEAD OF %' THEN 'INSTEAD OF' ELSE 'AFTER' END, \
                              CASE WHEN upper(sql) LIKE '% INSERT ON %' THEN 'INSERT' \
                                   WHEN upper(sql) LIKE '% DELETE ON %' THEN 'DELETE' ELSE 'UPDATE' END \
                       FROM sqlite_master WHERE type = 'trigger'",
        },
    }
}

/// Reads the schema. `include_internal` keeps mendb's and refinery's tables.
pub async fn read_schema(db: &mut Db, include_internal: bool) -> Result<Schema, DbError> {
    let q = queries(db.dialect());
    let keep = |name: &str| include_internal || !is_internal(name);
    let mut schema = Schema::default();

    for row in db.fetch(q.objects, &[]).await? {
        let (Some(name), Some(kind)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if keep(&name) && kind != "VIEW" {
            schema.tables.insert(name, Table::default());
        }
    }
    for row in db.fetch(q.columns, &[]).await? {
        let (Some(table), Some(name)) = (get_string(&row, 0), get_string(&row, 1)) else {
            continue;
        };
        if let Some(t) = schema.tables.get_mut(&table) {
            t.columns.push(Column {
                name,
                data_type: get_string(&row, 2).unwrap_or_default().to_ascii_lowercase(),
                nullable: get_string(&row, 3).as_deref() == Some("YES"),
                default: get_string(&row, 4),
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
        }
    }
    for row in db.fetch(q.views, &[]).await? {
        let Some(name) = get_string(&row, 0) else {
            continue;
        };
        if keep(&name) {
            let definition = get_string(&row, 1).unwrap_or_default();
            schema.views.insert(name, normalize_space(&definition));
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
        let trigger = schema.triggers.entry(name).or_insert_with(|| Trigger {
            table,
            timing,
            events: Vec::new(),
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
