//! Damaged backfill state, on all three databases: fill-price-gaps is run
//! part of the way on the incident world and stopped, then its state rows
//! are tampered with as an operator's stray SQL or a broken tool would. For
//! each damage, the next run either repairs what the data settles and ends
//! as an uninterrupted run does, or refuses with exit 9, naming the run, the
//! step and the row, with nothing written; the command it suggests, typed
//! as shown, then ends as an uninterrupted run does. `backfill status`
//! shows the damage beforehand. A lease held elsewhere is waited on, with
//! its holder named every few seconds, until its session ends, it expires,
//! or the operator frees it as the message says.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{Backend, TestDb, block_on, incident_world, mendb_command, rows_as_text};

per_backend!(
    deleted_steps_are_refused_and_restart_recovers,
    a_deleted_step_that_never_started_is_recreated,
    a_cursor_with_too_few_values_is_refused_without_a_panic,
    a_cursor_value_of_the_wrong_type_is_refused,
    an_unknown_done_value_is_refused,
    a_lease_with_bad_keys_is_refused_without_a_panic,
    a_lease_held_by_a_live_session_is_waited_on_aloud,
    a_lease_without_a_session_is_waited_on_until_restart,
    a_lease_without_a_session_is_freed_by_the_suggested_sql,
    a_lease_of_a_run_that_does_not_exist_is_deleted,
    negative_counters_are_recounted_from_the_chunk_log,
    a_finished_run_with_an_open_step_is_shown_and_rerun,
);

const PLAN: &str = "fill-price-gaps";

/// price_data_real without what differs between two equal runs by
/// construction (ids, creation times).
const CONTENT: [&str; 7] = [
    "symbol",
    "timestamp",
    "current_price",
    "close",
    "volume_24h",
    "market_cap",
    "data_source",
];

/// `SUM(expr)` as an integer on every backend (MariaDB and PostgreSQL sum
/// integers into decimals).
fn sum(db: &TestDb, expr: &str) -> String {
    let ty = match db.backend {
        Backend::Mysql => "SIGNED",
        _ => "BIGINT",
    };
    format!("CAST(COALESCE(SUM({expr}), 0) AS {ty})")
}

fn content(db: &TestDb) -> Vec<String> {
    rows_as_text(db, "price_data_real", &CONTENT)
}

/// What an uninterrupted run leaves in price_data_real, once per backend.
fn uninterrupted(b: Backend) -> &'static [String] {
    static REFS: [OnceLock<Vec<String>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match b {
        Backend::Sqlite => 0,
        Backend::Mysql => 1,
        Backend::Postgres => 2,
    };
    REFS[slot].get_or_init(|| {
        let db = incident_world(b, "tamperref").expect("the backend answered a moment ago");
        db.mendb(&["-q", "backfill", "run", PLAN]).succeeds();
        content(&db)
    })
}

/// A mendb process with its stderr read line by line.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(db: &TestDb, args: &[&str]) -> Running {
        let mut child = mendb_command(&db.url, args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mendb");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line that satisfies `want`, within `limit`.
    fn line(&mut self, limit: Duration, want: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return Some(line);
                    }
                }
                Err(_) => {
                    if self.child.try_wait().ok().flatten().is_some() {
                        return None;
                    }
                }
            }
        }
        None
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The exit code, or None (and the process killed) after `limit`.
    fn finish(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                return Some(status.code().unwrap_or(-1));
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            while let Ok(line) = self.lines.try_recv() {
                self.seen.push(line);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&self) -> String {
        self.seen.join("\n")
    }
}

