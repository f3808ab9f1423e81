//! A throwaway database for checks that must run migrations somewhere
//! harmless: a private in-memory SQLite database, or a fresh database
//! `mendb_verify_<pid>_<n>` created beside the live one on the same server
//! and dropped afterwards. Never touches the live database's objects.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::{Db, DbError, DbUrl, Dialect};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub struct Scratch {
    pub url: DbUrl,
    /// The server database to drop afterwards; None for SQLite.
    name: Option<String>,
}

impl Scratch {
    /// Creates the scratch database through `live`'s connection (which
    /// needs the CREATE DATABASE privilege on MySQL and PostgreSQL).
    pub async fn create(live: &mut Db) -> Result<Scratch, DbError> {
        if live.dialect() == Dialect::Sqlite {
            return Ok(Scratch {
                url: live.url().with_database(""),
                name: None,
            });
        }
        let name = format!(
            "mendb_verify_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        live.execute_script(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|e| creating(&name, e))?;
        Ok(Scratch {
            url: live.url().with_database(&name),
            name: Some(name),
        })
    }

    pub async fn connect(&self) -> Result<Db, DbError> {
        Db::connect(&self.url, Duration::ZERO).await
    }

    /// Drops the scratch database; every connection to it must be closed.
    pub async fn drop(self, live: &mut Db) -> Result<(), DbError> {
        if let Some(name) = self.name {
            live.execute_script(&format!("DROP DATABASE IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}

fn creating(name: &str, e: DbError) -> DbError {
    match e {
        DbError::Query { source, .. } => DbError::Query {
            context: format!(
                "creating the scratch database {name} (--roundtrip needs the CREATE DATABASE privilege)"
            ),
            source,
        },
        other => other,
    }
}
