//! The promises of a backfill under faults a production database brings:
//! a user without a privilege, the live collectors writing while a fill
//! runs, and many `migrate up` processes killed at random (locks held by
//! other writers are in faults_locks.rs). Each ends with the rows a user expects, and nothing
//! written twice or lost.

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{
    Backend, TestDb, block_on, incident_world as world, mendb_command, mendb_with, rows_as_text,
};
use mendb::db::{Db, DbUrl};

per_backend!(
    a_missing_privilege_is_named_and_resumable,
    live_collectors_keep_writing_during_a_fill,
    ten_migrate_ups_killed_at_random,
);

/// The enhanced table's content, sorted, without ids and times.
fn enhanced(db: &TestDb) -> Vec<String> {
    let cols = ["symbol", "date", "active_addresses", "nvt_ratio"];
    rows_as_text(db, "crypto_onchain_data_enhanced", &cols)
}

/// A user who may read everything but not insert into the target: the
/// error names the privilege and the table, nothing is written, and the
/// same command finishes the run after the grant.
fn a_missing_privilege_is_named_and_resumable(b: Backend) {
    if b == Backend::Sqlite {
        return; // SQLite has no users.
    }
    let Some(clean) = world(b, "privref") else {
        return;
    };
    let Some(db) = world(b, "priv") else {
        return;
    };
    clean
        .mendb(&["-q", "backfill", "run", "restore-onchain-enhanced"])
        .succeeds();
    let before = enhanced(&db);
    // The state tables exist once any plan has run.
    db.mendb(&["-q", "backfill", "run", "fill-price-gaps"])
        .succeeds();
    let user = format!("mendb_limited_{}", std::process::id());
    let state = [
        "mendb_backfill_runs",
        "mendb_backfill_steps",
        "mendb_backfill_chunks",
        "mendb_backfill_leases",
    ];
    let mut url = url::Url::parse(&db.url).unwrap();
    match b {
        Backend::Mysql => {
            for host in ["localhost", "127.0.0.1"] {
                db.exec(&format!("CREATE USER '{user}'@'{host}' IDENTIFIED BY 'pw'"));
                db.exec(&format!(
                    "GRANT SELECT ON {}.* TO '{user}'@'{host}'",
                    db.name()
                ));
                for t in state {
                    db.exec(&format!(
                        "GRANT ALL ON {}.{t} TO '{user}'@'{host}'",
                        db.name()
                    ));
                }
            }
        }
        _ => {
            db.exec(&format!("CREATE ROLE {user} LOGIN PASSWORD 'pw'"));
            db.exec(&format!(
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {user}"
            ));
            db.exec(&format!(
                "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {user}"
            ));
            for t in state {
                db.exec(&format!("GRANT ALL ON {t} TO {user}"));
            }
        }
    }
    url.set_username(&user).unwrap();
    url.set_password(Some("pw")).unwrap();
    let limited = url.to_string();
    let run = mendb_with(
        &limited,
        &["backfill", "run", "restore-onchain-enhanced"],
        &[],
    );
    let drop_user = || match b {
        Backend::Mysql => {
            for host in ["localhost", "127.0.0.1"] {
                db.exec(&format!("DROP USER IF EXISTS '{user}'@'{host}'"));
            }
        }
        _ => {
            db.exec(&format!(
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {user}"
            ));
            db.exec(&format!(
                "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {user}"
            ));
            db.exec(&format!("DROP ROLE IF EXISTS {user}"));
        }
    };
    let denied = match b {
        Backend::Mysql => "command denied to user",
        _ => "permission denied for table crypto_onchain_data_enhanced",
    };
    if !run.stderr.contains(denied) || ![11, 12].contains(&run.code) {
        drop_user();
        panic!("expected a refusal naming the privilege:\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("crypto_onchain_data_enhanced"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("pw@"),
        "the password leaked: {}",
        run.stderr
    );
    assert_eq!(enhanced(&db), before, "something was written");
    match b {
        Backend::Mysql => {
            for host in ["localhost", "127.0.0.1"] {
                db.exec(&format!(
                    "GRANT INSERT, UPDATE ON {}.crypto_onchain_data_enhanced TO '{user}'@'{host}'",
                    db.name()
                ));
            }
        }
        _ => db.exec(&format!(
            "GRANT INSERT, UPDATE ON crypto_onchain_data_enhanced TO {user}"
        )),
    }
    let again = mendb_with(
        &limited,
        &["backfill", "run", "restore-onchain-enhanced"],
        &[],
    );
    drop_user();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(enhanced(&db), enhanced(&clean));
}

/// The live collectors insert current prices while the gap fill runs with
/// two workers: every collector row is there unchanged, no bucket has two
/// rows, and the fill wrote what it writes on a quiet database.
fn live_collectors_keep_writing_during_a_fill(b: Backend) {
    let Some(quiet) = world(b, "livequiet") else {
        return;
    };
    let Some(db) = world(b, "live") else {
        return;
    };
    quiet
        .mendb(&["-q", "backfill", "run", "fill-price-gaps"])
        .succeeds();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (url, stop) = (db.url.clone(), stop.clone());
        std::thread::spawn(move || {
            block_on(async {
                let mut conn = Db::connect(&DbUrl::parse(&url).unwrap(), Duration::ZERO)
                    .await
                    .unwrap();
                if url.starts_with("sqlite") {
                    // Like any SQLite application, it waits its turn.
                    conn.execute_script("PRAGMA busy_timeout = 30000")
                        .await
                        .unwrap();
                }
                let mut written = 0u32;
                // After T0, on the 5-minute grid: what the collector writes
                // once it works again. The two writers take turns per row.
                while !stop.load(Ordering::SeqCst) || written < 20 {
                    let at = chrono::NaiveDate::from_ymd_opt(2025, 9, 30)
                        .unwrap()
                        .and_hms_opt(12, 0, 0)
                        .unwrap()
                        + chrono::Duration::minutes(i64::from(written / 2) * 5);
                    let sql = format!(
                        "INSERT INTO price_data_real (symbol, timestamp, current_price, volume_24h) \
                         VALUES ('{}', '{}', {}.5, 1000)",
                        ["BTC", "ETH"][written as usize % 2],
                        at.format("%Y-%m-%d %H:%M:%S"),
                        written
                    );
                    conn.execute_script(&sql).await.unwrap();
                    written += 1;
                    tokio::time::sleep(Duration::from_millis(15)).await;
                }
                conn.close().await;
                written
            })
        })
    };
    let run = db.mendb(&["backfill", "run", "fill-price-gaps", "--workers", "2"]);
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().unwrap();
    run.succeeds();
    // Every collector row, unchanged.
    let live: i64 = db.scalar(
        "SELECT COUNT(*) FROM price_data_real WHERE volume_24h = 1000 AND data_source IS NULL \
         AND timestamp >= '2025-09-30 12:00:00'",
    );
    assert_eq!(live, i64::from(written));
    // No bucket twice.
    let twice = db.scalar(
        "SELECT COUNT(*) FROM (SELECT symbol, timestamp FROM price_data_real \
         GROUP BY symbol, timestamp HAVING COUNT(*) > 1) d",
    );
    assert_eq!(twice, 0);
    // The fill wrote exactly what it writes on a quiet database.
    let filled =
        |d: &TestDb| d.scalar("SELECT COUNT(*) FROM price_data_real WHERE data_source IS NOT NULL");
    assert_eq!(filled(&db), filled(&quiet));
}

