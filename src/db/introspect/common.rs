//! What every database's catalog answers in the same shape: tables, views
//! and materialized views, their columns, indexes, foreign keys, triggers,
//! table options and check constraints. The dialects give the queries
//! ([`Queries`]); this reads their rows into the schema. No SQL of its
//! own.

use super::normalize::{
    Reading, normalize_extra, normalize_space, normalize_type, partial_predicate,
};
use super::{Column, Db, DbError, MaterializedView, Schema, Table, Trigger, View};
use crate::db::{get_i64, get_string};

/// The catalog queries, one a kind. Each returns its columns in the order
/// its reader here expects; views' columns are in the columns query too.
/// `None` where the database has no such thing in its catalog (SQLite's
/// are read from its CREATE text).
pub(super) struct Queries {
    /// (name, 'BASE TABLE' | 'VIEW' | 'MATERIALIZED VIEW')
    pub(super) objects: String,
    /// (relation, column, type, 'YES' | 'NO', default, generated,
    /// character set, collation, comment)
    pub(super) columns: String,
    /// (relation, index, 0 when unique, column or expression, predicate,
    /// method, 1 for an INCLUDE column, comment)
    pub(super) indexes: String,
    /// (table, constraint, column, referenced table, referenced column,
    /// on update, on delete)
    pub(super) foreign_keys: String,
    /// (view or materialized view, definition, options, comment)
    pub(super) views: String,
    /// (trigger, table, timing, events comma-separated, body, sql_mode,
    /// state)
    pub(super) triggers: String,
    /// (table, engine, collation, options, comment, partition key,
    /// partition of)
    pub(super) tables: Option<String>,
    /// (table, constraint, CHECK clause)
    pub(super) checks: Option<String>,
}

/// Text of a column, none when NULL or empty.
pub(super) fn text(row: &sqlx::any::AnyRow, idx: usize) -> Option<String> {
    get_string(row, idx).filter(|s| !s.is_empty())
}

pub(super) async fn read(
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
