//! Differential test with the native client as the oracle.
//!
//! A migration file means what it means when it is fed to the server's own
//! client:
//!
//! - MariaDB: `mariadb --default-character-set=utf8mb4 DB < file`
//! - PostgreSQL: `psql -v ON_ERROR_STOP=1 -d DB -f file`
//! - SQLite: `sqlite3 -bail FILE < file`
//!
//! For every file of tests/corpus/<dialect>/, one fresh database is built
//! by that client and another one by `mendb migrate up` with the file as
//! its only migration (DIR/V1__<name>.sql). Their catalogs must be
//! identical. The catalogs are read through the native client as well
//! (not through mendb's `schema dump`): every table, column, index,
//! constraint, view, trigger, routine, event, partition, type, sequence
//! and rule, the rows of every table and what every view returns. mendb's
//! own tables (`refinery_schema_history`, `mendb_*`) are left out, and the
//! database's name is replaced by `<db>` where it shows up.
//!
//! The clients run with `--no-defaults` (mariadb) and `-X` (psql), so no
//! option file or psqlrc of the machine changes what a file means. A
//! missing server or client skips the suite visibly (and fails under
//! CI=true), as the other server suites do.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Backend, TestDb};

/// One #[test] per corpus file, plus a check that every file of the corpus
/// has its test.
macro_rules! corpus {
    ($($dialect:ident: $backend:expr => [$($file:ident),* $(,)?];)*) => {
        $(
            mod $dialect {
                use super::*;
                pub const FILES: &[&str] = &[$(stringify!($file)),*];
                $(
                    #[test]
                    fn $file() {
                        super::check($backend, stringify!($file));
                    }
                )*
            }
        )*

        #[test]
        fn every_corpus_file_has_a_test() {
            $(check_listed($backend, $dialect::FILES);)*
        }
    };
}

corpus! {
    mysql: Backend::Mysql => [
        dump_full,
        dump_triggers_delimiter,
        dump_views,
        delimiter_dollar_routines,
        delimiter_slash_routines,
        events,
        views_sql_mode,
        generated_check,
        partitions,
        fulltext_spatial,
        enum_set_charsets,
        conditional_comments,
        now_time_zone,
        triggers_order,
    ];
    postgres: Backend::Postgres => [
        pg_dump_schema,
        pg_dump_functions,
        pg_dump_data_copy,
        domains_enums,
        dollar_quoted_functions,
        do_blocks,
        begin_atomic,
        matviews,
        rules,
        partitions,
        nested_comments,
        index_methods,
        same_name_triggers,
    ];
    sqlite: Backend::Sqlite => [
        triggers_views,
        check_generated,
        dump_style,
    ];
}

/// Files mendb refuses by design, before anything runs, because it cannot
/// do what the native client does with them: the file and what the
/// refusal names.
const REFUSED: &[(&str, &str)] = &[(
    "pg_dump_data_copy",
    "V1__pg_dump_data_copy.sql:80: COPY ... FROM stdin reads the rows that follow it in psql's input",
)];

fn corpus_dir(b: Backend) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(b.dialect().dir_name())
}

fn check_listed(b: Backend, listed: &[&str]) {
    let dir = corpus_dir(b);
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".sql").map(str::to_string))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk,
        listed,
        "{}: the corpus files and the tests listed in tests/native_oracle.rs differ",
        dir.display()
    );
}

/// Builds the corpus file once with the native client and once with mendb,
/// and compares the two catalogs.
fn check(b: Backend, name: &str) {
    let path = corpus_dir(b).join(format!("{name}.sql"));
    let shown = format!("tests/corpus/{}/{name}.sql", b.dialect().dir_name());
    if !client_available(b) {
        return;
    }
    let Some(native) = TestDb::new(b, "oracle_native") else {
        return;
    };
    let Some(built) = TestDb::new(b, "oracle_mendb") else {
        return;
    };

    if let Err(e) = native_build(&native, &path) {
        panic!(
            "{shown}: the native client cannot load this corpus file, so the file is wrong:\n{e}"
        );
    }

    let dir = built.dir.join("oracle_migrations");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&path, dir.join(format!("V1__{name}.sql"))).unwrap();
    let run = built.mendb(&[
        "migrate",
        "up",
        "--migrations",
        dir.to_str().expect("utf-8 path"),
    ]);

    if let Some((_, refusal)) = REFUSED.iter().find(|(file, _)| *file == name) {
        // Refused by name, and nothing written: the database is as empty
        // as a new one.
        assert_eq!(run.code, 5, "{shown}: expected a refusal:\n{}", run.stderr);
        assert!(run.stderr.contains(refusal), "{shown}: {}", run.stderr);
        let Some(empty) = TestDb::new(b, "oracle_empty") else {
            return;
        };
        let (want, got) = (catalog(&empty), catalog(&built));
        assert!(
            want == got,
            "{shown}: the refused file wrote:\n{}",
            diff(&want, &got)
        );
        return;
    }

    let want = catalog(&native);
    let got = catalog(&built);
    let client = client_name(b);
    if run.code != 0 {
        panic!(
            "{shown}: mendb migrate up failed (exit {}) on a file that {client} loads:\n{}\n\
             catalog diff (- {client}, + mendb):\n{}",
            run.code,
            run.stderr.trim_end(),
            diff(&want, &got)
        );
    }
    if want != got {
        panic!(
            "{shown}: the catalogs differ (- {client}, + mendb):\n{}",
            diff(&want, &got)
        );
    }
}

