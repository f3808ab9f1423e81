//! Unit tests of the wording of every difference; long because it builds
//! one schema holding every kind of object.

use super::*;
use crate::db::introspect::{
    Column, Domain, Event, ForeignKey, Index, MaterializedView, Partition, Routine, Schema,
    Sequence, Table, Trigger, View,
};

fn column(name: &str, data_type: &str) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.into(),
        nullable: true,
        ..Column::default()
    }
}

fn lines(expected: &Schema, actual: &Schema) -> Vec<String> {
    diff(expected, actual, "the snapshot", "the live database")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn names_each_object_that_differs() {
    let mut expected = Schema::default();
    expected.tables.insert(
        "t".into(),
        Table {
            columns: vec![column("a", "int"), column("b", "double")],
            ..Table::default()
        },
    );
    let mut actual = expected.clone();
    let t = actual.tables.get_mut("t").unwrap();
    t.columns[1].data_type = "decimal(10,2)".into();
    t.columns.push(column("c", "int"));
    actual.tables.insert("u".into(), Table::default());
    assert_eq!(
        lines(&expected, &actual),
        [
            "column t.b: type differs: the snapshot has double, the live database has decimal(10,2)",
            "column t.c: only in the live database",
            "table u: only in the live database",
        ]
    );
    assert!(diff(&expected, &expected, "a", "b").is_empty());
}

/// One schema with every kind of object, each field filled; long because
/// it spells out every field.
fn every_kind() -> Schema {
    let mut s = Schema::default();
    let index = Index {
        unique: false,
        columns: vec!["title".into()],
        predicate: Some("title IS NOT NULL".into()),
        method: Some("btree".into()),
        include: vec!["id".into()],
        comment: Some("by title".into()),
    };
    s.tables.insert(
        "film".into(),
        Table {
            columns: vec![
                Column {
                    default: Some("'G'".into()),
                    generated: None,
                    charset: Some("utf8mb4".into()),
                    collation: Some("utf8mb4_bin".into()),
                    comment: Some("the rating".into()),
                    ..column("rating", "enum('G','PG')")
                },
                column("title", "text"),
            ],
            indexes: [("film_title_idx".to_string(), index.clone())].into(),
            foreign_keys: [(
                "film_lang".to_string(),
                ForeignKey {
                    columns: vec!["lang".into()],
                    references: "language".into(),
                    referenced_columns: vec!["id".into()],
                    on_update: "CASCADE".into(),
                    on_delete: "RESTRICT".into(),
                },
            )]
            .into(),
            checks: [("film_title".to_string(), "CHECK (title <> '')".to_string())].into(),
            partition_by: Some("RANGE (year)".into()),
            partitions: vec![
                Partition {
                    name: "p0".into(),
                    bound: Some("VALUES LESS THAN (2000)".into()),
                    subpartitions: vec!["p0a".into()],
                    comment: Some("old".into()),
                },
                Partition {
                    name: "p1".into(),
                    bound: Some("VALUES LESS THAN MAXVALUE".into()),
                    ..Partition::default()
                },
            ],
            partition_of: Some("films FOR VALUES IN (1)".into()),
            engine: Some("InnoDB".into()),
            collation: Some("utf8mb4_general_ci".into()),
            options: Some("row_format=DYNAMIC".into()),
            comment: Some("films".into()),
        },
    );
    s.views.insert(
        "v".into(),
        View {
            columns: vec!["a".into()],
            definition: "select 1 AS a".into(),
            options: Some("ALGORITHM=UNDEFINED SQL SECURITY DEFINER".into()),
            comment: Some("a view".into()),
        },
    );
    s.materialized_views.insert(
        "m".into(),
        MaterializedView {
            columns: vec!["n".into()],
            definition: " SELECT count(*) AS n FROM film;".into(),
            indexes: [("m_n".to_string(), index)].into(),
            options: None,
            comment: None,
        },
    );
    s.triggers.entry("film".into()).or_default().insert(
        "film_bi".into(),
        Trigger {
            timing: "BEFORE".into(),
            events: vec!["INSERT".into()],
            body: "SET NEW.title = trim(NEW.title)".into(),
            sql_mode: Some("STRICT_TRANS_TABLES".into()),
            state: None,
        },
    );
    s.functions.insert(
        "film_count()".into(),
        Routine {
            kind: None,
            arguments: String::new(),
            returns: Some("bigint".into()),
            language: Some("sql".into()),
            body: "SELECT count(*) FROM film".into(),
            characteristics: "STABLE PARALLEL UNSAFE COST 100".into(),
            sql_mode: None,
            comment: None,
        },
    );
    s.functions.insert(
        "total(integer)".into(),
        Routine {
            kind: Some("aggregate".into()),
            arguments: "integer".into(),
            returns: Some("integer".into()),
            body: "SFUNC = int4pl, STYPE = integer".into(),
            ..Routine::default()
        },
    );
    s.procedures.insert(
        "refresh".into(),
        Routine {
            arguments: "IN n int".into(),
            body: "BEGIN SELECT n; END".into(),
            characteristics: "NOT DETERMINISTIC CONTAINS SQL SQL SECURITY DEFINER".into(),
            sql_mode: Some("STRICT_TRANS_TABLES".into()),
            comment: Some("nightly".into()),
            ..Routine::default()
        },
    );
    s.events.insert(
        "purge".into(),
        Event {
            schedule: "EVERY 1 DAY".into(),
            body: "DELETE FROM film WHERE id < 0".into(),
            status: "ENABLED".into(),
            on_completion: "NOT PRESERVE".into(),
            sql_mode: "STRICT_TRANS_TABLES".into(),
            time_zone: "SYSTEM".into(),
            comment: None,
        },
    );
    s.sequences.insert(
        "film_id_seq".into(),
        Sequence {
            data_type: "bigint".into(),
            start: "1".into(),
            increment: "1".into(),
            min: "1".into(),
            max: "9223372036854775807".into(),
            cache: "1".into(),
            cycle: false,
            owned_by: Some("film.id".into()),
            comment: None,
        },
    );
    s.domains.insert(
        "posint".into(),
        Domain {
            data_type: "integer".into(),
            nullable: true,
            default: Some("1".into()),
            collation: None,
            checks: [("posint_check".to_string(), "CHECK (VALUE > 0)".to_string())].into(),
            comment: None,
        },
    );
    s.enum_types
        .insert("mood".into(), vec!["sad".into(), "happy".into()]);
    s.rules.entry("film".into()).or_default().insert(
        "keep".into(),
        "CREATE RULE keep AS ON DELETE TO film DO INSTEAD NOTHING;".into(),
    );
    s
}

/// Changes every field of `every_kind` once and reads every line that says
/// so; long because it is one change and one expected line per field.
#[test]
fn every_change_reads_as_sql() {
    let expected = every_kind();
    let mut a = expected.clone();
    let t = a.tables.get_mut("film").unwrap();
    let c = &mut t.columns[0];
    c.data_type = "enum('g','PG')".into();
    c.nullable = false;
    c.default = None;
    c.generated = Some("auto_increment".into());
    c.charset = Some("latin1".into());
    c.collation = None;
    c.comment = Some("it's rated".into());
    t.columns.swap(0, 1);
    let i = t.indexes.get_mut("film_title_idx").unwrap();
    i.unique = true;
    i.method = Some("gin".into());
    i.columns = vec!["title DESC".into()];
    i.include.clear();
    i.predicate = None;
    i.comment = None;
    let fk = t.foreign_keys.get_mut("film_lang").unwrap();
    fk.references = "languages".into();
    fk.on_update = "NO ACTION".into();
    fk.on_delete = "CASCADE".into();
    t.checks
        .insert("film_title".into(), "CHECK (title <> 'x')".into());
    t.checks
        .insert("film_year".into(), "CHECK (year > 1900)".into());
    t.partition_by = None;
    t.partitions[0].bound = Some("VALUES LESS THAN (1990)".into());
    t.partitions[0].subpartitions.clear();
    t.partitions[0].comment = None;
    t.partitions.reverse();
    t.partitions.push(Partition {
        name: "p2".into(),
        ..Partition::default()
    });
    t.partition_of = None;
    t.engine = Some("MyISAM".into());
    t.collation = None;
    t.options = None;
    t.comment = None;
    let v = a.views.get_mut("v").unwrap();
    v.columns.push("b".into());
    v.definition = "select 1 AS a, 2 AS b".into();
    v.options = Some("ALGORITHM=MERGE SQL SECURITY DEFINER".into());
    v.comment = None;
    let m = a.materialized_views.get_mut("m").unwrap();
    m.definition = " SELECT count(*) AS n FROM film WHERE title IS NOT NULL;".into();
    m.options = Some("WITH (fillfactor=50)".into());
    m.comment = Some("stats".into());
    m.columns = vec!["count".into()];
    m.indexes.clear();
    let tr = a
        .triggers
        .get_mut("film")
        .unwrap()
        .get_mut("film_bi")
        .unwrap();
    tr.timing = "AFTER".into();
    tr.events.push("UPDATE".into());
    tr.body = "SET NEW.title = upper(NEW.title)".into();
    tr.sql_mode = Some("ANSI_QUOTES".into());
    tr.state = Some("DISABLED".into());
    a.triggers
        .entry("other".into())
        .or_default()
        .insert("film_bi".into(), Trigger::default());
    let f = a.functions.get_mut("film_count()").unwrap();
    f.arguments = "n integer DEFAULT 0".into();
    f.returns = Some("integer".into());
    f.language = Some("plpgsql".into());
    f.body = "SELECT count(*) FROM film WHERE rating = 'G'".into();
    f.characteristics = "VOLATILE PARALLEL UNSAFE COST 100".into();
    f.comment = Some("how many".into());
    a.functions.remove("total(integer)");
    let p = a.procedures.get_mut("refresh").unwrap();
    p.sql_mode = Some("ANSI".into());
    p.comment = None;
    a.procedures.insert("added".into(), Routine::default());
    let e = a.events.get_mut("purge").unwrap();
    e.schedule = "EVERY 2 DAY".into();
    e.body = "DELETE FROM film".into();
    e.status = "DISABLED".into();
    e.on_completion = "PRESERVE".into();
    e.sql_mode = "ANSI".into();
    e.time_zone = "+00:00".into();
    e.comment = Some("daily".into());
    let q = a.sequences.get_mut("film_id_seq").unwrap();
    q.data_type = "integer".into();
    q.start = "5".into();
    q.increment = "2".into();
    q.min = "0".into();
    q.max = "100".into();
    q.cache = "10".into();
    q.cycle = true;
    q.owned_by = None;
    q.comment = Some("ids".into());
    let d = a.domains.get_mut("posint").unwrap();
    d.data_type = "bigint".into();
    d.nullable = false;
    d.default = None;
    d.collation = Some("C".into());
    d.checks.insert(
        "posint_check".into(),
        "CHECK (VALUE > 0 AND VALUE < 100)".into(),
    );
    d.comment = Some("positive".into());
    a.enum_types
        .insert("mood".into(), vec!["sad".into(), "Happy".into()]);
    a.enum_types.insert("color".into(), vec!["red".into()]);
    a.rules.get_mut("film").unwrap().insert(
        "keep".into(),
        "CREATE RULE keep AS ON DELETE TO film DO ALSO NOTHING;".into(),
    );
    let got = lines(&expected, &a);
    let want = [
        "column film.rating: type differs: the snapshot has enum('G','PG'), the live database has enum('g','PG')",
        "column film.rating: nullability differs: the snapshot has NULL, the live database has NOT NULL",
        "column film.rating: default differs: the snapshot has 'G', the live database has no default",
        "column film.rating: generation differs: the snapshot has none, the live database has auto_increment",
        "column film.rating: character set differs: the snapshot has utf8mb4, the live database has latin1",
        "column film.rating: collation differs: the snapshot has utf8mb4_bin, the live database has the default",
        "column film.rating: comment differs: the snapshot has 'the rating', the live database has 'it''s rated'",
        "table film: column order differs: the snapshot has (rating, title), the live database has (title, rating)",
        "index film.film_title_idx: uniqueness differs: the snapshot has non-unique, the live database has UNIQUE",
        "index film.film_title_idx: type differs: the snapshot has btree, the live database has gin",
        "index film.film_title_idx: columns differ: the snapshot has (title), the live database has (title DESC)",
        "index film.film_title_idx: INCLUDE columns differ: the snapshot has (id), the live database has none",
        "index film.film_title_idx: WHERE clause differs: the snapshot has title IS NOT NULL, the live database has none",
        "index film.film_title_idx: comment differs: the snapshot has 'by title', the live database has no comment",
        "foreign key film.film_lang: definition differs: the snapshot has (lang) REFERENCES language (id), the live database has (lang) REFERENCES languages (id)",
        "foreign key film.film_lang: ON UPDATE differs: the snapshot has CASCADE, the live database has NO ACTION",
        "foreign key film.film_lang: ON DELETE differs: the snapshot has RESTRICT, the live database has CASCADE",
        "check constraint film_title on film: condition differs: the snapshot has CHECK (title <> ''), the live database has CHECK (title <> 'x')",
        "check constraint film_year on film: only in the live database",
        "table film: partitioning differs: the snapshot has PARTITION BY RANGE (year), the live database has no partitioning",
        "partition p0 of film: bound differs: the snapshot has VALUES LESS THAN (2000), the live database has VALUES LESS THAN (1990)",
        "partition p0 of film: subpartitions differ: the snapshot has (p0a), the live database has none",
        "partition p0 of film: comment differs: the snapshot has 'old', the live database has no comment",
        "partition p2 of film: only in the live database",
        "table film: attachment differs: the snapshot has PARTITION OF films FOR VALUES IN (1), the live database has not a partition",
        "table film: engine differs: the snapshot has InnoDB, the live database has MyISAM",
        "table film: default collation differs: the snapshot has utf8mb4_general_ci, the live database has none",
        "table film: options differ: the snapshot has row_format=DYNAMIC, the live database has none",
        "table film: comment differs: the snapshot has 'films', the live database has no comment",
        "view v: columns differ: the snapshot has (a), the live database has (a, b)",
        "view v: definition differs: the snapshot has select 1 AS a, the live database has select 1 AS a, 2 AS b",
        "view v: options differ: the snapshot has ALGORITHM=UNDEFINED SQL SECURITY DEFINER, the live database has ALGORITHM=MERGE SQL SECURITY DEFINER",
        "view v: comment differs: the snapshot has 'a view', the live database has no comment",
        "materialized view m: columns differ: the snapshot has (n), the live database has (count)",
        "materialized view m: definition differs: the snapshot has  SELECT count(*) AS n FROM film;, the live database has  SELECT count(*) AS n FROM film WHERE title IS NOT NULL;",
        "materialized view m: options differ: the snapshot has none, the live database has WITH (fillfactor=50)",
        "materialized view m: comment differs: the snapshot has no comment, the live database has 'stats'",
        "index m.m_n: only in the snapshot",
        "trigger film_bi on film: timing differs: the snapshot has BEFORE, the live database has AFTER",
        "trigger film_bi on film: events differ: the snapshot has INSERT, the live database has INSERT OR UPDATE",
        "trigger film_bi on film: definition differs: the snapshot has SET NEW.title = trim(NEW.title), the live database has SET NEW.title = upper(NEW.title)",
        "trigger film_bi on film: sql_mode differs: the snapshot has STRICT_TRANS_TABLES, the live database has ANSI_QUOTES",
        "trigger film_bi on film: state differs: the snapshot has enabled, the live database has DISABLED",
        "trigger film_bi on other: only in the live database",
        "function film_count(): arguments differ: the snapshot has (), the live database has (n integer DEFAULT 0)",
        "function film_count(): return type differs: the snapshot has bigint, the live database has integer",
        "function film_count(): language differs: the snapshot has sql, the live database has plpgsql",
        "function film_count(): body differs: the snapshot has SELECT count(*) FROM film, the live database has SELECT count(*) FROM film WHERE rating = 'G'",
        "function film_count(): characteristics differ: the snapshot has STABLE PARALLEL UNSAFE COST 100, the live database has VOLATILE PARALLEL UNSAFE COST 100",
        "function film_count(): comment differs: the snapshot has no comment, the live database has 'how many'",
        "aggregate total(integer): only in the snapshot",
        "procedure added: only in the live database",
        "procedure refresh: sql_mode differs: the snapshot has STRICT_TRANS_TABLES, the live database has ANSI",
        "procedure refresh: comment differs: the snapshot has 'nightly', the live database has no comment",
        "event purge: schedule differs: the snapshot has EVERY 1 DAY, the live database has EVERY 2 DAY",
        "event purge: body differs: the snapshot has DELETE FROM film WHERE id < 0, the live database has DELETE FROM film",
        "event purge: status differs: the snapshot has ENABLED, the live database has DISABLED",
        "event purge: ON COMPLETION differs: the snapshot has NOT PRESERVE, the live database has PRESERVE",
        "event purge: sql_mode differs: the snapshot has STRICT_TRANS_TABLES, the live database has ANSI",
        "event purge: time zone differs: the snapshot has SYSTEM, the live database has +00:00",
        "event purge: comment differs: the snapshot has no comment, the live database has 'daily'",
        "sequence film_id_seq: data type differs: the snapshot has bigint, the live database has integer",
        "sequence film_id_seq: START differs: the snapshot has 1, the live database has 5",
        "sequence film_id_seq: INCREMENT differs: the snapshot has 1, the live database has 2",
        "sequence film_id_seq: MINVALUE differs: the snapshot has 1, the live database has 0",
        "sequence film_id_seq: MAXVALUE differs: the snapshot has 9223372036854775807, the live database has 100",
        "sequence film_id_seq: CACHE differs: the snapshot has 1, the live database has 10",
        "sequence film_id_seq: CYCLE differs: the snapshot has NO CYCLE, the live database has CYCLE",
        "sequence film_id_seq: OWNED BY differs: the snapshot has film.id, the live database has none",
        "sequence film_id_seq: comment differs: the snapshot has no comment, the live database has 'ids'",
        "domain posint: type differs: the snapshot has integer, the live database has bigint",
        "domain posint: nullability differs: the snapshot has NULL, the live database has NOT NULL",
        "domain posint: default differs: the snapshot has 1, the live database has no default",
        "domain posint: collation differs: the snapshot has the default, the live database has C",
        "check constraint posint_check on domain posint: condition differs: the snapshot has CHECK (VALUE > 0), the live database has CHECK (VALUE > 0 AND VALUE < 100)",
        "domain posint: comment differs: the snapshot has no comment, the live database has 'positive'",
        "enum type color: only in the live database",
        "enum type mood: values differ: the snapshot has ('sad', 'happy'), the live database has ('sad', 'Happy')",
        "rule keep on film: definition differs: the snapshot has CREATE RULE keep AS ON DELETE TO film DO INSTEAD NOTHING;, the live database has CREATE RULE keep AS ON DELETE TO film DO ALSO NOTHING;",
    ];
    for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
        assert_eq!(g, w, "line {i}");
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
    // Nothing reads as Rust: no Option, no struct, no quoted strings.
    for line in &got {
        assert!(
            !line.contains("Some(") && !line.contains('{') && !line.contains('"'),
            "{line}"
        );
    }
    // The other way round, each side is named for what it holds.
    assert!(
        lines(&a, &expected)
            .contains(&"trigger film_bi on other: only in the snapshot".to_string())
    );
}

#[test]
fn an_older_snapshot_says_so() {
    let old = r#"{"dialect": "sqlite", "version": 1, "tables": {}, "views": {},
        "triggers": {"t_ai": {"table": "t", "timing": "AFTER", "events": ["INSERT"], "body": "x"}}}"#;
    let e = Snapshot::parse("schema/sqlite.json", old).unwrap_err();
    assert_eq!(
        e,
        "schema/sqlite.json: a snapshot from an older mendb, whose triggers are not keyed by their table; \
         write it again with `mendb schema dump --format json > schema/sqlite.json` on a database the migrations built"
    );
    let broken = Snapshot::parse("s.json", "{").unwrap_err();
    assert!(
        broken.starts_with("s.json:1: not a mendb schema snapshot"),
        "{broken}"
    );
}

#[test]
fn long_texts_are_shown_where_they_part() {
    let mut e = Schema::default();
    let body = format!("BEGIN {}RETURN 1; END", "SELECT 1; ".repeat(20));
    e.functions.insert(
        "f()".into(),
        Routine {
            body: body.clone(),
            ..Routine::default()
        },
    );
    let mut a = e.clone();
    a.functions.get_mut("f()").unwrap().body = body.replace("RETURN 1", "RETURN 2");
    assert_eq!(
        lines(&e, &a),
        [
            "function f(): body differs: the snapshot has …SELECT 1; RETURN 1; END, the live database has …SELECT 1; RETURN 2; END"
        ]
    );
}
