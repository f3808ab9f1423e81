//! `mendb verify`, `schema dump` and the init-container flow (`migrate up
//! --wait --verify`) as users and CI see them: exit codes, and reports that
//! name the object, file and service at fault.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Backend, LateServer, Run, TestDb, mendb_command};
use serde_json::Value;

per_backend!(
    a_clean_database_passes,
    a_hand_made_alter_is_drift,
    an_edited_applied_migration_is_reported,
    a_missing_down_is_reported,
    the_incident_as_contracts,
    init_containers_start_together,
    a_missing_snapshot_fails_unless_skipped_on_purpose,
);

const VERIFY_FAILED: i32 = 13;

/// The project's migrations, copied where a test may edit them.
fn copy_migrations(db: &TestDb) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let to = db.dir.join("migrations");
    for d in ["mysql", "postgres", "sqlite"] {
        std::fs::create_dir_all(to.join(d)).unwrap();
        for f in std::fs::read_dir(from.join(d)).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, to.join(d).join(f.file_name().unwrap())).unwrap();
        }
    }
    to
}

fn dialect_dir(b: Backend) -> &'static str {
    match b {
        Backend::Mysql => "mysql",
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    }
}

/// Each check of a `--format json` report: (check, subject, status, failures).
fn checks(run: &Run) -> Vec<(String, String, String, Vec<String>)> {
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            let failures = c["failures"]
                .as_array()
                .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (s("check"), s("subject"), s("status"), failures)
        })
        .collect()
}

fn status_of(run: &Run, check: &str, subject_part: &str) -> String {
    checks(run)
        .into_iter()
        .find(|c| c.0 == check && c.1.contains(subject_part))
        .unwrap_or_else(|| panic!("no {check} check on {subject_part}:\n{}", run.stdout))
        .2
}

fn a_clean_database_passes(b: Backend) {
    let Some(db) = TestDb::new(b, "vclean") else {
        return;
    };
    db.mendb(&["migrate", "up"]).succeeds();
    let run = db.mendb(&["verify", "--roundtrip"]);
    run.succeeds();
    // The committed snapshot matches what the migrations build.
    run.stdout_has(&format!("Passed drift schema/{}.json", dialect_dir(b)));
    run.stdout_has("Passed roundtrip up, down to 0, up again on a scratch database");
    run.stdout_has("Passed contracts contracts/legacy-price-writer.toml");

    let json = db.mendb(&["verify", "--format", "json"]);
    json.succeeds();
    let all = checks(&json);
    assert!(all.len() >= 10, "{all:?}");
    assert!(all.iter().all(|c| c.2 == "passed"), "{all:?}");

    let junit = db.mendb(&["verify", "--format", "junit"]);
    junit.succeeds();
    assert!(junit.stdout.starts_with("<?xml"), "{}", junit.stdout);
    assert!(junit.stdout.contains("failures=\"0\""), "{}", junit.stdout);
    assert!(junit.stdout.contains(
        "<testcase classname=\"mendb.verify.contracts\" name=\"contracts/new-price-writer.toml\"/>"
    ));

    // The dump is stable: twice the same bytes, and it is the snapshot.
    let dump = db.mendb(&["schema", "dump", "--format", "json"]);
    dump.succeeds();
    assert_eq!(
        dump.stdout,
        db.mendb(&["schema", "dump", "--format", "json"]).stdout
    );
    let text = db.mendb(&["schema", "dump"]);
    text.succeeds().stdout_has("table price_data_real");
    text.stdout_has("trigger price_data_real_sync_close_");
    assert!(!text.stdout.contains("refinery_schema_history"));
    db.mendb(&["schema", "dump", "--include-internal"])
        .succeeds()
        .stdout_has("table refinery_schema_history");
}

fn a_hand_made_alter_is_drift(b: Backend) {
    let Some(db) = TestDb::new(b, "vdrift") else {
        return;
    };
    db.mendb(&["migrate", "up"]).succeeds();
    db.exec("ALTER TABLE price_data_real ADD COLUMN hand_added INTEGER NULL");
    let run = db.mendb(&["verify", "--roundtrip"]);
    run.fails_with(VERIFY_FAILED);
    // Against the committed snapshot, and against what the migrations build.
    run.stdout_has(&format!("FAILED drift schema/{}.json", dialect_dir(b)));
    run.stdout_has("column price_data_real.hand_added: only in the live database");
    run.stdout_has("FAILED drift the migrations up to V4 on a scratch database");
    run.stderr_has("verify failed: 2 failure(s) in 2 check(s)");
    // Nothing else is blamed.
    let json = db.mendb(&["verify", "--format", "json", "--roundtrip"]);
    let failed: Vec<_> = checks(&json)
        .into_iter()
        .filter(|c| c.2 == "failed")
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");

    // An index dropped by hand is named too.
    db.exec("ALTER TABLE price_data_real DROP COLUMN hand_added");
    let drop_index = match b {
        Backend::Mysql => "DROP INDEX idx_price_data_real_timestamp ON price_data_real",
        _ => "DROP INDEX idx_price_data_real_timestamp",
    };
    db.exec(drop_index);
    db.mendb(&["verify"])
        .fails_with(VERIFY_FAILED)
        .stdout_has("index price_data_real.idx_price_data_real_timestamp: only in the snapshot");
}