/// The incident world with fill-price-gaps stopped by SIGINT after its
/// first committed chunk: run 1 is `interrupted`, step 0 has a cursor and
/// at least one chunk in the log, step 1 has not started.
fn partway(b: Backend, tag: &str) -> Option<TestDb> {
    let db = incident_world(b, tag)?;
    // A 5000-row chunk at 1000 rows/s leaves a 5 s pause to stop in.
    let mut run = Running::start(
        &db,
        &["backfill", "run", PLAN, "--max-rows-per-sec", "1000"],
    );
    let first = run.line(Duration::from_secs(60), |l| {
        l.trim_start().starts_with("Copy price-data-old:")
    });
    assert!(first.is_some(), "no chunk was reported:\n{}", run.stderr());
    run.signal("INT");
    assert_eq!(
        run.finish(Duration::from_secs(60)),
        Some(130),
        "{}",
        run.stderr()
    );
    assert_eq!(
        db.query("SELECT status FROM mendb_backfill_runs WHERE id = 1")[0][0].as_deref(),
        Some("interrupted")
    );
    assert!(
        db.scalar("SELECT COUNT(*) FROM mendb_backfill_chunks WHERE run_id = 1 AND step_index = 0")
            >= 1
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM mendb_backfill_chunks WHERE run_id = 1 AND step_index = 1"),
        0
    );
    Some(db)
}

fn cursor(db: &TestDb) -> Vec<String> {
    let text = db
        .query("SELECT cursor_key FROM mendb_backfill_steps WHERE run_id = 1 AND step_index = 0")
        [0][0]
        .clone()
        .expect("a cursor after the first chunk");
    serde_json::from_str(&text).unwrap()
}

fn set_cursor(db: &TestDb, values: &[&str]) {
    let json = serde_json::to_string(values).unwrap();
    db.exec(&format!(
        "UPDATE mendb_backfill_steps SET cursor_key = '{json}' WHERE run_id = 1 AND step_index = 0"
    ));
}

/// The command a message gives between backticks that holds `marker`, as
/// arguments (without the leading `mendb`).
fn suggested(message: &str, marker: &str) -> Vec<String> {
    let quoted = message
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|q| q.contains(marker))
        .unwrap_or_else(|| panic!("no `...{marker}...` command in:\n{message}"));
    let words: Vec<String> = quoted.split_whitespace().map(str::to_string).collect();
    assert_eq!(words[0], "mendb", "{quoted}");
    words[1..].to_vec()
}

/// Runs the suggested `--restart` command as printed and checks that it
/// ends as an uninterrupted run does.
fn restart_as_suggested(db: &TestDb, message: &str) {
    let args = suggested(message, "--restart");
    assert_eq!(
        args,
        ["backfill", "run", PLAN, "--restart"],
        "suggested command"
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    db.mendb(&refs)
        .succeeds()
        .stdout_has("Finished plan fill-price-gaps (run 2)");
    assert_eq!(content(db), uninterrupted(db.backend), "after {args:?}");
    assert_eq!(
        db.query("SELECT status FROM mendb_backfill_runs WHERE id = 1")[0][0].as_deref(),
        Some("abandoned")
    );
    // The damaged run is history now: it blocks nothing.
    db.mendb(&["-q", "backfill", "run", PLAN]).succeeds();
}

/// A refused run: exit 9, every fragment in its message, nothing written.
fn refused(db: &TestDb, fragments: &[&str]) -> String {
    let before = content(db);
    let run = db.mendb(&["backfill", "run", PLAN]);
    run.fails_with(9);
    for f in fragments {
        run.stderr_has(f);
    }
    assert_eq!(content(db), before, "a refused run wrote rows");
    run.stderr.clone()
}

fn status_shows(db: &TestDb, fragments: &[&str]) {
    let status = db.mendb(&["backfill", "status", PLAN]);
    status.succeeds();
    for f in fragments {
        status.stdout_has(f);
    }
}

fn deleted_steps_are_refused_and_restart_recovers(b: Backend) {
    let Some(db) = partway(b, "tsteps") else {
        return;
    };
    db.exec("DELETE FROM mendb_backfill_steps WHERE run_id = 1");
    status_shows(&db, &["step 0 `price-data-old`", "missing", "--restart"]);
    let message = refused(
        &db,
        &[
            "run 1",
            "step 0 `price-data-old`",
            "mendb_backfill_steps",
            "run_id = 1 AND step_index = 0",
            "missing",
        ],
    );
    restart_as_suggested(&db, &message);
}

fn a_deleted_step_that_never_started_is_recreated(b: Backend) {
    let Some(db) = partway(b, "tstep1") else {
        return;
    };
    db.exec("DELETE FROM mendb_backfill_steps WHERE run_id = 1 AND step_index = 1");
    status_shows(&db, &["step 1 `ohlc-close`", "missing"]);
    let run = db.mendb(&["backfill", "run", PLAN]);
    run.succeeds()
        .stderr_has("Repaired")
        .stderr_has("step 1 `ohlc-close`")
        .stderr_has("run_id = 1 AND step_index = 1")
        .stdout_has("(run 1, resumed)");
    assert_eq!(content(&db), uninterrupted(b));
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM mendb_backfill_steps WHERE run_id = 1 AND done = 1"),
        2
    );
}

