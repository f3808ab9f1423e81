//! Backfill plans: the TOML format (docs/backfill-plans.md), parsing with
//! unknown keys refused, and every check that needs no database: names are
//! plain identifiers, each step has exactly one action, parameters exist
//! and `--set` values have the declared type. Errors name the plan file,
//! the line and the key. Never talks to a database; `preflight` checks the
//! plan against the live schema.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::db::Dialect;
use crate::toml_pos::{line_of, toml_error};

/// A plan as read from its file, with where each value came from.
#[derive(Debug, Clone)]
pub struct Plan {
    pub path: String,
    pub source: String,
    pub checksum: String,
    pub def: PlanDef,
}

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
pub struct ParamDef {
    #[serde(rename = "type")]
    pub kind: ParamKind,
    pub default: Option<Spanned<Written>>,
    #[serde(default)]
    pub description: String,
}

/// A value as the plan file writes it. The TOML reader accepts integers
/// beyond 64 bits, which `toml::Value` cannot hold; they are kept here so
/// the plan refuses them with the words `--set` uses for the same number.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    Value(toml::Value),
    WideInteger(i128),
}

impl<'de> Deserialize<'de> for Written {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Written, D::Error> {
        d.deserialize_any(WrittenVisitor)
    }
}

struct WrittenVisitor;

