//! Applying a step, a chunk at a time: claiming the next chunk (or a dead
//! worker's) in a short transaction on the step's row, then writing the
//! chunk and committing it with its checkpoint, the end of its lease and
//! its log entry, in one transaction. Never decides pace or sizes.

use std::time::{Duration, Instant};

use super::executor::Crew;
use super::integrity;
use super::pace::Pacing;
use super::sqlgen::StepSql;
use super::state;
use crate::db::lock::{self, LockName};
use crate::db::{Db, DbError, get_i64, get_string};

/// What a claim got.
pub enum Claim {
    /// A chunk, and the size it was cut to (None for a taken-over lease).
    Chunk(state::Lease, Option<u64>),
    /// Every chunk is handed out and some are still being written.
    Wait,
    /// The step is finished.
    Done,
}

/// Key values read from the state that must fit the step's key before any
/// SQL is built from them: the check at the start vouched for them, but
/// the rows may have been changed since.
fn fitting(
    crew: &Crew<'_>,
    keys: Option<&[String]>,
    row: &str,
    column: &str,
) -> Result<(), DbError> {
    match keys {
        Some(k) => integrity::fit(k, &crew.step.key, crew.step.dialect).map_err(|fault| {
            DbError::Conflict(format!(
                "{column} of {row} {fault}; rerun the plan to have its state checked"
            ))
        }),
        None => Ok(()),
    }
}

/// In one short transaction on the step's locked row: take over a dead
/// worker's chunk, or cut the next chunk of `size` rows after the
/// frontier, or find the step finished. A worker claims this way for its
/// first chunk and after a wait; every other claim rides in the
/// transaction of the chunk before it (`write_chunk`).
pub async fn claim(db: &mut Db, crew: &Crew<'_>, owner: &str, size: u64) -> Result<Claim, DbError> {
    db.execute_script(db.dialect().begin_write()).await?;
    let result = claim_within(db, crew, owner, size).await;
    finish_transaction(db, result, |_| true).await
}

/// A claim, inside a transaction the caller commits.
async fn claim_within(
    db: &mut Db,
    crew: &Crew<'_>,
    owner: &str,
    size: u64,
) -> Result<Claim, DbError> {
    let (run_id, index) = (crew.run_id, crew.index);
    let frontier = state::lock_step(db, run_id, index).await?;
    if frontier.done == state::progress::DONE {
        return Ok(Claim::Done);
    }
    let step_row = format!("mendb_backfill_steps run_id = {run_id} AND step_index = {index}");
    fitting(crew, frontier.cursor.as_deref(), &step_row, "cursor_key")?;
    if let Some(lease) = take_over_dead(db, crew, owner).await? {
        return Ok(Claim::Chunk(lease, None));
    }
    if frontier.done == state::progress::OPEN {
        let lease = cut_next(db, crew, owner, frontier.cursor.as_deref(), size).await?;
        return Ok(Claim::Chunk(lease, Some(size)));
    }
    if state::finish_if_complete(db, run_id, index).await? {
        Ok(Claim::Done)
    } else {
        Ok(Claim::Wait)
    }
}

/// Hands back a chunk claimed but not started, when the worker stops: the
/// frontier moves back over it if nothing was cut after it, otherwise the
/// lease is left for any worker to take over at once.
pub async fn give_back(
    db: &mut Db,
    crew: &Crew<'_>,
    owner: &str,
    lease: &state::Lease,
) -> Result<(), DbError> {
    db.execute_script(db.dialect().begin_write()).await?;
    let result = state::give_back(db, crew.run_id, crew.index, lease, owner).await;
    finish_transaction(db, result, |_| true).await
}

fn lease_secs(crew: &Crew<'_>) -> u64 {
    crew.tuning.lease.as_secs().max(1)
}