fn an_edited_applied_migration_is_reported(b: Backend) {
    let Some(db) = TestDb::new(b, "vedit") else {
        return;
    };
    let dir = copy_migrations(&db);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    db.mendb_dir(&dir, &["verify"]).succeeds();
    let file = dir
        .join(dialect_dir(b))
        .join("V2__reconcile_close_current_price.sql");
    let mut sql = std::fs::read_to_string(&file).unwrap();
    sql.push_str("\n-- edited after it was applied\n");
    std::fs::write(&file, sql).unwrap();
    db.mendb_dir(&dir, &["verify"])
        .fails_with(VERIFY_FAILED)
        .stdout_has("FAILED history")
        .stdout_has(
            "V2__reconcile_close_current_price was edited after it was applied (checksum changed)",
        );
}

fn a_missing_down_is_reported(b: Backend) {
    let Some(db) = TestDb::new(b, "vdown") else {
        return;
    };
    let dir = copy_migrations(&db);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    let d = dialect_dir(b);
    std::fs::remove_file(dir.join(d).join("V4__backfill_support.down.sql")).unwrap();
    // Another dialect's folder is checked as well: a missing version there.
    let other = if d == "mysql" { "sqlite" } else { "mysql" };
    std::fs::remove_file(dir.join(other).join("V4__backfill_support.sql")).unwrap();
    std::fs::remove_file(dir.join(other).join("V4__backfill_support.down.sql")).unwrap();
    let run = db.mendb_dir(&dir, &["verify"]);
    run.fails_with(VERIFY_FAILED);
    run.stdout_has("FAILED files");
    run.stdout_has("V4__backfill_support.sql: no down migration V4__backfill_support.down.sql");
    run.stdout_has(&format!("{other}: has no V4__backfill_support"));
    // The marker for a migration that cannot be undone is accepted.
    let up = dir.join(d).join("V4__backfill_support.sql");
    let sql = std::fs::read_to_string(&up).unwrap();
    std::fs::write(
        &up,
        format!("-- mendb:irreversible kept for the test\n{sql}"),
    )
    .unwrap();
    let run = db.mendb_dir(&dir, &["verify"]);
    assert!(!run.stdout.contains("no down migration"), "{}", run.stdout);
}

/// The contract step the incident was missing: drop `close` once no old
/// writer is left.
fn drop_close_sql(b: Backend) -> &'static str {
    match b {
        Backend::Mysql => {
            "DROP TRIGGER price_data_real_sync_close_bi;\n\
             DROP TRIGGER price_data_real_sync_close_bu;\n\
             ALTER TABLE price_data_real DROP COLUMN close;\n"
        }
        Backend::Postgres => {
            "DROP TRIGGER price_data_real_sync_close_biu ON price_data_real;\n\
             DROP FUNCTION price_data_real_sync_close();\n\
             ALTER TABLE price_data_real DROP COLUMN close;\n"
        }
        Backend::Sqlite => {
            "DROP TRIGGER price_data_real_sync_close_ai;\n\
             DROP TRIGGER price_data_real_sync_close_au_current_price;\n\
             DROP TRIGGER price_data_real_sync_close_au_close;\n\
             ALTER TABLE price_data_real DROP COLUMN close;\n"
        }
    }
}

