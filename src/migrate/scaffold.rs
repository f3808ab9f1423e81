//! `migrate new`: creates the up and down files of the next version in
//! every dialect's folder, so no dialect is forgotten. Writes files only.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::MigrateError;
use super::source::MigrationSet;
use crate::db::Dialect;

#[derive(Debug, Clone, Serialize)]
pub struct Scaffolded {
    pub version: i32,
    pub name: String,
    pub files: Vec<PathBuf>,
}

/// Where new files go: the dialect folders the set has (a project of one
/// database has one), every dialect's in a new set, or, for a directory
/// that already holds one dialect's files directly, that directory.
fn folders(dir: &Path) -> Vec<(PathBuf, Option<Dialect>)> {
    let present: Vec<(PathBuf, Option<Dialect>)> = Dialect::ALL
        .iter()
        .map(|d| (dir.join(d.dir_name()), Some(*d)))
        .filter(|(folder, _)| folder.is_dir())
        .collect();
    if !present.is_empty() {
        return present;
    }
    let flat = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "sql"))
    });
    if flat {
        vec![(dir.to_path_buf(), None)]
    } else {
        Dialect::ALL
            .iter()
            .map(|d| (dir.join(d.dir_name()), Some(*d)))
            .collect()
    }
}

/// The next migration's files in `dir`, the folder in use; None means
/// the embedded set is in use, which files on disk cannot extend.
pub fn scaffold(dir: Option<&Path>, name: &str) -> Result<Scaffolded, MigrateError> {
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(MigrateError::BadName(format!(
            "`{name}` is not a valid migration name; use lowercase letters, digits and _"
        )));
    }
    let Some(dir) = dir else {
        let latest = Dialect::ALL
            .iter()
            .filter_map(|d| MigrationSet::load(*d, None).ok()?.latest_version())
            .max()
            .unwrap_or(0);
        return Err(MigrateError::EmbeddedInUse {
            latest,
            name: name.to_string(),
        });
    };
    let folders = folders(dir);
    let mut latest = 0;
    for (folder, dialect) in &folders {
        if folder.is_dir() {
            // Any dialect reads a flat folder the same way.
            let set = MigrationSet::load(dialect.unwrap_or(Dialect::Sqlite), Some(folder))?;
            latest = latest.max(set.latest_version().unwrap_or(0));
        }
    }
    let version = latest + 1;
    let mut files = Vec::new();
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| MigrateError::Write(format!("{path}: {e}"))
    };
    for (folder, dialect) in &folders {
        std::fs::create_dir_all(folder).map_err(io(folder))?;
        let label = dialect.map(|d| format!(" ({d})")).unwrap_or_default();
        for (suffix, what) in [("sql", "apply"), ("down.sql", "revert")] {
            let path = folder.join(format!("V{version}__{name}.{suffix}"));
            let body =
                format!("-- V{version} {name}{label}: statements to {what} this migration.\n");
            std::fs::write(&path, body).map_err(io(&path))?;
            files.push(path);
        }
    }
    Ok(Scaffolded {
        version,
        name: name.to_string(),
        files,
    })
}
