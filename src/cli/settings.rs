//! Where the database comes from, in the order a user can override it:
//! `--database-url`, then the `DATABASE_URL` environment variable, then a
//! `.env` file in the working directory, then `mendb.toml` in the working
//! directory or the nearest parent that has one (as cargo finds
//! Cargo.toml). There is no implicit database: without any of them a
//! command that needs one stops, saying where it looked. The same file
//! names the project's folders, the lock timeout and the output format,
//! each overridden by its flag. Reads files and the environment; connects
//! to nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::opt::Format;
use super::parse::{duration_text, parse_wait};
use crate::db::{DbError, Dialect, redact};
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
    if let Some(project) = nearest_project(&cwd, &mut looked)?
        && let (Some(url), var) = project.database_url()?
    {
        return Ok(found(url, Source::ConfigFile(project.file, var), looked));
    }
    Ok(Lookup {
        found: None,
        looked,
    })
}

/// The nearest `mendb.toml` from the working directory up, parsed; None
/// when there is none.
pub fn project() -> Result<Option<Project>, SettingsError> {
    nearest_project(&absolute(Path::new(".")), &mut Vec::new())
}

fn nearest_project(cwd: &Path, looked: &mut Vec<String>) -> Result<Option<Project>, SettingsError> {
    let nearest = cwd
        .ancestors()
        .map(|dir| dir.join(CONFIG_FILE))
        .find(|file| {
            looked.push(file.display().to_string());
            file.is_file()
        });
    nearest.map(|file| Project::read(&file)).transpose()
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
    /// The `mendb.toml` in effect, if any.
    pub config_file: Option<String>,
    pub migrations: Setting,
    pub contracts: Setting,
    pub plans: Setting,
    pub snapshots: Setting,
    pub lock_timeout: Setting,
    pub format: Setting,
}

impl Effective {
    pub fn of(lookup: Lookup, wait: Duration, project: Option<&Project>) -> Effective {
        let found = lookup.found.as_ref();
        let folder = |f: Folder, default: &str| match project.and_then(|p| p.folder(f)) {
            Some(dir) => Setting::from_file(dir.display().to_string()),
            None => Setting::default(default),
        };
        Effective {
            database_url: found.map(|f| redact(&f.url)),
            source: found.map(|f| f.source.kind()),
            path: found.and_then(|f| f.source.path().map(|p| p.display().to_string())),
            from: found.map(|f| f.source.to_string()),
            looked_at: lookup.looked,
            wait_secs: wait.as_secs(),
            config_file: project.map(|p| p.file.display().to_string()),
            migrations: folder(Folder::Migrations, EMBEDDED),
            contracts: folder(Folder::Contracts, EMBEDDED),
            plans: folder(
                Folder::Plans,
                "./backfill-plans when present, then the shipped plans",
            ),
            snapshots: folder(Folder::Snapshots, SNAPSHOTS),
            lock_timeout: match project.and_then(Project::lock_timeout) {
                Some(d) => Setting::from_file(duration_text(d)),
                None => Setting::default(&duration_text(super::opt::LOCK_TIMEOUT)),
            },
            format: match project.and_then(Project::format) {
                Some(f) => Setting::from_file(f.name().to_string()),
                None => Setting::default(Format::Text.name()),
            },
        }
    }
}

/// What `mendb config` says of a folder nobody named: the copy built
/// into the binary is used.
const EMBEDDED: &str = "embedded";

/// The URL, or the error that says where mendb looked.
pub fn database_url(flag: Option<&str>) -> Result<Found, SettingsError> {
    let lookup = lookup(flag)?;
    lookup.found.ok_or(SettingsError::NoDatabase(lookup.looked))
}

/// The folder snapshots live in when `mendb.toml` names none.
pub const SNAPSHOTS: &str = "schema";

/// The snapshot `verify` compares with and `schema dump --write` writes:
/// `<dialect>.json` in the folder `mendb.toml` names, else in `schema/`.
pub fn snapshot_path(dialect: Dialect) -> Result<PathBuf, SettingsError> {
    let dir = folder(None, Folder::Snapshots)?.unwrap_or_else(|| PathBuf::from(SNAPSHOTS));
    Ok(dir.join(format!("{}.json", dialect.dir_name())))
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

/// Everything `mendb.toml` may say. Paths are relative to the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// The URL itself; a relative `sqlite:` path is relative to the file.
    database_url: Option<String>,
    /// The name of an environment variable holding the URL, for files
    /// checked into a repository without a password in them.
    database_url_env: Option<String>,
    /// The project's migrations: DIR/<dialect>/ or one dialect's files.
    migrations: Option<PathBuf>,
    /// The consumer contracts, every *.toml.
    contracts: Option<PathBuf>,
    /// Backfill plans usable by name, every *.toml.
    plans: Option<PathBuf>,
    /// Where `verify` finds, and `schema dump --write` writes,
    /// `<dialect>.json`.
    snapshots: Option<PathBuf>,
    lock_timeout: Option<toml::Spanned<String>>,
    format: Option<Format>,
}

