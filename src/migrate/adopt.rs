//! Adopting a database another migration tool manages: read which versions
//! that tool applied from its own history table, match them to mendb's
//! files by version (and checksum where the tool keeps one mendb can
//! compute), and say what would be recorded. Read-only: the other tool's
//! table is never written; `baseline` records mendb's history afterwards.
//!
//! The tables, as each tool creates and fills them:
//! - Flyway: `flyway_schema_history` (installed_rank, version, description,
//!   type, script, checksum, installed_by, installed_on, execution_time,
//!   success); `checksum` is a CRC32 of the script's lines; `type`
//!   `BASELINE` marks a baseline, versionless rows are repeatable scripts.
//! - sqlx: `_sqlx_migrations` (version, description, installed_on,
//!   success, checksum, execution_time); `checksum` is the SHA-384 of the
//!   file's text.
//! - golang-migrate: `schema_migrations` (version, dirty), one row: the
//!   current version; every lower one counts as applied.
//! - dbmate: `schema_migrations` (version), one row per applied version.
//! - refinery: `refinery_schema_history`, which is mendb's own history;
//!   read here in the row shape all five tools share, so an adoption
//!   treats it as any other tool's table (`history` owns it otherwise).

use serde::Serialize;
use sha2::{Digest as _, Sha384};

use super::MigrateError;
use super::source::MigrationSet;
use crate::db::{Db, get_i64, get_string, introspect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    Flyway,
    Sqlx,
    GolangMigrate,
    Dbmate,
    Refinery,
}

impl Tool {
    pub fn table(self) -> &'static str {
        match self {
            Tool::Flyway => "flyway_schema_history",
            Tool::Sqlx => "_sqlx_migrations",
            Tool::GolangMigrate | Tool::Dbmate => "schema_migrations",
            Tool::Refinery => super::HISTORY_TABLE,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Tool::Flyway => "Flyway",
            Tool::Sqlx => "sqlx",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Dbmate => "dbmate",
            Tool::Refinery => "refinery",
        }
    }
}

/// How a recorded checksum compares with mendb's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumState {
    Matches,
    Differs {
        recorded: String,
        file: String,
    },
    /// The tool keeps none (golang-migrate, dbmate, a Flyway baseline row).
    NotKept,
}

/// One version the other tool applied, and the mendb file it maps to.
#[derive(Debug, Clone, Serialize)]
pub struct Mapped {
    pub version: i32,
    pub name: String,
    /// What the tool called it (its description or script), if it keeps one.
    pub theirs: Option<String>,
    pub checksum: ChecksumState,
}

#[derive(Debug, Clone, Serialize)]
pub struct Adoption {
    pub tool: Tool,
    pub table: String,
    /// The version mendb's history is set to.
    pub version: i32,
    pub mapped: Vec<Mapped>,
}

/// A row of the other tool's history, as read.
struct Row {
    version: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    checksum: Option<String>,
    ok: bool,
}

fn refuse(tool: Tool, why: impl Into<String>) -> MigrateError {
    MigrateError::Adopt(format!(
        "cannot adopt from {} ({}): {}",
        tool.name(),
        tool.table(),
        why.into()
    ))
}

/// Reads the tool's history and maps it onto mendb's files.
pub async fn read(db: &mut Db, set: &MigrationSet, tool: Tool) -> Result<Adoption, MigrateError> {
    let table = tool.table();
    if !introspect::table_exists(db, table).await? {
        return Err(refuse(tool, "the table does not exist in this database"));
    }
    let theirs = applied(tool, rows(db, tool).await?)?;
    let top = theirs
        .applied
        .iter()
        .map(|(v, _)| *v)
        .chain(theirs.baseline_at)
        .max();
    let Some(top) = top else {
        return Err(refuse(tool, "it records no applied version"));
    };
    let mapped = map(set, tool, &theirs, top)?;
    for (v, row) in &theirs.applied {
        if set.get(*v).is_none() {
            return Err(refuse(
                tool,
                format!(
                    "it applied version {v} ({}), which mendb's files do not have",
                    row.description.as_deref().unwrap_or("no description")
                ),
            ));
        }
    }
    Ok(Adoption {
        tool,
        table: table.to_string(),
        version: top,
        mapped,
    })
}

/// What the tool says it applied.
struct Theirs {
    /// Versions applied one by one, with their rows.
    applied: Vec<(i32, Row)>,
    /// A version every lower one counts as applied up to (a baseline, or
    /// golang-migrate's single row).
    baseline_at: Option<i32>,
}

/// The tool's rows as versions, refusing what mendb cannot adopt: failed
/// or dirty rows, repeatable scripts, versions that are not mendb's.
fn applied(tool: Tool, rows: Vec<Row>) -> Result<Theirs, MigrateError> {
    let mut applied: Vec<(i32, Row)> = Vec::new();
    let mut baseline_at: Option<i32> = None;
    for row in rows {
        if !row.ok {
            let what = match tool {
                Tool::GolangMigrate => {
                    "is dirty (a migration failed half-way); fix it with golang-migrate (`migrate force`) first"
                }
                _ => "is recorded as failed; repair it with that tool first",
            };
            return Err(refuse(
                tool,
                format!("version {} {what}", row.version.as_deref().unwrap_or("?")),
            ));
        }
        // Flyway's own marker of the schema it created holds no migration.
        if row
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("SCHEMA"))
        {
            continue;
        }
        let Some(raw) = row.version.clone() else {
            return Err(refuse(
                tool,
                format!(
                    "the repeatable script {} has no version, and mendb has no repeatable migrations",
                    row.description.as_deref().unwrap_or("?")
                ),
            ));
        };
        let version = raw
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                refuse(
                    tool,
                    format!("version `{raw}` is not a mendb version (whole numbers 1 to 2147483647); renumber the files and the table together"),
                )
            })?;
        if tool == Tool::GolangMigrate
            || row
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("BASELINE"))
        {
            baseline_at = baseline_at.max(Some(version));
            continue;
        }
        applied.push((version, row));
    }
    Ok(Theirs {
        applied,
        baseline_at,
    })
}