impl<'de> serde::de::Visitor<'de> for WrittenVisitor {
    type Value = Written;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Written, E> {
        Ok(Written::Value(toml::Value::Boolean(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Written, E> {
        Ok(Written::Value(toml::Value::Integer(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Written, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Written::Value(toml::Value::Integer(i)),
            Err(_) => Written::WideInteger(i128::from(v)),
        })
    }

    fn visit_i128<E>(self, v: i128) -> Result<Written, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Written::Value(toml::Value::Integer(i)),
            Err(_) => Written::WideInteger(v),
        })
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Written, E> {
        i128::try_from(v)
            .map_err(|_| E::custom(format!("integer {v} is out of range")))
            .and_then(|v| self.visit_i128(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Written, E> {
        Ok(Written::Value(toml::Value::Float(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Written, E> {
        Ok(Written::Value(toml::Value::String(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> Result<Written, E> {
        Ok(Written::Value(toml::Value::String(v)))
    }

    // Arrays, tables and datetimes (a table to serde) as toml reads them.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Written, A::Error> {
        toml::Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
            .map(Written::Value)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Written, A::Error> {
        toml::Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(Written::Value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    Timestamp,
    Date,
    Int,
    Float,
    Text,
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
pub const MAX_CHUNK_SIZE: u64 = super::executor::MAX_CHUNK;

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

    fn texts(&self) -> Vec<&str> {
        self.texts_for().into_iter().map(|(_, t)| t).collect()
    }

    /// Each text with the databases it runs on.
    fn texts_for(&self) -> Vec<(&'static [Dialect], &str)> {
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

impl StepDef {
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

/// A plan error: the file, the line when one is to blame, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct PlanError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

/// A parameter value, typed as declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Timestamp(NaiveDateTime),
    Date(NaiveDate),
    Int(i64),
    Float(f64),
    Text(String),
}

impl ParamValue {
    /// Canonical text, for run records and for binding.
    pub fn to_text(&self) -> String {
        match self {
            ParamValue::Timestamp(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            ParamValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            ParamValue::Int(i) => i.to_string(),
            ParamValue::Float(f) => f.to_string(),
            ParamValue::Text(s) => s.clone(),
        }
    }

    /// Parses a `--set` value, or a default written as a string.
    fn parse(kind: ParamKind, raw: &str) -> Result<ParamValue, String> {
        let bad = |what: &str| format!("`{raw}` is not {what}");
        match kind {
            ParamKind::Timestamp => {
                let t = crate::time::read_time(raw)
                    .ok_or_else(|| bad("a timestamp (e.g. 2025-09-30 12:00:00)"))?;
                crate::time::check_year(raw, t.date())?;
                Ok(ParamValue::Timestamp(t))
            }
            ParamKind::Date => {
                let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                    .map_err(|_| bad("a date (YYYY-MM-DD)"))?;
                crate::time::check_year(raw, d)?;
                Ok(ParamValue::Date(d))
            }
            ParamKind::Int => {
                let digits = raw.trim().strip_prefix(['-', '+']).unwrap_or(raw.trim());
                if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad("an integer"));
                }
                raw.trim()
                    .parse()
                    .map(ParamValue::Int)
                    .map_err(|_| int_out_of_range(raw.trim()))
            }
            ParamKind::Float => {
                let f: f64 = raw.trim().parse().map_err(|_| bad("a number"))?;
                ParamValue::float(raw.trim(), f)
            }
            ParamKind::Text => Ok(ParamValue::Text(raw.to_string())),
        }
    }

    /// A float bound into SQL: NaN and infinities are no number any of the
    /// databases stores, and `1e400` reads as infinity.
    fn float(raw: &str, f: f64) -> Result<ParamValue, String> {
        if f.is_finite() {
            Ok(ParamValue::Float(f))
        } else {
            Err(format!(
                "`{raw}` is not a finite number (a float is between -{max:e} and {max:e})",
                max = f64::MAX
            ))
        }
    }

    fn from_toml(kind: ParamKind, value: &Written) -> Result<ParamValue, String> {
        let value = match value {
            Written::Value(v) => v,
            Written::WideInteger(i) => {
                return match kind {
                    ParamKind::Float => ParamValue::float(&i.to_string(), *i as f64),
                    ParamKind::Int => Err(int_out_of_range(&i.to_string())),
                    _ => Err(format!("{i} is not {}", kind.noun())),
                };
            }
        };
        match (kind, value) {
            (ParamKind::Int, toml::Value::Integer(i)) => Ok(ParamValue::Int(*i)),
            (ParamKind::Float, toml::Value::Float(f)) => ParamValue::float(&value.to_string(), *f),
            (ParamKind::Float, toml::Value::Integer(i)) => Ok(ParamValue::Float(*i as f64)),
            (_, toml::Value::String(s)) => ParamValue::parse(kind, s),
            (_, toml::Value::Datetime(d)) => ParamValue::parse(kind, &d.to_string()),
            (kind, other) => Err(format!("{other} is not {}", kind.noun())),
        }
    }
}

impl ParamKind {
    fn noun(self) -> &'static str {
        match self {
            ParamKind::Timestamp => "a timestamp",
            ParamKind::Date => "a date",
            ParamKind::Int => "an integer",
            ParamKind::Float => "a number",
            ParamKind::Text => "text",
        }
    }
}

fn int_out_of_range(raw: &str) -> String {
    format!(
        "`{raw}` is out of range (an int is {} to {})",
        i64::MIN,
        i64::MAX
    )
}

/// Identifiers mendb puts into SQL: plain names only, so nothing can ride
/// along with them. They are quoted as well when used.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

/// `:name` references in an expression (not `::type` casts).
pub fn param_refs(expr: &str) -> Vec<String> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == b'\'' || c == b'"' || c == b'`' {
            quote = Some(c);
        } else if c == b':' && b.get(i + 1) == Some(&b':') {
            i += 2;
            continue;
        } else if c == b':'
            && b.get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_')
        {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            out.push(expr[start..end].to_string());
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

impl Plan {
    pub fn load(path: &Path) -> Result<Plan, PlanError> {
        let display = path.display().to_string();
        let source = std::fs::read_to_string(path).map_err(|e| PlanError {
            path: display.clone(),
            line: None,
            message: format!("cannot read plan: {e}"),
        })?;
        Plan::parse(&display, &source)
    }

    pub fn parse(path: &str, source: &str) -> Result<Plan, PlanError> {
        let def: PlanDef = toml::from_str(source).map_err(|e| {
            let (line, message) = toml_error(source, &e);
            PlanError {
                path: path.to_string(),
                line,
                message,
            }
        })?;
        let mut digest = crate::checksum::Digest::default();
        digest.add(source);
        let plan = Plan {
            path: path.to_string(),
            source: source.to_string(),
            checksum: digest.hex(),
            def,
        };
        plan.validate()?;
        Ok(plan)
    }

    pub fn name(&self) -> &str {
        self.def.name.get_ref()
    }

    /// An error at `span` of the plan file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> PlanError {
        PlanError {
            path: self.path.clone(),
            line: Some(line_of(&self.source, span.start)),
            message: message.into(),
        }
    }

    /// An error about the plan as a whole or how it is used (a `--set`),
    /// not about one line of it.
    fn file_error(&self, message: impl Into<String>) -> PlanError {
        PlanError {
            path: self.path.clone(),
            line: None,
            message: message.into(),
        }
    }

    fn check_ident(&self, what: &str, name: &Spanned<String>) -> Result<(), PlanError> {
        if is_identifier(name.get_ref()) {
            Ok(())
        } else {
            Err(self.error(
                name.span(),
                format!(
                    "{what} `{}` is not a plain identifier (letters, digits, _; at most 64)",
                    name.get_ref()
                ),
            ))
        }
    }

    /// An expression names only declared parameters and is part of one
    /// statement.
    fn check_expr(&self, key: &str, expr: &Spanned<Expr>) -> Result<(), PlanError> {
        for text in expr.get_ref().texts() {
            for p in param_refs(text) {
                if !self.def.params.contains_key(&p) {
                    return Err(self.error(
                        expr.span(),
                        format!("{key}: unknown parameter `:{p}` (declare it under [params])"),
                    ));
                }
            }
        }
        for (dialects, text) in expr.get_ref().texts_for() {
            let key = match (expr.get_ref(), dialects) {
                (Expr::PerDialect(_), [d]) => format!("{key}.{}", d.dir_name()),
                _ => key.to_string(),
            };
            self.check_one_statement(
                &key,
                expr.span(),
                text,
                dialects,
                "an expression must be part of one statement",
            )?;
        }
        Ok(())
    }

    /// Plan SQL goes into mendb's statements as written, and the databases
    /// run every statement of a text they are sent (SQLite even through a
    /// prepared query): a `;` would end mendb's statement and whatever
    /// follows would run on its own, in a dry run and in the checks too.
    /// An unclosed quote or comment would swallow the rest of the
    /// statement. `rule` says what the text must be.
    fn check_one_statement(
        &self,
        key: &str,
        span: Range<usize>,
        text: &str,
        dialects: &[Dialect],
        rule: &str,
    ) -> Result<(), PlanError> {
        for dialect in dialects {
            let statements =
                crate::sql::split_statements(text, dialect.sql_flavor()).map_err(|e| {
                    let problem = e
                        .problem
                        .replace("the end of the file", "the end of the text");
                    self.error(span.clone(), format!("{key}: {problem}"))
                })?;
            if statements.len() > 1 {
                let shown: Vec<String> = statements
                    .iter()
                    .take(2)
                    .map(|s| format!("`{}`", crate::db::abbreviate(&s.text)))
                    .collect();
                let more = if statements.len() > 2 { "; ..." } else { "" };
                return Err(self.error(
                    span,
                    format!(
                        "{key}: holds {} statements ({}{more}); {rule}",
                        statements.len(),
                        shown.join("; ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), PlanError> {
        let d = &self.def;
        if !d
            .name
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || d.name.get_ref().is_empty()
        {
            return Err(self.error(d.name.span(), "name: use letters, digits, - and _"));
        }
        for (name, p) in &d.params {
            if !is_identifier(name) {
                return Err(self.error(
                    p.span(),
                    format!("params: `{name}` is not a plain identifier"),
                ));
            }
            if let Some(default) = &p.get_ref().default {
                ParamValue::from_toml(p.get_ref().kind, default.get_ref()).map_err(|e| {
                    self.error(default.span(), format!("params.{name}.default: {e}"))
                })?;
            }
        }
        if d.steps.is_empty() {
            return Err(self.file_error("a plan needs at least one [[steps]]"));
        }
        let mut names = Vec::new();
        for step in &d.steps {
            let s = step.get_ref();
            let label = format!("step `{}`", s.name.get_ref());
            if names.contains(s.name.get_ref()) {
                return Err(
                    self.error(s.name.span(), format!("{label}: step names must be unique"))
                );
            }
            names.push(s.name.get_ref().clone());
            let actions = [s.copy.is_some(), s.update.is_some(), s.sql.is_some()];
            if actions.iter().filter(|a| **a).count() != 1 {
                return Err(self.error(
                    step.span(),
                    format!("{label}: needs exactly one action: [steps.copy], [steps.update] or [steps.sql]"),
                ));
            }
            self.check_ident(&format!("{label}: batch.table"), &s.batch.table)?;
            if s.batch.key.get_ref().is_empty() {
                return Err(self.error(
                    s.batch.key.span(),
                    format!("{label}: batch.key needs at least one column"),
                ));
            }
            for k in s.batch.key.get_ref() {
                self.check_ident(&format!("{label}: batch.key"), k)?;
            }
            let size = s.batch.chunk_size.get_ref().0;
            if !(1..=i128::from(MAX_CHUNK_SIZE)).contains(&size) {
                return Err(self.error(
                    s.batch.chunk_size.span(),
                    format!(
                        "{label}: batch.chunk_size {size} is out of range (the range is 1 to {MAX_CHUNK_SIZE})"
                    ),
                ));
            }
            if let Some(f) = &s.batch.filter {
                self.check_expr(&format!("{label}: batch.where"), f)?;
            }
            match s.action() {
                Action::Copy(c) => {
                    self.check_ident(&format!("{label}: copy.into"), &c.into)?;
                    for (col, expr) in &c.columns {
                        self.check_ident(&format!("{label}: copy.columns"), col)?;
                        self.check_expr(&format!("{label}: copy.columns.{}", col.get_ref()), expr)?;
                    }
                    if c.match_on.get_ref().is_empty() {
                        return Err(self.error(
                            c.match_on.span(),
                            format!("{label}: copy.match needs at least one column"),
                        ));
                    }
                    for m in c.match_on.get_ref() {
                        self.check_ident(&format!("{label}: copy.match"), m)?;
                        if !c.columns.keys().any(|k| k.get_ref() == m.get_ref()) {
                            return Err(self.error(
                                m.span(),
                                format!(
                                    "{label}: copy.match column `{}` is not among copy.columns",
                                    m.get_ref()
                                ),
                            ));
                        }
                    }
                }
                Action::Update(u) => {
                    self.check_ident(&format!("{label}: update.from"), &u.from)?;
                    if u.on.is_empty() || u.set.is_empty() {
                        return Err(self
                            .error(step.span(), format!("{label}: update needs `on` and `set`")));
                    }
                    for (col, expr) in u.on.iter().chain(u.set.iter()) {
                        self.check_ident(&format!("{label}: update"), col)?;
                        self.check_expr(&format!("{label}: update.{}", col.get_ref()), expr)?;
                    }
                    for col in &u.touch {
                        self.check_ident(&format!("{label}: update.touch"), col)?;
                        if u.set.keys().any(|k| k.get_ref() == col.get_ref()) {
                            return Err(self.error(
                                col.span(),
                                format!(
                                    "{label}: update.touch column `{}` is also in update.set",
                                    col.get_ref()
                                ),
                            ));
                        }
                    }
                }
                Action::Sql(sql) => {
                    for dialect in Dialect::ALL {
                        let stmts = sql.for_dialect(dialect);
                        if stmts.is_empty()
                            || stmts.iter().any(|s| !s.get_ref().contains("{chunk}"))
                        {
                            return Err(self.error(
                                step.span(),
                                format!(
                                    "{label}: sql.{} needs statements that each use {{chunk}}",
                                    dialect.dir_name()
                                ),
                            ));
                        }
                        for (i, stmt) in stmts.iter().enumerate() {
                            for p in param_refs(stmt.get_ref()) {
                                if !d.params.contains_key(&p) {
                                    return Err(self.error(
                                        step.span(),
                                        format!("{label}: unknown parameter `:{p}`"),
                                    ));
                                }
                            }
                            self.check_one_statement(
                                &format!("{label}: sql.{} statement {}", dialect.dir_name(), i + 1),
                                stmt.span(),
                                stmt.get_ref(),
                                &[dialect],
                                "each entry must be one statement",
                            )?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Parameter values: defaults overridden by `--set k=v`.
    pub fn resolve_params(
        &self,
        sets: &[String],
    ) -> Result<BTreeMap<String, ParamValue>, PlanError> {
        let mut values = BTreeMap::new();
        for (name, p) in &self.def.params {
            if let Some(default) = &p.get_ref().default {
                let v =
                    ParamValue::from_toml(p.get_ref().kind, default.get_ref()).map_err(|e| {
                        self.error(default.span(), format!("params.{name}.default: {e}"))
                    })?;
                values.insert(name.clone(), v);
            }
        }
        for set in sets {
            let Some((name, raw)) = set.split_once('=') else {
                return Err(self.file_error(format!("--set {set}: expected NAME=VALUE")));
            };
            let name = name.trim();
            let Some(p) = self.def.params.get(name) else {
                let known: Vec<&str> = self.def.params.keys().map(String::as_str).collect();
                return Err(self.file_error(format!(
                    "--set {set}: the plan has no parameter `{name}` (it has: {})",
                    known.join(", ")
                )));
            };
            let v = ParamValue::parse(p.get_ref().kind, raw)
                .map_err(|e| self.error(p.span(), format!("--set {name}: {e}")))?;
            values.insert(name.to_string(), v);
        }
        for (name, p) in &self.def.params {
            if !values.contains_key(name) {
                return Err(self.error(
                    p.span(),
                    format!("parameter `{name}` has no default: pass --set {name}=..."),
                ));
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "demo"
description = "a demo"

[params.since]
type = "timestamp"
default = "2025-09-28 12:00:00"

[[steps]]
name = "copy-it"

[steps.batch]
table = "src"
key = ["symbol", "id"]
where = "ts >= :since"
chunk_size = 500

[steps.copy]
into = "dst"
match = ["symbol"]

[steps.copy.columns]
symbol = "symbol"
ts = { mysql = "a", postgres = "b", sqlite = "c" }
"#;

    #[test]
    fn parses_a_good_plan() {
        let plan = Plan::parse("p.toml", GOOD).unwrap();
        assert_eq!(plan.name(), "demo");
        let step = plan.def.steps[0].get_ref();
        assert_eq!(step.batch.chunk_size(), 500);
        let Action::Copy(c) = step.action() else {
            panic!()
        };
        assert_eq!(c.columns.len(), 2);
        let params = plan
            .resolve_params(&["since=2025-09-29T00:00:00Z".into()])
            .unwrap();
        assert_eq!(params["since"].to_text(), "2025-09-29 00:00:00");
    }

    fn err(src: &str) -> String {
        Plan::parse("p.toml", src).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = err(&GOOD.replace("chunk_size = 500", "chunksize = 500"));
        assert!(e.starts_with("p.toml:16: unknown field `chunksize`"), "{e}");
        let e = err(&GOOD.replace("chunk_size = 500", "chunk_size = \"big\""));
        assert!(e.starts_with("p.toml:16:"), "{e}");
        assert!(
            e.contains("invalid type: string \"big\", expected a whole number"),
            "{e}"
        );
        let e = err(&GOOD.replace("table = \"src\"", "table = \"src; DROP TABLE x\""));
        assert_eq!(
            e,
            "p.toml:13: step `copy-it`: batch.table `src; DROP TABLE x` is not a plain identifier (letters, digits, _; at most 64)"
        );
        let e = err(&GOOD.replace(":since", ":sinse"));
        assert!(e.contains("unknown parameter `:sinse`"), "{e}");
        let e = err(&GOOD.replace("match = [\"symbol\"]", "match = [\"ts2\"]"));
        assert!(
            e.contains("copy.match column `ts2` is not among copy.columns"),
            "{e}"
        );
    }

    #[test]
    fn plan_sql_is_part_of_one_statement() {
        let e = err(&GOOD.replace(
            "symbol = \"symbol\"",
            "symbol = \"1 FROM src; DROP TABLE x; SELECT 1\"",
        ));
        assert_eq!(
            e,
            "p.toml:23: step `copy-it`: copy.columns.symbol: holds 3 statements (`1 FROM src`; `DROP TABLE x`; ...); an expression must be part of one statement"
        );
        let e = err(&GOOD.replace(":since\"", ":since) OR (1 = 1; DELETE FROM src\""));
        assert!(
            e.starts_with("p.toml:15: step `copy-it`: batch.where: holds 2 statements"),
            "{e}"
        );
        // A per-database text is read with its database's rules, and is
        // refused whichever database the plan runs on.
        let e = err(&GOOD.replace("postgres = \"b\"", "postgres = \"b; DELETE FROM src\""));
        assert!(
            e.starts_with(
                "p.toml:24: step `copy-it`: copy.columns.ts.postgres: holds 2 statements"
            ),
            "{e}"
        );
        let e = err(&GOOD.replace("sqlite = \"c\"", "sqlite = \"'c\""));
        assert_eq!(
            e,
            "p.toml:24: step `copy-it`: copy.columns.ts.sqlite: unterminated string `'`: it runs to the end of the text"
        );
        // `;` inside quotes and comments is no statement's end.
        assert!(
            Plan::parse(
                "p.toml",
                &GOOD.replace("\"symbol\"\n", "\"'a;b' /* ; */\"\n")
            )
            .is_ok()
        );

        let sql = |stmt: &str| {
            GOOD.replace(
                "[steps.copy]\ninto = \"dst\"\nmatch = [\"symbol\"]\n\n[steps.copy.columns]\nsymbol = \"symbol\"\nts = { mysql = \"a\", postgres = \"b\", sqlite = \"c\" }\n",
                &format!(
                    "[steps.sql]\nmysql = [\"UPDATE src SET a = a WHERE {{chunk}}\"]\npostgres = [\"UPDATE src SET a = a WHERE {{chunk}}\"]\nsqlite = [\n  \"UPDATE src SET a = a WHERE {{chunk}};\",\n  \"{stmt}\",\n]\n"
                ),
            )
        };
        assert!(Plan::parse("p.toml", &sql("DELETE FROM src WHERE {chunk}")).is_ok());
        let e = err(&sql("DELETE FROM src WHERE {chunk}; DROP TABLE src"));
        assert_eq!(
            e,
            "p.toml:23: step `copy-it`: sql.sqlite statement 2: holds 2 statements (`DELETE FROM src WHERE {chunk}`; `DROP TABLE src`); each entry must be one statement"
        );
    }

    #[test]
    fn set_values_are_typed() {
        let plan = Plan::parse("p.toml", GOOD).unwrap();
        let e = plan
            .resolve_params(&["since=yesterday".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--set since: `yesterday` is not a timestamp"),
            "{e}"
        );
        let e = plan
            .resolve_params(&["until=2025-01-01".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("the plan has no parameter `until`"), "{e}");
        let e = plan
            .resolve_params(&["since".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected NAME=VALUE"), "{e}");
    }

    /// GOOD with an int and a float parameter whose defaults are `int`
    /// and `float`.
    fn with_numbers(int: &str, float: &str) -> String {
        GOOD.replace(
            "[[steps]]",
            &format!(
                "[params.n]\ntype = \"int\"\ndefault = {int}\n\n[params.f]\ntype = \"float\"\ndefault = {float}\n\n[[steps]]"
            ),
        )
    }

    #[test]
    fn numbers_refused_by_set_are_refused_in_the_file() {
        let plan = Plan::parse("p.toml", &with_numbers("1", "0.5")).unwrap();
        let set = |s: &str| plan.resolve_params(&[s.into()]).unwrap_err().to_string();
        let int_range = "is out of range (an int is -9223372036854775808 to 9223372036854775807)";
        let not_finite = "is not a finite number (a float is between -1.7976931348623157e308 and 1.7976931348623157e308)";
        for (int, float, line, fragment) in [
            (
                "99999999999999999999",
                "0.5",
                11,
                format!("params.n.default: `99999999999999999999` {int_range}"),
            ),
            (
                "-9223372036854775809",
                "0.5",
                11,
                format!("params.n.default: `-9223372036854775809` {int_range}"),
            ),
            (
                "1",
                "inf",
                15,
                format!("params.f.default: `inf` {not_finite}"),
            ),
            (
                "1",
                "-inf",
                15,
                format!("params.f.default: `-inf` {not_finite}"),
            ),
            (
                "1",
                "nan",
                15,
                format!("params.f.default: `nan` {not_finite}"),
            ),
            (
                "1",
                "\"1e400\"",
                15,
                format!("params.f.default: `1e400` {not_finite}"),
            ),
            (
                "\"99999999999999999999\"",
                "0.5",
                11,
                format!("params.n.default: `99999999999999999999` {int_range}"),
            ),
        ] {
            let e = err(&with_numbers(int, float));
            assert_eq!(e, format!("p.toml:{line}: {fragment}"), "{int} {float}");
        }
        assert_eq!(
            set("n=99999999999999999999"),
            format!("p.toml:9: --set n: `99999999999999999999` {int_range}")
        );
        assert_eq!(
            set("n=-9223372036854775809"),
            format!("p.toml:9: --set n: `-9223372036854775809` {int_range}")
        );
        assert_eq!(
            set("f=inf"),
            format!("p.toml:13: --set f: `inf` {not_finite}")
        );
        assert_eq!(
            set("f=NaN"),
            format!("p.toml:13: --set f: `NaN` {not_finite}")
        );
        assert_eq!(
            set("f=1e400"),
            format!("p.toml:13: --set f: `1e400` {not_finite}")
        );
        assert!(set("n=1.5").contains("`1.5` is not an integer"));
        // The extremes themselves are values.
        let params = plan
            .resolve_params(&[
                "n=-9223372036854775808".into(),
                "f=1.7976931348623157e308".into(),
            ])
            .unwrap();
        assert_eq!(params["n"], ParamValue::Int(i64::MIN));
        assert_eq!(params["f"], ParamValue::Float(f64::MAX));
        // A large integer is a fine float.
        assert!(Plan::parse("p.toml", &with_numbers("1", "99999999999999999999")).is_ok());
    }

    #[test]
    fn times_out_of_range_are_refused_on_both_paths() {
        let plan = Plan::parse("p.toml", GOOD).unwrap();
        let range = "is out of range (times are 0001-01-01 to 9999-12-31)";
        let e = plan
            .resolve_params(&["since=0000-12-31 00:00:00".into()])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!("p.toml:5: --set since: `0000-12-31 00:00:00` {range}")
        );
        let e = err(&GOOD.replace("\"2025-09-28 12:00:00\"", "\"-262143-01-01\""));
        assert_eq!(
            e,
            format!("p.toml:7: params.since.default: `-262143-01-01` {range}")
        );
        let e = err(&GOOD.replace("\"2025-09-28 12:00:00\"", "0000-01-01T00:00:00Z"));
        assert!(
            e.starts_with("p.toml:7: params.since.default: `0000-01-01"),
            "{e}"
        );
        assert!(e.ends_with(range), "{e}");
    }

    #[test]
    fn chunk_size_is_in_range() {
        for (written, shown) in [
            ("0", "0"),
            ("-1", "-1"),
            ("200001", "200001"),
            ("18446744073709551616", "18446744073709551616"),
        ] {
            let e = err(&GOOD.replace("chunk_size = 500", &format!("chunk_size = {written}")));
            assert_eq!(
                e,
                format!(
                    "p.toml:16: step `copy-it`: batch.chunk_size {shown} is out of range (the range is 1 to 200000)"
                )
            );
        }
        let plan = Plan::parse(
            "p.toml",
            &GOOD.replace("chunk_size = 500", "chunk_size = 200000"),
        );
        assert_eq!(
            plan.unwrap().def.steps[0].get_ref().batch.chunk_size(),
            200_000
        );
        let plan = Plan::parse("p.toml", &GOOD.replace("chunk_size = 500\n", ""));
        assert_eq!(
            plan.unwrap().def.steps[0].get_ref().batch.chunk_size(),
            1000
        );
    }

    #[test]
    fn finds_param_references() {
        assert_eq!(
            param_refs("a >= :since AND b::date < :until AND c = ':no'"),
            ["since", "until"]
        );
    }
}
