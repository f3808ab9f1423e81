//! One migration file from bytes to statements: where the files are read
//! from (a directory or the embedded tree), what its name says, the
//! byte-level checks (CRLF, BOM, UTF-8) and the split into statements with
//! the transaction control mendb allows. Never pairs files or touches a
//! database.

use std::path::Path;

use include_dir::{Dir, include_dir};

use super::{NO_TRANSACTION_MARKER, SourceError, SqlFile, dialect_dir};
use crate::db::Dialect;
use crate::sql::{Flavor, Framing, framing, split_statements};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

pub(super) fn embedded_files(dialect: Dialect) -> Vec<(String, Vec<u8>)> {
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

/// The embedded files of one dialect by file name, for `mendb init` to
/// write out as a project's own.
pub fn embedded_sources(dialect: Dialect) -> Vec<(String, &'static [u8])> {
    EMBEDDED
        .get_dir(dialect.dir_name())
        .map(|d| {
            d.files()
                .filter_map(|f| Some((f.path().file_name()?.to_str()?.to_string(), f.contents())))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn read_dir_files(
    dialect: Dialect,
    dir: &Path,
) -> Result<Vec<(String, Vec<u8>)>, SourceError> {
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

pub(super) enum Kind {
    Up,
    Down,
}

/// Splits `V12__add_index.down.sql` into (12, "add_index", Down).
pub(super) fn parse_file_name(path: &str) -> Result<(i32, String, Kind), SourceError> {
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
pub(super) fn sql_file(path: String, sql: String, flavor: Flavor) -> Result<SqlFile, SourceError> {
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

pub(super) fn decode(path: &str, bytes: Vec<u8>) -> Result<String, SourceError> {
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
