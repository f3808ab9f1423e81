//! Loading migration files: the embedded `migrations/` tree or a directory
//! given with `--migrations`. Owns file naming, pairing ups with downs and
//! the byte-level checks (CRLF, BOM, UTF-8) that matter because checksums
//! are byte-exact. Never touches a database. This file pairs ups with
//! downs into a set; `read` turns one file into statements, `audit` checks
//! every dialect's files for `verify`.

mod audit;
mod read;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::log::Direction;
use crate::db::Dialect;
use crate::sql::{Flavor, Statement};
use read::{Kind, decode, embedded_files, parse_file_name, read_dir_files, sql_file};

pub use audit::{FileProblem, audit};
pub use read::embedded_sources;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(
        "{path}: not a migration file name; expected V<version>__<name>.sql or V<version>__<name>.down.sql (name: letters, digits, _)"
    )]
    BadName { path: String },
    #[error("{path}:{line}: CRLF line ending; checksums are byte-exact, so convert the file to LF")]
    Crlf { path: String, line: usize },
    #[error("{path}: starts with a UTF-8 byte order mark; checksums are byte-exact, so remove it")]
    Bom { path: String },
    #[error("{path}: not valid UTF-8")]
    NotUtf8 { path: String },
    #[error("version {version} is defined twice: {first} and {second}")]
    Duplicate {
        version: i32,
        first: String,
        second: String,
    },
    #[error("{path}: down migration without an up migration V{version}__{name}.sql")]
    OrphanDown {
        path: String,
        version: i32,
        name: String,
    },
    #[error("{path}: cannot read migrations: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no such migrations directory")]
    NoDir { path: String },
    #[error(
        "{path}: version 0 is reserved: `mendb migrate down --to 0` means \"revert everything\"; number migrations from 1"
    )]
    VersionZero { path: String },
    #[error("{path}: version {version} is too large; versions go up to {max}", max = i32::MAX)]
    VersionTooLarge { path: String, version: String },
    #[error("{path}:{line}: {problem}")]
    Sql {
        path: String,
        line: usize,
        problem: String,
    },
}

/// One file's text and where it came from (for messages).
#[derive(Debug, Clone)]
pub struct SqlFile {
    pub path: String,
    pub sql: String,
    /// The statements as the dialect's native client would send them.
    pub statements: Vec<Statement>,
    /// Carries `-- mendb:no-transaction`: on PostgreSQL its statements
    /// commit one by one, as under psql, for those that cannot run in a
    /// transaction (`CREATE INDEX CONCURRENTLY`).
    pub no_transaction: bool,
}

impl SqlFile {
    /// Whether its statements commit one by one (so a failure can leave
    /// part of it applied): always on MySQL, by choice on PostgreSQL.
    pub fn statement_by_statement(&self, dialect: Dialect) -> bool {
        dialect.can_be_left_dirty() || self.no_transaction
    }
}

#[derive(Debug, Clone)]
pub struct MigrationFile {
    pub version: i32,
    pub name: String,
    pub up: SqlFile,
    pub down: Option<SqlFile>,
    refinery: refinery_core::Migration,
}

impl MigrationFile {
    /// refinery's view of the up migration (its checksum is the one stored
    /// in the history table).
    pub fn refinery(&self) -> &refinery_core::Migration {
        &self.refinery
    }

    pub fn checksum(&self) -> u64 {
        self.refinery.checksum()
    }

    /// The file that runs in `direction`, if there is one.
    pub fn file(&self, direction: Direction) -> Option<&SqlFile> {
        match direction {
            Direction::Up => Some(&self.up),
            Direction::Down => self.down.as_ref(),
        }
    }

    /// The statements that run in `direction`, as the dialect splits them.
    pub fn statements(&self, direction: Direction) -> Vec<Statement> {
        self.file(direction)
            .map(|f| f.statements.clone())
            .unwrap_or_default()
    }

    pub fn label(&self) -> String {
        format!("V{}__{}", self.version, self.name)
    }
}

/// The migrations of one dialect, sorted by version.
#[derive(Debug, Clone)]
pub struct MigrationSet {
    pub dialect: Dialect,
    /// Where they came from, for messages: a directory or "embedded".
    pub origin: String,
    pub migrations: Vec<MigrationFile>,
}

impl MigrationSet {
    /// Loads `dir/<dialect>/` when it exists, else `dir` itself; without a
    /// directory, the migrations embedded in the binary.
    pub fn load(dialect: Dialect, dir: Option<&Path>) -> Result<MigrationSet, SourceError> {
        let files = match dir {
            Some(dir) => read_dir_files(dialect, dir)?,
            None => embedded_files(dialect),
        };
        let origin = match dir {
            Some(dir) => dialect_dir(dialect, dir).display().to_string(),
            None => format!("embedded migrations/{}", dialect.dir_name()),
        };
        Ok(MigrationSet {
            dialect,
            origin,
            migrations: pair(files, dialect.sql_flavor())?,
        })
    }

    pub fn get(&self, version: i32) -> Option<&MigrationFile> {
        self.migrations.iter().find(|m| m.version == version)
    }

    pub fn latest_version(&self) -> Option<i32> {
        self.migrations.last().map(|m| m.version)
    }

    pub fn refinery_migrations(&self) -> Vec<refinery_core::Migration> {
        self.migrations.iter().map(|m| m.refinery.clone()).collect()
    }
}

