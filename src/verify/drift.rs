//! Schema drift: the differences between two schemas, each naming the
//! object (`column price_data_real.close`), and the snapshot file that
//! `schema dump --format json` writes and `verify` compares with. Pure
//! data; never touches a database.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::db::Dialect;
use crate::db::introspect::{Column, ForeignKey, Index, Partition, Routine, Schema, Table};

/// A schema as `schema dump` writes it: what it is of, then the schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub dialect: Dialect,
    /// The migration version the database was at.
    pub version: Option<i32>,
    #[serde(flatten)]
    pub schema: Schema,
}

impl Snapshot {
    pub fn parse(path: &str, text: &str) -> Result<Snapshot, String> {
        let write = format!("mendb schema dump --format json > {path}");
        serde_json::from_str(text).map_err(|e| {
            if written_before_triggers_by_table(text) {
                return format!(
                    "{path}: a snapshot from an older mendb, whose triggers are not keyed by their table; \
                     write it again with `{write}` on a database the migrations built"
                );
            }
            format!(
                "{path}:{}: not a mendb schema snapshot: {e} (write one with `{write}`)",
                e.line()
            )
        })
    }
}

/// Older snapshots keyed triggers by name alone, each holding its table.
fn written_before_triggers_by_table(text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    v.get("triggers")
        .and_then(|t| t.as_object())
        .is_some_and(|t| {
            t.values()
                .any(|tr| tr.get("table").is_some_and(|x| x.is_string()))
        })
}

/// One way `actual` differs from `expected`, e.g. object `column
/// price_data_real.close`, change `only in the live database`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub object: String,
    pub change: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.object, self.change)
    }
}

/// What `actual` (called `actual_name`, e.g. "the live database") has
/// that `expected` (`expected_name`, e.g. "the snapshot") has not, and the
/// other way round, object by object, in words a DBA reads as SQL:
/// `check constraint film_title on film: only in the snapshot`.
pub fn diff(
    expected: &Schema,
    actual: &Schema,
    expected_name: &str,
    actual_name: &str,
) -> Vec<Difference> {
    let mut d = Differ {
        expected: expected_name,
        actual: actual_name,
        out: Vec::new(),
    };
    d.map(
        &expected.tables,
        &actual.tables,
        |name| format!("table {name}"),
        |d, name, e, a| d.table(name, e, a),
    );
    d.map(
        &expected.views,
        &actual.views,
        |name| format!("view {name}"),
        |d, name, e, a| {
            let object = format!("view {name}");
            d.list(&object, "columns differ", &e.columns, &a.columns);
            d.long(&object, "definition differs", &e.definition, &a.definition);
            d.opt(&object, "options differ", &e.options, &a.options, "none");
            d.comment(&object, &e.comment, &a.comment);
        },
    );
    d.map(
        &expected.materialized_views,
        &actual.materialized_views,
        |name| format!("materialized view {name}"),
        |d, name, e, a| {
            let object = format!("materialized view {name}");
            d.list(&object, "columns differ", &e.columns, &a.columns);
            d.long(&object, "definition differs", &e.definition, &a.definition);
            d.opt(&object, "options differ", &e.options, &a.options, "none");
            d.comment(&object, &e.comment, &a.comment);
            d.indexes(name, &e.indexes, &a.indexes);
        },
    );
    d.nested(
        &expected.triggers,
        &actual.triggers,
        |table, name| format!("trigger {name} on {table}"),
        |d, object, e, a| {
            d.value(object, "timing differs", &e.timing, &a.timing);
            d.value(
                object,
                "events differ",
                &e.events.join(" OR "),
                &a.events.join(" OR "),
            );
            d.long(object, "definition differs", &e.body, &a.body);
            d.opt(object, "sql_mode differs", &e.sql_mode, &a.sql_mode, "none");
            d.opt(object, "state differs", &e.state, &a.state, "enabled");
        },
    );
    for (word, e, a) in [
        ("function", &expected.functions, &actual.functions),
        ("procedure", &expected.procedures, &actual.procedures),
    ] {
        let keys = keys(e, a);
        for key in keys {
            let (er, ar) = (e.get(key), a.get(key));
            let kind = er
                .or(ar)
                .and_then(|r| r.kind.as_deref())
                .filter(|k| *k == "aggregate")
                .unwrap_or(word);
            let object = format!("{kind} {key}");
            match (er, ar) {
                (Some(er), Some(ar)) => d.routine(&object, er, ar),
                (e, _) => d.only(&object, e.is_some()),
            }
        }
    }
    d.map(
        &expected.events,
        &actual.events,
        |name| format!("event {name}"),
        |d, name, e, a| {
            let object = format!("event {name}");
            d.value(&object, "schedule differs", &e.schedule, &a.schedule);
            d.long(&object, "body differs", &e.body, &a.body);
            d.value(&object, "status differs", &e.status, &a.status);
            d.value(
                &object,
                "ON COMPLETION differs",
                &e.on_completion,
                &a.on_completion,
            );
            d.value(&object, "sql_mode differs", &e.sql_mode, &a.sql_mode);
            d.value(&object, "time zone differs", &e.time_zone, &a.time_zone);
            d.comment(&object, &e.comment, &a.comment);
        },
    );
    d.map(
        &expected.sequences,
        &actual.sequences,
        |name| format!("sequence {name}"),
        |d, name, e, a| {
            let object = format!("sequence {name}");
            d.value(&object, "data type differs", &e.data_type, &a.data_type);
            d.value(&object, "START differs", &e.start, &a.start);
            d.value(&object, "INCREMENT differs", &e.increment, &a.increment);
            d.value(&object, "MINVALUE differs", &e.min, &a.min);
            d.value(&object, "MAXVALUE differs", &e.max, &a.max);
            d.value(&object, "CACHE differs", &e.cache, &a.cache);
            let cycle = |c: bool| if c { "CYCLE" } else { "NO CYCLE" };
            d.value(&object, "CYCLE differs", cycle(e.cycle), cycle(a.cycle));
            d.opt(
                &object,
                "OWNED BY differs",
                &e.owned_by,
                &a.owned_by,
                "none",
            );
            d.comment(&object, &e.comment, &a.comment);
        },
    );
    d.map(
        &expected.domains,
        &actual.domains,
        |name| format!("domain {name}"),
        |d, name, e, a| {
            let object = format!("domain {name}");
            d.value(&object, "type differs", &e.data_type, &a.data_type);
            d.value(
                &object,
                "nullability differs",
                nullability(e.nullable),
                nullability(a.nullable),
            );
            d.opt(
                &object,
                "default differs",
                &e.default,
                &a.default,
                "no default",
            );
            d.opt(
                &object,
                "collation differs",
                &e.collation,
                &a.collation,
                "the default",
            );
            d.checks(&format!("domain {name}"), &e.checks, &a.checks);
            d.comment(&object, &e.comment, &a.comment);
        },
    );
    d.map(
        &expected.enum_types,
        &actual.enum_types,
        |name| format!("enum type {name}"),
        |d, name, e, a| {
            let labels = |l: &[String]| {
                let quoted: Vec<String> = l.iter().map(|v| literal(v)).collect();
                format!("({})", quoted.join(", "))
            };
            d.value(
                &format!("enum type {name}"),
                "values differ",
                &labels(e),
                &labels(a),
            );
        },
    );
    d.nested(
        &expected.rules,
        &actual.rules,
        |rel, name| format!("rule {name} on {rel}"),
        |d, object, e, a| d.long(object, "definition differs", e, a),
    );
    d.out
}

