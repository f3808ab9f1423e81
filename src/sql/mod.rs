//! Reading SQL text.
//!
//! This module owns everything mendb needs to understand about SQL as text:
//! splitting a migration file into the statements to execute one by one
//! ([`split_statements`]), laying a statement out one clause a line for
//! review ([`layout`]), and recognising statements that destroy or move
//! data — dropped, truncated or renamed tables and columns — so they can be
//! flagged before they run, and statements whose effects cannot be read
//! from their text at all ([`statement_effects`]). Names come back as
//! written ([`Ident`], [`ObjectName`]); which catalog object they denote is
//! the database's business (`crate::db::ident`).
//!
//! It is a lexer plus a few patterns, not a parser, and it never talks to a
//! database. MySQL/MariaDB, PostgreSQL and SQLite share its rules but for
//! comments and backslashes ([`Flavor`]).

mod effects;
mod layout;
mod lexer;
mod split;
mod txn;

pub use effects::{Effect, Ident, ObjectName, Opaque, parse_name, statement_effects};
pub use layout::layout;
pub use lexer::Flavor;
pub use split::{Statement, split_statements};
pub use txn::{Framing, framing};
