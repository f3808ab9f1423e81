//! Where the database comes from: the flag, `DATABASE_URL`, `./.env`, then
//! `mendb.toml` here or in a parent; never an implicit file. Each test runs
//! the binary in a directory of its own with `DATABASE_URL` removed.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Backend, Run, TestDb};

/// mendb run in `dir`, with `env` as the only mendb settings it inherits.
fn mendb_in(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mendb"));
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("MENDB_T_URL")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run mendb");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn empty_dir(tag: &str) -> TestDb {
    TestDb::new(Backend::Sqlite, tag).expect("temp dir")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn without_a_database_every_command_that_needs_one_stops_saying_where_it_looked() {
    let t = empty_dir("nodb");
    for args in [
        &["migrate", "status"][..],
        &["migrate", "up"],
        &["migrate", "down"],
        &["report"],
        &["gaps", "--table", "price_data_real", "--every", "5m"],
        &["verify"],
        &["schema", "dump"],
        &["fixtures", "load"],
        &["backfill", "status"],
    ] {
        let run = mendb_in(&t.dir, &[], args);
        run.fails_with(2)
            .stderr_has("no database given")
            .stderr_has("DATABASE_URL")
            .stderr_has(&t.dir.join(".env").display().to_string())
            .stderr_has(&t.dir.join("mendb.toml").display().to_string());
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(files_in(&t.dir).is_empty(), "{:?}", files_in(&t.dir));

    let json = mendb_in(&t.dir, &[], &["migrate", "status", "--format", "json"]);
    json.fails_with(2);
    assert_eq!(json.json()["exit_code"], 2);

    // An empty variable is the usual way a setting fails to arrive: it
    // counts as unset, and the message says it was seen.
    mendb_in(&t.dir, &[("DATABASE_URL", "")], &["migrate", "status"])
        .fails_with(2)
        .stderr_has("DATABASE_URL (set, but empty)");
    mendb_in(&t.dir, &[], &["migrate", "status", "--database-url", ""])
        .fails_with(2)
        .stderr_has("--database-url is empty");
    assert!(files_in(&t.dir).is_empty());
}

#[test]
fn commands_without_a_database_still_work() {
    let t = empty_dir("nodb_ok");
    let migrations = t.dir.join("migrations");
    mendb_in(
        &t.dir,
        &[],
        &["migrate", "new", "first", "--migrations", "migrations"],
    )
    .succeeds();
    assert!(migrations.join("sqlite").join("V1__first.sql").is_file());
    let shown = mendb_in(&t.dir, &[], &["config"]);
    shown.succeeds().stdout_has("database_url  (none)");
    let json = mendb_in(&t.dir, &[], &["config", "--format", "json"]);
    let json = json.succeeds().json();
    assert!(json["database_url"].is_null());
    assert_eq!(json["looked_at"][0], "--database-url");
}

#[test]
fn the_flag_beats_the_environment_beats_dotenv_beats_the_config_file() {
    let t = empty_dir("order");
    let project = t.dir.clone();
    let sub = project.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let url = |name: &str| format!("sqlite:{}", project.join(name).display());
    std::fs::write(
        sub.join(".env"),
        format!(
            "# the team's local database\nDATABASE_URL={}\n",
            url("dotenv.db")
        ),
    )
    .unwrap();
    // A relative path in mendb.toml is relative to the file, not to the
    // directory mendb runs in.
    std::fs::write(
        project.join("mendb.toml"),
        "database_url = \"sqlite:toml.db\"\n",
    )
    .unwrap();
    let env_url = url("env.db");
    let env = [("DATABASE_URL", env_url.as_str())];
    let flag_url = url("flag.db");

    let source = |dir: &Path, env: &[(&str, &str)], flag: bool| {
        let mut args = vec!["config", "--format", "json"];
        if flag {
            args.extend(["--database-url", flag_url.as_str()]);
        }
        let json = mendb_in(dir, env, &args).succeeds().json();
        (
            json["source"].as_str().unwrap_or("none").to_string(),
            json["database_url"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(source(&sub, &env, true), ("flag".into(), url("flag.db")));
    assert_eq!(source(&sub, &env, false), ("env".into(), url("env.db")));
    assert_eq!(
        source(&sub, &[], false),
        ("dotenv".into(), url("dotenv.db"))
    );
    std::fs::remove_file(sub.join(".env")).unwrap();
    assert_eq!(
        source(&sub, &[], false),
        ("config_file".into(), url("toml.db"))
    );

    // Each source reaches the database it names.
    for (env, flag, file) in [
        (&env[..], true, "flag.db"),
        (&env[..], false, "env.db"),
        (&[][..], false, "toml.db"),
    ] {
        let mut args = vec!["migrate", "up", "--to", "1"];
        if flag {
            args.extend(["--database-url", flag_url.as_str()]);
        }
        mendb_in(&sub, env, &args).succeeds();
        assert!(project.join(file).is_file(), "{file}");
    }
    assert_eq!(files_in(&sub), Vec::<String>::new());

    let text = mendb_in(&sub, &[], &["config"]);
    text.succeeds()
        .stdout_has(&url("toml.db"))
        .stdout_has(&format!(
            "{} (database_url)",
            project.join("mendb.toml").display()
        ));
}

#[test]
fn dotenv_is_read_only_in_the_working_directory() {
    let t = empty_dir("dotenv_parent");
    let sub = t.dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(t.dir.join(".env"), "DATABASE_URL=sqlite:parent.db\n").unwrap();
    mendb_in(&sub, &[], &["migrate", "status"])
        .fails_with(2)
        .stderr_has("no database given");
    mendb_in(&t.dir, &[], &["migrate", "status"]).succeeds();
}

#[test]
fn a_config_file_may_name_the_variable_that_holds_the_url() {
    let t = empty_dir("url_env");
    std::fs::write(
        t.dir.join("mendb.toml"),
        "database_url_env = \"MENDB_T_URL\"\n",
    )
    .unwrap();
    mendb_in(&t.dir, &[], &["migrate", "status"])
        .fails_with(2)
        .stderr_has("mendb.toml")
        .stderr_has("MENDB_T_URL, which is not set");
    let db = t.dir.join("named.db");
    let url = format!("sqlite:{}", db.display());
    mendb_in(
        &t.dir,
        &[("MENDB_T_URL", &url)],
        &["migrate", "up", "--to", "1"],
    )
    .succeeds();
    assert!(db.is_file());
    mendb_in(&t.dir, &[("MENDB_T_URL", &url)], &["config"])
        .succeeds()
        .stdout_has("database_url_env = \"MENDB_T_URL\"");
}

#[test]
fn broken_settings_files_are_named_with_their_line() {
    let t = empty_dir("bad_files");
    let dotenv = t.dir.join(".env");
    std::fs::write(&dotenv, "OTHER=1\nDATABASE_URL='unterminated\n").unwrap();
    let run = mendb_in(&t.dir, &[], &["migrate", "status"]);
    run.fails_with(2)
        .stderr_has(&dotenv.display().to_string())
        .stderr_has("unterminated");
    std::fs::remove_file(&dotenv).unwrap();

    let toml = t.dir.join("mendb.toml");
    std::fs::write(
        &toml,
        "# settings\ndatabase_url = \"sqlite:a.db\"\ndatabse = 1\n",
    )
    .unwrap();
    mendb_in(&t.dir, &[], &["migrate", "status"])
        .fails_with(2)
        .stderr_has(&toml.display().to_string())
        .stderr_has("line 3")
        .stderr_has("databse");
    std::fs::write(&toml, "database_url = \"postgress://h/db\"\n").unwrap();
    mendb_in(&t.dir, &[], &["migrate", "status"])
        .fails_with(2)
        .stderr_has("postgress")
        .stderr_has(&format!("from {}", toml.display()));
    std::fs::write(&toml, "database_url = \"\"\n").unwrap();
    mendb_in(&t.dir, &[], &["migrate", "status"])
        .fails_with(2)
        .stderr_has("database_url is empty");
    assert_eq!(files_in(&t.dir), ["mendb.toml"]);
}

#[test]
fn config_masks_passwords() {
    let t = empty_dir("mask");
    let env = [(
        "DATABASE_URL",
        "mysql://app:hunter2@db.internal:3306/prices",
    )];
    let text = mendb_in(&t.dir, &env, &["config"]);
    text.succeeds()
        .stdout_has("mysql://app:***@db.internal:3306/prices")
        .stdout_has("the environment (DATABASE_URL)");
    let json = mendb_in(&t.dir, &env, &["config", "--format", "json"]);
    json.succeeds();
    for out in [&text, &json] {
        assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
        assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    }
    assert_eq!(json.json()["source"], "env");
}