fn the_incident_as_contracts(b: Backend) {
    let Some(db) = TestDb::new(b, "vincident") else {
        return;
    };
    // At V1 the live writer's contract holds and the old writer's does not.
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    let run = db.mendb(&["verify", "--allow-pending", "--format", "json"]);
    run.fails_with(VERIFY_FAILED);
    assert_eq!(status_of(&run, "contracts", "new-price-writer"), "passed");
    assert_eq!(
        status_of(&run, "contracts", "legacy-price-writer"),
        "failed"
    );
    let failed: Vec<_> = checks(&run)
        .into_iter()
        .filter(|c| c.2 == "failed")
        .collect();
    assert!(
        failed
            .iter()
            .all(|c| c.0 == "contracts" || c.0 == "destructive"),
        "{failed:?}"
    );
    let text = db.mendb(&["verify", "--allow-pending"]);
    text.stdout_has(
        "contracts/legacy-price-writer.toml:12: legacy-price-writer inserts price_data_real.close, but the live database has no column close in price_data_real",
    );

    // After migrate up, both writers are served.
    db.mendb(&["migrate", "up"]).succeeds();
    db.mendb(&["verify"]).succeeds();

    // The contract step: V5 drops close. A row holds a close value now.
    db.exec("INSERT INTO price_data_real (symbol, timestamp, current_price) VALUES ('BTC', '2025-09-30 12:00:00', 1.5)");
    let dir = copy_migrations(&db);
    // Every dialect gets the step, as verify's files check demands.
    for other in [Backend::Mysql, Backend::Postgres, Backend::Sqlite] {
        let d = dir.join(dialect_dir(other));
        std::fs::write(d.join("V5__drop_close.sql"), drop_close_sql(other)).unwrap();
        std::fs::write(
            d.join("V5__drop_close.down.sql"),
            "ALTER TABLE price_data_real ADD COLUMN close DOUBLE PRECISION NULL;\n",
        )
        .unwrap();
    }
    let run = db.mendb_dir(&dir, &["verify", "--allow-pending"]);
    run.fails_with(VERIFY_FAILED);
    // Unreviewed, it is a destructive change, counted on the live database.
    run.stdout_has("FAILED destructive V5__drop_close");
    run.stdout_has("V5__drop_close drops column price_data_real.close (1 non-null value(s) on the live database)");
    // And it would break the old writer, whose contract still exists.
    run.stdout_has("FAILED contracts contracts/legacy-price-writer.toml");
    run.stdout_has("legacy-price-writer inserts price_data_real.close, but the schema after pending V5__drop_close");
    run.stdout_has("Passed contracts contracts/new-price-writer.toml");

    // Reviewed, the drop is allowed, but the contract still blocks it.
    for other in ["mysql", "postgres", "sqlite"] {
        let file = dir.join(other).join("V5__drop_close.sql");
        let sql = std::fs::read_to_string(&file).unwrap();
        let marked = format!("-- mendb:allow-destructive close is a copy of current_price\n{sql}");
        std::fs::write(&file, marked).unwrap();
    }
    let run = db.mendb_dir(&dir, &["verify", "--allow-pending", "--format", "json"]);
    run.fails_with(VERIFY_FAILED);
    assert_eq!(status_of(&run, "destructive", "V5__drop_close"), "passed");
    assert_eq!(
        status_of(&run, "contracts", "legacy-price-writer"),
        "failed"
    );
    // The roundtrip builds V5 for real and agrees.
    let run = db.mendb_dir(&dir, &["verify", "--allow-pending", "--roundtrip"]);
    run.fails_with(VERIFY_FAILED);
    run.stdout_has("Passed roundtrip");
    run.stdout_has("legacy-price-writer inserts price_data_real.close, but the schema after pending V5__drop_close");

    // Once the old writer's contract is retired, the step may go ahead.
    let contracts = db.dir.join("contracts");
    std::fs::create_dir_all(&contracts).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts");
    for f in std::fs::read_dir(shipped).unwrap() {
        let f = f.unwrap().path();
        if !f.ends_with("legacy-price-writer.toml") {
            std::fs::copy(&f, contracts.join(f.file_name().unwrap())).unwrap();
        }
    }
    let c = contracts.to_str().unwrap();
    db.mendb_dir(&dir, &["verify", "--allow-pending", "--contracts", c])
        .succeeds();
    db.mendb_dir(&dir, &["migrate", "up", "--verify", "--contracts", c])
        .succeeds();
    // The snapshot of V4 is stale now; a fresh dump is what CI commits.
    let stale = db.mendb_dir(&dir, &["verify", "--contracts", c]);
    stale
        .fails_with(VERIFY_FAILED)
        .stdout_has("the snapshot is of V4, older than the database at V5")
        .stdout_has("refresh it with `mendb schema dump --write`");
    let dump = db.mendb_dir(&dir, &["schema", "dump", "--format", "json"]);
    let snapshot = db.dir.join("v5.json");
    std::fs::write(&snapshot, &dump.succeeds().stdout).unwrap();
    let snap = snapshot.to_str().unwrap();
    db.mendb_dir(&dir, &["verify", "--snapshot", snap, "--contracts", c])
        .succeeds();
    // With the old contract back, the migrated database fails it.
    db.mendb_dir(&dir, &["migrate", "up", "--verify"])
        .fails_with(VERIFY_FAILED)
        .stdout_has("legacy-price-writer inserts price_data_real.close, but the live database has no column close");
}

