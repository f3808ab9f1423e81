//! Live control of a run from another shell: `backfill pause`, `resume`,
//! `throttle` and `cancel` reach every worker of every process through the
//! database, and what the run then writes equals an uninterrupted run.

mod common;

use std::io::Read;
use std::process::{Child, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{Backend, TestDb, incident_world as world, mendb_command, rows_as_text};

per_backend!(
    two_processes_obey_pause_throttle_and_cancel,
    control_refusals_say_what_to_do,
    a_process_started_while_paused_waits_for_resume,
);

const PRICES: [&str; 7] = [
    "symbol",
    "timestamp",
    "current_price",
    "close",
    "volume_24h",
    "market_cap",
    "data_source",
];

fn chunks(db: &TestDb) -> i64 {
    db.scalar("SELECT COUNT(*) FROM mendb_backfill_chunks")
}

fn rows_logged(db: &TestDb) -> i64 {
    // SUM of a BIGINT is a DECIMAL on MariaDB and PostgreSQL.
    let int = match db.backend {
        Backend::Mysql => "SIGNED",
        _ => "BIGINT",
    };
    db.scalar(&format!(
        "SELECT CAST(COALESCE(SUM(rows_written), 0) AS {int}) FROM mendb_backfill_chunks"
    ))
}

fn live_leases(db: &TestDb) -> i64 {
    db.scalar(&format!(
        "SELECT COUNT(*) FROM mendb_backfill_leases WHERE expires_at > {}",
        db.backend.dialect().epoch_now()
    ))
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(100));
    }
}

/// Waits for `child` to exit; its exit code and stderr.
fn ended(mut child: Child) -> (i32, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not stop after the cancel");
        }
        sleep(Duration::from_millis(100));
    }
}

