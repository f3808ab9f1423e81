//! Parameters: how they are declared, their values as the file writes
//! them, and the typed values a run binds, from defaults and `--set`. The
//! same value is refused with the same words on both paths.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{Plan, PlanError};

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

    pub(super) fn from_toml(kind: ParamKind, value: &Written) -> Result<ParamValue, String> {
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

impl Plan {
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
