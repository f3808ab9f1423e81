//! The command line as shells and manuals see it: one name per idea with
//! the older spellings hidden, completion scripts that complete, manual
//! pages that render. Needs no database.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Backend, TestDb};

fn mendb(args: &[&str]) -> common::Run {
    let out = Command::new(env!("CARGO_BIN_EXE_mendb"))
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .expect("run mendb");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A tool the test needs: missing is a skip that says so, except in CI,
/// whose job installs it.
fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is not installed; .ci/run installs it"
        );
        eprintln!("SKIPPED the {tool} check: {tool} is not installed");
    }
    found
}

#[test]
fn one_name_per_idea_and_the_old_spellings_are_hidden() {
    for (command, new, old) in [
        (&["migrate", "baseline"][..], "--to <V>", "--version"),
        (&["migrate", "repair"][..], "--restart", "--rerun"),
        (&["report"][..], "--until <TIME>", "--at"),
    ] {
        let help = mendb(&[command, &["--help"][..]].concat());
        help.succeeds().stdout_has(new);
        assert!(
            !help.stdout.contains(&format!("{old} ")) && !help.stdout.contains(&format!("{old}\n")),
            "{command:?} --help shows {old}:\n{}",
            help.stdout
        );
    }
    mendb(&["report", "--help"]).stdout_has("--since <TIME>");
    mendb(&["backfill", "run", "--help"]).stdout_has("--restart");
    mendb(&["gaps", "--help"])
        .stdout_has("--since <TIME>")
        .stdout_has("--until <TIME>");
    // The old spellings still parse (the database is what stops them here).
    for old in [
        &["migrate", "baseline", "--version", "1"][..],
        &["migrate", "repair", "--rerun"],
        &["report", "--at", "2025-09-30T12:00:00Z"],
    ] {
        mendb(old).fails_with(2).stderr_has("no database given");
    }
}

#[test]
fn the_old_repair_spelling_does_what_the_new_one_does() {
    let db = TestDb::new(Backend::Sqlite, "rerun_alias").unwrap();
    db.mendb(&["migrate", "up", "--to", "1"]).succeeds();
    for flag in ["--restart", "--rerun"] {
        db.mendb(&["migrate", "repair", flag])
            .succeeds()
            .stdout_has("Nothing to repair");
    }
}

