//! The TOML model of a plan: steps, how each walks its table, and the
//! actions, as serde reads them with unknown keys refused. Parameters are
//! `params`; whether the values make sense is `validate`'s business.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::ParamDef;
use crate::db::Dialect;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDef {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<ParamDef>>,
    pub steps: Vec<Spanned<StepDef>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub batch: BatchDef,
    pub copy: Option<Spanned<CopyDef>>,
    pub update: Option<Spanned<UpdateDef>>,
    pub sql: Option<Spanned<SqlDef>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

/// How a step walks its table: in key order, a chunk at a time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchDef {
    pub table: Spanned<String>,
    /// Columns that are unique together and indexed, walked in this order.
    pub key: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub order: Order,
    /// A filter on the batching table (SQL over its columns, with `:param`s).
    #[serde(rename = "where")]
    pub filter: Option<Spanned<Expr>>,
    /// As written; `chunk_size()` once the plan is validated.
    #[serde(default = "default_chunk_size")]
    pub chunk_size: Spanned<WholeNumber>,
}

fn default_chunk_size() -> Spanned<WholeNumber> {
    Spanned::new(0..0, WholeNumber(1000))
}

/// The largest first chunk: the tuner never grows a chunk past it either.
pub const MAX_CHUNK_SIZE: u64 = crate::backfill::executor::MAX_CHUNK;

impl BatchDef {
    /// The size of a step's first chunk, in 1..=MAX_CHUNK_SIZE (validate
    /// refuses plans with any other).
    pub fn chunk_size(&self) -> u64 {
        let n = self.chunk_size.get_ref().0;
        u64::try_from(n).unwrap_or(1).clamp(1, MAX_CHUNK_SIZE)
    }
}

/// An integer as written in the plan, of any size the TOML reader takes,
/// so a range check can say what was wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeNumber(pub i128);

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<WholeNumber, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = WholeNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<WholeNumber, E> {
                Ok(WholeNumber(i128::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<WholeNumber, E> {
                Ok(WholeNumber(i128::from(v)))
            }
            fn visit_i128<E>(self, v: i128) -> Result<WholeNumber, E> {
                Ok(WholeNumber(v))
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<WholeNumber, E> {
                i128::try_from(v)
                    .map(WholeNumber)
                    .map_err(|_| E::custom(format!("integer {v} is out of range")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A SQL expression, the same for every dialect or one per dialect.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Expr {
    All(String),
    PerDialect(PerDialect),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerDialect {
    pub mysql: String,
    pub postgres: String,
    pub sqlite: String,
}

impl Expr {
    pub fn for_dialect(&self, dialect: Dialect) -> &str {
        match self {
            Expr::All(s) => s,
            Expr::PerDialect(p) => dialect.pick(&p.mysql, &p.postgres, &p.sqlite),
        }
    }

    pub(super) fn texts(&self) -> Vec<&str> {
        self.texts_for().into_iter().map(|(_, t)| t).collect()
    }

    /// Each text with the databases it runs on.
    pub(super) fn texts_for(&self) -> Vec<(&'static [Dialect], &str)> {
        match self {
            Expr::All(s) => vec![(&Dialect::ALL, s)],
            Expr::PerDialect(_) => Dialect::ALL
                .iter()
                .map(|d| (std::slice::from_ref(d), self.for_dialect(*d)))
                .collect(),
        }
    }
}

/// Insert rows built from the batching table into `into`, skipping rows
/// whose `match` columns already exist there; the first source row in
/// batch order wins when several map to the same match key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyDef {
    pub into: Spanned<String>,
    #[serde(rename = "match")]
    pub match_on: Spanned<Vec<Spanned<String>>>,
    /// Target column = expression over the batching table.
    pub columns: BTreeMap<Spanned<String>, Spanned<Expr>>,
}

/// Set columns of the batching table from a joined table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateDef {
    pub from: Spanned<String>,
    /// Column of `from` = expression over the batching table (alias `t`).
    pub on: BTreeMap<Spanned<String>, Spanned<Expr>>,
    /// Column of the batching table = expression over `from` (alias `s`).
    pub set: BTreeMap<Spanned<String>, Spanned<Expr>>,
    /// Columns of the batching table set to the current time on every row
    /// the step changes; they never make a row count as changed.
    #[serde(default)]
    pub touch: Vec<Spanned<String>>,
}

/// Statements per dialect; `{chunk}` stands for the chunk's key range over
/// the batching table, `:param` for parameters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlDef {
    pub mysql: Vec<Spanned<String>>,
    pub postgres: Vec<Spanned<String>>,
    pub sqlite: Vec<Spanned<String>>,
}

impl SqlDef {
    pub fn for_dialect(&self, dialect: Dialect) -> &[Spanned<String>] {
        dialect.pick(&self.mysql, &self.postgres, &self.sqlite)
    }
}

/// The action of a step, once validated.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    Copy(&'a CopyDef),
    Update(&'a UpdateDef),
    Sql(&'a SqlDef),
}

/// What a step does to rows, as progress and `backfill list` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    Copy,
    Update,
    Sql,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Copy => "copy",
            StepKind::Update => "update",
            StepKind::Sql => "sql",
        }
    }
}

impl StepDef {
    pub fn kind(&self) -> StepKind {
        match self.action() {
            Action::Copy(_) => StepKind::Copy,
            Action::Update(_) => StepKind::Update,
            Action::Sql(_) => StepKind::Sql,
        }
    }

    pub fn action(&self) -> Action<'_> {
        match (&self.copy, &self.update, &self.sql) {
            (Some(c), _, _) => Action::Copy(c.get_ref()),
            (_, Some(u), _) => Action::Update(u.get_ref()),
            (_, _, Some(s)) => Action::Sql(s.get_ref()),
            // validate() refuses steps without an action.
            (None, None, None) => unreachable!("validated plan step without an action"),
        }
    }
}
