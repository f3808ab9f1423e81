//! What `backfill list` shows of a plan: its name, description, steps and
//! parameters with their defaults, as data.

use serde::Serialize;

use super::{ParamKind, Plan, StepKind};

#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    pub name: String,
    pub description: String,
    pub steps: Vec<StepSummary>,
    pub params: Vec<ParamSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepSummary {
    pub name: String,
    pub kind: StepKind,
    pub table: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamSummary {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamKind,
    /// The default as a run records it; None when a run must `--set` it.
    pub default: Option<String>,
    pub description: String,
}

impl Plan {
    pub fn summary(&self) -> PlanSummary {
        // A validated plan's defaults resolve; one that does not shows none.
        let defaults = self.resolve_params(&[]).unwrap_or_default();
        PlanSummary {
            name: self.name().to_string(),
            description: self.def.description.trim().to_string(),
            steps: self
                .def
                .steps
                .iter()
                .map(|s| StepSummary {
                    name: s.get_ref().name.get_ref().clone(),
                    kind: s.get_ref().kind(),
                    table: s.get_ref().batch.table.get_ref().clone(),
                })
                .collect(),
            params: self
                .def
                .params
                .iter()
                .map(|(name, p)| ParamSummary {
                    name: name.clone(),
                    kind: p.get_ref().kind,
                    default: defaults.get(name).map(|v| v.to_text()),
                    description: p.get_ref().description.trim().to_string(),
                })
                .collect(),
        }
    }
}
