//! `--metrics-addr` and `--pushgateway`: the flags, and the start and end
//! of a command's exporter, with what the user is told of each. The
//! metrics themselves are `crate::metrics`.

use clap::Args;
use prometheus::Registry;

use super::CliError;
use super::render::Output;
use crate::metrics::{self, Exporter, MetricsError, PushTarget};

/// Where a long command's metrics go while it runs.
#[derive(Debug, Args)]
pub struct Telemetry {
    /// Serve Prometheus metrics at http://HOST:PORT/metrics while the command runs (`:PORT` for every interface, port 0 for any free one)
    #[arg(long, value_name = "HOST:PORT")]
    pub metrics_addr: Option<String>,
    #[command(flatten)]
    pub push: Push,
}

/// `--pushgateway`, also on `report`, which serves nothing.
#[derive(Debug, Args)]
pub struct Push {
    /// Push the metrics to this Pushgateway (http://HOST:PORT) when the command ends, and every 10 s while a run or migration lasts
    #[arg(long, value_name = "URL")]
    pub pushgateway: Option<String>,
}

impl Push {
    /// Checked before anything runs. `grouping` follows `job`, which is
    /// `mendb`, and ends with `instance`, this host's name.
    pub fn target(&self, grouping: &[(&str, &str)]) -> Result<Option<PushTarget>, MetricsError> {
        let Some(url) = &self.pushgateway else {
            return Ok(None);
        };
        let host = crate::backfill::control::host_name();
        let mut labels = vec![("job", "mendb")];
        labels.extend_from_slice(grouping);
        labels.push(("instance", host.as_str()));
        Ok(Some(PushTarget::parse(url, &labels)?))
    }
}

impl Telemetry {
    /// Binds the endpoint and starts pushing, saying where; None when
    /// neither flag is given.
    pub async fn start(
        &self,
        registry: &Registry,
        grouping: &[(&str, &str)],
        out: &Output,
    ) -> Result<Option<Exporter>, CliError> {
        let listen = self
            .metrics_addr
            .as_deref()
            .map(metrics::parse_listen)
            .transpose()?;
        let push = self.push.target(grouping)?;
        if listen.is_none() && push.is_none() {
            return Ok(None);
        }
        let exporter = Exporter::start(registry.clone(), listen, push).await?;
        if let Some(addr) = exporter.address() {
            out.metrics_serving(addr);
        }
        Ok(Some(exporter))
    }
}

/// The last push, once the command is done.
pub async fn finish(exporter: Exporter, out: &Output) {
    if let Some(pushed) = exporter.finish().await {
        out.metrics_pushed(&pushed);
    }
}
