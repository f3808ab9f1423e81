//! Checking a plan against the live schema before anything is written:
//! every table, column and expression it names must exist and compile on
//! this database. Errors name the plan file, line and key. Reads only.

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{
    Action, CopyDef, ParamKind, ParamValue, Plan, PlanError, SqlDef, StepDef, UpdateDef,
};
use super::sqlgen::{Sql, StepSql};
use crate::db::introspect::{self, Schema, Table};
use crate::db::{Db, DbError, Dialect, ValueKind};

#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn table<'s>(
    plan: &Plan,
    schema: &'s Schema,
    name: &toml::Spanned<String>,
    what: &str,
) -> Result<&'s Table, PlanError> {
    if schema.views.contains_key(name.get_ref()) {
        return Err(plan.error(
            name.span(),
            format!(
                "{what}: `{}` is a view; plans read and write tables",
                name.get_ref()
            ),
        ));
    }
    schema.tables.get(name.get_ref()).ok_or_else(|| {
        plan.error(
            name.span(),
            format!("{what}: no table `{}` in this database", name.get_ref()),
        )
    })
}

fn column(
    plan: &Plan,
    t: &Table,
    table_name: &str,
    col: &toml::Spanned<String>,
    what: &str,
) -> Result<ValueKind, PlanError> {
    t.columns
        .iter()
        .find(|c| c.name == *col.get_ref())
        .map(|c| ValueKind::of_column_type(&c.data_type))
        .ok_or_else(|| {
            plan.error(
                col.span(),
                format!(
                    "{what}: table `{table_name}` has no column `{}`",
                    col.get_ref()
                ),
            )
        })
}

/// The database's own words, without the statement around them.
fn database_reason(e: &DbError) -> String {
    match e {
        DbError::Query {
            source: sqlx::Error::Database(d),
            ..
        } => d.message().to_string(),
        other => other.to_string(),
    }
}

/// Refuses a statement mendb built that the database would take as
/// several. Plan validation refuses plan SQL that holds several statements
/// by itself; only here is it inside mendb's statement, which a trailing
/// `;` or a client's `DELIMITER` line in it would end early.
fn one_statement(
    plan: &Plan,
    db: &Db,
    sql: &Sql,
    span: std::ops::Range<usize>,
    what: &str,
) -> Result<(), PlanError> {
    let n = crate::sql::split_statements(&sql.text, db.dialect().sql_flavor())
        .map_err(|e| plan.error(span.clone(), format!("{what}: {}", e.problem)))?
        .len();
    if n == 1 {
        return Ok(());
    }
    Err(plan.error(
        span,
        format!(
            "{what}: the statement mendb builds around it would be {n} statements on {}; plan SQL must not end a statement",
            db.dialect()
        ),
    ))
}

/// A statement to compile, where the plan wrote it, and the key to blame.
type Compile = (Sql, std::ops::Range<usize>, String);

/// Resolves every step, or says precisely what the database lacks. The
/// checks run the plan's expressions over no rows; whatever those say,
/// the session cannot write meanwhile.
pub async fn check<'p>(
    db: &mut Db,
    plan: &'p Plan,
    params: &'p BTreeMap<String, ParamValue>,
) -> Result<Vec<StepSql<'p>>, PreflightError> {
    let schema = db
        .read_only(async |db: &mut Db| introspect::read_schema(db, false).await)
        .await?;
    let param_kinds = plan
        .def
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.get_ref().kind))
        .collect::<BTreeMap<_, _>>();
    let mut out = Vec::new();
    for step in &plan.def.steps {
        let (step_sql, compiles) = db
            .read_only(async |db: &mut Db| {
                check_step(db, plan, &schema, step, params, &param_kinds).await
            })
            .await?;
        // Compiled on a writable session: MySQL refuses even to prepare a
        // write on one that cannot write. Preparing runs nothing, and each
        // text was found to be one statement.
        for (sql, span, what) in compiles {
            if let Err(e) = db.prepare(&sql.text).await {
                return Err(plan
                    .error(span, format!("{what}: {}", database_reason(&e)))
                    .into());
            }
        }
        out.push(step_sql);
    }
    Ok(out)
}

/// What the checks of one step share.
struct StepCheck<'a> {
    plan: &'a Plan,
    schema: &'a Schema,
    s: &'a StepDef,
    label: String,
}

impl StepCheck<'_> {
    /// The kind of column `col` of `t`, or an error at the line where the
    /// plan names it, its key `what` prefixed with the step.
    fn column(
        &self,
        t: &Table,
        table_name: &str,
        col: &toml::Spanned<String>,
        what: &str,
    ) -> Result<ValueKind, PlanError> {
        column(
            self.plan,
            t,
            table_name,
            col,
            &format!("{}: {what}", self.label),
        )
    }
}

