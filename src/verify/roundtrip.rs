//! `verify --roundtrip`: the project's migrations run on a scratch
//! database: up to the live database's version (what the live schema
//! should be), up to the latest, down to 0 (which must leave nothing
//! behind), and up again (which must build the same schema as the first
//! time). Writes only to the scratch database, which it drops afterwards.

use std::time::Duration;

use crate::db::introspect::{self, Schema};
use crate::db::scratch::Scratch;
use crate::db::{Db, DbError};
use crate::migrate::{self, DownOptions, DownTarget, MigrationSet, Options};

use super::drift;

pub struct Roundtrip {
    /// The scratch schema at the live database's version, or why there is none.
    pub at_current: Result<Schema, String>,
    /// The scratch schema after every migration, when up got that far.
    pub at_latest: Option<Schema>,
    pub problems: Vec<String>,
}

pub async fn run(
    live: &mut Db,
    set: &MigrationSet,
    current: Option<i32>,
    lock_timeout: Duration,
) -> Result<Roundtrip, DbError> {
    on_scratch(live, async |db: &mut Db| {
        steps(db, set, current, lock_timeout).await
    })
    .await
}

/// Runs `work` on a scratch database made beside `live`, and drops it
/// afterwards whatever happened.
async fn on_scratch<T>(
    live: &mut Db,
    work: impl AsyncFnOnce(&mut Db) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let scratch = Scratch::create(live).await?;
    let mut db = match scratch.connect().await {
        Ok(db) => db,
        Err(e) => {
            scratch.drop(live).await?;
            return Err(e);
        }
    };
    let result = work(&mut db).await;
    db.close().await;
    scratch.drop(live).await?;
    result
}

/// What the migrations up to `version` build, on a scratch database; the
/// error says why they could not be built there.
pub async fn schema_at(
    live: &mut Db,
    set: &MigrationSet,
    version: i32,
    lock_timeout: Duration,
) -> Result<Result<Schema, String>, DbError> {
    on_scratch(live, async |db: &mut Db| {
        let opts = Options { lock_timeout };
        let quiet = |_: migrate::Event<'_>| {};
        match migrate::up(db, set, Some(i64::from(version)), false, &opts, &quiet).await {
            Ok(_) => introspect::read_schema(db, false).await.map(Ok),
            Err(e) => Ok(Err(e.to_string())),
        }
    })
    .await
}

async fn steps(
    db: &mut Db,
    set: &MigrationSet,
    current: Option<i32>,
    lock_timeout: Duration,
) -> Result<Roundtrip, DbError> {
    let opts = Options { lock_timeout };
    let quiet = |_: migrate::Event<'_>| {};
    let mut out = Roundtrip {
        at_current: Err("not reached".into()),
        at_latest: None,
        problems: Vec::new(),
    };
    let up = async |db: &mut Db, to: Option<i64>| -> Result<Result<Schema, String>, DbError> {
        match migrate::up(db, set, to, false, &opts, &quiet).await {
            Ok(_) => Ok(Ok(introspect::read_schema(db, false).await?)),
            Err(e) => Ok(Err(e.to_string())),
        }
    };
    out.at_current = match current {
        Some(v) => up(db, Some(i64::from(v))).await?,
        None => Ok(introspect::read_schema(db, false).await?),
    };
    if let Err(e) = &out.at_current {
        out.problems
            .push(format!("up to V{} failed: {e}", current.unwrap_or(0)));
        return Ok(out);
    }
    let first = match up(db, None).await? {
        Ok(s) => s,
        Err(e) => {
            out.problems.push(format!("up failed: {e}"));
            return Ok(out);
        }
    };
    out.at_latest = Some(first.clone());
    let down = DownOptions {
        target: DownTarget::To(0),
        dry_run: false,
        allow_data_loss: true,
    };
    if let Err(e) = migrate::down(db, set, &down, &opts, &quiet).await {
        out.problems.push(format!("down to 0 failed: {e}"));
        return Ok(out);
    }
    let empty = introspect::read_schema(db, false).await?;
    for d in drift::diff(
        &Schema::default(),
        &empty,
        "an empty database",
        "the scratch database after down to 0",
    ) {
        out.problems
            .push(format!("down to 0 left {} behind", d.object));
    }
    match up(db, None).await? {
        Ok(second) => {
            for d in drift::diff(&first, &second, "the first up", "the second up") {
                out.problems.push(format!("up after down differs: {d}"));
            }
        }
        Err(e) => out.problems.push(format!("up after down to 0 failed: {e}")),
    }
    Ok(out)
}
