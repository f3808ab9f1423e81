//! What a command with `--metrics-addr` or `--pushgateway` says of them,
//! on stderr: where the endpoint listens (scripts read the port chosen
//! for port 0 from this line), and how the last push went.

use std::net::SocketAddr;

use super::{Output, VERB};
use crate::cli::opt::LogFormat;
use crate::metrics::Pushed;

impl Output {
    pub fn metrics_serving(&self, addr: SocketAddr) {
        let url = format!("http://{addr}/metrics");
        if self.log_format == LogFormat::Json {
            tracing::info!(url, "serving metrics");
        } else if !self.quiet {
            errln!("{:>VERB$} metrics on {url}", "Serving");
        }
    }

    /// A push that failed does not change the exit code: the command's
    /// work is done either way.
    pub fn metrics_pushed(&self, pushed: &Pushed) {
        match pushed {
            Pushed::Ok { url } => {
                if self.log_format == LogFormat::Json {
                    tracing::info!(url, "metrics pushed");
                } else if !self.quiet {
                    errln!("{:>VERB$} metrics to {url}", "Pushed");
                }
            }
            Pushed::Failed { url, why } => {
                if self.log_format == LogFormat::Json {
                    tracing::warn!(url, why, "cannot push metrics");
                } else {
                    errln!("warning: cannot push the final metrics to {url}: {why}");
                }
            }
        }
    }
}