/// Checks one step against the schema; its `[steps.sql]` statements come
/// back to be compiled.
async fn check_step<'p>(
    db: &mut Db,
    plan: &'p Plan,
    schema: &Schema,
    step: &'p toml::Spanned<StepDef>,
    params: &'p BTreeMap<String, ParamValue>,
    param_kinds: &BTreeMap<String, ParamKind>,
) -> Result<(StepSql<'p>, Vec<Compile>), PreflightError> {
    let s = step.get_ref();
    let cx = StepCheck {
        plan,
        schema,
        s,
        label: format!("step `{}`", s.name.get_ref()),
    };
    let label = &cx.label;
    let batch = table(
        plan,
        schema,
        &s.batch.table,
        &format!("{label}: batch.table"),
    )?;
    let key = key_columns(db, &cx, batch).await?;
    let step_sql = StepSql {
        dialect: db.dialect(),
        def: s,
        key,
        params,
        param_kinds: param_kinds.clone(),
        copy_upsert: copy_upsert(db, s).await?,
        source_key: source_key(schema, s, batch, db.dialect()),
    };
    // Expressions compile on this database: run each over no rows.
    let mut compiles = Vec::new();
    let mut probes = match s.action() {
        Action::Copy(c) => copy_probes(&cx, &step_sql, c)?,
        Action::Update(u) => update_probes(&cx, batch, &step_sql, u)?,
        Action::Sql(def) => {
            compiles = sql_statements(db, &cx, &step_sql, def).await?;
            Vec::new()
        }
    };
    if let Some(f) = &s.batch.filter {
        let sql = step_sql.probe_filter();
        probes.push((sql, f.span(), format!("{label}: batch.where")));
    }
    for (sql, span, what) in probes {
        one_statement(plan, db, &sql, span.clone(), &what)?;
        if let Err(e) = db.fetch(&sql.text, &sql.params()).await {
            return Err(plan
                .error(span, format!("{what}: {}", database_reason(&e)))
                .into());
        }
    }
    chunk_is_one_statement_each(db, &cx, step.span(), &step_sql)?;
    Ok((step_sql, compiles))
}

/// The batch key's columns with their kinds; a nullable one must hold no
/// NULL, which a keyset walk would skip.
async fn key_columns(
    db: &mut Db,
    cx: &StepCheck<'_>,
    batch: &Table,
) -> Result<Vec<(String, ValueKind)>, PreflightError> {
    let (s, label) = (cx.s, &cx.label);
    let mut key = Vec::new();
    for k in s.batch.key.get_ref() {
        let kind = cx.column(batch, s.batch.table.get_ref(), k, "batch.key")?;
        if batch
            .columns
            .iter()
            .any(|c| c.name == *k.get_ref() && c.nullable)
        {
            let nulls = db
                .scalar_i64(&format!(
                    "SELECT COUNT(*) FROM {} WHERE {} IS NULL",
                    db.dialect().quote_ident(s.batch.table.get_ref()),
                    db.dialect().quote_ident(k.get_ref())
                ))
                .await?
                .unwrap_or(0);
            if nulls > 0 {
                return Err(cx
                    .plan
                    .error(
                        k.span(),
                        format!(
                            "{label}: batch.key column `{}` holds {nulls} NULL(s); a keyset walk would skip those rows",
                            k.get_ref()
                        ),
                    )
                    .into());
            }
        }
        key.push((k.get_ref().clone(), kind));
    }
    Ok(key)
}

/// An update source's columns that its join equates with the batch key,
/// column by column in key order: `on` maps each to exactly `t.<key>`, and
/// each has the key column's declared type, an integer, date or time one,
/// which compares without a collation. The chunk's range then holds for
/// them too. None when any key column is joined otherwise.
fn source_key(schema: &Schema, s: &StepDef, batch: &Table, d: Dialect) -> Option<Vec<String>> {
    let Action::Update(u) = s.action() else {
        return None;
    };
    let from = schema.tables.get(u.from.get_ref())?;
    let type_of = |t: &Table, name: &str| {
        t.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.data_type.clone())
    };
    s.batch
        .key
        .get_ref()
        .iter()
        .map(|k| {
            let k = k.get_ref();
            let names = [format!("t.{k}"), format!("t.{}", d.quote_ident(k))];
            let (col, _) =
                u.on.iter()
                    .find(|(_, e)| names.iter().any(|n| e.get_ref().for_dialect(d).trim() == n))?;
            let kind = type_of(batch, k)?;
            let comparable = matches!(
                ValueKind::of_column_type(&kind),
                ValueKind::Int | ValueKind::Date | ValueKind::Timestamp
            );
            (comparable && type_of(from, col.get_ref())? == kind).then(|| col.get_ref().clone())
        })
        .collect()
}