/// The directory a dialect's migrations are read from under `dir`.
pub fn dialect_dir(dialect: Dialect, dir: &Path) -> PathBuf {
    let sub = dir.join(dialect.dir_name());
    if sub.is_dir() { sub } else { dir.to_path_buf() }
}

fn pair(files: Vec<(String, Vec<u8>)>, flavor: Flavor) -> Result<Vec<MigrationFile>, SourceError> {
    let mut ups: BTreeMap<i32, (String, SqlFile)> = BTreeMap::new();
    let mut downs: Vec<(i32, String, SqlFile)> = Vec::new();
    for (path, bytes) in files {
        let (version, name, kind) = parse_file_name(&path)?;
        let sql = decode(&path, bytes)?;
        let file = sql_file(path, sql, flavor)?;
        match kind {
            Kind::Up => {
                if let Some((_, first)) = ups.get(&version) {
                    return Err(SourceError::Duplicate {
                        version,
                        first: first.path.clone(),
                        second: file.path,
                    });
                }
                ups.insert(version, (name, file));
            }
            Kind::Down => downs.push((version, name, file)),
        }
    }
    let mut migrations: BTreeMap<i32, MigrationFile> = BTreeMap::new();
    for (version, (name, up)) in ups {
        let refinery = refinery_core::Migration::unapplied(&format!("V{version}__{name}"), &up.sql)
            .map_err(|_| SourceError::BadName {
                path: up.path.clone(),
            })?;
        migrations.insert(
            version,
            MigrationFile {
                version,
                name,
                up,
                down: None,
                refinery,
            },
        );
    }
    for (version, name, file) in downs {
        match migrations.get_mut(&version) {
            Some(m) if m.name == name => {
                if let Some(first) = &m.down {
                    return Err(SourceError::Duplicate {
                        version,
                        first: first.path.clone(),
                        second: file.path,
                    });
                }
                m.down = Some(file);
            }
            _ => {
                return Err(SourceError::OrphanDown {
                    path: file.path,
                    version,
                    name,
                });
            }
        }
    }
    Ok(migrations.into_values().collect())
}

/// The line an up file carries when it has no down on purpose.
pub const IRREVERSIBLE_MARKER: &str = "-- mendb:irreversible";

/// The line a PostgreSQL file carries to run outside a transaction.
pub const NO_TRANSACTION_MARKER: &str = "-- mendb:no-transaction";

#[cfg(test)]
mod tests {
    use super::*;

    fn pair_mysql(files: Vec<(String, Vec<u8>)>) -> Result<Vec<MigrationFile>, SourceError> {
        pair(files, Flavor::Mysql)
    }

    fn file(path: &str, sql: &str) -> (String, Vec<u8>) {
        (path.to_string(), sql.as_bytes().to_vec())
    }

    #[test]
    fn pairs_ups_and_downs_in_version_order() {
        let set = pair_mysql(vec![
            file("m/V2__b.sql", "select 2;"),
            file("m/V10__c.sql", "select 10;"),
            file("m/V2__b.down.sql", "select -2;"),
            file("m/V1__a.sql", "select 1;"),
        ])
        .unwrap();
        let labels: Vec<_> = set.iter().map(MigrationFile::label).collect();
        assert_eq!(labels, ["V1__a", "V2__b", "V10__c"]);
        assert!(set[1].down.is_some());
        assert!(set[0].down.is_none());
    }

    #[test]
    fn rejects_bad_names_crlf_bom_duplicates_and_orphans() {
        let err = pair_mysql(vec![file("m/V1_a.sql", "")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m/V1_a.sql: not a migration file name")
        );
        let err = pair_mysql(vec![file("m/V1__a.sql", "select 1;\nselect 2;\r\n")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m/V1__a.sql:2: CRLF line ending; checksums are byte-exact, so convert the file to LF"
        );
        let err = pair_mysql(vec![(
            "m/V1__a.sql".into(),
            b"\xEF\xBB\xBFselect 1;".to_vec(),
        )])
        .unwrap_err();
        assert!(matches!(err, SourceError::Bom { .. }));
        let err = pair_mysql(vec![file("m/V1__a.sql", ""), file("n/V1__b.sql", "")]).unwrap_err();
        assert!(err.to_string().contains("version 1 is defined twice"));
        let err =
            pair_mysql(vec![file("m/V1__a.sql", ""), file("m/V1__b.down.sql", "")]).unwrap_err();
        assert!(err.to_string().contains("down migration without an up"));
    }

    #[test]
    fn embedded_migrations_agree_across_dialects() {
        let sets: Vec<MigrationSet> = Dialect::ALL
            .iter()
            .map(|d| MigrationSet::load(*d, None).unwrap())
            .collect();
        let labels = |s: &MigrationSet| {
            s.migrations
                .iter()
                .map(MigrationFile::label)
                .collect::<Vec<_>>()
        };
        assert!(!sets[0].migrations.is_empty());
        assert_eq!(labels(&sets[0]), labels(&sets[1]));
        assert_eq!(labels(&sets[0]), labels(&sets[2]));
        for set in &sets {
            for m in &set.migrations {
                assert!(
                    m.down.is_some(),
                    "{} has no down in {}",
                    m.label(),
                    set.origin
                );
            }
        }
    }
}
