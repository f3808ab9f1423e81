//! The data-loss guard of `migrate down` and the destructive check of
//! `verify` on the incident world (scale 0.02), on all three databases:
//! names in down files are resolved as each database resolves them (case
//! folding, quoting, schema or database qualifiers), column renames of the
//! same revert are followed, and statements no pattern can see into stop
//! the revert like a loss does.

mod common;

use std::path::{Path, PathBuf};

use common::{Backend, TestDb, incident_world};

per_backend!(
    down_sees_names_as_the_database_does,
    unanalysed_statements_need_consent,
    verify_sees_the_same_names,
);

const DATA_LOSS: i32 = 8;
const VERIFY_FAILED: i32 = 13;

/// The project's migrations for `db`'s dialect, plus V5 with `up` and
/// `down`, in a folder of the test's own.
fn with_v5(db: &TestDb, up: &str, down: &str) -> PathBuf {
    let dialect = db.backend.dialect().dir_name();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    let root = db.dir.join("migrations");
    let to = root.join(dialect);
    std::fs::create_dir_all(&to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(to.join("V5__guard.sql"), up).unwrap();
    std::fs::write(to.join("V5__guard.down.sql"), down).unwrap();
    root
}

/// A second schema (PostgreSQL) or database (MySQL) holding its own
/// `ohlc_data` of three rows, and `prices` of two; dropped with the test (MySQL) or its
/// database (PostgreSQL). SQLite has none.
struct Elsewhere<'a> {
    db: &'a TestDb,
    name: String,
}

impl<'a> Elsewhere<'a> {
    fn new(db: &'a TestDb) -> Option<Elsewhere<'a>> {
        let name = match db.backend {
            Backend::Sqlite => return None,
            Backend::Postgres => "guard_archive".to_string(),
            Backend::Mysql => format!("{}_archive", db.name()),
        };
        let q = db.q(&name);
        match db.backend {
            Backend::Mysql => db.exec(&format!("CREATE DATABASE {q}")),
            _ => db.exec(&format!("CREATE SCHEMA {q}")),
        }
        db.exec(&format!(
            "CREATE TABLE {q}.ohlc_data (id INT); INSERT INTO {q}.ohlc_data VALUES (1), (2), (3); \
             CREATE TABLE {q}.prices (id INT); INSERT INTO {q}.prices VALUES (1), (2)"
        ));
        Some(Elsewhere { db, name })
    }
}

impl Drop for Elsewhere<'_> {
    fn drop(&mut self) {
        if self.db.backend == Backend::Mysql {
            self.db.exec(&format!(
                "DROP DATABASE IF EXISTS {}",
                self.db.q(&self.name)
            ));
        }
    }
}

/// MySQL's lower_case_table_names (0 elsewhere): whether `OHLC_DATA` is
/// `ohlc_data` there.
fn tables_fold(db: &TestDb) -> bool {
    db.backend == Backend::Mysql && db.scalar("SELECT @@lower_case_table_names") != 0
}

struct Counts {
    ohlc: i64,
    old: i64,
    volume: i64,
    market_cap: i64,
}

fn counts(db: &TestDb) -> Counts {
    Counts {
        ohlc: db.scalar("SELECT COUNT(*) FROM ohlc_data"),
        old: db.scalar("SELECT COUNT(*) FROM price_data_old"),
        volume: db.scalar("SELECT COUNT(volume) FROM price_data_old"),
        market_cap: db.scalar("SELECT COUNT(market_cap) FROM price_data_old"),
    }
}

