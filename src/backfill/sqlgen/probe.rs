//! Statements over no rows that make the database check a plan's
//! expressions and filter in the context they run in; `preflight` sends
//! them before anything is written.

use super::{Sql, StepSql};
use crate::backfill::plan::{Action, Expr};

impl StepSql<'_> {
    /// `SELECT <exprs>` over no rows of the batching table (alias `t`, and
    /// `from` as `s` when given): makes the database check the expressions.
    pub fn probe(&self, exprs: &[&Expr], from: Option<&str>) -> Sql {
        let mut sql = Sql::default();
        sql.push("SELECT ");
        for (i, e) in exprs.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            self.push_expr(&mut sql, e.for_dialect(self.dialect));
        }
        sql.push(&format!(" FROM {} t", self.batch_table()));
        if let Some(f) = from {
            sql.push(&format!(" CROSS JOIN {} s", self.q(f)));
        }
        sql.push(" WHERE 1 = 0");
        sql
    }

    /// The batch filter over no rows.
    pub fn probe_filter(&self) -> Sql {
        let mut sql = Sql::default();
        // The same context the filter runs in: in an update step the joined
        // table is there too, so an ambiguous column shows up here.
        sql.push(&format!("SELECT 1 FROM {} t", self.batch_table()));
        if let Action::Update(u) = self.def.action() {
            sql.push(&format!(" CROSS JOIN {} s", self.q(u.from.get_ref())));
        }
        sql.push(" WHERE 1 = 0 AND ");
        self.push_filter(&mut sql);
        sql
    }
}
