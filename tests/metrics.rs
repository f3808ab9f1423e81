//! Metrics while a command runs: `--metrics-addr` serves them, scraped
//! here mid-run; `--pushgateway` pushes them to a real Pushgateway, read
//! back after the process ended; `promtool check metrics`, Prometheus's
//! own linter, judges the text. Their figures are compared with the run's
//! own state tables and `migrate status`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{Backend, TestDb, incident_world as world, mendb_command};

per_backend!(
    a_run_serves_its_progress_and_pushes_how_it_ended,
    migrate_up_serves_while_it_waits_for_the_lock,
    a_failed_migration_is_pushed_as_failed_and_dirty,
);

const PLAN: &str = "restore-onchain-enhanced";

/// A program from the Prometheus packages; None (said on stderr) where it
/// is not installed, except in CI, which installs it.
fn tool(name: &str) -> Option<&'static str> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(Box::leak(name.to_string().into_boxed_str()));
    }
    assert!(
        std::env::var("CI").is_err(),
        "{name} is not installed (Debian package prometheus / prometheus-pushgateway)"
    );
    eprintln!("SKIPPED: {name} is not installed");
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET over HTTP/1.0 (no chunked answers to decode): status and body.
fn get(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect {url}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_string())
}

/// A Pushgateway of this test's own, stopped when dropped.
struct Pushgateway {
    child: Child,
    url: String,
}

impl Pushgateway {
    fn start() -> Option<Pushgateway> {
        let bin = tool("prometheus-pushgateway")?;
        let port = free_port();
        let child = Command::new(bin)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus-pushgateway");
        let gw = Pushgateway {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err()
            || get(&format!("{}/-/ready", gw.url)).0 != 200
        {
            assert!(Instant::now() < deadline, "the Pushgateway did not start");
            sleep(Duration::from_millis(100));
        }
        Some(gw)
    }

    fn metrics(&self) -> String {
        let (status, body) = get(&format!("{}/metrics", self.url));
        assert_eq!(status, 200);
        body
    }
}

impl Drop for Pushgateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of every sample of `name` whose labels include each of
/// `having` (`key="value"`).
fn samples(text: &str, name: &str, having: &[&str]) -> Vec<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (metric, labels) = series.split_once('{').unwrap_or((series, ""));
            (metric == name && having.iter().all(|h| labels.contains(h)))
                .then(|| value.parse().unwrap())
        })
        .collect()
}

fn one(text: &str, name: &str, having: &[&str]) -> f64 {
    let found = samples(text, name, having);
    assert_eq!(found.len(), 1, "{name}{having:?}: {found:?} in\n{text}");
    found[0]
}

fn sum(text: &str, name: &str, having: &[&str]) -> f64 {
    samples(text, name, having).iter().sum()
}

/// `promtool check metrics`: the format, and Prometheus's naming rules
/// (units in names, `_total` on counters).
fn promtool_accepts(text: &str, what: &str) {
    let Some(promtool) = tool("promtool") else {
        return;
    };
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics refused {what}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A child whose stderr is collected as it comes.
struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    fn spawn(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Running { child, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The URL the `Serving metrics on` line names.
    fn metrics_url(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let err = self.stderr();
            if let Some(line) = err.lines().find(|l| l.contains("Serving metrics on ")) {
                return line.rsplit(' ').next().unwrap().to_string();
            }
            assert!(Instant::now() < deadline, "no metrics line in:\n{err}");
            sleep(Duration::from_millis(50));
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Its exit code, once it ends.
    fn wait(mut self) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.running() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("did not end:\n{}", self.stderr());
            }
            sleep(Duration::from_millis(50));
        }
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        // The reader thread drains the pipe after the exit.
        sleep(Duration::from_millis(200));
        (code, self.stderr())
    }
}

/// `backfill run PLAN` held to `rows_per_sec`, so it lasts seconds,
/// serving its metrics on a free port, with `more` flags.
fn serving_run(db: &TestDb, rows_per_sec: &str, more: &[&str]) -> Running {
    let flags = [
        "backfill",
        "run",
        PLAN,
        "--max-rows-per-sec",
        rows_per_sec,
        "--metrics-addr",
        "127.0.0.1:0",
    ];
    Running::spawn(mendb_command(&db.url, &[&flags[..], more].concat()))
}

fn int(db: &TestDb) -> &'static str {
    // SUM of a BIGINT is a DECIMAL on MariaDB and PostgreSQL.
    match db.backend {
        Backend::Mysql => "SIGNED",
        _ => "BIGINT",
    }
}

