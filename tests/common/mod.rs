//! Test harness: a fresh, real database per test (a SQLite file, or a new
//! database on the local MariaDB / PostgreSQL server), the mendb binary run
//! as a user runs it, and a few queries to look at what it did.
//!
//! Server suites are skipped, visibly, when the server cannot be reached,
//! or when MENDB_TEST_MYSQL / MENDB_TEST_POSTGRES is `skip`; under CI=true
//! an unreachable server fails the test instead.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use mendb::db::introspect::{self, Schema};
use mendb::db::{Db, DbUrl, Dialect, get_string};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Mysql,
    Postgres,
}

impl Backend {
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::Sqlite => Dialect::Sqlite,
            Backend::Mysql => Dialect::Mysql,
            Backend::Postgres => Dialect::Postgres,
        }
    }

    fn admin_url(self) -> Option<(String, &'static str)> {
        match self {
            Backend::Sqlite => None,
            Backend::Mysql => Some((
                std::env::var("MENDB_TEST_MYSQL_URL")
                    .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into()),
                "MENDB_TEST_MYSQL",
            )),
            Backend::Postgres => Some((
                std::env::var("MENDB_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
                "MENDB_TEST_POSTGRES",
            )),
        }
    }
}

/// Generates one #[test] per backend for a scenario `fn name(b: Backend)`.
#[macro_export]
macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[test]
            fn sqlite() { super::$name(Backend::Sqlite) }
            #[test]
            fn mariadb() { super::$name(Backend::Mysql) }
            #[test]
            fn postgres() { super::$name(Backend::Postgres) }
        }
    )*};
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A database of its own for one test, dropped afterwards.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub dir: PathBuf,
    admin: Option<String>,
    name: String,
}

impl TestDb {
    /// `None` when the backend's server is unavailable and that is allowed.
    pub fn new(backend: Backend, tag: &str) -> Option<TestDb> {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("mendb_t_{tag}_{}_{n}", std::process::id());
        let dir = std::env::temp_dir().join(&name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let Some((admin, switch)) = backend.admin_url() else {
            return Some(TestDb {
                backend,
                url: format!("sqlite:{}", dir.join("test.db").display()),
                dir,
                admin: None,
                name,
            });
        };
        if std::env::var(switch).as_deref() == Ok("skip") {
            eprintln!("SKIPPED {backend:?} suite ({switch}=skip)");
            return None;
        }
        let created = block_on(async {
            let url = DbUrl::parse(&admin).map_err(|e| e.to_string())?;
            let mut db = Db::connect(&url, std::time::Duration::ZERO)
                .await
                .map_err(|e| e.to_string())?;
            db.execute_script(&format!("CREATE DATABASE {name}"))
                .await
                .map_err(|e| e.to_string())?;
            db.close().await;
            Ok::<_, String>(())
        });
        if let Err(e) = created {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{backend:?} server unreachable under CI=true ({admin}): {e}");
            }
            eprintln!("SKIPPED {backend:?} suite: no server at {admin}: {e}");
            return None;
        }
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Some(TestDb {
            backend,
            url: format!("{base}/{name}"),
            dir,
            admin: Some(admin),
            name,
        })
    }

    /// The database's name on its server (the SQLite file's directory name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the mendb binary against this database.
    pub fn mendb(&self, args: &[&str]) -> Run {
        mendb_with(&self.url, args, &[])
    }

    /// Runs mendb with a migrations directory of the test's own.
    /// `--migrations` is a flag of the commands that read migrations, so
    /// it goes after the command's own words.
    pub fn mendb_dir(&self, dir: &Path, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--migrations", dir.to_str().expect("utf-8 path")]);
        self.mendb(&all)
    }

    pub fn connect(&self) -> Db {
        block_on(async {
            Db::connect(
                &DbUrl::parse(&self.url).expect("url"),
                std::time::Duration::ZERO,
            )
            .await
            .expect("connect to test database")
        })
    }

    pub fn exec(&self, sql: &str) {
        block_on(async {
            let mut db = self.connect_async().await;
            db.execute_script(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            db.close().await;
        })
    }

    /// Rows as text (NULL as None).
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        block_on(async {
            let mut db = self.connect_async().await;
            let rows = db
                .fetch(sql, &[])
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            db.close().await;
            use sqlx::Row;
            rows.iter()
                .map(|r| (0..r.len()).map(|i| get_string(r, i)).collect())
                .collect()
        })
    }

