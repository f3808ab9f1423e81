//! Before a revert: which tables and columns its down files would destroy,
//! how many rows live there now, and which statements no pattern can see
//! into (dynamic SQL, procedure calls, anonymous blocks, calls of user
//! functions). Before an upgrade (for `verify`): what pending up files drop
//! or rename. Names are resolved as the database resolves them
//! (`crate::db::ident`), and renames made by earlier statements of the same
//! run, of tables and of columns, are followed, so a table parked under
//! another name is counted where it really is. A file that destroys or
//! renames on purpose says so with a line `-- mendb:allow-data-loss
//! <reason>` (or `-- mendb:allow-destructive <reason>`); its changes are
//! still reported, with the reason, but need no flag. Read-only. This file
//! holds what is reported and which of it needs consent; `replay` finds
//! the changes.

mod replay;

use std::fmt;

use serde::Serialize;

use super::log::Direction;
use super::source::MigrationFile;
use crate::db::{Db, DbError};

pub use replay::changes;

#[derive(Debug, Clone, Serialize)]
pub struct LossItem {
    pub path: String,
    pub line: usize,
    /// As the catalog spells it.
    pub table: String,
    /// The schema (PostgreSQL) or database (MySQL) holding the table, when
    /// it is not the connection's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub column: Option<String>,
    pub rows: i64,
    /// The reason given by the file's `-- mendb:allow-data-loss` line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_by_file: Option<String>,
}

/// A statement whose effects the guard cannot know: it may destroy
/// anything, so it needs the same consent as a loss.
#[derive(Debug, Clone, Serialize)]
pub struct Unanalysed {
    pub path: String,
    pub line: usize,
    /// `dynamic SQL`, `procedure call`, `DO block`...
    pub reason: String,
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

fn allowed_suffix(allowed: &Option<String>) -> String {
    allowed
        .as_ref()
        .map(|r| format!(" (allowed by the file: {r})"))
        .unwrap_or_default()
}

fn qualified(schema: &Option<String>, table: &str) -> String {
    match schema {
        Some(s) => format!("{s}.{table}"),
        None => table.to_string(),
    }
}

impl LossItem {
    fn describe(&self) -> String {
        let table = qualified(&self.schema, &self.table);
        let what = match &self.column {
            Some(c) => format!(
                "drops column {table}.{c} holding {} non-null value(s)",
                self.rows
            ),
            None => format!("drops table {table} holding {} row(s)", self.rows),
        };
        format!(
            "{}:{}: {what}{}",
            self.path,
            self.line,
            allowed_suffix(&self.allowed_by_file)
        )
    }
}

impl Unanalysed {
    fn describe(&self) -> String {
        format!(
            "{}:{}: not analysed ({}): review by hand{}",
            self.path,
            self.line,
            self.reason,
            allowed_suffix(&self.allowed_by_file)
        )
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DataLoss {
    pub items: Vec<LossItem>,
    pub not_analysed: Vec<Unanalysed>,
}

impl DataLoss {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.not_analysed.is_empty()
    }

    /// Losses and unreadable statements no file vouches for: these need
    /// `--allow-data-loss`.
    pub fn needs_consent(&self) -> bool {
        self.items.iter().any(|i| i.allowed_by_file.is_none())
            || self
                .not_analysed
                .iter()
                .any(|i| i.allowed_by_file.is_none())
    }

    /// One line per loss.
    pub fn loss_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.items.iter().map(LossItem::describe)
    }

    /// One line per statement the guard could not analyse.
    pub fn unanalysed_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.not_analysed.iter().map(Unanalysed::describe)
    }

    /// Every line: losses, then statements not analysed.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.loss_lines().chain(self.unanalysed_lines())
    }
}

impl fmt::Display for DataLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match (self.items.is_empty(), self.not_analysed.is_empty()) {
            (false, true) => "it would destroy data",
            (true, false) => "it runs statements the data-loss guard cannot analyse",
            _ => "it would destroy data, and runs statements the data-loss guard cannot analyse",
        };
        write!(
            f,
            "refusing to revert: {what} (rerun with --allow-data-loss to proceed)"
        )?;
        for line in self.lines() {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// A drop, truncation or rename found in a migration file, with the rows
/// it touches on the live database now; or a statement that could not be
/// analysed.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub version: i32,
    pub name: String,
    pub path: String,
    pub line: usize,
    /// `drops`, `truncates`, `renames` or `not analysed`.
    pub action: &'static str,
    /// The table where its rows are now (earlier renames followed), as the
    /// catalog spells it; for a table not on the live database, as the
    /// database would store the name the statement gives. Empty for a
    /// statement not analysed.
    pub table: String,
    /// The schema (PostgreSQL) or database (MySQL) holding the table, when
    /// it is not the connection's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The new name of a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Rows of the table (non-null values of the column); None when the
    /// object does not exist on the live database.
    pub rows: Option<i64>,
    /// Why the statement was not analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_analysed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_by_file: Option<String>,
    /// The table's name when the statement runs, after the renames before
    /// it: what a schema projected statement by statement calls it.
    #[serde(skip)]
    pub then_table: String,
    #[serde(skip)]
    pub then_column: Option<String>,
    /// A table rename that moves the table out of the connection's schema.
    #[serde(skip)]
    pub moves_away: bool,
}

impl Change {
    /// `drops column price_data_real.close (1,204 non-null values)`.
    pub fn describe(&self) -> String {
        if let Some(why) = &self.not_analysed {
            return format!("not analysed ({why}): review by hand");
        }
        let table = qualified(&self.schema, &self.table);
        let object = match &self.column {
            Some(c) => format!("column {table}.{c}"),
            None => format!("table {table}"),
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

    pub fn is_analysed(&self) -> bool {
        self.not_analysed.is_none()
    }
}

/// Walks the down files of `steps` in the order they would run: the drops
/// and truncations that would destroy rows, and the statements that could
/// not be analysed.
pub async fn assess(db: &mut Db, steps: &[&MigrationFile]) -> Result<DataLoss, DbError> {
    let mut loss = DataLoss::default();
    for c in changes(db, steps, Direction::Down).await? {
        if let Some(reason) = c.not_analysed {
            loss.not_analysed.push(Unanalysed {
                path: c.path,
                line: c.line,
                reason,
                allowed_by_file: c.allowed_by_file,
            });
            continue;
        }
        if c.action == "renames" {
            continue;
        }
        if let Some(rows) = c.rows.filter(|n| *n > 0) {
            loss.items.push(LossItem {
                path: c.path,
                line: c.line,
                table: c.table,
                schema: c.schema,
                column: c.column,
                rows,
                allowed_by_file: c.allowed_by_file,
            });
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
