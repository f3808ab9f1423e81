//! Several workers on one plan, in one process (`--workers N`) and in
//! several processes at once, with the database as the only coordinator:
//! the tables end as an uninterrupted single worker leaves them, every
//! chunk is written once, and the chunks of a killed process are taken
//! over by the workers still running. A step whose chunks can only be
//! written one at a time runs with one worker, and says why.

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, TestDb, incident_world as world, mendb_command, rows_as_text};

per_backend!(
    workers_and_processes_match_one_worker,
    a_killed_process_leaves_its_chunks_to_the_others,
    workers_that_would_only_wait_are_not_started,
);

/// The shipped on-chain restore with small chunks, written next to `db`;
/// `slow` makes every copied row take 10 ms (MariaDB and PostgreSQL), so a
/// kill finds chunks in the workers' hands.
fn small_plan(db: &TestDb, chunk: u64, slow: bool) -> String {
    let shipped = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("backfill-plans/restore-onchain-enhanced.toml"),
    )
    .unwrap();
    let small: String = shipped
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("chunk_size") {
                format!("chunk_size = {chunk}")
            } else if slow && l.trim() == "symbol = \"symbol\"" {
                "symbol = { mysql = \"CASE WHEN SLEEP(0.01) = 0 THEN symbol END\", \
                 postgres = \"CASE WHEN pg_sleep(0.01)::text = '' THEN symbol END\", \
                 sqlite = \"symbol\" }"
                    .to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = db.dir.join(if slow { "slow.toml" } else { "restore.toml" });
    std::fs::write(&path, small).unwrap();
    path.to_str().unwrap().to_string()
}

/// Every chunk once: no lease left, the chunk log's rows add up to the
/// rows the run wrote, and no (symbol, date) twice.
/// The enhanced table's content, sorted, without ids and times.
fn enhanced(db: &TestDb) -> Vec<String> {
    let cols = [
        "symbol",
        "date",
        "active_addresses",
        "transaction_volume",
        "exchange_netflow",
        "nvt_ratio",
        "mvrv_ratio",
    ];
    rows_as_text(db, "crypto_onchain_data_enhanced", &cols)
}

fn assert_each_chunk_once(db: &TestDb, before: i64) {
    assert_eq!(db.scalar("SELECT COUNT(*) FROM mendb_backfill_leases"), 0);
    let logged: i64 = db
        .query("SELECT rows_written FROM mendb_backfill_chunks")
        .iter()
        .map(|r| r[0].as_deref().unwrap().parse::<i64>().unwrap())
        .sum();
    let now = db.scalar("SELECT COUNT(*) FROM crypto_onchain_data_enhanced");
    assert_eq!(logged, now - before, "chunk log and table disagree");
    let numbers = db.scalar(
        "SELECT COUNT(*) FROM (SELECT run_id, step_index, chunk_no FROM mendb_backfill_chunks \
         GROUP BY run_id, step_index, chunk_no HAVING COUNT(*) > 1) d",
    );
    assert_eq!(numbers, 0, "a chunk was logged twice");
    let dupes = db.scalar(
        "SELECT COUNT(*) FROM (SELECT symbol, date FROM crypto_onchain_data_enhanced \
         GROUP BY symbol, date HAVING COUNT(*) > 1) d",
    );
    assert_eq!(dupes, 0);
}

