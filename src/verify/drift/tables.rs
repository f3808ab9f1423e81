//! Tables and what hangs off them: columns, indexes, foreign keys, check
//! constraints, partitions.

use std::collections::BTreeMap;

use super::differ::Differ;
use super::nullability;
use crate::db::introspect::{Column, ForeignKey, Index, Partition, Table};

impl Differ<'_> {
    pub(super) fn tables(&mut self, e: &BTreeMap<String, Table>, a: &BTreeMap<String, Table>) {
        self.map(
            e,
            a,
            |name| format!("table {name}"),
            |d, name, e, a| d.table(name, e, a),
        );
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
        self.order(
            &object,
            "column order differs",
            order(&e.columns),
            order(&a.columns),
        );
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
    pub(super) fn indexes(
        &mut self,
        rel: &str,
        e: &BTreeMap<String, Index>,
        a: &BTreeMap<String, Index>,
    ) {
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
    pub(super) fn checks(
        &mut self,
        on: &str,
        e: &BTreeMap<String, String>,
        a: &BTreeMap<String, String>,
    ) {
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
        self.order(
            &format!("table {table}"),
            "partition order differs",
            names(e),
            names(a),
        );
    }
}