fn a_run_serves_its_progress_and_pushes_how_it_ended(b: Backend) {
    let Some(db) = world(b, "metrics_run") else {
        return;
    };
    let Some(gw) = Pushgateway::start() else {
        return;
    };
    let mut run = serving_run(&db, "400", &["--workers", "2", "--pushgateway", &gw.url]);
    let url = run.metrics_url();
    let written = |text: &str| sum(text, "mendb_backfill_rows_written_total", &[]);
    let logged = || {
        db.scalar(&format!(
            "SELECT CAST(COALESCE(SUM(rows_written), 0) AS {}) FROM mendb_backfill_chunks",
            int(&db)
        )) as f64
    };

    // Mid-run: what is served is what has committed, and it grows.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut scrapes = Vec::new();
    while scrapes.len() < 2 {
        assert!(
            run.running(),
            "the run ended before two scrapes:\n{}",
            run.stderr()
        );
        let (status, text) = get(&url);
        assert_eq!(status, 200, "{text}");
        if written(&text) > scrapes.last().map_or(0.0, |t: &String| written(t)) {
            assert!(written(&text) <= logged(), "more served than committed");
            scrapes.push(text);
        }
        assert!(Instant::now() < deadline, "the rows written never grew");
        sleep(Duration::from_millis(300));
    }
    let mid = &scrapes[1];
    promtool_accepts(mid, "the /metrics of a running backfill");
    let plan = format!("plan=\"{PLAN}\"");
    assert_eq!(
        one(mid, "mendb_backfill_state", &[&plan, "state=\"running\""]),
        1.0
    );
    assert_eq!(
        one(mid, "mendb_backfill_state", &[&plan, "state=\"finished\""]),
        0.0
    );
    assert!(one(mid, "mendb_backfill_remaining_rows", &[&plan]) > 0.0);
    let ratio = one(mid, "mendb_backfill_progress_ratio", &[&plan]);
    assert!(ratio > 0.0 && ratio < 1.0, "progress {ratio}");
    assert!(one(mid, "mendb_backfill_eta_seconds", &[&plan]) > 0.0);
    assert_eq!(
        sum(
            mid,
            "mendb_backfill_throttle_waits_total",
            &["reason=\"threads_running\""]
        ),
        0.0,
        "every reason has its series from the start"
    );
    let (status, _) = get(&url.replace("/metrics", "/elsewhere"));
    assert_eq!(status, 404);

    let (code, err) = run.wait();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Pushed metrics to "), "{err}");
    assert!(
        TcpStream::connect(
            url.trim_start_matches("http://")
                .trim_end_matches("/metrics")
        )
        .is_err(),
        "the endpoint ends with the process"
    );

    // After the end, the Pushgateway holds the whole run.
    let pushed = gw.metrics();
    promtool_accepts(&pushed, "the Pushgateway's metrics");
    let group = [plan.as_str(), "job=\"mendb\"", "command=\"backfill\""];
    assert_eq!(
        written(&pushed),
        logged(),
        "rows written, pushed and logged"
    );
    assert_eq!(
        sum(&pushed, "mendb_backfill_chunks_total", &group),
        db.scalar("SELECT COUNT(*) FROM mendb_backfill_chunks") as f64
    );
    assert_eq!(
        sum(
            &pushed,
            "mendb_backfill_chunk_duration_seconds_count",
            &group
        ),
        sum(&pushed, "mendb_backfill_chunks_total", &group)
    );
    let mut states = [("finished", 1.0), ("running", 0.0), ("failed", 0.0)];
    for (state, want) in &mut states {
        let label = format!("state=\"{state}\"");
        assert_eq!(
            one(&pushed, "mendb_backfill_state", &[&plan, &label]),
            *want,
            "{state}"
        );
    }
    assert_eq!(one(&pushed, "mendb_backfill_remaining_rows", &group), 0.0);
    // The rate cap made workers rest after their chunks.
    let capped = [plan.as_str(), "reason=\"rate_cap\""];
    assert!(sum(&pushed, "mendb_backfill_throttle_waits_total", &capped) > 0.0);
    assert!(
        sum(
            &pushed,
            "mendb_backfill_throttle_wait_seconds_total",
            &capped
        ) > 1.0
    );
    assert_eq!(one(&pushed, "mendb_backfill_progress_ratio", &group), 1.0);
}

