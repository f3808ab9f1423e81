//! Plan actions on small hand-made tables, on all three databases. `copy`:
//! the first source row per match key wins across chunk boundaries, existing
//! target rows win and stay unchanged, a rerun writes nothing, in both of
//! its forms (a target with a unique key on the match columns, and one
//! without); a row that clashes on another unique key fails the chunk
//! instead of vanishing, and the run resumes once the clash is gone; on a
//! longer table the copy leaves what the database's own one-statement
//! upsert leaves, through every way mendb writes a chunk. `sql`:
//! the statements are compiled before any write, and run per chunk.

mod common;

use std::collections::BTreeMap;

use common::{Backend, TestDb};

per_backend!(
    copy_keeps_the_first_row_per_key_in_both_forms,
    copy_into_a_unique_key_equals_the_native_upsert,
    update_from_a_join_equals_the_native_update,
    copy_fails_on_a_clash_with_another_key_and_resumes,
    sql_steps_are_compiled_before_any_write,
);

/// 40 source rows; (sym, b) repeats: row i has sym i % 3 and bucket i / 4,
/// so every bucket has rows of each symbol spread over several ids.
const ROWS: i64 = 40;

fn source(db: &TestDb) {
    let int = match db.backend {
        Backend::Mysql => "BIGINT",
        _ => "INTEGER",
    };
    db.exec(&format!(
        "CREATE TABLE src (id {int} NOT NULL PRIMARY KEY, sym VARCHAR(8) NOT NULL, b {int} NOT NULL, price {int} NOT NULL)"
    ));
    let values: Vec<String> = (1..=ROWS)
        .map(|i| format!("({i}, 'S{}', {}, {})", i % 3, i / 4, i * 10))
        .collect();
    db.exec(&format!("INSERT INTO src VALUES {}", values.join(", ")));
}

/// A target; `unique` gives it UNIQUE (sym, b). `src_id` is its primary key
/// when `pk_src_id`, so a copied id can clash with an existing row.
fn target(db: &TestDb, name: &str, unique: bool, pk_src_id: bool) {
    let int = match db.backend {
        Backend::Mysql => "BIGINT",
        _ => "INTEGER",
    };
    let id = match (pk_src_id, db.backend) {
        (true, _) => String::new(),
        (false, Backend::Mysql) => "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, ".into(),
        (false, Backend::Postgres) => "id BIGSERIAL PRIMARY KEY, ".into(),
        (false, Backend::Sqlite) => "id INTEGER PRIMARY KEY AUTOINCREMENT, ".into(),
    };
    let src_id = if pk_src_id {
        format!("src_id {int} NOT NULL PRIMARY KEY")
    } else {
        format!("src_id {int} NULL")
    };
    let uq = if unique {
        format!(", CONSTRAINT uq_{name} UNIQUE (sym, b)")
    } else {
        String::new()
    };
    db.exec(&format!(
        "CREATE TABLE {name} ({id}sym VARCHAR(8) NOT NULL, b {int} NOT NULL, price {int} NOT NULL, {src_id}{uq})"
    ));
}

