//! Resumable, chunked backfills driven by reviewed TOML plans: the plan
//! format (`plan`). Owns mendb's backfill state tables; never changes the
//! schema.

pub mod plan;