/// Within the claim's transaction: the first idle lease whose worker is
/// gone (expired, or its session ended), now `owner`'s.
async fn take_over_dead(
    db: &mut Db,
    crew: &Crew<'_>,
    owner: &str,
) -> Result<Option<state::Lease>, DbError> {
    let (run_id, index) = (crew.run_id, crew.index);
    for idle in state::idle_leases(db, run_id, index).await? {
        let gone = match idle.owner_session {
            Some(session) => !state::session_alive(db, session).await?,
            None => false,
        };
        if idle.expired || gone {
            let lease_row = format!(
                "mendb_backfill_leases run_id = {run_id} AND step_index = {index} AND chunk_no = {}",
                idle.lease.chunk_no
            );
            fitting(crew, idle.lease.from.as_deref(), &lease_row, "key_from")?;
            fitting(crew, idle.lease.to.as_deref(), &lease_row, "key_to")?;
            tracing::info!(
                step = crew.name(),
                chunk = idle.lease.chunk_no,
                expired = idle.expired,
                "taking over the chunk of a worker that is gone"
            );
            let chunk_no = idle.lease.chunk_no;
            state::take_over(db, run_id, index, chunk_no, owner, lease_secs(crew)).await?;
            return Ok(Some(idle.lease));
        }
    }
    Ok(None)
}

/// Within the claim's transaction: the lease of the next `size` rows after
/// `cursor`, up to the key the bound query finds (none: to the end).
async fn cut_next(
    db: &mut Db,
    crew: &Crew<'_>,
    owner: &str,
    cursor: Option<&[String]>,
    size: u64,
) -> Result<state::Lease, DbError> {
    let bound_sql = crew.step.bound_query(cursor, size);
    let rows = db.fetch(&bound_sql.text, &bound_sql.params()).await?;
    let bound: Option<Vec<String>> = rows.first().map(|r| {
        (0..crew.step.key.len())
            .map(|i| get_string(r, i).unwrap_or_default())
            .collect()
    });
    state::open_lease(
        db,
        crew.run_id,
        crew.index,
        cursor,
        bound.as_deref(),
        owner,
        lease_secs(crew),
    )
    .await
}

