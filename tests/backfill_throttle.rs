//! Load limits of `backfill run`: `--max-threads-running` holds chunks back
//! while the server is busy, a replica that is not replicating holds them
//! back until a signal ends the wait (resumable), a server that is no
//! replica is refused, and on PostgreSQL and SQLite the MariaDB-only limits
//! are refused before anything is written.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Backend, TestDb, mendb_command};

per_backend!(
    threads_running_holds_chunks_back,
    a_stopped_replica_holds_chunks_back_until_a_signal,
);

const ROWS: i64 = 200;

fn tables(db: &TestDb) -> String {
    let int = match db.backend {
        Backend::Mysql => "BIGINT",
        _ => "INTEGER",
    };
    db.exec(&format!(
        "CREATE TABLE src (id {int} NOT NULL PRIMARY KEY, v {int} NOT NULL)"
    ));
    db.exec(&format!(
        "CREATE TABLE dst (id {int} NOT NULL PRIMARY KEY, v {int} NOT NULL)"
    ));
    let values: Vec<String> = (1..=ROWS).map(|i| format!("({i}, {})", i * 7)).collect();
    db.exec(&format!("INSERT INTO src VALUES {}", values.join(", ")));
    let path = db.dir.join("copy.toml");
    std::fs::write(
        &path,
        r#"name = "copy-src"
description = "src into dst"

[[steps]]
name = "copy"

[steps.batch]
table = "src"
key = ["id"]
chunk_size = 50

[steps.copy]
into = "dst"
match = ["id"]

[steps.copy.columns]
id = "id"
v = "v"
"#,
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn threads_running_holds_chunks_back(b: Backend) {
    let Some(db) = TestDb::new(b, "threads") else {
        return;
    };
    let plan = tables(&db);
    if b != Backend::Mysql {
        db.mendb(&["backfill", "run", &plan, "--max-threads-running", "4"])
            .fails_with(2)
            .stderr_has("--max-threads-running applies to MariaDB/MySQL");
        assert_eq!(db.scalar("SELECT COUNT(*) FROM dst"), 0);
        return;
    }
    // Another session keeps a statement running, so Threads_running is at
    // least 2 (that one and mendb's own) for its three seconds.
    let run = std::thread::scope(|s| {
        s.spawn(|| db.exec("SELECT SLEEP(3)"));
        std::thread::sleep(Duration::from_millis(500));
        db.mendb(&["backfill", "run", &plan, "--max-threads-running", "1"])
    });
    run.succeeds()
        .stderr_has("Throttled copy: Threads_running is")
        .stderr_has("above --max-threads-running 1; waiting");
    assert_eq!(db.scalar("SELECT COUNT(*) FROM dst"), ROWS);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM dst WHERE v = id * 7"), ROWS);
}

fn a_stopped_replica_holds_chunks_back_until_a_signal(b: Backend) {
    let Some(db) = TestDb::new(b, "replica") else {
        return;
    };
    let plan = tables(&db);
    if b != Backend::Mysql {
        db.mendb(&["backfill", "run", &plan, "--replica-url", &db.url])
            .fails_with(2)
            .stderr_has("replica lag is a MariaDB/MySQL status");
        assert_eq!(db.scalar("SELECT COUNT(*) FROM dst"), 0);
        return;
    }
    // The test server replicates from nobody: refused before any write.
    db.mendb(&["backfill", "run", &plan, "--replica-url", &db.url])
        .fails_with(2)
        .stderr_has("replicates from nobody");
    assert_eq!(db.scalar("SELECT COUNT(*) FROM dst"), 0);

    // Configured as a replica of a primary that does not exist, with
    // replication not started: SHOW REPLICA STATUS has a row whose lag is
    // NULL. The guard undoes it however the test ends.
    db.exec(
        "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = 9, MASTER_USER = 'mendb_nobody'",
    );
    struct Unreplica<'a>(&'a TestDb);
    impl Drop for Unreplica<'_> {
        fn drop(&mut self) {
            self.0.exec("RESET SLAVE ALL");
        }
    }
    let guard = Unreplica(&db);

    let args = [
        "backfill",
        "run",
        &plan,
        "--replica-url",
        &db.url,
        "--max-replica-lag",
        "1s",
    ];
    let mut child = mendb_command(&db.url, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen
        .iter()
        .any(|l: &String| l.contains("is not replicating"))
    {
        assert!(Instant::now() < deadline, "no throttle line in {seen:#?}");
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(line);
        }
    }
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM dst"),
        0,
        "a chunk ran while the replica was not replicating"
    );
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    seen.extend(rx.try_iter());
    assert_eq!(status.code(), Some(143), "{seen:#?}");
    assert!(
        seen.iter()
            .any(|l| l.contains("run the same command again to resume")),
        "{seen:#?}"
    );
    drop(guard);

    let resumed = db
        .mendb(&["-q", "backfill", "run", &plan, "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(resumed["resumed"], true);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM dst"), ROWS);
}
