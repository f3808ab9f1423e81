//! PostgreSQL: pg_catalog, for `current_schema()`. Every value is cast to
//! text, as the Any driver reads no catalog types of its own. Objects that
//! belong to an extension are the extension's, not the schema's.

use super::common::Queries;
use super::normalize::Reading;
use super::rows::keyed;
use super::{Domain, Routine, Schema, Sequence};
use crate::db::{Db, DbError};

/// Not a member of an extension; `oid` of an object of catalog `class`.
fn not_extension(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{class}'::regclass \
         AND e.objid = {oid} AND e.deptype = 'e')"
    )
}

/// Long for its SQL alone: one catalog query a kind.
pub(super) fn queries() -> Queries {
    Queries {
        objects: "SELECT c.relname::text, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' \
                  ELSE 'BASE TABLE' END \
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')"
            .into(),
        columns: "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                         CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END, \
                         CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END, \
                         CASE WHEN a.attidentity = 'a' THEN 'identity always' \
                              WHEN a.attidentity = 'd' THEN 'identity by default' \
                              WHEN a.attgenerated = 's' THEN 'generated stored: ' || pg_get_expr(d.adbin, d.adrelid) END, \
                         NULL::text, \
                         CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END, \
                         col_description(c.oid, a.attnum) \
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                  JOIN pg_namespace n ON n.oid = c.relnamespace \
                  JOIN pg_type t ON t.oid = a.atttypid \
                  LEFT JOIN pg_collation co ON co.oid = a.attcollation \
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') \
                    AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY c.relname, a.attnum"
            .into(),
        // indoption bit 1 is DESC, bit 2 NULLS FIRST; each is said only
        // where it is not the default for the direction.
        indexes: "SELECT t.relname::text, i.relname::text, CASE WHEN ix.indisunique THEN 0 ELSE 1 END, \
                         pg_get_indexdef(ix.indexrelid, k.n, true) \
                         || CASE WHEN k.n > ix.indnkeyatts THEN '' ELSE \
                              CASE WHEN ix.indcollation[k.n - 1] <> 0 AND ix.indcollation[k.n - 1] <> coalesce(ka.attcollation, 100) \
                                   THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END \
                              || CASE WHEN oc.opcdefault THEN '' ELSE ' ' || oc.opcname END \
                              || CASE WHEN ix.indoption[k.n - 1] & 1 = 1 \
                                      THEN ' DESC' || CASE WHEN ix.indoption[k.n - 1] & 2 = 0 THEN ' NULLS LAST' ELSE '' END \
                                      ELSE CASE WHEN ix.indoption[k.n - 1] & 2 = 2 THEN ' NULLS FIRST' ELSE '' END END \
                            END, \
                         pg_get_expr(ix.indpred, ix.indrelid, true), am.amname::text, \
                         CASE WHEN k.n > ix.indnkeyatts THEN 1 ELSE 0 END, \
                         obj_description(i.oid, 'pg_class') \
                  FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
                  JOIN pg_am am ON am.oid = i.relam \
                  JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
                  CROSS JOIN LATERAL generate_series(1, ix.indnatts) AS k(n) \
                  LEFT JOIN pg_opclass oc ON oc.oid = ix.indclass[k.n - 1] \
                  LEFT JOIN pg_collation co ON co.oid = ix.indcollation[k.n - 1] \
                  LEFT JOIN pg_attribute ka ON ka.attrelid = ix.indrelid AND ka.attnum = ix.indkey[k.n - 1] \
                  WHERE ns.nspname = current_schema() ORDER BY 1, 2, k.n"
            .into(),
        foreign_keys: "SELECT c.relname::text, con.conname::text, a.attname::text, rc.relname::text, ra.attname::text, \
                              CASE con.confupdtype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                                   WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END, \
                              CASE con.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                                   WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END \
                       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
                       JOIN pg_namespace n ON n.oid = c.relnamespace \
                       JOIN pg_class rc ON rc.oid = con.confrelid \
                       CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(col, refcol, pos) \
                       JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col \
                       JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refcol \
                       WHERE con.contype = 'f' AND n.nspname = current_schema() \
                       ORDER BY 1, 2, k.pos"
            .into(),
        views: "SELECT c.relname::text, pg_get_viewdef(c.oid), \
                       CASE WHEN c.reloptions IS NOT NULL THEN 'WITH (' || array_to_string(c.reloptions, ', ') || ')' END, \
                       obj_description(c.oid, 'pg_class') \
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm')"
            .into(),
        // The function a trigger runs is compared as a function.
        triggers: "SELECT t.tgname::text, c.relname::text, \
                          CASE WHEN t.tgtype & 2 = 2 THEN 'BEFORE' WHEN t.tgtype & 64 = 64 THEN 'INSTEAD OF' ELSE 'AFTER' END, \
                          concat_ws(',', CASE WHEN t.tgtype & 4 = 4 THEN 'INSERT' END, \
                                         CASE WHEN t.tgtype & 16 = 16 THEN 'UPDATE' END, \
                                         CASE WHEN t.tgtype & 8 = 8 THEN 'DELETE' END, \
                                         CASE WHEN t.tgtype & 32 = 32 THEN 'TRUNCATE' END), \
                          pg_get_triggerdef(t.oid), NULL::text, \
                          CASE t.tgenabled WHEN 'D' THEN 'DISABLED' WHEN 'R' THEN 'ENABLE REPLICA' \
                                           WHEN 'A' THEN 'ENABLE ALWAYS' END \
                   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                   JOIN pg_namespace n ON n.oid = c.relnamespace \
                   WHERE n.nspname = current_schema() AND NOT t.tgisinternal"
            .into(),
        tables: Some(
            "SELECT c.relname::text, NULL::text, NULL::text, \
                    concat_ws(' ', CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED' END, \
                              CASE WHEN am.amname <> 'heap' THEN 'USING ' || am.amname END, \
                              CASE WHEN c.reloptions IS NOT NULL THEN 'WITH (' || array_to_string(c.reloptions, ', ') || ')' END, \
                              (SELECT 'INHERITS (' || string_agg(pc.relname::text, ', ' ORDER BY i.inhseqno) || ')' \
                               FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent \
                               WHERE i.inhrelid = c.oid AND NOT c.relispartition)), \
                    obj_description(c.oid, 'pg_class'), \
                    CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, \
                    CASE WHEN c.relispartition THEN \
                      (SELECT pc.relname::text FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent \
                       WHERE i.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid) END \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_am am ON am.oid = c.relam \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
                .into(),
        ),
        checks: Some(
            "SELECT c.relname::text, con.conname::text, pg_get_constraintdef(con.oid, true) \
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE con.contype = 'c' AND n.nspname = current_schema()"
                .into(),
        ),
    }
}

