//! `migrate baseline --from TOOL`: adopting a database that Flyway, sqlx,
//! golang-migrate, dbmate or refinery manages. Each tool's table is made
//! and filled as that tool does (DDL from its source; checksums computed
//! independently with Python's zlib and hashlib), over a V1 schema built
//! with the native client. mendb must record the equivalent history, leave
//! the tool's table as it was, and refuse by name what it cannot adopt.

mod common;

use common::{Backend, TestDb};

per_backend!(
    adopts_flyway,
    adopts_sqlx,
    adopts_golang_migrate,
    adopts_dbmate,
    adopts_refinery,
    refuses_what_it_cannot_adopt,
);

fn v1_text(b: Backend) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(b.dialect().dir_name())
            .join("V1__baseline.sql"),
    )
    .unwrap()
}

/// An independent computation of a checksum over V1's bytes.
fn python(b: Backend, program: &str) -> Option<String> {
    let file = std::env::temp_dir().join(format!("mendb_adopt_{}_{:?}.sql", std::process::id(), b));
    std::fs::write(&file, v1_text(b)).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(program)
        .arg(&file)
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&file);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Flyway: CRC32 over each line's UTF-8 bytes, line ends left out, signed.
fn flyway_crc(b: Backend) -> Option<String> {
    python(
        b,
        "import sys, zlib\nc = 0\nfor l in open(sys.argv[1], encoding='utf-8').read().splitlines():\n    c = zlib.crc32(l.encode(), c)\nprint(c - (1 << 32) if c >= 1 << 31 else c)",
    )
}

/// sqlx: SHA-384 of the file's text.
fn sqlx_sha(b: Backend) -> Option<String> {
    python(
        b,
        "import sys, hashlib\nprint(hashlib.sha384(open(sys.argv[1], 'rb').read()).hexdigest())",
    )
}

fn blob(b: Backend, hex: &str) -> String {
    match b {
        Backend::Mysql => format!("UNHEX('{hex}')"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
        Backend::Sqlite => format!("X'{hex}'"),
    }
}

/// A V1 database built by the native client, with a tool's table.
fn world(b: Backend, tag: &str, table_ddl: &str, rows: &[String]) -> Option<TestDb> {
    let db = TestDb::new(b, tag)?;
    if !common::native_v1(&db) {
        return None;
    }
    db.exec(table_ddl);
    for r in rows {
        db.exec(r);
    }
    Some(db)
}

/// The rows a tool's table holds, as text.
fn rows_of(db: &TestDb, table: &str) -> Vec<Vec<Option<String>>> {
    let columns = match table {
        "flyway_schema_history" => "installed_rank, version, checksum, success",
        "_sqlx_migrations" => "version, success, execution_time",
        _ => "version",
    };
    let text: Vec<String> = columns.split(", ").map(|c| db.as_text(c)).collect();
    db.query(&format!(
        "SELECT {} FROM {table} ORDER BY 1",
        text.join(", ")
    ))
}

/// Adopts and checks the outcome a user sees.
fn adopt_ok(db: &TestDb, tool: &str, table: &str, shown: &str) {
    let before = rows_of(db, table);
    db.mendb(&["migrate", "baseline", "--from", tool])
        .succeeds()
        .stdout_has(shown)
        .stdout_has("Baselined at V1: recorded 1 migration(s)")
        .stdout_has("The live schema is what the migrations up to V1 build");
    assert_eq!(db.history_versions(), [1]);
    assert_eq!(rows_of(db, table), before, "{table} is left as it was");
    db.mendb(&["migrate", "up"]).succeeds();
    assert_eq!(db.history_versions(), [1, 2, 3, 4]);
}

fn flyway_ddl(b: Backend) -> String {
    let ts = match b {
        Backend::Postgres => "TIMESTAMP NOT NULL DEFAULT now()",
        _ => "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
    };
    format!(
        "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL, version VARCHAR(50), description VARCHAR(200) NOT NULL, \
         type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, \
         installed_on {ts}, execution_time INT NOT NULL, success BOOLEAN NOT NULL, PRIMARY KEY (installed_rank))"
    )
}

fn flyway_row(rank: i32, version: &str, kind: &str, checksum: &str, success: bool) -> String {
    format!(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) \
         VALUES ({rank}, '{version}', 'baseline', '{kind}', 'V{version}__baseline.sql', {checksum}, 'flyway', 12, {success})"
    )
}

fn adopts_flyway(b: Backend) {
    let Some(crc) = flyway_crc(b) else {
        eprintln!("SKIPPED: python3 is not installed");
        return;
    };
    let rows = [flyway_row(1, "1", "SQL", &crc, true)];
    let Some(db) = world(b, "adopt_flyway", &flyway_ddl(b), &rows) else {
        return;
    };
    adopt_ok(&db, "flyway", "flyway_schema_history", "checksum matches");
}

