//! The dry run's view of a checked plan: rows to scan per step and the SQL
//! of a first chunk. It reads only, on a session that cannot write.

use super::DryStep;
use super::sqlgen::StepSql;
use crate::db::{Db, DbError, get_string};

/// What a dry run shows of each step. Counting runs the plan's filter:
/// like the checks, on a session that cannot write.
pub(super) async fn steps(db: &mut Db, steps: &[StepSql<'_>]) -> Result<Vec<DryStep>, DbError> {
    db.read_only(async |db: &mut Db| read_steps(db, steps).await)
        .await
}

/// Each step's rows to scan and the SQL of its first chunk, which is built
/// and never sent. The chunk's end is found as a run finds it, by a read,
/// so the values shown are the ones a run would bind.
async fn read_steps(db: &mut Db, steps: &[StepSql<'_>]) -> Result<Vec<DryStep>, DbError> {
    let mut out = Vec::new();
    for step in steps {
        let remaining = step.remaining_query(None);
        let count = db.rows_in(&remaining.text, &remaining.params()).await?;
        let rows = count.get();
        let size = step.def.batch.chunk_size();
        let bound_sql = step.bound_query(None, size);
        let bound: Option<Vec<String>> = db
            .fetch(&bound_sql.text, &bound_sql.params())
            .await?
            .first()
            .map(|r| {
                (0..step.key.len())
                    .map(|i| get_string(r, i).unwrap_or_default())
                    .collect()
            });
        let statements = step.action(None, bound.as_deref());
        out.push(DryStep {
            name: step.def.name.get_ref().clone(),
            rows,
            estimated: count.is_estimate(),
            chunks: rows.div_ceil(size).max(1),
            values: statements
                .iter()
                .map(|s| s.shown_values(step.dialect))
                .collect(),
            sql: statements.into_iter().map(|s| s.text).collect(),
            dialect: step.dialect,
        });
    }
    Ok(out)
}
