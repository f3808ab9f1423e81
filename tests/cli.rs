//! Bad input gets one clear line, a documented exit code, and no write.

mod common;

use common::{Backend, TestDb, mendb_with};

fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{stderr}");
    lines[0]
}

#[test]
fn unreachable_database_is_one_line_exit_3_without_the_password() {
    let run = mendb_with(
        "mysql://root:hunter2@127.0.0.1:1/test",
        &["migrate", "status"],
        &[],
    );
    run.fails_with(3);
    let line = one_line(&run.stderr);
    assert!(
        line.starts_with("error: cannot connect to mysql://root:***@127.0.0.1:1/test: "),
        "{line}"
    );
    assert!(!run.stderr.contains("hunter2"));

    let run = mendb_with(
        "postgres://u:hunter2@127.0.0.1:1/test",
        &["migrate", "up", "--wait", "1s"],
        &[],
    );
    run.fails_with(3);
    let line = one_line(&run.stderr);
    assert!(line.contains("did not accept connections within"), "{line}");
    assert!(!line.contains("hunter2"), "{line}");
}

#[test]
fn malformed_urls_are_usage_errors() {
    for (url, fragment) in [
        (
            "mysql://root:hunter2@/test",
            "invalid database URL `mysql://root:***@/test`",
        ),
        ("oracle://db/x", "unknown scheme `oracle`"),
        ("postgres://localhost", "missing database name"),
        ("nonsense", "expected a URL such as"),
        ("sqlite:", "missing file name"),
    ] {
        let run = mendb_with(url, &["migrate", "up"], &[]);
        run.fails_with(2);
        let line = one_line(&run.stderr);
        assert!(line.contains(fragment), "{url}: {line}");
        assert!(!line.contains("hunter2"));
    }
}