    pub fn scalar(&self, sql: &str) -> i64 {
        self.query(sql)[0][0]
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{sql}: not an integer"))
    }

    /// The project's schema, without mendb's own tables.
    pub fn schema(&self) -> Schema {
        self.read_schema(false)
    }

    fn read_schema(&self, include_internal: bool) -> Schema {
        block_on(async {
            let mut db = self.connect_async().await;
            let s = introspect::read_schema(&mut db, include_internal)
                .await
                .unwrap();
            db.close().await;
            s
        })
    }

    pub fn q(&self, ident: &str) -> String {
        self.backend.dialect().quote_ident(ident)
    }

    /// Expression casting a column to text, for content comparisons.
    pub fn as_text(&self, column: &str) -> String {
        let c = self.q(column);
        match self.backend {
            Backend::Mysql => format!("COALESCE(CAST({c} AS CHAR), 'NULL')"),
            Backend::Postgres => format!("COALESCE({c}::text, 'NULL')"),
            Backend::Sqlite => format!("COALESCE(CAST({c} AS TEXT), 'NULL')"),
        }
    }

    /// Every row of `table`, each as one line of its columns' text, sorted.
    pub fn table_rows(&self, table: &str) -> Vec<String> {
        let schema = self.read_schema(true);
        let columns = &schema
            .tables
            .get(table)
            .unwrap_or_else(|| panic!("no table {table}"))
            .columns;
        let concat: Vec<String> = columns.iter().map(|c| self.as_text(&c.name)).collect();
        let sep = match self.backend {
            Backend::Mysql => ", '|', ",
            _ => " || '|' || ",
        };
        let expr = match self.backend {
            Backend::Mysql => format!("CONCAT({})", concat.join(sep)),
            _ => concat.join(sep),
        };
        let mut rows: Vec<String> = self
            .query(&format!("SELECT {expr} FROM {}", self.q(table)))
            .into_iter()
            .map(|r| r[0].clone().unwrap_or_default())
            .collect();
        rows.sort();
        rows
    }

    pub async fn connect_async(&self) -> Db {
        Db::connect(
            &DbUrl::parse(&self.url).expect("url"),
            std::time::Duration::ZERO,
        )
        .await
        .expect("connect to the test database")
    }

    /// Runs `f` while another connection holds the named mendb lock, as a
    /// concurrent mendb would, and returns what `f` returned.
    pub fn while_locked<T>(&self, lock: &str, f: impl FnOnce() -> T) -> T {
        block_on(async {
            let mut holder = self.connect_async().await;
            let out = mendb::db::lock::with_lock(
                &mut holder,
                &mendb::db::lock::LockName(lock.into()),
                std::time::Duration::from_secs(5),
                async |_db| Ok::<_, mendb::db::DbError>(f()),
            )
            .await
            .expect("take the lock");
            holder.close().await;
            out
        })
    }

    /// Writes a migrations directory for this test: `files` are
    /// (file name, SQL) pairs placed in dir/<dialect>/.
    pub fn migrations(&self, files: &[(&str, &str)]) -> PathBuf {
        let root = self.dir.join("migrations");
        let dir = root.join(self.backend.dialect().dir_name());
        std::fs::create_dir_all(&dir).unwrap();
        for (name, sql) in files {
            std::fs::write(dir.join(name), sql).unwrap();
        }
        root
    }

