//! What `backfill run` and `backfill status` tell a person: progress that
//! counts the run's totals across a resume and names the step's kind, an
//! ETA only when it is known, the state a stopped or killed run is really
//! in, and a dry run laid out for review with its bound values.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, TestDb, incident_world as world, mendb_command};

per_backend!(
    a_resumed_run_counts_its_totals_and_shows_honest_etas,
    status_shows_the_state_a_stopped_or_killed_run_is_in,
    an_update_step_is_labelled_update,
    a_dry_run_is_laid_out_with_its_values,
);

/// Starts `args` and collects stderr until a line matches `want` (which
/// is returned) or the process ends.
fn start_until(db: &TestDb, args: &[&str], want: &str) -> (Child, Vec<String>) {
    let mut child = mendb_command(&db.url, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let hit = line.trim_start().starts_with(want);
                seen.push(line);
                if hit {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(_) => break,
        }
    }
    (child, seen)
}

fn signal(child: &Child, sig: &str) {
    std::process::Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap();
}

const SLOW: [&str; 5] = [
    "backfill",
    "run",
    "fill-price-gaps",
    "--max-rows-per-sec",
    "2000",
];

/// Numbers of a `5,000/57,510` or `written 4,210` text.
fn number(text: &str) -> u64 {
    text.trim_matches(|c: char| !c.is_ascii_digit())
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text}"))
}

/// scanned, total (unless the walk went past its estimate) and written of
/// a `Copy step: a/b p%; written w; ...` line.
fn figures(line: &str) -> (u64, Option<u64>, u64) {
    let after = line.split_once(": ").unwrap().1;
    let written = after
        .split("written ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    match after
        .split_once('/')
        .filter(|_| !after.contains(" scanned, more than estimated"))
    {
        Some((done, rest)) => {
            let total = rest
                .split_whitespace()
                .find(|w| w.chars().any(|c| c.is_ascii_digit()))
                .unwrap();
            (number(done), Some(number(total)), number(written))
        }
        None => {
            let done = after.split(" scanned").next().unwrap();
            (number(done), None, number(written))
        }
    }
}

fn a_resumed_run_counts_its_totals_and_shows_honest_etas(b: Backend) {
    let Some(db) = world(b, "ux_resume") else {
        return;
    };
    let (mut child, first) = start_until(&db, &SLOW, "Copy price-data-old:");
    assert!(
        first
            .last()
            .is_some_and(|l| l.contains("Copy price-data-old:")),
        "{first:?}"
    );
    signal(&child, "INT");
    assert_eq!(child.wait().unwrap().code(), Some(130));

    let resumed = db.mendb(&["backfill", "run", "fill-price-gaps"]);
    resumed.succeeds();
    let lines: Vec<&str> = resumed.stderr.lines().collect();
    let start = lines
        .iter()
        .find(|l| l.contains("Resuming step price-data-old (copy):"))
        .unwrap_or_else(|| panic!("{}", resumed.stderr));
    let earlier = start
        .split_once('(')
        .and_then(|(_, r)| r.rsplit_once('(').map(|(_, e)| e))
        .unwrap_or_else(|| panic!("{start}"));
    assert!(earlier.contains("scanned and"), "{start}");
    let scanned_before = number(earlier.split(" scanned").next().unwrap());
    assert!(scanned_before > 0, "{start}");
    let chunk = lines
        .iter()
        .find(|l| l.trim_start().starts_with("Copy price-data-old:"))
        .unwrap_or_else(|| panic!("{}", resumed.stderr));
    let (scanned, total, written) = figures(chunk);
    assert!(
        scanned > scanned_before,
        "the run's scanned rows include the earlier attempt's: {chunk}"
    );
    assert!(written <= scanned, "more written than scanned: {chunk}");
    assert!(total.is_none_or(|t| scanned <= t), "{chunk}");
    for line in lines.iter().filter(|l| l.contains("ETA")) {
        let eta = line.split("ETA ").nth(1).unwrap();
        assert!(!eta.starts_with("0 ") && !eta.starts_with("0s"), "{line}");
        let (s, t, _) = figures(line);
        let t = t.unwrap_or_else(|| panic!("an ETA past the estimate: {line}"));
        assert!(s < t, "an ETA with nothing left: {line}");
    }
    for line in lines.iter().filter(|l| l.contains('%')) {
        assert!(!line.contains(" %"), "{line}");
    }
}

fn status_shows_the_state_a_stopped_or_killed_run_is_in(b: Backend) {
    let Some(db) = world(b, "ux_status") else {
        return;
    };
    let (mut child, _) = start_until(&db, &SLOW, "Copy price-data-old:");
    signal(&child, "INT");
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let text = db.mendb(&["backfill", "status", "fill-price-gaps"]);
    text.succeeds()
        .stdout_has("run 1 fill-price-gaps interrupted started ")
        .stdout_has(" stopped ");
    assert!(!text.stdout.contains("finished"), "{}", text.stdout);
    // With the plan file the step's share, rate and ETA are known.
    let step = text
        .stdout
        .lines()
        .find(|l| l.contains("step 0 price-data-old"))
        .unwrap_or_else(|| panic!("{}", text.stdout));
    assert!(step.contains(" scanned ") && step.contains('%'), "{step}");
    assert!(step.contains("rows/s") && step.contains("ETA "), "{step}");

    let json = db
        .mendb(&["backfill", "status", "fill-price-gaps", "--format", "json"])
        .succeeds()
        .json();
    let run = &json[0];
    assert_eq!(run["state"], "interrupted", "{json}");
    assert_eq!(
        run["run"]["params"]["since"], "2025-09-28 12:00:00",
        "{json}"
    );
    let s0 = &run["steps"][0];
    assert!(s0["scanned"].as_u64().unwrap() > 0, "{json}");
    assert!(s0["total"].as_u64().unwrap() > s0["scanned"].as_u64().unwrap());
    assert!(s0["eta_secs"].as_u64().unwrap() >= 1, "{json}");

    // A kill leaves the run recorded as running, with no worker on it.
    let (mut child, _) = start_until(&db, &SLOW, "Copy price-data-old:");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM mendb_backfill_runs WHERE status = 'running'"),
        1
    );
    // Its lease may outlive the process on a server that keeps the
    // session a moment; it expires within --lease.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let json = db
            .mendb(&["backfill", "status", "--format", "json"])
            .succeeds()
            .json();
        if json[0]["state"] == "interrupted" {
            break;
        }
        assert_eq!(json[0]["state"], "running", "{json}");
        assert!(Instant::now() < deadline, "still running: {json}");
        std::thread::sleep(Duration::from_millis(500));
    }
    db.mendb(&["backfill", "run", "fill-price-gaps"]).succeeds();
    db.mendb(&["backfill", "status"])
        .succeeds()
        .stdout_has("run 1 fill-price-gaps finished started ");
}

