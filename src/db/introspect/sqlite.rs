//! SQLite: sqlite_master and the table pragmas, and the CREATE text for
//! what the pragmas do not tell.

use super::common::Queries;
use super::rows::keyed;
use super::{Schema, sqlite_ddl};
use crate::db::{Db, DbError};

pub(super) fn queries() -> Queries {
    Queries {
        objects: "SELECT name, CASE type WHEN 'view' THEN 'VIEW' ELSE 'BASE TABLE' END \
                  FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
            .into(),
        // An INTEGER PRIMARY KEY is the rowid: NOT NULL, and filled by
        // SQLite when an INSERT leaves it out. Generated columns are hidden
        // 2 (virtual) and 3 (stored); 1 is a virtual table's hidden column.
        columns: "SELECT m.name, p.name, lower(p.type), \
                         CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 AND upper(p.type) = 'INTEGER' THEN 'NO' ELSE 'YES' END, \
                         p.dflt_value, \
                         CASE WHEN p.hidden = 2 THEN 'generated virtual' WHEN p.hidden = 3 THEN 'generated stored' \
                              WHEN p.pk > 0 AND upper(p.type) = 'INTEGER' THEN 'rowid' END, \
                         NULL, NULL, NULL \
                  FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p \
                  WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' AND p.hidden IN (0, 2, 3) \
                  ORDER BY m.name, p.cid"
            .into(),
        // An expression's text is only in the CREATE INDEX; `read` puts it
        // in place of the marker.
        indexes: "SELECT m.name, il.name, CASE WHEN il.\"unique\" = 1 THEN 0 ELSE 1 END, \
                         CASE WHEN ii.cid = -2 THEN '(expression)' \
                              ELSE ii.name || CASE WHEN ii.\"desc\" = 1 THEN ' DESC' ELSE '' END \
                                   || CASE WHEN upper(ii.coll) <> 'BINARY' THEN ' COLLATE ' || ii.coll ELSE '' END END, \
                         CASE WHEN il.partial = 1 THEN s.sql END, NULL, 0, NULL \
                  FROM sqlite_master m JOIN pragma_index_list(m.name) il \
                  JOIN pragma_index_xinfo(il.name) ii \
                  LEFT JOIN sqlite_master s ON s.type = 'index' AND s.name = il.name \
                  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND ii.key = 1 \
                  ORDER BY m.name, il.name, ii.seqno"
            .into(),
        foreign_keys: "SELECT m.name, 'fk_' || m.name || '_' || f.id, f.\"from\", f.\"table\", f.\"to\", \
                              f.on_update, f.on_delete \
                       FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
                       WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                       ORDER BY m.name, f.id, f.seq"
            .into(),
        views: "SELECT name, sql, NULL, NULL FROM sqlite_master WHERE type = 'view'".into(),
        triggers: "SELECT name, tbl_name, \
                          CASE WHEN upper(sql) LIKE '% BEFORE %' THEN 'BEFORE' \
                               WHEN upper(sql) LIKE '% INSTEAD OF %' THEN 'INSTEAD OF' ELSE 'AFTER' END, \
                          CASE WHEN upper(sql) LIKE '% INSERT ON %' THEN 'INSERT' \
                               WHEN upper(sql) LIKE '% DELETE ON %' THEN 'DELETE' ELSE 'UPDATE' END, \
                          sql, NULL, NULL \
                   FROM sqlite_master WHERE type = 'trigger'"
            .into(),
        tables: None,
        checks: None,
    }
}

/// What the CREATE text holds: check constraints, collations, generation
/// expressions, table options, index expressions.
pub(super) async fn read(db: &mut Db, schema: &mut Schema) -> Result<(), DbError> {
    let sql = "SELECT type, name, tbl_name, sql FROM sqlite_master \
               WHERE type IN ('table', 'index') AND sql IS NOT NULL";
    for ([kind, name, table, text], _) in keyed(db, sql).await? {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        if kind == "index" {
            let Some(index) = t.indexes.get_mut(&name) else {
                continue;
            };
            let items = sqlite_ddl::index_items(&text);
            for (i, column) in index.columns.iter_mut().enumerate() {
                if column == "(expression)"
                    && let Some(item) = items.get(i)
                {
                    *column = item.clone();
                }
            }
            continue;
        }
        let ddl = sqlite_ddl::parse_create_table(&text);
        t.checks = ddl.checks.into_iter().collect();
        t.options = ddl.options;
        for c in &mut t.columns {
            let Some(d) = ddl.columns.get(&c.name.to_ascii_lowercase()) else {
                continue;
            };
            c.collation = d.collation.clone();
            if let (Some(g), Some(expr)) = (&c.generated, &d.generated) {
                c.generated = Some(format!("{g}: {expr}"));
            }
        }
    }
    Ok(())
}
