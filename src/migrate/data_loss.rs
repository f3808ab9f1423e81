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
//! still reported, with the reason, but need no flag. Read-only.

use std::fmt;

use serde::Serialize;

use super::log::Direction;
use super::source::MigrationFile;
use crate::db::ident::{NameKind, Names, Place};
use crate::db::{Db, DbError, Dialect, introspect};
use crate::sql::{Effect, Ident, ObjectName, statement_effects};

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

/// A table of the live database as the statements so far leave it.
struct Slot {
    /// Its schema and name after the renames so far, as stored.
    schema: String,
    name: String,
    /// Where it is now.
    physical_schema: String,
    physical: String,
    /// Read when a statement first names one.
    columns: Option<Vec<ColumnSlot>>,
    /// Truncated by an earlier statement: whatever drops it next destroys
    /// no rows.
    emptied: bool,
}

struct ColumnSlot {
    name: String,
    physical: String,
}

/// The live catalog, replayed statement by statement.
struct Replay<'n> {
    names: &'n Names,
    slots: Vec<Slot>,
}

/// What a name in a statement points to.
enum Target {
    Table(usize),
    /// Not on the live database; the name as it would be stored.
    Missing {
        schema: String,
        table: String,
    },
    /// A temporary table, or nothing the statement could reach.
    Ignored,
    /// A table of an SQLite database the file attaches itself.
    Attached(String),
}