fn migrate_up_serves_while_it_waits_for_the_lock(b: Backend) {
    let Some(db) = TestDb::new(b, "metrics_migrate") else {
        return;
    };
    let Some(gw) = Pushgateway::start() else {
        return;
    };
    db.mendb(&["-q", "migrate", "up", "--to", "1"]).succeeds();
    let run = db.while_locked("migrate", || {
        let run = Running::spawn(mendb_command(
            &db.url,
            &[
                "migrate",
                "up",
                "--lock-timeout",
                "60s",
                "--metrics-addr",
                "127.0.0.1:0",
                "--pushgateway",
                &gw.url,
            ],
        ));
        // As a Deployment's init container waits behind another pod's.
        // The state is served once read, never guessed before.
        let url = run.metrics_url();
        let deadline = Instant::now() + Duration::from_secs(30);
        let waiting = loop {
            let (_, text) = get(&url);
            if !samples(&text, "mendb_migration_pending", &[]).is_empty() {
                break text;
            }
            assert!(
                Instant::now() < deadline,
                "no migration state served:\n{text}"
            );
            sleep(Duration::from_millis(100));
        };
        promtool_accepts(&waiting, "the /metrics of migrate up");
        assert_eq!(one(&waiting, "mendb_migration_version", &[]), 1.0);
        assert_eq!(one(&waiting, "mendb_migration_pending", &[]), 3.0);
        assert_eq!(one(&waiting, "mendb_migrations_applied_total", &[]), 0.0);
        run
    });
    let (code, err) = run.wait();
    assert_eq!(code, 0, "{err}");
    let pushed = gw.metrics();
    let group = ["job=\"mendb\"", "command=\"migrate\""];
    assert_eq!(one(&pushed, "mendb_migrations_applied_total", &group), 3.0);
    assert_eq!(one(&pushed, "mendb_migrations_failed_total", &group), 0.0);
    assert_eq!(one(&pushed, "mendb_migration_version", &group), 4.0);
    assert_eq!(one(&pushed, "mendb_migration_pending", &group), 0.0);
    assert_eq!(one(&pushed, "mendb_migration_dirty", &group), 0.0);
    assert_eq!(
        one(&pushed, "mendb_migration_duration_seconds_count", &group),
        3.0
    );
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
}

