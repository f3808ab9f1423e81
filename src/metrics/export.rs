//! Where metrics go: a `/metrics` endpoint served while the command runs,
//! and pushes to a Pushgateway every few seconds and once at the end, for
//! Jobs that end before a scrape would find them. Neither may fail the
//! command once it runs: a push that fails is logged and tried again.

use std::convert::Infallible;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use base64::Engine as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus::Registry;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::{CONTENT_TYPE, MetricsError, encode};

/// How often a running command pushes.
const PUSH_EVERY: Duration = Duration::from_secs(10);
/// How long a push may take before it counts as failed.
const PUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// `--metrics-addr`: `HOST:PORT`, or `:PORT` for every interface.
pub fn parse_listen(text: &str) -> Result<SocketAddr, MetricsError> {
    let bad = |why: String| MetricsError::Address {
        addr: text.to_string(),
        why,
    };
    let full = if text.starts_with(':') {
        format!("0.0.0.0{text}")
    } else {
        text.to_string()
    };
    let mut addrs = full
        .to_socket_addrs()
        .map_err(|e| bad(format!("not HOST:PORT ({e})")))?;
    addrs
        .next()
        .ok_or_else(|| bad("the host has no address".to_string()))
}

/// Where pushes go: the Pushgateway's URL, with the grouping key mendb
/// adds unless the URL names one (`.../metrics/job/NAME/...`).
#[derive(Debug, Clone)]
pub struct PushTarget {
    host: String,
    port: u16,
    /// Path and query of the PUT.
    path: String,
    /// The URL as given, for messages.
    shown: String,
}

impl PushTarget {
    /// `grouping`: the labels that tell this process's metrics from every
    /// other pusher's (`job` first).
    pub fn parse(text: &str, grouping: &[(&str, &str)]) -> Result<PushTarget, MetricsError> {
        let bad = |why: &str| MetricsError::PushUrl {
            url: text.to_string(),
            why: why.to_string(),
        };
        let url = url::Url::parse(text).map_err(|e| bad(&format!("not a URL ({e})")))?;
        if url.scheme() != "http" {
            return Err(bad(
                "only http:// is supported; reach an https Pushgateway through a local proxy",
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| bad("the URL names no host"))?
            .to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let mut path = url.path().trim_end_matches('/').to_string();
        if !path.contains("/metrics/job/") {
            path.push_str("/metrics");
            for (name, value) in grouping {
                path.push_str(&group_segment(name, value));
            }
        }
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        Ok(PushTarget {
            host,
            port,
            path,
            shown: text.to_string(),
        })
    }

    /// The URL metrics are pushed to.
    pub fn push_url(&self) -> String {
        format!("http://{}:{}{}", self.host, self.port, self.path)
    }

    /// One push of everything in `registry`, for a command that is done.
    pub async fn push_now(&self, registry: &Registry) -> Pushed {
        let url = self.push_url();
        match self.push(encode(registry)).await {
            Ok(()) => Pushed::Ok { url },
            Err(why) => Pushed::Failed { url, why },
        }
    }

    async fn push(&self, body: String) -> Result<(), String> {
        let send = async {
            let stream = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| format!("cannot connect: {e}"))?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(connection);
            let request = Request::builder()
                .method(Method::PUT)
                .uri(&self.path)
                .header(hyper::header::HOST, format!("{}:{}", self.host, self.port))
                .header(hyper::header::CONTENT_TYPE, CONTENT_TYPE)
                .body(Full::new(Bytes::from(body)))
                .map_err(|e| e.to_string())?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            let text = response
                .into_body()
                .collect()
                .await
                .map(|b| String::from_utf8_lossy(&b.to_bytes()).trim().to_string())
                .unwrap_or_default();
            Err(format!("the Pushgateway answered {status}: {text}"))
        };
        tokio::time::timeout(PUSH_TIMEOUT, send)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", PUSH_TIMEOUT.as_secs())))
    }
}

/// `/name/value` of a grouping key; a value a path cannot carry as it is
/// goes base64-encoded, as the Pushgateway reads `name@base64`.
fn group_segment(name: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if plain {
        format!("/{name}/{value}")
    } else {
        let encoded = base64::engine::general_purpose::URL_SAFE.encode(value);
        // The Pushgateway reads `=` as padding; an empty value is `=`.
        let encoded = if encoded.is_empty() {
            "=".to_string()
        } else {
            encoded
        };
        format!("/{name}@base64/{encoded}")
    }
}

/// The outcome of the last push, for the command's final words.
#[derive(Debug, Clone)]
pub enum Pushed {
    Ok { url: String },
    Failed { url: String, why: String },
}

/// The endpoint and the pusher of one command, for as long as it runs.
pub struct Exporter {
    registry: Registry,
    served: Option<(SocketAddr, JoinHandle<()>)>,
    push: Option<(PushTarget, JoinHandle<()>)>,
}

impl Exporter {
    /// Listens on `listen` (before anything else runs, so a port in use
    /// is refused before the command writes anything) and starts pushing
    /// to `push`.
    pub async fn start(
        registry: Registry,
        listen: Option<SocketAddr>,
        push: Option<PushTarget>,
    ) -> Result<Exporter, MetricsError> {
        let served = match listen {
            None => None,
            Some(addr) => {
                let listener =
                    TcpListener::bind(addr)
                        .await
                        .map_err(|source| MetricsError::Listen {
                            addr: addr.to_string(),
                            source,
                        })?;
                let bound = listener.local_addr().unwrap_or(addr);
                Some((bound, tokio::spawn(serve(listener, registry.clone()))))
            }
        };
        let push = push.map(|target| {
            let task = tokio::spawn(push_often(target.clone(), registry.clone()));
            (target, task)
        });
        Ok(Exporter {
            registry,
            served,
            push,
        })
    }