fn nullability(nullable: bool) -> &'static str {
    if nullable { "NULL" } else { "NOT NULL" }
}

/// A string as an SQL literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Keys of either map, in order.
fn keys<'m, V>(e: &'m BTreeMap<String, V>, a: &'m BTreeMap<String, V>) -> Vec<&'m String> {
    let mut keys: Vec<&String> = e.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Texts longer than this are shown around their first difference.
const SHOWN: usize = 80;
/// How much of a long text is shown, and how much of it before the first
/// difference.
const EXCERPT: usize = 60;
const BEFORE: usize = 20;

/// `text` from char `from`, at most EXCERPT chars, with `…` where cut.
fn excerpt(text: &str, from: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let end = (from + EXCERPT).min(chars.len());
    let mut s = String::new();
    if from > 0 {
        s.push('…');
    }
    s.extend(&chars[from.min(end)..end]);
    if end < chars.len() {
        s.push('…');
    }
    if s.is_empty() { "nothing".into() } else { s }
}

struct Differ<'a> {
    expected: &'a str,
    actual: &'a str,
    out: Vec<Difference>,
}

impl Differ<'_> {
    fn push(&mut self, object: &str, change: String) {
        self.out.push(Difference {
            object: object.to_string(),
            change,
        });
    }

    fn only(&mut self, object: &str, in_expected: bool) {
        let name = if in_expected {
            self.expected
        } else {
            self.actual
        };
        self.push(object, format!("only in {name}"));
    }

    /// `phrase: <expected> has e, <actual> has a`, when they differ.
    fn value(&mut self, object: &str, phrase: &str, e: &str, a: &str) {
        if e != a {
            let shown = |v: &str| if v.is_empty() { "none" } else { v }.to_string();
            let (e, a) = (shown(e), shown(a));
            let change = format!(
                "{phrase}: {} has {e}, {} has {a}",
                self.expected, self.actual
            );
            self.push(object, change);
        }
    }

    fn opt(
        &mut self,
        object: &str,
        phrase: &str,
        e: &Option<String>,
        a: &Option<String>,
        none: &str,
    ) {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| none.to_string());
        if e != a {
            self.value(object, phrase, &shown(e), &shown(a));
        }
    }

    fn comment(&mut self, object: &str, e: &Option<String>, a: &Option<String>) {
        let shown = |v: &Option<String>| v.as_deref().map_or("no comment".into(), literal);
        if e != a {
            self.value(object, "comment differs", &shown(e), &shown(a));
        }
    }

    fn list(&mut self, object: &str, phrase: &str, e: &[String], a: &[String]) {
        let shown = |l: &[String]| {
            if l.is_empty() {
                "none".to_string()
            } else {
                format!("({})", l.join(", "))
            }
        };
        if e != a {
            self.value(object, phrase, &shown(e), &shown(a));
        }
    }

    /// A body or definition: short ones whole, long ones from a little
    /// before where they part.
    fn long(&mut self, object: &str, phrase: &str, e: &str, a: &str) {
        if e == a {
            return;
        }
        if e.chars().count() <= SHOWN && a.chars().count() <= SHOWN {
            return self.value(object, phrase, e, a);
        }
        let at = e.chars().zip(a.chars()).take_while(|(x, y)| x == y).count();
        // From the start of a word, so the excerpt reads as SQL.
        let mut from = at.saturating_sub(BEFORE);
        let chars: Vec<char> = e.chars().collect();
        if from > 0
            && let Some(space) = chars[from..at].iter().position(|c| *c == ' ')
        {
            from += space + 1;
        }
        self.value(object, phrase, &excerpt(e, from), &excerpt(a, from));
    }

    /// Each key of either map: only in one, or compared by `same`.
    fn map<V>(
        &mut self,
        e: &BTreeMap<String, V>,
        a: &BTreeMap<String, V>,
        object: impl Fn(&str) -> String,
        mut same: impl FnMut(&mut Self, &str, &V, &V),
    ) {
        for key in keys(e, a) {
            match (e.get(key), a.get(key)) {
                (Some(ev), Some(av)) => same(self, key, ev, av),
                (ev, _) => self.only(&object(key), ev.is_some()),
            }
        }
    }

    /// Objects keyed by the relation they are on, then by name.
    fn nested<V>(
        &mut self,
        e: &BTreeMap<String, BTreeMap<String, V>>,
        a: &BTreeMap<String, BTreeMap<String, V>>,
        object: impl Fn(&str, &str) -> String,
        mut same: impl FnMut(&mut Self, &str, &V, &V),
    ) {
        let empty = BTreeMap::new();
        for rel in keys(e, a) {
            let (en, an) = (e.get(rel).unwrap_or(&empty), a.get(rel).unwrap_or(&empty));
            for name in keys(en, an) {
                let object = object(rel, name);
                match (en.get(name), an.get(name)) {
                    (Some(ev), Some(av)) => same(self, &object, ev, av),
                    (ev, _) => self.only(&object, ev.is_some()),
                }
            }
        }
    }

    fn table(&mut self, name: &str, e: &Table, a: &Table) {
        let object = format!("table {name}");
        let cols = |cs: &[Column]| -> BTreeMap<String, Column> {
            cs.iter().map(|c| (c.name.clone(), c.clone())).collect()
        };
        self.map(
            &cols(&e.columns),
            &cols(&a.columns),
            |col| format!("column {name}.{col}"),
            |d, col, ec, ac| d.column(&format!("column {name}.{col}"), ec, ac),
        );
        let order = |cs: &[Column]| cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        let (eo, ao) = (order(&e.columns), order(&a.columns));
        let (mut es, mut aset) = (eo.clone(), ao.clone());
        es.sort();
        aset.sort();
        if es == aset {
            self.list(&object, "column order differs", &eo, &ao);
        }
        self.indexes(name, &e.indexes, &a.indexes);
        self.map(
            &e.foreign_keys,
            &a.foreign_keys,
            |fk| format!("foreign key {name}.{fk}"),
            |d, fk, ef, af| {
                let object = format!("foreign key {name}.{fk}");
                let target = |f: &ForeignKey| {
                    format!(
                        "({}) REFERENCES {} ({})",
                        f.columns.join(", "),
                        f.references,
                        f.referenced_columns.join(", ")
                    )
                };
                d.value(&object, "definition differs", &target(ef), &target(af));
                d.value(&object, "ON UPDATE differs", &ef.on_update, &af.on_update);
                d.value(&object, "ON DELETE differs", &ef.on_delete, &af.on_delete);
            },
        );
        self.checks(name, &e.checks, &a.checks);
        self.opt(
            &object,
            "partitioning differs",
            &e.partition_by.as_ref().map(|p| format!("PARTITION BY {p}")),
            &a.partition_by.as_ref().map(|p| format!("PARTITION BY {p}")),
            "no partitioning",
        );
        self.partitions(name, &e.partitions, &a.partitions);
        self.opt(
            &object,
            "attachment differs",
            &e.partition_of.as_ref().map(|p| format!("PARTITION OF {p}")),
            &a.partition_of.as_ref().map(|p| format!("PARTITION OF {p}")),
            "not a partition",
        );
        self.opt(&object, "engine differs", &e.engine, &a.engine, "none");
        self.opt(
            &object,
            "default collation differs",
            &e.collation,
            &a.collation,
            "none",
        );
        self.opt(&object, "options differ", &e.options, &a.options, "none");
        self.comment(&object, &e.comment, &a.comment);
    }

    fn column(&mut self, object: &str, e: &Column, a: &Column) {
        self.value(object, "type differs", &e.data_type, &a.data_type);
        self.value(
            object,
            "nullability differs",
            nullability(e.nullable),
            nullability(a.nullable),
        );
        self.opt(
            object,
            "default differs",
            &e.default,
            &a.default,
            "no default",
        );
        self.opt(
            object,
            "generation differs",
            &e.generated,
            &a.generated,
            "none",
        );
        self.opt(
            object,
            "character set differs",
            &e.charset,
            &a.charset,
            "none",
        );
        self.opt(
            object,
            "collation differs",
            &e.collation,
            &a.collation,
            "the default",
        );
        self.comment(object, &e.comment, &a.comment);
    }

    /// The indexes of `rel`, a table or materialized view.
    fn indexes(&mut self, rel: &str, e: &BTreeMap<String, Index>, a: &BTreeMap<String, Index>) {
        self.map(
            e,
            a,
            |idx| format!("index {rel}.{idx}"),
            |d, idx, ei, ai| {
                let object = format!("index {rel}.{idx}");
                let unique = |u: bool| if u { "UNIQUE" } else { "non-unique" };
                d.value(
                    &object,
                    "uniqueness differs",
                    unique(ei.unique),
                    unique(ai.unique),
                );
                d.opt(&object, "type differs", &ei.method, &ai.method, "none");
                d.list(&object, "columns differ", &ei.columns, &ai.columns);
                d.list(&object, "INCLUDE columns differ", &ei.include, &ai.include);
                d.opt(
                    &object,
                    "WHERE clause differs",
                    &ei.predicate,
                    &ai.predicate,
                    "none",
                );
                d.comment(&object, &ei.comment, &ai.comment);
            },
        );
    }

    /// Check constraints on `on`: a table's name, or `domain d`.
    fn checks(&mut self, on: &str, e: &BTreeMap<String, String>, a: &BTreeMap<String, String>) {
        self.map(
            e,
            a,
            |c| format!("check constraint {c} on {on}"),
            |d, c, ec, ac| {
                d.long(
                    &format!("check constraint {c} on {on}"),
                    "condition differs",
                    ec,
                    ac,
                )
            },
        );
    }

    fn partitions(&mut self, table: &str, e: &[Partition], a: &[Partition]) {
        let by_name = |ps: &[Partition]| -> BTreeMap<String, Partition> {
            ps.iter().map(|p| (p.name.clone(), p.clone())).collect()
        };
        self.map(
            &by_name(e),
            &by_name(a),
            |p| format!("partition {p} of {table}"),
            |d, p, ep, ap| {
                let object = format!("partition {p} of {table}");
                d.opt(&object, "bound differs", &ep.bound, &ap.bound, "none");
                d.list(
                    &object,
                    "subpartitions differ",
                    &ep.subpartitions,
                    &ap.subpartitions,
                );
                d.comment(&object, &ep.comment, &ap.comment);
            },
        );
        let names = |ps: &[Partition]| ps.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        let (en, an) = (names(e), names(a));
        let (mut es, mut aset) = (en.clone(), an.clone());
        es.sort();
        aset.sort();
        if es == aset {
            self.list(
                &format!("table {table}"),
                "partition order differs",
                &en,
                &an,
            );
        }
    }

    fn routine(&mut self, object: &str, e: &Routine, a: &Routine) {
        let args = |r: &Routine| format!("({})", r.arguments);
        self.value(object, "arguments differ", &args(e), &args(a));
        self.opt(
            object,
            "return type differs",
            &e.returns,
            &a.returns,
            "none",
        );
        self.opt(object, "language differs", &e.language, &a.language, "none");
        self.long(object, "body differs", &e.body, &a.body);
        self.value(
            object,
            "characteristics differ",
            &e.characteristics,
            &a.characteristics,
        );
        self.opt(object, "sql_mode differs", &e.sql_mode, &a.sql_mode, "none");
        self.comment(object, &e.comment, &a.comment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::introspect::{
        Domain, Event, MaterializedView, Partition, Sequence, Trigger, View,
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

    /// One schema with every kind of object, each field filled.
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
}
