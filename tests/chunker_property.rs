//! Properties, over many generated cases (a fixed seed each, so a failure
//! can be replayed):
//! - the keyset chunker covers every key exactly once, for random key
//!   distributions: one to three key columns of integers (compared as
//!   numbers, not text), texts with quotes and non-ASCII letters, dates;
//!   long runs of one first-column value; ascending and descending order;
//!   random chunk sizes; one to three workers;
//! - the plan parser never panics on a damaged plan, and its errors name
//!   the file and, where there is one, a line that exists.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use common::{TestDb, block_on};
use mendb::backfill::{self, LoadLimits, Plan, RunOptions, Tuning};
use mendb::db::{Db, DbUrl};

/// xorshift64*: small, and the same numbers everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Int,
    Text,
    Date,
}

fn value(rng: &mut Rng, kind: Kind, spread: u64) -> String {
    match kind {
        Kind::Int => format!("{}", rng.below(spread) as i64 - (spread / 3) as i64),
        Kind::Text => {
            const PARTS: [&str; 8] = ["a", "B", "o'k", "é", "zz", "10", "9", ""];
            let n = 1 + rng.below(3);
            (0..n)
                .map(|_| PARTS[rng.below(PARTS.len() as u64) as usize])
                .collect()
        }
        Kind::Date => format!("2025-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
    }
}

fn literal(kind: Kind, v: &str) -> String {
    match kind {
        Kind::Int => v.to_string(),
        Kind::Text | Kind::Date => format!("'{}'", v.replace('\'', "''")),
    }
}

fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Int => "INTEGER",
        Kind::Text | Kind::Date => "TEXT",
    }
}

#[test]
fn chunks_cover_every_key_exactly_once() {
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let columns = 1 + rng.below(3) as usize;
        let kinds: Vec<Kind> = (0..columns)
            .map(|_| [Kind::Int, Kind::Text, Kind::Date][rng.below(3) as usize])
            .collect();
        // A narrow first column makes long runs of one value, which a
        // chunk boundary must split correctly.
        let spreads: Vec<u64> = (0..columns)
            .map(|i| {
                if i == 0 && columns > 1 {
                    1 + rng.below(4)
                } else {
                    5 + rng.below(400)
                }
            })
            .collect();
        let rows = 1 + rng.below(600) as usize;
        let mut keys = BTreeSet::new();
        for _ in 0..rows {
            let key: Vec<String> = kinds
                .iter()
                .zip(&spreads)
                .map(|(k, s)| value(&mut rng, *k, *s))
                .collect();
            keys.insert(key);
        }
        let desc = rng.below(2) == 1;
        let chunk = 1 + rng.below(60);
        let workers = 1 + rng.below(3) as usize;
        let case = format!(
            "seed {seed}: {} keys of {kinds:?}, chunk {chunk}, {}, {workers} worker(s)",
            keys.len(),
            if desc { "desc" } else { "asc" }
        );

        let db = TestDb::new(common::Backend::Sqlite, "prop").unwrap();
        let names: Vec<String> = (0..columns).map(|i| format!("k{i}")).collect();
        let defs: Vec<String> = names
            .iter()
            .zip(&kinds)
            .map(|(n, k)| format!("{n} {} NOT NULL", sql_type(*k)))
            .collect();
        let mut ddl = format!(
            "CREATE TABLE src ({}, v INTEGER NOT NULL, PRIMARY KEY ({}));\n",
            defs.join(", "),
            names.join(", ")
        );
        ddl.push_str(&format!(
            "CREATE TABLE dst ({}, v INTEGER NOT NULL);\n",
            defs.join(", ")
        ));
        for (i, key) in keys.iter().enumerate() {
            let values: Vec<String> = key
                .iter()
                .zip(&kinds)
                .map(|(v, k)| literal(*k, v))
                .collect();
            ddl.push_str(&format!(
                "INSERT INTO src VALUES ({}, {i});\n",
                values.join(", ")
            ));
        }
        db.exec(&ddl);

        let key_list = names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let columns_toml: String = names
            .iter()
            .chain(std::iter::once(&"v".to_string()))
            .map(|n| format!("{n} = \"{n}\"\n"))
            .collect();
        let plan_text = format!(
            "name = \"prop\"\n[[steps]]\nname = \"copy\"\n[steps.batch]\ntable = \"src\"\nkey = [{key_list}]\norder = \"{}\"\nchunk_size = {chunk}\n[steps.copy]\ninto = \"dst\"\nmatch = [{key_list}]\n[steps.copy.columns]\n{columns_toml}",
            if desc { "desc" } else { "asc" }
        );
        let plan = Plan::parse("prop.toml", &plan_text).unwrap_or_else(|e| panic!("{case}: {e}"));
        let opts = RunOptions {
            sets: Vec::new(),
            dry_run: false,
            restart: false,
            tuning: Tuning {
                // Tiny chunks stay tiny: every boundary gets exercised.
                target: Duration::from_micros(1),
                workers,
                ..Tuning::default()
            },
            load: LoadLimits::default(),
            lock_timeout: Duration::from_secs(30),
        };
        let report = block_on(async {
            let mut conn = Db::connect(&DbUrl::parse(&db.url).unwrap(), Duration::ZERO)
                .await
                .unwrap();
            let stop = AtomicBool::new(false);
            let r = backfill::run(&mut conn, &plan, &opts, &stop, &|_| {}).await;
            conn.close().await;
            r
        })
        .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(report.rows as usize, keys.len(), "{case}: rows written");

        // Every key once, with its own value.
        let twice = db.scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT {0} FROM dst GROUP BY {0} HAVING COUNT(*) > 1)",
            names.join(", ")
        ));
        assert_eq!(twice, 0, "{case}: a key was copied twice");
        let missing = db.scalar(&format!(
            "SELECT COUNT(*) FROM src s WHERE NOT EXISTS (SELECT 1 FROM dst d WHERE {} AND d.v = s.v)",
            names
                .iter()
                .map(|n| format!("d.{n} = s.{n}"))
                .collect::<Vec<_>>()
                .join(" AND ")
        ));
        assert_eq!(missing, 0, "{case}: a key was skipped");
        // The chunk log tiles the key space: each chunk starts where one
        // ended, and only the first starts from nothing.
        let log = db.query("SELECT key_from, key_to FROM mendb_backfill_chunks ORDER BY chunk_no");
        let froms: BTreeSet<Option<String>> = log.iter().map(|r| r[0].clone()).collect();
        let tos: Vec<Option<String>> = log.iter().map(|r| r[1].clone()).collect();
        assert_eq!(
            froms.len(),
            log.len(),
            "{case}: two chunks started at one key"
        );
        assert_eq!(
            tos.iter().filter(|t| t.is_none()).count(),
            1,
            "{case}: one last chunk"
        );
        for to in tos.iter().flatten() {
            assert!(
                froms.contains(&Some(to.clone())),
                "{case}: nothing started after {to}"
            );
        }
        assert!(froms.contains(&None), "{case}: no first chunk");
    }
}