fn a_cursor_with_too_few_values_is_refused_without_a_panic(b: Backend) {
    let Some(db) = partway(b, "tarity") else {
        return;
    };
    let c = cursor(&db);
    set_cursor(&db, &[&c[0], &c[1]]);
    status_shows(&db, &["step 0 `price-data-old`", "2 value(s)", "3"]);
    let message = refused(
        &db,
        &[
            "run 1",
            "step 0 `price-data-old`",
            "run_id = 1 AND step_index = 0",
            "cursor_key",
            "2 value(s)",
        ],
    );
    restart_as_suggested(&db, &message);
}

fn a_cursor_value_of_the_wrong_type_is_refused(b: Backend) {
    let Some(db) = partway(b, "ttype") else {
        return;
    };
    let c = cursor(&db);
    set_cursor(&db, &[&c[0], &c[1], "x1"]);
    status_shows(&db, &["step 0 `price-data-old`", "`x1`", "id"]);
    let message = refused(
        &db,
        &[
            "run 1",
            "step 0 `price-data-old`",
            "run_id = 1 AND step_index = 0",
            "cursor_key",
            "`x1`",
            "`id`",
        ],
    );
    restart_as_suggested(&db, &message);
}

fn an_unknown_done_value_is_refused(b: Backend) {
    let Some(db) = partway(b, "tdone") else {
        return;
    };
    db.exec("UPDATE mendb_backfill_steps SET done = 7 WHERE run_id = 1 AND step_index = 0");
    status_shows(&db, &["step 0 `price-data-old`", "done"]);
    let message = refused(
        &db,
        &[
            "run 1",
            "step 0 `price-data-old`",
            "run_id = 1 AND step_index = 0",
            "done",
            "7",
        ],
    );
    restart_as_suggested(&db, &message);
}

fn a_lease_with_bad_keys_is_refused_without_a_panic(b: Backend) {
    let Some(db) = partway(b, "tlkeys") else {
        return;
    };
    // An expired lease, as a killed worker leaves it, whose upper key lost
    // a value: the next worker would take it over at once.
    let c = cursor(&db);
    let from = serde_json::to_string(&c).unwrap();
    let to = serde_json::to_string(&[&c[0]]).unwrap();
    db.exec(&format!(
        "INSERT INTO mendb_backfill_leases (run_id, step_index, chunk_no, key_from, key_to, owner, owner_session, expires_at) \
         VALUES (1, 0, 50, '{from}', '{to}', 'gone:1:w0', NULL, 0)"
    ));
    status_shows(&db, &["chunk_no = 50", "key_to"]);
    let message = refused(
        &db,
        &[
            "run 1",
            "step 0 `price-data-old`",
            "mendb_backfill_leases",
            "run_id = 1 AND step_index = 0 AND chunk_no = 50",
            "key_to",
            "1 value(s)",
        ],
    );
    restart_as_suggested(&db, &message);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM mendb_backfill_leases"), 0);
}

