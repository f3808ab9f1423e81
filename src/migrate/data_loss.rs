//! Before a revert: which tables and columns its down files would destroy,
//! and how many rows live there now. Renames made by earlier down files in
//! the same revert are followed, so a table parked under another name is
//! counted where it really is. Read-only.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::source::MigrationFile;
use crate::db::{Db, DbError, introspect};
use crate::sql::{Effect, split_statements, statement_effects};

#[derive(Debug, Clone, Serialize)]
pub struct LossItem {
    pub path: String,
    pub line: usize,
    pub table: String,
    pub column: Option<String>,
    pub rows: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DataLoss {
    pub items: Vec<LossItem>,
}

impl DataLoss {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl fmt::Display for DataLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to revert: it would destroy data (rerun with --allow-data-loss to proceed)"
        )?;
        for item in &self.items {
            match &item.column {
                Some(c) => write!(
                    f,
                    "\n  {}:{}: drops column {}.{} holding {} non-null values",
                    item.path, item.line, item.table, c, item.rows
                )?,
                None => write!(
                    f,
                    "\n  {}:{}: drops table {} holding {} rows",
                    item.path, item.line, item.table, item.rows
                )?,
            }
        }
        Ok(())
    }
}

/// Walks the down files of `steps` in the order they would run.
pub async fn assess(db: &mut Db, steps: &[&MigrationFile]) -> Result<DataLoss, DbError> {
    // Name a down file will use -> name the table has in the database now.
    let mut physical: HashMap<String, String> = HashMap::new();
    let resolve = |physical: &HashMap<String, String>, name: &str| {
        physical
            .get(&name.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    let mut loss = DataLoss::default();
    for m in steps {
        let Some(down) = &m.down else { continue };
        for stmt in split_statements(&down.sql) {
            for effect in statement_effects(&stmt.text) {
                let (table, column) = match effect {
                    Effect::RenameTable { from, to } => {
                        let real = resolve(&physical, &from);
                        physical.remove(&from.to_ascii_lowercase());
                        physical.insert(to.to_ascii_lowercase(), real);
                        continue;
                    }
                    Effect::DropTable { table } | Effect::TruncateTable { table } => (table, None),
                    Effect::DropColumn { table, column } => (table, Some(column)),
                    Effect::RenameColumn { .. } | Effect::DropView { .. } => continue,
                };
                let real = resolve(&physical, &table);
                if !introspect::table_exists(db, &real).await? {
                    continue;
                }
                if let Some(c) = &column
                    && !introspect::column_exists(db, &real, c).await?
                {
                    continue;
                }
                let rows = introspect::count_rows(db, &real, column.as_deref()).await?;
                if rows > 0 {
                    loss.items.push(LossItem {
                        path: down.path.clone(),
                        line: stmt.line,
                        table: real,
                        column,
                        rows,
                    });
                }
            }
        }
    }
    Ok(loss)
}