    pub fn history_versions(&self) -> Vec<i64> {
        self.query("SELECT version FROM refinery_schema_history ORDER BY version")
            .into_iter()
            .map(|r| r[0].as_deref().unwrap().parse().unwrap())
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let Some(admin) = self.admin.clone() else {
            return;
        };
        let drop_sql = match self.backend {
            Backend::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            _ => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        // Drop runs outside any runtime: tests are synchronous.
        let _ = std::thread::spawn(move || {
            block_on(async {
                if let Ok(url) = DbUrl::parse(&admin)
                    && let Ok(mut db) = Db::connect(&url, std::time::Duration::ZERO).await
                {
                    let _ = db.execute_script(&drop_sql).await;
                    db.close().await;
                }
            })
        })
        .join();
    }
}

/// What a mendb process did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts that mendb exited 0, showing its output if not.
    pub fn succeeds(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "mendb failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn fails_with(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{}", self.stderr);
        self
    }

    pub fn stderr_has(&self, fragment: &str) -> &Run {
        assert!(
            self.stderr.contains(fragment),
            "stderr lacks `{fragment}`:\n{}",
            self.stderr
        );
        self
    }

    pub fn stdout_has(&self, fragment: &str) -> &Run {
        assert!(
            self.stdout.contains(fragment),
            "stdout lacks `{fragment}`:\n{}",
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The URL goes in `DATABASE_URL`: `--database-url` belongs to the
/// commands that connect and would have to follow the command's words.
pub fn mendb_command(url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mendb"));
    cmd.env("DATABASE_URL", url)
        .env_remove("RUST_LOG")
        .args(args);
    cmd
}

pub fn mendb_with(url: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = mendb_command(url, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out: Output = cmd.output().expect("run mendb");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The 28 low-quality tables V3 prunes (docs/schema.md).
pub const PRUNED: [&str; 28] = [
    "price_data_test",
    "price_data_tmp",
    "price_data_backup_20250901",
    "price_data_real_backup_20250915",
    "price_data_v1",
    "ohlc_data_test",
    "ohlc_data_backup_20250820",
    "crypto_assets_backup_20250901",
    "crypto_assets_test",
    "crypto_onchain_data_v1",
    "crypto_onchain_data_tmp",
    "onchain_enhanced_test",
    "ml_features_v1",
    "ml_features_test",
    "ml_features_materialized_old",
    "ml_features_backup_20250910",
    "sentiment_data_old",
    "social_sentiment_test",
    "news_data_old",
    "crypto_news_tmp",
    "technical_indicators_v1",
    "trading_signals_test",
    "trading_signals_backup_20250825",
    "macro_indicators_old",
    "narrative_analysis_tmp",
    "collector_runs_old",
    "api_usage_log_backup_20250901",
    "price_alerts_test",
];

/// The incident world at scale 0.02, migrated to V4, in a database of its
/// own; None when the backend's server is unavailable and that is allowed.
pub fn incident_world(b: Backend, tag: &str) -> Option<TestDb> {
    let db = TestDb::new(b, tag)?;
    db.mendb(&["-q", "fixtures", "load", "--scale", "0.02"])
        .succeeds();
    db.mendb(&["-q", "migrate", "up"]).succeeds();
    Some(db)
}

/// The rows of `table` as text over `columns`, sorted: the content,
/// without ids and times that differ between two databases by
/// construction.
pub fn rows_as_text(db: &TestDb, table: &str, columns: &[&str]) -> Vec<String> {
    let exprs: Vec<String> = columns.iter().map(|c| db.as_text(c)).collect();
    let select = match db.backend {
        Backend::Mysql => format!("CONCAT_WS('|', {})", exprs.join(", ")),
        _ => exprs.join(" || '|' || "),
    };
    let mut rows: Vec<String> = db
        .query(&format!("SELECT {select} FROM {table}"))
        .into_iter()
        .map(|r| r[0].clone().unwrap_or_default())
        .collect();
    rows.sort();
    rows
}

/// A server address that accepts nothing until `start`: then it forwards
/// every connection to the real server, as a database that comes up late.
pub struct LateServer {
    /// The database URL pointing at the late address.
    pub url: String,
    port: u16,
    target: String,
}

impl LateServer {
    pub fn new(db_url: &str) -> LateServer {
        let mut url = url::Url::parse(db_url).unwrap();
        let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        url.set_port(Some(port)).unwrap();
        LateServer {
            url: url.to_string(),
            port,
            target,
        }
    }

    pub fn start(&self) {
        proxy(
            TcpListener::bind(("127.0.0.1", self.port)).unwrap(),
            self.target.clone(),
        );
    }
}

/// Forwards connections from `listener` to `target` until the test ends.
fn proxy(listener: TcpListener, target: String) {
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut c1, mut s1) = (client, server);
            std::thread::spawn(move || pipe(&mut c1, &mut s1));
            std::thread::spawn(move || pipe(&mut s2, &mut c2));
        }
    });
}