fn a_failed_migration_is_pushed_as_failed_and_dirty(b: Backend) {
    let Some(db) = TestDb::new(b, "metrics_failed") else {
        return;
    };
    let Some(gw) = Pushgateway::start() else {
        return;
    };
    // The second statement fails after the first committed on MariaDB
    // (DDL commits) and on PostgreSQL (the file opts out of a
    // transaction); SQLite rolls the file back whole.
    let marker = if b == Backend::Postgres {
        "-- mendb:no-transaction\n"
    } else {
        ""
    };
    let broken = format!(
        "{marker}CREATE TABLE metrics_one (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n"
    );
    let dir = db.migrations(&[
        (
            "V1__base.sql",
            "CREATE TABLE metrics_base (id INTEGER PRIMARY KEY);\n",
        ),
        ("V1__base.down.sql", "DROP TABLE metrics_base;\n"),
        ("V2__broken.sql", &broken),
        ("V2__broken.down.sql", "DROP TABLE metrics_one;\n"),
    ]);
    let dir = dir.to_str().unwrap();
    let run = db.mendb(&[
        "migrate",
        "--migrations",
        dir,
        "up",
        "--pushgateway",
        &gw.url,
    ]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    let status = db
        .mendb(&["migrate", "--migrations", dir, "status", "--format", "json"])
        .json();
    let dirty = status["dirty"].as_array().is_some_and(|d| !d.is_empty());
    let pushed = gw.metrics();
    let group = ["job=\"mendb\"", "command=\"migrate\""];
    assert_eq!(one(&pushed, "mendb_migrations_applied_total", &group), 1.0);
    assert_eq!(one(&pushed, "mendb_migrations_failed_total", &group), 1.0);
    assert_eq!(one(&pushed, "mendb_migration_version", &group), 1.0);
    assert_eq!(
        one(&pushed, "mendb_migration_dirty", &group),
        f64::from(u8::from(dirty))
    );
    assert_eq!(dirty, b != Backend::Sqlite, "{status}");
}

/// Bad flags are refused before the run writes anything, naming the flag.
#[test]
fn a_port_in_use_or_a_bad_url_is_refused_before_anything_is_written() {
    let db = world(Backend::Sqlite, "metrics_refused").unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let cases: [(&[&str], &str); 4] = [
        (&["--metrics-addr", &addr], "cannot listen"),
        (
            &["--metrics-addr", "nowhere"],
            "--metrics-addr nowhere: not HOST:PORT",
        ),
        (
            &["--pushgateway", "https://gw:9091"],
            "only http:// is supported",
        ),
        (&["--pushgateway", "gw:9091"], "--pushgateway gw:9091"),
    ];
    for (flags, said) in cases {
        let args = [&["backfill", "run", PLAN][..], flags].concat();
        let run = db.mendb(&args);
        run.fails_with(2).stderr_has(said);
        let runs =
            db.query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'mendb_backfill_runs'");
        let made = runs[0][0].as_deref() == Some("1")
            && db.scalar("SELECT COUNT(*) FROM mendb_backfill_runs") > 0;
        assert!(!made, "{flags:?} started a run");
    }
    drop(taken);
}

/// A Pushgateway that cannot be reached costs a warning, not the run.
#[test]
fn an_unreachable_pushgateway_is_a_warning_and_the_run_finishes() {
    let db = world(Backend::Sqlite, "metrics_no_gateway").unwrap();
    let port = free_port();
    let run = db.mendb(&[
        "backfill",
        "run",
        PLAN,
        "--pushgateway",
        &format!("http://127.0.0.1:{port}"),
    ]);
    run.succeeds()
        .stderr_has("warning: cannot push the final metrics to http://127.0.0.1:")
        .stdout_has("Finished plan");
}

/// `report --format prom` passes Prometheus's linter and says, symbol by
/// symbol, how long each has had no price row.
#[test]
fn report_metrics_pass_promtool_and_time_each_symbols_silence() {
    let db = world(Backend::Sqlite, "metrics_report").unwrap();
    let t0 = ["--until", "2025-09-30T12:00:00Z"];
    let text = db
        .mendb(&[&["report", "--format", "prom"][..], &t0[..]].concat())
        .succeeds()
        .stdout
        .clone();
    promtool_accepts(&text, "report --format prom");
    let stale = samples(&text, "mendb_price_symbol_staleness_seconds", &[]);
    let assets = db.scalar("SELECT COUNT(*) FROM crypto_assets");
    assert_eq!(stale.len() as i64, assets, "one per symbol");
    // At T0 the outage has lasted the whole 48-hour window for every one.
    assert!(stale.iter().all(|&s| s == 48.0 * 3600.0), "{stale:?}");

    // After the price backfill, symbols refilled up to T0 are fresh, and
    // the gaps report agrees symbol by symbol.
    db.mendb(&["-q", "backfill", "run", "fill-price-gaps"])
        .succeeds();
    let after = db
        .mendb(&[&["report", "--format", "prom"][..], &t0[..]].concat())
        .succeeds()
        .stdout
        .clone();
    let symbols: Vec<String> = db
        .query("SELECT symbol FROM crypto_assets")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    let symbols = symbols.join(",");
    let gaps = db
        .mendb(&[
            "gaps",
            "--format",
            "json",
            "--table",
            "price_data_real",
            "--key",
            "symbol",
            "--time",
            "timestamp",
            "--every",
            "5m",
            "--since",
            "2025-09-28T12:00:00Z",
            "--until",
            "2025-09-30T12:00:00Z",
            "--symbols",
            &symbols,
        ])
        .json();
    let ranges = gaps["ranges"].as_array().unwrap();
    for symbol in gaps["keys"].as_array().unwrap() {
        let symbol = symbol.as_str().unwrap();
        let trailing = ranges
            .iter()
            .filter(|r| r["key"] == symbol && r["to"] == "2025-09-30 11:55:00")
            .count();
        let label = format!("symbol=\"{symbol}\"");
        let s = one(&after, "mendb_price_symbol_staleness_seconds", &[&label]);
        assert_eq!(s > 0.0, trailing > 0, "{symbol}: staleness {s}");
    }
}

/// Every metric the dashboard and the alert rules use is one mendb
/// exposes, read from what it really serves and pushes.
#[test]
fn the_dashboard_and_the_rules_use_only_metrics_mendb_exposes() {
    let Some(gw) = Pushgateway::start() else {
        return;
    };
    let db = world(Backend::Sqlite, "metrics_names").unwrap();
    let push = ["--pushgateway", gw.url.as_str()];
    db.mendb(
        &[
            &["report", "--until", "2025-09-30T12:00:00Z"][..],
            &push[..],
        ]
        .concat(),
    )
    .succeeds();
    db.mendb(&[&["backfill", "run", PLAN][..], &push[..]].concat())
        .succeeds();
    let fresh = TestDb::new(Backend::Sqlite, "metrics_names_migrate").unwrap();
    fresh
        .mendb(&[&["migrate", "up"][..], &push[..]].concat())
        .succeeds();
    let exposed = gw.metrics();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/metrics.md")).unwrap();
    for file in [
        "deploy/grafana/mendb-dashboard.json",
        "deploy/prometheus/mendb-rules.yml",
        "deploy/k8s/prometheusrule.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let names = metric_names(&text);
        assert!(!names.is_empty(), "{file} uses no mendb metric");
        for name in names {
            // Only a run with --replica-url reads replica lag.
            let served = name == "mendb_backfill_replica_lag_seconds"
                || exposed.lines().any(|l| {
                    ["{", " ", "_count{"]
                        .iter()
                        .any(|after| l.starts_with(&format!("{name}{after}")))
                });
            assert!(served, "{file} uses {name}, which mendb does not expose");
            assert!(
                docs.contains(&format!("`{name}`")),
                "docs/metrics.md lacks {name}"
            );
        }
    }
}

/// `mendb_...` names in a file, as a query would write them.
fn metric_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("mendb_") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[at + name.len()..];
        // Histogram series carry the family's name and a suffix.
        let name = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|n| n.ends_with("_seconds")))
            .map_or(name.clone(), str::to_string);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The operator's PrometheusRule carries the rules file's groups, as they
