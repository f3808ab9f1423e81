//! Where the database comes from, in the order a user can override it:
//! `--database-url`, then the `DATABASE_URL` environment variable, then a
//! `.env` file in the working directory, then `mendb.toml` in the working
//! directory or the nearest parent that has one (as cargo finds
//! Cargo.toml). There is no implicit database: without any of them a
//! command that needs one stops, saying where it looked. Reads files and
//! the environment; connects to nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::db::{DbError, redact};
use crate::exit;

/// The variable, in the environment or in `.env`, that holds the URL.
pub const ENV_VAR: &str = "DATABASE_URL";
/// The name of the config file.
pub const CONFIG_FILE: &str = "mendb.toml";

/// Where the URL in use was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    DotEnv(PathBuf),
    /// The file, and the variable it named when it gave no URL itself.
    ConfigFile(PathBuf, Option<String>),
}

impl Source {
    /// A word for JSON: flag, env, dotenv, config_file.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::Env => "env",
            Source::DotEnv(_) => "dotenv",
            Source::ConfigFile(..) => "config_file",
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::DotEnv(p) | Source::ConfigFile(p, _) => Some(p),
            Source::Flag | Source::Env => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => write!(f, "--database-url"),
            Source::Env => write!(f, "the environment ({ENV_VAR})"),
            Source::DotEnv(p) => write!(f, "{} ({ENV_VAR})", p.display()),
            Source::ConfigFile(p, None) => write!(f, "{} (database_url)", p.display()),
            Source::ConfigFile(p, Some(var)) => {
                write!(f, "{} (database_url_env = {var:?})", p.display())
            }
        }
    }
}

/// The database URL and where it came from.
#[derive(Debug, Clone)]
pub struct Found {
    pub url: String,
    pub source: Source,
}

/// The outcome of a lookup: the URL if any, and every place asked, in
/// order, for `mendb config` and for the error without one.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub found: Option<Found>,
    pub looked: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "no database given: pass --database-url, set {ENV_VAR}, or write it into .env or {CONFIG_FILE} (looked at: {})",
        .0.join(", ")
    )]
    NoDatabase(Vec<String>),
    #[error("--database-url is empty")]
    EmptyFlag,
    #[error("{path}: {reason}")]
    BadFile { path: String, reason: String },
    /// A URL that does not parse, and where it was written.
    #[error("{}{}", .0, match .1 { Source::Flag => String::new(), from => format!(" (from {from})") })]
    BadUrl(Box<DbError>, Source),
}

impl SettingsError {
    pub fn exit_code(&self) -> i32 {
        match self {
            SettingsError::BadUrl(e, _) => e.exit_code(),
            _ => exit::USAGE,
        }
    }
}

/// Finds the database URL, given `--database-url`'s value, in this
/// process's environment and working directory; `Lookup::found` is None
/// when no source gives one. A file that exists but cannot be read is an
/// error naming it.
pub fn lookup(flag: Option<&str>) -> Result<Lookup, SettingsError> {
    let mut looked = vec!["--database-url".to_string()];
    let found = |url: String, source: Source, looked: Vec<String>| Lookup {
        found: Some(Found { url, source }),
        looked,
    };
    match flag {
        Some(flag) if flag.trim().is_empty() => return Err(SettingsError::EmptyFlag),
        Some(flag) => return Ok(found(flag.to_string(), Source::Flag, looked)),
        None => {}
    }

    match std::env::var(ENV_VAR).ok().as_deref().map(str::trim) {
        Some("") => looked.push(format!("{ENV_VAR} (set, but empty)")),
        Some(url) => {
            looked.push(ENV_VAR.to_string());
            return Ok(found(url.to_string(), Source::Env, looked));
        }
        None => looked.push(ENV_VAR.to_string()),
    }

    let cwd = absolute(Path::new("."));
    let dotenv = cwd.join(".env");
    looked.push(dotenv.display().to_string());
    if let Some(url) = read_dotenv(&dotenv)? {
        return Ok(found(url, Source::DotEnv(dotenv), looked));
    }

    // The nearest file decides, as cargo's nearest manifest does: one
    // without a database does not fall through to a parent's.
    let nearest = cwd
        .ancestors()
        .map(|dir| dir.join(CONFIG_FILE))
        .find(|file| {
            looked.push(file.display().to_string());
            file.is_file()
        });
    if let Some(file) = nearest
        && let (Some(url), var) = read_config(&file)?
    {
        return Ok(found(url, Source::ConfigFile(file, var), looked));
    }
    Ok(Lookup {
        found: None,
        looked,
    })
}