fn plan(db: &TestDb, into: &str) -> String {
    let path = db.dir.join(format!("copy-{into}.toml"));
    std::fs::write(
        &path,
        format!(
            r#"name = "copy-{into}"
description = "src into {into}"

[[steps]]
name = "copy"

[steps.batch]
table = "src"
key = ["id"]
chunk_size = 4

[steps.copy]
into = "{into}"
match = ["sym", "b"]

[steps.copy.columns]
sym = "sym"
b = "b"
price = "price"
src_id = "id"
"#
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// (sym, b) -> (price, src_id) of a target.
fn contents(db: &TestDb, table: &str) -> BTreeMap<(String, i64), (i64, i64)> {
    db.query(&format!("SELECT sym, b, price, src_id FROM {table}"))
        .into_iter()
        .map(|r| {
            let n = |i: usize| r[i].as_deref().unwrap().parse::<i64>().unwrap();
            ((r[0].clone().unwrap(), n(1)), (n(2), n(3)))
        })
        .collect()
}

/// What the copy must leave: the seeded rows, plus for every other key the
/// source row with the smallest id.
fn expected(seeded: &[(&str, i64, i64, i64)]) -> BTreeMap<(String, i64), (i64, i64)> {
    let mut out: BTreeMap<(String, i64), (i64, i64)> = seeded
        .iter()
        .map(|(s, b, p, id)| ((s.to_string(), *b), (*p, *id)))
        .collect();
    for i in 1..=ROWS {
        out.entry((format!("S{}", i % 3), i / 4))
            .or_insert((i * 10, i));
    }
    out
}

fn copy_keeps_the_first_row_per_key_in_both_forms(b: Backend) {
    let Some(db) = TestDb::new(b, "copyforms") else {
        return;
    };
    source(&db);
    // Seeded: a key the source also has (it must stay as it is).
    let seeded = [("S1", 2, -1, 1000)];
    for (name, unique) in [("dst_unique", true), ("dst_plain", false)] {
        target(&db, name, unique, false);
        db.exec(&format!(
            "INSERT INTO {name} (sym, b, price, src_id) VALUES ('S1', 2, -1, 1000)"
        ));
        let path = plan(&db, name);

        let dry = db
            .mendb(&["backfill", "run", &path, "--dry-run"])
            .succeeds()
            .stdout
            .clone();
        let form = match (unique, b) {
            (false, _) => "LEFT JOIN",
            (true, Backend::Mysql) => "ON DUPLICATE KEY UPDATE",
            (true, _) => "ON CONFLICT",
        };
        assert!(
            dry.contains(form),
            "{name}: `{form}` not in the dry run:\n{dry}"
        );

        let report = db
            .mendb(&["-q", "backfill", "run", &path, "--format", "json"])
            .succeeds()
            .json();
        let want = expected(&seeded);
        assert_eq!(contents(&db, name), want, "{name}");
        assert_eq!(
            report["rows"].as_u64().unwrap(),
            want.len() as u64 - seeded.len() as u64,
            "{name}: rows reported"
        );
        assert!(
            report["steps"][0]["chunks"].as_u64().unwrap() >= 3,
            "{name}: the keys were meant to straddle chunks"
        );

        let again = db
            .mendb(&[
                "-q",
                "backfill",
                "run",
                &path,
                "--restart",
                "--format",
                "json",
            ])
            .succeeds()
            .json();
        assert_eq!(again["rows"], 0, "{name}: a rerun writes nothing");
        assert_eq!(contents(&db, name), want, "{name} after the rerun");
    }
}

/// 3,000 source rows whose keys are new but for stretches that exist in
/// the target already or repeat within the source, so that chunks of both
/// kinds follow each other: mendb's copy must leave exactly what one
/// upsert statement through the database leaves.
fn copy_into_a_unique_key_equals_the_native_upsert(b: Backend) {
    let Some(db) = TestDb::new(b, "copyoracle") else {
        return;
    };
    let int = match b {
        Backend::Mysql => "BIGINT",
        _ => "INTEGER",
    };
    db.exec(&format!(
        "CREATE TABLE src (id {int} NOT NULL PRIMARY KEY, sym VARCHAR(8) NOT NULL, b {int} NOT NULL, price {int} NOT NULL)"
    ));
    let rows: Vec<String> = (1..=3000i64)
        .map(|i| {
            // Ids 2001-2050 repeat the keys of 1951-2000.
            let k = if (2001..=2050).contains(&i) {
                i - 50
            } else {
                i
            };
            format!("({i}, 'S{}', {}, {})", k % 7, k, i * 10)
        })
        .collect();
    for part in rows.chunks(500) {
        db.exec(&format!("INSERT INTO src VALUES {}", part.join(", ")));
    }
    let existing = "INSERT INTO {t} (sym, b, price, src_id) SELECT sym, b, -price, -id FROM src                     WHERE id BETWEEN 800 AND 1100 OR id BETWEEN 2600 AND 2610";
    for t in ["dst_mendb", "dst_native"] {
        target(&db, t, true, false);
        db.exec(&existing.replace("{t}", t));
    }
    let skip = match b {
        Backend::Mysql => " ON DUPLICATE KEY UPDATE sym = dst_native.sym",
        _ => " ON CONFLICT (sym, b) DO NOTHING",
    };
    db.exec(&format!(
        "INSERT INTO dst_native (sym, b, price, src_id) SELECT sym, b, price, id FROM src ORDER BY id{skip}"
    ));
    let path = plan(&db, "dst_mendb");
    let run = db.mendb(&["-vv", "backfill", "run", &path, "--format", "json"]);
    let report = run.succeeds().json();
    assert_eq!(contents(&db, "dst_mendb"), contents(&db, "dst_native"));
    let added = db.scalar("SELECT COUNT(*) FROM dst_native") - 312;
    assert_eq!(report["rows"].as_i64().unwrap(), added, "rows reported");
    if b == Backend::Postgres {
        // Both ways of writing a chunk ran.
        run.stderr_has("written as a plain insert")
            .stderr_has("written again as an upsert");
    }
}

/// An update joined on the batch key: mendb leaves what one native
/// `UPDATE ... JOIN` / `UPDATE ... FROM` leaves, and repeats the chunk's
/// range over the source's key only where that column has the key's type.
fn update_from_a_join_equals_the_native_update(b: Backend) {
    let Some(db) = TestDb::new(b, "updoracle") else {
        return;
    };
    let (big, small) = match b {
        Backend::Mysql => ("BIGINT", "INT"),
        Backend::Postgres => ("BIGINT", "INTEGER"),
        // SQLite declares what it is told: the declared types still differ.
        Backend::Sqlite => ("BIGINT", "INT"),
    };
    for (src, id_type) in [("src_same", big), ("src_other", small)] {
        db.exec(&format!(
            "CREATE TABLE {src} (id {id_type} NOT NULL PRIMARY KEY, price {big} NULL)"
        ));
        let rows: Vec<String> = (1..=2000i64).map(|i| format!("({i}, {})", i * 3)).collect();
        db.exec(&format!("INSERT INTO {src} VALUES {}", rows.join(", ")));
    }
    for t in ["upd_mendb", "upd_native", "upd_other"] {
        db.exec(&format!(
            "CREATE TABLE {t} (id {big} NOT NULL PRIMARY KEY, price {big} NULL)"
        ));
        // Every third price is missing, every fifth is wrong, id 2001 has
        // no source row.
        let rows: Vec<String> = (1..=2001i64)
            .map(|i| match (i % 3, i % 5) {
                (0, _) => format!("({i}, NULL)"),
                (_, 0) => format!("({i}, -1)"),
                _ => format!("({i}, {})", i * 3),
            })
            .collect();
        db.exec(&format!("INSERT INTO {t} VALUES {}", rows.join(", ")));
    }
    let native = match b {
        Backend::Mysql => {
            "UPDATE upd_native t JOIN src_same s ON s.id = t.id SET t.price = s.price WHERE NOT (t.price <=> s.price)"
        }
        _ => {
            "UPDATE upd_native AS t SET price = s.price FROM src_same AS s WHERE s.id = t.id AND t.price IS DISTINCT FROM s.price"
        }
    };
    db.exec(native);
    let plan = |target: &str, from: &str| {
        let path = db.dir.join(format!("{target}.toml"));
        std::fs::write(
            &path,
            format!(
                r#"name = "{target}"
[[steps]]
name = "update"
[steps.batch]
table = "{target}"
key = ["id"]
chunk_size = 100
[steps.update]
from = "{from}"
[steps.update.on]
id = "t.id"
[steps.update.set]
price = "s.price"
"#
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let same = plan("upd_mendb", "src_same");
    let other = plan("upd_other", "src_other");
    let source_range = format!("{}.{} <", "s", db.q("id"));
    let dry = |path: &str| {
        db.mendb(&["backfill", "run", path, "--dry-run"])
            .succeeds()
            .stdout
            .clone()
    };
    assert!(dry(&same).contains(&source_range), "{}", dry(&same));
    assert!(!dry(&other).contains(&source_range), "{}", dry(&other));
    let report = db
        .mendb(&["-q", "backfill", "run", &same, "--format", "json"])
        .succeeds()
        .json();
    let all = |t: &str| db.query(&format!("SELECT id, price FROM {t} ORDER BY id"));
    assert_eq!(all("upd_mendb"), all("upd_native"));
    // 666 missing and 267 wrong of ids 1-2000 (multiples of 15 count once).
    assert_eq!(report["rows"], 666 + 400 - 133, "{report}");
    db.mendb(&["-q", "backfill", "run", &other]).succeeds();
    assert_eq!(all("upd_other"), all("upd_native"));
}

fn copy_fails_on_a_clash_with_another_key_and_resumes(b: Backend) {
    let Some(db) = TestDb::new(b, "copyclash") else {
        return;
    };
    source(&db);
    // src_id is the primary key, (sym, b) the match key. The seeded row has
    // src_id 9, which source row 9 (S0, 2) also has, under another key: it
    // clashes on the primary key, not on the match key.
    target(&db, "dst", true, true);
    db.exec("INSERT INTO dst (sym, b, price, src_id) VALUES ('S2', 99, -1, 9)");
    let path = plan(&db, "dst");
    let run = db.mendb(&["backfill", "run", &path]);
    run.fails_with(12);
    let fragment = match b {
        Backend::Mysql => {
            "clash with existing rows of `dst` on a unique key other than the match key"
        }
        Backend::Postgres => "dst_pkey",
        Backend::Sqlite => "UNIQUE constraint failed: dst.src_id",
    };
    run.stderr_has("step `copy` failed").stderr_has(fragment);

    // The chunk holding id 9 was rolled back: no row from id 9 on is in.
    let got = contents(&db, "dst");
    assert!(
        got.values().all(|(_, id)| *id <= 8 || *id == 9),
        "rows of the failed chunk were kept: {got:?}"
    );
    assert_eq!(got.get(&("S2".into(), 99)), Some(&(-1, 9)));
    let status = db
        .mendb(&["backfill", "status", "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(status[0]["run"]["status"], "failed", "{status}");

    db.exec("DELETE FROM dst WHERE sym = 'S2' AND b = 99");
    let resumed = db
        .mendb(&["-q", "backfill", "run", &path, "--format", "json"])
        .succeeds()
        .json();
    assert_eq!(resumed["resumed"], true);
    assert_eq!(contents(&db, "dst"), expected(&[]));
}

/// A plan with one `sql` step running `statements` on every database.
fn sql_plan(db: &TestDb, file: &str, statements: &[&str]) -> String {
    let path = db.dir.join(file);
    let list = format!(
        "[{}]",
        statements
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(
        &path,
        format!(
            r#"name = "bump"
description = "raise every price by one"

[[steps]]
name = "bump"

[steps.batch]
table = "src"
key = ["id"]
chunk_size = 4

[steps.sql]
mysql = {list}
postgres = {list}
sqlite = {list}
"#
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn sql_steps_are_compiled_before_any_write(b: Backend) {
    let Some(db) = TestDb::new(b, "sqlstep") else {
        return;
    };
    source(&db);
    // Prices start at id * 10; the plan adds one to each.
    let at = |offset: i64| {
        db.scalar(&format!(
            "SELECT COUNT(*) FROM src WHERE price = id * 10 + {offset}"
        ))
    };
    assert_eq!(at(0), ROWS);
    let bump = "UPDATE src SET price = price + 1 WHERE {chunk}";

    // The second statement names a column src lacks; the first is fine and
    // must not have run either.
    let bad = sql_plan(
        &db,
        "bad.toml",
        &[bump, "UPDATE src SET prise = 0 WHERE {chunk}"],
    );
    let dialect = match b {
        Backend::Mysql => "mysql",
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    };
    db.mendb(&["backfill", "run", &bad])
        .fails_with(11)
        .stderr_has("bad.toml:")
        .stderr_has(&format!("step `bump`: sql.{dialect} statement 2"))
        .stderr_has("prise");
    assert_eq!(at(0), ROWS, "a refused plan wrote");

    let good = sql_plan(&db, "good.toml", &[bump]);
    db.mendb(&["backfill", "run", &good]).succeeds();
    assert_eq!(at(1), ROWS);
}
