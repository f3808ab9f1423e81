//! Different plans started at the same moment on a database without
//! backfill state: the state tables are created once, each run gets an id
//! of its own and keeps its own steps, processes of the same plan join one
//! run, and the tables end as an uninterrupted sequential run leaves them,
//! also when one of the processes is killed with SIGKILL and run again.

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::time::Duration;

use common::{Backend, ENHANCED, ML, TestDb, incident_world as world, mendb_command, rows_as_text};

per_backend!(
    ten_processes_of_three_plans_on_empty_state,
    two_plans_together_one_killed_and_rerun,
    runs_created_together_keep_their_own_ids_and_steps,
);

const PLANS: [(&str, &[&str]); 3] = [
    ("fill-price-gaps", &["price-data-old", "ohlc-close"]),
    ("restore-onchain-enhanced", &["copy-missing-days"]),
    ("refresh-ml-onchain-features", &["set-onchain-columns"]),
];

const STATE_TABLES: [&str; 5] = [
    "mendb_backfill_runs",
    "mendb_backfill_steps",
    "mendb_backfill_leases",
    "mendb_backfill_chunks",
    "mendb_backfill_controls",
];

const PRICES: [&str; 7] = [
    "symbol",
    "timestamp",
    "current_price",
    "close",
    "volume_24h",
    "market_cap",
    "data_source",
];

/// The incident world with no backfill state at all.
fn empty_state_world(b: Backend, tag: &str) -> Option<TestDb> {
    let db = world(b, tag)?;
    let schema = db.schema();
    for table in STATE_TABLES {
        assert!(
            !schema.tables.contains_key(table),
            "{table} exists before the first backfill"
        );
    }
    Some(db)
}

/// Drops the legacy collector's second copies of a sample (1 to 9 s after
/// it, a slightly different price). With several workers on one step,
/// which copy fills a grid point is decided by which chunk commits first
/// when the two fall into different chunks (docs/backfill-plans.md,
/// "Workers and leases"); without them every grid point has one right
/// answer, and the comparison with a sequential run can be exact.
fn drop_legacy_duplicates(db: &TestDb) {
    let sql = match db.backend {
        Backend::Mysql => {
            "DELETE d FROM price_data_old d JOIN price_data_old s ON s.symbol = d.symbol \
             AND s.timestamp < d.timestamp AND s.timestamp >= d.timestamp - INTERVAL 10 SECOND"
        }
        Backend::Postgres => {
            "DELETE FROM price_data_old d USING price_data_old s WHERE s.symbol = d.symbol \
             AND s.timestamp < d.timestamp AND s.timestamp >= d.timestamp - INTERVAL '10 seconds'"
        }
        Backend::Sqlite => {
            "DELETE FROM price_data_old WHERE EXISTS (SELECT 1 FROM price_data_old s \
             WHERE s.symbol = price_data_old.symbol AND s.timestamp < price_data_old.timestamp \
             AND s.timestamp >= datetime(price_data_old.timestamp, '-10 seconds'))"
        }
    };
    db.exec(sql);
    assert!(db.scalar("SELECT COUNT(*) FROM price_data_old") > 0);
}

