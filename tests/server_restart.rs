//! The MariaDB server stopped and started again in the middle of a run:
//! the workers retry, reconnect once the server is back, and the run ends
//! as an undisturbed one. A test binary of its own, since it takes the
//! whole server away for a moment.
//!
//! It restarts only a server it may: the local one, as root, when
//! MENDB_TEST_RESTART_SERVER=1 (which .ci/run sets when it manages the
//! server). Otherwise it says SKIPPED.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, TestDb, incident_world, mendb_command, rows_as_text};

fn may_restart() -> Result<(), String> {
    if std::env::var("MENDB_TEST_RESTART_SERVER").as_deref() != Ok("1") {
        return Err("MENDB_TEST_RESTART_SERVER is not 1".into());
    }
    let url = std::env::var("MENDB_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into());
    let host = url::Url::parse(&url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    if !["127.0.0.1", "localhost"].contains(&host.as_str()) {
        return Err(format!("the server at {host} is not this machine's"));
    }
    if !std::path::Path::new("/usr/sbin/mariadbd").exists() {
        return Err("no /usr/sbin/mariadbd".into());
    }
    Ok(())
}

fn server_up() -> bool {
    std::net::TcpStream::connect_timeout(
        &"127.0.0.1:3306".parse().unwrap(),
        Duration::from_millis(500),
    )
    .is_ok()
}

fn start_server() {
    let _ = std::fs::create_dir_all("/run/mysqld");
    let _ = Command::new("chown")
        .args(["mysql:mysql", "/run/mysqld"])
        .status();
    let started = Command::new("start-stop-daemon")
        .args([
            "--start",
            "--oknodo",
            "--background",
            "--exec",
            "/usr/sbin/mariadbd",
            "--",
            "--user=mysql",
        ])
        .status()
        .expect("start-stop-daemon");
    assert!(started.success());
    let since = Instant::now();
    while !server_up() {
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "MariaDB did not come back"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Starts the server again even when the test fails half-way.
struct Restarter;

impl Drop for Restarter {
    fn drop(&mut self) {
        if !server_up() {
            start_server();
        }
    }
}

#[test]
fn mariadb_restarts_mid_run() {
    if let Err(why) = may_restart() {
        eprintln!("SKIPPED server restart test: {why}");
        return;
    }
    let world = |tag| incident_world(Backend::Mysql, tag);
    let (Some(clean), Some(db)) = (world("restartref"), world("restart")) else {
        return;
    };
    clean
        .mendb(&["-q", "backfill", "run", "restore-onchain-enhanced"])
        .succeeds();
    let _restarter = Restarter;
    let child = mendb_command(
        &db.url,
        &[
            "backfill",
            "run",
            "restore-onchain-enhanced",
            "--workers",
            "2",
            "--chunk-target",
            "20ms",
            "--max-rows-per-sec",
            "150",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let stopped = Command::new("mariadb-admin")
        .args(["-uroot", "shutdown"])
        .status()
        .expect("mariadb-admin");
    assert!(stopped.success(), "could not stop MariaDB");
    std::thread::sleep(Duration::from_secs(2));
    start_server();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Retrying"), "no retry seen:\n{stderr}");
    let cols = ["symbol", "date", "active_addresses", "nvt_ratio"];
    let content = |d: &TestDb| rows_as_text(d, "crypto_onchain_data_enhanced", &cols);
    assert_eq!(
        content(&db),
        content(&clean),
        "differs from an undisturbed run"
    );
    let dupes = db.scalar(
        "SELECT COUNT(*) FROM (SELECT symbol, date FROM crypto_onchain_data_enhanced \
         GROUP BY symbol, date HAVING COUNT(*) > 1) d",
    );
    assert_eq!(dupes, 0);
}