fn client_name(b: Backend) -> &'static str {
    match b {
        Backend::Mysql => "mariadb",
        Backend::Postgres => "psql",
        Backend::Sqlite => "sqlite3",
    }
}

/// Whether the native client can be started; skips visibly otherwise.
fn client_available(b: Backend) -> bool {
    let program = client_name(b);
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{program} is not installed under CI=true");
        }
        eprintln!("SKIPPED {b:?} oracle: the native client `{program}` is not installed");
    }
    found
}

/// Where a server database lives, taken from its URL.
struct Server {
    host: String,
    port: Option<u16>,
    user: String,
    password: Option<String>,
    database: String,
}

impl Server {
    fn of(db: &TestDb) -> Server {
        let url = url::Url::parse(&db.url).expect("database URL");
        Server {
            host: url.host_str().unwrap_or("127.0.0.1").to_string(),
            port: url.port(),
            user: percent_decode(url.username()),
            password: url.password().map(percent_decode),
            database: db.name().to_string(),
        }
    }
}

/// `%XX` escapes of a URL's user or password, undone.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The native client on `db`, reading SQL from stdin. `data` asks for the
/// settings used to read rows (continue after an error, binary as hex).
fn client(db: &TestDb, data: bool) -> Command {
    match db.backend {
        Backend::Mysql => {
            let s = Server::of(db);
            let mut cmd = Command::new("mariadb");
            cmd.arg("--no-defaults")
                .arg("--default-character-set=utf8mb4")
                .arg("-h")
                .arg(&s.host)
                .arg("-u")
                .arg(&s.user);
            if let Some(port) = s.port {
                cmd.arg("-P").arg(port.to_string());
            }
            if let Some(pw) = &s.password {
                cmd.arg(format!("--password={pw}"));
            }
            if data {
                cmd.arg("--force").arg("--binary-as-hex");
            }
            cmd.arg(&s.database);
            cmd
        }
        Backend::Postgres => {
            let s = Server::of(db);
            let mut cmd = Command::new("psql");
            cmd.arg("-X")
                .arg("-q")
                .arg("-v")
                .arg(if data {
                    "ON_ERROR_STOP=0"
                } else {
                    "ON_ERROR_STOP=1"
                })
                .arg("-h")
                .arg(&s.host)
                .arg("-U")
                .arg(&s.user)
                .arg("-d")
                .arg(&s.database);
            if let Some(port) = s.port {
                cmd.arg("-p").arg(port.to_string());
            }
            if let Some(pw) = &s.password {
                cmd.env("PGPASSWORD", pw);
            }
            cmd
        }
        Backend::Sqlite => {
            let mut cmd = Command::new("sqlite3");
            cmd.arg("-bail").arg(sqlite_file(db));
            cmd
        }
    }
}

fn sqlite_file(db: &TestDb) -> PathBuf {
    db.dir.join("test.db")
}

/// Runs `cmd` with `input` on stdin: (success, stdout, stderr).
fn run_with_input(mut cmd: Command, input: &[u8]) -> (bool, Vec<u8>, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for the client");
    writer.join().unwrap();
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Loads the corpus file into `db` as its native client does.
fn native_build(db: &TestDb, file: &Path) -> Result<(), String> {
    let mut cmd = client(db, false);
    let input = match db.backend {
        Backend::Postgres => {
            // psql -f FILE, so that meta-commands and COPY ... FROM stdin
            // read from the file as they do for a user.
            cmd.arg("-f").arg(file);
            Vec::new()
        }
        _ => std::fs::read(file).unwrap(),
    };
    let (ok, stdout, stderr) = run_with_input(cmd, &input);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            stderr.trim_end()
        ))
    }
}

