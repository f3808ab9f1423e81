//! `ALTER TABLE` actions that drop or rename a column or rename the table.

use super::cursor::Cursor;
use super::{Effect, ObjectName};
use crate::sql::lexer::Token;

/// Object kinds that `ALTER TABLE ... DROP <kind>` removes without removing
/// a column.
const NOT_COLUMNS: [&str; 9] = [
    "INDEX",
    "KEY",
    "PRIMARY",
    "FOREIGN",
    "CONSTRAINT",
    "CHECK",
    "PARTITION",
    // MariaDB: DROP SYSTEM VERSIONING, DROP PERIOD FOR ...
    "SYSTEM",
    "PERIOD",
];

/// One `ALTER TABLE` action. Actions that start with anything else, such as
/// `ALTER COLUMN c DROP DEFAULT`, change no data worth reporting.
pub(super) fn alter_action(table: &ObjectName, c: &mut Cursor<'_, '_>, out: &mut Vec<Effect>) {
    let table = table.clone();
    if c.kw("DROP") {
        if NOT_COLUMNS.iter().any(|k| c.peek_kw(k)) {
            return;
        }
        c.kw("COLUMN");
        c.kws(&["IF", "EXISTS"]);
        if let Some(column) = c.ident() {
            out.push(Effect::DropColumn { table, column });
        }
    } else if c.kw("RENAME") {
        if c.kw("TO") || c.kw("AS") {
            if let Some(to) = c.name() {
                out.push(Effect::RenameTable { from: table, to });
            }
            return;
        }
        if ["INDEX", "KEY", "CONSTRAINT"].iter().any(|k| c.peek_kw(k)) {
            return;
        }
        let column_keyword = c.kw("COLUMN");
        let Some(name) = c.name() else { return };
        if c.kw("TO") {
            if let (Some(to), [from]) = (c.ident(), name.parts.as_slice()) {
                out.push(Effect::RenameColumn {
                    table,
                    from: from.clone(),
                    to,
                });
            }
        } else if !column_keyword {
            // MySQL makes TO optional: ALTER TABLE t RENAME t2
            out.push(Effect::RenameTable {
                from: table,
                to: name,
            });
        }
    } else if c.kw("CHANGE") {
        // MySQL: CHANGE [COLUMN] old new <definition>; often used to change
        // only the definition, with new == old. MySQL column names ignore
        // case, so `CHANGE px PX` renames nothing either.
        c.kw("COLUMN");
        if let (Some(from), Some(to)) = (c.ident(), c.ident())
            && from.text.to_lowercase() != to.text.to_lowercase()
        {
            out.push(Effect::RenameColumn { table, from, to });
        }
    }
}

/// Splits `ALTER TABLE` actions on commas that are not inside parentheses
/// (`DECIMAL(10, 2)`, `CHECK (a IN (1, 2))`).
pub(super) fn top_level_actions<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut actions = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
        } else if t.is_punct(',') && depth == 0 {
            actions.push(&tokens[from..i]);
            from = i + 1;
        }
    }
    actions.push(&tokens[from..]);
    actions
}
