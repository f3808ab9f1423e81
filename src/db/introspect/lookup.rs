//! The small questions the engines ask before they act: whether a table or
//! column exists, how many rows a table holds, its whole-value unique keys,
//! whether an index leads with a column, which base tables and columns the
//! connection sees. Each dialect's
//! catalog query for them lives here; nothing here reads the whole schema.

use std::collections::BTreeMap;

use crate::db::{Db, DbError, Dialect, Param, get_i64, get_string};

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
    any_counted(db, &sql, &[table]).await
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
    any_counted(db, &sql, &params).await
}

/// Whether an index of `table` starts with `column` and covers every row
/// (not partial): then the smallest value after a given one, and a value's
/// first and last row in another column's order, are one probe each.
pub async fn has_index_led_by(db: &mut Db, table: &str, column: &str) -> Result<bool, DbError> {
    let sql = match db.dialect() {
        Dialect::Mysql => format!(
            "SELECT COUNT(*) FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {} AND COLUMN_NAME = {} \
               AND SEQ_IN_INDEX = 1 AND SUB_PART IS NULL AND INDEX_TYPE = 'BTREE'",
            db.dialect().param(1),
            db.dialect().param(2)
        ),
        Dialect::Postgres => "SELECT COUNT(*) FROM pg_index ix \
             JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_am am ON am.oid = i.relam \
             JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[0] \
             WHERE n.nspname = current_schema() AND t.relname = $1 AND a.attname = $2 \
               AND ix.indpred IS NULL AND am.amname = 'btree'"
            .to_string(),
        // The rowid table's own key is no index here: a text key column is
        // never it.
        Dialect::Sqlite => "SELECT COUNT(*) FROM pragma_index_list(?1) il \
             JOIN pragma_index_info(il.name) ii \
             WHERE il.partial = 0 AND ii.seqno = 0 AND ii.name = ?2 COLLATE NOCASE"
            .to_string(),
    };
    any_counted(db, &sql, &[table, column]).await
}

/// Whether the `COUNT(*)` of `sql` is above zero.
async fn any_counted(db: &mut Db, sql: &str, params: &[&str]) -> Result<bool, DbError> {
    let rows = db.fetch(sql, &Param::texts(params)).await?;
    Ok(rows.first().and_then(|r| get_i64(r, 0)).unwrap_or(0) > 0)
}

/// Rows in `table`, or rows holding a non-NULL `column` when one is given.
pub async fn count_rows(db: &mut Db, table: &str, column: Option<&str>) -> Result<i64, DbError> {
    count_rows_in(db, None, table, column).await
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
    for row in db.fetch(&sql, &[Param::Text(table)]).await? {
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
        .fetch(sql, &Param::texts(&params))
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
    let d = db.dialect();
    let filter = column
        .map(|c| format!(" WHERE {} IS NOT NULL", d.quote_ident(c)))
        .unwrap_or_default();
    let name = match schema {
        Some(schema) => format!("{}.{}", d.quote_ident(schema), d.quote_ident(table)),
        None => d.quote_ident(table),
    };
    let sql = format!("SELECT COUNT(*) FROM {name}{filter}");
    Ok(db.scalar_i64(&sql).await?.unwrap_or(0))
}