/// The catalog of `db` as text: one entry per object, sorted within its
/// section, then the rows of every table and view.
fn catalog(db: &TestDb) -> String {
    let (objects, readable) = match db.backend {
        Backend::Mysql => mysql_catalog(db),
        Backend::Postgres => postgres_catalog(db),
        Backend::Sqlite => sqlite_catalog(db),
    };
    let data = match db.backend {
        Backend::Mysql => mysql_rows(db, &readable),
        Backend::Postgres => postgres_rows(db, &readable),
        Backend::Sqlite => sqlite_rows(db, &readable),
    };
    let mut out = String::new();
    for entry in objects.iter().chain(data.iter()) {
        out.push_str(&render(entry));
        out.push('\n');
    }
    out.replace(db.name(), "<db>")
}

/// An entry: its section first, then its fields.
type Entry = Vec<String>;

fn render(entry: &Entry) -> String {
    let line = entry.join(" | ");
    line.replace('\n', "\n    ")
}

/// Sorts entries within each section, keeping the sections in the order
/// they first appear.
fn sort_sections(entries: Vec<Entry>) -> Vec<Entry> {
    let mut order: Vec<String> = Vec::new();
    for e in &entries {
        if !order.contains(&e[0]) {
            order.push(e[0].clone());
        }
    }
    let mut sorted = entries;
    sorted.sort_by(|a, b| {
        let pa = order.iter().position(|s| *s == a[0]);
        let pb = order.iter().position(|s| *s == b[0]);
        pa.cmp(&pb).then_with(|| a.cmp(b))
    });
    sorted
}

/// A relation whose rows the catalog lists.
struct Readable {
    /// What to select from: a quoted name (SQLite: the column list, then
    /// FROM and the name).
    from: String,
    /// Label in the catalog.
    label: String,
    /// `rows` for a table (its own rows only), `view` for a view.
    kind: &'static str,
}

// ---------------------------------------------------------------- MariaDB

/// Excludes mendb's own tables; `col` names the table-name column.
fn my_not_mendb(col: &str) -> String {
    format!("{col} <> 'refinery_schema_history' AND {col} NOT LIKE 'mendb\\_%'")
}