/// A chunk handed out and never written, as a worker elsewhere that hangs
/// leaves it: the keys after the cursor through the last row of the next
/// symbol (so no grid point straddles its end), held by `session` until
/// far in the future. Returns the lease's chunk number.
fn foreign_lease(db: &TestDb, session: Option<i64>) -> i64 {
    let c = cursor(db);
    let ts = db.as_text("timestamp");
    let rows = db.query(&format!(
        "SELECT symbol, {ts}, {id} FROM price_data_old WHERE symbol = \
         (SELECT MIN(symbol) FROM price_data_old WHERE symbol > '{sym}') \
         ORDER BY {tsq} DESC, {id} DESC LIMIT 1",
        id = db.q("id"),
        tsq = db.q("timestamp"),
        sym = c[0]
    ));
    let to: Vec<String> = rows[0].iter().map(|v| v.clone().unwrap()).collect();
    let chunk_no =
        db.scalar("SELECT MAX(chunk_no) FROM mendb_backfill_chunks WHERE run_id = 1") + 1;
    let now = match db.backend {
        Backend::Mysql => "UNIX_TIMESTAMP()",
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)",
        Backend::Sqlite => "CAST(strftime('%s', 'now') AS INTEGER)",
    };
    let session = session.map_or("NULL".to_string(), |s| s.to_string());
    db.exec(&format!(
        "INSERT INTO mendb_backfill_leases (run_id, step_index, chunk_no, key_from, key_to, owner, owner_session, expires_at) \
         VALUES (1, 0, {chunk_no}, '{}', '{}', 'elsewhere:4242:w0', {session}, {now} + 3153600000)",
        serde_json::to_string(&c).unwrap(),
        serde_json::to_string(&to).unwrap(),
    ));
    db.exec(&format!(
        "UPDATE mendb_backfill_steps SET cursor_key = '{}' WHERE run_id = 1 AND step_index = 0",
        serde_json::to_string(&to).unwrap()
    ));
    chunk_no
}

/// A session that is alive until released: a connection of the test's own
/// on a server, a process on SQLite (whose leases name process ids).
struct Session {
    id: i64,
    release: Box<dyn FnOnce() + Send>,
}

fn live_session(db: &TestDb) -> Session {
    if db.backend == Backend::Sqlite {
        let mut child = std::process::Command::new("sleep")
            .arg("600")
            .spawn()
            .unwrap();
        return Session {
            id: i64::from(child.id()),
            release: Box::new(move || {
                let _ = child.kill();
                let _ = child.wait();
            }),
        };
    }
    let url = db.url.clone();
    let query = match db.backend {
        Backend::Mysql => "SELECT CONNECTION_ID()",
        _ => "SELECT pg_backend_pid()",
    };
    let (id_tx, id_rx) = channel();
    let (done_tx, done_rx) = channel::<()>();
    std::thread::spawn(move || {
        block_on(async {
            let mut conn =
                mendb::db::Db::connect(&mendb::db::DbUrl::parse(&url).unwrap(), Duration::ZERO)
                    .await
                    .unwrap();
            let id = conn.scalar_i64(query).await.unwrap().unwrap();
            id_tx.send(id).unwrap();
            let _ = tokio::task::spawn_blocking(move || done_rx.recv()).await;
            conn.close().await;
        })
    });
    let id = id_rx.recv().unwrap();
    Session {
        id,
        release: Box::new(move || {
            let _ = done_tx.send(());
            // The server notices the closed connection at once; give the
            // close a moment to get there.
            std::thread::sleep(Duration::from_millis(300));
        }),
    }
}

fn wait_line(line: &str) -> bool {
    line.contains("Waiting") && line.contains("elsewhere:4242:w0")
}

