//! The promises users rely on when things go wrong: one runner at a time,
//! dirty marks on MariaDB, waiting for a late database, lock timeouts that
//! name the holder.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Backend, LateServer, TestDb, mendb_command};

per_backend!(
    concurrent_runners_apply_each_migration_once,
    failed_migration_is_dirty_on_mariadb_and_rolled_back_elsewhere,
    lock_timeout_names_the_holder,
);

fn concurrent_runners_apply_each_migration_once(b: Backend) {
    let Some(db) = TestDb::new(b, "concurrent") else {
        return;
    };
    let children: Vec<_> = (0..8)
        .map(|_| {
            mendb_command(&db.url, &["migrate", "up"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn mendb")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a concurrent runner failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    let runs = db.query(
        "SELECT version, COUNT(*) FROM mendb_migration_log WHERE direction = 'up' GROUP BY version ORDER BY version",
    );
    let counts: Vec<(String, String)> = runs
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .collect();
    let expected: Vec<(String, String)> =
        (1..=4).map(|v| (v.to_string(), "1".to_string())).collect();
    assert_eq!(
        counts, expected,
        "each migration must be attempted exactly once"
    );
}

fn failed_migration_is_dirty_on_mariadb_and_rolled_back_elsewhere(b: Backend) {
    let Some(db) = TestDb::new(b, "dirty") else {
        return;
    };
    let broken = "CREATE TABLE t2 (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE t3 (id INTEGER PRIMARY KEY);\n";
    let dir = db.migrations(&[
        ("V1__one.sql", "CREATE TABLE t1 (id INTEGER PRIMARY KEY);\n"),
        ("V1__one.down.sql", "DROP TABLE t1;\n"),
        ("V2__two.sql", broken),
        ("V2__two.down.sql", "DROP TABLE t3;\nDROP TABLE t2;\n"),
    ]);
    let first = db.mendb_dir(&dir, &["migrate", "up"]);
    first
        .fails_with(7)
        .stderr_has("V2__two.sql:2: V2__two failed at statement 2");
    assert_eq!(db.history_versions(), [1]);
    let fixed = "CREATE TABLE t2 (id INTEGER PRIMARY KEY);\nCREATE TABLE t2b (id INTEGER PRIMARY KEY);\nCREATE TABLE t3 (id INTEGER PRIMARY KEY);\n";

    if b != Backend::Mysql {
        first.stderr_has("rolled back");
        assert!(!db.schema().tables.contains_key("t2"));
        db.mendb_dir(&dir, &["migrate", "status"]).succeeds();
        db.mendb_dir(&dir, &["migrate", "status", "--exit-code"])
            .fails_with(14)
            .stderr_has("1 migration(s) pending");
        db.migrations(&[("V2__two.sql", fixed)]);
        db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
        assert_eq!(db.history_versions(), [1, 2]);
        db.mendb_dir(&dir, &["migrate", "status", "--exit-code"])
            .succeeds();
        return;
    }

    first.stderr_has("marked dirty");
    assert!(
        db.schema().tables.contains_key("t2"),
        "statement 1 committed"
    );
    for args in [&["migrate", "up"][..], &["migrate", "down"][..]] {
        db.mendb_dir(&dir, args)
            .fails_with(6)
            .stderr_has("database is dirty: up of V2__two stopped at statement 2 (")
            .stderr_has("V2__two.sql:2) with 1 of 3 statements committed")
            .stderr_has("statement: INSERT INTO no_such_table VALUES (1)")
            .stderr_has("mendb migrate repair");
    }
    db.mendb_dir(&dir, &["migrate", "status"])
        .succeeds()
        .stdout_has("dirty");
    db.mendb_dir(&dir, &["migrate", "status", "--exit-code"])
        .fails_with(6)
        .stdout_has("dirty")
        .stderr_has("the database is dirty: V2 two (up) did not finish");
    let status = db
        .mendb_dir(&dir, &["migrate", "status", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(status["rows"][1]["state"], "dirty");
    assert_eq!(status["dirty"][0]["statements_done"], 1);
    // Fixing the file is not enough: a human must say the database is fixed.
    db.migrations(&[("V2__two.sql", fixed)]);
    db.mendb_dir(&dir, &["migrate", "up"]).fails_with(6);
    db.mendb_dir(&dir, &["migrate", "repair"])
        .succeeds()
        .stdout_has(
            "Cleared dirty V2__two: the next `mendb migrate up` resumes after statement 1 of 3",
        );
    db.mendb_dir(&dir, &["migrate", "up"])
        .succeeds()
        .stderr_has("Resuming V2 two after statement 1 ... ok");
    assert_eq!(db.history_versions(), [1, 2]);
    let tables = db.schema().tables;
    for t in ["t1", "t2", "t2b", "t3"] {
        assert!(tables.contains_key(t), "{t} missing");
    }
    db.mendb_dir(&dir, &["migrate", "repair"])
        .succeeds()
        .stdout_has("Nothing to repair");
    db.mendb_dir(&dir, &["migrate", "status", "--exit-code"])
        .succeeds();
}

fn lock_timeout_names_the_holder(b: Backend) {
    let Some(db) = TestDb::new(b, "locked") else {
        return;
    };
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    let run = db.while_locked("migrate", || {
        db.mendb(&["migrate", "up", "--lock-timeout", "1s"])
    });
    run.fails_with(4)
        .stderr_has("waiting for the `migrate` lock (");
    let holder = match b {
        Backend::Mysql => "held by connection",
        Backend::Postgres => "held by pid",
        Backend::Sqlite => "held by another process writing to this SQLite file",
    };
    run.stderr_has(holder);
    assert_eq!(db.history_versions(), [1], "nothing ran without the lock");
    // Released on the error path: the next run goes through.
    db.mendb(&["migrate", "up", "--lock-timeout", "5s"])
        .succeeds();
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
}

fn wait_for_a_database_that_starts_late(b: Backend) {
    let Some(db) = TestDb::new(b, "wait") else {
        return;
    };
    let late = LateServer::new(&db.url);
    let late_url = late.url.clone();

    let started = Instant::now();
    let child = mendb_command(&late_url, &["-v", "migrate", "up", "--wait", "30s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The database "starts" three seconds later.
    std::thread::sleep(Duration::from_secs(3));
    late.start();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert!(stderr.contains("database not ready; retrying"), "{stderr}");
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
}

#[test]
fn wait_for_late_mariadb() {
    wait_for_a_database_that_starts_late(Backend::Mysql);
}

#[test]
fn wait_for_late_postgres() {
    wait_for_a_database_that_starts_late(Backend::Postgres);
}
