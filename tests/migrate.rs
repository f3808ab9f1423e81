//! The project's migrations and refinery's scenarios, through the mendb
//! binary, on SQLite, MariaDB and PostgreSQL.

mod common;

use common::{Backend, PRUNED, TestDb};

per_backend!(
    up_down_up_gives_the_same_schema,
    history_and_to_stop_where_asked,
    edited_applied_migration_is_refused,
    missing_applied_migration_is_refused,
    out_of_order_migration_is_refused,
    broken_migration_stops_at_the_last_good_one,
    close_and_current_price_writers_both_work_after_expand,
    pruning_is_reversible_and_breaks_nothing,
    down_refuses_to_drop_data_without_consent,
    baseline_adopts_an_existing_database,
    dry_run_writes_nothing,
    status_reports_every_version_as_json,
    baseline_checks_the_schema_before_it_trusts_it,
    baseline_of_an_identical_native_database_passes,
);

fn up_down_up_gives_the_same_schema(b: Backend) {
    let Some(db) = TestDb::new(b, "roundtrip") else {
        return;
    };
    db.mendb(&["migrate", "up"]).succeeds().stdout_has("to V4");
    let first = db.schema();
    assert_eq!(first.tables.len(), 20, "{:?}", first.tables.keys());
    db.mendb(&["migrate", "down", "--to", "0"]).succeeds();
    let empty = db.schema();
    let left: Vec<_> = empty
        .tables
        .keys()
        .chain(empty.views.keys())
        .filter(|t| !t.starts_with("sqlite_"))
        .collect();
    assert!(left.is_empty(), "down to 0 left {left:?}");
    assert!(empty.triggers.is_empty(), "{:?}", empty.triggers);
    db.mendb(&["migrate", "up"]).succeeds();
    let second = db.schema();
    assert_eq!(first, second, "schema after the second up differs");
}

