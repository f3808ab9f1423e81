//! The README's "Using it against a real database", run command by command
//! as written, on each of the three databases: only the URL in its
//! `export DATABASE_URL=...` is replaced by the test's own. The database
//! starts as the incident left it (the fixture world, at V1).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Backend, Run, TestDb};

per_backend!(the_readme_works_verbatim);

/// The commands of the section's shell block, a line each, comments cut.
fn readme_commands() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Using it against a real database")
        .nth(1)
        .expect("the section")
        .split("\n## ")
        .next()
        .unwrap();
    let block = section
        .split("```sh\n")
        .nth(1)
        .expect("a sh block")
        .split("```")
        .next()
        .unwrap();
    block
        .lines()
        .map(|line| match line.find(" #") {
            Some(i) => line[..i].trim().to_string(),
            None => line.trim().to_string(),
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn run_in(dir: &Path, url: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_mendb"))
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env_remove("RUST_LOG")
        .args(args)
        .output()
        .expect("run mendb");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn the_readme_works_verbatim(b: Backend) {
    let Some(db) = TestDb::new(b, "readme") else {
        return;
    };
    db.mendb(&["-q", "fixtures", "load", "--scale", "0.02"])
        .succeeds();
    let rows_before = db.scalar("SELECT COUNT(*) FROM price_data_real");

    let mut cwd: PathBuf = db.dir.join("work");
    std::fs::create_dir_all(&cwd).unwrap();
    let mut url = None;
    let commands = readme_commands();
    assert!(commands.len() >= 10, "{commands:?}");
    for line in &commands {
        for command in line.split("&&").map(str::trim) {
            let words: Vec<&str> = command.split_whitespace().collect();
            match words.as_slice() {
                ["export", assignment] => {
                    assert!(assignment.starts_with("DATABASE_URL="), "{command}");
                    url = Some(db.url.clone());
                }
                ["cd", dir] => cwd = cwd.join(dir),
                ["mendb", args @ ..] => {
                    let url = url.as_deref().expect("DATABASE_URL is exported first");
                    let run = run_in(&cwd, url, args);
                    assert_eq!(
                        run.code,
                        0,
                        "`{command}` in {}:\n{}\n{}",
                        cwd.display(),
                        run.stdout,
                        run.stderr
                    );
                }
                _ => panic!("the README runs something other than mendb: `{command}`"),
            }
        }
    }

    // What the section claims happened, seen in the database and the folder.
    let dialect = b.dialect().dir_name();
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
    assert!(cwd.join("mendb.toml").is_file());
    assert!(cwd.join("schema").join(format!("{dialect}.json")).is_file());
    let v5 = cwd
        .join("migrations")
        .join(dialect)
        .join("V5__add_trade_index.sql");
    assert!(v5.is_file(), "{}", v5.display());
    let rows_after = db.scalar("SELECT COUNT(*) FROM price_data_real");
    assert!(
        rows_after > rows_before,
        "fill-price-gaps filled nothing: {rows_before} -> {rows_after}"
    );
}