/// Ten `migrate up` at once, several killed with SIGKILL at random
/// moments, then one more run: the history holds each migration once, in
/// order, and the schema is the full one. On MariaDB, where DDL commits as
/// it goes, a kill inside a migration may leave it dirty instead: then the
/// next run refuses by naming it, never guesses.
fn ten_migrate_ups_killed_at_random(b: Backend) {
    let Some(reference) = TestDb::new(b, "migref") else {
        return;
    };
    let Some(db) = TestDb::new(b, "migkill") else {
        return;
    };
    reference.mendb(&["-q", "migrate", "up"]).succeeds();
    // A fixed sequence of "random" delays, so a failure can be replayed.
    let mut seed: u64 = 0x5eed_1234;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut children: Vec<_> = (0..10)
        .map(|_| {
            mendb_command(&db.url, &["-q", "migrate", "up"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children.iter_mut() {
        if next() % 2 == 0 {
            std::thread::sleep(Duration::from_millis(next() % 150));
            let _ = child.kill();
        }
    }
    for mut child in children {
        let _ = child.wait();
    }
    let last = db.mendb(&["migrate", "up"]);
    let versions = db.history_versions();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]) && versions.iter().all(|v| (1..=4).contains(v)),
        "history is not a clean sequence: {versions:?}"
    );
    if b == Backend::Mysql && last.code == 6 {
        last.stderr_has("database is dirty");
        return;
    }
    last.succeeds();
    assert_eq!(versions, [1, 2, 3, 4]);
    assert_eq!(
        db.schema(),
        reference.schema(),
        "the schema is not the full one"
    );
}
