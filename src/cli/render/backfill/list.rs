//! Rendering of `backfill list`: each plan with where it comes from, its
//! description, steps and parameters; a file that is not a valid plan
//! with its error.

use serde::Serialize;
use serde_json::json;

use super::super::Output;
use crate::backfill::plan::PlanSummary;
use crate::backfill::{Plan, PlanError};
use crate::cli::opt::Format;

/// Where a listed plan comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanSource {
    /// Embedded in the binary; run it by name.
    Shipped,
    /// A file, as its path was found.
    File(String),
    /// A file of the project's plans folder, which `backfill run` finds
    /// by its file name without the `.toml`.
    Project { path: String, name: String },
}

#[derive(Debug, Clone)]
pub struct PlanEntry {
    pub source: PlanSource,
    pub summary: Option<PlanSummary>,
    pub error: Option<String>,
}

impl PlanEntry {
    pub fn new(source: PlanSource, parsed: Result<Plan, PlanError>) -> PlanEntry {
        match parsed {
            Ok(p) => PlanEntry {
                source,
                summary: Some(p.summary()),
                error: None,
            },
            Err(e) => PlanEntry {
                source,
                summary: None,
                error: Some(e.to_string()),
            },
        }
    }

    /// What to type after `backfill run`.
    fn run_as(&self) -> String {
        match (&self.source, &self.summary) {
            (PlanSource::Shipped, Some(s)) => s.name.clone(),
            (PlanSource::File(path), _) => path.clone(),
            (PlanSource::Project { name, .. }, _) => name.clone(),
            (PlanSource::Shipped, None) => String::new(),
        }
    }
}

#[derive(Serialize)]
struct Listed<'a> {
    name: Option<&'a str>,
    source: &'static str,
    /// The file, for a plan that is not shipped.
    path: Option<&'a str>,
    run_as: String,
    #[serde(flatten)]
    summary: Option<&'a PlanSummary>,
    error: Option<&'a str>,
}

impl Output {
    pub fn backfill_list(&self, plans: &[PlanEntry]) {
        if self.format == Format::Json {
            let listed: Vec<Listed<'_>> = plans
                .iter()
                .map(|p| Listed {
                    name: p.summary.as_ref().map(|s| s.name.as_str()),
                    source: match p.source {
                        PlanSource::Shipped => "shipped",
                        PlanSource::File(_) => "file",
                        PlanSource::Project { .. } => "project",
                    },
                    path: match &p.source {
                        PlanSource::Shipped => None,
                        PlanSource::File(path) | PlanSource::Project { path, .. } => Some(path),
                    },
                    run_as: p.run_as(),
                    summary: p.summary.as_ref(),
                    error: p.error.as_deref(),
                })
                .collect();
            return self.json(&json!({ "plans": listed }));
        }
        if plans.is_empty() {
            outln!("No backfill plans");
            return;
        }
        for (i, p) in plans.iter().enumerate() {
            if i > 0 {
                outln!();
            }
            let from = match &p.source {
                PlanSource::Shipped => "shipped with mendb".to_string(),
                PlanSource::File(path) | PlanSource::Project { path, .. } => path.clone(),
            };
            let Some(s) = &p.summary else {
                outln!("{from}: not a valid plan");
                outln!("  {}", p.error.as_deref().unwrap_or_default());
                continue;
            };
            outln!("{} ({from})", s.name);
            for line in s.description.lines() {
                outln!("  {}", line.trim());
            }
            outln!("  run:    mendb backfill run {}", p.run_as());
            for st in &s.steps {
                outln!(
                    "  step:   {} ({} over {})",
                    st.name,
                    st.kind.as_str(),
                    st.table
                );
            }
            for param in &s.params {
                let default = param
                    .default
                    .as_deref()
                    .map_or("no default: --set it".to_string(), |d| {
                        format!("default {d}")
                    });
                let about = if param.description.is_empty() {
                    String::new()
                } else {
                    format!(": {}", param.description)
                };
                outln!(
                    "  param:  {} ({}, {default}){about}",
                    param.name,
                    serde_json::to_value(param.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                );
            }
        }
    }
}