fn a_lease_held_by_a_live_session_is_waited_on_aloud(b: Backend) {
    let Some(db) = partway(b, "tlive") else {
        return;
    };
    let session = live_session(&db);
    let chunk = foreign_lease(&db, Some(session.id));
    status_shows(
        &db,
        &[
            "elsewhere:4242:w0",
            &format!("session {}", session.id),
            &format!("chunk_no = {chunk}"),
        ],
    );
    let mut run = Running::start(&db, &["backfill", "run", PLAN]);
    let line = run.line(Duration::from_secs(60), wait_line);
    let Some(line) = line else {
        run.finish(Duration::ZERO);
        (session.release)();
        panic!("no line named the lease's holder:\n{}", run.stderr());
    };
    assert!(line.contains(&format!("session {}", session.id)), "{line}");
    assert!(line.contains("until"), "{line}");
    // It says so again every few seconds.
    let again = run.line(Duration::from_secs(15), wait_line);
    assert!(again.is_some(), "said only once:\n{}", run.stderr());
    (session.release)();
    let code = run.finish(Duration::from_secs(90));
    assert_eq!(code, Some(0), "{}", run.stderr());
    assert_eq!(content(&db), uninterrupted(b));
    assert_eq!(db.scalar("SELECT COUNT(*) FROM mendb_backfill_leases"), 0);
}

fn a_lease_without_a_session_is_waited_on_until_restart(b: Backend) {
    let Some(db) = partway(b, "tnull") else {
        return;
    };
    let chunk = foreign_lease(&db, None);
    status_shows(
        &db,
        &[
            "elsewhere:4242:w0",
            "no session",
            &format!("chunk_no = {chunk}"),
        ],
    );
    let mut run = Running::start(&db, &["backfill", "run", PLAN]);
    let line = run.line(Duration::from_secs(60), wait_line);
    assert!(line.is_some(), "no line named the lease's holder:\n{}", {
        run.finish(Duration::ZERO);
        run.stderr()
    });
    let line = line.unwrap();
    assert!(line.contains("no session"), "{line}");
    let hint = run
        .line(Duration::from_secs(5), |l| l.contains("--restart"))
        .unwrap_or_else(|| panic!("no way out was shown:\n{}", run.stderr()));
    run.signal("INT");
    assert_eq!(
        run.finish(Duration::from_secs(60)),
        Some(130),
        "{}",
        run.stderr()
    );
    restart_as_suggested(&db, &hint);
}

fn a_lease_without_a_session_is_freed_by_the_suggested_sql(b: Backend) {
    let Some(db) = partway(b, "tsql") else {
        return;
    };
    foreign_lease(&db, None);
    let mut run = Running::start(&db, &["backfill", "run", PLAN]);
    // The way out that the wait itself gives, not the warning at the start.
    let waiting = run.line(Duration::from_secs(60), wait_line).is_some();
    let hint = run
        .line(Duration::from_secs(5), |l| {
            l.contains("UPDATE mendb_backfill_leases")
        })
        .filter(|_| waiting);
    let Some(hint) = hint else {
        run.finish(Duration::ZERO);
        panic!("no SQL to free the lease was shown:\n{}", run.stderr());
    };
    let sql = hint
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|q| q.starts_with("UPDATE mendb_backfill_leases"))
        .unwrap()
        .to_string();
    db.exec(&sql);
    let code = run.finish(Duration::from_secs(90));
    assert_eq!(code, Some(0), "{}", run.stderr());
    assert_eq!(content(&db), uninterrupted(b));
}

