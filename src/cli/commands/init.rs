//! `mendb init [DIR]`: takes what is built into mendb (migrations,
//! consumer contracts, backfill plans) out into a project folder of one's
//! own, with a `mendb.toml` that points every command at it. Writes files
//! only, and nothing at all when any of them exists already.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;

use crate::cli::opt::TextOrJson;
use crate::cli::render::Output;
use crate::cli::settings::{self, CONFIG_FILE, SNAPSHOTS, SettingsError};
use crate::db::{DbUrl, Dialect};
use crate::exit;
use crate::migrate::source::embedded_sources;
use crate::verify::contracts;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder, created if missing [default: the working directory]
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Write the migrations of this dialect only [default: the dialect of the database URL, if one is set, else all three]
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// Database URL whose dialect to write the migrations for (never written into the file)
    #[arg(long)]
    database_url: Option<String>,
    #[command(flatten)]
    pub output: TextOrJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DialectArg {
    Mysql,
    Postgres,
    Sqlite,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Mysql => Dialect::Mysql,
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Sqlite => Dialect::Sqlite,
        }
    }
}

/// Folders of the skeleton, as `mendb.toml` names them.
const MIGRATIONS: &str = "migrations";
const CONTRACTS: &str = "contracts";
const PLANS: &str = "backfill-plans";

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(
        "{dir} holds a project already ({}{} exist); nothing was written: edit those files, or run init in another folder",
        .taken[..taken.len().min(3)].join(", "),
        match taken.len() { n if n > 3 => format!(" and {} more", n - 3), _ => String::new() }
    )]
    Exists { dir: String, taken: Vec<String> },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl InitError {
    pub fn exit_code(&self) -> i32 {
        match self {
            InitError::Settings(e) => e.exit_code(),
            InitError::Exists { .. } => exit::USAGE,
            InitError::Write { .. } => exit::INTERNAL,
        }
    }
}

/// What `init` wrote, for the renderer.
#[derive(Debug, Serialize)]
pub struct Initialized {
    pub dir: PathBuf,
    pub dialects: Vec<&'static str>,
    /// Relative to `dir`, in the order written.
    pub files: Vec<PathBuf>,
    /// The newest embedded version, which the project's next migration follows.
    pub latest_version: i32,
}

pub fn run(args: &InitArgs, out: &Output) -> Result<(), InitError> {
    let dialects = dialects(args)?;
    let files = skeleton(&dialects);
    let taken: Vec<String> = files
        .iter()
        .map(|(path, _)| args.dir.join(path))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !taken.is_empty() {
        return Err(InitError::Exists {
            dir: args.dir.display().to_string(),
            taken,
        });
    }
    for (path, body) in &files {
        let path = args.dir.join(path);
        write(&path, body).map_err(|source| InitError::Write {
            path: path.display().to_string(),
            source,
        })?;
    }
    out.initialized(&Initialized {
        dir: args.dir.clone(),
        dialects: dialects.iter().map(|d| d.dir_name()).collect(),
        files: files.into_iter().map(|(p, _)| p).collect(),
        latest_version: latest_embedded(&dialects),
    });
    Ok(())
}

/// The dialects to write migrations for: the flag, else the database's
/// when one is set, else every dialect (the project picks later).
fn dialects(args: &InitArgs) -> Result<Vec<Dialect>, SettingsError> {
    if let Some(d) = args.dialect {
        return Ok(vec![d.into()]);
    }
    let lookup = settings::lookup(args.database_url.as_deref())?;
    match lookup.found {
        Some(found) => {
            let url = DbUrl::parse(&found.url)
                .map_err(|e| SettingsError::BadUrl(Box::new(e), found.source))?;
            Ok(vec![url.dialect()])
        }
        None => Ok(Dialect::ALL.to_vec()),
    }
}

/// Every file of the project, relative to its folder, with its contents.
fn skeleton(dialects: &[Dialect]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = vec![(PathBuf::from(CONFIG_FILE), config_text().into_bytes())];
    for dialect in dialects {
        let dir = Path::new(MIGRATIONS).join(dialect.dir_name());
        let mut sources = embedded_sources(*dialect);
        sources.sort();
        files.extend(sources.into_iter().map(|(n, b)| (dir.join(n), b.to_vec())));
    }
    let mut contracts = contracts::embedded_sources();
    contracts.sort();
    files.extend(
        contracts
            .into_iter()
            .map(|(n, b)| (Path::new(CONTRACTS).join(n), b.to_vec())),
    );
    files.extend(
        super::backfill::shipped_plans()
            .into_iter()
            .map(|(n, b)| (Path::new(PLANS).join(n), b.to_vec())),
    );
    files.push((
        Path::new(SNAPSHOTS).join("README.md"),
        SNAPSHOTS_README.as_bytes().to_vec(),
    ));
    files
}

fn latest_embedded(dialects: &[Dialect]) -> i32 {
    dialects
        .iter()
        .filter_map(|d| crate::migrate::MigrationSet::load(*d, None).ok())
        .filter_map(|set| set.latest_version())
        .max()
        .unwrap_or(0)
}

fn write(path: &Path, body: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, body)
}

fn config_text() -> String {
    format!(
        r#"# mendb.toml: this project's settings, found from any folder below this one.
# A flag on the command line overrides the key of the same name.
# Reference: docs/configuration.md.

# The database. DATABASE_URL (in the environment or in ./.env) comes first;
# without it, one of these:
# database_url = "mysql://app@127.0.0.1:3306/crypto"   # a relative sqlite: path is relative to this file
# database_url_env = "PRICES_DATABASE_URL"              # the variable holding it, for a file kept in git

# The project's migrations, one folder per dialect (migrations/mysql/V5__name.sql).
# They start as a copy of the ones built into mendb; `mendb migrate new NAME` adds the next.
migrations = "{MIGRATIONS}"

# Consumer contracts, checked by `mendb verify` and `mendb migrate up --verify`.
contracts = "{CONTRACTS}"

# Backfill plans, runnable by name: `mendb backfill run fill-price-gaps`.
plans = "{PLANS}"

# Where `mendb verify` finds, and `mendb schema dump --write` writes, <dialect>.json.
snapshots = "{SNAPSHOTS}"

# How long to wait for another runner's migration or backfill lock.
lock_timeout = "5m"

# Results as text or json.
format = "text"
"#
    )
}

const SNAPSHOTS_README: &str = "\
# Schema snapshots

`mendb verify` compares the live schema with `<dialect>.json` here
(`mysql.json`, `postgres.json` or `sqlite.json`). After `mendb migrate up`,
write or refresh it with

    mendb schema dump --write

and commit it with the migration that changed the schema.
";