#[test]
fn bash_completes_commands_subcommands_and_flags() {
    if !have("bash") {
        return;
    }
    let script = mendb(&["completions", "bash"]);
    script.succeeds();
    let dir = TestDb::new(Backend::Sqlite, "bash_completion").unwrap();
    let file = dir.dir.join("mendb.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    // What bash's programmable completion hands the function on TAB.
    let complete = |words: &[&str]| -> Vec<String> {
        let cword = words.len() - 1;
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let line = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={cword}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
             _mendb mendb '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display(),
            quoted.join(" "),
            words.join(" "),
            words[cword],
            words[cword.saturating_sub(1)],
        );
        let out = Command::new("bash").arg("-c").arg(line).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let top = complete(&["mendb", ""]);
    for c in [
        "migrate",
        "backfill",
        "init",
        "completions",
        "man",
        "config",
    ] {
        assert!(top.contains(&c.to_string()), "{c} not offered: {top:?}");
    }
    assert_eq!(complete(&["mendb", "ba"]), ["backfill"]);
    let migrate = complete(&["mendb", "migrate", ""]);
    for c in ["up", "down", "status", "baseline", "repair", "new"] {
        assert!(migrate.contains(&c.to_string()), "{c}: {migrate:?}");
    }
    let flags = complete(&["mendb", "migrate", "up", "--lo"]);
    assert!(flags.contains(&"--lock-timeout".to_string()), "{flags:?}");
    assert!(flags.contains(&"--log-format".to_string()), "{flags:?}");
    assert!(!flags.contains(&"--to".to_string()), "{flags:?}");
}

#[test]
fn zsh_fish_and_powershell_scripts_name_every_command_and_parse() {
    for (shell, check) in [
        ("zsh", Some(&["zsh", "-n"][..])),
        ("fish", Some(&["fish", "--no-execute"][..])),
        ("powershell", None),
    ] {
        let script = mendb(&["completions", shell]);
        script.succeeds();
        // fish writes long flags without their dashes (`-l lock-timeout`).
        for word in ["migrate", "backfill", "lock-timeout", "database-url"] {
            assert!(script.stdout.contains(word), "{shell}: no {word}");
        }
        let Some(check) = check else { continue };
        if !have(check[0]) {
            continue;
        }
        let dir = TestDb::new(Backend::Sqlite, "completion_parse").unwrap();
        let file = dir.dir.join(format!("mendb.{shell}"));
        std::fs::write(&file, &script.stdout).unwrap();
        let out = Command::new(check[0])
            .args(&check[1..])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{shell} rejects the script: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    mendb(&["completions", "tcsh"])
        .fails_with(2)
        .stderr_has("tcsh");
}

/// The page rendered as a person reads it, and what groff complained of.
fn render(page: &Path) -> (String, String) {
    let out = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww"])
        .arg(page)
        .env("GROFF_NO_SGR", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).replace(['\u{2010}', '\u{2212}'], "-");
    // Overstrikes (bold, underline) as the plain letters.
    let mut plain = String::new();
    for c in text.chars() {
        if c == '\u{8}' {
            plain.pop();
        } else {
            plain.push(c);
        }
    }
    // Justified lines stretch the spaces between words.
    let plain = plain
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    (plain, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn man_pages_render_for_every_command() {
    if !have("groff") {
        return;
    }
    let dir = TestDb::new(Backend::Sqlite, "man").unwrap();
    let page = dir.dir.join("mendb.1");
    let printed = mendb(&["man"]);
    printed.succeeds();
    std::fs::write(&page, &printed.stdout).unwrap();
    let (text, warnings) = render(&page);
    assert!(warnings.is_empty(), "{warnings}");
    for want in [
        "NAME",
        "SYNOPSIS",
        "migrate",
        "backfill",
        "init",
        "--verbose",
    ] {
        assert!(text.contains(want), "mendb.1 lacks {want}:\n{text}");
    }

    let out = dir.dir.join("man1");
    mendb(&["man", "--output", out.to_str().unwrap()])
        .succeeds()
        .stdout_has("mendb-migrate-up.1");
    for (name, want) in [
        ("mendb-migrate-up", "--lock-timeout"),
        ("mendb-migrate-baseline", "--to <V>"),
        ("mendb-backfill-run", "--workers"),
        ("mendb-init", "--dialect"),
        ("mendb-schema-dump", "--write"),
        ("mendb-completions", "powershell"),
    ] {
        let (text, warnings) = render(&out.join(format!("{name}.1")));
        assert!(warnings.is_empty(), "{name}: {warnings}");
        assert!(text.contains(want), "{name}.1 lacks {want}:\n{text}");
        assert!(
            text.contains(&name.replace('-', " ")),
            "{name}.1 synopsis:\n{text}"
        );
    }
}

#[test]
fn a_plans_window_is_spelled_as_in_gaps_and_report() {
    let db = common::incident_world(Backend::Sqlite, "plan_window").unwrap();
    let dry = |window: &[&str]| {
        let mut json = db
            .mendb(
                &[
                    &[
                        "backfill",
                        "run",
                        "fill-price-gaps",
                        "--dry-run",
                        "--format",
                        "json",
                    ][..],
                    window,
                ]
                .concat(),
            )
            .succeeds()
            .json();
        // Only the timing differs between two dry runs of one plan.
        json.as_object_mut().unwrap().remove("elapsed_ms");
        json
    };
    let flags = dry(&[
        "--since",
        "2025-09-29 00:00:00",
        "--until",
        "2025-09-29 06:00:00",
    ]);
    let sets = dry(&[
        "--set",
        "since=2025-09-29 00:00:00",
        "--set",
        "until=2025-09-29 06:00:00",
    ]);
    assert_eq!(flags, sets);
    assert_ne!(flags, dry(&[]), "the window changes what would run");
    db.mendb(&[
        "backfill",
        "run",
        "fill-price-gaps",
        "--dry-run",
        "--since",
        "2025-09-29",
        "--set",
        "since=2025-09-28",
    ])
    .fails_with(2)
    .stderr_has("--since and --set since=... both give the plan's since");
}

/// Every date followed by a time in `text`, as written: from the date to
/// the end of the run of time characters.
fn times_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i + 13 <= b.len() {
        let date = digits(i, 4)
            && b[i + 4] == b'-'
            && digits(i + 5, 2)
            && b[i + 7] == b'-'
            && digits(i + 8, 2)
            && (i == 0 || !b[i - 1].is_ascii_digit());
        if date && matches!(b[i + 10], b' ' | b'T') && digits(i + 11, 2) {
            let end = (i + 11..b.len())
                .find(|&j| !(b[j].is_ascii_digit() || b":.Z".contains(&b[j])))
                .unwrap_or(b.len());
            found.push(text[i..end].to_string());
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn every_time_a_person_reads_is_written_one_way() {
    let db = common::incident_world(Backend::Sqlite, "one_time_style").unwrap();
    db.mendb(&["migrate", "up"]).succeeds();
    let window = [
        "--since",
        "2025-09-29T00:00:00Z",
        "--until",
        "2025-09-29T06:00:00Z",
    ];
    db.mendb(&[&["backfill", "run", "fill-price-gaps"][..], &window].concat())
        .succeeds();
    let outputs = [
        db.mendb(&["migrate", "status"]).succeeds().stdout.clone(),
        db.mendb(
            &[
                &["gaps", "--table", "price_data_real", "--every", "5m"][..],
                &window,
            ]
            .concat(),
        )
        .succeeds()
        .stdout
        .clone(),
        db.mendb(&["report", "--until", "2025-09-30T12:00:00Z"])
            .succeeds()
            .stdout
            .clone(),
        db.mendb(&["backfill", "status", "fill-price-gaps"])
            .succeeds()
            .stdout
            .clone(),
    ];
    for text in &outputs {
        let times = times_in(text);
        assert!(!times.is_empty(), "no time in:\n{text}");
        for t in times {
            assert!(
                t.len() == 20 && t.as_bytes()[10] == b'T' && t.ends_with('Z'),
                "{t:?} is not written as 2025-09-30T06:06:03Z in:\n{text}"
            );
        }
    }
}
