//! The objects that are not tables: views, triggers, routines, events,
//! sequences, domains, enum types and rules.

use std::collections::BTreeMap;

use super::differ::Differ;
use super::{keys, literal, nullability};
use crate::db::introspect::{
    Domain, Event, MaterializedView, Routine, Schema, Sequence, Trigger, View,
};

/// What a view and a materialized view both have.
struct ViewParts<'v> {
    columns: &'v [String],
    definition: &'v str,
    options: &'v Option<String>,
    comment: &'v Option<String>,
}

impl<'v> From<&'v View> for ViewParts<'v> {
    fn from(v: &'v View) -> Self {
        ViewParts {
            columns: &v.columns,
            definition: &v.definition,
            options: &v.options,
            comment: &v.comment,
        }
    }
}

impl<'v> From<&'v MaterializedView> for ViewParts<'v> {
    fn from(v: &'v MaterializedView) -> Self {
        ViewParts {
            columns: &v.columns,
            definition: &v.definition,
            options: &v.options,
            comment: &v.comment,
        }
    }
}

impl Differ<'_> {
    pub(super) fn views(&mut self, e: &BTreeMap<String, View>, a: &BTreeMap<String, View>) {
        self.map(
            e,
            a,
            |name| format!("view {name}"),
            |d, name, e, a| d.view(&format!("view {name}"), e.into(), a.into()),
        );
    }

    pub(super) fn materialized_views(
        &mut self,
        e: &BTreeMap<String, MaterializedView>,
        a: &BTreeMap<String, MaterializedView>,
    ) {
        self.map(
            e,
            a,
            |name| format!("materialized view {name}"),
            |d, name, e, a| {
                d.view(&format!("materialized view {name}"), e.into(), a.into());
                d.indexes(name, &e.indexes, &a.indexes);
            },
        );
    }

    fn view(&mut self, object: &str, e: ViewParts<'_>, a: ViewParts<'_>) {
        self.list(object, "columns differ", e.columns, a.columns);
        self.long(object, "definition differs", e.definition, a.definition);
        self.opt(object, "options differ", e.options, a.options, "none");
        self.comment(object, e.comment, a.comment);
    }

    pub(super) fn triggers(
        &mut self,
        e: &BTreeMap<String, BTreeMap<String, Trigger>>,
        a: &BTreeMap<String, BTreeMap<String, Trigger>>,
    ) {
        self.nested(
            e,
            a,
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
    }

    /// Functions, then procedures; an aggregate function is called one.
    pub(super) fn routines(&mut self, expected: &Schema, actual: &Schema) {
        for (word, e, a) in [
            ("function", &expected.functions, &actual.functions),
            ("procedure", &expected.procedures, &actual.procedures),
        ] {
            for key in keys(e, a) {
                let (er, ar) = (e.get(key), a.get(key));
                let kind = er
                    .or(ar)
                    .and_then(|r| r.kind.as_deref())
                    .filter(|k| *k == "aggregate")
                    .unwrap_or(word);
                let object = format!("{kind} {key}");
                match (er, ar) {
                    (Some(er), Some(ar)) => self.routine(&object, er, ar),
                    (e, _) => self.only(&object, e.is_some()),
                }
            }
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

    pub(super) fn events(&mut self, e: &BTreeMap<String, Event>, a: &BTreeMap<String, Event>) {
        self.map(
            e,
            a,
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
    }

    pub(super) fn sequences(
        &mut self,
        e: &BTreeMap<String, Sequence>,
        a: &BTreeMap<String, Sequence>,
    ) {
        self.map(
            e,
            a,
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
    }

    pub(super) fn domains(&mut self, e: &BTreeMap<String, Domain>, a: &BTreeMap<String, Domain>) {
        self.map(
            e,
            a,
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
                d.checks(&object, &e.checks, &a.checks);
                d.comment(&object, &e.comment, &a.comment);
            },
        );
    }

    pub(super) fn enum_types(
        &mut self,
        e: &BTreeMap<String, Vec<String>>,
        a: &BTreeMap<String, Vec<String>>,
    ) {
        let labels = |l: &[String]| {
            let quoted: Vec<String> = l.iter().map(|v| literal(v)).collect();
            format!("({})", quoted.join(", "))
        };
        self.map(
            e,
            a,
            |name| format!("enum type {name}"),
            |d, name, e, a| {
                d.value(
                    &format!("enum type {name}"),
                    "values differ",
                    &labels(e),
                    &labels(a),
                );
            },
        );
    }

    pub(super) fn rules(
        &mut self,
        e: &BTreeMap<String, BTreeMap<String, String>>,
        a: &BTreeMap<String, BTreeMap<String, String>>,
    ) {
        self.nested(
            e,
            a,
            |rel, name| format!("rule {name} on {rel}"),
            |d, object, e, a| d.long(object, "definition differs", e, a),
        );
    }
}
