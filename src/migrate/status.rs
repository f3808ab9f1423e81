//! `migrate status`: files and history side by side, with the dirty marks.
//! Read-only.

use super::MigrateError;
use super::history::{self, StatusReport};
use super::log;
use super::source::MigrationSet;
use crate::db::Db;

pub async fn status(db: &mut Db, set: &MigrationSet) -> Result<StatusReport, MigrateError> {
    let applied = history::read_applied(db).await?;
    let (mut rows, problems) = history::compare(set, &applied);
    let mut dirty = log::unfinished(db).await?;
    log::mark_still_running(db, &mut dirty).await?;
    for entry in &dirty {
        if let Some(row) = rows.iter_mut().find(|r| r.version == entry.version) {
            row.state = history::MigrationState::Dirty;
        }
    }
    Ok(StatusReport {
        database: db.url().to_string(),
        dialect: db.dialect(),
        migrations: set.origin.clone(),
        current_version: applied.iter().map(|a| a.version).max(),
        latest_version: set.latest_version(),
        pending: rows
            .iter()
            .filter(|r| r.state == history::MigrationState::Pending)
            .count(),
        rows,
        dirty,
        problems: problems.iter().map(ToString::to_string).collect(),
    })
}
