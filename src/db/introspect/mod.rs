//! Reading the live schema into a normalized, sorted description that can be
//! compared, diffed and stored as a snapshot: tables (columns, indexes,
//! foreign keys, check constraints, partitioning, options, comments), views,
//! materialized views, triggers, functions and procedures, events,
//! sequences, domains, enum types and rules, as far as each database has
//! them. Also the small existence and row-count questions the engines ask
//! before they act. Reads only; never changes the schema. The per-dialect
//! catalog queries live here and nowhere else: the kinds every database
//! has in `common` (its queries given by each dialect), each database's
//! own in its submodule, the small questions in `lookup`.

mod common;
mod lookup;
mod model;
mod mysql;
mod normalize;
mod postgres;
mod rows;
mod sqlite;
mod sqlite_ddl;

pub use lookup::{
    base_tables, column_exists, count_rows, count_rows_in, full_unique_keys, has_index_led_by,
    table_columns, table_exists,
};
pub use model::{
    Column, Domain, Event, ForeignKey, Index, MaterializedView, Partition, Routine, Schema,
    Sequence, Table, Trigger, View,
};

use super::{Db, DbError, Dialect};
use normalize::Reading;

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

/// Reads the schema. `include_internal` keeps mendb's and refinery's tables.
pub async fn read_schema(db: &mut Db, include_internal: bool) -> Result<Schema, DbError> {
    let dialect = db.dialect();
    let own_prefix = match dialect {
        Dialect::Mysql => Some(format!("`{}`.", db.url().database_name())),
        Dialect::Postgres => rows::rows(db, "SELECT quote_ident(current_schema())")
            .await?
            .first()
            .and_then(|r| r.get(0))
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
            common::read(db, &q, &reading, &mut schema).await?;
            mysql::read(db, &reading, &mut schema).await?;
        }
        Dialect::Postgres => {
            common::read(db, &postgres::queries(), &reading, &mut schema).await?;
            postgres::read(db, &reading, &mut schema).await?;
        }
        Dialect::Sqlite => {
            common::read(db, &sqlite::queries(), &reading, &mut schema).await?;
            sqlite::read(db, &mut schema).await?;
        }
    }
    Ok(schema)
}
