//! Checking the migration files for `verify`: unlike `MigrationSet::load`,
//! which stops at the first problem, an audit reports them all, and
//! compares the dialects with each other. Reads files only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::read::{decode, embedded_files, parse_file_name, read_dir_files, sql_file};
use super::{IRREVERSIBLE_MARKER, dialect_dir, pair};
use crate::db::Dialect;

/// A problem with one migration file, for `verify`: unlike `load`, which
/// stops at the first, an audit reports them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The dialect folder, e.g. `migrations/mysql`.
    pub folder: String,
    pub message: String,
}

/// Checks every dialect's files: names, encoding, line endings, pairs, a
/// down (or the irreversible marker) for every up, and the same versions
/// and names in every dialect. With `dir`, only the dialect folders it
/// has; a flat directory is audited as `dialect`'s alone.
pub fn audit(dialect: Dialect, dir: Option<&Path>) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    let mut labels: Vec<(String, BTreeMap<i32, String>)> = Vec::new();
    for d in dialects(dialect, dir) {
        let folder = match dir {
            Some(dir) => dialect_dir(d, dir).display().to_string(),
            None => format!("migrations/{}", d.dir_name()),
        };
        let mut problem = |message: String| {
            problems.push(FileProblem {
                folder: folder.clone(),
                message,
            })
        };
        // A folder that cannot be read has no versions to compare.
        if let Some(seen) = audit_dialect(d, dir, &mut problem) {
            labels.push((folder, seen));
        }
    }
    compare_dialects(&labels, &mut problems);
    problems
}

/// The dialects whose folders are audited.
fn dialects(dialect: Dialect, dir: Option<&Path>) -> Vec<Dialect> {
    match dir {
        None => Dialect::ALL.to_vec(),
        Some(d) => {
            let present: Vec<Dialect> = Dialect::ALL
                .iter()
                .copied()
                .filter(|x| d.join(x.dir_name()).is_dir())
                .collect();
            if present.is_empty() {
                vec![dialect]
            } else {
                present
            }
        }
    }
}

/// One dialect's files, each on its own first so one bad file hides no
/// other. Returns the name of each version it has, or None when its
/// folder cannot be read.
fn audit_dialect(
    d: Dialect,
    dir: Option<&Path>,
    problem: &mut impl FnMut(String),
) -> Option<BTreeMap<i32, String>> {
    let files = match dir {
        Some(dir) => match read_dir_files(d, dir) {
            Ok(files) => files,
            Err(e) => {
                problem(e.to_string());
                return None;
            }
        },
        None => embedded_files(d),
    };
    let mut good = Vec::new();
    for (path, bytes) in files {
        if let Err(e) = parse_file_name(&path) {
            problem(e.to_string());
            continue;
        }
        match decode(&path, bytes.clone())
            .and_then(|sql| sql_file(path.clone(), sql, d.sql_flavor()))
        {
            Ok(_) => good.push((path, bytes)),
            Err(e) => problem(e.to_string()),
        }
    }
    let mut seen = BTreeMap::new();
    match pair(good, d.sql_flavor()) {
        Ok(migrations) => {
            for m in &migrations {
                let irreversible =
                    m.up.sql
                        .lines()
                        .any(|l| l.trim_start().starts_with(IRREVERSIBLE_MARKER));
                if m.down.is_none() && !irreversible {
                    problem(format!(
                        "{}: no down migration V{}__{}.down.sql (write one, or mark the up file with a line `{IRREVERSIBLE_MARKER} <reason>`)",
                        m.up.path, m.version, m.name
                    ));
                }
                seen.insert(m.version, m.name.clone());
            }
        }
        Err(e) => problem(e.to_string()),
    }
    Some(seen)
}

/// Every dialect must tell the same story, version by version.
fn compare_dialects(labels: &[(String, BTreeMap<i32, String>)], problems: &mut Vec<FileProblem>) {
    let versions: BTreeSet<i32> = labels.iter().flat_map(|(_, l)| l.keys().copied()).collect();
    for v in versions {
        let having: Vec<(&String, &String)> = labels
            .iter()
            .filter_map(|(folder, l)| l.get(&v).map(|name| (folder, name)))
            .collect();
        let (_, name) = having[0];
        let others = having
            .iter()
            .map(|(f, _)| f.as_str())
            .collect::<Vec<_>>()
            .join(" and ");
        for (folder, l) in labels {
            if !l.contains_key(&v) {
                problems.push(FileProblem {
                    folder: folder.clone(),
                    message: format!("{folder}: has no V{v}__{name}, which {others} has"),
                });
            }
        }
        if having.iter().any(|(_, n)| *n != name) {
            let names = having
                .iter()
                .map(|(f, n)| format!("{f}: V{v}__{n}"))
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(FileProblem {
                folder: having[0].0.clone(),
                message: format!("V{v} has different names in different dialects ({names})"),
            });
        }
    }
}