fn an_update_step_is_labelled_update(b: Backend) {
    let Some(db) = world(b, "ux_kind") else {
        return;
    };
    db.mendb(&["-q", "backfill", "run", "restore-onchain-enhanced"])
        .succeeds();
    let run = db.mendb(&["backfill", "run", "refresh-ml-onchain-features"]);
    run.succeeds()
        .stderr_has("Running step set-onchain-columns (update):")
        .stderr_has("Update set-onchain-columns: ");
    assert!(!run.stderr.contains("Copy "), "{}", run.stderr);
    let finished = run
        .stderr
        .lines()
        .find(|l| l.contains("Finished step set-onchain-columns"))
        .unwrap();
    // Counts carry separators: thousands of rows are written.
    assert!(finished.contains(','), "{finished}");
}

fn a_dry_run_is_laid_out_with_its_values(b: Backend) {
    let Some(db) = world(b, "ux_dry") else { return };
    let shown = db
        .mendb(&["backfill", "run", "fill-price-gaps", "--dry-run"])
        .succeeds()
        .stdout
        .clone();
    let placeholder = if b == Backend::Postgres { "$" } else { "?" };
    for line in [
        "INSERT INTO ",
        "SELECT ",
        "FROM ",
        "LEFT JOIN ",
        "WHERE ",
        "ORDER BY ",
    ] {
        assert!(
            shown.lines().any(|l| l.trim_start().starts_with(line)),
            "no line starts with {line}:\n{shown}"
        );
    }
    assert!(
        shown.contains(&format!("-- {placeholder}1 = '2025-09-28 12:00:00'\n")),
        "{shown}"
    );
    assert!(!shown.contains("<bound>"), "{shown}");
    // A string literal is not broken over lines.
    assert!(shown.contains("'price_data_old' AS"), "{shown}");

    let file = db.dir.join("review.sql");
    let written = db.mendb(&[
        "backfill",
        "run",
        "fill-price-gaps",
        "--dry-run",
        "--output",
        file.to_str().unwrap(),
    ]);
    written
        .succeeds()
        .stdout_has(&format!("the review is in {}", file.display()));
    assert!(!written.stdout.contains("SELECT"), "{}", written.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), shown);
    db.mendb(&["backfill", "run", "fill-price-gaps", "--output", "x.sql"])
        .fails_with(2);
    assert!(
        !db.schema().tables.contains_key("mendb_backfill_runs"),
        "a dry run writes no state"
    );
}

