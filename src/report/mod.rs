//! The health report (docs/report.md): row counts, price freshness,
//! missing price buckets, on-chain coverage, ML feature population and
//! migration state, as data for text, JSON or Prometheus rendering. Reads only; a
//! figure whose table is missing is reported as absent, not as an error,
//! so the report also works on a production database that differs.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::introspect::{self, Schema};
use crate::db::{Db, DbError, get_i64};
use crate::gaps::{self, GapError, GapQuery, GapReport};
use crate::migrate::{self, MigrateError, MigrationSet};

#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub at: NaiveDateTime,
    /// How far back from `at` missing price buckets are counted.
    pub window: Duration,
}

/// Price table whose freshness and gaps the report judges, and its grid.
const PRICE_TABLE: &str = "price_data_real";
const PRICE_EVERY: Duration = Duration::from_secs(300);
/// "Fresh" means a price row within this long before `at`.
const FRESH_WITHIN: Duration = Duration::from_secs(3600);
/// The shortest window holds one price bucket; the longest ten years of
/// them, enough for any audit and far from the ends of the time range.
pub const MIN_WINDOW: Duration = PRICE_EVERY;
/// Two days: the length of the incident's outage, and then some.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(48 * 3600);
pub const MAX_WINDOW: Duration = Duration::from_secs(3650 * 86_400);
const ONCHAIN_BASE: &str = "crypto_onchain_data";
const ONCHAIN_ENHANCED: &str = "crypto_onchain_data_enhanced";
const ML_TABLE: &str = "ml_features_materialized";
/// Columns of the ML table that are bookkeeping, not features.
const ML_NOT_FEATURES: [&str; 5] = ["id", "symbol", "timestamp", "created_at", "updated_at"];

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub database: String,
    pub at: NaiveDateTime,
    pub tables: Vec<TableRows>,
    /// Symbols in `crypto_assets`.
    pub assets: Option<u64>,
    /// Symbols with a `price_data_real` row in the hour before `at`.
    pub fresh_symbols: Option<u64>,
    pub price_gaps: Option<PriceGaps>,
    pub onchain: Option<OnchainCoverage>,
    pub ml_features: Option<MlPopulation>,
    pub migrations: MigrationState,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRows {
    pub table: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriceGaps {
    pub table: String,
    pub every_secs: u64,
    pub since: NaiveDateTime,
    pub until: NaiveDateTime,
    pub symbols: u64,
    pub symbols_complete: u64,
    pub symbols_partly_missing: u64,
    pub symbols_fully_missing: u64,
    pub buckets_expected: u64,
    pub buckets_missing: u64,
    /// The ranges behind these figures, per symbol, for the gap map. Not in
    /// the JSON: the figures above sum them up, and `mendb gaps --format
    /// json` lists them.
    #[serde(skip)]
    pub found: GapReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct OnchainCoverage {
    pub base_rows: u64,
    pub enhanced_rows: u64,
    /// Base rows that have an enhanced row for the same symbol and date.
    pub covered_rows: u64,
    pub coverage_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MlPopulation {
    pub rows: u64,
    pub columns: Vec<ColumnPopulation>,
    /// Non-null cells over all feature cells.
    pub overall_pct: f64,
    /// The same over the `onchain_*` columns only.
    pub onchain_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnPopulation {
    pub column: String,
    pub non_null: u64,
    pub pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationState {
    pub current_version: Option<i32>,
    pub latest_version: Option<i32>,
    pub pending: usize,
    pub dirty: bool,
    pub problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Gaps(#[from] GapError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error("{0}")]
    Usage(String),
}

impl ReportError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ReportError::Db(e) => e.exit_code(),
            ReportError::Gaps(e) => e.exit_code(),
            ReportError::Migrate(e) => e.exit_code(),
            ReportError::Usage(_) => crate::exit::USAGE,
        }
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        // Two decimals are what a person reads; keep JSON stable too.
        (part as f64 * 10_000.0 / whole as f64).round() / 100.0
    }
}

/// A time as a SQL literal. Safe to inline: it is formatted here from a
/// parsed value, never taken from user text.
fn time_literal(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

fn has_table(schema: &Schema, table: &str) -> bool {
    schema.tables.contains_key(table)
}

pub async fn build(
    db: &mut Db,
    set: &MigrationSet,
    opts: &ReportOptions,
) -> Result<Report, ReportError> {
    if !(MIN_WINDOW..=MAX_WINDOW).contains(&opts.window) {
        return Err(ReportError::Usage(format!(
            "--window {:?} is out of range (the range is {}m to {}d)",
            opts.window,
            MIN_WINDOW.as_secs() / 60,
            MAX_WINDOW.as_secs() / 86_400
        )));
    }
    let schema = introspect::read_schema(db, false).await?;
    let mut tables = Vec::with_capacity(schema.tables.len());
    for table in schema.tables.keys() {
        let rows = introspect::count_rows(db, table, None).await? as u64;
        tables.push(TableRows {
            table: table.clone(),
            rows,
        });
    }
    let rows_of = |t: &str| tables.iter().find(|r| r.table == t).map(|r| r.rows);

    let assets = rows_of("crypto_assets");
    let fresh_symbols = if has_table(&schema, PRICE_TABLE) {
        Some(fresh_symbols(db, opts.at).await?)
    } else {
        None
    };
    let price_gaps = if has_table(&schema, PRICE_TABLE) && has_table(&schema, "crypto_assets") {
        Some(price_gaps(db, opts).await?)
    } else {
        None
    };
    let onchain = if has_table(&schema, ONCHAIN_BASE) && has_table(&schema, ONCHAIN_ENHANCED) {
        Some(onchain_coverage(db).await?)
    } else {
        None
    };
    let ml_features = match schema.tables.get(ML_TABLE) {
        Some(t) => {
            let features: Vec<String> = t
                .columns
                .iter()
                .map(|c| c.name.clone())
                .filter(|c| !ML_NOT_FEATURES.contains(&c.as_str()))
                .collect();
            Some(ml_population(db, &features).await?)
        }
        None => None,
    };
    let status = migrate::status(db, set).await?;
    let migrations = MigrationState {
        current_version: status.current_version,
        latest_version: status.latest_version,
        pending: status.pending,
        dirty: !status.dirty.is_empty(),
        problems: status.problems,
    };
    Ok(Report {
        database: db.url().to_string(),
        at: opts.at,
        tables,
        assets,
        fresh_symbols,
        price_gaps,
        onchain,
        ml_features,
        migrations,
    })
}

/// `at - back`, or why that time does not exist.
fn before(at: NaiveDateTime, back: Duration, what: &str) -> Result<NaiveDateTime, ReportError> {
    chrono::Duration::from_std(back)
        .ok()
        .and_then(|d| at.checked_sub_signed(d))
        .ok_or_else(|| {
            ReportError::Usage(format!(
                "--until {at} minus {what} is before the earliest time there is"
            ))
        })
}

async fn fresh_symbols(db: &mut Db, at: NaiveDateTime) -> Result<u64, ReportError> {
    let since = before(at, FRESH_WITHIN, "an hour")?;
    let q = |c: &str| db.dialect().quote_ident(c);
    let sql = format!(
        "SELECT COUNT(DISTINCT {symbol}) FROM {table} WHERE {ts} >= {since} AND {ts} < {at}",
        symbol = q("symbol"),
        table = q(PRICE_TABLE),
        ts = q("timestamp"),
        since = time_literal(since),
        at = time_literal(at),
    );
    Ok(db.scalar_i64(&sql).await?.unwrap_or(0) as u64)
}

/// Every listed asset is expected on the 5-minute grid, so an asset with no
/// row at all counts as fully missing.
async fn price_gaps(db: &mut Db, opts: &ReportOptions) -> Result<PriceGaps, ReportError> {
    let symbols: Vec<String> = db
        .fetch(
            &format!(
                "SELECT {} FROM {} ORDER BY 1",
                db.dialect().quote_ident("symbol"),
                db.dialect().quote_ident("crypto_assets")
            ),
            &[],
        )
        .await?
        .iter()
        .filter_map(|r| crate::db::get_string(r, 0))
        .collect();
    let since = before(opts.at, opts.window, "--window")?;
    let query = GapQuery {
        table: PRICE_TABLE.into(),
        key: "symbol".into(),
        time: "timestamp".into(),
        every: PRICE_EVERY,
        since: Some(since),
        until: Some(opts.at),
        keys: Some(symbols),
    };
    let found = gaps::find(db, &query).await?;
    Ok(PriceGaps {
        table: PRICE_TABLE.into(),
        every_secs: PRICE_EVERY.as_secs(),
        since: found.since,
        until: found.until,
        symbols: found.keys_checked,
        symbols_complete: found.keys_checked - found.keys_with_gaps,
        symbols_partly_missing: found.keys_with_gaps - found.keys_fully_missing,
        symbols_fully_missing: found.keys_fully_missing,
        buckets_expected: found.buckets_expected,
        buckets_missing: found.buckets_missing,
        found,
    })
}

async fn onchain_coverage(db: &mut Db) -> Result<OnchainCoverage, DbError> {
    let q = |c: &str| db.dialect().quote_ident(c);
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM {base}), (SELECT COUNT(*) FROM {enh}), \
                (SELECT COUNT(*) FROM {base} b WHERE EXISTS \
                   (SELECT 1 FROM {enh} e WHERE e.{symbol} = b.{symbol} AND e.{date} = b.{date}))",
        base = q(ONCHAIN_BASE),
        enh = q(ONCHAIN_ENHANCED),
        symbol = q("symbol"),
        date = q("date"),
    );
    let rows = db.fetch(&sql, &[]).await?;
    let get = |i| rows.first().and_then(|r| get_i64(r, i)).unwrap_or(0) as u64;
    let (base_rows, enhanced_rows, covered_rows) = (get(0), get(1), get(2));
    Ok(OnchainCoverage {
        base_rows,
        enhanced_rows,
        covered_rows,
        coverage_pct: pct(covered_rows, base_rows),
    })
}

/// One scan: COUNT(column) counts non-null values on every dialect.
async fn ml_population(db: &mut Db, features: &[String]) -> Result<MlPopulation, DbError> {
    let d = db.dialect();
    let counts: Vec<String> = features
        .iter()
        .map(|c| format!("COUNT({})", d.quote_ident(c)))
        .collect();
    let sql = format!(
        "SELECT COUNT(*){}{} FROM {}",
        if counts.is_empty() { "" } else { ", " },
        counts.join(", "),
        d.quote_ident(ML_TABLE)
    );
    let rows = db.fetch(&sql, &[]).await?;
    let row = rows.first();
    let rows_total = row.and_then(|r| get_i64(r, 0)).unwrap_or(0) as u64;
    let columns: Vec<ColumnPopulation> = features
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let non_null = row.and_then(|r| get_i64(r, i + 1)).unwrap_or(0) as u64;
            ColumnPopulation {
                column: c.clone(),
                non_null,
                pct: pct(non_null, rows_total),
            }
        })
        .collect();
    let sum = |onchain_only: bool| -> (u64, u64) {
        let chosen: Vec<&ColumnPopulation> = columns
            .iter()
            .filter(|c| !onchain_only || c.column.starts_with("onchain_"))
            .collect();
        let filled = chosen.iter().map(|c| c.non_null).sum();
        (filled, rows_total.saturating_mul(chosen.len() as u64))
    };
    let (all_filled, all_cells) = sum(false);
    let (on_filled, on_cells) = sum(true);
    Ok(MlPopulation {
        rows: rows_total,
        overall_pct: pct(all_filled, all_cells),
        onchain_pct: pct(on_filled, on_cells),
        columns,
    })
}
