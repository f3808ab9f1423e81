//! Before a revert: which tables and columns its down files would destroy,
//! and how many rows live there now. Renames made by earlier down files in
//! the same revert are followed, so a table parked under another name is
//! counted where it really is. A down file that destroys data on purpose
//! says so with a line `-- mendb:allow-data-loss <reason>`; its losses are
//! still reported, with the reason, but need no flag. Read-only.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::log::Direction;
use super::source::MigrationFile;
use crate::db::{Db, DbError, introspect};
use crate::sql::{Effect, statement_effects};

#[derive(Debug, Clone, Serialize)]
pub struct LossItem {
    pub path: String,
    pub line: usize,
    pub table: String,
    pub column: Option<String>,
    pub rows: i64,
    /// The reason given by the file's `-- mendb:allow-data-loss` line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_by_file: Option<String>,
}

/// The marker line a reviewed down file carries when its data loss is intended.
const ALLOW_MARKER: &str = "-- mendb:allow-data-loss";

fn file_allowance(sql: &str) -> Option<String> {
    sql.lines()
        .find_map(|l| l.trim().strip_prefix(ALLOW_MARKER))
        .map(|reason| reason.trim().to_string())
}

impl LossItem {
    fn describe(&self) -> String {
        let what = match &self.column {
            Some(c) => format!(
                "drops column {}.{c} holding {} non-null value(s)",
                self.table, self.rows
            ),
            None => format!("drops table {} holding {} row(s)", self.table, self.rows),
        };
        let allowed = self
            .allowed_by_file
            .as_ref()
            .map(|r| format!(" (allowed by the file: {r})"))
            .unwrap_or_default();
        format!("{}:{}: {what}{allowed}", self.path, self.line)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DataLoss {
    pub items: Vec<LossItem>,
}

impl DataLoss {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Losses no file vouches for: these need `--allow-data-loss`.
    pub fn needs_consent(&self) -> bool {
        self.items.iter().any(|i| i.allowed_by_file.is_none())
    }

    /// One line per loss.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.items.iter().map(LossItem::describe)
    }
}

impl fmt::Display for DataLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to revert: it would destroy data (rerun with --allow-data-loss to proceed)"
        )?;
        for line in self.lines() {
            write!(f, "\n  {line}")?;
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
    let flavor = db.dialect().sql_flavor();
    let mut loss = DataLoss::default();
    for m in steps {
        let Some(down) = m.file(Direction::Down) else {
            continue;
        };
        let allowed = file_allowance(&down.sql);
        for stmt in m.statements(Direction::Down) {
            for effect in statement_effects(&stmt.text, flavor) {
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
                        allowed_by_file: allowed.clone(),
                    });
                }
            }
        }
    }
    Ok(loss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_line_carries_its_reason() {
        let sql = "-- V2 down\n-- mendb:allow-data-loss close is a copy of current_price\nALTER TABLE t DROP COLUMN close;\n";
        assert_eq!(
            file_allowance(sql).as_deref(),
            Some("close is a copy of current_price")
        );
        assert_eq!(file_allowance("DROP TABLE t;\n"), None);
    }
}