fn two_processes_obey_pause_throttle_and_cancel(b: Backend) {
    let Some(db) = world(b, "control") else {
        return;
    };
    let run = [
        "backfill",
        "run",
        "fill-price-gaps",
        "--workers",
        "2",
        "--max-rows-per-sec",
        "100",
    ];
    let spawn = || {
        mendb_command(&db.url, &run)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    // Through mendb, which reads no state table before the run makes them.
    wait_until("the first chunks", || {
        let status = db.mendb(&["backfill", "status", "fill-price-gaps", "--format", "json"]);
        let json = status.json();
        json[0]["steps"][0]["chunks"].as_i64().unwrap_or(0) >= 2
    });

    db.mendb(&["backfill", "pause", "fill-price-gaps"])
        .succeeds()
        .stdout_has("Paused run 1 by ");
    // Each worker finishes the chunk in hand (at most a second's
    // allowance) and then writes nothing and holds nothing.
    sleep(Duration::from_secs(2));
    let paused_at = chunks(&db);
    sleep(Duration::from_secs(3));
    assert_eq!(chunks(&db), paused_at, "a chunk committed while paused");
    assert_eq!(live_leases(&db), 0, "a paused run holds a lease");
    db.mendb(&["backfill", "status", "fill-price-gaps"])
        .succeeds()
        .stdout_has("run 1 fill-price-gaps paused")
        .stdout_has("  paused by ")
        .stdout_has("`mendb backfill resume fill-price-gaps` goes on");
    let json = db
        .mendb(&["backfill", "status", "fill-price-gaps", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(json[0]["state"], "paused", "{json}");
    assert_eq!(json[0]["history"][0]["action"], "pause", "{json}");

    // Ten rows a second per worker: four workers in two processes write
    // at most 40 a second, where 100 each went before.
    db.mendb(&[
        "backfill",
        "throttle",
        "fill-price-gaps",
        "--max-rows-per-sec",
        "10",
    ])
    .succeeds()
    .stdout_has("max-rows-per-sec 10 per worker");
    db.mendb(&["backfill", "resume", "fill-price-gaps"])
        .succeeds()
        .stdout_has("Resumed run 1");
    wait_until("a chunk after the resume", || chunks(&db) > paused_at);
    let (from, began) = (rows_logged(&db), Instant::now());
    sleep(Duration::from_secs(5));
    let written = rows_logged(&db) - from;
    let secs = began.elapsed().as_secs_f64();
    // 40 rows a second, and one chunk of up to 20 rows per worker in hand.
    let most = (40.0 * secs) as i64 + 4 * 20;
    assert!(
        written > 0 && written <= most,
        "{written} rows in {secs:.1} s after a throttle to 10 rows/s per worker (at most {most})"
    );

    db.mendb(&["backfill", "cancel", "fill-price-gaps"])
        .succeeds()
        .stdout_has("Cancelled run 1");
    for child in [first, second] {
        let (code, err) = ended(child);
        assert_eq!(code, 15, "{err}");
        assert!(err.contains("was cancelled"), "{err}");
        assert!(err.contains("--restart"), "{err}");
    }
    assert_eq!(live_leases(&db), 0, "a cancelled run holds a lease");
    let status = db.mendb(&["backfill", "status", "fill-price-gaps"]);
    status
        .succeeds()
        .stdout_has("run 1 fill-price-gaps abandoned")
        .stdout_has("  cancelled by ");
    // Nothing will finish an abandoned run: no time to finish is promised.
    assert!(!status.stdout.contains("ETA"), "{}", status.stdout);

    // A restarted pod must not start the backfill over: only --restart,
    // as the refusal says.
    let refused = db.mendb(&["backfill", "run", "fill-price-gaps"]);
    refused
        .fails_with(9)
        .stderr_has("run 1 of plan `fill-price-gaps` was cancelled by ")
        .stderr_has("rerun with --restart");
    db.mendb(&["backfill", "run", "fill-price-gaps", "--restart"])
        .succeeds();

    let Some(reference) = world(b, "control_ref") else {
        return;
    };
    reference
        .mendb(&["backfill", "run", "fill-price-gaps"])
        .succeeds();
    assert_eq!(
        rows_as_text(&db, "price_data_real", &PRICES),
        rows_as_text(&reference, "price_data_real", &PRICES),
        "a paused, throttled, cancelled and restarted backfill wrote other rows than one run"
    );
}

fn control_refusals_say_what_to_do(b: Backend) {
    let Some(db) = world(b, "control_no") else {
        return;
    };
    db.mendb(&["backfill", "pause", "fill-price-gaps"])
        .fails_with(9)
        .stderr_has("plan `fill-price-gaps` has no run to control; `mendb backfill run fill-price-gaps` starts one");
    db.mendb(&["backfill", "throttle", "fill-price-gaps"])
        .fails_with(2)
        .stderr_has("--max-rows-per-sec");
    if b != Backend::Mysql {
        db.mendb(&[
            "backfill",
            "throttle",
            "fill-price-gaps",
            "--max-threads-running",
            "8",
        ])
        .fails_with(2)
        .stderr_has("--max-threads-running applies to MariaDB/MySQL");
    }
    // As the refusal says.
    db.mendb(&["backfill", "run", "fill-price-gaps"]).succeeds();
    db.mendb(&["backfill", "pause", "fill-price-gaps"])
        .fails_with(9)
        .stderr_has("run 1 of plan `fill-price-gaps` is finished, not running; `mendb backfill status fill-price-gaps` shows it");
    db.mendb(&["backfill", "status", "fill-price-gaps"])
        .succeeds()
        .stdout_has("run 1 fill-price-gaps finished");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM mendb_backfill_controls"),
        0,
        "a refused change was written"
    );
}

fn a_process_started_while_paused_waits_for_resume(b: Backend) {
    let Some(db) = world(b, "control_late") else {
        return;
    };
    let spawn = |args: &[&str]| {
        mendb_command(&db.url, args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Slow, so that it is stopped early; the one started later is not.
    let first = spawn(&[
        "backfill",
        "run",
        "fill-price-gaps",
        "--max-rows-per-sec",
        "200",
    ]);
    wait_until("the first chunk", || {
        let status = db.mendb(&["backfill", "status", "fill-price-gaps", "--format", "json"]);
        status.json()[0]["steps"][0]["chunks"].as_i64().unwrap_or(0) >= 1
    });
    std::process::Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .unwrap();
    let (code, err) = ended(first);
    assert_eq!(code, 143, "{err}");

    // Paused with no process running; a pod that starts now waits.
    db.mendb(&["backfill", "pause", "fill-price-gaps"])
        .succeeds()
        .stdout_has("Paused run 1");
    let before = chunks(&db);
    let late = spawn(&["backfill", "run", "fill-price-gaps"]);
    sleep(Duration::from_secs(3));
    assert_eq!(chunks(&db), before, "a process started while paused wrote");
    db.mendb(&["backfill", "resume", "fill-price-gaps"])
        .succeeds();
    let (code, err) = ended(late);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Paused run 1 by ")
            && err.contains("waiting for `mendb backfill resume fill-price-gaps`"),
        "{err}"
    );
    assert!(err.contains("Resumed run 1 by "), "{err}");
    db.mendb(&["backfill", "status", "fill-price-gaps"])
        .succeeds()
        .stdout_has("run 1 fill-price-gaps finished");
}