fn mysql_catalog(db: &TestDb) -> (Vec<Entry>, Vec<Readable>) {
    let nm = my_not_mendb;
    let sections: Vec<(&str, &str, String)> = vec![
        (
            "schema",
            "DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, SCHEMA_COMMENT",
            "information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()".into(),
        ),
        (
            "table",
            "TABLE_NAME, TABLE_TYPE, ENGINE, ROW_FORMAT, TABLE_COLLATION, CREATE_OPTIONS, \
             TABLE_COMMENT, TEMPORARY",
            format!(
                "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND {}",
                nm("TABLE_NAME")
            ),
        ),
        (
            "column",
            "TABLE_NAME, LPAD(ORDINAL_POSITION, 4, '0'), COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, \
             COLUMN_DEFAULT, CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, IS_GENERATED, \
             GENERATION_EXPRESSION, COLUMN_KEY, COLUMN_COMMENT",
            format!(
                "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND {}",
                nm("TABLE_NAME")
            ),
        ),
        (
            "index",
            "TABLE_NAME, INDEX_NAME, LPAD(SEQ_IN_INDEX, 4, '0'), COLUMN_NAME, NON_UNIQUE, \
             COLLATION, SUB_PART, PACKED, NULLABLE, INDEX_TYPE, COMMENT, INDEX_COMMENT, IGNORED",
            format!(
                "information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND {}",
                nm("TABLE_NAME")
            ),
        ),
        (
            "constraint",
            "TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE",
            format!(
                "information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND {}",
                nm("TABLE_NAME")
            ),
        ),
        (
            "check",
            "TABLE_NAME, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE",
            format!(
                "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND {}",
                nm("TABLE_NAME")
            ),
        ),
        (
            "key column",
            "TABLE_NAME, CONSTRAINT_NAME, LPAD(ORDINAL_POSITION, 4, '0'), COLUMN_NAME, \
             POSITION_IN_UNIQUE_CONSTRAINT, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, \
             REFERENCED_COLUMN_NAME",
            format!(
                "information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_SCHEMA = DATABASE() AND {}",
                nm("TABLE_NAME")
            ),
        ),
        (
            "foreign key",
            "TABLE_NAME, CONSTRAINT_NAME, UNIQUE_CONSTRAINT_SCHEMA, UNIQUE_CONSTRAINT_NAME, \
             REFERENCED_TABLE_NAME, MATCH_OPTION, UPDATE_RULE, DELETE_RULE",
            "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
                .into(),
        ),
        (
            "view",
            "TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, IS_UPDATABLE, DEFINER, SECURITY_TYPE, \
             CHARACTER_SET_CLIENT, COLLATION_CONNECTION, ALGORITHM",
            "information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()".into(),
        ),
        (
            "trigger",
            "EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, \
             LPAD(ACTION_ORDER, 4, '0'), ACTION_ORIENTATION, ACTION_CONDITION, ACTION_STATEMENT, \
             SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION",
            "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()".into(),
        ),
        (
            "routine",
            "ROUTINE_NAME, ROUTINE_TYPE, DATA_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, \
             DTD_IDENTIFIER, ROUTINE_BODY, ROUTINE_DEFINITION, PARAMETER_STYLE, IS_DETERMINISTIC, \
             SQL_DATA_ACCESS, SQL_PATH, SECURITY_TYPE, SQL_MODE, ROUTINE_COMMENT, DEFINER, \
             CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION",
            "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()".into(),
        ),
        (
            "parameter",
            "SPECIFIC_NAME, ROUTINE_TYPE, LPAD(ORDINAL_POSITION, 4, '0'), PARAMETER_MODE, \
             PARAMETER_NAME, DTD_IDENTIFIER, CHARACTER_SET_NAME, COLLATION_NAME",
            "information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = DATABASE()".into(),
        ),
        (
            "event",
            "EVENT_NAME, DEFINER, TIME_ZONE, EVENT_BODY, EVENT_DEFINITION, EVENT_TYPE, EXECUTE_AT, \
             INTERVAL_VALUE, INTERVAL_FIELD, SQL_MODE, STARTS, ENDS, STATUS, ON_COMPLETION, \
             EVENT_COMMENT, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION",
            "information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()".into(),
        ),
        (
            "partition",
            "TABLE_NAME, LPAD(PARTITION_ORDINAL_POSITION, 4, '0'), PARTITION_NAME, \
             LPAD(SUBPARTITION_ORDINAL_POSITION, 4, '0'), SUBPARTITION_NAME, PARTITION_METHOD, \
             SUBPARTITION_METHOD, PARTITION_EXPRESSION, SUBPARTITION_EXPRESSION, \
             PARTITION_DESCRIPTION, PARTITION_COMMENT, NODEGROUP, TABLESPACE_NAME",
            "information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() \
             AND PARTITION_NAME IS NOT NULL"
                .into(),
        ),
    ];
    let mut script = String::new();
    for (name, columns, from) in &sections {
        script.push_str(&format!("SELECT '{name}', {columns} FROM {from};\n"));
    }
    let entries = mysql_query(db, &script, false);
    let mut readable = Vec::new();
    for e in entries.iter().filter(|e| e[0] == "table") {
        let (name, kind) = (&e[1], &e[2]);
        let q = format!("`{}`", name.replace('`', "``"));
        match kind.as_str() {
            "VIEW" => readable.push(Readable {
                from: q,
                label: name.clone(),
                kind: "view",
            }),
            "BASE TABLE" | "SYSTEM VERSIONED" => readable.push(Readable {
                from: q,
                label: name.clone(),
                kind: "rows",
            }),
            _ => {}
        }
    }
    (sort_sections(entries), readable)
}

/// Runs a script through `mariadb -N -B` and splits its rows into fields
/// (undoing the client's escapes). A failing statement is kept as an
/// `error` entry when `data` is set, and fails the test otherwise.
fn mysql_query(db: &TestDb, script: &str, data: bool) -> Vec<Entry> {
    let mut cmd = client(db, data);
    cmd.arg("-N").arg("-B");
    client_entries(db, cmd, script, data, |text| {
        text.lines()
            .map(|line| line.split('\t').map(mysql_unescape).collect())
            .collect()
    })
}

