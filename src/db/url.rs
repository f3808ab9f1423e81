//! Parsing and redacting database URLs. Owns the mapping from what a user
//! types (`mariadb://`, `sqlite:file.db`) to a URL sqlx
//! accepts; knows nothing about connections.

use std::fmt;

use super::{DbError, Dialect};

/// A validated database URL. `Display` never shows the password.
#[derive(Clone)]
pub struct DbUrl {
    dialect: Dialect,
    /// What sqlx connects to; may carry a password, so never print it.
    connect: String,
    redacted: String,
}

impl DbUrl {
    pub fn parse(raw: &str) -> Result<DbUrl, DbError> {
        let raw = raw.trim();
        let invalid = |reason: &str| DbError::InvalidUrl {
            url: redact(raw),
            reason: reason.to_string(),
        };
        let (scheme, _) = raw
            .split_once(':')
            .ok_or_else(|| invalid("expected a URL such as mysql://user@host/db, postgres://user@host/db or sqlite:file.db"))?;
        let dialect = match scheme.to_ascii_lowercase().as_str() {
            "mysql" | "mariadb" => Dialect::Mysql,
            "postgres" | "postgresql" => Dialect::Postgres,
            "sqlite" => Dialect::Sqlite,
            other => {
                return Err(invalid(&format!(
                    "unknown scheme `{other}` (expected mysql, mariadb, postgres, postgresql or sqlite)"
                )));
            }
        };
        let connect = match dialect {
            Dialect::Sqlite => sqlite_url(raw).map_err(|r| invalid(&r))?,
            Dialect::Mysql | Dialect::Postgres => {
                let mut url = url::Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
                if url.host_str().is_none_or(str::is_empty) {
                    return Err(invalid("missing host"));
                }
                if url.path().trim_start_matches('/').is_empty() {
                    return Err(invalid("missing database name after the host"));
                }
                if dialect == Dialect::Mysql {
                    url.set_scheme("mysql")
                        .map_err(|()| invalid("cannot use scheme mysql"))?;
                }
                url.to_string()
            }
        };
        Ok(DbUrl {
            dialect,
            redacted: redact(raw),
            connect,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL to hand to sqlx. Contains the password: do not log it.
    pub(crate) fn connect_str(&self) -> &str {
        &self.connect
    }

    /// The same database, for commands that only read: a missing SQLite
    /// file is not created, but read as the empty database it stands for
    /// (so `status` says everything is pending).
    pub fn read_only(&self) -> DbUrl {
        let mut url = self.clone();
        if url.dialect != Dialect::Sqlite || !url.connect.ends_with(CREATE_MODE) {
            return url;
        }
        let keep = url.connect.len() - CREATE_MODE.len();
        let path = url.connect["sqlite://".len()..keep].trim_end_matches(['?', '&']);
        url.connect = if std::path::Path::new(path).exists() {
            format!("{}mode=rw", &url.connect[..keep])
        } else {
            "sqlite::memory:".to_string()
        };
        url
    }

    /// Another database on the same server with the same credentials; for
    /// SQLite, a private in-memory database.
    pub fn with_database(&self, name: &str) -> DbUrl {
        let mut url = self.clone();
        match self.dialect {
            Dialect::Sqlite => {
                url.connect = "sqlite::memory:".into();
                url.redacted = "sqlite::memory:".into();
            }
            _ => {
                if let Ok(mut u) = url::Url::parse(&self.connect) {
                    u.set_path(&format!("/{name}"));
                    url.connect = u.to_string();
                    url.redacted = redact(&url.connect);
                }
            }
        }
        url
    }

    /// The database (or file) name, used to scope server-wide lock names.
    pub fn database_name(&self) -> String {
        match self.dialect {
            Dialect::Sqlite => self.connect.clone(),
            _ => url::Url::parse(&self.connect)
                .map(|u| u.path().trim_start_matches('/').to_string())
                .unwrap_or_default(),
        }
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.redacted)
    }
}

/// Appended to SQLite URLs that don't choose a mode.
const CREATE_MODE: &str = "mode=rwc";

/// sqlx wants `sqlite://path?mode=rwc` to create a missing file; users write
/// `sqlite:path` as often as `sqlite://path`.
fn sqlite_url(raw: &str) -> Result<String, String> {
    let rest = &raw["sqlite:".len()..];
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err("missing file name (use sqlite:mendb.db or sqlite::memory:)".into());
    }
    if path == ":memory:" {
        return Ok("sqlite::memory:".into());
    }
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push(CREATE_MODE);
    }
    Ok(format!("sqlite://{path}?{}", params.join("&")))
}

/// Replaces the password of anything that looks like a URL with `***`. Safe
/// on malformed input, so it can be used on whatever the user typed.
pub fn redact(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_string();
    };
    let authority_start = scheme_end + 3;
    let authority_end = raw[authority_start..]
        .find(['/', '?', '#'])
        .map_or(raw.len(), |i| authority_start + i);
    let authority = &raw[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return raw.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return raw.to_string();
    };
    format!(
        "{}{}:***{}",
        &raw[..authority_start],
        &userinfo[..colon],
        &raw[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("mysql://root:s3cret@db:3306/x"),
            "mysql://root:***@db:3306/x"
        );
        assert_eq!(redact("mysql://root@db/x"), "mysql://root@db/x");
        assert_eq!(
            redact("postgres://u:p%40ss@h/d?sslmode=off"),
            "postgres://u:***@h/d?sslmode=off"
        );
        assert_eq!(redact("nonsense:pw@"), "nonsense:pw@");
    }

    #[test]
    fn parses_each_dialect() {
        let u = DbUrl::parse("mariadb://root:pw@127.0.0.1:3306/test").unwrap();
        assert_eq!(u.dialect(), Dialect::Mysql);
        assert_eq!(u.connect_str(), "mysql://root:pw@127.0.0.1:3306/test");
        assert_eq!(u.to_string(), "mariadb://root:***@127.0.0.1:3306/test");
        assert_eq!(u.database_name(), "test");
        let p = DbUrl::parse("postgresql://postgres@localhost/test").unwrap();
        assert_eq!(p.dialect(), Dialect::Postgres);
        assert_eq!(
            DbUrl::parse("sqlite:mendb.db").unwrap().connect_str(),
            "sqlite://mendb.db?mode=rwc"
        );
        assert_eq!(
            DbUrl::parse("sqlite:///tmp/x.db?mode=ro")
                .unwrap()
                .connect_str(),
            "sqlite:///tmp/x.db?mode=ro"
        );
    }

    #[test]
    fn rejects_malformed_urls_without_leaking_the_password() {
        for bad in [
            "mysql://root:hunter2@/test",
            "mysql://root:hunter2@host",
            "oracle://root:hunter2@host/db",
            "just-a-word",
            "sqlite:",
        ] {
            let err = DbUrl::parse(bad).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("invalid database URL"), "{err}");
        }
    }
}
