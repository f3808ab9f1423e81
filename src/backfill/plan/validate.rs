//! Every check of a plan that needs no database, run once when it is
//! parsed, per part: the plan's name, its parameters, each step's batch
//! and its action. The first failure is the error; checks run in the order
//! the file reads, so the error is about the earliest problem.

use std::ops::Range;

use toml::Spanned;

use super::{
    Action, BatchDef, CopyDef, Expr, MAX_CHUNK_SIZE, ParamValue, Plan, PlanError, SqlDef, StepDef,
    UpdateDef, is_identifier, param_refs,
};
use crate::db::Dialect;

impl Plan {
    pub(super) fn validate(&self) -> Result<(), PlanError> {
        self.check_name()?;
        self.check_params()?;
        self.check_steps()
    }

    fn check_name(&self) -> Result<(), PlanError> {
        let d = &self.def;
        if !d
            .name
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || d.name.get_ref().is_empty()
        {
            return Err(self.error(d.name.span(), "name: use letters, digits, - and _"));
        }
        Ok(())
    }

    fn check_params(&self) -> Result<(), PlanError> {
        for (name, p) in &self.def.params {
            if !is_identifier(name) {
                return Err(self.error(
                    p.span(),
                    format!("params: `{name}` is not a plain identifier"),
                ));
            }
            if let Some(default) = &p.get_ref().default {
                ParamValue::from_toml(p.get_ref().kind, default.get_ref()).map_err(|e| {
                    self.error(default.span(), format!("params.{name}.default: {e}"))
                })?;
            }
        }
        Ok(())
    }

    fn check_steps(&self) -> Result<(), PlanError> {
        let d = &self.def;
        if d.steps.is_empty() {
            return Err(self.file_error("a plan needs at least one [[steps]]"));
        }
        let mut names = Vec::new();
        for step in &d.steps {
            let s = step.get_ref();
            let label = format!("step `{}`", s.name.get_ref());
            if names.contains(s.name.get_ref()) {
                return Err(
                    self.error(s.name.span(), format!("{label}: step names must be unique"))
                );
            }
            names.push(s.name.get_ref().clone());
            self.check_step(&label, step)?;
        }
        Ok(())
    }

    fn check_step(&self, label: &str, step: &Spanned<StepDef>) -> Result<(), PlanError> {
        let s = step.get_ref();
        let actions = [s.copy.is_some(), s.update.is_some(), s.sql.is_some()];
        if actions.iter().filter(|a| **a).count() != 1 {
            return Err(self.error(
                step.span(),
                format!(
                    "{label}: needs exactly one action: [steps.copy], [steps.update] or [steps.sql]"
                ),
            ));
        }
        self.check_batch(label, &s.batch)?;
        match s.action() {
            Action::Copy(c) => self.check_copy(label, c),
            Action::Update(u) => self.check_update(label, step.span(), u),
            Action::Sql(sql) => self.check_sql(label, step.span(), sql),
        }
    }

    fn check_batch(&self, label: &str, batch: &BatchDef) -> Result<(), PlanError> {
        self.check_ident(&format!("{label}: batch.table"), &batch.table)?;
        if batch.key.get_ref().is_empty() {
            return Err(self.error(
                batch.key.span(),
                format!("{label}: batch.key needs at least one column"),
            ));
        }
        for k in batch.key.get_ref() {
            self.check_ident(&format!("{label}: batch.key"), k)?;
        }
        let size = batch.chunk_size.get_ref().0;
        if !(1..=i128::from(MAX_CHUNK_SIZE)).contains(&size) {
            return Err(self.error(
                batch.chunk_size.span(),
                format!(
                    "{label}: batch.chunk_size {size} is out of range (the range is 1 to {MAX_CHUNK_SIZE})"
                ),
            ));
        }
        if let Some(f) = &batch.filter {
            self.check_expr(&format!("{label}: batch.where"), f)?;
        }
        Ok(())
    }

