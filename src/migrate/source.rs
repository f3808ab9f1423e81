//! Loading migration files: the embedded `migrations/` tree or a directory
//! given with `--migrations`. Owns file naming, pairing ups with downs and
//! the byte-level checks (CRLF, BOM, UTF-8) that matter because checksums
//! are byte-exact. Never touches a database.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use super::log::Direction;
use crate::db::Dialect;
use crate::sql::{Flavor, Framing, Statement, framing, split_statements};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

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

fn embedded_files(dialect: Dialect) -> Vec<(String, Vec<u8>)> {
    EMBEDDED
        .get_dir(dialect.dir_name())
        .map(|d| {
            d.files()
                .map(|f| {
                    (
                        format!("migrations/{}", f.path().display()),
                        f.contents().to_vec(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn read_dir_files(dialect: Dialect, dir: &Path) -> Result<Vec<(String, Vec<u8>)>, SourceError> {
    if !dir.is_dir() {
        return Err(SourceError::NoDir {
            path: dir.display().to_string(),
        });
    }
    let dir = dialect_dir(dialect, dir);
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| SourceError::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
        let path = entry.map_err(io(&dir))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "sql") {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            files.push((path.display().to_string(), bytes));
        }
    }
    files.sort();
    Ok(files)
}

enum Kind {
    Up,
    Down,
}

/// Splits `V12__add_index.down.sql` into (12, "add_index", Down).
fn parse_file_name(path: &str) -> Result<(i32, String, Kind), SourceError> {
    let bad = || SourceError::BadName {
        path: path.to_string(),
    };
    let file = Path::new(path)
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or_else(bad)?;
    let (stem, kind) = match file.strip_suffix(".down.sql") {
        Some(stem) => (stem, Kind::Down),
        None => (file.strip_suffix(".sql").ok_or_else(bad)?, Kind::Up),
    };
    let (version, name) = stem
        .strip_prefix('V')
        .and_then(|s| s.split_once("__"))
        .ok_or_else(bad)?;
    let valid_name =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name || version.is_empty() || !version.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let version = version.parse().map_err(|_| SourceError::VersionTooLarge {
        path: path.to_string(),
        version: version.to_string(),
    })?;
    if version == 0 {
        return Err(SourceError::VersionZero {
            path: path.to_string(),
        });
    }
    Ok((version, name.to_string(), kind))
}

/// A file's text split as its dialect's client would, or the line it
/// cannot be run from.
fn sql_file(path: String, sql: String, flavor: Flavor) -> Result<SqlFile, SourceError> {
    let mut statements = match split_statements(&sql, flavor) {
        Ok(statements) => statements,
        Err(e) => {
            return Err(SourceError::Sql {
                path,
                line: e.line,
                problem: e.problem,
            });
        }
    };
    let marker = sql
        .lines()
        .position(|l| l.trim() == NO_TRANSACTION_MARKER)
        .map(|i| i + 1);
    let refuse = |line: usize, problem: String| SourceError::Sql {
        path: path.clone(),
        line,
        problem,
    };
    if let (Some(line), Flavor::Sqlite) = (marker, flavor) {
        return Err(refuse(
            line,
            format!(
                "{NO_TRANSACTION_MARKER} is not possible on SQLite: every migration runs inside mendb's write lock, which is a transaction"
            ),
        ));
    }
    // Where mendb runs the file in a transaction of its own, the file's
    // own BEGIN ... COMMIT frame is that transaction; other transaction
    // control would end or nest it.
    if flavor != Flavor::Mysql {
        match (framing(&statements, flavor), marker) {
            (Framing::None, _) => {}
            (Framing::Frame { begin, .. }, Some(_)) => {
                return Err(refuse(
                    statements[begin - 1].line,
                    format!(
                        "a file marked {NO_TRANSACTION_MARKER} runs its statements one by one; remove its BEGIN ... COMMIT, or the marker"
                    ),
                ));
            }
            (Framing::Frame { begin, commit }, None) => {
                statements.remove(commit - 1);
                statements.remove(begin - 1);
            }
            (Framing::Refused { index, what }, _) => {
                return Err(refuse(
                    statements[index - 1].line,
                    format!(
                        "{what}: mendb runs each migration in one transaction of its own, which this would end or nest; \
                         remove it (a BEGIN ... COMMIT around the whole file is allowed), or split the file"
                    ),
                ));
            }
        }
    }
    Ok(SqlFile {
        path,
        sql,
        statements,
        no_transaction: marker.is_some(),
    })
}

fn decode(path: &str, bytes: Vec<u8>) -> Result<String, SourceError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(SourceError::Bom {
            path: path.to_string(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| SourceError::NotUtf8 {
        path: path.to_string(),
    })?;
    if let Some(pos) = text.find("\r\n") {
        return Err(SourceError::Crlf {
            path: path.to_string(),
            line: text[..pos].matches('\n').count() + 1,
        });
    }
    Ok(text)
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
    let dialects: Vec<Dialect> = match dir {
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
    };
    let mut problems = Vec::new();
    let mut labels: Vec<(String, BTreeMap<i32, String>)> = Vec::new();
    for d in dialects {
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
        let files = match dir {
            Some(dir) => match read_dir_files(d, dir) {
                Ok(files) => files,
                Err(e) => {
                    problem(e.to_string());
                    continue;
                }
            },
            None => embedded_files(d),
        };
        // Each file on its own first, so one bad file hides no other.
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
        labels.push((folder, seen));
    }
    // Every dialect must tell the same story, version by version.
    let versions: std::collections::BTreeSet<i32> =
        labels.iter().flat_map(|(_, l)| l.keys().copied()).collect();
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
        for (folder, l) in &labels {
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
    problems
}

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
