//! kill -9 at random points: the on-chain plans resume and end with the
//! same tables as an uninterrupted run (row count and content), with no
//! duplicate. On MariaDB and SQLite as the issue asks, and PostgreSQL too.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{
    Backend, ENHANCED, ML, TestDb, incident_world as world, mendb_command, rows_as_text as content,
};

per_backend!(onchain_plans_survive_kill_9);

const FINISHED: &str = "SELECT COUNT(*) FROM mendb_backfill_runs WHERE status = 'finished'";

/// Finished runs of any plan; none before the first run made the tables.
fn finished_runs(db: &TestDb) -> i64 {
    match db.schema().tables.contains_key("mendb_backfill_runs") {
        true => db.scalar(FINISHED),
        false => 0,
    }
}

/// Starts the plan slowly and kills it with SIGKILL after each wait.
fn kill_repeatedly(db: &TestDb, plan: &str, waits_ms: &[u64]) -> usize {
    let args = [
        "backfill",
        "run",
        plan,
        // A target below any chunk's time keeps the chunks small: a killed
        // process leaves its next chunk claimed at the size it tuned, and
        // the next process takes that chunk over.
        "--chunk-target",
        "1ms",
        "--max-rows-per-sec",
        "300",
        "--sleep-ratio",
        "20",
    ];
    let finished = finished_runs(db);
    let mut killed = 0;
    for wait in waits_ms {
        let mut child = mendb_command(&db.url, &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(*wait));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // A kill after the run was marked finished, on the way out, is no
        // kill mid-run, and another start would begin a new run.
        if finished_runs(db) > finished {
            break;
        }
        killed += 1;
    }
    killed
}

fn onchain_plans_survive_kill_9(b: Backend) {
    let Some(clean) = world(b, "killref") else {
        return;
    };
    let Some(killed) = world(b, "killed") else {
        return;
    };
    for name in ["restore-onchain-enhanced", "refresh-ml-onchain-features"] {
        // The shipped plan with small chunks, so a small world still has
        // enough chunks for the kills to land between and inside them.
        let shipped = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("backfill-plans/{name}.toml")),
        )
        .unwrap();
        let small: String = shipped
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("chunk_size") {
                    "chunk_size = 300"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let path = killed.dir.join(format!("{name}.toml"));
        std::fs::write(&path, small).unwrap();
        let plan = path.to_str().unwrap();
        clean.mendb(&["-q", "backfill", "run", plan]).succeeds();
        let kills = kill_repeatedly(&killed, plan, &[400, 650, 500, 800, 550, 700]);
        assert!(kills >= 5, "{name}: only {kills} kills landed mid-run");
        killed.mendb(&["-q", "backfill", "run", plan]).succeeds();
    }
    assert_eq!(
        content(&killed, "crypto_onchain_data_enhanced", &ENHANCED),
        content(&clean, "crypto_onchain_data_enhanced", &ENHANCED),
        "enhanced table differs from an uninterrupted run"
    );
    assert_eq!(
        content(&killed, "ml_features_materialized", &ML),
        content(&clean, "ml_features_materialized", &ML),
        "ML features differ from an uninterrupted run"
    );
    let dupes = killed.scalar(
        "SELECT COUNT(*) FROM (SELECT symbol, date FROM crypto_onchain_data_enhanced GROUP BY symbol, date HAVING COUNT(*) > 1) d",
    );
    assert_eq!(dupes, 0);
    // The runs that were killed are visible and were resumed, not restarted.
    let runs = killed.scalar(FINISHED);
    assert_eq!(
        runs, 2,
        "one finished run per plan: the kills resumed the same run"
    );
}
