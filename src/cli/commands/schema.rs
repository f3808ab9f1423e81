//! `mendb schema dump`: the live schema, normalized, as text or as the
//! JSON snapshot `verify` compares with. Reads only.

use clap::{Args, Subcommand};

use crate::cli::CliError;
use crate::cli::opt::{Connection, Migrations, TextOrJson};
use crate::cli::render::Output;
use crate::db::introspect;
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
    Dump {
        /// Include mendb's and refinery's own tables and tables parked by a prune
        #[arg(long)]
        include_internal: bool,
    },
}

pub async fn run(args: &SchemaArgs, out: &Output) -> Result<(), CliError> {
    let url = args.connection.url(true)?;
    let dir = args.migrations.migrations.as_deref();
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
    let SchemaCommand::Dump { include_internal } = &args.command;
    let schema = introspect::read_schema(db, *include_internal).await?;
    let version = migrate::status(db, set).await?.current_version;
    out.schema_dump(&Snapshot {
        dialect: db.dialect(),
        version,
        schema,
    });
    Ok(())
}
