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

pub fn scaffold(dir: &Path, name: &str) -> Result<Scaffolded, MigrateError> {
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(MigrateError::Scaffold(format!(
            "`{name}` is not a valid migration name; use lowercase letters, digits and _"
        )));
    }
    let mut latest = 0;
    for dialect in Dialect::ALL {
        let sub = dir.join(dialect.dir_name());
        if sub.is_dir() {
            let set = MigrationSet::load(dialect, Some(dir))?;
            latest = latest.max(set.latest_version().unwrap_or(0));
        }
    }
    let version = latest + 1;
    let mut files = Vec::new();
    for dialect in Dialect::ALL {
        let sub = dir.join(dialect.dir_name());
        std::fs::create_dir_all(&sub)
            .map_err(|e| MigrateError::Scaffold(format!("{}: {e}", sub.display())))?;
        for (suffix, what) in [("sql", "apply"), ("down.sql", "revert")] {
            let path = sub.join(format!("V{version}__{name}.{suffix}"));
            let body =
                format!("-- V{version} {name} ({dialect}): statements to {what} this migration.\n");
            std::fs::write(&path, body)
                .map_err(|e| MigrateError::Scaffold(format!("{}: {e}", path.display())))?;
            files.push(path);
        }
    }
    Ok(Scaffolded {
        version,
        name: name.to_string(),
        files,
    })
}