    /// Where the endpoint listens, once bound (port 0 picks one).
    pub fn address(&self) -> Option<SocketAddr> {
        self.served.as_ref().map(|(a, _)| *a)
    }

    /// Stops serving, and pushes the final figures.
    pub async fn finish(mut self) -> Option<Pushed> {
        if let Some((_, task)) = &self.served {
            task.abort();
        }
        let (target, task) = self.push.take()?;
        task.abort();
        Some(target.push_now(&self.registry).await)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        if let Some((_, task)) = &self.served {
            task.abort();
        }
        if let Some((_, task)) = &self.push {
            task.abort();
        }
    }
}

async fn serve(listener: TcpListener, registry: Registry) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                tracing::warn!("metrics endpoint: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let registry = registry.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let response = respond(&req, &registry);
                async move { Ok::<_, Infallible>(response) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond(req: &Request<Incoming>, registry: &Registry) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, kind: &str, body: String| {
        Response::builder()
            .status(status)
            .header(hyper::header::CONTENT_TYPE, kind)
            .body(Full::new(Bytes::from(body)))
            .unwrap_or_default()
    };
    let text = "text/plain; charset=utf-8";
    match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/metrics") => {
            reply(StatusCode::OK, CONTENT_TYPE, encode(registry))
        }
        (&Method::GET | &Method::HEAD, "/") => reply(
            StatusCode::OK,
            text,
            "mendb: metrics are at /metrics\n".to_string(),
        ),
        (&Method::GET | &Method::HEAD, path) => reply(
            StatusCode::NOT_FOUND,
            text,
            format!("{path}: not found; metrics are at /metrics\n"),
        ),
        (method, _) => reply(
            StatusCode::METHOD_NOT_ALLOWED,
            text,
            format!("{method}: only GET\n"),
        ),
    }
}

/// Pushes every `PUSH_EVERY`, saying a failure once until a push works
/// again.
async fn push_often(target: PushTarget, registry: Registry) {
    let mut failing = false;
    loop {
        match target.push(encode(&registry)).await {
            Ok(()) => {
                if failing {
                    tracing::info!(url = %target.shown, "metrics pushed again");
                }
                failing = false;
            }
            Err(why) => {
                if !failing {
                    tracing::warn!(url = %target.shown, "cannot push metrics: {why}; trying again every {} s", PUSH_EVERY.as_secs());
                }
                failing = true;
            }
        }
        tokio::time::sleep(PUSH_EVERY).await;
    }
}