/// Runs a catalog script through a native client and reads its records;
/// what the client says on stderr becomes `error` entries, so a query the
/// two databases answer differently shows in the diff. Only data queries
/// (`data`) may fail without failing the test.
fn client_entries(
    db: &TestDb,
    cmd: Command,
    script: &str,
    data: bool,
    records: impl Fn(&str) -> Vec<Entry>,
) -> Vec<Entry> {
    let (ok, stdout, stderr) = run_with_input(cmd, script.as_bytes());
    assert!(
        ok || data,
        "catalog query failed on {}: {stderr}",
        db.name()
    );
    let mut entries = records(&String::from_utf8_lossy(&stdout));
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        entries.push(vec!["error".into(), line.to_string()]);
    }
    entries
}

fn mysql_unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('0') => out.push_str("\\0"),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn mysql_rows(db: &TestDb, readable: &[Readable]) -> Vec<Entry> {
    if readable.is_empty() {
        return Vec::new();
    }
    let mut script = String::new();
    for r in readable {
        let label = format!("{} {}", r.kind, r.label).replace('\'', "''");
        script.push_str(&format!(
            "SELECT '{label}', oracle_row.* FROM {} AS oracle_row;\n",
            r.from
        ));
    }
    let mut entries = mysql_query(db, &script, true);
    entries.sort();
    entries
}

// ------------------------------------------------------------- PostgreSQL

/// Leaves out the system schemas; `n` is a pg_namespace alias.
fn pg_user(n: &str) -> String {
    format!(
        "{n}.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
         AND {n}.nspname !~ '^pg_(toast_)?temp_'"
    )
}

/// Leaves out mendb's own relations; `c` is a pg_class alias.
fn pg_not_mendb(c: &str) -> String {
    format!("{c}.relname <> 'refinery_schema_history' AND {c}.relname NOT LIKE 'mendb\\_%'")
}