/// Two init containers start before their database accepts connections:
/// both wait, both succeed, each migration is applied once, and the logs
/// are JSON lines.
fn init_containers_start_together(b: Backend) {
    let Some(db) = TestDb::new(b, "vinit") else {
        return;
    };
    let late = (b != Backend::Sqlite).then(|| LateServer::new(&db.url));
    let url = late.as_ref().map_or(db.url.clone(), |l| l.url.clone());
    let args = [
        "--log-format",
        "json",
        "migrate",
        "up",
        "--verify",
        "--wait",
        "60s",
    ];
    let started = Instant::now();
    let children: Vec<_> = (0..2)
        .map(|_| {
            mendb_command(&url, &args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    if let Some(late) = &late {
        std::thread::sleep(Duration::from_secs(2));
        late.start();
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        for line in stderr.lines() {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"));
            assert!(v["level"].is_string(), "{line}");
        }
        assert!(stderr.contains("contract check passed"), "{stderr}");
        if late.is_some() {
            assert!(stderr.contains("database not ready; retrying"), "{stderr}");
        }
    }
    if late.is_some() {
        assert!(started.elapsed() >= Duration::from_secs(2));
    }
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    let finished = db.scalar(
        "SELECT COUNT(*) FROM mendb_migration_log WHERE direction = 'up' AND status = 'ok'",
    );
    assert_eq!(finished, 4, "each migration applied once");
}

#[test]
fn sigterm_during_the_wait_exits_promptly() {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("mysql://root@127.0.0.1:{port}/test");
    let child = mendb_command(&url, &["migrate", "up", "--verify", "--wait", "120s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?}",
        sent.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(143),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn junit_is_only_for_verify() {
    let dir = std::env::temp_dir().join(format!("mendb_t_junit_{}", std::process::id()));
    let url = format!("sqlite:{}", dir.join("x.db").display());
    let out = mendb_command(&url, &["migrate", "status", "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'junit' for '--format"));
}

/// `verify` run in `dir` (where `schema/` is looked for), with the
/// database in DATABASE_URL as a user's shell would have it.
fn verify_in(db: &TestDb, dir: &Path, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mendb"));
    let out = cmd
        .current_dir(dir)
        .env("DATABASE_URL", &db.url)
        .env_remove("RUST_LOG")
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn a_missing_snapshot_fails_unless_skipped_on_purpose(b: Backend) {
    let Some(db) = TestDb::new(b, "verify_nosnap") else {
        return;
    };
    db.mendb(&["-q", "migrate", "up"]).succeeds();
    let fresh = db.dir.join("fresh_checkout");
    std::fs::create_dir_all(&fresh).unwrap();
    let snapshot = format!("schema/{}.json", dialect_dir(b));
    // A gate must not pass because its reference is missing.
    let missing = verify_in(&db, &fresh, &[]);
    assert_eq!(
        missing.code, VERIFY_FAILED,
        "{}\n{}",
        missing.stdout, missing.stderr
    );
    assert!(
        missing.stdout.contains(&format!(
            "{snapshot}: no snapshot to compare the live schema with"
        )),
        "{}",
        missing.stdout
    );
    // Each way out the message names, typed as written.
    let skipped = verify_in(&db, &fresh, &["--no-snapshot"]);
    assert_eq!(skipped.code, 0, "{}\n{}", skipped.stdout, skipped.stderr);
    assert!(
        skipped.stdout.contains("Skipped drift snapshot"),
        "{}",
        skipped.stdout
    );
    let junit = verify_in(&db, &fresh, &["--no-snapshot", "--format", "junit"]);
    assert!(
        junit.stdout.contains("<skipped message=\"--no-snapshot"),
        "{}",
        junit.stdout
    );
    let roundtrip = verify_in(&db, &fresh, &["--roundtrip"]);
    assert_eq!(
        roundtrip.code, 0,
        "{}\n{}",
        roundtrip.stdout, roundtrip.stderr
    );
    assert!(
        roundtrip
            .stdout
            .contains("--roundtrip compares the live schema with the migrations instead"),
        "{}",
        roundtrip.stdout
    );
    let write = missing
        .stdout
        .split('`')
        .find(|c| c.contains("schema dump"))
        .expect("a suggested dump command")
        .to_string();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(write.replace("mendb ", &format!("{} ", env!("CARGO_BIN_EXE_mendb"))))
        .current_dir(&fresh)
        .env("DATABASE_URL", &db.url)
        .status()
        .unwrap();
    assert!(status.success(), "{write}");
    let passed = verify_in(&db, &fresh, &[]);
    assert_eq!(passed.code, 0, "{}\n{}", passed.stdout, passed.stderr);
    assert!(
        passed.stdout.contains(&format!("Passed drift {snapshot}")),
        "{}",
        passed.stdout
    );
}