/// A parsed `mendb.toml` and where it is.
#[derive(Debug)]
pub struct Project {
    pub file: PathBuf,
    config: ConfigFile,
    lock_timeout: Option<Duration>,
}

/// The folders a project may name, by their key in `mendb.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    Migrations,
    Contracts,
    Plans,
    Snapshots,
}

impl Project {
    fn read(path: &Path) -> Result<Project, SettingsError> {
        let bad = bad_file(path);
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let config: ConfigFile =
            toml::from_str(&text).map_err(|e| bad(toml_reason(&text, e.message(), e.span())))?;
        let lock_timeout = match &config.lock_timeout {
            None => None,
            Some(value) => Some(
                parse_wait(value.get_ref())
                    .map_err(|why| bad(toml_reason(&text, &why, Some(value.span()))))?,
            ),
        };
        Ok(Project {
            file: path.to_path_buf(),
            config,
            lock_timeout,
        })
    }

    /// The directory holding the file, against which its paths count.
    pub fn dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    /// The folder the file names for `folder`, made absolute.
    pub fn folder(&self, folder: Folder) -> Option<PathBuf> {
        let path = match folder {
            Folder::Migrations => &self.config.migrations,
            Folder::Contracts => &self.config.contracts,
            Folder::Plans => &self.config.plans,
            Folder::Snapshots => &self.config.snapshots,
        };
        path.as_ref().map(|p| absolute(&self.dir().join(p)))
    }

    pub fn lock_timeout(&self) -> Option<Duration> {
        self.lock_timeout
    }

    pub fn format(&self) -> Option<Format> {
        self.config.format
    }

    /// The URL the file gives, and the variable it named if it named one.
    fn database_url(&self) -> Result<(Option<String>, Option<String>), SettingsError> {
        let bad = bad_file(&self.file);
        match (&self.config.database_url, &self.config.database_url_env) {
            (Some(_), Some(_)) => Err(bad(
                "database_url and database_url_env are both set; keep one".to_string(),
            )),
            (Some(url), None) if url.trim().is_empty() => Err(bad("database_url is empty".into())),
            (Some(url), None) => Ok((Some(relative_to(url, self.dir())), None)),
            (None, Some(var)) => match std::env::var(var) {
                Ok(url) if !url.trim().is_empty() => Ok((Some(url), Some(var.clone()))),
                _ => Err(bad(format!(
                    "database_url_env names {var}, which is not set in the environment"
                ))),
            },
            (None, None) => Ok((None, None)),
        }
    }
}

/// A setting's value and where it came from, for `mendb config`.
#[derive(Debug, Serialize)]
pub struct Setting {
    pub value: String,
    /// config_file or default.
    pub from: &'static str,
}

impl Setting {
    fn from_file(value: String) -> Setting {
        Setting {
            value,
            from: "config_file",
        }
    }

    fn default(value: &str) -> Setting {
        Setting {
            value: value.to_string(),
            from: "default",
        }
    }
}

/// A folder a flag gives, else the one `mendb.toml` names, else None
/// (mendb's embedded copy, or the command's own default).
pub fn folder(flag: Option<&Path>, folder: Folder) -> Result<Option<PathBuf>, SettingsError> {
    if let Some(dir) = flag {
        return Ok(Some(dir.to_path_buf()));
    }
    Ok(project()?.and_then(|p| p.folder(folder)))
}

/// A message about the file as `line N: key: message`, the key named
/// unless the message names it already.
fn toml_reason(text: &str, message: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else {
        return message.to_string();
    };
    let start = span.start.min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or_default();
    match line_text.split_once('=').map(|(k, _)| k.trim()) {
        Some(key) if !key.is_empty() && !message.contains(&format!("`{key}`")) => {
            format!("line {line}: {key}: {message}")
        }
        _ => format!("line {line}: {message}"),
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