/// The three targets' content, without ids and times.
fn targets(db: &TestDb) -> [(&'static str, Vec<String>); 3] {
    [
        (
            "price_data_real",
            rows_as_text(db, "price_data_real", &PRICES),
        ),
        (
            "crypto_onchain_data_enhanced",
            rows_as_text(db, "crypto_onchain_data_enhanced", &ENHANCED),
        ),
        (
            "ml_features_materialized",
            rows_as_text(db, "ml_features_materialized", &ML),
        ),
    ]
}

fn assert_same_targets(db: &TestDb, clean: &TestDb) {
    for ((table, got), (_, want)) in targets(db).into_iter().zip(targets(clean)) {
        assert_eq!(got.len(), want.len(), "{table}: row count differs");
        assert!(got == want, "{table} differs from a sequential run");
    }
}

fn run_sequentially(db: &TestDb, plans: &[&str]) {
    for plan in plans {
        db.mendb(&["-q", "backfill", "run", plan]).succeeds();
    }
}

fn spawn(db: &TestDb, args: &[&str]) -> Child {
    mendb_command(&db.url, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a process and returns its exit code and stderr.
fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_no_duplicate_key(what: &str, stderr: &str) {
    let lower = stderr.to_lowercase();
    assert!(
        !lower.contains("duplicate entry") && !lower.contains("duplicate key"),
        "{what}: {stderr}"
    );
}

fn shipped() -> BTreeMap<String, Vec<String>> {
    PLANS
        .iter()
        .map(|(p, steps)| (p.to_string(), steps.iter().map(|s| s.to_string()).collect()))
        .collect()
}

/// Every recorded run is finished and holds exactly its own plan's steps
/// (`plans`: plan name to step names), no lease is left, and no chunk
/// number was given twice. Returns the runs per plan.
fn assert_state_is_sound(
    db: &TestDb,
    plans: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<i64>> {
    let status = db.mendb(&["backfill", "status", "--format", "json"]);
    let runs = status.succeeds().json();
    let mut by_plan: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in runs.as_array().expect("an array of runs") {
        let plan = r["run"]["plan"].as_str().unwrap();
        let id = r["run"]["id"].as_i64().unwrap();
        let want = plans
            .get(plan)
            .unwrap_or_else(|| panic!("run {id} of an unknown plan {plan}"));
        let steps: Vec<(i64, &str)> = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["step_index"].as_i64().unwrap(),
                    s["step_name"].as_str().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(i64, &str)> = want
            .iter()
            .enumerate()
            .map(|(i, n)| (i as i64, n.as_str()))
            .collect();
        assert_eq!(steps, expected, "run {id} of {plan} has these steps: {r}");
        assert_eq!(r["run"]["status"], "finished", "run {id} of {plan}: {r}");
        by_plan.entry(plan.to_string()).or_default().push(id);
    }
    assert_eq!(db.scalar("SELECT COUNT(*) FROM mendb_backfill_leases"), 0);
    let twice = db.scalar(
        "SELECT COUNT(*) FROM (SELECT run_id, step_index, chunk_no FROM mendb_backfill_chunks \
         GROUP BY run_id, step_index, chunk_no HAVING COUNT(*) > 1) d",
    );
    assert_eq!(twice, 0, "a chunk number was logged twice");
    let stray = db.scalar(
        "SELECT COUNT(*) FROM mendb_backfill_steps s WHERE NOT EXISTS \
         (SELECT 1 FROM mendb_backfill_runs r WHERE r.id = s.run_id)",
    );
    assert_eq!(stray, 0, "steps of a run that does not exist");
    by_plan
}

fn ten_processes_of_three_plans_on_empty_state(b: Backend) {
    let Some(clean) = world(b, "conc_clean") else {
        return;
    };
    let Some(db) = empty_state_world(b, "conc10") else {
        return;
    };
    drop_legacy_duplicates(&clean);
    drop_legacy_duplicates(&db);
    let names: Vec<&str> = PLANS.iter().map(|(p, _)| *p).collect();
    run_sequentially(&clean, &names);

    // Four, three and three processes, interleaved and started together,
    // with the default chunk target. (With a small one, the four copies of
    // fill-price-gaps shrink their chunks to the floor: each counts its
    // waits for the others as chunk time.)
    let order = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
    let children: Vec<(&str, Child)> = order
        .iter()
        .map(|&i| {
            let plan = names[i];
            (plan, spawn(&db, &["backfill", "run", plan]))
        })
        .collect();
    for (plan, child) in children {
        let (code, stderr) = finish(child);
        assert_no_duplicate_key(plan, &stderr);
        assert_eq!(code, 0, "{plan} exited {code}: {stderr}");
    }
    let runs = assert_state_is_sound(&db, &shipped());
    for plan in &names {
        assert!(runs.contains_key(*plan), "no run of {plan}: {runs:?}");
    }
    if b != Backend::Sqlite {
        // A process of a plan joins the run another one is on. A process
        // that only got its turn after that run had finished starts a run
        // of its own, which finds nothing left to copy.
        for plan in ["fill-price-gaps", "restore-onchain-enhanced"] {
            let writing = db.scalar(&format!(
                "SELECT COUNT(*) FROM mendb_backfill_runs WHERE plan = '{plan}' AND rows_written > 0"
            ));
            assert_eq!(writing, 1, "{plan}: more than one run wrote rows");
        }
    }

    // The ML refresh reads what the on-chain restore writes, so some of
    // it ran before the rows it needs were there; the two copies finished
    // everything, and running them again writes nothing.
    for plan in &names {
        let again = db.mendb(&["backfill", "run", plan, "--format", "json"]);
        let report = again.succeeds().json();
        if *plan != "refresh-ml-onchain-features" {
            assert_eq!(report["rows"], 0, "{plan} again: {report}");
        }
    }
    assert_state_is_sound(&db, &shipped());
    assert_same_targets(&db, &clean);
}

fn two_plans_together_one_killed_and_rerun(b: Backend) {
    let Some(clean) = world(b, "concok") else {
        return;
    };
    let Some(db) = empty_state_world(b, "conckill") else {
        return;
    };
    run_sequentially(&clean, &["fill-price-gaps", "restore-onchain-enhanced"]);
    let before = db.scalar("SELECT COUNT(*) FROM crypto_onchain_data_enhanced");

    let fill = spawn(&db, &["backfill", "run", "fill-price-gaps"]);
    // Slowed down, so the kill finds it half-way.
    let slow = [
        "backfill",
        "run",
        "restore-onchain-enhanced",
        "--chunk-target",
        "20ms",
        "--max-rows-per-sec",
        "300",
        "--sleep-ratio",
        "20",
    ];
    let mut restore = spawn(&db, &slow);
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        restore.try_wait().unwrap().is_none(),
        "the restore finished before the kill: {:?}",
        finish(restore)
    );
    restore.kill().unwrap();
    restore.wait().unwrap();
    let (code, stderr) = finish(fill);
    assert_no_duplicate_key("fill-price-gaps", &stderr);
    assert_eq!(code, 0, "fill-price-gaps exited {code}: {stderr}");
    let written = db.scalar("SELECT COUNT(*) FROM crypto_onchain_data_enhanced");
    let want = clean.scalar("SELECT COUNT(*) FROM crypto_onchain_data_enhanced");
    assert!(written < want, "the kill landed after the last chunk");

    let status = db.mendb(&[
        "backfill",
        "status",
        "restore-onchain-enhanced",
        "--format",
        "json",
    ]);
    let killed = status.succeeds().json();
    assert_eq!(killed[0]["run"]["status"], "running", "{killed}");
    let killed_run = killed[0]["run"]["id"].as_i64().unwrap();

    let rerun = db.mendb(&[
        "backfill",
        "run",
        "restore-onchain-enhanced",
        "--format",
        "json",
    ]);
    assert_no_duplicate_key("rerun", &rerun.stderr);
    let report = rerun.succeeds().json();
    assert_eq!(report["resumed"], true, "{report}");
    assert_eq!(report["run_id"], killed_run, "{report}");
    // The step's rows count what the killed attempt committed too.
    assert_eq!(report["steps"][0]["rows"], want - before, "{report}");
    let runs = assert_state_is_sound(&db, &shipped());
    assert_eq!(runs["fill-price-gaps"].len(), 1, "{runs:?}");
    assert_eq!(runs["restore-onchain-enhanced"], vec![killed_run]);
    assert_same_targets(&db, &clean);
}

/// Three small plans of two steps each, started together round after
/// round: the runs are created at the same moment under three different
/// plans' locks, and each must get an id of its own.
fn runs_created_together_keep_their_own_ids_and_steps(b: Backend) {
    let Some(db) = TestDb::new(b, "concids") else {
        return;
    };
    db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
    let values: Vec<String> = (1..=60).map(|i| format!("({i}, {i})")).collect();
    db.exec(&format!(
        "INSERT INTO items (id, v) VALUES {}",
        values.join(", ")
    ));
    let mut plans = BTreeMap::new();
    let mut files = Vec::new();
    for name in ["touch-a", "touch-b", "touch-c"] {
        let steps: Vec<String> = (0..2).map(|i| format!("{name}-{i}")).collect();
        let mut text = format!("name = \"{name}\"\n");
        for step in &steps {
            let sql = "[\"UPDATE items SET v = v WHERE {chunk}\"]";
            text.push_str(&format!(
                "[[steps]]\nname = \"{step}\"\n[steps.batch]\ntable = \"items\"\nkey = [\"id\"]\nchunk_size = 20\n\
                 [steps.sql]\nmysql = {sql}\npostgres = {sql}\nsqlite = {sql}\n"
            ));
        }
        let path = db.dir.join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        files.push(path.to_str().unwrap().to_string());
        plans.insert(name.to_string(), steps);
    }
    let rounds = 12;
    for round in 0..rounds {
        let children: Vec<Child> = files
            .iter()
            .map(|f| spawn(&db, &["-q", "backfill", "run", f]))
            .collect();
        for (file, child) in files.iter().zip(children) {
            let (code, stderr) = finish(child);
            assert_no_duplicate_key(file, &stderr);
            assert_eq!(code, 0, "round {round}, {file} exited {code}: {stderr}");
        }
    }
    let runs = assert_state_is_sound(&db, &plans);
    for (plan, ids) in &runs {
        assert_eq!(ids.len(), rounds, "{plan}: {ids:?}");
    }
}
