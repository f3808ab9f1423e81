//! What every database's catalog answers in the same shape: tables, views
//! and materialized views, their columns, indexes, foreign keys, triggers,
//! table options and check constraints. The dialects give the queries
//! ([`Queries`]); this reads their rows into the schema, one reader a
//! kind. No SQL of its own.

use super::normalize::{
    Reading, normalize_extra, normalize_space, normalize_type, partial_predicate,
};
use super::rows::{Row, keyed};
use super::{Column, Db, DbError, MaterializedView, Schema, Table, Trigger, View};

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

/// Runs the queries in this order: the objects first, as every other kind
/// is filed under one of them.
pub(super) async fn read(
    db: &mut Db,
    q: &Queries,
    r: &Reading,
    schema: &mut Schema,
) -> Result<(), DbError> {
    objects(r, schema, keyed(db, &q.objects).await?);
    columns(schema, keyed(db, &q.columns).await?);
    indexes(schema, keyed(db, &q.indexes).await?);
    foreign_keys(schema, keyed(db, &q.foreign_keys).await?);
    views(r, schema, keyed(db, &q.views).await?);
    triggers(r, schema, keyed(db, &q.triggers).await?);
    if let Some(sql) = &q.tables {
        tables(r, schema, keyed(db, sql).await?);
    }
    if let Some(sql) = &q.checks {
        checks(r, schema, keyed(db, sql).await?);
    }
    Ok(())
}

fn objects(r: &Reading, schema: &mut Schema, rows: Vec<([String; 2], Row)>) {
    for ([name, kind], _) in rows {
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
}

fn columns(schema: &mut Schema, rows: Vec<([String; 2], Row)>) {
    for ([rel, name], row) in rows {
        if let Some(v) = schema.views.get_mut(&rel) {
            v.columns.push(name);
        } else if let Some(m) = schema.materialized_views.get_mut(&rel) {
            m.columns.push(name);
        } else if let Some(t) = schema.tables.get_mut(&rel) {
            t.columns.push(Column {
                name,
                data_type: normalize_type(&row.string(2)),
                nullable: row.get(3).as_deref() == Some("YES"),
                // MariaDB reports "no default" as the text NULL.
                default: row.get(4).filter(|d| !d.eq_ignore_ascii_case("null")),
                generated: row.get(5).and_then(|g| normalize_extra(&g)),
                charset: row.text(6),
                collation: row.text(7),
                comment: row.text(8),
            });
        }
    }
}

fn indexes(schema: &mut Schema, rows: Vec<([String; 2], Row)>) {
    for ([rel, index], row) in rows {
        let indexes = match (
            schema.tables.get_mut(&rel),
            schema.materialized_views.get_mut(&rel),
        ) {
            (Some(t), _) => &mut t.indexes,
            (None, Some(m)) => &mut m.indexes,
            (None, None) => continue,
        };
        let entry = indexes.entry(index).or_default();
        entry.unique = row.int(2) == Some(0);
        let key = row.string(3);
        if row.int(6) == Some(1) {
            entry.include.push(key);
        } else {
            entry.columns.push(key);
        }
        entry.predicate = row.get(4).map(|p| partial_predicate(&p));
        entry.method = row.text(5);
        entry.comment = row.text(7);
    }
}

fn foreign_keys(schema: &mut Schema, rows: Vec<([String; 2], Row)>) {
    for ([table, name], row) in rows {
        if let Some(t) = schema.tables.get_mut(&table) {
            let fk = t.foreign_keys.entry(name).or_default();
            fk.columns.push(row.string(2));
            fk.references = row.string(3);
            fk.referenced_columns.push(row.string(4));
            fk.on_update = row.string(5).to_ascii_uppercase();
            fk.on_delete = row.string(6).to_ascii_uppercase();
        }
    }
}

fn views(r: &Reading, schema: &mut Schema, rows: Vec<([String; 1], Row)>) {
    for ([name], row) in rows {
        let definition = r.clean(&row.string(1));
        let (options, comment) = (row.text(2), row.text(3));
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
}

fn triggers(r: &Reading, schema: &mut Schema, rows: Vec<([String; 2], Row)>) {
    for ([name, table], row) in rows {
        if !r.keep(&table) {
            continue;
        }
        let trigger = schema
            .triggers
            .entry(table)
            .or_default()
            .entry(name)
            .or_insert_with(|| Trigger {
                timing: row.string(2),
                events: Vec::new(),
                body: r.clean(&row.string(4)),
                sql_mode: row.text(5),
                state: row.text(6),
            });
        trigger.events.extend(
            row.string(3)
                .split(',')
                .filter(|e| !e.is_empty())
                .map(str::to_string),
        );
        trigger.events.sort();
        trigger.events.dedup();
    }
}

fn tables(r: &Reading, schema: &mut Schema, rows: Vec<([String; 1], Row)>) {
    for ([name], row) in rows {
        let Some(t) = schema.tables.get_mut(&name) else {
            continue;
        };
        t.engine = row.text(1);
        t.collation = row.text(2);
        t.options = row.text(3).map(|o| normalize_space(&o));
        t.comment = row.text(4);
        t.partition_by = row.text(5).map(|p| r.clean(&p));
        t.partition_of = row.text(6).map(|p| r.clean(&p));
    }
}

fn checks(r: &Reading, schema: &mut Schema, rows: Vec<([String; 2], Row)>) {
    for ([table, name], row) in rows {
        if let Some(t) = schema.tables.get_mut(&table) {
            t.checks.insert(name, r.clean(&row.string(2)));
        }
    }
}