fn a_lease_of_a_run_that_does_not_exist_is_deleted(b: Backend) {
    let Some(db) = partway(b, "torphan") else {
        return;
    };
    // The id the next run will get: a lease left for it would hold that
    // run's first step for ever.
    let next = db.scalar("SELECT MAX(id) FROM mendb_backfill_runs") + 1;
    db.exec(&format!(
        "INSERT INTO mendb_backfill_leases (run_id, step_index, chunk_no, key_from, key_to, owner, owner_session, expires_at) \
         VALUES ({next}, 0, 1, NULL, NULL, 'stray:1:w0', NULL, 9000000000)"
    ));
    status_shows(
        &db,
        &[
            &format!("run_id = {next} AND step_index = 0 AND chunk_no = 1"),
            "does not exist",
        ],
    );
    let run = db.mendb(&["backfill", "run", PLAN]);
    run.succeeds()
        .stderr_has("Repaired")
        .stderr_has(&format!(
            "run_id = {next} AND step_index = 0 AND chunk_no = 1"
        ))
        .stderr_has(&format!("run {next} does not exist"));
    assert_eq!(content(&db), uninterrupted(b));
    assert_eq!(db.scalar("SELECT COUNT(*) FROM mendb_backfill_leases"), 0);
    // The finished plan again: a new run, which nothing holds up.
    let mut again = Running::start(&db, &["backfill", "run", PLAN]);
    assert_eq!(
        again.finish(Duration::from_secs(90)),
        Some(0),
        "{}",
        again.stderr()
    );
    assert_eq!(content(&db), uninterrupted(b));
}

fn negative_counters_are_recounted_from_the_chunk_log(b: Backend) {
    let Some(db) = partway(b, "tneg") else {
        return;
    };
    let logged = db.scalar(&format!(
        "SELECT {} FROM mendb_backfill_chunks WHERE run_id = 1 AND step_index = 0",
        sum(&db, "rows_written")
    ));
    db.exec(
        "UPDATE mendb_backfill_steps SET rows_written = -5, chunks = -1 WHERE run_id = 1 AND step_index = 0",
    );
    status_shows(&db, &["step 0 `price-data-old`", "rows_written", "-5"]);
    let run = db.mendb(&["backfill", "run", PLAN]);
    run.succeeds()
        .stderr_has("Repaired")
        .stderr_has("run_id = 1 AND step_index = 0")
        .stderr_has("rows_written")
        .stderr_has(&format!("set to {logged}"));
    assert_eq!(content(&db), uninterrupted(b));
    // The counts equal the chunk log again, so the report is true.
    let total = db.scalar(&format!(
        "SELECT {} FROM mendb_backfill_chunks WHERE run_id = 1",
        sum(&db, "rows_written")
    ));
    assert_eq!(
        db.scalar(&format!(
            "SELECT {} FROM mendb_backfill_steps WHERE run_id = 1",
            sum(&db, "rows_written")
        )),
        total
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT {} FROM mendb_backfill_steps WHERE run_id = 1",
            sum(&db, "chunks")
        )),
        db.scalar("SELECT COUNT(*) FROM mendb_backfill_chunks WHERE run_id = 1")
    );
    let written = db.scalar(
        "SELECT COUNT(*) FROM price_data_real WHERE data_source IN ('price_data_old', 'ohlc_data')",
    );
    assert_eq!(total, written, "rows written in all");
    run.stdout_has(&format!("{} rows written", grouped(written)));
}

/// `77722` as the text output writes it, `77,722`.
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn a_finished_run_with_an_open_step_is_shown_and_rerun(b: Backend) {
    let Some(db) = incident_world(b, "tfin") else {
        return;
    };
    db.mendb(&["-q", "backfill", "run", PLAN]).succeeds();
    db.exec("UPDATE mendb_backfill_steps SET done = 0 WHERE run_id = 1 AND step_index = 1");
    status_shows(
        &db,
        &[
            "step 1 `ohlc-close`",
            "run_id = 1 AND step_index = 1",
            "not done",
        ],
    );
    let status = db.mendb(&["backfill", "status", PLAN]);
    let args = suggested(&status.stdout, "backfill run");
    assert_eq!(args, ["backfill", "run", PLAN], "suggested command");
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    db.mendb(&refs).succeeds().stdout_has("(run 2)");
    assert_eq!(content(&db), uninterrupted(b));
}
