//! A dry run cannot write, whatever its plan says, and neither can the
//! checks before a real run's first write. Plan SQL that holds more than
//! one statement, in any place a plan takes SQL, is refused with exit 11
//! naming file, line and key, with and without `--dry-run`, on all three
//! databases, and every table is as it was. Parameter values are bound, so
//! SQL in them is data. A dry run needs nothing but SELECT.

mod common;

use common::{Backend, TestDb};

per_backend!(
    plan_sql_holding_statements_is_refused_before_any_write,
    parameters_are_bound_never_run,
    a_dry_run_needs_only_select,
);

/// What the hostile texts try once they are out of mendb's statement.
const PAYLOAD: &str = "DELETE FROM canary; DROP TABLE victim; DELETE FROM dst";

fn dir_name(b: Backend) -> &'static str {
    b.dialect().dir_name()
}

/// A database other than `b`, for a per-database text `b` never runs.
fn other(b: Backend) -> &'static str {
    match b {
        Backend::Mysql => "postgres",
        Backend::Postgres | Backend::Sqlite => "mysql",
    }
}

/// `src` (20 rows) to copy from, `dst` (5 rows) to copy into or update,
/// and `canary` and `victim`, which no plan here names.
fn tables(db: &TestDb) {
    for ddl in [
        "CREATE TABLE src (id INTEGER NOT NULL PRIMARY KEY, sym VARCHAR(8) NOT NULL, price INTEGER NOT NULL)",
        "CREATE TABLE dst (id INTEGER NOT NULL PRIMARY KEY, sym VARCHAR(8) NOT NULL, price INTEGER NOT NULL)",
        "CREATE TABLE canary (id INTEGER NOT NULL PRIMARY KEY, note VARCHAR(20) NOT NULL)",
        "CREATE TABLE victim (id INTEGER NOT NULL PRIMARY KEY)",
    ] {
        db.exec(ddl);
    }
    let src: Vec<String> = (1..=20)
        .map(|i| format!("({i}, 'S{}', {})", i % 4, i * 10))
        .collect();
    db.exec(&format!("INSERT INTO src VALUES {}", src.join(", ")));
    db.exec("INSERT INTO dst VALUES (1, 'S1', 0), (2, 'S2', 0), (3, 'S3', 0), (4, 'S0', 0), (5, 'S1', 0)");
    db.exec("INSERT INTO canary VALUES (1, 'alive'), (2, 'still alive'), (3, 'here')");
    db.exec("INSERT INTO victim VALUES (1)");
}

const TABLES: [&str; 4] = ["src", "dst", "canary", "victim"];

/// The schema (mendb's own tables included) and every row of the tables.
fn snapshot(db: &TestDb) -> String {
    let schema = db.mendb(&["schema", "dump", "--include-internal", "--format", "json"]);
    let present = db.schema();
    let mut out = schema.succeeds().stdout.clone();
    for t in TABLES {
        if present.tables.contains_key(t) {
            out.push_str(&format!("\n{t}: {:?}", db.table_rows(t)));
        } else {
            out.push_str(&format!("\n{t}: gone"));
        }
    }
    out
}

/// A `copy` step from `src` into `dst`; `price` and `filter` are TOML
/// values, and `filter` may be empty.
fn copy_plan(price: &str, filter: &str) -> String {
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!("where = {filter}\n")
    };
    format!(
        r#"name = "hostile"

[[steps]]
name = "s"

[steps.batch]
table = "src"
key = ["id"]
{filter}
[steps.copy]
into = "dst"
match = ["id"]

[steps.copy.columns]
id = "id"
sym = "sym"
price = {price}
"#
    )
}

/// An `update` step setting `dst.price` from `src`.
fn update_plan(on: &str, set: &str) -> String {
    format!(
        r#"name = "hostile"

[[steps]]
name = "s"

[steps.batch]
table = "dst"
key = ["id"]

[steps.update]
from = "src"

[steps.update.on]
id = {on}

[steps.update.set]
price = {set}
"#
    )
}

/// A `sql` step: `hostile` for `dialect`, a harmless update elsewhere.
fn sql_plan(dialect: &str, hostile: &str) -> String {
    let fine = "\"UPDATE dst SET price = price WHERE {chunk}\"";
    let pick = |d: &str| if d == dialect { hostile } else { fine };
    format!(
        r#"name = "hostile"

[[steps]]
name = "s"

[steps.batch]
table = "dst"
key = ["id"]

[steps.sql]
mysql = [{}]
postgres = [{}]
sqlite = [{}]
"#,
        pick("mysql"),
        pick("postgres"),
        pick("sqlite")
    )
}

/// A per-database expression: `hostile` for `dialect`, `fine` elsewhere.
fn per_dialect(dialect: &str, hostile: &str, fine: &str) -> String {
    let pick = |d: &str| if d == dialect { hostile } else { fine };
    format!(
        "{{ mysql = \"{}\", postgres = \"{}\", sqlite = \"{}\" }}",
        pick("mysql"),
        pick("postgres"),
        pick("sqlite")
    )
}

