//! `migrate baseline`: records every migration up to a version as applied
//! without running it, how an existing database is adopted. Runs no
//! migration file; the live schema is compared by the caller, whose
//! findings arrive as a `BaselineCheck`.

use refinery_core::Target;
use serde::Serialize;

use super::common::{check_version, lock_name};
use super::driver::Driver;
use super::history;
use super::log;
use super::source::MigrationSet;
use super::{MigrateError, MigrationRef, Options};
use crate::db::Db;
use crate::db::lock::with_lock;

#[derive(Debug, Clone, Serialize)]
pub struct BaselineReport {
    pub version: i32,
    pub recorded: Vec<MigrationRef>,
    /// `--force`'s reason, when the schema differed and it was recorded
    /// anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced: Option<String>,
    /// How the live schema differed from what the migrations build.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<String>,
    /// The other tool's history this baseline adopted (`--from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted: Option<super::Adoption>,
}

/// What a baseline found when it compared the live schema with what the
/// migrations up to its version build (`verify::baseline_differences`).
#[derive(Debug, Clone, Default)]
pub struct BaselineCheck {
    pub differences: Vec<String>,
    /// `--force REASON`: record the version even though they differ.
    pub force: Option<String>,
}

/// Refuses a baseline of a database that already has a history, before
/// anything costly is done to check its schema.
pub async fn check_no_history(db: &mut Db) -> Result<(), MigrateError> {
    match history::read_applied(db)
        .await?
        .iter()
        .map(|a| a.version)
        .max()
    {
        Some(latest) => Err(MigrateError::AlreadyBaselined { latest }),
        None => Ok(()),
    }
}

/// Records every migration up to `version` as applied without running it:
/// how an existing production database is adopted. Only when `check`
/// found the live schema to be what those migrations build, unless
/// forced; then the reason and the differences are logged.
pub async fn baseline(
    db: &mut Db,
    set: &MigrationSet,
    version: i64,
    opts: &Options,
    check: BaselineCheck,
) -> Result<BaselineReport, MigrateError> {
    check_version(set, version, false)?;
    let all = set.refinery_migrations();
    with_lock(db, &lock_name(), opts.lock_timeout, async |db: &mut Db| {
        check_no_history(db).await?;
        let version = version as i32;
        let BaselineCheck { differences, force } = check;
        if !differences.is_empty() && force.is_none() {
            return Err(MigrateError::BaselineDiffers {
                version,
                differences,
            });
        }
        log::ensure_table(db).await?;
        let mut driver = Driver::new(db);
        history::migrate(&mut driver, &all, Target::FakeVersion(version))
            .await
            .map_err(|e| MigrateError::Refinery(e.to_string()))?;
        if let Some(reason) = &force {
            let name = set.get(version).map(|m| m.name.clone()).unwrap_or_default();
            log::record_forced_baseline(db, version, &name, reason, &differences).await?;
        }
        Ok(BaselineReport {
            version,
            recorded: set
                .migrations
                .iter()
                .filter(|m| m.version <= version)
                .map(|m| MigrationRef {
                    version: m.version,
                    name: m.name.clone(),
                })
                .collect(),
            forced: force,
            differences,
            adopted: None,
        })
    })
    .await
}
