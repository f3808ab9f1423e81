//! Process exit codes: one table for every command, documented in
//! docs/exit-codes.md. Scripts and init containers branch on these, so a
//! number never changes meaning.

pub const OK: i32 = 0;
/// A bug or an unexpected database error.
pub const INTERNAL: i32 = 1;
/// Bad flags or values: unknown version, malformed URL or timestamp.
pub const USAGE: i32 = 2;
/// The database could not be reached (or refused the login).
pub const UNREACHABLE: i32 = 3;
/// Another runner held the lock for longer than `--lock-timeout`.
pub const LOCK_TIMEOUT: i32 = 4;
/// Migration files and the history table disagree, or a file is malformed.
pub const FILES_OR_HISTORY: i32 = 5;
/// A migration stopped half-way and left the database dirty.
pub const DIRTY: i32 = 6;
/// A migration's SQL failed.
pub const MIGRATION_FAILED: i32 = 7;
/// `migrate down` refused to destroy data without `--allow-data-loss`.
pub const DATA_LOSS: i32 = 8;
/// The database is not in the state the command needs (e.g. fixtures on a
/// database that already holds data, or a table without the named columns).
pub const WRONG_STATE: i32 = 9;
/// `gaps --fail-if-missing N` found more than N missing buckets.
pub const GAPS_FOUND: i32 = 10;
/// A backfill plan is malformed or does not fit the live schema.
pub const PLAN_INVALID: i32 = 11;
/// A backfill chunk failed for good; it was rolled back and the run
/// resumes after the last committed chunk.
pub const BACKFILL_FAILED: i32 = 12;
/// `verify` (or `migrate up --verify`) found at least one failing check;
/// its report lists each.
pub const VERIFY_FAILED: i32 = 13;
/// `migrate status --exit-code` found migrations not applied yet (and
/// nothing worse: a dirty mark is `DIRTY`, files that disagree with the
/// history `FILES_OR_HISTORY`).
pub const PENDING: i32 = 14;
/// `backfill run`: the run was cancelled by `backfill cancel`; it is
/// abandoned, and only `--restart` starts another.
pub const CANCELLED: i32 = 15;
/// SIGINT.
pub const INTERRUPTED: i32 = 130;
/// SIGTERM.
pub const TERMINATED: i32 = 143;
