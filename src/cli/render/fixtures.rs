//! Rendering of `fixtures load`.

use super::Output;
use crate::fixtures::{LoadReport, Progress};

impl Output {
    pub fn fixtures_progress(&self, _progress: &Progress<'_>) {}

    pub fn fixtures_loaded(&self, report: &LoadReport) {
        self.json(report);
    }
}
