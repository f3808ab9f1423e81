//! The one way the schema readers walk a catalog query's rows: by
//! position, keyed by the names that say where each row belongs. No SQL of
//! its own; what a row means is its reader's.

use sqlx::any::AnyRow;

use crate::db::{Db, DbError, get_i64, get_string};

/// One row of a catalog query.
pub(super) struct Row(AnyRow);

impl Row {
    /// None when NULL.
    pub(super) fn get(&self, idx: usize) -> Option<String> {
        get_string(&self.0, idx)
    }

    /// Empty when NULL.
    pub(super) fn string(&self, idx: usize) -> String {
        self.get(idx).unwrap_or_default()
    }

    /// None when NULL or empty.
    pub(super) fn text(&self, idx: usize) -> Option<String> {
        self.get(idx).filter(|s| !s.is_empty())
    }

    pub(super) fn int(&self, idx: usize) -> Option<i64> {
        get_i64(&self.0, idx)
    }
}

/// Every row of `sql`.
pub(super) async fn rows(db: &mut Db, sql: &str) -> Result<Vec<Row>, DbError> {
    Ok(db.fetch(sql, &[]).await?.into_iter().map(Row).collect())
}

/// The rows of `sql` whose first `N` values are not NULL, with those
/// values: the object's name and what it belongs to. A row without them
/// names nothing a schema could hold, so it is passed over.
pub(super) async fn keyed<const N: usize>(
    db: &mut Db,
    sql: &str,
) -> Result<Vec<([String; N], Row)>, DbError> {
    Ok(rows(db, sql)
        .await?
        .into_iter()
        .filter_map(|row| {
            let mut keys = [const { String::new() }; N];
            for (idx, key) in keys.iter_mut().enumerate() {
                *key = row.get(idx)?;
            }
            Some((keys, row))
        })
        .collect())
}