/// One statement per line of the down file, each with what the guard must
/// say about that line (`None`: nothing).
fn down_lines(db: &TestDb, c: &Counts, elsewhere: Option<&str>) -> Vec<(String, Option<String>)> {
    let s = |sql: &str, says: Option<String>| (sql.to_string(), says);
    let volume = Some(format!(
        "drops column price_data_old.volume holding {} non-null value(s)",
        c.volume
    ));
    let market_cap = Some(format!(
        "drops column price_data_old.market_cap holding {} non-null value(s)",
        c.market_cap
    ));
    let ohlc = Some(format!("drops table ohlc_data holding {} row(s)", c.ohlc));
    let old = Some(format!(
        "drops table price_data_old holding {} row(s)",
        c.old
    ));
    let archive = elsewhere.map(|e| format!("drops table {e}.ohlc_data holding 3 row(s)"));
    let schema_drop = elsewhere.map(|e| format!("drops table {e}.prices holding 2 row(s)"));
    match db.backend {
        Backend::Postgres => vec![
            s("DROP TABLE guard_marker;", None),
            s(
                "ALTER TABLE PRICE_DATA_OLD RENAME COLUMN VOLUME TO \"Old_Volume\";",
                None,
            ),
            s(
                "ALTER TABLE price_data_old DROP COLUMN \"Old_Volume\";",
                volume,
            ),
            s(
                "ALTER TABLE Price_Data_Old DROP COLUMN MARKET_CAP;",
                market_cap,
            ),
            // Quoted, the upper-case name is another table, which does not exist.
            s("DROP TABLE IF EXISTS \"OHLC_DATA\";", None),
            s("DROP TABLE Guard_Archive.OHLC_DATA;", archive),
            s("DROP TABLE OHLC_DATA;", ohlc),
            s("DROP TABLE \"public\".\"price_data_old\";", old),
            // What is left of the other schema goes with it.
            s("DROP SCHEMA Guard_Archive CASCADE;", schema_drop),
            s(
                "DO $$ BEGIN EXECUTE 'SELECT 1'; END $$;",
                Some("not analysed (DO block): review by hand".into()),
            ),
        ],
        Backend::Mysql => {
            let fold = tables_fold(db);
            let archive_db = elsewhere.map(|e| db.q(e)).unwrap_or_default();
            vec![
                s("DROP TABLE guard_marker;", None),
                s(
                    "ALTER TABLE price_data_old RENAME COLUMN VOLUME TO Old_Volume;",
                    None,
                ),
                s("ALTER TABLE price_data_old DROP COLUMN OLD_VOLUME;", volume),
                s(
                    "ALTER TABLE `price_data_old` DROP COLUMN MARKET_CAP;",
                    market_cap,
                ),
                // With lower_case_table_names = 0 this is another table.
                s(
                    "DROP TABLE IF EXISTS OHLC_DATA;",
                    if fold { ohlc.clone() } else { None },
                ),
                (format!("DROP TABLE {archive_db}.ohlc_data;"), archive),
                // The server runs executable comments.
                s(
                    "/*!40000 DROP TABLE IF EXISTS `ohlc_data` */;",
                    if fold { None } else { ohlc },
                ),
                s("DROP TABLES `price_data_old`;", old),
                (format!("DROP DATABASE {archive_db};"), schema_drop),
                s("PREPARE guard_s FROM 'SELECT 1';", None),
                s(
                    "EXECUTE guard_s;",
                    Some("not analysed (dynamic SQL): review by hand".into()),
                ),
                s("DEALLOCATE PREPARE guard_s;", None),
            ]
        }
        Backend::Sqlite => vec![
            s("DROP TABLE guard_marker;", None),
            s(
                "ALTER TABLE price_data_old RENAME COLUMN VOLUME TO Old_Volume;",
                None,
            ),
            s(
                "ALTER TABLE [PRICE_DATA_OLD] DROP COLUMN 'OLD_VOLUME';",
                volume,
            ),
            s(
                "ALTER TABLE `Price_Data_Old` DROP COLUMN MARKET_CAP;",
                market_cap,
            ),
            // Temporary tables hold no lasting data.
            s("DROP TABLE IF EXISTS temp.ohlc_data;", None),
            s("DROP TABLE MAIN.OHLC_DATA;", ohlc),
            // Quoted or not, SQLite ignores ASCII case.
            s("DROP TABLE \"PRICE_DATA_OLD\";", old),
        ],
    }
}

