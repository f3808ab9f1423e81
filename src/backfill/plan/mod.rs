//! Backfill plans: the TOML format (docs/backfill-plans.md), parsing with
//! unknown keys refused, and every check that needs no database: names are
//! plain identifiers, each step has exactly one action, parameters exist
//! and `--set` values have the declared type. Errors name the plan file,
//! the line and the key. Never talks to a database; `preflight` checks the
//! plan against the live schema.
//!
//! The plan and its errors are here; the TOML model is `model`, parameters
//! and their values `params`, names in plan text `names`, the checks
//! `validate`, what `backfill list` shows of a plan `summary`.

mod model;
mod names;
mod params;
mod summary;
#[cfg(test)]
mod tests;
mod validate;

use std::ops::Range;
use std::path::Path;

pub use model::{
    Action, BatchDef, CopyDef, Expr, MAX_CHUNK_SIZE, Order, PerDialect, PlanDef, SqlDef, StepDef,
    StepKind, UpdateDef, WholeNumber,
};
pub use names::{is_identifier, param_refs};
pub use params::{ParamDef, ParamKind, ParamValue, Written};
pub use summary::{ParamSummary, PlanSummary, StepSummary};

use crate::position::{line_of, toml_error};

/// A plan as read from its file, with where each value came from.
#[derive(Debug, Clone)]
pub struct Plan {
    pub path: String,
    pub source: String,
    pub checksum: String,
    pub def: PlanDef,
}

/// A plan error: the file, the line when one is to blame, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct PlanError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
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
}