fn sqlx_ddl(b: Backend) -> String {
    let (ts, bin) = match b {
        Backend::Postgres => ("TIMESTAMPTZ NOT NULL DEFAULT now()", "BYTEA"),
        _ => ("TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP", "BLOB"),
    };
    format!(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on {ts}, \
         success BOOLEAN NOT NULL, checksum {bin} NOT NULL, execution_time BIGINT NOT NULL)"
    )
}

fn adopts_sqlx(b: Backend) {
    let Some(sha) = sqlx_sha(b) else {
        eprintln!("SKIPPED: python3 is not installed");
        return;
    };
    let rows = [format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (1, 'baseline', TRUE, {}, 1234)",
        blob(b, &sha)
    )];
    let Some(db) = world(b, "adopt_sqlx", &sqlx_ddl(b), &rows) else {
        return;
    };
    adopt_ok(&db, "sqlx", "_sqlx_migrations", "checksum matches");
}

const GOLANG_MIGRATE_DDL: &str =
    "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)";
const DBMATE_DDL: &str = "CREATE TABLE schema_migrations (version VARCHAR(128) PRIMARY KEY)";

fn adopts_golang_migrate(b: Backend) {
    let rows = ["INSERT INTO schema_migrations (version, dirty) VALUES (1, FALSE)".to_string()];
    let Some(db) = world(b, "adopt_golang", GOLANG_MIGRATE_DDL, &rows) else {
        return;
    };
    adopt_ok(
        &db,
        "golang-migrate",
        "schema_migrations",
        "no checksum kept by golang-migrate",
    );
}

fn adopts_dbmate(b: Backend) {
    let rows = ["INSERT INTO schema_migrations (version) VALUES ('1')".to_string()];
    let Some(db) = world(b, "adopt_dbmate", DBMATE_DDL, &rows) else {
        return;
    };
    adopt_ok(
        &db,
        "dbmate",
        "schema_migrations",
        "no checksum kept by dbmate",
    );
}

fn adopts_refinery(b: Backend) {
    let Some(db) = TestDb::new(b, "adopt_refinery") else {
        return;
    };
    // A database refinery itself migrated: the same table mendb keeps.
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    db.mendb(&["migrate", "baseline", "--from", "refinery"])
        .succeeds()
        .stdout_has("checksum matches")
        .stdout_has("mendb's own history: nothing recorded");
    assert_eq!(db.history_versions(), [1]);
}

fn refuses_what_it_cannot_adopt(b: Backend) {
    let cases: Vec<(&str, String, Vec<String>, &str, &str)> = vec![
        (
            "golang-migrate",
            GOLANG_MIGRATE_DDL.to_string(),
            vec!["INSERT INTO schema_migrations (version, dirty) VALUES (1, TRUE)".to_string()],
            "schema_migrations",
            "cannot adopt from golang-migrate (schema_migrations): version 1 is dirty",
        ),
        (
            "flyway",
            flyway_ddl(b),
            vec![flyway_row(1, "1", "SQL", "0", false)],
            "flyway_schema_history",
            "version 1 is recorded as failed",
        ),
        (
            "flyway",
            flyway_ddl(b),
            vec![flyway_row(1, "1", "SQL", "12345", true)],
            "flyway_schema_history",
            "V1__baseline: the checksum Flyway recorded is 12345",
        ),
        (
            "dbmate",
            DBMATE_DDL.to_string(),
            vec!["INSERT INTO schema_migrations (version) VALUES ('20230101120000')".to_string()],
            "schema_migrations",
            "version `20230101120000` is not a mendb version",
        ),
        (
            "dbmate",
            DBMATE_DDL.to_string(),
            vec![
                "INSERT INTO schema_migrations (version) VALUES ('1')".to_string(),
                "INSERT INTO schema_migrations (version) VALUES ('7')".to_string(),
            ],
            "schema_migrations",
            "mendb's V2__reconcile_close_current_price is below its latest version V7, but it never applied V2",
        ),
        (
            "dbmate",
            GOLANG_MIGRATE_DDL.to_string(),
            vec!["INSERT INTO schema_migrations (version, dirty) VALUES (1, FALSE)".to_string()],
            "schema_migrations",
            "this schema_migrations is golang-migrate's (use --from golang-migrate)",
        ),
        (
            "sqlx",
            String::new(),
            vec![],
            "",
            "cannot adopt from sqlx (_sqlx_migrations): the table does not exist",
        ),
    ];
    for (i, (tool, ddl, rows, table, message)) in cases.into_iter().enumerate() {
        let ddl = if ddl.is_empty() {
            "CREATE TABLE unrelated (a INT)".to_string()
        } else {
            ddl
        };
        let Some(db) = world(b, &format!("adopt_refuse{i}"), &ddl, &rows) else {
            return;
        };
        let before = (!table.is_empty()).then(|| rows_of(&db, table));
        db.mendb(&["migrate", "baseline", "--from", tool])
            .fails_with(9)
            .stderr_has(message);
        common::assert_no_history(&db, tool);
        if let Some(before) = before {
            assert_eq!(rows_of(&db, table), before, "{table} is left as it was");
        }
    }
}
