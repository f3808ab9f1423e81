//! Rendering of `schema dump`: the live schema as normalized text for
//! people, or the JSON snapshot that `verify` compares with.

use std::fmt::Write as _;
use std::path::Path;

use super::Output;
use crate::cli::opt::Format;
use crate::db::introspect::{Index, Schema, Table};
use crate::verify::drift::Snapshot;

impl Output {
    pub fn schema_dump(&self, snapshot: &Snapshot) {
        if self.format == Format::Json {
            return self.json(snapshot);
        }
        outln!("{}", schema_text(snapshot));
    }

    /// `schema dump --write/--output`: where the snapshot went.
    pub fn snapshot_written(&self, file: &Path, snapshot: &Snapshot) {
        if self.format == Format::Json {
            return self.json(&serde_json::json!({
                "written": file.display().to_string(),
                "dialect": snapshot.dialect.dir_name(),
                "version": snapshot.version,
                "tables": snapshot.schema.tables.len(),
            }));
        }
        outln!(
            "Wrote {} ({} schema at V{}, {})",
            file.display(),
            snapshot.dialect.dir_name(),
            snapshot.version.unwrap_or(0),
            counted(snapshot.schema.tables.len(), "table", true).unwrap_or_default()
        );
    }
}

/// A count with its noun, `1 table`, `2 views`; none when there are none
/// and `always` is not set.
fn counted(count: usize, what: &str, always: bool) -> Option<String> {
    (always || count > 0).then(|| format!("{count} {what}{}", if count == 1 { "" } else { "s" }))
}

fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn index_line(name: &str, i: &Index) -> String {
    let mut line = format!("{}INDEX {name}", if i.unique { "UNIQUE " } else { "" });
    if let Some(m) = &i.method {
        let _ = write!(line, " USING {m}");
    }
    let _ = write!(line, " ({})", i.columns.join(", "));
    if !i.include.is_empty() {
        let _ = write!(line, " INCLUDE ({})", i.include.join(", "));
    }
    if let Some(p) = &i.predicate {
        let _ = write!(line, " WHERE {p}");
    }
    if let Some(c) = &i.comment {
        let _ = write!(line, " COMMENT {}", sql_literal(c));
    }
    line
}

fn comment_line(x: &mut String, comment: &Option<String>) {
    if let Some(c) = comment {
        let _ = writeln!(x, "  COMMENT {}", sql_literal(c));
    }
}