/// Not a member of an extension; `oid` of an object of catalog `class`.
fn pg_not_extension(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{class}'::regclass \
         AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

fn postgres_catalog(db: &TestDb) -> (Vec<Entry>, Vec<Readable>) {
    let rel = "n.nspname || '.' || c.relname";
    let sections: Vec<(&str, Vec<&str>, String)> = vec![
        (
            "database setting",
            vec!["s.setconfig"],
            "pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase \
             WHERE d.datname = current_database()"
                .into(),
        ),
        (
            "schema",
            vec![
                "n.nspname",
                "pg_get_userbyid(n.nspowner)",
                "n.nspacl",
                "obj_description(n.oid, 'pg_namespace')",
            ],
            format!("pg_namespace n WHERE {}", pg_user("n")),
        ),
        (
            "extension",
            vec!["e.extname", "e.extversion", "n.nspname"],
            "pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace".into(),
        ),
        (
            "relation",
            vec![
                rel,
                "c.relkind",
                "c.relpersistence",
                "pg_get_userbyid(c.relowner)",
                "c.reloptions",
                "am.amname",
                "c.relispartition",
                "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END",
                "pg_get_expr(c.relpartbound, c.oid)",
                "(SELECT string_agg(pn.nspname || '.' || pc.relname, ', ' ORDER BY i.inhseqno) \
                 FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent \
                 JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid)",
                "c.relrowsecurity",
                "c.relforcerowsecurity",
                "c.relreplident",
                "c.relacl",
                "obj_description(c.oid, 'pg_class')",
            ],
            format!(
                "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_am am ON am.oid = c.relam \
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND {} AND {}",
                pg_user("n"),
                pg_not_mendb("c")
            ),
        ),
        (
            "column",
            vec![
                rel,
                "lpad(a.attnum::text, 4, '0')",
                "a.attname",
                "format_type(a.atttypid, a.atttypmod)",
                "a.attnotnull",
                "pg_get_expr(ad.adbin, ad.adrelid)",
                "a.attidentity",
                "a.attgenerated",
                "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END",
                "a.attislocal",
                "a.attinhcount",
                "a.attacl",
                "col_description(c.oid, a.attnum)",
            ],
            format!(
                "pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_type t ON t.oid = a.atttypid \
                 LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
                 LEFT JOIN pg_collation co ON co.oid = a.attcollation \
                 WHERE a.attnum > 0 AND NOT a.attisdropped \
                 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND {} AND {}",
                pg_user("n"),
                pg_not_mendb("c")
            ),
        ),
        (
            "constraint",
            vec![
                "coalesce(n.nspname || '.' || c.relname, 'domain ' || tn.nspname || '.' || ty.typname)",
                "k.conname",
                "k.contype",
                "pg_get_constraintdef(k.oid, true)",
                "k.conislocal",
                "k.coninhcount",
                "k.connoinherit",
                "obj_description(k.oid, 'pg_constraint')",
            ],
            format!(
                "pg_constraint k JOIN pg_namespace kn ON kn.oid = k.connamespace \
                 LEFT JOIN pg_class c ON c.oid = k.conrelid \
                 LEFT JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_type ty ON ty.oid = k.contypid \
                 LEFT JOIN pg_namespace tn ON tn.oid = ty.typnamespace \
                 WHERE {} AND (c.oid IS NULL OR {})",
                pg_user("kn"),
                pg_not_mendb("c")
            ),
        ),
        (
            "index",
            vec![
                rel,
                "i.relname",
                "pg_get_indexdef(i.oid)",
                "x.indisclustered",
                "x.indisvalid",
                "x.indisreplident",
                "(SELECT pn.nspname || '.' || pc.relname FROM pg_inherits h \
                 JOIN pg_class pc ON pc.oid = h.inhparent \
                 JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE h.inhrelid = i.oid)",
                "obj_description(i.oid, 'pg_class')",
            ],
            format!(
                "pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class c ON c.oid = x.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {} AND {}",
                pg_user("n"),
                pg_not_mendb("c")
            ),
        ),
        (
            "view",
            vec![
                rel,
                "c.relkind",
                "pg_get_viewdef(c.oid, true)",
                "c.relispopulated",
            ],
            format!(
                "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('v', 'm') AND {}",
                pg_user("n")
            ),
        ),
        (
            "function",
            vec![
                "n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'",
                "p.prokind",
                "CASE WHEN p.prokind = 'a' THEN (SELECT format('aggregate sfunc=%s stype=%s \
                 finalfunc=%s initcond=%s', g.aggtransfn, format_type(g.aggtranstype, NULL), \
                 g.aggfinalfn, g.agginitval) FROM pg_aggregate g WHERE g.aggfnoid = p.oid) \
                 ELSE pg_get_functiondef(p.oid) END",
                "pg_get_userbyid(p.proowner)",
                "p.proacl",
                "obj_description(p.oid, 'pg_proc')",
            ],
            format!(
                "pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {} AND {}",
                pg_user("n"),
                pg_not_extension("pg_proc", "p.oid")
            ),
        ),
        (
            "trigger",
            vec![
                rel,
                "t.tgname",
                "pg_get_triggerdef(t.oid, true)",
                "t.tgenabled",
                "obj_description(t.oid, 'pg_trigger')",
            ],
            format!(
                "pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE NOT t.tgisinternal AND {} AND {}",
                pg_user("n"),
                pg_not_mendb("c")
            ),
        ),
        (
            "rule",
            vec![
                rel,
                "w.rulename",
                "pg_get_ruledef(w.oid, true)",
                "w.ev_enabled",
            ],
            format!(
                "pg_rewrite w JOIN pg_class c ON c.oid = w.ev_class \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE w.rulename <> '_RETURN' AND {}",
                pg_user("n")
            ),
        ),
        (
            "type",
            vec![
                "n.nspname || '.' || t.typname",
                "t.typtype",
                "CASE t.typtype \
                 WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' \
                   ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) \
                 WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) \
                   || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END \
                   || coalesce(' DEFAULT ' || t.typdefault, '') \
                   || coalesce(' COLLATE ' || co.collname, '') \
                 WHEN 'r' THEN (SELECT format('subtype=%s', format_type(r.rngsubtype, NULL)) \
                   FROM pg_range r WHERE r.rngtypid = t.oid) END",
                "pg_get_userbyid(t.typowner)",
                "obj_description(t.oid, 'pg_type')",
            ],
            format!(
                "pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 LEFT JOIN pg_class c ON c.oid = t.typrelid \
                 LEFT JOIN pg_collation co ON co.oid = t.typcollation AND t.typtype = 'd' \
                   AND t.typcollation <> (SELECT b.typcollation FROM pg_type b \
                   WHERE b.oid = t.typbasetype) \
                 WHERE {} AND (t.typrelid = 0 OR c.relkind = 'c') AND t.typcategory <> 'A' \
                 AND {}",
                pg_user("n"),
                pg_not_extension("pg_type", "t.oid")
            ),
        ),
        (
            "sequence",
            vec![
                "s.schemaname || '.' || s.sequencename",
                "s.data_type",
                "s.start_value",
                "s.min_value",
                "s.max_value",
                "s.increment_by",
                "s.cycle",
                "s.cache_size",
                "(SELECT string_agg(d.deptype::text || ' ' || tn.nspname || '.' || tc.relname || '.' \
                 || ta.attname, ', ') FROM pg_depend d \
                 JOIN pg_class tc ON tc.oid = d.refobjid \
                 JOIN pg_namespace tn ON tn.oid = tc.relnamespace \
                 JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid \
                 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass \
                 AND d.deptype IN ('a', 'i') \
                 AND d.objid = (quote_ident(s.schemaname) || '.' \
                 || quote_ident(s.sequencename))::regclass)",
            ],
            "pg_sequences s WHERE s.sequencename NOT LIKE 'mendb\\_%'".into(),
        ),
        (
            "policy",
            vec![
                "p.schemaname || '.' || p.tablename",
                "p.policyname",
                "p.permissive",
                "p.roles",
                "p.cmd",
                "p.qual",
                "p.with_check",
            ],
            "pg_policies p".into(),
        ),
        (
            "statistics",
            vec![
                "n.nspname || '.' || s.stxname",
                "pg_get_statisticsobjdef(s.oid)",
            ],
            format!(
                "pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE {}",
                pg_user("n")
            ),
        ),
        (
            "event trigger",
            vec![
                "e.evtname",
                "e.evtevent",
                "e.evtfoid::regprocedure",
                "e.evtenabled",
                "e.evttags",
            ],
            "pg_event_trigger e".into(),
        ),
        (
            "readable",
            vec![
                "quote_ident(n.nspname) || '.' || quote_ident(c.relname)",
                "c.relkind",
                "c.relispopulated",
            ],
            format!(
                "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'v', 'm') AND {} AND {}",
                pg_user("n"),
                pg_not_mendb("c")
            ),
        ),
    ];
    let mut script = String::new();
    for (name, fields, from) in &sections {
        script.push_str(&pg_select(&format!("'{name}'"), fields, from));
    }
    let all = pg_query(db, &script, false);
    let mut readable = Vec::new();
    let mut entries = Vec::new();
    for e in all {
        if e[0] != "readable" {
            entries.push(e);
            continue;
        }
        let (name, kind, populated) = (&e[1], &e[2], &e[3]);
        if kind == "m" && populated == "false" {
            continue;
        }
        readable.push(Readable {
            from: if kind == "r" {
                format!("ONLY {name}")
            } else {
                name.clone()
            },
            label: name.clone(),
            kind: if kind == "r" { "rows" } else { "view" },
        });
    }
    (sort_sections(entries), readable)
}

/// One statement of a catalog script: a single text column per row, its
/// fields separated by U+001F and the row ended by U+001D (psql separates
/// the rows of one result and of two results differently).
fn pg_select(label: &str, fields: &[&str], from: &str) -> String {
    let mut parts = vec![label.to_string()];
    parts.extend(
        fields
            .iter()
            .map(|f| format!("coalesce(({f})::text, '<null>')")),
    );
    format!(
        "SELECT concat_ws(E'\\x1f', {}) || E'\\x1d' FROM {from};\n",
        parts.join(", ")
    )
}

fn pg_query(db: &TestDb, script: &str, data: bool) -> Vec<Entry> {
    let mut cmd = client(db, data);
    cmd.arg("-t").arg("-A").arg("-f").arg("-");
    client_entries(db, cmd, script, data, |text| {
        text.split('\u{1d}')
            .map(|r| r.trim_start_matches(['\n', '\u{1e}']))
            .filter(|r| !r.is_empty())
            .map(|r| r.split('\u{1f}').map(str::to_string).collect())
            .collect()
    })
}

fn postgres_rows(db: &TestDb, readable: &[Readable]) -> Vec<Entry> {
    if readable.is_empty() {
        return Vec::new();
    }
    let mut script = String::new();
    for r in readable {
        let label = format!("'{} {}'", r.kind, r.label.replace('\'', "''"));
        script.push_str(&pg_select(
            &label,
            &["oracle_row"],
            &format!("{} AS oracle_row", r.from),
        ));
    }
    let mut entries = pg_query(db, &script, true);
    entries.sort();
    entries
}

// ----------------------------------------------------------------- SQLite

fn sqlite_catalog(db: &TestDb) -> (Vec<Entry>, Vec<Readable>) {
    let user = "m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                AND m.tbl_name <> 'refinery_schema_history' \
                AND m.tbl_name NOT LIKE 'mendb\\_%' ESCAPE '\\'";
    let script = format!(
        "SELECT 'pragma', 'user_version', user_version FROM pragma_user_version;\n\
         SELECT 'pragma', 'application_id', application_id FROM pragma_application_id;\n\
         SELECT 'object', m.type, m.name, m.tbl_name, m.sql FROM sqlite_schema m WHERE {user};\n\
         SELECT 'column', m.name, printf('%04d', x.cid), x.name, x.type, x.\"notnull\", \
           x.dflt_value, x.pk, x.hidden \
           FROM sqlite_schema m, pragma_table_xinfo(m.name) x \
           WHERE m.type IN ('table', 'view') AND {user};\n\
         SELECT 'index', m.name, l.name, l.\"unique\", l.origin, l.partial, \
           printf('%04d', i.seqno), i.cid, i.name, i.\"desc\", i.coll, i.key \
           FROM sqlite_schema m, pragma_index_list(m.name) l, pragma_index_xinfo(l.name) i \
           WHERE m.type = 'table' AND {user};\n\
         SELECT 'foreign key', m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\", \
           f.on_update, f.on_delete, f.\"match\" \
           FROM sqlite_schema m, pragma_foreign_key_list(m.name) f \
           WHERE m.type = 'table' AND {user};\n"
    );
    let entries = sqlite_query(db, &script, false);
    let readable = entries
        .iter()
        .filter(|e| e[0] == "object" && (e[1] == "table" || e[1] == "view"))
        .map(|e| {
            // quote() of every column: a blob shows as X'..', and 1 and '1'
            // (different storage classes) stay apart.
            let columns: Vec<String> = entries
                .iter()
                .filter(|c| c[0] == "column" && c[1] == e[2])
                .map(|c| format!("quote(\"{}\")", c[3].replace('"', "\"\"")))
                .collect();
            Readable {
                from: format!(
                    "{} FROM \"{}\"",
                    columns.join(", "),
                    e[2].replace('"', "\"\"")
                ),
                label: e[2].clone(),
                kind: if e[1] == "table" { "rows" } else { "view" },
            }
        })
        .collect();
    (sort_sections(entries), readable)
}

fn sqlite_query(db: &TestDb, script: &str, data: bool) -> Vec<Entry> {
    let mut cmd = Command::new("sqlite3");
    if !data {
        cmd.arg("-bail");
    }
    cmd.arg("-batch")
        .arg("-ascii")
        .arg("-nullvalue")
        .arg("<null>")
        .arg(sqlite_file(db));
    client_entries(db, cmd, script, data, |text| {
        text.split('\u{1e}')
            .filter(|r| !r.is_empty())
            .map(|r| r.split('\u{1f}').map(str::to_string).collect())
            .collect()
    })
}

fn sqlite_rows(db: &TestDb, readable: &[Readable]) -> Vec<Entry> {
    if readable.is_empty() {
        return Vec::new();
    }
    let mut script = String::new();
    for r in readable {
        let label = format!("{} {}", r.kind, r.label).replace('\'', "''");
        script.push_str(&format!("SELECT '{label}', {};\n", r.from));
    }
    let mut entries = sqlite_query(db, &script, true);
    entries.sort();
    entries
}

// ------------------------------------------------------------------- diff

/// A line diff of two catalogs: `-` lines only in `want`, `+` lines only in
/// `got`, with three lines of context around each change.
fn diff(want: &str, got: &str) -> String {
    let a: Vec<&str> = want.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    // Longest common subsequence, from the end.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    if changed.is_empty() {
        return "(no difference)".into();
    }
    let mut out = String::new();
    let mut shown_to = 0;
    for &k in &changed {
        let from = k.saturating_sub(CONTEXT).max(shown_to);
        if from > shown_to {
            out.push_str("   ...\n");
        }
        let to = (k + CONTEXT + 1).min(ops.len()).max(from);
        for (op, line) in &ops[from..to] {
            out.push_str(&format!("{op}  {line}\n"));
        }
        shown_to = to;
    }
    if shown_to < ops.len() {
        out.push_str("   ...\n");
    }
    const MAX_LINES: usize = 200;
    let total = out.lines().count();
    if total > MAX_LINES {
        let mut cut: String = out.lines().take(MAX_LINES).collect::<Vec<_>>().join("\n");
        cut.push_str(&format!(
            "\n   ... ({} more diff lines)\n",
            total - MAX_LINES
        ));
        return cut;
    }
    out
}
