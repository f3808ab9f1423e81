//! Failures and resumes of migrations that leave work committed (MySQL/
//! MariaDB): no committed statement runs twice, the count never goes
//! backwards, statements in doubt are shown as such, and every command an
//! error message suggests works when followed literally. Plus what a file
//! may do to its own session without reaching mendb's bookkeeping, on
//! MariaDB and PostgreSQL.

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, Run, TestDb, mendb_command};

fn mariadb(tag: &str) -> Option<TestDb> {
    TestDb::new(Backend::Mysql, tag)
}

/// The suggested commands in an error message, in order.
fn suggested(stderr: &str) -> Vec<String> {
    stderr
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("mendb "))
        .map(str::to_string)
        .collect()
}

/// Runs a command an error message suggested, word for word.
fn follow(db: &TestDb, dir: &std::path::Path, command: &str) -> Run {
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    db.mendb_dir(dir, &words)
}

const BASE: &str = "CREATE TABLE prices (id INT PRIMARY KEY, price DOUBLE);\nINSERT INTO prices VALUES (1, 2.5), (2, 4.0);\n";

#[test]
fn a_resumed_attempt_that_fails_at_once_keeps_the_count() {
    let Some(db) = mariadb("resume_count") else {
        return;
    };
    let broken = "CREATE TABLE audit (id INT);\nUPDATE prices SET price = price * 100;\nINSERT INTO nowhere VALUES (1);\nCREATE TABLE done_marker (id INT);\n";
    let dir = db.migrations(&[
        ("V1__base.sql", BASE),
        ("V1__base.down.sql", "DROP TABLE prices;\n"),
        ("V2__scale.sql", broken),
        ("V2__scale.down.sql", "DROP TABLE audit;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(7)
        .stderr_has("V2__scale.sql:3: V2__scale failed at statement 3")
        .stderr_has("statements 1 to 2 of this migration stay committed");
    // The user repairs without fixing the file: the resumed attempt fails
    // at its first statement, and must not forget what committed before.
    db.mendb_dir(&dir, &["migrate", "repair"]).succeeds();
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(7)
        .stderr_has("failed at statement 3")
        .stderr_has("statements 1 to 2 of this migration stay committed");
    let status = db
        .mendb_dir(&dir, &["migrate", "status", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(status["dirty"][0]["statements_done"], 2, "{status}");
    db.migrations(&[(
        "V2__scale.sql",
        &broken.replace(
            "INSERT INTO nowhere VALUES (1);",
            "INSERT INTO audit VALUES (1);",
        ),
    )]);
    db.mendb_dir(&dir, &["migrate", "repair"])
        .succeeds()
        .stdout_has("resumes after statement 2 of 4");
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    // Multiplied once, not once per attempt.
    assert_eq!(
        db.query("SELECT CAST(price AS CHAR) FROM prices ORDER BY id"),
        [[Some("250".to_string())], [Some("400".to_string())]]
    );
    assert_eq!(db.history_versions(), [1, 2]);
}

#[test]
fn edited_committed_statements_are_refused_by_repair_naming_rerun() {
    let Some(db) = mariadb("resume_edit") else {
        return;
    };
    let broken =
        "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\nINSERT INTO nowhere VALUES (1);\n";
    let dir = db.migrations(&[
        ("V1__base.sql", BASE),
        ("V1__base.down.sql", "DROP TABLE prices;\n"),
        ("V2__two.sql", broken),
        ("V2__two.down.sql", "DROP TABLE b;\nDROP TABLE a;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"]).fails_with(7);
    // The user edits a statement that already committed, and fixes the
    // failing one.
    let edited =
        "CREATE TABLE a (id BIGINT);\nCREATE TABLE b (id INT);\nCREATE TABLE c (id INT);\n";
    db.migrations(&[("V2__two.sql", edited)]);
    let refused = db.mendb_dir(&dir, &["migrate", "repair"]);
    refused
        .fails_with(6)
        .stderr_has("they have been edited in")
        .stderr_has("`mendb migrate repair --restart`");
    // Nothing was cleared: up still refuses, and says the same.
    db.mendb_dir(&dir, &["migrate", "up"]).fails_with(6);
    // First suggested path: restore the committed statements.
    db.migrations(&[(
        "V2__two.sql",
        "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\nCREATE TABLE c (id INT);\n",
    )]);
    db.mendb_dir(&dir, &["migrate", "repair"])
        .succeeds()
        .stdout_has("resumes after statement 2 of 3");
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
}

#[test]
fn rerun_after_undoing_by_hand_starts_over() {
    let Some(db) = mariadb("resume_rerun") else {
        return;
    };
    let broken = "CREATE TABLE a (id INT);\nINSERT INTO nowhere VALUES (1);\n";
    let dir = db.migrations(&[
        ("V1__base.sql", BASE),
        ("V1__base.down.sql", "DROP TABLE prices;\n"),
        ("V2__two.sql", broken),
        ("V2__two.down.sql", "DROP TABLE a;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"]).fails_with(7);
    let dirty = db.mendb_dir(&dir, &["migrate", "up"]);
    dirty.fails_with(6);
    let commands = suggested(&dirty.stderr);
    assert_eq!(
        commands,
        ["mendb migrate repair", "mendb migrate repair --restart"],
        "{}",
        dirty.stderr
    );
    // The second path, literally: undo by hand, rerun.
    db.exec("DROP TABLE a");
    db.migrations(&[(
        "V2__two.sql",
        "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n",
    )]);
    follow(&db, &dir, &commands[1])
        .succeeds()
        .stdout_has("starts it over at statement 1");
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
}

/// Starts `mendb migrate up` in the background.
fn spawn_up(db: &TestDb, dir: &std::path::Path) -> Child {
    mendb_command(
        &db.url,
        &["migrate", "up", "--migrations", dir.to_str().unwrap()],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("spawn mendb")
}

/// Waits until the server runs a statement whose text contains `needle`.
fn wait_for_statement(db: &TestDb, needle: &str) -> i64 {
    let started = Instant::now();
    loop {
        let rows = db.query(&format!(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '{}' AND INFO LIKE '%{needle}%' AND INFO NOT LIKE '%PROCESSLIST%'",
            db.name()
        ));
        if let Some(id) = rows.first().and_then(|r| r[0].as_deref()) {
            return id.parse().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "statement `{needle}` never ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_kill_during_a_statement_leaves_it_in_doubt_and_applied_resumes_after_it() {
    let Some(db) = mariadb("resume_doubt") else {
        return;
    };
    let dir = db.migrations(&[
        ("V1__base.sql", BASE),
        ("V1__base.down.sql", "DROP TABLE prices;\n"),
        (
            "V2__scale.sql",
            "CREATE TABLE first_t (id INT);\nUPDATE prices SET price = price * 10;\nCREATE TABLE last_t (id INT);\n",
        ),
        ("V2__scale.down.sql", "DROP TABLE last_t;\nDROP TABLE first_t;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up", "--to", "1"])
        .succeeds();
    // Another transaction holds the rows, so statement 2 waits on the
    // server, and goes on waiting after its client is killed.
    let (locked_tx, locked) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let url = db.url.clone();
    let locker = std::thread::spawn(move || {
        common::block_on(async {
            let url = mendb::db::DbUrl::parse(&url).unwrap();
            let mut conn = mendb::db::Db::connect(&url, Duration::ZERO).await.unwrap();
            conn.execute_script("BEGIN").await.unwrap();
            conn.execute_script("SELECT id FROM prices FOR UPDATE")
                .await
                .unwrap();
            locked_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            conn.execute_script("COMMIT").await.unwrap();
            conn.close().await;
        })
    });
    locked.recv().unwrap();
    let mut child = spawn_up(&db, &dir);
    wait_for_statement(&db, "UPDATE prices SET price");
    child.kill().unwrap();
    child.wait().unwrap();
    db.mendb_dir(&dir, &["migrate", "status"])
        .succeeds()
        .stdout_has("1 of 3 statements committed; statement 2 in doubt")
        .stdout_has("still running on the server in connection");
    let refused = db.mendb_dir(&dir, &["migrate", "up"]);
    refused
        .fails_with(6)
        .stderr_has("statement 2 (")
        .stderr_has("V2__scale.sql:2) in doubt")
        .stderr_has("the server is still running it in connection");
    let commands = suggested(&refused.stderr);
    assert!(commands[0].starts_with("mendb migrate repair") || commands[0].starts_with("KILL"));
    // Too early to tell: even a decided user is refused.
    db.mendb_dir(&dir, &["migrate", "repair", "--in-doubt", "not-applied"])
        .fails_with(6)
        .stderr_has("the server is still running it in connection");
    // The other transaction ends; the orphaned statement goes through.
    release.send(()).unwrap();
    locker.join().unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    let refused = loop {
        let run = db.mendb_dir(&dir, &["migrate", "up"]);
        if !run.stderr.contains("still running") {
            break run;
        }
        assert!(Instant::now() < until, "the statement never ended");
        std::thread::sleep(Duration::from_millis(50));
    };
    refused.fails_with(6).stderr_has("in doubt");
    let commands = suggested(&refused.stderr);
    assert_eq!(
        commands,
        [
            "mendb migrate repair --in-doubt applied",
            "mendb migrate repair --in-doubt not-applied",
            "mendb migrate repair --restart"
        ],
        "{}",
        refused.stderr
    );
    // Plain repair would be a guess: refused, with the same choices.
    db.mendb_dir(&dir, &["migrate", "repair"])
        .fails_with(6)
        .stderr_has("in doubt");
    // The prices moved, so it took effect: the first path, literally.
    assert_eq!(
        db.query("SELECT CAST(price AS CHAR) FROM prices ORDER BY id"),
        [[Some("25".to_string())], [Some("40".to_string())]]
    );
    follow(&db, &dir, &commands[0])
        .succeeds()
        .stdout_has("resumes after statement 2 of 3");
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
    // Multiplied once.
    assert_eq!(
        db.query("SELECT CAST(price AS CHAR) FROM prices ORDER BY id"),
        [[Some("25".to_string())], [Some("40".to_string())]]
    );
}

#[test]
fn a_connection_killed_on_the_server_names_the_file_and_the_doubt() {
    let Some(db) = mariadb("resume_killconn") else {
        return;
    };
    let slow = "CREATE TABLE first_t (id INT);\nDO SLEEP(5);\nCREATE TABLE last_t (id INT);\n";
    let dir = db.migrations(&[
        ("V1__base.sql", BASE),
        ("V1__base.down.sql", "DROP TABLE prices;\n"),
        ("V2__slow.sql", slow),
        (
            "V2__slow.down.sql",
            "DROP TABLE last_t;\nDROP TABLE first_t;\n",
        ),
    ]);
    db.mendb_dir(&dir, &["migrate", "up", "--to", "1"])
        .succeeds();
    let child = mendb_command(
        &db.url,
        &["migrate", "up", "--migrations", dir.to_str().unwrap()],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let id = wait_for_statement(&db, "DO SLEEP(5)");
    db.exec(&format!("KILL {id}"));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(
        stderr.contains("V2__slow.sql:2: V2__slow failed at statement 2"),
        "{stderr}"
    );
    assert!(stderr.contains("in doubt"), "{stderr}");
    db.mendb_dir(&dir, &["migrate", "status"])
        .succeeds()
        .stdout_has("statement 2 in doubt");
    // `DO SLEEP` changes nothing, so it did not take effect.
    db.mendb_dir(&dir, &["migrate", "repair", "--in-doubt", "not-applied"])
        .succeeds()
        .stdout_has("resumes after statement 1 of 3");
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
}

#[test]
fn in_doubt_without_doubt_is_refused() {
    let Some(db) = mariadb("resume_nodoubt") else {
        return;
    };
    let dir = db.migrations(&[
        (
            "V1__a.sql",
            "CREATE TABLE a (id INT);\nINSERT INTO nowhere VALUES (1);\n",
        ),
        ("V1__a.down.sql", "DROP TABLE a;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "repair", "--in-doubt", "applied"])
        .fails_with(6)
        .stderr_has("no migration is dirty");
    db.mendb_dir(&dir, &["migrate", "up"]).fails_with(7);
    db.mendb_dir(&dir, &["migrate", "repair", "--in-doubt", "applied"])
        .fails_with(6)
        .stderr_has(
            "V1__a has no statement in doubt; run `mendb migrate repair` without --in-doubt",
        );
}

/// One statement of the 50-statement migration, with what it leaves
/// behind so a test can tell whether it took effect.
#[derive(Debug, Clone, Copy)]
enum Effect {
    /// INSERT INTO ran VALUES (i)
    Mark(i64),
    /// CREATE TABLE t<i>
    Create(i64),
    /// ALTER TABLE ran COMMENT = 'after <i>'
    Comment(i64),
    /// UPDATE acc SET n = n + 1, leaving n at this value
    Bump(i64),
}

/// 50 marks written by 80 statements: DDL and DML mixed.
fn fifty() -> (String, Vec<Effect>) {
    let mut sql = String::new();
    let mut effects = Vec::new();
    let mut bumps = 0;
    for i in 1..=50 {
        match i % 5 {
            0 => {
                sql += &format!("CREATE TABLE t{i} (id INT);\n");
                effects.push(Effect::Create(i));
            }
            2 => {
                sql += &format!("ALTER TABLE ran COMMENT = 'after {i}';\n");
                effects.push(Effect::Comment(i));
            }
            3 => {
                bumps += 1;
                sql += "UPDATE acc SET n = n + 1;\n";
                effects.push(Effect::Bump(bumps));
            }
            _ => {}
        }
        // Slow enough that kills land inside statements as well as
        // between them.
        sql += &format!("INSERT INTO ran SELECT {i} FROM (SELECT SLEEP(0.1)) s;\n");
        effects.push(Effect::Mark(i));
    }
    (sql, effects)
}

fn marks(db: &TestDb) -> Vec<i64> {
    db.query("SELECT stmt FROM ran ORDER BY stmt")
        .into_iter()
        .map(|r| r[0].as_deref().unwrap().parse().unwrap())
        .collect()
}

/// Whether a statement's effect is in the database.
fn took_effect(db: &TestDb, effect: Effect) -> bool {
    match effect {
        Effect::Mark(i) => marks(db).contains(&i),
        Effect::Create(i) => !db
            .query(&format!(
                "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 't{i}'",
                db.name()
            ))
            .is_empty(),
        Effect::Comment(i) => db.query(&format!(
            "SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'ran'",
            db.name()
        ))[0][0]
            .as_deref()
            == Some(&format!("after {i}")),
        Effect::Bump(n) => db.scalar("SELECT n FROM acc") >= n,
    }
}

#[test]
fn kill_at_random_points_never_runs_a_statement_twice() {
    let Some(db) = mariadb("resume_kills") else {
        return;
    };
    let (sql, effects) = fifty();
    let dir = db.migrations(&[
        (
            "V1__base.sql",
            "CREATE TABLE ran (stmt INT PRIMARY KEY);\nCREATE TABLE acc (n INT);\nINSERT INTO acc VALUES (0);\n",
        ),
        ("V1__base.down.sql", "DROP TABLE acc;\nDROP TABLE ran;\n"),
        ("V2__fifty.sql", &sql),
        ("V2__fifty.down.sql", "SELECT 1;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up", "--to", "1"])
        .succeeds();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id());
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut kills, mut in_doubt, mut rounds) = (0, 0, 0);
    loop {
        rounds += 1;
        assert!(rounds < 400, "never finished");
        let status = db
            .mendb_dir(&dir, &["migrate", "status", "--format", "json"])
            .succeeds()
            .json();
        if let Some(dirty) = status["dirty"].as_array().and_then(|d| d.first()) {
            let done = dirty["statements_done"].as_i64().unwrap() as usize;
            let started = dirty["statement_started"].as_i64().unwrap() as usize;
            // Status tells the truth: what it calls committed is there, and
            // nothing after what it calls sent ran.
            let marks_now = marks(&db);
            let log = db.query("SELECT id, status, statements_done, statement_started, error FROM mendb_migration_log ORDER BY id");
            for (k, e) in effects.iter().enumerate() {
                if let Effect::Mark(i) = e {
                    let there = marks_now.contains(i);
                    assert!(
                        there || k >= done,
                        "round {rounds}: statement {} counted as committed but mark {i} is missing",
                        k + 1
                    );
                    assert!(
                        !there || k < started,
                        "round {rounds}: statement {} ran although status says only {started} were sent; log: {log:?}",
                        k + 1
                    );
                }
            }
            if started > done && dirty["still_running"] == true {
                // The killed client's statement is still running on the
                // server: nobody can know yet whether it takes effect.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            if started > done {
                in_doubt += 1;
                assert_eq!(started, done + 1, "one statement at a time is in doubt");
                let word = if took_effect(&db, effects[started - 1]) {
                    "applied"
                } else {
                    "not-applied"
                };
                db.mendb_dir(&dir, &["migrate", "repair", "--in-doubt", word])
                    .succeeds();
            } else {
                db.mendb_dir(&dir, &["migrate", "repair"]).succeeds();
            }
        } else if db.history_versions() == [1, 2] {
            break;
        }
        if kills < 20 {
            let mut child = spawn_up(&db, &dir);
            std::thread::sleep(Duration::from_millis(30 + next() % 400));
            if child.try_wait().unwrap().is_none() {
                kills += 1;
            }
            let _ = child.kill();
            child.wait().unwrap();
        } else {
            db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
        }
    }
    assert_eq!(
        marks(&db),
        (1..=50).collect::<Vec<i64>>(),
        "every mark exactly once"
    );
    assert_eq!(db.scalar("SELECT n FROM acc"), 10, "each UPDATE ran once");
    assert!(kills >= 10, "only {kills} kills landed mid-run");
    eprintln!("{kills} kills, {in_doubt} left a statement in doubt, {rounds} rounds");
}

#[test]
fn a_file_ending_inside_its_own_transaction_is_refused() {
    let Some(db) = mariadb("resume_opentx") else {
        return;
    };
    let dir = db.migrations(&[
        ("V1__base.sql", BASE),
        ("V1__base.down.sql", "DROP TABLE prices;\n"),
        (
            "V2__open.sql",
            "SET autocommit = 0;\nUPDATE prices SET price = 0;\n",
        ),
        ("V2__open.down.sql", "SELECT 1;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(7)
        .stderr_has("V2__open.sql:2: V2__open failed at statement 2")
        .stderr_has("ends inside a transaction");
    // The update was never committed, as under the mariadb client.
    assert_eq!(db.scalar("SELECT COUNT(*) FROM prices WHERE price = 0"), 0);
    assert_eq!(db.history_versions(), [1]);
}

#[test]
fn a_files_session_settings_do_not_reach_bookkeeping() {
    for b in [Backend::Mysql, Backend::Postgres] {
        let Some(db) = TestDb::new(b, "resume_session") else {
            continue;
        };
        let hostile = match b {
            Backend::Mysql => {
                "SET SESSION sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES';\nSET time_zone = '+05:00';\nSET NAMES latin1;\nSET autocommit = 0;\nCREATE TABLE t (id INT);\n"
            }
            _ => {
                "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET lock_timeout = '1ms';\nCREATE TABLE public.t (id integer);\nSET statement_timeout = '1ms';\n"
            }
        };
        let dir = db.migrations(&[
            ("V1__dump_header.sql", hostile),
            ("V1__dump_header.down.sql", "DROP TABLE t;\n"),
            ("V2__next.sql", "CREATE TABLE t2 (id INT);\n"),
            ("V2__next.down.sql", "DROP TABLE t2;\n"),
        ]);
        db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
        assert_eq!(db.history_versions(), [1, 2], "{b:?}");
        db.mendb_dir(&dir, &["migrate", "down", "--to", "0"])
            .succeeds();
        assert!(db.history_versions().is_empty(), "{b:?}");
    }
}

#[test]
fn migrations_run_under_the_servers_session_defaults() {
    let Some(db) = mariadb("resume_defaults") else {
        return;
    };
    let dir = db.migrations(&[
        (
            "V1__modes.sql",
            "CREATE TABLE modes AS SELECT @@SESSION.sql_mode AS m, @@SESSION.time_zone AS tz, @@collation_connection AS c, 1 || 0 AS pipes;\n",
        ),
        ("V1__modes.down.sql", "DROP TABLE modes;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    let expected = db
        .query("SELECT @@GLOBAL.sql_mode, @@GLOBAL.time_zone, @@GLOBAL.collation_connection, '1'");
    let got = db.query("SELECT m, tz, c, CAST(pipes AS CHAR) FROM modes");
    assert_eq!(
        got, expected,
        "`1 || 0` is OR under the server's default mode"
    );
}

#[test]
fn postgres_migrations_get_the_session_psql_gets() {
    let Some(db) = TestDb::new(Backend::Postgres, "resume_pgsession") else {
        return;
    };
    let probe = "SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds, \
                 current_setting('IntervalStyle') AS iv, current_setting('extra_float_digits') AS efd";
    let dir = db.migrations(&[
        (
            "V1__settings.sql",
            &format!("CREATE TABLE settings AS {probe};\n"),
        ),
        ("V1__settings.down.sql", "DROP TABLE settings;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    let got = db.query("SELECT tz, ds, iv, efd FROM settings");
    // The oracle: what psql's own session says.
    let Some((base, name)) = db.url.rsplit_once('/') else {
        panic!("url {}", db.url);
    };
    let out = std::process::Command::new("psql")
        .arg(format!("{base}/{name}"))
        .args(["-X", "-qtA", "-F", "\t", "-c", probe])
        .output();
    let Ok(out) = out else {
        eprintln!("SKIPPED: psql is not installed");
        return;
    };
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let want: Vec<Option<String>> = line.split('\t').map(|s| Some(s.to_string())).collect();
    assert_eq!(got, [want], "psql says: {line}");
}

#[test]
fn a_postgres_file_marked_no_transaction_runs_like_psql_and_repairs_like_mysql() {
    let Some(db) = TestDb::new(Backend::Postgres, "resume_notx") else {
        return;
    };
    let concurrently = "CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n";
    let dir = db.migrations(&[
        ("V1__index.sql", concurrently),
        ("V1__index.down.sql", "DROP TABLE t;\n"),
    ]);
    // In mendb's transaction PostgreSQL refuses it, as it would psql's
    // --single-transaction.
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(7)
        .stderr_has("V1__index.sql:2: V1__index failed at statement 2")
        .stderr_has("cannot run inside a transaction block")
        .stderr_has("nothing of it was applied");
    let marked = format!("-- mendb:no-transaction\n{concurrently}");
    db.migrations(&[("V1__index.sql", &marked)]);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1]);
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 't_a'"),
        1
    );
    // Statement by statement, a failure leaves the first ones committed:
    // dirty, and repaired the way MySQL migrations are.
    let broken = "-- mendb:no-transaction\nCREATE TABLE u (a int);\nINSERT INTO nowhere VALUES (1);\nCREATE TABLE w (a int);\n";
    db.migrations(&[
        ("V2__two.sql", broken),
        ("V2__two.down.sql", "DROP TABLE w;\nDROP TABLE u;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(7)
        .stderr_has("statements 1 to 1 of this migration stay committed");
    let dirty = db.mendb_dir(&dir, &["migrate", "up"]);
    dirty.fails_with(6).stderr_has("stopped at statement 2 (");
    db.mendb_dir(&dir, &["migrate", "status"])
        .succeeds()
        .stdout_has("Dirty: up of V2__two: 1 of 3 statements committed");
    db.migrations(&[(
        "V2__two.sql",
        &broken.replace("INSERT INTO nowhere VALUES (1);", "CREATE TABLE v (a int);"),
    )]);
    let commands = suggested(&dirty.stderr);
    follow(&db, &dir, &commands[0])
        .succeeds()
        .stdout_has("resumes after statement 1 of 3");
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
    // A frame or any transaction control contradicts the marker.
    db.migrations(&[(
        "V3__framed.sql",
        "-- mendb:no-transaction\nBEGIN;\nCREATE TABLE x (a int);\nCOMMIT;\n",
    )]);
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(5)
        .stderr_has("V3__framed.sql:2: a file marked -- mendb:no-transaction runs its statements one by one");
}
