//! A project of one's own: `mendb init` takes the embedded migrations,
//! contracts and plans out into a folder, `mendb.toml` points every
//! command at it, and `migrate new` continues its numbering. Each test runs
//! the binary in a folder of its own, as a user in a fresh checkout would.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Backend, Run, TestDb};

per_backend!(
    init_takes_the_embedded_set_out_and_migrate_new_continues_it,
    every_setting_in_mendb_toml_reaches_the_commands,
);

/// mendb run in `dir` against `url`, with no other mendb settings inherited.
fn mendb_at(dir: &Path, url: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mendb"));
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .args(args);
    if let Some(url) = url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.output().expect("run mendb");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `dir`, relative to it, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The command a message suggests in backticks, run literally in `dir`.
fn run_suggested(message: &str, starts: &str, dir: &Path, url: &str) -> Run {
    let suggested = message
        .split('`')
        .find(|c| c.starts_with(starts))
        .unwrap_or_else(|| panic!("no `{starts}...` suggested in: {message}"));
    let args: Vec<&str> = suggested.split_whitespace().skip(1).collect();
    mendb_at(dir, Some(url), &args)
}

fn init_takes_the_embedded_set_out_and_migrate_new_continues_it(b: Backend) {
    let Some(db) = TestDb::new(b, "init") else {
        return;
    };
    let dialect = b.dialect().dir_name();
    // The database as the embedded migrations left it, before any project.
    mendb_at(&db.dir, Some(&db.url), &["migrate", "up"]).succeeds();

    let project = db.dir.join("prices");
    std::fs::create_dir_all(&project).unwrap();
    let refused = mendb_at(&project, Some(&db.url), &["migrate", "new", "add_marks"]);
    refused
        .fails_with(2)
        .stderr_has("built into mendb (V1-V4)")
        .stderr_has("mendb init");
    assert!(tree(&project).is_empty(), "a refusal writes nothing");

    // Follow the message literally: init, then the same migrate new.
    let init = run_suggested(&refused.stderr, "mendb init", &project, &db.url);
    init.succeeds()
        .stdout_has(&format!("migrations for {dialect}"));
    let files = tree(&project);
    for expected in [
        "mendb.toml".to_string(),
        format!("migrations/{dialect}/V1__baseline.sql"),
        format!("migrations/{dialect}/V4__backfill_support.down.sql"),
        "contracts/ml-materializer.toml".to_string(),
        "backfill-plans/fill-price-gaps.toml".to_string(),
        "schema/README.md".to_string(),
    ] {
        assert!(files.contains(&expected), "{expected} missing: {files:?}");
    }
    assert!(
        files
            .iter()
            .all(|f| !f.starts_with("migrations/")
                || f.starts_with(&format!("migrations/{dialect}/"))),
        "only the database's dialect: {files:?}"
    );
    // The copy is the embedded set itself: same files, same checksums.
    for (name, body) in mendb::migrate::source::embedded_sources(b.dialect()) {
        let copied = std::fs::read(project.join("migrations").join(dialect).join(&name)).unwrap();
        assert_eq!(copied, body, "{name}");
    }
    let status = mendb_at(
        &project,
        Some(&db.url),
        &["migrate", "status", "--exit-code"],
    );
    status
        .succeeds()
        .stdout_has(&format!("prices/migrations/{dialect}"))
        .stdout_has("Version     V4 of V4");

    let new = mendb_at(&project, Some(&db.url), &["migrate", "new", "add_marks"]);
    new.succeeds().stdout_has("Created V5__add_marks");
    let v5 = project
        .join("migrations")
        .join(dialect)
        .join("V5__add_marks.sql");
    std::fs::write(&v5, "CREATE TABLE volume_marks (id INTEGER PRIMARY KEY);\n").unwrap();
    std::fs::write(
        v5.with_extension("").with_extension("down.sql"),
        "DROP TABLE volume_marks;\n",
    )
    .unwrap();
    assert!(
        tree(&project)
            .iter()
            .all(|f| !f.contains("V5") || f.starts_with(&format!("migrations/{dialect}/"))),
        "V5 only where the set is"
    );
    // From a subfolder too, as cargo finds Cargo.toml.
    let sub = project.join("migrations");
    mendb_at(&sub, Some(&db.url), &["migrate", "status", "--exit-code"])
        .fails_with(14)
        .stdout_has("V4 of V5, 1 pending");
    mendb_at(&sub, Some(&db.url), &["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2, 3, 4, 5]);
    assert!(db.schema().tables.contains_key("volume_marks"));

    // The snapshot goes where verify looks, and verify then passes.
    mendb_at(&project, Some(&db.url), &["schema", "dump", "--write"])
        .succeeds()
        .stdout_has(&format!("schema/{dialect}.json"));
    let verify = mendb_at(&project, Some(&db.url), &["verify"]);
    verify.succeeds().stdout_has(&format!(
        "Passed drift {}",
        project
            .join("schema")
            .join(format!("{dialect}.json"))
            .display()
    ));
    mendb_at(&project, Some(&db.url), &["migrate", "down", "--to", "4"]).succeeds();
    assert!(!db.schema().tables.contains_key("volume_marks"));
}

fn every_setting_in_mendb_toml_reaches_the_commands(b: Backend) {
    let Some(db) = TestDb::new(b, "toml") else {
        return;
    };
    let dialect = b.dialect().dir_name();
    let project = db.dir.join("proj");
    let m = project.join("m").join(dialect);
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("V1__marks.sql"),
        "CREATE TABLE marks (id INTEGER PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(m.join("V1__marks.down.sql"), "DROP TABLE marks;\n").unwrap();
    let c = project.join("c");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(
        c.join("marks-reader.toml"),
        "service = \"marks-reader\"\n\n[tables.marks]\nreads = [\"id\", \"label\"]\n",
    )
    .unwrap();
    std::fs::write(
        project.join("mendb.toml"),
        "migrations = \"m\"\ncontracts = \"c\"\nsnapshots = \"snaps\"\nlock_timeout = \"1s\"\nformat = \"json\"\n",
    )
    .unwrap();
    let sub = project.join("deeper");
    std::fs::create_dir_all(&sub).unwrap();

    // format: JSON unless the flag says otherwise; migrations: m/, relative to the file.
    let status = mendb_at(&sub, Some(&db.url), &["migrate", "status"])
        .succeeds()
        .json();
    assert_eq!(status["pending"], 1, "{status}");
    assert_eq!(status["rows"][0]["name"], "marks");
    mendb_at(
        &sub,
        Some(&db.url),
        &["migrate", "status", "--format", "text"],
    )
    .succeeds()
    .stdout_has("Version     none of V1, 1 pending");
    mendb_at(&sub, Some(&db.url), &["migrate", "up"]).succeeds();
    assert!(db.schema().tables.contains_key("marks"));

    // snapshots: written to, and read from, snaps/.
    let written = mendb_at(&sub, Some(&db.url), &["schema", "dump", "--write"])
        .succeeds()
        .json();
    let snapshot = project.join("snaps").join(format!("{dialect}.json"));
    assert_eq!(written["written"], snapshot.display().to_string());
    assert!(snapshot.is_file());

    // contracts: c/, whose reader wants a column marks does not have.
    let verify = mendb_at(&sub, Some(&db.url), &["verify", "--format", "text"]);
    verify
        .fails_with(13)
        .stdout_has(&format!("Passed drift {}", snapshot.display()))
        .stdout_has("marks-reader.toml")
        .stdout_has("label");
    mendb_at(
        &sub,
        Some(&db.url),
        &[
            "verify",
            "--contracts",
            "/nonexistent-contracts",
            "--format",
            "text",
        ],
    )
    .stdout_has("/nonexistent-contracts");

    // lock_timeout: 1s, not the 5 minutes a held lock would otherwise cost.
    std::fs::write(
        m.join("V2__more.sql"),
        "CREATE TABLE more_marks (id INTEGER PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(m.join("V2__more.down.sql"), "DROP TABLE more_marks;\n").unwrap();
    let run = db.while_locked("migrate", || {
        mendb_at(&sub, Some(&db.url), &["migrate", "up", "--format", "text"])
    });
    run.fails_with(4)
        .stderr_has("waiting for the `migrate` lock");
    assert_eq!(db.history_versions(), [1]);

    let shown = mendb_at(&sub, Some(&db.url), &["config", "--format", "text"]);
    shown
        .succeeds()
        .stdout_has(&format!(
            "migrations    {} (mendb.toml)",
            project.join("m").display()
        ))
        .stdout_has(&format!("contracts     {} (mendb.toml)", c.display()))
        .stdout_has("lock_timeout  1s (mendb.toml)")
        .stdout_has("format        json (mendb.toml)");
}

#[test]
fn init_refuses_a_folder_that_holds_a_project_and_writes_nothing() {
    let t = TestDb::new(Backend::Sqlite, "init_twice").unwrap();
    let dir: PathBuf = t.dir.join("p");
    mendb_at(&t.dir, None, &["init", "p", "--dialect", "sqlite"]).succeeds();
    std::fs::write(dir.join("mendb.toml"), "# edited by hand\n").unwrap();
    std::fs::remove_dir_all(dir.join("contracts")).unwrap();
    let before = tree(&dir);
    mendb_at(&t.dir, None, &["init", "p"])
        .fails_with(2)
        .stderr_has("holds a project already")
        .stderr_has("mendb.toml");
    assert_eq!(tree(&dir), before, "nothing written");
    assert_eq!(
        std::fs::read_to_string(dir.join("mendb.toml")).unwrap(),
        "# edited by hand\n"
    );
    // Without a database or --dialect: every dialect, since any may be used.
    mendb_at(&t.dir, None, &["init", "all"]).succeeds();
    for d in ["mysql", "postgres", "sqlite"] {
        assert!(
            t.dir
                .join("all/migrations")
                .join(d)
                .join("V1__baseline.sql")
                .is_file()
        );
    }
}

#[test]
fn a_plan_in_the_project_folder_replaces_the_shipped_one_of_its_name() {
    let db = common::incident_world(Backend::Sqlite, "own_plan").unwrap();
    let project = db.dir.join("p");
    mendb_at(&db.dir, Some(&db.url), &["init", "p"]).succeeds();
    let plan = project.join("backfill-plans").join("fill-price-gaps.toml");
    let text = std::fs::read_to_string(&plan).unwrap();
    let edited = text.replace(
        "default = \"2025-09-28 12:00:00\"",
        "default = \"2025-09-29 00:00:00\"",
    );
    assert_ne!(text, edited);
    std::fs::write(&plan, edited).unwrap();

    let listed = mendb_at(
        &project,
        Some(&db.url),
        &["backfill", "list", "--format", "json"],
    )
    .succeeds()
    .json();
    let named: Vec<&serde_json::Value> = listed["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "fill-price-gaps")
        .collect();
    assert_eq!(named.len(), 1, "listed once: {listed}");
    assert_eq!(named[0]["source"], "project");
    assert_eq!(named[0]["run_as"], "fill-price-gaps");
    assert_eq!(named[0]["params"][0]["default"], "2025-09-29 00:00:00");

    let since = |dir: &Path| {
        let dry = mendb_at(
            dir,
            Some(&db.url),
            &[
                "backfill",
                "run",
                "fill-price-gaps",
                "--dry-run",
                "--format",
                "json",
            ],
        )
        .succeeds()
        .json();
        dry["dry_steps"][0]["values"][0][0]["value"].clone()
    };
    assert_eq!(
        since(&project),
        "2025-09-29 00:00:00",
        "the project's copy runs"
    );
    assert_eq!(
        since(&db.dir),
        "2025-09-28 12:00:00",
        "outside it, the shipped plan"
    );
}