/// are: promtool checks and tests the one, the cluster loads the other.
#[test]
fn the_prometheusrule_holds_the_rules_files_groups() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = std::fs::read_to_string(root.join("deploy/prometheus/mendb-rules.yml")).unwrap();
    let crd = std::fs::read_to_string(root.join("deploy/k8s/prometheusrule.yaml")).unwrap();
    let groups = &rules[rules.find("\ngroups:").expect("groups in the rules file") + 1..];
    let spec = &crd[crd.find("\nspec:\n").expect("spec in the PrometheusRule") + 7..];
    let spec: Vec<&str> = spec
        .lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect();
    assert_eq!(spec.join("\n").trim_end(), groups.trim_end());
    assert!(crd.contains("kind: PrometheusRule"));
}

/// Every query of the dashboard is PromQL that Prometheus parses: each is
/// handed to `promtool check rules` as a recording rule, with the plan
/// variable as Grafana would fill it.
#[test]
fn every_dashboard_query_parses_as_promql() {
    let Some(promtool) = tool("promtool") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("deploy/grafana/mendb-dashboard.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
    let exprs: Vec<String> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .map(|t| t["expr"].as_str().unwrap().replace("$plan", ".*"))
        .collect();
    assert!(exprs.len() >= 20, "{} queries", exprs.len());
    let rules: Vec<serde_json::Value> = exprs
        .iter()
        .enumerate()
        .map(|(i, e)| serde_json::json!({ "record": format!("dashboard:query{i}"), "expr": e }))
        .collect();
    let file = std::env::temp_dir().join(format!("mendb-dashboard-{}.json", std::process::id()));
    std::fs::write(
        &file,
        serde_json::json!({ "groups": [{ "name": "dashboard", "rules": rules }] }).to_string(),
    )
    .unwrap();
    let out = Command::new(promtool)
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `backfill pause` and `resume` from another shell show in the state
/// the running process serves.
#[test]
fn a_pause_from_another_shell_is_served_as_paused() {
    let db = world(Backend::Sqlite, "metrics_paused").unwrap();
    let mut run = serving_run(&db, "200", &[]);
    let url = run.metrics_url();
    let plan = format!("plan=\"{PLAN}\"");
    let state_is = |state: &str| {
        let label = format!("state=\"{state}\"");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, text) = get(&url);
            if samples(&text, "mendb_backfill_state", &[&plan, &label]) == [1.0] {
                return text;
            }
            assert!(Instant::now() < deadline, "never {state}:\n{text}");
            sleep(Duration::from_millis(100));
        }
    };
    state_is("running");
    db.mendb(&["backfill", "pause", PLAN]).succeeds();
    let paused = state_is("paused");
    assert_eq!(
        one(
            &paused,
            "mendb_backfill_state",
            &[&plan, "state=\"running\""]
        ),
        0.0
    );
    assert!(run.running());
    db.mendb(&["backfill", "resume", PLAN]).succeeds();
    state_is("running");
    let (code, err) = run.wait();
    assert_eq!(code, 0, "{err}");
}