/// (what, plan, what the error says after `file:line: step `s`: `).
fn hostile_plans(b: Backend) -> Vec<(&'static str, String, String)> {
    let d = dir_name(b);
    let expr = format!("1 FROM src; {PAYLOAD}; SELECT 1");
    let quoted = format!("\"{expr}\"");
    let mut plans = vec![
        (
            "a copy column",
            copy_plan(&quoted, ""),
            "copy.columns.price: holds 5 statements".to_string(),
        ),
        (
            "a batch filter",
            copy_plan("\"price\"", &format!("\"1 = 1); {PAYLOAD}; SELECT (1\"")),
            "batch.where: holds 5 statements".into(),
        ),
        (
            "an update's set",
            update_plan("\"t.id\"", &quoted),
            "update.price: holds 5 statements".into(),
        ),
        (
            "an update's on",
            update_plan(&quoted, "\"s.price\""),
            "update.id: holds 5 statements".into(),
        ),
        (
            "a sql statement",
            sql_plan(
                d,
                &format!("\"UPDATE dst SET price = price WHERE {{chunk}}; {PAYLOAD}\""),
            ),
            format!("sql.{d} statement 1: holds 4 statements"),
        ),
        (
            "this database's text of a copy column",
            copy_plan(&per_dialect(d, &expr, "price"), ""),
            format!("copy.columns.price.{d}: holds 5 statements"),
        ),
        (
            "another database's text of a copy column",
            copy_plan(&per_dialect(other(b), &expr, "price"), ""),
            format!("copy.columns.price.{}: holds 5 statements", other(b)),
        ),
    ];
    // The checks' second look, at the statements mendb builds: after the
    // client command DELIMITER the text is one statement on its own, but
    // inside mendb's statement the `;` ends it.
    if b == Backend::Mysql {
        plans.push((
            "a filter behind DELIMITER",
            copy_plan(
                "\"price\"",
                &per_dialect(
                    "mysql",
                    &format!("DELIMITER //\\n1 = 1); {PAYLOAD}; SELECT (1"),
                    "1 = 1",
                ),
            ),
            "batch.where: the statement mendb builds around it would be 5 statements".into(),
        ));
    }
    plans
}

/// The 1-based line of the plan that holds the hostile text.
fn hostile_line(plan: &str) -> usize {
    plan.lines()
        .position(|l| l.contains("canary"))
        .expect("a hostile line")
        + 1
}

/// mendb's state tables, which a refused plan must not create.
const STATE: [&str; 5] = [
    "mendb_backfill_runs",
    "mendb_backfill_steps",
    "mendb_backfill_leases",
    "mendb_backfill_chunks",
    "mendb_backfill_controls",
];

