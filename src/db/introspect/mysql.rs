//! MySQL and MariaDB: information_schema, for the URL's database.

use super::common::Queries;
use super::normalize::{Reading, normalize_space, normalize_type};
use super::rows::{keyed, rows};
use super::{Event, Partition, Routine, Schema, Sequence};
use crate::db::{Db, DbError, Dialect};

/// The shared queries. MariaDB and MySQL 8 lay out a few catalog tables
/// differently, so the server is asked which it is.
pub(super) async fn queries(db: &mut Db) -> Result<Queries, DbError> {
    let version = rows(db, "SELECT VERSION()")
        .await?
        .first()
        .and_then(|r| r.get(0))
        .unwrap_or_default();
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    // MySQL 8 has no ALGORITHM in VIEWS and keys check constraints by
    // schema alone; MariaDB names a column's check after the column, so
    // its name is only unique within the table.
    let algorithm = if mariadb {
        "'ALGORITHM=', ALGORITHM, ' ', "
    } else {
        ""
    };
    let checks = if mariadb {
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CONCAT('CHECK (', CHECK_CLAUSE, ')') \
         FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
    } else {
        "SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, CONCAT('CHECK (', c.CHECK_CLAUSE, ')') \
         FROM information_schema.CHECK_CONSTRAINTS c \
         JOIN information_schema.TABLE_CONSTRAINTS t ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA \
          AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK' \
         WHERE c.CONSTRAINT_SCHEMA = DATABASE()"
    };
    Ok(Queries {
        objects: "SELECT TABLE_NAME, CASE WHEN TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') \
                  THEN 'BASE TABLE' ELSE TABLE_TYPE END \
                  FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
            .into(),
        columns: "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, \
                         CASE WHEN GENERATION_EXPRESSION <> '' THEN CONCAT(EXTRA, ': ', GENERATION_EXPRESSION) \
                              ELSE EXTRA END, \
                         CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_COMMENT \
                  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                  ORDER BY TABLE_NAME, ORDINAL_POSITION"
            .into(),
        indexes: "SELECT TABLE_NAME, INDEX_NAME, CAST(NON_UNIQUE AS SIGNED), \
                         CONCAT(COLUMN_NAME, CASE WHEN SUB_PART IS NULL THEN '' ELSE CONCAT('(', SUB_PART, ')') END, \
                                CASE WHEN COLLATION = 'D' THEN ' DESC' ELSE '' END), \
                         NULL, INDEX_TYPE, 0, INDEX_COMMENT \
                  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
                  ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
            .into(),
        foreign_keys: "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, \
                              k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE \
                       FROM information_schema.KEY_COLUMN_USAGE k \
                       JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
                         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
                        AND r.TABLE_NAME = k.TABLE_NAME \
                       WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
                       ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION"
            .into(),
        views: format!(
            "SELECT TABLE_NAME, VIEW_DEFINITION, \
                    CONCAT({algorithm}'SQL SECURITY ', SECURITY_TYPE, \
                           CASE WHEN CHECK_OPTION = 'NONE' THEN '' ELSE CONCAT(' WITH ', CHECK_OPTION, ' CHECK OPTION') END), \
                    NULL \
             FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
        ),
        triggers: "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT, \
                          SQL_MODE, NULL \
                   FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
            .into(),
        // `partitioned` only says there is a PARTITION BY, compared on its
        // own; the AUTO_INCREMENT counter is data, not definition.
        tables: Some(
            "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, \
                    TRIM(CONCAT(REPLACE(COALESCE(CREATE_OPTIONS, ''), 'partitioned', ''), \
                         CASE WHEN TABLE_TYPE = 'SYSTEM VERSIONED' THEN ' WITH SYSTEM VERSIONING' ELSE '' END)), \
                    TABLE_COMMENT, NULL, NULL \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"
                .into(),
        ),
        checks: Some(checks.into()),
    })
}

/// What only MySQL has, or has in its own shape: partitions, routines,
/// events, MariaDB's sequences.
pub(super) async fn read(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    read_partitions(db, r, schema).await?;
    read_routines(db, r, schema).await?;
    read_events(db, r, schema).await?;
    read_sequences(db, r, schema).await
}

async fn read_partitions(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    let sql = "SELECT TABLE_NAME, PARTITION_NAME, SUBPARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION, \
                      SUBPARTITION_METHOD, SUBPARTITION_EXPRESSION, PARTITION_DESCRIPTION, PARTITION_COMMENT \
               FROM information_schema.PARTITIONS \
               WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL \
               ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION";
    for ([table, name], row) in keyed(db, sql).await? {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        let method = row.string(3);
        if t.partition_by.is_none() {
            let mut by = format!("{method} ({})", row.string(4));
            if let Some(sub) = row.text(5) {
                let expr = row.string(6);
                by.push_str(&format!(" SUBPARTITION BY {sub} ({expr})"));
            }
            t.partition_by = Some(r.clean(&by));
        }
        if t.partitions.last().is_none_or(|p| p.name != name) {
            let bound = row.text(7).map(|d| {
                if method.starts_with("LIST") {
                    if d == "DEFAULT" {
                        d
                    } else {
                        format!("VALUES IN ({d})")
                    }
                } else if method == "RANGE" && d == "MAXVALUE" {
                    "VALUES LESS THAN MAXVALUE".to_string()
                } else {
                    format!("VALUES LESS THAN ({d})")
                }
            });
            t.partitions.push(Partition {
                name,
                bound: bound.filter(|_| method.starts_with("LIST") || method.starts_with("RANGE")),
                subpartitions: Vec::new(),
                comment: row.text(8),
            });
        }
        if let (Some(sub), Some(p)) = (row.get(2), t.partitions.last_mut()) {
            p.subpartitions.push(sub);
        }
    }
    Ok(())
}

