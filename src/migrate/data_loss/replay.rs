//! The live catalog replayed statement by statement: which table a name in
//! a migration file points to when that statement runs, after the renames,
//! drops and truncations before it, and how many rows it holds now. Reads
//! the catalog and counts rows; never writes.

use super::{Change, file_allowance, qualified};
use crate::db::ident::{NameKind, Names, Place};
use crate::db::{Db, DbError, Dialect, introspect};
use crate::migrate::log::Direction;
use crate::migrate::source::MigrationFile;
use crate::sql::{Effect, Ident, ObjectName, statement_effects};

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
            let at = Change {
                version: m.version,
                name: m.name.clone(),
                path: file.path.clone(),
                line: stmt.line,
                action: "",
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
                replay.effect(db, effect, &at, &mut out).await?;
            }
        }
    }
    Ok(out)
}

/// `at` as the change `action` of its statement.
fn change(at: &Change, action: &'static str) -> Change {
    Change {
        action,
        ..at.clone()
    }
}

impl Replay<'_> {
    /// What one effect of the statement at `at` changes, pushed to `out`;
    /// the replayed catalog follows it.
    async fn effect(
        &mut self,
        db: &mut Db,
        effect: Effect,
        at: &Change,
        out: &mut Vec<Change>,
    ) -> Result<(), DbError> {
        let (action, table, op) = match effect {
            Effect::NotAnalysed { why } => {
                out.push(Change {
                    not_analysed: Some(why.to_string()),
                    ..change(at, "not analysed")
                });
                return Ok(());
            }
            Effect::DropView { .. } => return Ok(()),
            Effect::DropSchema { schema } => return self.drop_schema(db, &schema, at, out).await,
            Effect::DropTable { table } => ("drops", table, Op::DropTable),
            Effect::TruncateTable { table } => ("truncates", table, Op::Truncate),
            Effect::RenameTable { from, to } => ("renames", from, Op::RenameTable(to)),
            Effect::DropColumn { table, column } => ("drops", table, Op::DropColumn(column)),
            Effect::RenameColumn { table, from, to } => {
                ("renames", table, Op::RenameColumn(from, to))
            }
        };
        let slot = match self.locate(&table) {
            Target::Ignored => return Ok(()),
            Target::Attached(schema) => {
                out.push(Change {
                    not_analysed: Some(format!("a table of attached database {schema}")),
                    ..change(at, "not analysed")
                });
                return Ok(());
            }
            Target::Missing { schema, table } => {
                let (column, to) = op.stored_names(self.names);
                out.push(Change {
                    schema: self.foreign(&schema),
                    then_table: table.clone(),
                    then_column: column.clone(),
                    table,
                    column,
                    to,
                    ..change(at, action)
                });
                return Ok(());
            }
            Target::Table(i) => i,
        };
        let s = &self.slots[slot];
        let mut found = Change {
            table: s.physical.clone(),
            schema: self.foreign(&s.physical_schema),
            then_table: s.name.clone(),
            ..change(at, action)
        };
        match op {
            Op::DropTable => {
                found.rows = Some(self.rows(db, slot, None).await?);
                self.slots.remove(slot);
            }
            Op::Truncate => {
                found.rows = Some(self.rows(db, slot, None).await?);
                self.slots[slot].emptied = true;
            }
            Op::RenameTable(to) => {
                found.rows = Some(self.rows(db, slot, None).await?);
                self.rename_table(slot, &to, &mut found);
            }
            Op::DropColumn(_) | Op::RenameColumn(..) => {
                self.column_op(db, slot, &op, &mut found).await?;
            }
        }
        out.push(found);
        Ok(())
    }

    /// A dropped schema drops every table in it.
    async fn drop_schema(
        &mut self,
        db: &mut Db,
        schema: &Ident,
        at: &Change,
        out: &mut Vec<Change>,
    ) -> Result<(), DbError> {
        let gone: Vec<usize> = (0..self.slots.len())
            .filter(|&i| {
                self.names
                    .denotes(schema, NameKind::Schema, &self.slots[i].schema)
            })
            .collect();
        for &i in &gone {
            let s = &self.slots[i];
            out.push(Change {
                table: s.physical.clone(),
                schema: self.foreign(&s.physical_schema),
                then_table: s.name.clone(),
                rows: Some(self.rows(db, i, None).await?),
                ..change(at, "drops")
            });
        }
        for i in gone.into_iter().rev() {
            self.slots.remove(i);
        }
        Ok(())
    }

    fn rename_table(&mut self, slot: usize, to: &ObjectName, found: &mut Change) {
        let names = self.names;
        let schema = match names.place(to) {
            Place::Schema(s) if !to.qualifier().is_empty() => s,
            // MySQL moves a table renamed to a bare name into the current
            // database; the others keep it in its schema.
            _ if names.dialect() == Dialect::Mysql => names.default_schema().to_string(),
            _ => self.slots[slot].schema.clone(),
        };
        let name = names.stored(to.object(), NameKind::Table);
        found.moves_away = !names.is_default_schema(&schema);
        found.to = Some(qualified(&self.foreign(&schema), &name));
        let s = &mut self.slots[slot];
        s.schema = schema;
        s.name = name;
    }

    /// A dropped or renamed column of the table at `slot`.
    async fn column_op(
        &mut self,
        db: &mut Db,
        slot: usize,
        op: &Op,
        found: &mut Change,
    ) -> Result<(), DbError> {
        let (Op::DropColumn(column) | Op::RenameColumn(column, _)) = op else {
            return Ok(());
        };
        let Some(c) = self.column(db, slot, column).await? else {
            let (column, to) = op.stored_names(self.names);
            found.then_column = column.clone();
            found.column = column;
            found.to = to;
            return Ok(());
        };
        let (physical, then) = self.slots[slot]
            .columns
            .as_ref()
            .map(|cols| (cols[c].physical.clone(), cols[c].name.clone()))
            .unwrap_or_default();
        found.rows = Some(self.rows(db, slot, Some(&physical)).await?);
        found.column = Some(physical);
        found.then_column = Some(then);
        let names = self.names;
        if let Some(cols) = self.slots[slot].columns.as_mut() {
            match op {
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
        Ok(())
    }
}