fn pipe(from: &mut TcpStream, to: &mut TcpStream) {
    let mut buf = [0u8; 16384];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// Builds V1 the way a database made before mendb was: with the
/// database's own client, from the project's V1 file.
pub fn native_v1(db: &TestDb) -> bool {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(db.backend.dialect().dir_name())
        .join("V1__baseline.sql");
    let sql = std::fs::read(&file).unwrap();
    let (base, name) = db.url.rsplit_once('/').unwrap();
    let mut cmd = match db.backend {
        Backend::Mysql => {
            let mut c = std::process::Command::new("mariadb");
            c.args([
                "--no-defaults",
                "--default-character-set=utf8mb4",
                "-h",
                "127.0.0.1",
                "-u",
                "root",
                name,
            ]);
            c
        }
        Backend::Postgres => {
            let mut c = std::process::Command::new("psql");
            c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
                .arg(format!("{base}/{name}"));
            c
        }
        Backend::Sqlite => {
            let mut c = std::process::Command::new("sqlite3");
            c.arg("-bail").arg(db.url.trim_start_matches("sqlite:"));
            c
        }
    };
    use std::io::Write;
    let Ok(mut child) = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
    else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "the native client for {:?} is not installed under CI=true",
                db.backend
            );
        }
        eprintln!("SKIPPED: no native client for {:?}", db.backend);
        return false;
    };
    child.stdin.take().unwrap().write_all(&sql).unwrap();
    assert!(child.wait().unwrap().success(), "native build of V1 failed");
    true
}

/// Asserts that mendb reports no migration applied (a refusal recorded
/// nothing).
pub fn assert_no_history(db: &TestDb, what: &str) {
    let status = db
        .mendb(&["migrate", "status", "--format", "json"])
        .succeeds()
        .json();
    assert!(
        status["current_version"].is_null(),
        "{what}: nothing may be recorded: {status}"
    );
}

/// The columns of crypto_onchain_data_enhanced and the on-chain columns of
/// ml_features_materialized that the on-chain plans write.
pub const ENHANCED: [&str; 16] = [
    "symbol",
    "date",
    "active_addresses",
    "transaction_count",
    "transaction_volume",
    "exchange_inflow",
    "exchange_outflow",
    "whale_transactions",
    "hash_rate",
    "market_cap",
    "realized_cap",
    "circulating_supply",
    "exchange_netflow",
    "nvt_ratio",
    "mvrv_ratio",
    "avg_transaction_value",
];

pub const ML: [&str; 12] = [
    "symbol",
    "timestamp",
    "onchain_active_addresses",
    "onchain_transaction_count",
    "onchain_transaction_volume",
    "onchain_exchange_inflow",
    "onchain_exchange_outflow",
    "onchain_exchange_netflow",
    "onchain_whale_transactions",
    "onchain_nvt_ratio",
    "onchain_mvrv_ratio",
    "onchain_hash_rate",
];

/// The small world of the report tests: three assets; AAA reports every 5 minutes in the last 2 hours before
/// 12:00, BBB stopped at 11:00, CCC never reported.
pub fn report_world(db: &TestDb) {
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    db.exec(
        "INSERT INTO crypto_assets (symbol, name, market_cap_rank) VALUES \
         ('AAA', 'Aaa', 1), ('BBB', 'Bbb', 2), ('CCC', 'Ccc', 3)",
    );
    let mut values = Vec::new();
    for i in 0..24 {
        let minute = i * 5;
        let ts = format!("2025-09-30 {:02}:{:02}:00", 10 + minute / 60, minute % 60);
        values.push(format!("('AAA', '{ts}', 1.5)"));
        if minute < 60 {
            values.push(format!("('BBB', '{ts}', 2.5)"));
        }
    }
    db.exec(&format!(
        "INSERT INTO price_data_real (symbol, timestamp, current_price) VALUES {}",
        values.join(", ")
    ));
    // Four base on-chain rows, one of them enhanced.
    db.exec(
        "INSERT INTO crypto_onchain_data (symbol, date, active_addresses) VALUES \
         ('AAA', '2025-09-28', 10), ('AAA', '2025-09-29', 11), ('BBB', '2025-09-28', 12), ('BBB', '2025-09-29', 13)",
    );
    db.exec(
        "INSERT INTO crypto_onchain_data_enhanced (symbol, date, active_addresses) VALUES ('AAA', '2025-09-29', 11)",
    );
    // Two ML rows: one with price and one on-chain value set.
    db.exec(
        "INSERT INTO ml_features_materialized (symbol, timestamp, price, onchain_active_addresses) VALUES \
         ('AAA', '2025-09-30 10:00:00', 1.5, 11), ('BBB', '2025-09-30 10:00:00', NULL, NULL)",
    );
}