/// Commits when `keep` says so, rolls back otherwise and on errors.
async fn finish_transaction<T>(
    db: &mut Db,
    result: Result<T, DbError>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, DbError> {
    match result {
        Ok(v) if keep(&v) => {
            db.execute_script("COMMIT").await?;
            Ok(v)
        }
        Ok(v) => {
            db.execute_script("ROLLBACK").await?;
            Ok(v)
        }
        Err(e) => {
            let _ = db.execute_script("ROLLBACK").await;
            Err(e)
        }
    }
}

/// A written chunk: its rows, the step's rows in all, the time its writes
/// and its whole transaction took, and the claim that followed it in its
/// transaction.
pub struct Written {
    pub rows: u64,
    pub step_rows: u64,
    pub writes: Duration,
    pub elapsed: Duration,
    /// Whether the chunk may have met keys the target had.
    pub met_existing: bool,
    pub next: Option<(Claim, Pacing)>,
}

/// One chunk in one transaction: hold the lease, apply the action, end the
/// lease, log the chunk and, unless the worker is stopping, claim the next
/// chunk, paced by `next` and the time this one's writes took. Folding the
/// claim in spares a worker a commit per chunk; the claim is the same one
/// `claim` makes. `expect_new`: the worker's last chunk met no existing
/// key (see `write_action`). None when the lease is no longer this
/// worker's.
pub async fn write_chunk(
    db: &mut Db,
    crew: &Crew<'_>,
    owner: &str,
    lease: &state::Lease,
    cut: Option<u64>,
    next: Pacing,
    expect_new: bool,
) -> Result<Option<Written>, DbError> {
    let started = Instant::now();
    let step = crew.step;
    let one_at_a_time = step
        .writes_one_at_a_time()
        .map(|target| LockName(format!("copy:{target}")));
    db.execute_script(db.dialect().begin_write()).await?;
    let result = async {
        if !state::hold(db, crew.run_id, crew.index, lease.chunk_no, owner).await? {
            return Ok(None);
        }
        if let Some(name) = &one_at_a_time {
            lock::lock_for_transaction(db, name, crew.lock_timeout).await?;
        }
        let wrote = write_action(db, step, lease, cut, expect_new).await?;
        let written = wrote.rows;
        let elapsed = started.elapsed();
        let step_rows = state::complete(
            db,
            crew.run_id,
            crew.index,
            lease,
            written,
            elapsed.as_millis(),
        )
        .await?;
        // The claim locks the step's row, which `complete` has just
        // updated: this transaction holds it already.
        let next = match crew.stopped() {
            true => None,
            false => {
                let pacing = next.after(cut, elapsed);
                Some((claim_within(db, crew, owner, pacing.size).await?, pacing))
            }
        };
        Ok(Some(Written {
            rows: written,
            step_rows,
            writes: elapsed,
            elapsed,
            met_existing: wrote.met_existing,
            next,
        }))
    }
    .await;
    let done = finish_transaction(db, result, Option::is_some).await;
    if let Some(name) = &one_at_a_time {
        // A lost connection took the lock with it.
        let _ = lock::release_after_transaction(db, name).await;
    }
    Ok(done?.map(|w| Written {
        elapsed: started.elapsed(),
        ..w
    }))
}

/// What a chunk's action wrote.
struct Wrote {
    rows: u64,
    /// Whether it may have met keys the target had: a copy tries the plain
    /// insert first only after a chunk that met none.
    met_existing: bool,
}

/// Savepoint of a plain insert tried first (the same name on every
/// database mendb writes).
const PLAIN_FIRST: &str = "mendb_plain_first";

/// The action's statements for the chunk. Where the target's upsert costs
/// more than a plain insert and the last chunk met no existing key, the
/// plain insert goes first, inside a savepoint; an existing key rolls it
/// back to the upsert, which keeps the rows already there as they are. A
/// clash on another unique key fails the upsert as well, as it always did.
async fn write_action(
    db: &mut Db,
    step: &StepSql<'_>,
    lease: &state::Lease,
    cut: Option<u64>,
    expect_new: bool,
) -> Result<Wrote, DbError> {
    let (from, to) = (lease.from.as_deref(), lease.to.as_deref());
    let plain = match expect_new {
        true => step.plain_copy(from, to),
        false => None,
    };
    if let Some(plain) = plain {
        db.execute_script(&format!("SAVEPOINT {PLAIN_FIRST}"))
            .await?;
        match db.execute(&plain.text, &plain.params()).await {
            Ok(rows) => {
                tracing::debug!(chunk = lease.chunk_no, rows, "written as a plain insert");
                db.execute_script(&format!("RELEASE SAVEPOINT {PLAIN_FIRST}"))
                    .await?;
                return Ok(Wrote {
                    rows,
                    met_existing: false,
                });
            }
            Err(e) if e.is_unique_violation(db.dialect()) => {
                tracing::debug!(
                    chunk = lease.chunk_no,
                    "a key of the chunk exists: written again as an upsert"
                );
                db.execute_script(&format!("ROLLBACK TO SAVEPOINT {PLAIN_FIRST}"))
                    .await?;
            }
            Err(e) => return Err(e),
        }
    }
    let counted = step.counts_duplicates();
    if counted {
        db.execute_script(&db.dialect().reset_skip_counters())
            .await?;
    }
    let mut rows = 0;
    for sql in step.action(from, to) {
        rows += db.execute(&sql.text, &sql.params()).await?;
    }
    if counted {
        rows = rows.saturating_sub(duplicates(db, step).await?);
    }
    // A chunk cut to `cut` rows holds that many (but for the last); one
    // that wrote all of them skipped none.
    Ok(Wrote {
        rows,
        met_existing: cut.is_none_or(|c| rows < c),
    })
}

/// Rows the last upsert skipped as existing keys. A clash on another
/// unique key is an error: skipping it would lose a source row silently.
async fn duplicates(db: &mut Db, step: &StepSql<'_>) -> Result<u64, DbError> {
    let rows = db.fetch(&db.dialect().read_skip_counters(), &[]).await?;
    let count = |i| {
        rows.first()
            .and_then(|r| get_i64(r, i))
            .map_or(0, |v| v.max(0) as u64)
    };
    let (dup, other) = (count(0), count(1));
    if other > 0 {
        return Err(DbError::Conflict(format!(
            "{other} row(s) of this chunk clash with existing rows of `{}` on a unique key other than the match key; nothing of the chunk was kept",
            step.copy_target().unwrap_or_default()
        )));
    }
    Ok(dup)
}