#[test]
fn damaged_plans_are_refused_with_a_place_never_a_panic() {
    let good = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("backfill-plans/fill-price-gaps.toml"),
    )
    .unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let mut rng = Rng(0x00c0_ffee);
    const JUNK: [&str; 8] = [
        "= =",
        "[[",
        "]",
        "\"",
        "chunk_size = -1",
        "key = 3",
        "x",
        "\u{0}",
    ];
    let mut refused = 0;
    for case in 0..400 {
        let mut damaged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(damaged.len() as u64) as usize;
            match rng.below(4) {
                0 => {
                    damaged.remove(at);
                }
                1 => {
                    let line = damaged[at].clone();
                    damaged.insert(at, line);
                }
                2 => damaged[at] = JUNK[rng.below(JUNK.len() as u64) as usize].to_string(),
                _ => {
                    let cut = rng.below(damaged[at].len() as u64 + 1) as usize;
                    let cut = (0..=cut)
                        .rev()
                        .find(|c| damaged[at].is_char_boundary(*c))
                        .unwrap_or(0);
                    damaged[at].truncate(cut);
                }
            }
        }
        let text = damaged.join("\n");
        let result = std::panic::catch_unwind(|| Plan::parse("damaged.toml", &text));
        let parsed =
            result.unwrap_or_else(|_| panic!("case {case}: the parser panicked on\n{text}"));
        if let Err(e) = parsed {
            refused += 1;
            let message = e.to_string();
            assert!(
                message.starts_with("damaged.toml"),
                "case {case}: {message}"
            );
            if let Some(line) = e.line {
                assert!(
                    (1..=damaged.len() + 1).contains(&line),
                    "case {case}: line {line} of {}: {message}",
                    damaged.len()
                );
            }
        }
    }
    assert!(
        refused > 200,
        "only {refused} of 400 damaged plans were refused"
    );
}