fn spawn(db: &TestDb, args: &[&str]) -> Child {
    mendb_command(&db.url, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn workers_and_processes_match_one_worker(b: Backend) {
    let Some(one) = world(b, "par1") else {
        return;
    };
    let Some(four) = world(b, "par4") else {
        return;
    };
    let Some(two_procs) = world(b, "parp") else {
        return;
    };
    let before = one.scalar("SELECT COUNT(*) FROM crypto_onchain_data_enhanced");
    let plan = small_plan(&one, 100, false);
    one.mendb(&["-q", "backfill", "run", &plan]).succeeds();
    // Chunks kept small, so the workers take turns many times.
    let small = ["--chunk-target", "1ms"];
    four.mendb(&[
        "-q",
        "backfill",
        "run",
        &plan,
        "--workers",
        "4",
        small[0],
        small[1],
    ])
    .succeeds();
    let procs: Vec<Child> = (0..2)
        .map(|_| {
            let args = [
                "backfill",
                "run",
                &plan,
                "--workers",
                "2",
                small[0],
                small[1],
            ];
            spawn(&two_procs, &args)
        })
        .collect();
    for p in procs {
        let out = p.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let expected = enhanced(&one);
    assert!(expected.len() as i64 > before, "the plan wrote nothing");
    for db in [&four, &two_procs] {
        assert_eq!(
            enhanced(db),
            expected,
            "{:?} differs from one worker",
            db.backend
        );
        assert_each_chunk_once(db, before);
    }
    // The second process joined the first one's run instead of starting
    // its own. On SQLite, where writers take turns for the whole file, it
    // may get its turn only after the first has finished: its own run then
    // finds nothing left to write.
    let writing_runs =
        two_procs.scalar("SELECT COUNT(*) FROM mendb_backfill_runs WHERE rows_written > 0");
    assert_eq!(writing_runs, 1);
    if b != Backend::Sqlite {
        assert_eq!(
            two_procs.scalar("SELECT COUNT(*) FROM mendb_backfill_runs"),
            1
        );
    }
    // Chunks were really written by more than one worker.
    let chunks = four.scalar("SELECT COUNT(*) FROM mendb_backfill_chunks");
    assert!(chunks >= 20, "only {chunks} chunks");
    // A finished plan run again changes nothing.
    let again = four.mendb(&[
        "backfill",
        "run",
        &plan,
        "--workers",
        "4",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&again.succeeds().stdout).unwrap();
    assert_eq!(report["rows"], 0, "{report}");
}

fn a_killed_process_leaves_its_chunks_to_the_others(b: Backend) {
    let Some(clean) = world(b, "parclean") else {
        return;
    };
    let Some(db) = world(b, "parkill") else {
        return;
    };
    let before = db.scalar("SELECT COUNT(*) FROM crypto_onchain_data_enhanced");
    clean
        .mendb(&["-q", "backfill", "run", &small_plan(&clean, 100, false)])
        .succeeds();
    let plan = small_plan(&db, 100, true);
    let mut args = vec!["backfill", "run", plan.as_str(), "--chunk-target", "1s"];
    if b == Backend::Sqlite {
        // No sleep function: slow the workers down between chunks instead.
        args.extend(["--max-rows-per-sec", "30", "--sleep-ratio", "5"]);
    }
    let with = |workers: &'static str| {
        let mut a = args.clone();
        a.extend(["--workers", workers]);
        a
    };
    // Kill -9 a process of 4 workers, five times over. A killed worker's
    // chunk rolls back; its lease stays behind until someone takes it over.
    let mut kills = 0;
    let mut left_behind = 0;
    for wait in [700, 500, 900, 600, 800] {
        let mut child = spawn(&db, &with("4"));
        std::thread::sleep(Duration::from_millis(wait));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        left_behind += db.scalar("SELECT COUNT(*) FROM mendb_backfill_leases");
    }
    assert!(kills >= 4, "only {kills} kills landed mid-run");
    if b != Backend::Sqlite {
        assert!(left_behind > 0, "no kill left a lease behind");
    }
    let expected = enhanced(&clean).len();
    assert!(
        enhanced(&db).len() < expected,
        "the run finished before the last kills"
    );
    // Now two processes at once; one of them is killed, and the other
    // finishes the chunks it held.
    let survivor = spawn(&db, &with("2"));
    let mut victim = spawn(&db, &with("4"));
    std::thread::sleep(Duration::from_millis(700));
    if victim.try_wait().unwrap().is_none() {
        victim.kill().unwrap();
    }
    victim.wait().unwrap();
    let started = Instant::now();
    let out = survivor.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "the survivor waited for the dead worker's lease to expire"
    );
    assert_eq!(
        enhanced(&db),
        enhanced(&clean),
        "differs from an uninterrupted run"
    );
    assert_each_chunk_once(&db, before);
    let runs = db.scalar("SELECT COUNT(*) FROM mendb_backfill_runs WHERE status = 'finished'");
    assert_eq!(runs, 1, "the kills resumed one run");
}

/// Each step says whether its extra workers would only wait, and why, from
/// the server's own settings: the shipped plans' targets have an
/// AUTO_INCREMENT id (MariaDB), `price_data_real` has no unique key on
/// (symbol, timestamp), and SQLite writes one at a time.
fn workers_that_would_only_wait_are_not_started(b: Backend) {
    let Some(db) = world(b, "parone") else {
        return;
    };
    let mode = match b {
        Backend::Mysql => Some(db.scalar("SELECT @@innodb_autoinc_lock_mode")),
        _ => None,
    };
    let run = |plan: &str| {
        let run = db.mendb(&["backfill", "run", plan, "--workers", "3"]);
        run.succeeds();
        run.stderr.clone()
    };
    let fill = run("fill-price-gaps");
    let restore = run("restore-onchain-enhanced");
    let one = "1 instead of 3:";
    let auto_inc = |table: &str| {
        format!(
            "`{table}` has the AUTO_INCREMENT column `id` and innodb_autoinc_lock_mode is {}",
            mode.unwrap_or_default()
        )
    };
    match (b, mode) {
        (Backend::Mysql, Some(m)) if m < 2 => {
            for (stderr, step, table) in [
                (&fill, "price-data-old", "price_data_real"),
                (&fill, "ohlc-close", "price_data_real"),
                (
                    &restore,
                    "copy-missing-days",
                    "crypto_onchain_data_enhanced",
                ),
            ] {
                assert!(
                    stderr.contains(&format!("Workers {step}: {one} {}", auto_inc(table))),
                    "{stderr}"
                );
            }
        }
        (Backend::Sqlite, _) => {
            for stderr in [&fill, &restore] {
                assert!(
                    stderr.contains(&format!("{one} SQLite lets one connection write at a time")),
                    "{stderr}"
                );
            }
        }
        _ => {
            assert!(
                fill.contains(&format!(
                    "Workers price-data-old: {one} `price_data_real` has no unique key on the match columns"
                )),
                "{fill}"
            );
            // A unique key on the match columns, no AUTO-INC lock: every
            // worker writes.
            assert!(!restore.contains("Workers"), "{restore}");
        }
    }
}