fn schema_text(snapshot: &Snapshot) -> String {
    let s = &snapshot.schema;
    let counts: Vec<String> = [
        counted(s.tables.len(), "table", true),
        counted(s.views.len(), "view", true),
        counted(s.materialized_views.len(), "materialized view", false),
        counted(s.trigger_count(), "trigger", true),
        counted(s.functions.len(), "function", false),
        counted(s.procedures.len(), "procedure", false),
        counted(s.events.len(), "event", false),
        counted(s.sequences.len(), "sequence", false),
        counted(s.domains.len(), "domain", false),
        counted(s.enum_types.len(), "enum type", false),
        counted(s.rules.values().map(|r| r.len()).sum(), "rule", false),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut x = format!(
        "-- {} schema at V{}: {}\n",
        snapshot.dialect.dir_name(),
        snapshot.version.unwrap_or(0),
        counts.join(", ")
    );
    for (name, t) in &s.tables {
        table_text(&mut x, name, t);
    }
    views_text(&mut x, s);
    triggers_text(&mut x, s);
    routines_text(&mut x, s);
    objects_text(&mut x, s);
    x.trim_end().to_string()
}

/// Views and materialized views, with their indexes and options.
fn views_text(x: &mut String, s: &Schema) {
    for (name, v) in &s.views {
        let _ = writeln!(
            x,
            "\nview {name} ({})\n  {}",
            v.columns.join(", "),
            v.definition
        );
        if let Some(o) = &v.options {
            let _ = writeln!(x, "  {o}");
        }
        comment_line(x, &v.comment);
    }
    for (name, m) in &s.materialized_views {
        let _ = writeln!(
            x,
            "\nmaterialized view {name} ({})\n  {}",
            m.columns.join(", "),
            m.definition
        );
        for (iname, i) in &m.indexes {
            let _ = writeln!(x, "  {}", index_line(iname, i));
        }
        if let Some(o) = &m.options {
            let _ = writeln!(x, "  {o}");
        }
        comment_line(x, &m.comment);
    }
}

/// Triggers, by table.
fn triggers_text(x: &mut String, s: &Schema) {
    for (table, triggers) in &s.triggers {
        for (name, t) in triggers {
            let _ = writeln!(
                x,
                "\ntrigger {name} {} {} ON {table}\n  {}",
                t.timing,
                t.events.join(" OR "),
                t.body
            );
            if let Some(m) = &t.sql_mode {
                let _ = writeln!(x, "  sql_mode {m}");
            }
            if let Some(st) = &t.state {
                let _ = writeln!(x, "  {st}");
            }
        }
    }
}

/// Functions and procedures.
fn routines_text(x: &mut String, s: &Schema) {
    for (word, routines) in [("function", &s.functions), ("procedure", &s.procedures)] {
        for (key, r) in routines {
            let kind = r
                .kind
                .as_deref()
                .filter(|k| *k == "aggregate")
                .unwrap_or(word);
            // PostgreSQL's key already holds the argument types; the full
            // list (names, defaults) follows.
            let mut head = format!("\n{kind} {key}");
            if key.ends_with(')') {
                if key != &format!("{}({})", key.split('(').next().unwrap_or(key), r.arguments) {
                    let _ = write!(head, " ({})", r.arguments);
                }
            } else {
                let _ = write!(head, "({})", r.arguments);
            }
            if let Some(ret) = &r.returns {
                let _ = write!(head, " RETURNS {ret}");
            }
            if let Some(l) = &r.language {
                let _ = write!(head, " LANGUAGE {l}");
            }
            let _ = writeln!(x, "{head}\n  {}\n  {}", r.characteristics, r.body);
            if let Some(m) = &r.sql_mode {
                let _ = writeln!(x, "  sql_mode {m}");
            }
            comment_line(x, &r.comment);
        }
    }
}

/// Events, sequences, domains, enum types and rules.
fn objects_text(x: &mut String, s: &Schema) {
    for (name, e) in &s.events {
        let _ = writeln!(
            x,
            "\nevent {name} ON SCHEDULE {} ON COMPLETION {} {}\n  {}\n  sql_mode {} time_zone {}",
            e.schedule, e.on_completion, e.status, e.body, e.sql_mode, e.time_zone
        );
        comment_line(x, &e.comment);
    }
    for (name, q) in &s.sequences {
        let _ = writeln!(
            x,
            "\nsequence {name} AS {} START {} INCREMENT {} MINVALUE {} MAXVALUE {} CACHE {}{}{}",
            q.data_type,
            q.start,
            q.increment,
            q.min,
            q.max,
            q.cache,
            if q.cycle { " CYCLE" } else { " NO CYCLE" },
            q.owned_by
                .as_ref()
                .map(|o| format!(" OWNED BY {o}"))
                .unwrap_or_default()
        );
        comment_line(x, &q.comment);
    }
    for (name, d) in &s.domains {
        let mut line = format!("\ndomain {name} AS {}", d.data_type);
        if let Some(c) = &d.collation {
            let _ = write!(line, " COLLATE {c}");
        }
        if !d.nullable {
            line.push_str(" NOT NULL");
        }
        if let Some(def) = &d.default {
            let _ = write!(line, " DEFAULT {def}");
        }
        let _ = writeln!(x, "{line}");
        for (cname, clause) in &d.checks {
            let _ = writeln!(x, "  CONSTRAINT {cname} {clause}");
        }
        comment_line(x, &d.comment);
    }
    for (name, labels) in &s.enum_types {
        let quoted: Vec<String> = labels.iter().map(|l| sql_literal(l)).collect();
        let _ = writeln!(x, "\nenum type {name} ({})", quoted.join(", "));
    }
    for rules in s.rules.values() {
        for def in rules.values() {
            let _ = writeln!(x, "\n{def}");
        }
    }
}

/// Long because a table has many parts (columns, indexes, constraints,
/// partitions, options), each written in turn.
fn table_text(x: &mut String, name: &str, t: &Table) {
    let _ = writeln!(x, "\ntable {name}");
    let width = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let type_width = t
        .columns
        .iter()
        .map(|c| c.data_type.len())
        .max()
        .unwrap_or(0);
    for c in &t.columns {
        let mut line = format!(
            "  {:width$}  {:type_width$}  {}",
            c.name,
            c.data_type,
            if c.nullable { "NULL" } else { "NOT NULL" }
        );
        if let Some(d) = &c.default {
            let _ = write!(line, "  DEFAULT {d}");
        }
        if let Some(g) = &c.generated {
            let _ = write!(line, "  {g}");
        }
        if let Some(cs) = &c.charset {
            let _ = write!(line, "  CHARACTER SET {cs}");
        }
        if let Some(co) = &c.collation {
            let _ = write!(line, "  COLLATE {co}");
        }
        if let Some(cm) = &c.comment {
            let _ = write!(line, "  COMMENT {}", sql_literal(cm));
        }
        let _ = writeln!(x, "{}", line.trim_end());
    }
    for (iname, i) in &t.indexes {
        let _ = writeln!(x, "  {}", index_line(iname, i));
    }
    for (fname, f) in &t.foreign_keys {
        let _ = writeln!(
            x,
            "  FOREIGN KEY {fname} ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}",
            f.columns.join(", "),
            f.references,
            f.referenced_columns.join(", "),
            f.on_update,
            f.on_delete
        );
    }
    for (cname, clause) in &t.checks {
        let _ = writeln!(x, "  CONSTRAINT {cname} {clause}");
    }
    if let Some(p) = &t.partition_by {
        let _ = writeln!(x, "  PARTITION BY {p}");
    }
    for p in &t.partitions {
        let mut line = format!("  PARTITION {}", p.name);
        if let Some(b) = &p.bound {
            let _ = write!(line, " {b}");
        }
        if !p.subpartitions.is_empty() {
            let _ = write!(line, " (SUBPARTITIONS {})", p.subpartitions.join(", "));
        }
        if let Some(c) = &p.comment {
            let _ = write!(line, " COMMENT {}", sql_literal(c));
        }
        let _ = writeln!(x, "{line}");
    }
    if let Some(p) = &t.partition_of {
        let _ = writeln!(x, "  PARTITION OF {p}");
    }
    let mut options = Vec::new();
    if let Some(e) = &t.engine {
        options.push(format!("ENGINE={e}"));
    }
    if let Some(c) = &t.collation {
        options.push(format!("COLLATE={c}"));
    }
    if let Some(o) = &t.options {
        options.push(o.clone());
    }
    if let Some(c) = &t.comment {
        options.push(format!("COMMENT {}", sql_literal(c)));
    }
    if !options.is_empty() {
        let _ = writeln!(x, "  {}", options.join(" "));
    }
}