/// Whether a copy into another table can upsert: its match columns are
/// exactly one of the target's unique keys.
async fn copy_upsert(db: &mut Db, s: &StepDef) -> Result<bool, DbError> {
    Ok(match s.action() {
        Action::Copy(c) if c.into.get_ref() != s.batch.table.get_ref() => {
            let matched: BTreeSet<&String> =
                c.match_on.get_ref().iter().map(|m| m.get_ref()).collect();
            introspect::full_unique_keys(db, c.into.get_ref())
                .await?
                .iter()
                .any(|k| k.iter().collect::<BTreeSet<_>>() == matched)
        }
        _ => false,
    })
}

/// A copy's target columns exist; each column's expression is probed.
fn copy_probes(
    cx: &StepCheck<'_>,
    step_sql: &StepSql<'_>,
    c: &CopyDef,
) -> Result<Vec<Compile>, PlanError> {
    let label = &cx.label;
    let into = table(cx.plan, cx.schema, &c.into, &format!("{label}: copy.into"))?;
    let mut probes = Vec::new();
    for (col, expr) in &c.columns {
        cx.column(into, c.into.get_ref(), col, "copy.columns")?;
        let sql = step_sql.probe(&[expr.get_ref()], None);
        probes.push((
            sql,
            expr.span(),
            format!("{label}: copy.columns.{}", col.get_ref()),
        ));
    }
    Ok(probes)
}

/// An update's join and target columns exist; each `on` and `set`
/// expression is probed.
fn update_probes(
    cx: &StepCheck<'_>,
    batch: &Table,
    step_sql: &StepSql<'_>,
    u: &UpdateDef,
) -> Result<Vec<Compile>, PlanError> {
    let (s, label) = (cx.s, &cx.label);
    let from = table(
        cx.plan,
        cx.schema,
        &u.from,
        &format!("{label}: update.from"),
    )?;
    for col in u.on.keys() {
        cx.column(from, u.from.get_ref(), col, "update.on")?;
    }
    for col in u.set.keys() {
        cx.column(batch, s.batch.table.get_ref(), col, "update.set")?;
    }
    for col in &u.touch {
        cx.column(batch, s.batch.table.get_ref(), col, "update.touch")?;
    }
    let mut probes = Vec::new();
    for (col, expr) in u.on.iter().chain(u.set.iter()) {
        let sql = step_sql.probe(&[expr.get_ref()], Some(u.from.get_ref()));
        probes.push((
            sql,
            expr.span(),
            format!("{label}: update.{}", col.get_ref()),
        ));
    }
    Ok(probes)
}

/// A `[steps.sql]` step: the filter is probed first, at its line, since
/// the statements hold it; the statements come back to be compiled.
async fn sql_statements(
    db: &mut Db,
    cx: &StepCheck<'_>,
    step_sql: &StepSql<'_>,
    def: &SqlDef,
) -> Result<Vec<Compile>, PreflightError> {
    let (plan, label) = (cx.plan, &cx.label);
    if let Some(f) = &cx.s.batch.filter {
        let sql = step_sql.probe_filter();
        let what = format!("{label}: batch.where");
        one_statement(plan, db, &sql, f.span(), &what)?;
        if let Err(e) = db.fetch(&sql.text, &sql.params()).await {
            let why = format!("{what}: {}", database_reason(&e));
            return Err(plan.error(f.span(), why).into());
        }
    }
    // Prepared by the caller, never run: the database resolves every name
    // in the statement, with a chunk's bounds as placeholders.
    let some_key = vec!["0".to_string(); step_sql.key.len()];
    let statements = step_sql.action(Some(&some_key), Some(&some_key));
    let written = def.for_dialect(db.dialect());
    let mut compiles = Vec::new();
    for (i, sql) in statements.iter().enumerate() {
        let span = written.get(i).map(|w| w.span()).unwrap_or_default();
        let what = format!(
            "{label}: sql.{} statement {}",
            db.dialect().dir_name(),
            i + 1
        );
        one_statement(plan, db, sql, span.clone(), &what)?;
        compiles.push((sql.clone(), span, what));
    }
    Ok(compiles)
}

/// Every statement the run sends with plan SQL in it, once more as a
/// whole: the probes each hold one expression.
fn chunk_is_one_statement_each(
    db: &Db,
    cx: &StepCheck<'_>,
    span: std::ops::Range<usize>,
    step_sql: &StepSql<'_>,
) -> Result<(), PlanError> {
    let some_key = vec!["0".to_string(); step_sql.key.len()];
    let mut sent = vec![
        step_sql.remaining_query(Some(&some_key)),
        step_sql.bound_query(Some(&some_key), 1),
    ];
    sent.extend(step_sql.action(Some(&some_key), Some(&some_key)));
    let what = format!("{}: the SQL of a chunk", cx.label);
    for sql in &sent {
        one_statement(cx.plan, db, sql, span.clone(), &what)?;
    }
    Ok(())
}
