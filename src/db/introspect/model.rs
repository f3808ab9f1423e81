//! The schema as mendb describes it: the plain, serializable types a read
//! fills and `verify` compares and stores as a snapshot. Types only; no
//! catalog queries, no normalization. Which fields a snapshot leaves out
//! when empty is said field by field, as that is the snapshot's format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    pub views: BTreeMap<String, View>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub materialized_views: BTreeMap<String, MaterializedView>,
    /// By the table (or view) they are on, then by name: PostgreSQL names
    /// triggers per table, and a real schema reuses a name on many tables.
    pub triggers: BTreeMap<String, BTreeMap<String, Trigger>>,
    /// PostgreSQL: by `name(argument types)`, as overloads are told apart;
    /// MySQL: by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Routine>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub procedures: BTreeMap<String, Routine>,
    /// MySQL's scheduled events.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, Event>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<String, Sequence>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, Domain>,
    /// PostgreSQL enum types: their labels in sort order.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub enum_types: BTreeMap<String, Vec<String>>,
    /// PostgreSQL rules, by the relation they are on, then by name: the
    /// `CREATE RULE` text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, BTreeMap<String, String>>,
}

impl Schema {
    /// How many triggers, over every table.
    pub fn trigger_count(&self) -> usize {
        self.triggers.values().map(BTreeMap::len).sum()
    }

    /// The procedures, or the functions.
    pub(super) fn routines_mut(&mut self, procedures: bool) -> &mut BTreeMap<String, Routine> {
        if procedures {
            &mut self.procedures
        } else {
            &mut self.functions
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Table {
    /// In the table's column order.
    pub columns: Vec<Column>,
    pub indexes: BTreeMap<String, Index>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_keys: BTreeMap<String, ForeignKey>,
    /// Check constraints by name: `CHECK (...)`, as the database prints it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, String>,
    /// `RANGE (year(created))`, with `SUBPARTITION BY ...` on MySQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// MySQL's partitions, in their order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<Partition>,
    /// A PostgreSQL partition: `parent FOR VALUES ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<String>,
    /// MySQL's storage engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// MySQL's default collation for the table's text columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// What else the table was created with: MySQL's create options,
    /// PostgreSQL's `UNLOGGED`, access method, storage parameters and
    /// `INHERITS`, SQLite's `WITHOUT ROWID` and `STRICT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// Lowercase outside quoted ENUM/SET values, as the server reports it,
    /// without MySQL integer display widths (`int(11)` and `int` are the
    /// same type).
    pub data_type: String,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Filled by the database itself: `auto_increment`, `identity`,
    /// `rowid`, `generated stored: <expression>`, `on update
    /// current_timestamp()`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// MySQL's character set of a text column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// MySQL: every text column's; PostgreSQL and SQLite: one other than
    /// the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Column {
    /// Whether an INSERT may leave this column out.
    pub fn may_be_omitted(&self) -> bool {
        self.nullable || self.default.is_some() || self.generated.is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Index {
    pub unique: bool,
    /// Column names, `name(n)` for a MySQL prefix, or the expression; with
    /// ` DESC`, `NULLS FIRST`/`LAST`, a collation or operator class that is
    /// not the default.
    pub columns: Vec<String>,
    /// The WHERE clause of a partial index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `BTREE`, `FULLTEXT`, `SPATIAL`, `HASH` (MySQL); `btree`, `gin`,
    /// `gist`, `brin`... (PostgreSQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// PostgreSQL's `INCLUDE` columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references: String,
    pub referenced_columns: Vec<String>,
    pub on_update: String,
    pub on_delete: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Partition {
    pub name: String,
    /// `VALUES LESS THAN (2000)`, `VALUES IN (1,2)`; none for HASH and KEY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subpartitions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct View {
    pub columns: Vec<String>,
    /// As the server reports it, whitespace collapsed and the database's
    /// own name taken out of qualified names.
    pub definition: String,
    /// MySQL's `ALGORITHM=... SQL SECURITY ... WITH ... CHECK OPTION`,
    /// PostgreSQL's `WITH (...)` options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MaterializedView {
    pub columns: Vec<String>,
    pub definition: String,
    pub indexes: BTreeMap<String, Index>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    pub timing: String,
    pub events: Vec<String>,
    /// The trigger's statement (MySQL), `CREATE TRIGGER` text (PostgreSQL,
    /// whose function is compared as a function) or CREATE text (SQLite),
    /// whitespace collapsed.
    pub body: String,
    /// MySQL: the sql_mode it was created under, which its body runs with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_mode: Option<String>,
    /// PostgreSQL: `DISABLED`, `ENABLE REPLICA` or `ENABLE ALWAYS`; none
    /// when it fires as usual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// A function or procedure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Routine {
    /// PostgreSQL's `aggregate` or `window`; none for a plain function or
    /// a procedure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The parameter list as `CREATE` writes it: modes, names, types,
    /// defaults.
    pub arguments: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// PostgreSQL's `LANGUAGE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The body, whitespace collapsed.
    pub body: String,
    /// `DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER`, `STABLE STRICT
    /// PARALLEL SAFE COST 100 SET search_path=public`...
    pub characteristics: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A MySQL scheduled event. When it starts, and when a one-time event
/// runs, are left out: left unsaid in its CREATE, they are the moment it
/// was created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Event {
    /// `EVERY 1 DAY`, `EVERY 1 DAY ENDS '2030-01-01 00:00:00'`, or `AT`
    /// for a one-time event.
    pub schedule: String,
    pub body: String,
    /// `ENABLED`, `DISABLED` or `SLAVESIDE_DISABLED`.
    pub status: String,
    /// `PRESERVE` or `NOT PRESERVE`.
    pub on_completion: String,
    pub sql_mode: String,
    pub time_zone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A sequence's definition; never its current value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sequence {
    pub data_type: String,
    pub start: String,
    pub increment: String,
    pub min: String,
    pub max: String,
    pub cache: String,
    pub cycle: bool,
    /// `table.column` of a serial or identity column, or of `OWNED BY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Domain {
    pub data_type: String,
    pub nullable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}
