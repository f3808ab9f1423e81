//! `mendb schema dump`: the live schema, normalized, as text or as the
//! JSON snapshot `verify` compares with. Reads only.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::cli::CliError;
use crate::cli::opt::{Connection, Migrations, TextOrJson};
use crate::cli::render::Output;
use crate::cli::settings;
use crate::db::introspect;
use crate::exit;
use crate::migrate::{self, MigrateError, MigrationSet};
use crate::verify::drift::Snapshot;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[command(subcommand)]
    pub command: SchemaCommand,
    #[command(flatten)]
    pub migrations: Migrations,
    #[command(flatten)]
    pub output: TextOrJson,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print the live schema, normalized and sorted (--format json writes a snapshot for verify)
    Dump(DumpArgs),
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Include mendb's and refinery's own tables and tables parked by a prune
    #[arg(long)]
    include_internal: bool,
    /// Write the JSON snapshot where verify looks for it (<snapshots>/<dialect>.json, schema/ unless mendb.toml says otherwise), creating the folder
    #[arg(long, conflicts_with = "output")]
    write: bool,
    /// Write the JSON snapshot to FILE, creating its folder
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub async fn run(args: &SchemaArgs, out: &Output) -> Result<(), CliError> {
    let url = args.connection.url(true)?;
    let dir = args.migrations.dir()?;
    let dir = dir.as_deref();
    let set = MigrationSet::load(url.dialect(), dir).map_err(MigrateError::from)?;
    let mut db = args.connection.connect(&url).await?;
    let result = dump(args, &set, &mut db, out).await;
    db.close().await;
    result
}

async fn dump(
    args: &SchemaArgs,
    set: &MigrationSet,
    db: &mut crate::db::Db,
    out: &Output,
) -> Result<(), CliError> {
    let SchemaCommand::Dump(dump) = &args.command;
    let file = match (&dump.output, dump.write) {
        (Some(file), _) => Some(file.clone()),
        (None, true) => Some(settings::snapshot_path(db.dialect())?),
        (None, false) => None,
    };
    let schema = introspect::read_schema(db, dump.include_internal).await?;
    let version = migrate::status(db, set).await?.current_version;
    let snapshot = Snapshot {
        dialect: db.dialect(),
        version,
        schema,
    };
    match file {
        Some(file) => {
            write_snapshot(&file, &snapshot).map_err(|e| CliError::Rendered {
                message: format!("cannot write the snapshot to {}: {e}", file.display()),
                code: exit::INTERNAL,
            })?;
            out.snapshot_written(&file, &snapshot);
        }
        None => out.schema_dump(&snapshot),
    }
    Ok(())
}

/// The snapshot as `--format json` prints it, written whole or not at
/// all: a reader (verify in another terminal) never sees half a file.
fn write_snapshot(file: &Path, snapshot: &Snapshot) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(snapshot).map_err(std::io::Error::other)?;
    text.push('\n');
    let partial = file.with_extension("json.partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, file)
}
