//! A statement under construction and its bound values: the builders push
//! text and bind values in placeholder order, and `append` joins two
//! statements built apart, renumbering PostgreSQL's placeholders.

use crate::db::{Dialect, Param, ValueKind};

/// A statement and its bound values, in placeholder order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    pub text: String,
    values: Vec<Value>,
}

/// A bound value as a dry run shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BoundValue {
    pub placeholder: String,
    pub value: Shown,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Shown {
    Text(String),
    Int(i64),
}

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Int(i64),
}

impl Sql {
    pub(super) fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    pub(super) fn bind(&mut self, dialect: Dialect, text: &str, kind: ValueKind) {
        let placeholder = dialect.param(self.values.len() + 1);
        match (kind, text.parse::<i64>()) {
            (ValueKind::Int, Ok(i)) => {
                self.values.push(Value::Int(i));
                self.text.push_str(&placeholder);
            }
            _ => {
                self.values.push(Value::Text(text.to_string()));
                self.text.push_str(&dialect.cast_param(&placeholder, kind));
            }
        }
    }

    /// The bound values with their placeholders' names, in order, for a
    /// reviewer: `?` placeholders are numbered as they come.
    pub fn shown_values(&self, dialect: Dialect) -> Vec<BoundValue> {
        self.values
            .iter()
            .enumerate()
            .map(|(i, v)| BoundValue {
                placeholder: match dialect.param(i + 1).as_str() {
                    "?" => format!("?{}", i + 1),
                    p => p.to_string(),
                },
                value: match v {
                    Value::Text(s) => Shown::Text(s.clone()),
                    Value::Int(n) => Shown::Int(*n),
                },
            })
            .collect()
    }

    pub fn params(&self) -> Vec<Param<'_>> {
        self.values
            .iter()
            .map(|v| match v {
                Value::Text(s) => Param::Text(s),
                Value::Int(i) => Param::Int(*i),
            })
            .collect()
    }
}

/// Appends another statement's text and values, renumbering PostgreSQL
/// placeholders: builders number from 1, so the appended part is rebuilt.
pub(super) fn append(sql: &mut Sql, part: &Sql) {
    if part.values.is_empty() {
        sql.push(&part.text);
        return;
    }
    let offset = sql.values.len();
    let mut text = part.text.clone();
    // Renumber from the highest so `$1` does not clobber `$10`.
    for i in (1..=part.values.len()).rev() {
        let from = format!("${i}");
        let to = format!("${}", i + offset);
        if from != to {
            text = replace_placeholder(&text, &from, &to);
        }
    }
    sql.text.push_str(&text);
    sql.values.extend(part.values.iter().cloned());
}

/// Replaces `$n` not followed by another digit.
fn replace_placeholder(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}
