//! Rendering of `gaps`.

use super::Output;
use crate::gaps::GapReport;

impl Output {
    pub fn gaps(&self, report: &GapReport) {
        self.json(report);
    }
}
