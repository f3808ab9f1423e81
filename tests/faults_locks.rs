//! Locks held by another writer while a backfill runs: its chunks time
//! out on the lock, are retried, and the run ends as an undisturbed one.
//! A test binary of its own: on MariaDB it lowers the server-wide
//! `innodb_lock_wait_timeout` for a moment, which must not touch other
//! tests' sessions (test binaries run one after another).

mod common;

use std::time::Duration;

use common::{Backend, TestDb, block_on, incident_world as world, rows_as_text};
use mendb::db::{Db, DbUrl};

#[test]
fn mariadb() {
    locks_held_by_another_writer_are_waited_out(Backend::Mysql);
}

#[test]
fn postgres() {
    locks_held_by_another_writer_are_waited_out(Backend::Postgres);
}

/// Holds `statements` open in one transaction for `hold`, on a connection
/// of its own; returns once the lock is taken.
/// The enhanced table's content, sorted, without ids and times.
fn enhanced(db: &TestDb) -> Vec<String> {
    let cols = ["symbol", "date", "active_addresses", "nvt_ratio"];
    rows_as_text(db, "crypto_onchain_data_enhanced", &cols)
}

fn hold_lock(url: &str, statements: Vec<String>, hold: Duration) -> std::thread::JoinHandle<()> {
    let url = url.to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        block_on(async {
            let mut db = Db::connect(&DbUrl::parse(&url).unwrap(), Duration::ZERO)
                .await
                .unwrap();
            for s in &statements {
                db.execute_script(s)
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
            tx.send(()).unwrap();
            tokio::time::sleep(hold).await;
            db.execute_script("COMMIT").await.unwrap();
            db.close().await;
        })
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("lock taken");
    handle
}

/// A writer holds the target table while the restore runs: the chunks
/// time out on the lock, are retried, and the run ends as an undisturbed
/// one does.
fn locks_held_by_another_writer_are_waited_out(b: Backend) {
    let Some(clean) = world(b, "lockref") else {
        return;
    };
    let Some(db) = world(b, "lockwait") else {
        return;
    };
    clean
        .mendb(&["-q", "backfill", "run", "restore-onchain-enhanced"])
        .succeeds();
    // Lock waits end in an error after a second, for mendb's sessions too.
    let hold: Vec<String> = match b {
        Backend::Postgres => {
            db.exec(&format!(
                "ALTER DATABASE {} SET lock_timeout = '1s'",
                db.name()
            ));
            vec![
                "BEGIN".into(),
                "LOCK TABLE crypto_onchain_data_enhanced IN SHARE MODE".into(),
            ]
        }
        _ => vec![
            "SET SESSION innodb_lock_wait_timeout = 1".into(),
            "BEGIN".into(),
            // Every record and gap of the table: no insert gets through.
            "SELECT COUNT(*) FROM crypto_onchain_data_enhanced FOR UPDATE".into(),
        ],
    };
    let _guard = (b == Backend::Mysql).then(MysqlLockWaitTimeout::set);
    let holder = hold_lock(&db.url, hold, Duration::from_secs(3));
    let run = db.mendb(&["backfill", "run", "restore-onchain-enhanced"]);
    holder.join().unwrap();
    run.succeeds();
    let code = match b {
        Backend::Postgres => "canceling statement due to lock timeout",
        _ => "1205",
    };
    assert!(
        run.stderr.contains("Retrying") && run.stderr.contains(code),
        "no retry after a lock timeout:\n{}",
        run.stderr
    );
    assert_eq!(
        enhanced(&db),
        enhanced(&clean),
        "differs from an undisturbed run"
    );
}

/// `innodb_lock_wait_timeout` of 1 s for new sessions (mendb's), restored
/// when dropped. MariaDB has no per-database setting.
struct MysqlLockWaitTimeout {
    url: String,
    before: String,
}

impl MysqlLockWaitTimeout {
    fn set() -> MysqlLockWaitTimeout {
        let url = std::env::var("MENDB_TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into());
        let before = admin_query(&url, "SELECT @@GLOBAL.innodb_lock_wait_timeout");
        admin_exec(&url, "SET GLOBAL innodb_lock_wait_timeout = 1");
        MysqlLockWaitTimeout { url, before }
    }
}

impl Drop for MysqlLockWaitTimeout {
    fn drop(&mut self) {
        admin_exec(
            &self.url,
            &format!("SET GLOBAL innodb_lock_wait_timeout = {}", self.before),
        );
    }
}

fn admin_exec(url: &str, sql: &str) {
    block_on(async {
        let mut db = Db::connect(&DbUrl::parse(url).unwrap(), Duration::ZERO)
            .await
            .unwrap();
        db.execute_script(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        db.close().await;
    })
}

fn admin_query(url: &str, sql: &str) -> String {
    block_on(async {
        let mut db = Db::connect(&DbUrl::parse(url).unwrap(), Duration::ZERO)
            .await
            .unwrap();
        let rows = db.fetch(sql, &[]).await.unwrap();
        db.close().await;
        mendb::db::get_string(&rows[0], 0).unwrap()
    })
}
