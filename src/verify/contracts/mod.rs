//! Consumer contracts: what each service reads, inserts and updates, one
//! TOML file per service under `contracts/`, and whether a schema can
//! serve it. Owns the contract format and its checks; never touches a
//! database (it is handed schemas, and the database's naming rules).
//!
//! A contract names tables and columns the way the service's SQL does: a
//! bare name is resolved as the database resolves a bare name (PostgreSQL
//! folds it to lower case), and a name the service quotes is written
//! quoted (`[tables.'"PriceData"']`).

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Deserialize;
use toml::Spanned;

use crate::db::ident::{NameKind, Names};
use crate::db::introspect::Schema;
use crate::position::{line_of, toml_error};
use crate::sql::parse_name;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/contracts");

/// The embedded contracts by file name, for `mendb init` to write out.
pub fn embedded_sources() -> Vec<(String, &'static [u8])> {
    EMBEDDED
        .files()
        .filter_map(|f| Some((f.path().file_name()?.to_str()?.to_string(), f.contents())))
        .filter(|(name, _)| name.ends_with(".toml"))
        .collect()
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub path: String,
    pub service: String,
    pub tables: Vec<TableUse>,
}

#[derive(Debug, Clone)]
pub struct TableUse {
    pub table: String,
    /// The line of the `[tables.NAME]` header.
    pub line: usize,
    pub reads: Vec<(String, usize)>,
    pub inserts: Vec<(String, usize)>,
    pub updates: Vec<(String, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    service: String,
    #[serde(default)]
    tables: BTreeMap<String, RawTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    reads: Vec<Spanned<String>>,
    #[serde(default)]
    inserts: Vec<Spanned<String>>,
    #[serde(default)]
    updates: Vec<Spanned<String>>,
}

/// A contract file that cannot be read, with `file:line: why`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractError {
    pub path: String,
    pub message: String,
}

/// The contracts in `dir` (every `*.toml`, sorted), or the ones embedded
/// in the binary. Unreadable files come back as errors beside the rest.
pub fn load(dir: Option<&Path>) -> (Vec<Contract>, Vec<ContractError>) {
    let mut files: Vec<(String, Result<String, String>)> = Vec::new();
    match dir {
        None => {
            for f in EMBEDDED.files() {
                let path = format!("contracts/{}", f.path().display());
                if path.ends_with(".toml") {
                    let text = f
                        .contents_utf8()
                        .map(str::to_string)
                        .ok_or_else(|| "not valid UTF-8".to_string());
                    files.push((path, text));
                }
            }
        }
        Some(dir) => match std::fs::read_dir(dir) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "toml") {
                        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string());
                        files.push((path.display().to_string(), text));
                    }
                }
            }
            Err(e) => {
                let path = dir.display().to_string();
                return (
                    Vec::new(),
                    vec![ContractError {
                        message: format!("{path}: cannot read the contracts directory: {e}"),
                        path,
                    }],
                );
            }
        },
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut contracts = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in files {
        match text.and_then(|t| parse(&path, &t)) {
            Ok(c) => contracts.push(c),
            Err(message) => errors.push(ContractError { path, message }),
        }
    }
    (contracts, errors)
}

/// Parses one contract; the error is a whole `file:line: why` message.
pub fn parse(path: &str, text: &str) -> Result<Contract, String> {
    let raw: RawContract = toml::from_str(text).map_err(|e| match toml_error(text, &e) {
        (Some(l), why) => format!("{path}:{l}: {why}"),
        (None, why) => format!("{path}: {why}"),
    })?;
    if raw.service.trim().is_empty() {
        return Err(format!(
            "{path}: `service` is empty; name the service this contract is for"
        ));
    }
    let spanned = |cols: Vec<Spanned<String>>| -> Vec<(String, usize)> {
        cols.into_iter()
            .map(|c| {
                let line = line_of(text, c.span().start);
                (c.into_inner(), line)
            })
            .collect()
    };
    let tables = raw
        .tables
        .into_iter()
        .map(|(table, t)| {
            let header = format!("[tables.{table}]");
            let line = text.find(&header).map(|at| line_of(text, at)).unwrap_or(1);
            TableUse {
                table,
                line,
                reads: spanned(t.reads),
                inserts: spanned(t.inserts),
                updates: spanned(t.updates),
            }
        })
        .collect();
    Ok(Contract {
        path: path.to_string(),
        service: raw.service,
        tables,
    })
}