impl<'n> Replay<'n> {
    async fn read(db: &mut Db, names: &'n Names) -> Result<Replay<'n>, DbError> {
        let slots = introspect::base_tables(db)
            .await?
            .into_iter()
            .map(|(schema, table)| Slot {
                schema: schema.clone(),
                name: table.clone(),
                physical_schema: schema,
                physical: table,
                columns: None,
                emptied: false,
            })
            .collect();
        Ok(Replay { names, slots })
    }

    fn locate(&self, name: &ObjectName) -> Target {
        let schema = match self.names.place(name) {
            Place::Schema(s) => s,
            Place::Temporary | Place::Nowhere => return Target::Ignored,
        };
        if let Some(i) = self
            .slots
            .iter()
            .position(|s| self.names.denotes_table(name, &s.schema, &s.name))
        {
            return Target::Table(i);
        }
        if self.names.dialect() == Dialect::Sqlite && !self.names.is_default_schema(&schema) {
            return Target::Attached(schema);
        }
        Target::Missing {
            schema,
            table: self.names.stored(name.object(), NameKind::Table),
        }
    }

    /// `None` for the connection's own schema.
    fn foreign(&self, schema: &str) -> Option<String> {
        (!self.names.is_default_schema(schema)).then(|| schema.to_string())
    }

    async fn rows(&self, db: &mut Db, slot: usize, column: Option<&str>) -> Result<i64, DbError> {
        let s = &self.slots[slot];
        if s.emptied {
            return Ok(0);
        }
        let schema = self.foreign(&s.physical_schema);
        introspect::count_rows_in(db, schema.as_deref(), &s.physical, column).await
    }

    /// The index of the column `ident` denotes in the table at `slot`.
    async fn column(
        &mut self,
        db: &mut Db,
        slot: usize,
        ident: &Ident,
    ) -> Result<Option<usize>, DbError> {
        if self.slots[slot].columns.is_none() {
            let s = &self.slots[slot];
            let read = introspect::table_columns(db, &s.physical_schema, &s.physical).await?;
            self.slots[slot].columns = Some(
                read.into_iter()
                    .map(|c| ColumnSlot {
                        name: c.clone(),
                        physical: c,
                    })
                    .collect(),
            );
        }
        let names = self.names;
        Ok(self.slots[slot].columns.as_ref().and_then(|cols| {
            cols.iter()
                .position(|c| names.denotes(ident, NameKind::Column, &c.name))
        }))
    }
}

/// What an effect does to the table it names.
enum Op {
    DropTable,
    Truncate,
    RenameTable(ObjectName),
    DropColumn(Ident),
    RenameColumn(Ident, Ident),
}

impl Op {
    /// The column and new name it gives, as the database would store them.
    fn stored_names(&self, names: &Names) -> (Option<String>, Option<String>) {
        match self {
            Op::DropTable | Op::Truncate => (None, None),
            Op::RenameTable(to) => (None, Some(names.stored(to.object(), NameKind::Table))),
            Op::DropColumn(c) => (Some(names.stored(c, NameKind::Column)), None),
            Op::RenameColumn(from, to) => (
                Some(names.stored(from, NameKind::Column)),
                Some(names.stored(to, NameKind::Column)),
            ),
        }
    }
}

/// Every drop, truncation and rename of `steps`' files in `direction`, and
/// every statement that could not be analysed, in the order they would
/// run, counted on the live database. Views are left out: they hold no
/// rows.
pub async fn changes(
    db: &mut Db,
    steps: &[&MigrationFile],
    direction: Direction,
) -> Result<Vec<Change>, DbError> {
    let names = Names::of(db).await?;
    let mut replay = Replay::read(db, &names).await?;
    let flavor = db.dialect().sql_flavor();
    let mut out = Vec::new();
    for m in steps {
        let Some(file) = m.file(direction) else {
            continue;
        };
        let allowed = file_allowance(&file.sql);
        for stmt in m.statements(direction) {
            let change = |action: &'static str| Change {
                version: m.version,
                name: m.name.clone(),
                path: file.path.clone(),
                line: stmt.line,
                action,
                table: String::new(),
                schema: None,
                column: None,
                to: None,
                rows: None,
                not_analysed: None,
                allowed_by_file: allowed.clone(),
                then_table: String::new(),
                then_column: None,
                moves_away: false,
            };
            for effect in statement_effects(&stmt.text, flavor) {
                let (action, table, op) = match effect {
                    Effect::NotAnalysed { why } => {
                        out.push(Change {
                            not_analysed: Some(why.to_string()),
                            ..change("not analysed")
                        });
                        continue;
                    }
                    Effect::DropView { .. } => continue,
                    Effect::DropSchema { schema } => {
                        let gone: Vec<usize> = (0..replay.slots.len())
                            .filter(|&i| {
                                names.denotes(&schema, NameKind::Schema, &replay.slots[i].schema)
                            })
                            .collect();
                        for &i in &gone {
                            let s = &replay.slots[i];
                            out.push(Change {
                                table: s.physical.clone(),
                                schema: replay.foreign(&s.physical_schema),
                                then_table: s.name.clone(),
                                rows: Some(replay.rows(db, i, None).await?),
                                ..change("drops")
                            });
                        }
                        for i in gone.into_iter().rev() {
                            replay.slots.remove(i);
                        }
                        continue;
                    }
                    Effect::DropTable { table } => ("drops", table, Op::DropTable),
                    Effect::TruncateTable { table } => ("truncates", table, Op::Truncate),
                    Effect::RenameTable { from, to } => ("renames", from, Op::RenameTable(to)),
                    Effect::DropColumn { table, column } => {
                        ("drops", table, Op::DropColumn(column))
                    }
                    Effect::RenameColumn { table, from, to } => {
                        ("renames", table, Op::RenameColumn(from, to))
                    }
                };
                let slot = match replay.locate(&table) {
                    Target::Ignored => continue,
                    Target::Attached(schema) => {
                        out.push(Change {
                            not_analysed: Some(format!("a table of attached database {schema}")),
                            ..change("not analysed")
                        });
                        continue;
                    }
                    Target::Missing { schema, table } => {
                        let (column, to) = op.stored_names(&names);
                        out.push(Change {
                            schema: replay.foreign(&schema),
                            then_table: table.clone(),
                            then_column: column.clone(),
                            table,
                            column,
                            to,
                            ..change(action)
                        });
                        continue;
                    }
                    Target::Table(i) => i,
                };
                let s = &replay.slots[slot];
                let mut found = Change {
                    table: s.physical.clone(),
                    schema: replay.foreign(&s.physical_schema),
                    then_table: s.name.clone(),
                    ..change(action)
                };
                match op {
                    Op::DropTable => {
                        found.rows = Some(replay.rows(db, slot, None).await?);
                        replay.slots.remove(slot);
                    }
                    Op::Truncate => {
                        found.rows = Some(replay.rows(db, slot, None).await?);
                        replay.slots[slot].emptied = true;
                    }
                    Op::RenameTable(to) => {
                        found.rows = Some(replay.rows(db, slot, None).await?);
                        let schema = match names.place(&to) {
                            Place::Schema(s) if !to.qualifier().is_empty() => s,
                            // MySQL moves a table renamed to a bare name
                            // into the current database; the others keep
                            // it in its schema.
                            _ if names.dialect() == Dialect::Mysql => {
                                names.default_schema().to_string()
                            }
                            _ => replay.slots[slot].schema.clone(),
                        };
                        let name = names.stored(to.object(), NameKind::Table);
                        found.moves_away = !names.is_default_schema(&schema);
                        found.to = Some(qualified(&replay.foreign(&schema), &name));
                        let s = &mut replay.slots[slot];
                        s.schema = schema;
                        s.name = name;
                    }
                    Op::DropColumn(ref column) | Op::RenameColumn(ref column, _) => {
                        let Some(c) = replay.column(db, slot, column).await? else {
                            let (column, to) = op.stored_names(&names);
                            found.then_column = column.clone();
                            found.column = column;
                            found.to = to;
                            out.push(found);
                            continue;
                        };
                        let (physical, then) = replay.slots[slot]
                            .columns
                            .as_ref()
                            .map(|cols| (cols[c].physical.clone(), cols[c].name.clone()))
                            .unwrap_or_default();
                        found.rows = Some(replay.rows(db, slot, Some(&physical)).await?);
                        found.column = Some(physical);
                        found.then_column = Some(then);
                        if let Some(cols) = replay.slots[slot].columns.as_mut() {
                            match &op {
                                Op::RenameColumn(_, to) => {
                                    let name = names.stored(to, NameKind::Column);
                                    found.to = Some(name.clone());
                                    cols[c].name = name;
                                }
                                _ => {
                                    cols.remove(c);
                                }
                            }
                        }
                    }
                }
                out.push(found);
            }
        }
    }
    Ok(out)
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
