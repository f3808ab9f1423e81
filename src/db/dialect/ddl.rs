//! DDL of mendb's own tables: the migration log and the backfill state.
//! What goes into the tables belongs to `migrate` and `backfill`.

use super::Dialect;

impl Dialect {
    /// Column type of an auto-numbered primary key, for mendb's own tables.
    fn id_column(self) -> &'static str {
        match self {
            Dialect::Mysql => "BIGINT AUTO_INCREMENT PRIMARY KEY",
            Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
            Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        }
    }

    /// Column type for text of any length (statements, errors, cursors).
    fn long_text(self) -> &'static str {
        match self {
            Dialect::Mysql => "LONGTEXT",
            Dialect::Postgres | Dialect::Sqlite => "TEXT",
        }
    }

    /// DDL of the per-migration log that records started / finished /
    /// statements done, so a half-applied MySQL migration is detectable.
    pub fn migration_log_ddl(self) -> String {
        let (id, text) = (self.id_column(), self.long_text());
        format!(
            "CREATE TABLE IF NOT EXISTS mendb_migration_log (
                id {id},
                version INTEGER NOT NULL,
                name VARCHAR(255) NOT NULL,
                direction VARCHAR(8) NOT NULL,
                status VARCHAR(16) NOT NULL,
                checksum VARCHAR(32) NOT NULL,
                started_at VARCHAR(40) NOT NULL,
                finished_at VARCHAR(40) NULL,
                statements_total INTEGER NOT NULL,
                statements_done INTEGER NOT NULL,
                done_digest VARCHAR(32) NULL,
                failed_line INTEGER NULL,
                failed_statement {text} NULL,
                error {text} NULL,
                statement_started INTEGER NULL,
                started_digest VARCHAR(32) NULL,
                session_id BIGINT NULL,
                statement_by_statement INTEGER NULL,
                note {text} NULL
            )"
        )
    }

    /// DDL of the backfill state: runs, each step's cursor, and a log of
    /// chunks (whose order shows what was written first).
    pub fn backfill_state_ddl(self) -> Vec<(&'static str, String)> {
        let (id, text) = (self.id_column(), self.long_text());
        vec![
            (
                "mendb_backfill_runs",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_runs (
                    id {id},
                    plan VARCHAR(128) NOT NULL,
                    checksum VARCHAR(32) NOT NULL,
                    params {text} NOT NULL,
                    status VARCHAR(16) NOT NULL,
                    started_at VARCHAR(40) NOT NULL,
                    finished_at VARCHAR(40) NULL,
                    rows_written BIGINT NOT NULL DEFAULT 0,
                    last_error {text} NULL
                )"
                ),
            ),
            (
                "mendb_backfill_steps",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_steps (
                    run_id BIGINT NOT NULL,
                    step_index INTEGER NOT NULL,
                    step_name VARCHAR(128) NOT NULL,
                    cursor_key {text} NULL,
                    rows_written BIGINT NOT NULL DEFAULT 0,
                    chunks BIGINT NOT NULL DEFAULT 0,
                    done INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (run_id, step_index)
                )"
                ),
            ),
            // A chunk handed to a worker and not finished yet. The worker
            // holds the row's lock while it writes the chunk; a lease whose
            // row is unlocked and whose owner is gone (or whose time ran
            // out) is taken over by another worker.
            (
                "mendb_backfill_leases",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_leases (
                    run_id BIGINT NOT NULL,
                    step_index INTEGER NOT NULL,
                    chunk_no BIGINT NOT NULL,
                    key_from {text} NULL,
                    key_to {text} NULL,
                    owner VARCHAR(200) NOT NULL,
                    owner_session BIGINT NULL,
                    expires_at BIGINT NOT NULL,
                    PRIMARY KEY (run_id, step_index, chunk_no)
                )"
                ),
            ),
            (
                "mendb_backfill_chunks",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_chunks (
                    id {id},
                    run_id BIGINT NOT NULL,
                    step_index INTEGER NOT NULL,
                    chunk_no BIGINT NOT NULL,
                    key_from {text} NULL,
                    key_to {text} NULL,
                    rows_written BIGINT NOT NULL,
                    elapsed_ms BIGINT NOT NULL,
                    finished_at VARCHAR(40) NOT NULL
                )"
                ),
            ),
            // Every pause, resume, cancel and re-throttle of a run, in the
            // order given: the workers of every process read it between
            // chunks, and `backfill status` shows it as the run's history.
            (
                "mendb_backfill_controls",
                format!(
                    "CREATE TABLE IF NOT EXISTS mendb_backfill_controls (
                    id {id},
                    run_id BIGINT NOT NULL,
                    action VARCHAR(16) NOT NULL,
                    settings {text} NULL,
                    by_user VARCHAR(128) NOT NULL,
                    by_host VARCHAR(255) NOT NULL,
                    at VARCHAR(40) NOT NULL
                )"
                ),
            ),
        ]
    }
}