#[test]
fn database_url_comes_from_the_environment_too() {
    let db = TestDb::new(Backend::Sqlite, "env").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mendb"))
        .env("DATABASE_URL", &db.url)
        .args(["migrate", "up", "--to", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db.history_versions(), [1]);
}

#[test]
fn unknown_version_and_bad_flags_are_usage_errors_that_write_nothing() {
    let db = TestDb::new(Backend::Sqlite, "usage").unwrap();
    let run = db.mendb(&["migrate", "up", "--to", "99"]);
    run.fails_with(2);
    assert_eq!(
        one_line(&run.stderr),
        "error: unknown version 99: embedded migrations/sqlite has versions 1 to 4"
    );
    db.mendb(&["migrate", "down", "--to", "7"])
        .fails_with(2)
        .stderr_has("unknown version 7");
    db.mendb(&["migrate", "down", "--steps", "0"])
        .fails_with(2)
        .stderr_has("--steps");
    db.mendb(&["migrate", "up", "--frobnicate"]).fails_with(2);
    db.mendb(&["migrate", "up", "--lock-timeout", "soon"])
        .fails_with(2)
        .stderr_has("`soon` is not a duration");
    db.mendb(&["migrate", "down", "--to", "1", "--steps", "2"])
        .fails_with(2);
    assert!(
        !db.dir.join("test.db").exists(),
        "usage errors must not even create the SQLite file"
    );
}

#[test]
fn missing_down_file_refuses_before_reverting_anything() {
    let db = TestDb::new(Backend::Sqlite, "nodown").unwrap();
    let dir = db.migrations(&[
        ("V1__a.sql", "CREATE TABLE a (id INTEGER);\n"),
        ("V1__a.down.sql", "DROP TABLE a;\n"),
        ("V2__b.sql", "CREATE TABLE b (id INTEGER);\n"),
        ("V3__c.sql", "CREATE TABLE c (id INTEGER);\n"),
        ("V3__c.down.sql", "DROP TABLE c;\n"),
    ]);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    let run = db.mendb_dir(&dir, &["migrate", "down", "--to", "0"]);
    run.fails_with(5);
    let line = one_line(&run.stderr);
    assert!(
        line.starts_with("error: cannot revert V2__b: no down migration V2__b.down.sql next to "),
        "{line}"
    );
    assert_eq!(
        db.history_versions(),
        [1, 2, 3],
        "V3 must not be reverted either"
    );
    db.mendb_dir(&dir, &["migrate", "down"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
}

#[test]
fn bad_migration_files_name_the_file() {
    let db = TestDb::new(Backend::Sqlite, "badfiles").unwrap();
    let dir = db.migrations(&[(
        "V1__a.sql",
        "CREATE TABLE a (id INTEGER);\r\nCREATE TABLE b (id INTEGER);\r\n",
    )]);
    let run = db.mendb_dir(&dir, &["migrate", "up"]);
    run.fails_with(5);
    let line = one_line(&run.stderr);
    assert!(
        line.ends_with(
            "V1__a.sql:1: CRLF line ending; checksums are byte-exact, so convert the file to LF"
        ),
        "{line}"
    );

    let sub = dir.join("sqlite");
    std::fs::write(
        sub.join("V1__a.sql"),
        b"\xEF\xBB\xBFCREATE TABLE a (id INTEGER);\n",
    )
    .unwrap();
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(5)
        .stderr_has("V1__a.sql: starts with a UTF-8 byte order mark");

    std::fs::write(sub.join("V1__a.sql"), "CREATE TABLE a (id INTEGER);\n").unwrap();
    std::fs::write(sub.join("V2-b.sql"), "CREATE TABLE b (id INTEGER);\n").unwrap();
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(5)
        .stderr_has("V2-b.sql: not a migration file name");
    std::fs::remove_file(sub.join("V2-b.sql")).unwrap();
    std::fs::write(sub.join("V2__b.down.sql"), "DROP TABLE b;\n").unwrap();
    db.mendb_dir(&dir, &["migrate", "up"])
        .fails_with(5)
        .stderr_has("V2__b.down.sql: down migration without an up migration V2__b.sql");
    db.mendb(&["migrate", "up", "--migrations", "/nonexistent/dir"])
        .fails_with(5)
        .stderr_has("/nonexistent/dir: no such migrations directory");
    assert!(db.schema().tables.is_empty(), "bad files write nothing");
}

#[test]
fn new_scaffolds_every_dialect_and_status_sees_it() {
    let db = TestDb::new(Backend::Sqlite, "scaffold").unwrap();
    let dir = db.dir.join("project-migrations");
    for d in ["mysql", "postgres", "sqlite"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
        std::fs::write(
            dir.join(d).join("V1__a.sql"),
            "CREATE TABLE a (id INTEGER);\n",
        )
        .unwrap();
        std::fs::write(dir.join(d).join("V1__a.down.sql"), "DROP TABLE a;\n").unwrap();
    }
    db.mendb_dir(&dir, &["migrate", "new", "add_index"])
        .succeeds()
        .stdout_has("Created V2__add_index");
    for d in ["mysql", "postgres", "sqlite"] {
        assert!(dir.join(d).join("V2__add_index.sql").is_file());
        assert!(dir.join(d).join("V2__add_index.down.sql").is_file());
    }
    let status = db
        .mendb_dir(&dir, &["migrate", "status", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(status["pending"], 2);
    assert!(
        !db.dir.join("test.db").exists(),
        "status must not create the SQLite file"
    );
    assert_eq!(status["rows"][1]["name"], "add_index");
    db.mendb_dir(&dir, &["migrate", "new", "Bad Name"])
        .fails_with(2);
    db.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2]);
}

#[test]
fn json_output_for_results_and_errors() {
    let db = TestDb::new(Backend::Sqlite, "json").unwrap();
    let report = db
        .mendb(&["migrate", "up", "--to", "2", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(report["direction"], "up");
    assert_eq!(report["to_version"], 2);
    assert_eq!(report["steps"].as_array().unwrap().len(), 2);
    let err = db.mendb(&["migrate", "up", "--to", "9", "--format", "json"]);
    err.fails_with(2);
    let v = err.json();
    assert_eq!(v["exit_code"], 2);
    assert!(v["error"].as_str().unwrap().contains("unknown version 9"));
}

#[test]
fn json_logs_are_one_object_per_line() {
    let db = TestDb::new(Backend::Sqlite, "jsonlog").unwrap();
    let run = db.mendb(&["--log-format", "json", "migrate", "up"]);
    run.succeeds();
    let lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let finished = lines
        .iter()
        .filter(|l| l["message"] == "migration finished")
        .count();
    assert_eq!(finished, 4, "{}", run.stderr);

    // Errors too are JSON lines only, so a log collector parses every line.
    let run = db.mendb(&["--log-format", "json", "migrate", "up", "--to", "99"]);
    run.fails_with(2);
    for line in run.stderr.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert_eq!(v["level"], "ERROR");
        assert_eq!(v["exit_code"], 2);
    }
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

/// `mendb ARGS --help`, as a user reads it.
fn help(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mendb"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn each_help_lists_only_the_flags_its_command_takes() {
    let gaps = help(&["gaps"]);
    assert!(gaps.contains("--format"), "{gaps}");
    assert!(!gaps.contains("junit"), "{gaps}");
    assert!(!gaps.contains("prom"), "{gaps}");
    let demo = help(&["demo"]);
    assert!(!demo.contains("--database-url"), "{demo}");
    assert!(!demo.contains("--wait"), "{demo}");
    let up = help(&["migrate", "up"]);
    assert!(up.contains("--lock-timeout"), "{up}");
    assert!(up.contains("--contracts"), "{up}");
    let status = help(&["migrate", "status"]);
    assert!(!status.contains("--lock-timeout"), "{status}");
    assert!(help(&["report"]).contains("prom"));
    assert!(help(&["verify"]).contains("junit"));
}

#[test]
fn connection_flags_follow_the_command() {
    let db = TestDb::new(Backend::Sqlite, "urlflag").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mendb"))
        .env_remove("DATABASE_URL")
        .args(["migrate", "up", "--to", "1", "--database-url", &db.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db.history_versions(), [1]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mendb"))
        .args(["--database-url", &db.url, "migrate", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Runs `mendb -vv migrate status` against a fresh SQLite file, with
/// stderr on a pseudo-terminal (through util-linux `script`) or not, and
/// returns what it wrote there.
fn debug_lines(db: &TestDb, on_terminal: bool, env: &[(&str, &str)]) -> String {
    let bin = env!("CARGO_BIN_EXE_mendb");
    let mut cmd = if on_terminal {
        let mut c = std::process::Command::new("script");
        c.args([
            "-qec",
            &format!("{bin} -vv migrate status 2>&1 >/dev/null"),
            "/dev/null",
        ]);
        c
    } else {
        let mut c = std::process::Command::new(bin);
        c.args(["-vv", "migrate", "status"]);
        c
    };
    cmd.env("DATABASE_URL", &db.url)
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run mendb");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = if on_terminal { out.stdout } else { out.stderr };
    let text = String::from_utf8_lossy(&text).into_owned();
    assert!(text.contains("DEBUG"), "no debug line in {text:?}");
    text
}

#[test]
fn log_lines_are_coloured_only_on_a_terminal_and_never_with_no_color() {
    let db = TestDb::new(Backend::Sqlite, "colour").unwrap();
    let escape = '\u{1b}';
    assert!(
        !debug_lines(&db, false, &[]).contains(escape),
        "redirected stderr"
    );
    assert!(debug_lines(&db, true, &[]).contains(escape), "a terminal");
    assert!(
        !debug_lines(&db, true, &[("NO_COLOR", "1")]).contains(escape),
        "NO_COLOR on a terminal"
    );
    assert!(
        debug_lines(&db, true, &[("NO_COLOR", "")]).contains(escape),
        "an empty NO_COLOR is unset"
    );
}

#[test]
fn status_exit_code_says_pending_changed_or_up_to_date() {
    let db = TestDb::new(Backend::Sqlite, "status_code").unwrap();
    let pending = db.mendb(&["migrate", "status", "--exit-code", "--format", "json"]);
    pending.fails_with(14);
    // The report is still the whole result on stdout, one JSON document.
    assert_eq!(pending.json()["pending"], 4);
    assert!(
        pending.stderr.contains("4 migration(s) pending"),
        "{}",
        pending.stderr
    );
    db.mendb(&["migrate", "status"]).succeeds();
    db.mendb(&["migrate", "up"]).succeeds();
    db.mendb(&["migrate", "status", "--exit-code"]).succeeds();

    let own = TestDb::new(Backend::Sqlite, "status_changed").unwrap();
    let dir = own.migrations(&[
        ("V1__one.sql", "CREATE TABLE t1 (id INTEGER PRIMARY KEY);\n"),
        ("V1__one.down.sql", "DROP TABLE t1;\n"),
    ]);
    own.mendb_dir(&dir, &["migrate", "up"]).succeeds();
    own.migrations(&[("V1__one.sql", "CREATE TABLE t1 (id BIGINT PRIMARY KEY);\n")]);
    own.mendb_dir(&dir, &["migrate", "status", "--exit-code"])
        .fails_with(5)
        .stdout_has("V1");
}

/// mendb in `dir`, with no database anywhere: `backfill list` needs none.
fn mendb_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mendb"))
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .args(args)
        .output()
        .expect("run mendb")
}

#[test]
fn backfill_list_shows_shipped_and_local_plans_without_a_database() {
    let db = TestDb::new(Backend::Sqlite, "list").unwrap();
    let local = db.dir.join("backfill-plans");
    let other = db.dir.join("elsewhere");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    let plan = |name: &str| {
        format!(
            "name = \"{name}\"\ndescription = \"Touch {name}\"\n\n[params.since]\ntype = \"date\"\ndefault = \"2025-09-01\"\n\n[params.symbol]\ntype = \"text\"\n\n[[steps]]\nname = \"touch\"\nbatch = {{ table = \"t\", key = [\"id\"] }}\nupdate = {{ from = \"s\", on = {{ id = \"t.id\" }}, set = {{ v = \"s.v\" }} }}\n"
        )
    };
    std::fs::write(local.join("mine.toml"), plan("mine")).unwrap();
    std::fs::write(local.join("broken.toml"), "name = ").unwrap();
    std::fs::write(other.join("theirs.toml"), plan("theirs")).unwrap();

    let out = mendb_in(
        &db.dir,
        &[
            "backfill",
            "list",
            "--plans",
            "elsewhere",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plans = json["plans"].as_array().unwrap();
    let find = |name: &str| {
        plans
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} not listed: {json}"))
    };
    let shipped = find("fill-price-gaps");
    assert_eq!(shipped["source"], "shipped");
    assert_eq!(shipped["params"][0]["name"], "since");
    assert_eq!(shipped["params"][0]["default"], "2025-09-28 12:00:00");
    assert_eq!(
        find("refresh-ml-onchain-features")["steps"][0]["kind"],
        "update"
    );
    let mine = find("mine");
    // ./backfill-plans is the project's plans folder: run by name.
    assert_eq!(mine["source"], "project");
    assert_eq!(mine["path"], "backfill-plans/mine.toml");
    assert_eq!(mine["run_as"], "mine");
    assert_eq!(mine["description"], "Touch mine");
    assert_eq!(mine["params"][1]["name"], "symbol");
    assert!(mine["params"][1]["default"].is_null());
    assert_eq!(find("theirs")["path"], "elsewhere/theirs.toml");
    assert!(
        plans
            .iter()
            .any(|p| p["path"] == "backfill-plans/broken.toml" && p["error"].is_string()),
        "{json}"
    );

    let text = mendb_in(&db.dir, &["backfill", "list"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("fill-price-gaps (shipped with mendb)"),
        "{text}"
    );
    assert!(
        text.contains("param:  since (timestamp, default 2025-09-28 12:00:00)"),
        "{text}"
    );
    assert!(text.contains("mine (backfill-plans/mine.toml)"), "{text}");
    assert!(text.contains("step:   touch (update over t)"), "{text}");
    assert!(!text.contains("theirs"), "--plans not given: {text}");
}

#[test]
fn a_mistyped_plan_name_is_answered_with_the_known_names() {
    let db = TestDb::new(Backend::Sqlite, "typo").unwrap();
    for command in ["run", "status"] {
        let run = db.mendb(&["backfill", command, "fill-price-gap"]);
        run.fails_with(2)
            .stderr_has("no backfill plan is named `fill-price-gap`")
            .stderr_has("did you mean `fill-price-gaps`?")
            .stderr_has("known plans: fill-price-gaps, refresh-ml-onchain-features, restore-onchain-enhanced")
            .stderr_has("mendb backfill list");
        assert!(!run.stderr.contains("No such file"), "{}", run.stderr);
    }
    db.mendb(&["backfill", "run", "vacuum-everything"])
        .fails_with(2)
        .stderr_has("no backfill plan is named `vacuum-everything`");
    assert!(
        !db.dir.join("test.db").exists(),
        "a refused name must not create the database file"
    );
}