    fn check_copy(&self, label: &str, c: &CopyDef) -> Result<(), PlanError> {
        self.check_ident(&format!("{label}: copy.into"), &c.into)?;
        for (col, expr) in &c.columns {
            self.check_ident(&format!("{label}: copy.columns"), col)?;
            self.check_expr(&format!("{label}: copy.columns.{}", col.get_ref()), expr)?;
        }
        if c.match_on.get_ref().is_empty() {
            return Err(self.error(
                c.match_on.span(),
                format!("{label}: copy.match needs at least one column"),
            ));
        }
        for m in c.match_on.get_ref() {
            self.check_ident(&format!("{label}: copy.match"), m)?;
            if !c.columns.keys().any(|k| k.get_ref() == m.get_ref()) {
                return Err(self.error(
                    m.span(),
                    format!(
                        "{label}: copy.match column `{}` is not among copy.columns",
                        m.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `step` is where an error about the update as a whole points.
    fn check_update(
        &self,
        label: &str,
        step: Range<usize>,
        u: &UpdateDef,
    ) -> Result<(), PlanError> {
        self.check_ident(&format!("{label}: update.from"), &u.from)?;
        if u.on.is_empty() || u.set.is_empty() {
            return Err(self.error(step, format!("{label}: update needs `on` and `set`")));
        }
        for (col, expr) in u.on.iter().chain(u.set.iter()) {
            self.check_ident(&format!("{label}: update"), col)?;
            self.check_expr(&format!("{label}: update.{}", col.get_ref()), expr)?;
        }
        for col in &u.touch {
            self.check_ident(&format!("{label}: update.touch"), col)?;
            if u.set.keys().any(|k| k.get_ref() == col.get_ref()) {
                return Err(self.error(
                    col.span(),
                    format!(
                        "{label}: update.touch column `{}` is also in update.set",
                        col.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `step` is where an error about a dialect's statements points.
    fn check_sql(&self, label: &str, step: Range<usize>, sql: &SqlDef) -> Result<(), PlanError> {
        for dialect in Dialect::ALL {
            let stmts = sql.for_dialect(dialect);
            if stmts.is_empty() || stmts.iter().any(|s| !s.get_ref().contains("{chunk}")) {
                return Err(self.error(
                    step.clone(),
                    format!(
                        "{label}: sql.{} needs statements that each use {{chunk}}",
                        dialect.dir_name()
                    ),
                ));
            }
            for (i, stmt) in stmts.iter().enumerate() {
                for p in param_refs(stmt.get_ref()) {
                    if !self.def.params.contains_key(&p) {
                        return Err(
                            self.error(step.clone(), format!("{label}: unknown parameter `:{p}`"))
                        );
                    }
                }
                self.check_one_statement(
                    &format!("{label}: sql.{} statement {}", dialect.dir_name(), i + 1),
                    stmt.span(),
                    stmt.get_ref(),
                    &[dialect],
                    "each entry must be one statement",
                )?;
            }
        }
        Ok(())
    }

    fn check_ident(&self, what: &str, name: &Spanned<String>) -> Result<(), PlanError> {
        if is_identifier(name.get_ref()) {
            Ok(())
        } else {
            Err(self.error(
                name.span(),
                format!(
                    "{what} `{}` is not a plain identifier (letters, digits, _; at most 64)",
                    name.get_ref()
                ),
            ))
        }
    }

    /// An expression names only declared parameters and is part of one
    /// statement.
    fn check_expr(&self, key: &str, expr: &Spanned<Expr>) -> Result<(), PlanError> {
        for text in expr.get_ref().texts() {
            for p in param_refs(text) {
                if !self.def.params.contains_key(&p) {
                    return Err(self.error(
                        expr.span(),
                        format!("{key}: unknown parameter `:{p}` (declare it under [params])"),
                    ));
                }
            }
        }
        for (dialects, text) in expr.get_ref().texts_for() {
            let key = match (expr.get_ref(), dialects) {
                (Expr::PerDialect(_), [d]) => format!("{key}.{}", d.dir_name()),
                _ => key.to_string(),
            };
            self.check_one_statement(
                &key,
                expr.span(),
                text,
                dialects,
                "an expression must be part of one statement",
            )?;
        }
        Ok(())
    }

    /// Plan SQL goes into mendb's statements as written, and the databases
    /// run every statement of a text they are sent (SQLite even through a
    /// prepared query): a `;` would end mendb's statement and whatever
    /// follows would run on its own, in a dry run and in the checks too.
    /// An unclosed quote or comment would swallow the rest of the
    /// statement. `rule` says what the text must be.
    fn check_one_statement(
        &self,
        key: &str,
        span: Range<usize>,
        text: &str,
        dialects: &[Dialect],
        rule: &str,
    ) -> Result<(), PlanError> {
        for dialect in dialects {
            let statements =
                crate::sql::split_statements(text, dialect.sql_flavor()).map_err(|e| {
                    let problem = e
                        .problem
                        .replace("the end of the file", "the end of the text");
                    self.error(span.clone(), format!("{key}: {problem}"))
                })?;
            if statements.len() > 1 {
                let shown: Vec<String> = statements
                    .iter()
                    .take(2)
                    .map(|s| format!("`{}`", crate::db::abbreviate(&s.text)))
                    .collect();
                let more = if statements.len() > 2 { "; ..." } else { "" };
                return Err(self.error(
                    span,
                    format!(
                        "{key}: holds {} statements ({}{more}); {rule}",
                        statements.len(),
                        shown.join("; ")
                    ),
                ));
            }
        }
        Ok(())
    }
}