/// What only PostgreSQL has: functions and procedures, sequences, domains,
/// enum types, rules.
pub(super) async fn read(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    read_routines(db, r, schema).await?;
    read_sequences(db, r, schema).await?;
    read_types(db, r, schema).await?;
    read_rules(db, r, schema).await
}

async fn read_routines(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    // A SQL-standard body (BEGIN ATOMIC, RETURN) is kept parsed, from 14 on.
    let version = db
        .scalar_i64("SELECT current_setting('server_version_num')::int")
        .await?
        .unwrap_or(0);
    let sql_body = if version >= 140000 {
        "WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT p.proname::text, p.prokind::text, pg_get_function_identity_arguments(p.oid), \
                pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), l.lanname::text, \
                CASE WHEN p.prokind = 'a' THEN \
                       (SELECT concat_ws(', ', 'SFUNC = ' || g.aggtransfn::regproc::text, \
                                         'STYPE = ' || format_type(g.aggtranstype, NULL), \
                                         CASE WHEN g.aggfinalfn <> 0 THEN 'FINALFUNC = ' || g.aggfinalfn::regproc::text END, \
                                         CASE WHEN g.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(g.agginitval) END) \
                        FROM pg_aggregate g WHERE g.aggfnoid = p.oid) \
                     {sql_body} ELSE p.prosrc END, \
                concat_ws(' ', \
                  CASE WHEN p.prokind <> 'p' THEN \
                    CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END END, \
                  CASE WHEN p.proisstrict THEN 'STRICT' END, \
                  CASE WHEN p.prosecdef THEN 'SECURITY DEFINER' END, \
                  CASE WHEN p.proleakproof THEN 'LEAKPROOF' END, \
                  CASE WHEN p.prokind <> 'p' THEN \
                    CASE p.proparallel WHEN 's' THEN 'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED' \
                                       ELSE 'PARALLEL UNSAFE' END END, \
                  CASE WHEN p.prokind <> 'p' THEN 'COST ' || p.procost::text END, \
                  CASE WHEN p.proretset THEN 'ROWS ' || p.prorows::text END, \
                  (SELECT string_agg('SET ' || s, ' ') FROM unnest(p.proconfig) AS s)), \
                obj_description(p.oid, 'pg_proc') \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         JOIN pg_language l ON l.oid = p.prolang \
         WHERE n.nspname = current_schema() AND {}",
        not_extension("pg_proc", "p.oid")
    );
    for ([name, kind], row) in keyed(db, &sql).await? {
        let key = format!("{name}({})", row.string(2));
        let routine = Routine {
            kind: match kind.as_str() {
                "a" => Some("aggregate".into()),
                "w" => Some("window".into()),
                _ => None,
            },
            arguments: row.string(3),
            returns: row.text(4),
            language: row.text(5),
            body: r.clean(&row.string(6)),
            characteristics: row.string(7),
            sql_mode: None,
            comment: row.text(8),
        };
        schema.routines_mut(kind == "p").insert(key, routine);
    }
    Ok(())
}

