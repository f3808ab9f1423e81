//! Reading SQL text.
//!
//! This module owns everything mendb needs to understand about SQL as text:
//! splitting a migration file into the statements to execute one by one
//! ([`split_statements`]), and recognising statements that destroy or move
//! data — dropped, truncated or renamed tables and columns — so they can be
//! flagged before they run ([`statement_effects`]).
//!
//! It is a lexer plus a few patterns, not a parser, and it never talks to a
//! database. MySQL/MariaDB, PostgreSQL and SQLite share its rules but for
//! comments and backslashes ([`Flavor`]).

mod effects;
mod split;

pub use effects::{Effect, statement_effects};
pub use split::{Flavor, Statement, split_statements};