fn down_sees_names_as_the_database_does(b: Backend) {
    let Some(db) = incident_world(b, "guard") else {
        return;
    };
    let elsewhere = Elsewhere::new(&db);
    let elsewhere_name = elsewhere.as_ref().map(|e| e.name.as_str());
    let before = counts(&db);
    assert!(before.ohlc > 0 && before.old > 0 && before.volume > 0 && before.market_cap > 0);
    let lines = down_lines(&db, &before, elsewhere_name);
    let down: String = lines.iter().map(|(sql, _)| format!("{sql}\n")).collect();
    let dir = with_v5(&db, "CREATE TABLE guard_marker (id INT);\n", &down);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();

    let refused = db.mendb_dir(&dir, &["migrate", "down"]);
    refused
        .fails_with(DATA_LOSS)
        .stderr_has("refusing to revert")
        .stderr_has("--allow-data-loss");
    for (i, (sql, says)) in lines.iter().enumerate() {
        let at = format!("V5__guard.down.sql:{}:", i + 1);
        match says {
            Some(says) => {
                refused.stderr_has(&format!("{at} {says}"));
            }
            None => assert!(
                !refused.stderr.contains(&at),
                "{sql} is no loss, but:\n{}",
                refused.stderr
            ),
        }
    }
    let after = counts(&db);
    assert_eq!(
        (after.ohlc, after.old, after.volume, after.market_cap),
        (before.ohlc, before.old, before.volume, before.market_cap),
        "a refused revert destroys nothing"
    );
    assert_eq!(db.history_versions(), [1, 2, 3, 4, 5]);

    // The JSON report carries the same items, the catalog's names and all.
    let dry = db.mendb_dir(&dir, &["migrate", "down", "--dry-run", "--format", "json"]);
    let report = dry.succeeds().json();
    let items = report["data_loss"]["items"].as_array().unwrap();
    let ohlc = items
        .iter()
        .find(|i| i["table"] == "ohlc_data" && i["schema"].is_null())
        .unwrap_or_else(|| panic!("{items:?}"));
    assert_eq!(ohlc["rows"], before.ohlc);
    if let Some(e) = elsewhere_name {
        assert!(
            items
                .iter()
                .any(|i| i["table"] == "ohlc_data" && i["schema"] == e && i["rows"] == 3),
            "{items:?}"
        );
    }
    let unanalysed = report["data_loss"]["not_analysed"].as_array().unwrap();
    assert_eq!(
        unanalysed.len(),
        usize::from(b != Backend::Sqlite),
        "{unanalysed:?}"
    );

    let done = db.mendb_dir(&dir, &["migrate", "down", "--allow-data-loss"]);
    done.succeeds()
        .stdout_has("Destroyed data:")
        .stdout_has("drops table ohlc_data");
    let schema = db.schema();
    assert!(!schema.tables.contains_key("ohlc_data"));
    assert!(!schema.tables.contains_key("price_data_old"));
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    drop(elsewhere);
}