async fn read_sequences(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    let sql = format!(
        "SELECT c.relname::text, format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text, \
                s.seqmin::text, s.seqmax::text, s.seqcache::text, CASE WHEN s.seqcycle THEN 1 ELSE 0 END, \
                tc.relname::text, ta.attname::text, obj_description(c.oid, 'pg_class') \
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid \
              AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') \
         LEFT JOIN pg_class tc ON tc.oid = d.refobjid \
         LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid \
         WHERE n.nspname = current_schema() AND {}",
        not_extension("pg_class", "c.oid")
    );
    for ([name], row) in keyed(db, &sql).await? {
        let owner = row.get(8);
        // A sequence of a table left out (a parked one's serial, say) goes
        // with it.
        if !r.keep(&name) || owner.as_deref().is_some_and(|t| !r.keep(t)) {
            continue;
        }
        let field = |i: usize| row.string(i);
        schema.sequences.insert(
            name,
            Sequence {
                data_type: field(1),
                start: field(2),
                increment: field(3),
                min: field(4),
                max: field(5),
                cache: field(6),
                cycle: field(7) == "1",
                owned_by: owner.map(|t| format!("{t}.{}", field(9))),
                comment: row.text(10),
            },
        );
    }
    Ok(())
}

async fn read_types(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    let domains = format!(
        "SELECT t.typname::text, format_type(t.typbasetype, t.typtypmod), \
                CASE WHEN t.typnotnull THEN 'NO' ELSE 'YES' END, t.typdefault, \
                CASE WHEN t.typcollation <> b.typcollation THEN co.collname::text END, \
                obj_description(t.oid, 'pg_type') \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_type b ON b.oid = t.typbasetype \
         LEFT JOIN pg_collation co ON co.oid = t.typcollation \
         WHERE t.typtype = 'd' AND n.nspname = current_schema() AND {}",
        not_extension("pg_type", "t.oid")
    );
    for ([name], row) in keyed(db, &domains).await? {
        schema.domains.insert(
            name,
            Domain {
                data_type: row.string(1),
                nullable: row.get(2).as_deref() == Some("YES"),
                default: row.text(3),
                collation: row.text(4),
                checks: Default::default(),
                comment: row.text(5),
            },
        );
    }
    let checks = "SELECT t.typname::text, con.conname::text, pg_get_constraintdef(con.oid, true) \
                  FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid \
                  JOIN pg_namespace n ON n.oid = t.typnamespace \
                  WHERE con.contype = 'c' AND n.nspname = current_schema()";
    for ([domain, name], row) in keyed(db, checks).await? {
        if let Some(d) = schema.domains.get_mut(&domain) {
            d.checks.insert(name, r.clean(&row.string(2)));
        }
    }
    let enums = format!(
        "SELECT t.typname::text, e.enumlabel::text \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         LEFT JOIN pg_enum e ON e.enumtypid = t.oid \
         WHERE t.typtype = 'e' AND n.nspname = current_schema() AND {} \
         ORDER BY t.typname, e.enumsortorder",
        not_extension("pg_type", "t.oid")
    );
    for ([name], row) in keyed(db, &enums).await? {
        let labels = schema.enum_types.entry(name).or_default();
        if let Some(label) = row.get(1) {
            labels.push(label);
        }
    }
    Ok(())
}

async fn read_rules(db: &mut Db, r: &Reading, schema: &mut Schema) -> Result<(), DbError> {
    // `_RETURN` is how a view is made, not a rule anyone wrote.
    let sql = "SELECT c.relname::text, w.rulename::text, pg_get_ruledef(w.oid) \
               FROM pg_rewrite w JOIN pg_class c ON c.oid = w.ev_class \
               JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE w.rulename <> '_RETURN' AND n.nspname = current_schema()";
    for ([rel, name], row) in keyed(db, sql).await? {
        if !r.keep(&rel) {
            continue;
        }
        let def = r.clean(&row.string(2));
        schema.rules.entry(rel).or_default().insert(name, def);
    }
    Ok(())
}
