//! `mendb migrate baseline`: adopt a database from a version, or from
//! another tool's history; the live schema is checked against what the
//! migrations build either way.

use clap::{Args, ValueEnum};

use crate::cli::CliError;
use crate::cli::opt::{Connection, LockTimeout};
use crate::cli::parse::parse_version;
use crate::cli::render::Output;
use crate::db::Db;
use crate::migrate::{self, MigrationSet, Options, Tool};
use crate::verify;

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The version the database already matches
    #[arg(long = "to", alias = "version", value_name = "V", value_parser = parse_version, allow_negative_numbers = true, required_unless_present = "from", conflicts_with = "from")]
    pub to: Option<i64>,
    /// Adopt the history another tool keeps in this database (its table is left as it is)
    #[arg(long, value_enum, value_name = "TOOL")]
    pub from: Option<FromTool>,
    /// Record the version even though the live schema differs from what the migrations build; the reason and the differences go into the migration log
    #[arg(long, value_name = "REASON")]
    pub force: Option<String>,
    #[command(flatten)]
    pub lock: LockTimeout,
    #[command(flatten)]
    pub connection: Connection,
}

/// Migration tools whose history `baseline --from` adopts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FromTool {
    /// flyway_schema_history
    Flyway,
    /// _sqlx_migrations
    Sqlx,
    /// schema_migrations (version, dirty)
    GolangMigrate,
    /// schema_migrations (version)
    Dbmate,
    /// refinery_schema_history
    Refinery,
}

impl FromTool {
    fn tool(self) -> Tool {
        match self {
            FromTool::Flyway => Tool::Flyway,
            FromTool::Sqlx => Tool::Sqlx,
            FromTool::GolangMigrate => Tool::GolangMigrate,
            FromTool::Dbmate => Tool::Dbmate,
            FromTool::Refinery => Tool::Refinery,
        }
    }
}

pub async fn run(
    args: &BaselineArgs,
    set: &MigrationSet,
    db: &mut Db,
    out: &Output,
) -> Result<(), CliError> {
    let opts = args.lock.options()?;
    let tool = args.from.map(FromTool::tool);
    out.baseline(&baseline(db, set, args.to, tool, args.force.clone(), &opts).await?);
    Ok(())
}

async fn baseline(
    db: &mut Db,
    set: &MigrationSet,
    version: Option<i64>,
    tool: Option<Tool>,
    force: Option<String>,
    opts: &Options,
) -> Result<migrate::BaselineReport, CliError> {
    if tool != Some(Tool::Refinery) {
        migrate::check_no_history(db).await?;
    }
    let adopted = match tool {
        Some(tool) => Some(migrate::adopt::read(db, set, tool).await?),
        None => None,
    };
    let version = match (&adopted, version) {
        (Some(a), _) => a.version,
        (None, Some(v)) => v as i32,
        (None, None) => return Err(CliError::Usage("give --version V or --from TOOL".into())),
    };
    let mut differences: Vec<String> = adopted
        .iter()
        .flat_map(|a| &a.mapped)
        .filter_map(|m| match &m.checksum {
            migrate::ChecksumState::Differs { recorded, file } => Some(format!(
                "V{}__{}: the checksum {} recorded is {recorded}, the file's is {file} (the files are not the ones it applied)",
                m.version,
                m.name,
                tool.map_or("", Tool::name)
            )),
            _ => None,
        })
        .collect();
    differences.extend(verify::baseline_differences(db, set, version, opts.lock_timeout).await?);
    if tool == Some(Tool::Refinery) {
        // Its table is mendb's history already: checked, nothing to record.
        if !differences.is_empty() && force.is_none() {
            return Err(migrate::MigrateError::BaselineDiffers {
                version,
                differences,
            }
            .into());
        }
        return Ok(migrate::BaselineReport {
            version,
            recorded: Vec::new(),
            forced: force,
            differences,
            adopted,
        });
    }
    let check = migrate::BaselineCheck { differences, force };
    let mut report = migrate::baseline(db, set, i64::from(version), opts, check).await?;
    report.adopted = adopted;
    Ok(report)
}