fn history_and_to_stop_where_asked(b: Backend) {
    let Some(db) = TestDb::new(b, "history") else {
        return;
    };
    db.mendb(&["migrate", "up", "--to", "2"])
        .succeeds()
        .stderr_has("Applying V1 baseline ... ok")
        .stderr_has("Applying V2 reconcile_close_current_price ... ok");
    assert_eq!(db.history_versions(), [1, 2]);
    let names = db.query("SELECT name, checksum FROM refinery_schema_history ORDER BY version");
    assert_eq!(names[0][0].as_deref(), Some("baseline"));
    assert!(
        names[1][1]
            .as_deref()
            .is_some_and(|c| c.parse::<u64>().is_ok())
    );
    db.mendb(&["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    // Each applied exactly once.
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM mendb_migration_log WHERE direction = 'up' AND status = 'ok'"
        ),
        4
    );
    db.mendb(&["migrate", "up"])
        .succeeds()
        .stdout_has("Nothing to apply");
    db.mendb(&["migrate", "down", "--steps", "2"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
    db.mendb(&["migrate", "down"]).succeeds();
    assert_eq!(db.history_versions(), [1]);
}

const V1: &str = "CREATE TABLE a (id INTEGER PRIMARY KEY);\n";
const V1_DOWN: &str = "DROP TABLE a;\n";
const V2: &str = "CREATE TABLE b (id INTEGER PRIMARY KEY);\n";
const V2_DOWN: &str = "DROP TABLE b;\n";
const V3: &str = "CREATE TABLE c (id INTEGER PRIMARY KEY);\n";

fn small_set(db: &TestDb) -> std::path::PathBuf {
    db.migrations(&[
        ("V1__a.sql", V1),
        ("V1__a.down.sql", V1_DOWN),
        ("V2__b.sql", V2),
        ("V2__b.down.sql", V2_DOWN),
    ])
}

fn edited_applied_migration_is_refused(b: Backend) {
    let Some(db) = TestDb::new(b, "edited") else {
        return;
    };
    let dir = small_set(&db);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    db.migrations(&[
        (
            "V2__b.sql",
            "CREATE TABLE b (id INTEGER PRIMARY KEY, x INTEGER);\n",
        ),
        ("V3__c.sql", V3),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(5)
        .stderr_has("V2__b.sql: V2__b was edited after it was applied");
    assert_eq!(
        db.history_versions(),
        [1, 2],
        "nothing may run after the check fails"
    );
    db.mendb_dir(&dir, &["migrate", "status"])
        .succeeds()
        .stdout_has("changed");
    // Accepting the edit explicitly lets the run go on.
    db.mendb_dir(&dir, &["migrate", "repair", "--recompute-checksums"])
        .succeeds()
        .stdout_has("Recorded the current checksum of V2__b");
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2, 3]);
}

fn missing_applied_migration_is_refused(b: Backend) {
    let Some(db) = TestDb::new(b, "missing") else {
        return;
    };
    let dir = small_set(&db);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    let sub = dir.join(b.dialect().dir_name());
    std::fs::remove_file(sub.join("V2__b.sql")).unwrap();
    std::fs::remove_file(sub.join("V2__b.down.sql")).unwrap();
    db.migrations(&[("V3__c.sql", V3)]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(5)
        .stderr_has("V2__b is recorded as applied but")
        .stderr_has("has no V2__b.sql");
    assert_eq!(db.history_versions(), [1, 2]);
}

fn out_of_order_migration_is_refused(b: Backend) {
    let Some(db) = TestDb::new(b, "order") else {
        return;
    };
    let dir = db.migrations(&[("V1__a.sql", V1), ("V3__c.sql", V3)]);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    db.migrations(&[("V2__b.sql", V2)]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(5)
        .stderr_has("V2__b.sql: V2 is not applied but V3 already is");
    assert_eq!(db.history_versions(), [1, 3]);
}

fn broken_migration_stops_at_the_last_good_one(b: Backend) {
    let Some(db) = TestDb::new(b, "broken") else {
        return;
    };
    let dir = db.migrations(&[
        ("V1__a.sql", V1),
        ("V2__b.sql", V2),
        (
            "V3__broken.sql",
            "CREATE TABLE c (id INTEGER PRIMARY KEY);\nSELEKT nonsense;\n",
        ),
        ("V4__d.sql", "CREATE TABLE d (id INTEGER PRIMARY KEY);\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(7)
        .stderr_has("V3__broken.sql:2: V3__broken failed at statement 2")
        .stderr_has("Applying V3 broken ... FAILED");
    assert_eq!(db.history_versions(), [1, 2]);
    let tables = db.schema().tables;
    assert!(
        !tables.contains_key("d"),
        "nothing after the broken migration runs"
    );
    if b == Backend::Mysql {
        assert!(tables.contains_key("c"), "MariaDB DDL commits as it goes");
    } else {
        assert!(
            !tables.contains_key("c"),
            "the failed migration is rolled back"
        );
    }
}

fn close_and_current_price_writers_both_work_after_expand(b: Backend) {
    let Some(db) = TestDb::new(b, "expand") else {
        return;
    };
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    db.exec(
        "INSERT INTO price_data_real (symbol, timestamp, current_price) VALUES ('BTC', '2025-09-28 10:00:00', 109000.5)",
    );
    // The incident: the old writer names a column that does not exist yet.
    let db_conn_err = common::block_on(async {
        let mut c = db.connect_async().await;
        let r = c
            .execute_script("INSERT INTO price_data_real (symbol, timestamp, close) VALUES ('ETH', '2025-09-28 10:00:00', 4000)")
            .await;
        c.close().await;
        r
    });
    assert!(
        db_conn_err.is_err(),
        "at V1 an INSERT naming close must fail"
    );

    db.mendb(&["migrate", "up"]).succeeds();
    let read = |symbol: &str| {
        let rows = db.query(&format!(
            "SELECT {}, {} FROM price_data_real WHERE symbol = '{symbol}'",
            db.as_text("close"),
            db.as_text("current_price")
        ));
        assert_eq!(rows.len(), 1, "{symbol}");
        (rows[0][0].clone().unwrap(), rows[0][1].clone().unwrap())
    };
    let (close, current) = read("BTC");
    assert_eq!(close, current, "existing rows get close copied");
    assert!(current.starts_with("109000.5"), "{current}");

    db.exec("INSERT INTO price_data_real (symbol, timestamp, close) VALUES ('ETH', '2025-09-30 12:00:00', 4012.25)");
    db.exec("INSERT INTO price_data_real (symbol, timestamp, current_price) VALUES ('SOL', '2025-09-30 12:00:00', 210.75)");
    let (close, current) = read("ETH");
    assert_eq!(close, current);
    assert!(close.starts_with("4012.25"), "{close}");
    let (close, current) = read("SOL");
    assert_eq!(close, current);
    assert!(current.starts_with("210.75"), "{current}");

    db.exec("UPDATE price_data_real SET close = 4100.5 WHERE symbol = 'ETH'");
    let (close, current) = read("ETH");
    assert_eq!((close.as_str(), current.as_str()), ("4100.5", "4100.5"));
    db.exec("UPDATE price_data_real SET current_price = 220.25 WHERE symbol = 'SOL'");
    let (close, current) = read("SOL");
    assert_eq!((close.as_str(), current.as_str()), ("220.25", "220.25"));
}

/// One literal per column type, varying with `row`, for generic inserts.
fn literal(data_type: &str, column: &str, row: usize) -> String {
    let t = data_type.to_ascii_lowercase();
    let day = row + 1;
    if t.contains("bool") || t == "tinyint(1)" {
        "TRUE".into()
    } else if t.contains("int") {
        format!("{}", row + 1)
    } else if t.contains("double")
        || t.contains("real")
        || t.contains("float")
        || t.contains("numeric")
        || t.contains("decimal")
    {
        format!("{}.25", row + 7)
    } else if t == "date" || (t == "text" && column.ends_with("date")) {
        format!("'2025-09-{day:02}'")
    } else if t.contains("time")
        || (t == "text" && (column.ends_with("_at") || column.contains("timestamp")))
    {
        format!("'2025-09-{day:02} 12:34:56'")
    } else {
        format!("'{column}-{row}'")
    }
}

fn fill(db: &TestDb, table: &str, rows: usize) {
    let schema = db.schema();
    let columns: Vec<_> = schema.tables[table]
        .columns
        .iter()
        .filter(|c| c.name != "id")
        .collect();
    for row in 0..rows {
        let names: Vec<String> = columns.iter().map(|c| db.q(&c.name)).collect();
        let values: Vec<String> = columns
            .iter()
            .map(|c| literal(&c.data_type, &c.name, row))
            .collect();
        db.exec(&format!(
            "INSERT INTO {} ({}) VALUES ({})",
            db.q(table),
            names.join(", "),
            values.join(", ")
        ));
    }
}

fn pruning_is_reversible_and_breaks_nothing(b: Backend) {
    let Some(db) = TestDb::new(b, "prune") else {
        return;
    };
    db.mendb(&["migrate", "up", "--to", "2"]).succeeds();
    fill(&db, "crypto_assets", 2);
    fill(&db, "crypto_onchain_data", 2);
    for (i, table) in PRUNED.iter().enumerate() {
        fill(&db, table, i % 3);
    }
    let before: Vec<Vec<String>> = PRUNED.iter().map(|t| db.table_rows(t)).collect();
    let schema_before = db.schema();
    assert_eq!(schema_before.tables.len(), 48);

    db.mendb(&["migrate", "up", "--to", "3"]).succeeds();
    let after = db.schema();
    assert_eq!(after.tables.len(), 20);
    for t in PRUNED {
        assert!(!after.tables.contains_key(t), "{t} still there");
    }
    // Every remaining view still answers.
    assert!(after.views.contains_key("onchain_metrics"));
    for view in after.views.keys() {
        db.query(&format!("SELECT COUNT(*) FROM {}", db.q(view)));
    }
    assert_eq!(db.scalar("SELECT COUNT(*) FROM onchain_metrics"), 2);

    // Reverting V3 holds no data loss: the tables come back, rows and all.
    db.mendb(&["migrate", "down", "--to", "2"]).succeeds();
    let restored = db.schema();
    assert_eq!(restored, schema_before);
    for (t, rows) in PRUNED.iter().zip(&before) {
        assert_eq!(&db.table_rows(t), rows, "{t} rows differ after down");
    }
}

fn down_refuses_to_drop_data_without_consent(b: Backend) {
    let Some(db) = TestDb::new(b, "dataloss") else {
        return;
    };
    db.mendb(&["migrate", "up"]).succeeds();
    fill(&db, "price_data_old", 3);
    fill(&db, "price_data_real", 2);

    // V4 drops the provenance column, which now holds values.
    db.mendb(&["migrate", "down"])
        .fails_with(8)
        .stderr_has("refusing to revert")
        .stderr_has("drops column price_data_real.data_source holding 2 non-null value(s)")
        .stderr_has("--allow-data-loss");
    assert_eq!(
        db.history_versions(),
        [1, 2, 3, 4],
        "a refused down writes nothing"
    );

    // A dry run shows every loss instead of refusing.
    db.mendb(&["migrate", "down", "--to", "0", "--dry-run"])
        .succeeds()
        .stdout_has("drops table price_data_old holding 3 row(s)")
        .stdout_has("drops column price_data_real.close holding 2 non-null value(s) (allowed by the file: close only ever holds copies of current_price)")
        .stdout_has("A real run refuses unless given --allow-data-loss");

    db.mendb(&["migrate", "down", "--allow-data-loss"])
        .succeeds()
        .stdout_has("Destroyed data:")
        .stdout_has("price_data_real.data_source");
    assert!(
        !db.schema().tables["price_data_real"]
            .columns
            .iter()
            .any(|c| c.name == "data_source")
    );

    // V3 only renames; V2's down vouches for its loss in the file itself.
    db.mendb(&["migrate", "down", "--to", "1"])
        .succeeds()
        .stdout_has("allowed by the file");
    assert_eq!(db.history_versions(), [1]);
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM price_data_real WHERE current_price IS NOT NULL"),
        2
    );

    db.mendb(&["migrate", "down", "--to", "0"])
        .fails_with(8)
        .stderr_has("drops table price_data_old holding 3 row(s)")
        .stderr_has("drops table price_data_real holding 2 row(s)");
    assert_eq!(db.history_versions(), [1]);
    db.mendb(&["migrate", "down", "--to", "0", "--allow-data-loss"])
        .succeeds();
    assert!(db.history_versions().is_empty());
}

fn baseline_adopts_an_existing_database(b: Backend) {
    let Some(db) = TestDb::new(b, "baseline") else {
        return;
    };
    // A production database built before mendb: V1's schema, no history.
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    db.exec("DROP TABLE refinery_schema_history");
    db.exec("DROP TABLE mendb_migration_log");
    fill(&db, "price_data_real", 2);
    db.mendb(&["migrate", "baseline", "--to", "1"])
        .succeeds()
        .stdout_has("Baselined at V1");
    assert_eq!(db.history_versions(), [1]);
    db.mendb(&["migrate", "baseline", "--to", "1"])
        .fails_with(5)
        .stderr_has("already has migration history (latest V1)");
    db.mendb(&["migrate", "up"])
        .succeeds()
        .stderr_has("Applying V2");
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM price_data_real WHERE close = current_price"),
        2
    );
}

fn dry_run_writes_nothing(b: Backend) {
    let Some(db) = TestDb::new(b, "dryrun") else {
        return;
    };
    db.mendb(&["migrate", "up", "--dry-run"])
        .succeeds()
        .stdout_has("Dry run: would apply 4 migration(s)")
        .stdout_has("CREATE TABLE");
    assert!(db.schema().tables.is_empty());
    db.mendb(&["migrate", "up"]).succeeds();
    db.mendb(&["migrate", "down", "--to", "1", "--dry-run"])
        .succeeds()
        .stdout_has("would revert 3 migration(s)");
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
}

fn status_reports_every_version_as_json(b: Backend) {
    let Some(db) = TestDb::new(b, "status") else {
        return;
    };
    db.mendb(&["migrate", "up", "--to", "3"]).succeeds();
    let status = db
        .mendb(&["migrate", "status", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(status["current_version"], 3);
    assert_eq!(status["pending"], 1);
    let rows = status["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["state"], "applied");
    assert_eq!(rows[0]["checksum"], "ok");
    assert!(rows[0]["applied_on"].as_str().is_some());
    assert_eq!(rows[3]["state"], "pending");
    assert_eq!(rows[3]["name"], "backfill_support");
    let text = db.mendb(&["migrate", "status"]).succeeds().stdout.clone();
    assert!(text.contains("V4") && text.contains("pending"), "{text}");
}

fn baseline_checks_the_schema_before_it_trusts_it(b: Backend) {
    let Some(db) = TestDb::new(b, "baseline_check") else {
        return;
    };
    if !common::native_v1(&db) {
        return;
    }
    // A database one index short of V1 is refused, naming the index.
    let index = "idx_price_data_real_timestamp";
    let dropped = db.scalar(&format!(
        "SELECT COUNT(*) FROM {}",
        match b {
            Backend::Mysql => format!("information_schema.STATISTICS WHERE TABLE_SCHEMA = '{}' AND INDEX_NAME = '{index}'", db.name()),
            Backend::Postgres => format!("pg_indexes WHERE indexname = '{index}'"),
            Backend::Sqlite => format!("sqlite_master WHERE type = 'index' AND name = '{index}'"),
        }
    ));
    assert!(dropped > 0, "V1 has the index {index}");
    db.exec(&match b {
        Backend::Mysql => format!("DROP INDEX {index} ON price_data_real"),
        _ => format!("DROP INDEX {index}"),
    });
    let refused = db.mendb(&["migrate", "baseline", "--to", "1"]);
    refused
        .fails_with(9)
        .stderr_has(
            "refusing to baseline at V1: the live schema is not what the migrations up to V1 build",
        )
        .stderr_has(index)
        .stderr_has("mendb migrate baseline --to 1 --force");
    common::assert_no_history(&db, "a refused baseline");
    let internal = db.query(&match b {
        Backend::Mysql => format!("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME LIKE 'mendb%'", db.name()),
        Backend::Postgres => "SELECT tablename FROM pg_tables WHERE tablename LIKE 'mendb%'".to_string(),
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE name LIKE 'mendb%'".to_string(),
    });
    assert!(
        internal.is_empty(),
        "a refused baseline writes nothing: {internal:?}"
    );
    // The message's way out, as written (with a reason in place of <why>).
    db.mendb(&[
        "migrate",
        "baseline",
        "--to",
        "1",
        "--force",
        "index dropped on purpose",
    ])
    .succeeds()
    .stdout_has("Forced (index dropped on purpose)")
    .stdout_has(index);
    assert_eq!(db.history_versions(), [1]);
    let note = db.query("SELECT note FROM mendb_migration_log WHERE status = 'baselined'");
    let note = note[0][0].as_deref().unwrap_or_default().to_string();
    assert!(
        note.contains("index dropped on purpose") && note.contains(index),
        "{note}"
    );
}

fn baseline_of_an_identical_native_database_passes(b: Backend) {
    let Some(db) = TestDb::new(b, "baseline_native") else {
        return;
    };
    if !common::native_v1(&db) {
        return;
    }
    db.mendb(&["migrate", "baseline", "--to", "1"])
        .succeeds()
        .stdout_has("The live schema is what the migrations up to V1 build");
    db.mendb(&["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    // An empty database is not V1.
    let Some(empty) = TestDb::new(b, "baseline_empty") else {
        return;
    };
    // `--version`, the older spelling of `--to`, still works.
    empty
        .mendb(&["migrate", "baseline", "--version", "1"])
        .fails_with(9)
        .stderr_has("only in the migrations up to V1");
}