/// The settings in effect, as `mendb config` shows them.
#[derive(Debug, Serialize)]
pub struct Effective {
    /// The URL with its password masked; None without a database.
    pub database_url: Option<String>,
    /// flag, env, dotenv or config_file.
    pub source: Option<&'static str>,
    /// The file it was read from.
    pub path: Option<String>,
    /// Where it came from, in words.
    pub from: Option<String>,
    /// Every place asked, in order.
    pub looked_at: Vec<String>,
    /// How long a command waits for the database to accept connections.
    pub wait_secs: u64,
}

impl Effective {
    pub fn of(lookup: Lookup, wait: Duration) -> Effective {
        let found = lookup.found.as_ref();
        Effective {
            database_url: found.map(|f| redact(&f.url)),
            source: found.map(|f| f.source.kind()),
            path: found.and_then(|f| f.source.path().map(|p| p.display().to_string())),
            from: found.map(|f| f.source.to_string()),
            looked_at: lookup.looked,
            wait_secs: wait.as_secs(),
        }
    }
}

/// The URL, or the error that says where mendb looked.
pub fn database_url(flag: Option<&str>) -> Result<Found, SettingsError> {
    let lookup = lookup(flag)?;
    lookup.found.ok_or(SettingsError::NoDatabase(lookup.looked))
}

fn absolute(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// The error for `path`, whatever the reason.
fn bad_file(path: &Path) -> impl Fn(String) -> SettingsError + '_ {
    move |reason| SettingsError::BadFile {
        path: path.display().to_string(),
        reason,
    }
}

/// `DATABASE_URL` from a `.env` file, if the file exists and sets it.
fn read_dotenv(path: &Path) -> Result<Option<String>, SettingsError> {
    if !path.is_file() {
        return Ok(None);
    }
    let bad = bad_file(path);
    let entries = dotenvy::from_path_iter(path).map_err(|e| bad(e.to_string()))?;
    let mut url = None;
    for entry in entries {
        let (key, value) = entry.map_err(|e| bad(dotenv_reason(&e)))?;
        if key == ENV_VAR {
            url = Some(value);
        }
    }
    Ok(url.filter(|u| !u.trim().is_empty()))
}

fn dotenv_reason(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(line, at) => {
            format!("cannot parse `{line}` (at character {at})")
        }
        other => other.to_string(),
    }
}

/// What `mendb.toml` may say about the database.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// The URL itself; a relative `sqlite:` path is relative to the file.
    database_url: Option<String>,
    /// The name of an environment variable holding the URL, for files
    /// checked into a repository without a password in them.
    database_url_env: Option<String>,
}

/// The URL `mendb.toml` gives, and the variable it named if it named one.
fn read_config(path: &Path) -> Result<(Option<String>, Option<String>), SettingsError> {
    let bad = bad_file(path);
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| bad(toml_reason(&text, &e)))?;
    match (file.database_url, file.database_url_env) {
        (Some(_), Some(_)) => Err(bad(
            "database_url and database_url_env are both set; keep one".to_string(),
        )),
        (Some(url), None) if url.trim().is_empty() => Err(bad("database_url is empty".into())),
        (Some(url), None) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            Ok((Some(relative_to(&url, dir)), None))
        }
        (None, Some(var)) => match std::env::var(&var) {
            Ok(url) if !url.trim().is_empty() => Ok((Some(url), Some(var))),
            _ => Err(bad(format!(
                "database_url_env names {var}, which is not set in the environment"
            ))),
        },
        (None, None) => Ok((None, None)),
    }
}

/// A TOML error as `line N: message`.
fn toml_reason(text: &str, e: &toml::de::Error) -> String {
    let message = e.message();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message.to_string(),
    }
}

/// A `sqlite:` URL with a relative path, made relative to `dir` (the
/// config file's directory) the way Cargo.toml's paths are; every other
/// URL as given.
fn relative_to(url: &str, dir: &Path) -> String {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return url.to_string();
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let path = path.strip_prefix("//").unwrap_or(path);
    if path.is_empty() || path.starts_with(':') || Path::new(path).is_absolute() {
        return url.to_string();
    }
    let joined = absolute(dir).join(path);
    match query {
        Some(q) => format!("sqlite:{}?{q}", joined.display()),
        None => format!("sqlite:{}", joined.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_in_the_file_are_relative_to_it() {
        let dir = Path::new("/srv/app");
        assert_eq!(
            relative_to("sqlite:data/m.db", dir),
            "sqlite:/srv/app/data/m.db"
        );
        assert_eq!(
            relative_to("sqlite:m.db?mode=ro", dir),
            "sqlite:/srv/app/m.db?mode=ro"
        );
        assert_eq!(relative_to("sqlite:/abs/m.db", dir), "sqlite:/abs/m.db");
        assert_eq!(relative_to("sqlite::memory:", dir), "sqlite::memory:");
        assert_eq!(relative_to("mysql://u@h/db", dir), "mysql://u@h/db");
    }
}
