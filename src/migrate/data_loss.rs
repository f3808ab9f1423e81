//! Before a revert: which tables and columns its down files would destroy,
//! and how many rows live there now. Before an upgrade (for `verify`): what
//! pending up files drop or rename. Renames made by earlier files in the
//! same run are followed, so a table parked under another name is counted
//! where it really is. A file that destroys or renames on purpose says so
//! with a line `-- mendb:allow-data-loss <reason>` (or
//! `-- mendb:allow-destructive <reason>`); its changes are still reported,
//! with the reason, but need no flag. Read-only.

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

/// The marker lines a reviewed file carries when its data loss or renames
/// are intended; either serves both purposes.
const ALLOW_MARKERS: [&str; 2] = ["-- mendb:allow-data-loss", "-- mendb:allow-destructive"];

fn file_allowance(sql: &str) -> Option<String> {
    sql.lines().find_map(|l| {
        ALLOW_MARKERS
            .iter()
            .find_map(|m| l.trim().strip_prefix(m))
            .map(|reason| reason.trim().to_string())
    })
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

/// A drop, truncation or rename found in a migration file, with the rows
/// it touches on the live database now.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub version: i32,
    pub name: String,
    pub path: String,
    pub line: usize,
    /// `drops`, `truncates` or `renames`.
    pub action: &'static str,
    /// The table where its rows are now (earlier renames followed).
    pub table: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The new name of a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Rows of the table (non-null values of the column); None when the
    /// object does not exist on the live database.
    pub rows: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_by_file: Option<String>,
}

impl Change {
    /// `drops column price_data_real.close (1,204 non-null values)`.
    pub fn describe(&self) -> String {
        let object = match &self.column {
            Some(c) => format!("column {}.{c}", self.table),
            None => format!("table {}", self.table),
        };
        let to = self
            .to
            .as_ref()
            .map(|t| format!(" to {t}"))
            .unwrap_or_default();
        let rows = match (self.rows, &self.column) {
            (None, _) => "not on the live database".to_string(),
            (Some(n), Some(_)) => format!("{n} non-null value(s) on the live database"),
            (Some(n), None) => format!("{n} row(s) on the live database"),
        };
        format!("{} {object}{to} ({rows})", self.action)
    }
}

/// Every drop, truncation and rename of `steps`' files in `direction`, in
/// the order they would run, counted on the live database. Views are left
/// out: they hold no rows.
pub async fn changes(
    db: &mut Db,
    steps: &[&MigrationFile],
    direction: Direction,
) -> Result<Vec<Change>, DbError> {
    // Name a file will use -> name the table has in the database now.
    let mut physical: HashMap<String, String> = HashMap::new();
    let resolve = |physical: &HashMap<String, String>, name: &str| {
        physical
            .get(&name.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    let flavor = db.dialect().sql_flavor();
    let mut out = Vec::new();
    for m in steps {
        let Some(file) = m.file(direction) else {
            continue;
        };
        let allowed = file_allowance(&file.sql);
        for stmt in m.statements(direction) {
            for effect in statement_effects(&stmt.text, flavor) {
                let (action, table, column, to) = match effect {
                    Effect::RenameTable { from, to } => ("renames", from, None, Some(to)),
                    Effect::DropTable { table } => ("drops", table, None, None),
                    Effect::TruncateTable { table } => ("truncates", table, None, None),
                    Effect::DropColumn { table, column } => ("drops", table, Some(column), None),
                    Effect::RenameColumn { table, from, to } => {
                        ("renames", table, Some(from), Some(to))
                    }
                    Effect::DropView { .. } => continue,
                };
                let real = resolve(&physical, &table);
                if column.is_none()
                    && let Some(to) = &to
                {
                    physical.remove(&table.to_ascii_lowercase());
                    physical.insert(to.to_ascii_lowercase(), real.clone());
                }
                let exists = introspect::table_exists(db, &real).await?
                    && match &column {
                        Some(c) => introspect::column_exists(db, &real, c).await?,
                        None => true,
                    };
                let rows = if exists {
                    Some(introspect::count_rows(db, &real, column.as_deref()).await?)
                } else {
                    None
                };
                out.push(Change {
                    version: m.version,
                    name: m.name.clone(),
                    path: file.path.clone(),
                    line: stmt.line,
                    action,
                    table: real,
                    column,
                    to,
                    rows,
                    allowed_by_file: allowed.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Walks the down files of `steps` in the order they would run: the drops
/// and truncations that would destroy rows.
pub async fn assess(db: &mut Db, steps: &[&MigrationFile]) -> Result<DataLoss, DbError> {
    let items = changes(db, steps, Direction::Down)
        .await?
        .into_iter()
        .filter(|c| c.action != "renames")
        .filter_map(|c| {
            let rows = c.rows.filter(|n| *n > 0)?;
            Some(LossItem {
                path: c.path,
                line: c.line,
                table: c.table,
                column: c.column,
                rows,
                allowed_by_file: c.allowed_by_file,
            })
        })
        .collect();
    Ok(DataLoss { items })
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