fn plan_sql_holding_statements_is_refused_before_any_write(b: Backend) {
    let Some(db) = TestDb::new(b, "dryhostile") else {
        return;
    };
    tables(&db);
    let before = snapshot(&db);
    let mut failures = Vec::new();
    for (what, plan, error) in hostile_plans(b) {
        let path = db.dir.join("p.toml");
        std::fs::write(&path, &plan).unwrap();
        let expected = format!("p.toml:{}: step `s`: {error}", hostile_line(&plan));
        for dry in [true, false] {
            let mut args = vec!["backfill", "run", path.to_str().unwrap()];
            if dry {
                args.push("--dry-run");
            }
            let run = db.mendb(&args);
            let mut wrong = Vec::new();
            if run.code != 11 {
                wrong.push(format!("exit {} (expected 11)", run.code));
            }
            if !run.stderr.contains(&expected) {
                wrong.push(format!("no `{expected}`"));
            }
            let after = snapshot(&db);
            if after != before {
                wrong.push(format!("the database changed:\n{after}"));
                // The next case starts from the same tables and no runs.
                for t in TABLES.iter().chain(&STATE) {
                    db.exec(&format!("DROP TABLE IF EXISTS {t}"));
                }
                tables(&db);
            }
            if !wrong.is_empty() {
                failures.push(format!(
                    "{what}{}: {}\nstdout: {}\nstderr: {}",
                    if dry { " (--dry-run)" } else { "" },
                    wrong.join(", "),
                    run.stdout,
                    run.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

fn parameters_are_bound_never_run(b: Backend) {
    let Some(db) = TestDb::new(b, "dryparams") else {
        return;
    };
    tables(&db);
    let hostile = format!("x'); {PAYLOAD}; SELECT ('");
    let plan = format!(
        r#"name = "params"

[params.sym]
type = "text"
default = "{hostile}"

[[steps]]
name = "s"

[steps.batch]
table = "src"
key = ["id"]
where = "sym = :sym"

[steps.copy]
into = "dst"
match = ["id"]

[steps.copy.columns]
id = "id"
sym = ":sym"
price = "price"
"#
    );
    let path = db.dir.join("params.toml");
    std::fs::write(&path, plan).unwrap();
    let path = path.to_str().unwrap();
    let before = snapshot(&db);
    let set = format!("sym={hostile}");
    for args in [
        vec!["backfill", "run", path, "--dry-run"],
        vec!["backfill", "run", path, "--dry-run", "--set", &set],
    ] {
        db.mendb(&args)
            .succeeds()
            .stdout_has("Dry run of plan params: nothing written");
        assert_eq!(snapshot(&db), before, "{args:?}");
    }
    // A real run matches no row, writes none, and runs no statement of
    // the value: the tables are as they were; only mendb's state is new.
    let rows = |db: &TestDb| TABLES.map(|t| db.table_rows(t));
    let contents = rows(&db);
    for args in [
        vec!["backfill", "run", path],
        vec!["backfill", "run", path, "--restart", "--set", &set],
    ] {
        let mut all = args.clone();
        all.extend_from_slice(&["--format", "json"]);
        let run = db.mendb(&all);
        assert_eq!(run.succeeds().json()["rows"], 0, "{args:?}");
        assert_eq!(rows(&db), contents, "{args:?}");
    }
}

/// The test database's URL for `user` (no password on PostgreSQL, which
/// trusts local connections).
fn url_as(db: &TestDb, user: &str, password: &str) -> String {
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_username(user).unwrap();
    url.set_password(Some(password).filter(|p| !p.is_empty()))
        .unwrap();
    url.to_string()
}

/// Drops the SELECT-only login, whatever the test did.
struct Login<'a> {
    db: &'a TestDb,
    name: String,
}

impl Drop for Login<'_> {
    fn drop(&mut self) {
        let statements = match self.db.backend {
            Backend::Mysql => vec![format!("DROP USER IF EXISTS '{}'@'%'", self.name)],
            // DROP OWNED takes its privileges, on the database too, so the
            // role can go while the database is still there.
            Backend::Postgres => vec![
                format!("DROP OWNED BY {}", self.name),
                format!("DROP ROLE IF EXISTS {}", self.name),
            ],
            Backend::Sqlite => vec![],
        };
        // Never a panic here: a failing test is already unwinding.
        common::block_on(async {
            let mut db = self.db.connect_async().await;
            for sql in &statements {
                let _ = db.execute_script(sql).await;
            }
            db.close().await;
        });
    }
}

fn a_dry_run_needs_only_select(b: Backend) {
    let Some(db) = TestDb::new(b, "dryselect") else {
        return;
    };
    tables(&db);
    let name = format!("mendb_ro_{}", std::process::id());
    let password = "select-only";
    let (url, _login) = match b {
        Backend::Mysql => {
            db.exec(&format!(
                "CREATE USER '{name}'@'%' IDENTIFIED BY '{password}'"
            ));
            let login = Login {
                db: &db,
                name: name.clone(),
            };
            db.exec(&format!("GRANT SELECT ON {}.* TO '{name}'@'%'", db.name()));
            (url_as(&db, &name, password), Some(login))
        }
        Backend::Postgres => {
            db.exec(&format!("CREATE ROLE {name} LOGIN"));
            let login = Login {
                db: &db,
                name: name.clone(),
            };
            db.exec(&format!(
                "GRANT CONNECT ON DATABASE {} TO {name}",
                db.name()
            ));
            db.exec(&format!("GRANT USAGE ON SCHEMA public TO {name}"));
            db.exec(&format!(
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}"
            ));
            (url_as(&db, &name, ""), Some(login))
        }
        // No users: the file opened read-only stands for a login that
        // cannot write.
        Backend::Sqlite => (
            format!("sqlite://{}?mode=ro", db.dir.join("test.db").display()),
            None,
        ),
    };
    let copy = copy_plan("\"price + 1\"", "\"price > 50\"");
    let update = update_plan("\"t.id\"", "\"s.price\"");
    let before = snapshot(&db);
    for (file, plan) in [("copy.toml", copy), ("update.toml", update)] {
        let path = db.dir.join(file);
        std::fs::write(&path, plan).unwrap();
        let run = common::mendb_with(
            &url,
            &[
                "backfill",
                "run",
                path.to_str().unwrap(),
                "--dry-run",
                "--format",
                "json",
            ],
            &[],
        );
        let report = run.succeeds().json();
        assert_eq!(report["dry_run"], true, "{file}");
        assert!(report["run_id"].is_null(), "{file}: {report}");
        assert_eq!(snapshot(&db), before, "{file}");
    }
    // The same login cannot run the plan for real: the dry run did not
    // pass for a lack of checking.
    let path = db.dir.join("copy.toml");
    let real = common::mendb_with(&url, &["backfill", "run", path.to_str().unwrap()], &[]);
    assert_ne!(real.code, 0, "{}", real.stderr);
    assert_eq!(snapshot(&db), before);
}
