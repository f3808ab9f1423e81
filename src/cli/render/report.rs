//! Rendering of `report`: text, JSON and Prometheus.

use super::Output;
use crate::report::Report;

impl Output {
    pub fn report(&self, report: &Report) {
        self.json(report);
    }
}