/// mendb's files up to `top`, each matched to the tool's row for it.
fn map(
    set: &MigrationSet,
    tool: Tool,
    theirs: &Theirs,
    top: i32,
) -> Result<Vec<Mapped>, MigrateError> {
    let mut mapped = Vec::new();
    for m in set.migrations.iter().filter(|m| m.version <= top) {
        let row = theirs
            .applied
            .iter()
            .find(|(v, _)| *v == m.version)
            .map(|(_, r)| r);
        let covered = theirs.baseline_at.is_some_and(|b| m.version <= b);
        let Some(row) = row else {
            if covered {
                mapped.push(Mapped {
                    version: m.version,
                    name: m.name.clone(),
                    theirs: None,
                    checksum: ChecksumState::NotKept,
                });
                continue;
            }
            return Err(refuse(
                tool,
                format!(
                    "mendb's V{}__{} is below its latest version V{top}, but it never applied V{}",
                    m.version, m.name, m.version
                ),
            ));
        };
        mapped.push(Mapped {
            version: m.version,
            name: m.name.clone(),
            theirs: row.description.clone(),
            checksum: compare(tool, row.checksum.as_deref(), &m.up.sql, m.checksum()),
        });
    }
    Ok(mapped)
}

async fn rows(db: &mut Db, tool: Tool) -> Result<Vec<Row>, MigrateError> {
    let d = db.dialect();
    let text = |c: &str| d.as_text(c);
    let sql = match tool {
        Tool::Flyway => format!(
            "SELECT {}, description, type, {}, CASE WHEN success THEN 1 ELSE 0 END FROM flyway_schema_history ORDER BY installed_rank",
            text("version"),
            text("checksum")
        ),
        Tool::Sqlx => format!(
            "SELECT {}, description, NULL, {}, CASE WHEN success THEN 1 ELSE 0 END FROM _sqlx_migrations ORDER BY version",
            text("version"),
            d.hex("checksum")
        ),
        Tool::GolangMigrate => format!(
            "SELECT {}, NULL, NULL, NULL, CASE WHEN dirty THEN 0 ELSE 1 END FROM schema_migrations",
            text("version")
        ),
        Tool::Dbmate => format!(
            "SELECT {}, NULL, NULL, NULL, 1 FROM schema_migrations ORDER BY version",
            text("version")
        ),
        Tool::Refinery => format!(
            "SELECT {}, name, NULL, checksum, 1 FROM {} ORDER BY version",
            text("version"),
            super::HISTORY_TABLE
        ),
    };
    // golang-migrate and dbmate share a table name; their columns tell
    // them apart.
    if matches!(tool, Tool::GolangMigrate | Tool::Dbmate) {
        let dirty = introspect::column_exists(db, "schema_migrations", "dirty").await?;
        if dirty != (tool == Tool::GolangMigrate) {
            let other = if dirty { "golang-migrate" } else { "dbmate" };
            return Err(refuse(
                tool,
                format!("this schema_migrations is {other}'s (use --from {other})"),
            ));
        }
    }
    let fetched = db.fetch(&sql, &[]).await?;
    Ok(fetched
        .iter()
        .map(|r| Row {
            version: get_string(r, 0),
            description: get_string(r, 1),
            kind: get_string(r, 2),
            checksum: get_string(r, 3),
            ok: get_i64(r, 4) == Some(1),
        })
        .collect())
}

fn compare(tool: Tool, recorded: Option<&str>, sql: &str, refinery: u64) -> ChecksumState {
    let Some(recorded) = recorded.map(str::trim) else {
        return ChecksumState::NotKept;
    };
    let file = match tool {
        Tool::Flyway => flyway_checksum(sql).to_string(),
        Tool::Sqlx => Sha384::digest(sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        Tool::Refinery => refinery.to_string(),
        Tool::GolangMigrate | Tool::Dbmate => return ChecksumState::NotKept,
    };
    if recorded.eq_ignore_ascii_case(&file) {
        ChecksumState::Matches
    } else {
        ChecksumState::Differs {
            recorded: recorded.to_string(),
            file,
        }
    }
}

/// Flyway's checksum of a script: CRC32 over each line's UTF-8 bytes,
/// line endings left out, stored as a signed 32-bit number.
fn flyway_checksum(sql: &str) -> i32 {
    let text = sql.strip_prefix('\u{feff}').unwrap_or(sql);
    let mut crc = Crc32::default();
    for line in text.lines() {
        crc.update(line.as_bytes());
    }
    crc.finish() as i32
}

struct Crc32(u32);

impl Default for Crc32 {
    fn default() -> Self {
        Crc32(0xffff_ffff)
    }
}

impl Crc32 {
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let mut c = (self.0 ^ u32::from(b)) & 0xff;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            self.0 = (self.0 >> 8) ^ c;
        }
    }

    fn finish(&self) -> u32 {
        !self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_the_standard_one() {
        let mut c = Crc32::default();
        c.update(b"123456789");
        assert_eq!(c.finish(), 0xcbf4_3926);
    }

    #[test]
    fn flyway_checksum_ignores_line_endings() {
        assert_eq!(
            flyway_checksum("SELECT 1;\nSELECT 2;\n"),
            flyway_checksum("SELECT 1;\r\nSELECT 2;")
        );
    }
}