/// One way a schema fails a contract.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Breach {
    pub path: String,
    pub line: usize,
    pub service: String,
    /// `reads`, `inserts`, `updates`.
    pub verb: &'static str,
    pub table: String,
    pub column: Option<String>,
    pub kind: BreachKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BreachKind {
    /// The table (or view) is not there.
    NoTable,
    /// The column is not there.
    NoColumn,
    /// The service writes a view.
    WritesView,
    /// A NOT NULL column without a default that the service's INSERT
    /// leaves out: every insert would fail.
    OmitsRequired,
}

impl Breach {
    /// The object the service needs, `table` or `table.column`.
    pub fn object(&self) -> String {
        match &self.column {
            Some(c) => format!("{}.{c}", self.table),
            None => self.table.clone(),
        }
    }

    /// `contracts/x.toml:9: legacy-price-writer inserts price_data_real.close, but {where_} has no such column`.
    pub fn describe(&self, where_: &str) -> String {
        let head = format!("{}:{}: {}", self.path, self.line, self.service);
        match self.kind {
            BreachKind::NoTable => format!(
                "{head} {} table {}, but {where_} has no table or view {}",
                self.verb, self.table, self.table
            ),
            BreachKind::NoColumn => format!(
                "{head} {} {}, but {where_} has no column {} in {}",
                self.verb,
                self.object(),
                self.column.as_deref().unwrap_or_default(),
                self.table
            ),
            BreachKind::WritesView => format!(
                "{head} {} {}, but in {where_} it is a view",
                self.verb, self.table
            ),
            BreachKind::OmitsRequired => format!(
                "{head} inserts into {} without {}, which in {where_} is NOT NULL with no default, so every insert would fail",
                self.table,
                self.column.as_deref().unwrap_or_default()
            ),
        }
    }
}

/// Whether a contract's table name denotes the table or view the catalog
/// spells `catalog` (in the connection's own schema). A name that does not
/// read as SQL is compared as it is.
pub fn names_table(names: &Names, written: &str, catalog: &str) -> bool {
    match parse_name(written, names.dialect().sql_flavor()) {
        Some(n) => names.denotes_table(&n, names.default_schema(), catalog),
        None => written == catalog,
    }
}

/// Whether a contract's column name denotes the column the catalog spells
/// `catalog`.
pub fn names_column(names: &Names, written: &str, catalog: &str) -> bool {
    match parse_name(written, names.dialect().sql_flavor()) {
        Some(n) if n.qualifier().is_empty() => names.denotes(n.object(), NameKind::Column, catalog),
        _ => written == catalog,
    }
}

/// Everything in `schema` that keeps `contract`'s service from working.
pub fn check(contract: &Contract, schema: &Schema, names: &Names) -> Vec<Breach> {
    let mut out = Vec::new();
    for t in &contract.tables {
        let breach = |verb: &'static str, column: Option<&str>, line: usize, kind| Breach {
            path: contract.path.clone(),
            line,
            service: contract.service.clone(),
            verb,
            table: t.table.clone(),
            column: column.map(str::to_string),
            kind,
        };
        let writes = !t.inserts.is_empty() || !t.updates.is_empty();
        let verb = if writes { "writes" } else { "reads" };
        let named = |catalog: &&String| names_table(names, &t.table, catalog);
        if let Some((_, view)) = schema.views.iter().find(|(k, _)| named(k)) {
            if writes {
                out.push(breach(verb, None, t.line, BreachKind::WritesView));
            }
            for (c, line) in &t.reads {
                if !view.columns.iter().any(|v| names_column(names, c, v)) {
                    out.push(breach("reads", Some(c), *line, BreachKind::NoColumn));
                }
            }
            continue;
        }
        let Some((_, table)) = schema.tables.iter().find(|(k, _)| named(k)) else {
            out.push(breach(verb, None, t.line, BreachKind::NoTable));
            continue;
        };
        for (verb, cols) in [
            ("reads", &t.reads),
            ("inserts", &t.inserts),
            ("updates", &t.updates),
        ] {
            for (c, line) in cols {
                if !table
                    .columns
                    .iter()
                    .any(|x| names_column(names, c, &x.name))
                {
                    out.push(breach(verb, Some(c), *line, BreachKind::NoColumn));
                }
            }
        }
        if let Some((_, first_line)) = t.inserts.first() {
            for col in &table.columns {
                let named = t
                    .inserts
                    .iter()
                    .any(|(c, _)| names_column(names, c, &col.name));
                if !named && !col.may_be_omitted() {
                    out.push(breach(
                        "inserts",
                        Some(&col.name),
                        *first_line,
                        BreachKind::OmitsRequired,
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