/// Runs `mendb ARGS` with stderr on a pseudo-terminal (util-linux
/// `script`, 80 columns) and returns what the terminal received.
fn on_terminal(db: &TestDb, args: &str) -> String {
    let out = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} {args} 2>&1 >/dev/null", env!("CARGO_BIN_EXE_mendb")),
            "/dev/null",
        ])
        .env("DATABASE_URL", &db.url)
        .env("COLUMNS", "80")
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .output()
        .expect("run script");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text as a terminal shows it, frame by frame: split where the cursor
/// returns to the line's start, escape sequences removed.
fn frames(screen: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = screen.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next_if_eq(&'[').is_some() {
                while chars.next().is_some_and(|c| !c.is_ascii_alphabetic()) {}
            }
        } else {
            plain.push(c);
        }
    }
    plain
        .split(['\r', '\n'])
        .map(|f| f.trim_end().to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

#[test]
fn on_a_terminal_each_step_draws_a_bar_that_ends_full_and_never_wraps() {
    let db = world(Backend::Sqlite, "ux_bar").unwrap();
    db.mendb(&["migrate", "up"]).succeeds();
    let screen = on_terminal(&db, "backfill run fill-price-gaps");
    assert!(
        !screen.contains("\u{1b}[1A"),
        "a redraw moved up a line, so a line wrapped:\n{screen}"
    );
    let frames = frames(&screen);
    let is_bar = |f: &str| {
        let f = f.trim_start();
        ["Copy [", "Update [", "SQL ["]
            .iter()
            .any(|v| f.starts_with(v))
    };
    for f in frames.iter().filter(|f| is_bar(f)) {
        assert!(
            f.chars().count() <= 80,
            "a bar wider than the terminal: {f:?}"
        );
    }
    let finished: Vec<usize> = (0..frames.len())
        .filter(|&i| frames[i].starts_with("    Finished step "))
        .collect();
    let running = frames.iter().filter(|f| f.contains("Running step")).count();
    assert!(running > 1, "{frames:#?}");
    assert_eq!(
        finished.len(),
        running,
        "one Finished line per step:\n{frames:#?}"
    );
    for &i in &finished {
        let step = frames[i]["    Finished step ".len()..]
            .split(':')
            .next()
            .unwrap();
        let bars: Vec<&String> = frames[..i]
            .iter()
            .rev()
            .take_while(|f| !f.contains("Running step"))
            .filter(|f| f.contains(&format!("] {step}")))
            .collect();
        let Some(last) = bars.first() else {
            panic!("no bar drawn for {step}:\n{frames:#?}")
        };
        assert!(is_bar(last), "{last:?}");
        if !last.contains(&format!("] {step} 0/0")) {
            assert!(
                last.contains("[=========================]") && last.contains("100.0%"),
                "the last frame of {step} before it finished is not full: {last:?}"
            );
        }
    }
    // Redirected, the same run draws no bar.
    let db = world(Backend::Sqlite, "ux_no_bar").unwrap();
    db.mendb(&["migrate", "up"]).succeeds();
    let plain = db
        .mendb(&["backfill", "run", "fill-price-gaps"])
        .succeeds()
        .stderr
        .clone();
    assert!(!plain.contains('\r') && !plain.contains("] "), "{plain}");
}