/// Statements that cannot be analysed alone, so no loss is counted: a down
/// file of them still stops, and goes ahead with the flag or with the
/// file's reviewed marker.
fn unanalysed_statements_need_consent(b: Backend) {
    let Some(db) = TestDb::new(b, "unanalysed") else {
        return;
    };
    let (down, reason) = match b {
        Backend::Postgres => (
            "DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'guard_marker'); END $$;\n".to_string(),
            "DO block",
        ),
        Backend::Mysql => (
            "EXECUTE IMMEDIATE 'DROP TABLE guard_marker';\n".to_string(),
            "dynamic SQL",
        ),
        Backend::Sqlite => {
            let aux = db.dir.join("aux.db");
            (
                format!(
                    "DROP TABLE guard_marker;\nATTACH DATABASE '{}' AS aux;\nDROP TABLE IF EXISTS aux.t;\n",
                    aux.display()
                ),
                "a table of attached database aux",
            )
        }
    };
    let line = if b == Backend::Sqlite { 3 } else { 1 };
    let dir = with_v5(&db, "CREATE TABLE guard_marker (id INT);\n", &down);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    db.mendb_dir(&dir, &["migrate", "down"])
        .fails_with(DATA_LOSS)
        .stderr_has("refusing to revert: it runs statements the data-loss guard cannot analyse")
        .stderr_has(&format!(
            "V5__guard.down.sql:{line}: not analysed ({reason}): review by hand"
        ));
    assert_eq!(db.history_versions(), [1, 2, 3, 4, 5]);
    db.mendb_dir(&dir, &["migrate", "down", "--dry-run"])
        .succeeds()
        .stdout_has("The data-loss guard cannot tell what these statements destroy:")
        .stdout_has("A real run refuses unless given --allow-data-loss");

    // Reviewed, the file vouches for itself.
    let file = dir.join(b.dialect().dir_name()).join("V5__guard.down.sql");
    std::fs::write(
        &file,
        format!("-- mendb:allow-data-loss drops only the marker table\n{down}"),
    )
    .unwrap();
    db.mendb_dir(&dir, &["migrate", "down"])
        .succeeds()
        .stdout_has("Ran without analysis:")
        .stdout_has("(allowed by the file: drops only the marker table)");
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    assert!(!db.schema().tables.contains_key("guard_marker"));

    // Or the operator does, with the flag.
    std::fs::write(&file, &down).unwrap();
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    db.mendb_dir(&dir, &["migrate", "down", "--allow-data-loss"])
        .succeeds();
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
}

/// The pending up file's upper-case drops are counted by `verify` too,
/// and its dynamic SQL fails the destructive check until it is reviewed.
fn verify_sees_the_same_names(b: Backend) {
    let Some(db) = incident_world(b, "vguard") else {
        return;
    };
    let c = counts(&db);
    let (up, unanalysed) = match b {
        Backend::Postgres => (
            "ALTER TABLE PRICE_DATA_OLD DROP COLUMN MARKET_CAP;\nDROP TABLE OHLC_DATA;\nDO $$ BEGIN PERFORM 1; END $$;\n",
            Some("DO block"),
        ),
        Backend::Mysql if !tables_fold(&db) => (
            "ALTER TABLE price_data_old DROP COLUMN MARKET_CAP;\nDROP TABLE ohlc_data;\nCALL guard_proc();\n",
            Some("procedure call"),
        ),
        Backend::Mysql => (
            "ALTER TABLE price_data_old DROP COLUMN MARKET_CAP;\nDROP TABLE OHLC_DATA;\nCALL guard_proc();\n",
            Some("procedure call"),
        ),
        Backend::Sqlite => (
            "ALTER TABLE PRICE_DATA_OLD DROP COLUMN \"MARKET_CAP\";\nDROP TABLE [OHLC_DATA];\n",
            None,
        ),
    };
    let dir = with_v5(&db, up, "SELECT 1;\n");
    let run = db.mendb_dir(&dir, &["verify", "--allow-pending"]);
    run.fails_with(VERIFY_FAILED)
        .stdout_has("FAILED destructive V5__guard")
        .stdout_has(&format!(
            "V5__guard.sql:1: V5__guard drops column price_data_old.market_cap ({} non-null value(s) on the live database)",
            c.market_cap
        ))
        .stdout_has(&format!(
            "V5__guard.sql:2: V5__guard drops table ohlc_data ({} row(s) on the live database)",
            c.ohlc
        ));
    if let Some(reason) = unanalysed {
        run.stdout_has(&format!(
            "V5__guard.sql:3: V5__guard not analysed ({reason}): review by hand"
        ));
    }
    // The price-data-old collector's contract inserts market_cap, which
    // the projected schema no longer has.
    run.stdout_has("price-data-old-collector inserts price_data_old.market_cap, but the schema after pending V5__guard");
}