async fn read_routines(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    let sql = "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, \
                      CONCAT(CASE WHEN IS_DETERMINISTIC = 'YES' THEN 'DETERMINISTIC' ELSE 'NOT DETERMINISTIC' END, \
                             ' ', SQL_DATA_ACCESS, ' SQL SECURITY ', SECURITY_TYPE), \
                      SQL_MODE, ROUTINE_COMMENT \
               FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() \
               AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE')";
    for ([name, kind], row) in keyed(db, sql).await? {
        let routine = Routine {
            kind: None,
            arguments: String::new(),
            returns: row.text(2).map(|t| normalize_type(&t)),
            language: None,
            body: r.clean(&row.string(3)),
            characteristics: row.string(4),
            sql_mode: row.text(5),
            comment: row.text(6),
        };
        schema
            .routines_mut(kind != "FUNCTION")
            .insert(name, routine);
    }
    // A function's parameters have no mode of their own: all are IN.
    let params = "SELECT SPECIFIC_NAME, ROUTINE_TYPE, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER \
                  FROM information_schema.PARAMETERS \
                  WHERE SPECIFIC_SCHEMA = DATABASE() AND PARAMETER_NAME IS NOT NULL \
                  ORDER BY SPECIFIC_NAME, ORDINAL_POSITION";
    for ([routine, kind], row) in keyed(db, params).await? {
        let Some(target) = schema.routines_mut(kind != "FUNCTION").get_mut(&routine) else {
            continue;
        };
        let mut param = String::new();
        if kind != "FUNCTION"
            && let Some(mode) = row.text(2)
        {
            param.push_str(&mode);
            param.push(' ');
        }
        param.push_str(&row.string(3));
        param.push(' ');
        param.push_str(&normalize_type(&row.string(4)));
        if !target.arguments.is_empty() {
            target.arguments.push_str(", ");
        }
        target.arguments.push_str(&param);
    }
    Ok(())
}

async fn read_events(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    let sql = "SELECT EVENT_NAME, EVENT_TYPE, INTERVAL_VALUE, INTERVAL_FIELD, CAST(ENDS AS CHAR), \
                      EVENT_DEFINITION, STATUS, ON_COMPLETION, SQL_MODE, TIME_ZONE, EVENT_COMMENT \
               FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()";
    for ([name], row) in keyed(db, sql).await? {
        let schedule = if row.get(1).as_deref() == Some("RECURRING") {
            let mut s = format!("EVERY {} {}", row.string(2), row.string(3));
            if let Some(ends) = row.text(4) {
                s.push_str(&format!(" ENDS '{ends}'"));
            }
            s
        } else {
            "AT".to_string()
        };
        schema.events.insert(
            name,
            Event {
                schedule,
                body: r.clean(&row.string(5)),
                status: row.string(6),
                on_completion: row.string(7),
                sql_mode: row.string(8),
                time_zone: row.string(9),
                comment: row.text(10),
            },
        );
    }
    Ok(())
}

/// MariaDB's sequences are tables of one row holding their definition
/// (and their current value, which is left out).
async fn read_sequences(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    let list = "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES \
                WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE'";
    let found: Vec<(String, Option<String>)> = keyed(db, list)
        .await?
        .into_iter()
        .map(|([name], row)| (name, row.text(1)))
        .filter(|(name, _)| r.keep(name))
        .collect();
    for (name, comment) in found {
        let sql = format!(
            "SELECT CAST(start_value AS CHAR), CAST(increment AS CHAR), CAST(minimum_value AS CHAR), \
                    CAST(maximum_value AS CHAR), CAST(cache_size AS CHAR), CAST(cycle_option AS CHAR) \
             FROM {}",
            Dialect::Mysql.quote_ident(&name)
        );
        let values = rows(db, &sql).await?;
        let Some(row) = values.first() else {
            continue;
        };
        let field = |i: usize| normalize_space(&row.string(i));
        schema.sequences.insert(
            name,
            Sequence {
                data_type: "bigint".into(),
                start: field(0),
                increment: field(1),
                min: field(2),
                max: field(3),
                cache: field(4),
                cycle: field(5) == "1",
                owned_by: None,
                comment,
            },
        );
    }
    Ok(())
}
