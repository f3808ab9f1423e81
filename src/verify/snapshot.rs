//! The live schema against the snapshot file `schema dump` wrote.

use std::path::Path;

use super::drift::{self, Snapshot};
use super::{Check, CheckKind, SnapshotFile};
use crate::db::Dialect;
use crate::db::introspect::Schema;

/// The live schema against the snapshot file. A gate that passes because
/// its reference is missing would be worse than none: a missing snapshot
/// fails, unless the user said `--no-snapshot` or `--roundtrip` compares
/// with the migrations themselves.
pub(super) fn snapshot_check(
    file: &SnapshotFile,
    dialect: Dialect,
    current: Option<i32>,
    live: &Schema,
    roundtrip: bool,
) -> Check {
    let (path, given) = match file {
        SnapshotFile::Given(p) => (p, true),
        SnapshotFile::Default(p) => (p, false),
        SnapshotFile::Skipped => {
            return Check::skipped(
                CheckKind::Drift,
                "snapshot",
                "--no-snapshot: the live schema is not compared with a snapshot",
            );
        }
    };
    let subject = path.display().to_string();
    // `--write` writes where verify looks by default; any other file is named.
    let dump = if given {
        format!("mendb schema dump --output {subject}")
    } else {
        "mendb schema dump --write".to_string()
    };
    let text = match read(path, &subject, &dump, given, roundtrip) {
        Ok(text) => text,
        Err(check) => return check,
    };
    let snapshot = match Snapshot::parse(&subject, &text) {
        Ok(s) => s,
        Err(e) => return Check::new(CheckKind::Drift, subject, vec![e]),
    };
    if snapshot.dialect != dialect {
        return Check::new(
            CheckKind::Drift,
            subject.clone(),
            vec![format!(
                "{subject}: the snapshot is of a {} database, this one is {}",
                snapshot.dialect.dir_name(),
                dialect.dir_name()
            )],
        );
    }
    let v = |v: Option<i32>| format!("V{}", v.unwrap_or(0));
    if snapshot.version > current {
        // A database behind the snapshot has pending migrations, which the
        // history check reports; a schema at another version cannot match.
        return Check::skipped(
            CheckKind::Drift,
            subject,
            format!(
                "the snapshot is of {}, the database is at {}; drift is compared once they are at the same version",
                v(snapshot.version),
                v(current)
            ),
        );
    }
    if snapshot.version < current {
        return Check::new(
            CheckKind::Drift,
            subject.clone(),
            vec![format!(
                "{subject}: the snapshot is of {}, older than the database at {}; refresh it with `{dump}`",
                v(snapshot.version),
                v(current)
            )],
        );
    }
    Check::new(
        CheckKind::Drift,
        subject,
        drift::diff(&snapshot.schema, live, "the snapshot", "the live database")
            .iter()
            .map(ToString::to_string)
            .collect(),
    )
}

/// The snapshot's text, or the check to report when there is none: a
/// failure where it was asked for (`given`) or nothing else compares, a
/// skip where `--roundtrip` compares with the migrations instead.
fn read(
    path: &Path,
    subject: &str,
    dump: &str,
    given: bool,
    roundtrip: bool,
) -> Result<String, Check> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(t),
        Err(e) if given => Err(Check::new(
            CheckKind::Drift,
            subject,
            vec![format!("{subject}: cannot read the snapshot: {e}")],
        )),
        Err(_) if roundtrip => Err(Check::skipped(
            CheckKind::Drift,
            subject,
            format!(
                "no snapshot at {subject}; --roundtrip compares the live schema with the migrations instead"
            ),
        )),
        Err(_) => Err(Check::new(
            CheckKind::Drift,
            subject,
            vec![format!(
                "{subject}: no snapshot to compare the live schema with; write one with `{dump}`, \
                 or compare with the migrations (`mendb verify --roundtrip`), or skip the comparison on purpose (`mendb verify --no-snapshot`)"
            )],
        )),
    }
}
