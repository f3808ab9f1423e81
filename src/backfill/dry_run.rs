//! The dry run's view of a checked plan: rows to scan per step and the SQL
//! of a first chunk. It reads only, on a session that cannot write.

use super::DryStep;
use super::sqlgen::StepSql;
use crate::db::{Db, DbError};

/// What a dry run shows of each step. Counting runs the plan's filter:
/// like the checks, on a session that cannot write.
pub(super) async fn steps(db: &mut Db, steps: &[StepSql<'_>]) -> Result<Vec<DryStep>, DbError> {
    db.read_only(async |db: &mut Db| read_steps(db, steps).await)
        .await
}

/// Each step's rows to scan and the SQL of its first chunk, which is built
/// and never sent.
async fn read_steps(db: &mut Db, steps: &[StepSql<'_>]) -> Result<Vec<DryStep>, DbError> {
    let mut out = Vec::new();
    for step in steps {
        let remaining = step.remaining_query(None);
        let count = db.rows_in(&remaining.text, &remaining.params()).await?;
        let rows = count.get();
        let size = step.def.batch.chunk_size();
        out.push(DryStep {
            name: step.def.name.get_ref().clone(),
            rows,
            estimated: count.is_estimate(),
            chunks: rows.div_ceil(size).max(1),
            sql: step
                .action(None, Some(&vec!["<bound>".to_string(); step.key.len()]))
                .into_iter()
                .map(|s| s.text)
                .collect(),
        });
    }
    Ok(out)
}
