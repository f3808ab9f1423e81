//! Every kind of schema object, changed by hand on a live database, is
//! drift: each test builds a small schema with migrations of its own,
//! takes a snapshot with `schema dump --format json`, makes one hand edit
//! after another and checks that `verify --snapshot FILE` names exactly
//! that object, in the words a DBA reads as SQL, and that the database
//! passes again once the edit is undone.

mod common;

use std::path::PathBuf;

use common::{Backend, Run, TestDb};
use serde_json::Value;

const VERIFY_FAILED: i32 = 13;

/// A database built by a test's own migrations, and its snapshot.
struct Built {
    db: TestDb,
    dir: PathBuf,
    snapshot: String,
    /// An empty contracts folder: the shipped contracts are of the
    /// project's schema, not of these.
    contracts: String,
}

impl Built {
    /// Migrates up with V1 (`up`, `down`), writes the snapshot, and checks
    /// that the untouched database passes, with and without --roundtrip.
    fn new(b: Backend, tag: &str, up: &str, down: &str) -> Option<Built> {
        let built = Built::unchecked(b, tag, up, down)?;
        built.passes();
        Some(built)
    }

    fn unchecked(b: Backend, tag: &str, up: &str, down: &str) -> Option<Built> {
        let db = TestDb::new(b, tag)?;
        let dir = db.migrations(&[("V1__objects.sql", up), ("V1__objects.down.sql", down)]);
        let contracts = db.dir.join("contracts");
        std::fs::create_dir_all(&contracts).unwrap();
        let snapshot = db.dir.join("snapshot.json");
        let built = Built {
            snapshot: snapshot.to_str().unwrap().to_string(),
            contracts: contracts.to_str().unwrap().to_string(),
            db,
            dir,
        };
        built.mendb(&["migrate", "up"]).succeeds();
        let dump = built.mendb(&["schema", "dump", "--format", "json"]);
        std::fs::write(&snapshot, &dump.succeeds().stdout).unwrap();
        // The dump is stable: the same bytes twice.
        assert_eq!(
            dump.stdout,
            built.mendb(&["schema", "dump", "--format", "json"]).stdout
        );
        Some(built)
    }

    fn mendb(&self, args: &[&str]) -> Run {
        self.db.mendb_dir(&self.dir, args)
    }

    fn verify(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "verify",
            "--snapshot",
            &self.snapshot,
            "--format",
            "json",
            "--contracts",
            self.contracts.as_str(),
        ];
        args.extend_from_slice(extra);
        self.mendb(&args)
    }

    fn passes(&self) {
        for extra in [&[][..], &["--roundtrip"]] {
            let run = self.verify(extra);
            assert_eq!(
                run.code, 0,
                "verify {extra:?} failed on an untouched database:\n{}\n{}",
                run.stdout, run.stderr
            );
        }
    }

    /// SQL as a DBA would type it into the database's own client: on
    /// MySQL with the server's sql_mode and time zone, not the ones the
    /// test's driver sets for itself.
    fn hand(&self, sql: &str) {
        match self.db.backend {
            Backend::Mysql => self.db.exec(&format!(
                "SET SESSION sql_mode = @@GLOBAL.sql_mode, time_zone = @@GLOBAL.time_zone; {sql}"
            )),
            _ => self.db.exec(sql),
        }
    }

    /// Makes the hand edit, checks that the snapshot comparison reports
    /// exactly `expected` and that nothing else fails, then undoes it and
    /// checks that the database passes again.
    fn drift(&self, edit: &str, expected: &[&str], undo: &str) {
        self.hand(edit);
        let run = self.verify(&[]);
        run.fails_with(VERIFY_FAILED);
        assert_eq!(failures(&run, &self.snapshot), expected, "after `{edit}`");
        let others: Vec<_> = checks(&run)
            .into_iter()
            .filter(|c| c.2 == "failed" && c.1 != self.snapshot)
            .collect();
        assert!(others.is_empty(), "{others:?}");
        self.hand(undo);
        let again = self.verify(&[]);
        assert_eq!(
            again.code, 0,
            "still failing after `{undo}`:\n{}",
            again.stdout
        );
    }
}

/// Each check of a `--format json` report: (check, subject, status,
/// failures).
fn checks(run: &Run) -> Vec<(String, String, String, Vec<String>)> {
    let v: Value = run.json();
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            let failures = c["failures"]
                .as_array()
                .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (s("check"), s("subject"), s("status"), failures)
        })
        .collect()
}

fn failures(run: &Run, subject: &str) -> Vec<String> {
    checks(run)
        .into_iter()
        .find(|c| c.1 == subject)
        .unwrap_or_else(|| panic!("no check on {subject}:\n{}", run.stdout))
        .3
}

macro_rules! on {
    ($backend:ident: $($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            super::$name(Backend::$backend)
        }
    )*};
}

mod mariadb {
    use super::*;
    on!(Mysql:
        my_procedures,
        my_functions,
        my_events,
        my_check_constraints,
        my_index_types,
        my_column_charset_and_collation,
        my_enum_and_set_values_keep_their_case,
        my_partitioning,
        my_sql_mode_of_routines_triggers_and_views,
        my_comments_and_table_options,
        my_triggers,
        my_sequences,
        a_down_that_forgets_a_function,
    );
}

mod postgres {
    use super::*;
    on!(Postgres:
        pg_functions,
        pg_procedures,
        pg_materialized_views,
        pg_check_constraints,
        pg_domains,
        pg_enum_types,
        pg_sequences,
        pg_rules,
        pg_index_methods,
        pg_partitions,
        pg_triggers_of_one_name_on_many_tables,
        pg_comments_and_table_options,
        a_down_that_forgets_a_function,
    );
}

mod sqlite {
    use super::*;
    on!(Sqlite:
        sq_check_constraints,
        sq_generated_columns,
        sq_collations_and_table_options,
        sq_triggers,
        sq_indexes,
    );
}

// ---------------------------------------------------------------- MariaDB

const MY_FILM: &str =
    "CREATE TABLE film (\n  id INT PRIMARY KEY,\n  title VARCHAR(100) NOT NULL\n) ENGINE=InnoDB;\n";

const MY_PROC: &str = "CREATE PROCEDURE film_refresh(IN n INT)\nBEGIN\n  SELECT COUNT(*) FROM film WHERE id > n;\nEND";

fn my_procedures(b: Backend) {
    let up = format!("{MY_FILM}DELIMITER //\n{MY_PROC}//\nDELIMITER ;\n");
    let Some(t) = Built::new(
        b,
        "obj_my_proc",
        &up,
        "DROP PROCEDURE film_refresh;\nDROP TABLE film;\n",
    ) else {
        return;
    };
    let restore = format!("DROP PROCEDURE film_refresh; {MY_PROC}");
    t.drift(
        "DROP PROCEDURE film_refresh; CREATE PROCEDURE film_refresh(IN n INT) BEGIN SELECT COUNT(*) FROM film WHERE id >= n; END",
        &["procedure film_refresh: body differs: the snapshot has BEGIN SELECT COUNT(*) FROM film WHERE id > n; END, the live database has BEGIN SELECT COUNT(*) FROM film WHERE id >= n; END"],
        &restore,
    );
    t.drift(
        "DROP PROCEDURE film_refresh; CREATE PROCEDURE film_refresh(IN n INT, OUT total INT) BEGIN SELECT COUNT(*) FROM film WHERE id > n; END",
        &["procedure film_refresh: arguments differ: the snapshot has (IN n int), the live database has (IN n int, OUT total int)"],
        &restore,
    );
    t.drift(
        "DROP PROCEDURE film_refresh",
        &["procedure film_refresh: only in the snapshot"],
        MY_PROC,
    );
    t.drift(
        "CREATE PROCEDURE film_purge() DELETE FROM film",
        &["procedure film_purge: only in the live database"],
        "DROP PROCEDURE film_purge",
    );
}

const MY_FUNC: &str = "CREATE FUNCTION film_count(min_id INT) RETURNS INT READS SQL DATA\nRETURN (SELECT COUNT(*) FROM film WHERE id > min_id)";

fn my_functions(b: Backend) {
    let up = format!("{MY_FILM}{MY_FUNC};\n");
    let Some(t) = Built::new(
        b,
        "obj_my_func",
        &up,
        "DROP FUNCTION film_count;\nDROP TABLE film;\n",
    ) else {
        return;
    };
    let restore = format!("DROP FUNCTION film_count; {MY_FUNC}");
    t.drift(
        "CREATE OR REPLACE FUNCTION film_count(min_id INT) RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM film)",
        &["function film_count: body differs: the snapshot has RETURN (SELECT COUNT(*) FROM film WHERE id > min_id), the live database has RETURN (SELECT COUNT(*) FROM film)"],
        &restore,
    );
    t.drift(
        "CREATE OR REPLACE FUNCTION film_count(min_id BIGINT) RETURNS BIGINT READS SQL DATA RETURN (SELECT COUNT(*) FROM film WHERE id > min_id)",
        &[
            "function film_count: arguments differ: the snapshot has (min_id int), the live database has (min_id bigint)",
            "function film_count: return type differs: the snapshot has int, the live database has bigint",
        ],
        &restore,
    );
    t.drift(
        "CREATE OR REPLACE FUNCTION film_count(min_id INT) RETURNS INT DETERMINISTIC READS SQL DATA RETURN (SELECT COUNT(*) FROM film WHERE id > min_id)",
        &["function film_count: characteristics differ: the snapshot has NOT DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER, the live database has DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER"],
        &restore,
    );
    t.drift(
        "DROP FUNCTION film_count",
        &["function film_count: only in the snapshot"],
        MY_FUNC,
    );
}

fn my_events(b: Backend) {
    let up = format!(
        "{MY_FILM}CREATE EVENT film_purge ON SCHEDULE EVERY 1 DAY COMMENT 'nightly' DO DELETE FROM film WHERE id < 0;\n"
    );
    let Some(t) = Built::new(
        b,
        "obj_my_event",
        &up,
        "DROP EVENT film_purge;\nDROP TABLE film;\n",
    ) else {
        return;
    };
    t.drift(
        "ALTER EVENT film_purge ON SCHEDULE EVERY 2 HOUR",
        &["event film_purge: schedule differs: the snapshot has EVERY 1 DAY, the live database has EVERY 2 HOUR"],
        "ALTER EVENT film_purge ON SCHEDULE EVERY 1 DAY",
    );
    t.drift(
        "ALTER EVENT film_purge DISABLE",
        &["event film_purge: status differs: the snapshot has ENABLED, the live database has DISABLED"],
        "ALTER EVENT film_purge ENABLE",
    );
    t.drift(
        "ALTER EVENT film_purge DO DELETE FROM film",
        &["event film_purge: body differs: the snapshot has DELETE FROM film WHERE id < 0, the live database has DELETE FROM film"],
        "ALTER EVENT film_purge DO DELETE FROM film WHERE id < 0",
    );
    t.drift(
        "DROP EVENT film_purge",
        &["event film_purge: only in the snapshot"],
        "CREATE EVENT film_purge ON SCHEDULE EVERY 1 DAY COMMENT 'nightly' DO DELETE FROM film WHERE id < 0",
    );
}

fn my_check_constraints(b: Backend) {
    let up = "CREATE TABLE film (\n  id INT PRIMARY KEY,\n  title VARCHAR(100) NOT NULL,\n  year INT NOT NULL CHECK (year > 1880),\n  CONSTRAINT film_title CHECK (title <> '')\n);\n";
    let Some(t) = Built::new(b, "obj_my_check", up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "ALTER TABLE film DROP CONSTRAINT film_title",
        &["check constraint film_title on film: only in the snapshot"],
        "ALTER TABLE film ADD CONSTRAINT film_title CHECK (title <> '')",
    );
    t.drift(
        "ALTER TABLE film DROP CONSTRAINT film_title, ADD CONSTRAINT film_title CHECK (title <> 'x')",
        &["check constraint film_title on film: condition differs: the snapshot has CHECK (`title` <> ''), the live database has CHECK (`title` <> 'x')"],
        "ALTER TABLE film DROP CONSTRAINT film_title, ADD CONSTRAINT film_title CHECK (title <> '')",
    );
    t.drift(
        "ALTER TABLE film ADD CONSTRAINT film_id CHECK (id > 0)",
        &["check constraint film_id on film: only in the live database"],
        "ALTER TABLE film DROP CONSTRAINT film_id",
    );
}

fn my_index_types(b: Backend) {
    let up = "CREATE TABLE film (\n  id INT PRIMARY KEY,\n  title VARCHAR(100) NOT NULL,\n  place POINT NOT NULL,\n  KEY film_title (title),\n  SPATIAL KEY film_place (place)\n) ENGINE=InnoDB;\n";
    let Some(t) = Built::new(b, "obj_my_index", up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "ALTER TABLE film DROP INDEX film_title, ADD FULLTEXT INDEX film_title (title)",
        &["index film.film_title: type differs: the snapshot has BTREE, the live database has FULLTEXT"],
        "ALTER TABLE film DROP INDEX film_title, ADD INDEX film_title (title)",
    );
    t.drift(
        "ALTER TABLE film DROP INDEX film_place",
        &["index film.film_place: only in the snapshot"],
        "ALTER TABLE film ADD SPATIAL INDEX film_place (place)",
    );
}

fn my_column_charset_and_collation(b: Backend) {
    let up = "CREATE TABLE film (\n  id INT PRIMARY KEY,\n  title VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL\n);\n";
    let Some(t) = Built::new(b, "obj_my_coll", up, "DROP TABLE film;\n") else {
        return;
    };
    let undo = "ALTER TABLE film MODIFY title VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL";
    t.drift(
        "ALTER TABLE film MODIFY title VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
        &["column film.title: collation differs: the snapshot has utf8mb4_unicode_ci, the live database has utf8mb4_bin"],
        undo,
    );
    t.drift(
        "ALTER TABLE film MODIFY title VARCHAR(100) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL",
        &[
            "column film.title: character set differs: the snapshot has utf8mb4, the live database has latin1",
            "column film.title: collation differs: the snapshot has utf8mb4_unicode_ci, the live database has latin1_swedish_ci",
        ],
        undo,
    );
}

fn my_enum_and_set_values_keep_their_case(b: Backend) {
    let up = "CREATE TABLE film (\n  id INT PRIMARY KEY,\n  rating ENUM('G','PG','PG-13') NOT NULL,\n  features SET('Trailers','Commentaries') NULL\n);\n";
    let Some(t) = Built::new(b, "obj_my_enum", up, "DROP TABLE film;\n") else {
        return;
    };
    let text = t.mendb(&["schema", "dump"]);
    text.succeeds()
        .stdout_has("enum('G','PG','PG-13')")
        .stdout_has("set('Trailers','Commentaries')");
    t.drift(
        "ALTER TABLE film MODIFY rating ENUM('g','PG','PG-13') NOT NULL",
        &["column film.rating: type differs: the snapshot has enum('G','PG','PG-13'), the live database has enum('g','PG','PG-13')"],
        "ALTER TABLE film MODIFY rating ENUM('G','PG','PG-13') NOT NULL",
    );
    t.drift(
        "ALTER TABLE film MODIFY features SET('trailers','Commentaries') NULL",
        &["column film.features: type differs: the snapshot has set('Trailers','Commentaries'), the live database has set('trailers','Commentaries')"],
        "ALTER TABLE film MODIFY features SET('Trailers','Commentaries') NULL",
    );
}

fn my_partitioning(b: Backend) {
    let up = "CREATE TABLE rental (\n  id INT NOT NULL,\n  rented DATE NOT NULL,\n  PRIMARY KEY (id, rented)\n) PARTITION BY RANGE (YEAR(rented)) (\n  PARTITION p2000 VALUES LESS THAN (2001),\n  PARTITION pmax VALUES LESS THAN MAXVALUE\n);\n";
    let Some(t) = Built::new(b, "obj_my_part", up, "DROP TABLE rental;\n") else {
        return;
    };
    t.drift(
        "ALTER TABLE rental REORGANIZE PARTITION pmax INTO (PARTITION p2010 VALUES LESS THAN (2011), PARTITION pmax VALUES LESS THAN MAXVALUE)",
        &["partition p2010 of rental: only in the live database"],
        "ALTER TABLE rental REORGANIZE PARTITION p2010, pmax INTO (PARTITION pmax VALUES LESS THAN MAXVALUE)",
    );
    t.drift(
        "ALTER TABLE rental REORGANIZE PARTITION p2000, pmax INTO (PARTITION p2000 VALUES LESS THAN (2002), PARTITION pmax VALUES LESS THAN MAXVALUE)",
        &["partition p2000 of rental: bound differs: the snapshot has VALUES LESS THAN (2001), the live database has VALUES LESS THAN (2002)"],
        "ALTER TABLE rental REORGANIZE PARTITION p2000, pmax INTO (PARTITION p2000 VALUES LESS THAN (2001), PARTITION pmax VALUES LESS THAN MAXVALUE)",
    );
    t.drift(
        "ALTER TABLE rental REMOVE PARTITIONING",
        &[
            "table rental: partitioning differs: the snapshot has PARTITION BY RANGE (year(`rented`)), the live database has no partitioning",
            "partition p2000 of rental: only in the snapshot",
            "partition pmax of rental: only in the snapshot",
        ],
        "ALTER TABLE rental PARTITION BY RANGE (YEAR(rented)) (PARTITION p2000 VALUES LESS THAN (2001), PARTITION pmax VALUES LESS THAN MAXVALUE)",
    );
}

fn my_sql_mode_of_routines_triggers_and_views(b: Backend) {
    let up = format!(
        "{MY_FILM}CREATE TRIGGER film_bi BEFORE INSERT ON film FOR EACH ROW SET NEW.title = TRIM(NEW.title);\n\
         CREATE VIEW film_label AS SELECT id, title || '!' AS label FROM film;\n\
         {MY_FUNC};\n"
    );
    let Some(t) = Built::new(
        b,
        "obj_my_mode",
        &up,
        "DROP FUNCTION film_count;\nDROP VIEW film_label;\nDROP TRIGGER film_bi;\nDROP TABLE film;\n",
    ) else {
        return;
    };
    let mode = t.db.query("SELECT @@GLOBAL.sql_mode")[0][0]
        .clone()
        .unwrap();
    // The server lists the modes in its own order, ANSI_QUOTES before
    // the default ones.
    let ansi = format!("ANSI_QUOTES,{mode}");
    let created_under = |sql: &str| {
        format!("SET SESSION sql_mode = CONCAT(@@GLOBAL.sql_mode, ',ANSI_QUOTES'); {sql}")
    };
    let trigger =
        "CREATE TRIGGER film_bi BEFORE INSERT ON film FOR EACH ROW SET NEW.title = TRIM(NEW.title)";
    t.drift(
        &created_under(&format!("DROP TRIGGER film_bi; {trigger}")),
        &[&format!("trigger film_bi on film: sql_mode differs: the snapshot has {mode}, the live database has {ansi}")],
        &format!("DROP TRIGGER film_bi; {trigger}"),
    );
    t.drift(
        &created_under(&format!("DROP FUNCTION film_count; {MY_FUNC}")),
        &[&format!("function film_count: sql_mode differs: the snapshot has {mode}, the live database has {ansi}")],
        &format!("DROP FUNCTION film_count; {MY_FUNC}"),
    );
    // A view keeps no sql_mode: what the mode changed is in its stored
    // definition, here `||` read as CONCAT instead of OR.
    let view = "CREATE OR REPLACE VIEW film_label AS SELECT id, title || '!' AS label FROM film";
    t.drift(
        &format!("SET SESSION sql_mode = CONCAT(@@GLOBAL.sql_mode, ',PIPES_AS_CONCAT'); {view}"),
        &["view film_label: definition differs: the snapshot has select `film`.`id` AS `id`,`film`.`title` <> 0 or '!' AS `label` from `film`, the live database has select `film`.`id` AS `id`,concat(`film`.`title`,'!') AS `label` from `film`"],
        view,
    );
}

fn my_comments_and_table_options(b: Backend) {
    let up = "CREATE TABLE film (\n  id INT PRIMARY KEY,\n  title VARCHAR(100) NOT NULL COMMENT 'as released'\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='one row per film';\n";
    let Some(t) = Built::new(b, "obj_my_opts", up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "ALTER TABLE film COMMENT 'films'",
        &["table film: comment differs: the snapshot has 'one row per film', the live database has 'films'"],
        "ALTER TABLE film COMMENT 'one row per film'",
    );
    t.drift(
        "ALTER TABLE film MODIFY title VARCHAR(100) NOT NULL COMMENT 'as shown'",
        &["column film.title: comment differs: the snapshot has 'as released', the live database has 'as shown'"],
        "ALTER TABLE film MODIFY title VARCHAR(100) NOT NULL COMMENT 'as released'",
    );
    t.drift(
        "ALTER TABLE film ENGINE=MyISAM",
        &["table film: engine differs: the snapshot has InnoDB, the live database has MyISAM"],
        "ALTER TABLE film ENGINE=InnoDB",
    );
    t.drift(
        "ALTER TABLE film ROW_FORMAT=COMPRESSED",
        &["table film: options differ: the snapshot has none, the live database has row_format=COMPRESSED"],
        "ALTER TABLE film ROW_FORMAT=DEFAULT",
    );
    t.drift(
        "ALTER TABLE film DEFAULT COLLATE utf8mb4_bin",
        &["table film: default collation differs: the snapshot has utf8mb4_unicode_ci, the live database has utf8mb4_bin"],
        "ALTER TABLE film DEFAULT COLLATE utf8mb4_unicode_ci",
    );
}

fn my_triggers(b: Backend) {
    let up = format!(
        "{MY_FILM}CREATE TABLE actor (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL);\n\
         CREATE TRIGGER film_bi BEFORE INSERT ON film FOR EACH ROW SET NEW.title = TRIM(NEW.title);\n\
         CREATE TRIGGER actor_bi BEFORE INSERT ON actor FOR EACH ROW SET NEW.name = TRIM(NEW.name);\n"
    );
    let Some(t) = Built::new(
        b,
        "obj_my_trig",
        &up,
        "DROP TRIGGER actor_bi;\nDROP TRIGGER film_bi;\nDROP TABLE actor;\nDROP TABLE film;\n",
    ) else {
        return;
    };
    t.drift(
        "DROP TRIGGER film_bi; CREATE TRIGGER film_bi BEFORE INSERT ON film FOR EACH ROW SET NEW.title = UPPER(NEW.title)",
        &["trigger film_bi on film: definition differs: the snapshot has SET NEW.title = TRIM(NEW.title), the live database has SET NEW.title = UPPER(NEW.title)"],
        "DROP TRIGGER film_bi; CREATE TRIGGER film_bi BEFORE INSERT ON film FOR EACH ROW SET NEW.title = TRIM(NEW.title)",
    );
    t.drift(
        "DROP TRIGGER film_bi; CREATE TRIGGER film_bi BEFORE UPDATE ON film FOR EACH ROW SET NEW.title = TRIM(NEW.title)",
        &["trigger film_bi on film: events differ: the snapshot has INSERT, the live database has UPDATE"],
        "DROP TRIGGER film_bi; CREATE TRIGGER film_bi BEFORE INSERT ON film FOR EACH ROW SET NEW.title = TRIM(NEW.title)",
    );
    t.drift(
        "DROP TRIGGER actor_bi",
        &["trigger actor_bi on actor: only in the snapshot"],
        "CREATE TRIGGER actor_bi BEFORE INSERT ON actor FOR EACH ROW SET NEW.name = TRIM(NEW.name)",
    );
}

fn my_sequences(b: Backend) {
    let up = "CREATE SEQUENCE film_ids START WITH 100 INCREMENT BY 10;\n";
    let Some(t) = Built::new(b, "obj_my_seq", up, "DROP SEQUENCE film_ids;\n") else {
        return;
    };
    // Current values are data, not definition.
    t.hand("SELECT NEXTVAL(film_ids)");
    t.verify(&[]).succeeds();
    t.drift(
        "ALTER SEQUENCE film_ids INCREMENT BY 5",
        &["sequence film_ids: INCREMENT differs: the snapshot has 10, the live database has 5"],
        "ALTER SEQUENCE film_ids INCREMENT BY 10",
    );
}

/// The up replaces the function whatever was there, so a second up after
/// a down that left it behind still succeeds: only the down to 0 shows it.
fn a_down_that_forgets_a_function(b: Backend) {
    let (up, down, function) = match b {
        Backend::Mysql => (
            format!(
                "{MY_FILM}CREATE OR REPLACE FUNCTION film_count() RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM film);\n"
            ),
            "DROP TABLE film;\n",
            "function film_count",
        ),
        _ => (
            "CREATE TABLE film (id integer PRIMARY KEY, title text NOT NULL);\n\
             CREATE OR REPLACE FUNCTION film_count() RETURNS bigint LANGUAGE sql STABLE\n\
             AS $$ SELECT count(*) FROM film $$;\n"
                .to_string(),
            "DROP TABLE film;\n",
            "function film_count()",
        ),
    };
    let Some(t) = Built::unchecked(b, "obj_forgot", &up, down) else {
        return;
    };
    t.verify(&[]).succeeds();
    let run = t.verify(&["--roundtrip"]);
    run.fails_with(VERIFY_FAILED);
    let roundtrip = failures(&run, "up, down to 0, up again on a scratch database");
    assert_eq!(roundtrip, [format!("down to 0 left {function} behind")]);
}

// ------------------------------------------------------------- PostgreSQL

const PG_FILM: &str = "CREATE TABLE film (\n  id integer PRIMARY KEY,\n  title text NOT NULL,\n  released date NOT NULL\n);\n";

const PG_FUNC: &str = "CREATE OR REPLACE FUNCTION film_count(min_id integer DEFAULT 0) RETURNS bigint\nLANGUAGE sql STABLE\nAS $$ SELECT count(*) FROM film WHERE id > min_id $$";

fn pg_functions(b: Backend) {
    let up = format!("{PG_FILM}{PG_FUNC};\n");
    let Some(t) = Built::new(
        b,
        "obj_pg_func",
        &up,
        "DROP FUNCTION film_count(integer);\nDROP TABLE film;\n",
    ) else {
        return;
    };
    t.drift(
        "CREATE OR REPLACE FUNCTION film_count(min_id integer DEFAULT 0) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM film $$",
        &["function film_count(min_id integer): body differs: the snapshot has SELECT count(*) FROM film WHERE id > min_id, the live database has SELECT count(*) FROM film"],
        PG_FUNC,
    );
    t.drift(
        "DROP FUNCTION film_count(integer); CREATE FUNCTION film_count(min_id integer DEFAULT 1) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM film WHERE id > min_id $$",
        &["function film_count(min_id integer): arguments differ: the snapshot has (min_id integer DEFAULT 0), the live database has (min_id integer DEFAULT 1)"],
        &format!("DROP FUNCTION film_count(integer); {PG_FUNC}"),
    );
    t.drift(
        "ALTER FUNCTION film_count(integer) VOLATILE",
        &["function film_count(min_id integer): characteristics differ: the snapshot has STABLE PARALLEL UNSAFE COST 100, the live database has VOLATILE PARALLEL UNSAFE COST 100"],
        "ALTER FUNCTION film_count(integer) STABLE",
    );
    t.drift(
        "CREATE FUNCTION film_count(title_like text) RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM film WHERE title LIKE title_like $$",
        &["function film_count(title_like text): only in the live database"],
        "DROP FUNCTION film_count(text)",
    );
    t.drift(
        "DROP FUNCTION film_count(integer)",
        &["function film_count(min_id integer): only in the snapshot"],
        PG_FUNC,
    );
}

fn pg_procedures(b: Backend) {
    let proc_ = "CREATE OR REPLACE PROCEDURE film_purge(before date)\nLANGUAGE plpgsql\nAS $$ BEGIN DELETE FROM film WHERE released < before; END $$";
    let up = format!("{PG_FILM}{proc_};\n");
    let Some(t) = Built::new(
        b,
        "obj_pg_proc",
        &up,
        "DROP PROCEDURE film_purge(date);\nDROP TABLE film;\n",
    ) else {
        return;
    };
    t.drift(
        "CREATE OR REPLACE PROCEDURE film_purge(before date) LANGUAGE plpgsql AS $$ BEGIN DELETE FROM film WHERE released <= before; END $$",
        &["procedure film_purge(IN before date): body differs: the snapshot has BEGIN DELETE FROM film WHERE released < before; END, the live database has BEGIN DELETE FROM film WHERE released <= before; END"],
        proc_,
    );
    t.drift(
        "ALTER PROCEDURE film_purge(date) SECURITY DEFINER",
        &["procedure film_purge(IN before date): characteristics differ: the snapshot has none, the live database has SECURITY DEFINER"],
        "ALTER PROCEDURE film_purge(date) SECURITY INVOKER",
    );
}

fn pg_materialized_views(b: Backend) {
    let up = format!(
        "{PG_FILM}CREATE MATERIALIZED VIEW film_stats AS SELECT count(*) AS films FROM film;\n\
         CREATE UNIQUE INDEX film_stats_films ON film_stats (films);\n"
    );
    let Some(t) = Built::new(
        b,
        "obj_pg_mat",
        &up,
        "DROP MATERIALIZED VIEW film_stats;\nDROP TABLE film;\n",
    ) else {
        return;
    };
    // Refreshing changes rows, not the schema.
    t.hand(
        "INSERT INTO film VALUES (1, 'Alien', '1979-05-25'); REFRESH MATERIALIZED VIEW film_stats",
    );
    t.verify(&[]).succeeds();
    t.drift(
        "DROP INDEX film_stats_films",
        &["index film_stats.film_stats_films: only in the snapshot"],
        "CREATE UNIQUE INDEX film_stats_films ON film_stats (films)",
    );
    t.drift(
        "DROP MATERIALIZED VIEW film_stats; CREATE MATERIALIZED VIEW film_stats AS SELECT count(*) AS films FROM film WHERE id > 0; CREATE UNIQUE INDEX film_stats_films ON film_stats (films)",
        &["materialized view film_stats: definition differs: the snapshot has SELECT count(*) AS films FROM film;, the live database has SELECT count(*) AS films FROM film WHERE (film.id > 0);"],
        "DROP MATERIALIZED VIEW film_stats; CREATE MATERIALIZED VIEW film_stats AS SELECT count(*) AS films FROM film; CREATE UNIQUE INDEX film_stats_films ON film_stats (films)",
    );
    t.drift(
        "DROP MATERIALIZED VIEW film_stats",
        &["materialized view film_stats: only in the snapshot"],
        "CREATE MATERIALIZED VIEW film_stats AS SELECT count(*) AS films FROM film; CREATE UNIQUE INDEX film_stats_films ON film_stats (films)",
    );
}

fn pg_check_constraints(b: Backend) {
    let up = "CREATE TABLE film (\n  id integer PRIMARY KEY,\n  title text NOT NULL,\n  length integer CHECK (length > 0),\n  CONSTRAINT film_title CHECK (title <> '')\n);\n";
    let Some(t) = Built::new(b, "obj_pg_check", up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "ALTER TABLE film DROP CONSTRAINT film_title",
        &["check constraint film_title on film: only in the snapshot"],
        "ALTER TABLE film ADD CONSTRAINT film_title CHECK (title <> '')",
    );
    t.drift(
        "ALTER TABLE film DROP CONSTRAINT film_length_check, ADD CONSTRAINT film_length_check CHECK (length >= 0)",
        &["check constraint film_length_check on film: condition differs: the snapshot has CHECK (length > 0), the live database has CHECK (length >= 0)"],
        "ALTER TABLE film DROP CONSTRAINT film_length_check, ADD CONSTRAINT film_length_check CHECK (length > 0)",
    );
}

fn pg_domains(b: Backend) {
    let up = "CREATE DOMAIN year AS integer NOT NULL DEFAULT 2000\n  CONSTRAINT year_check CHECK (VALUE > 1880);\n\
              CREATE TABLE film (id integer PRIMARY KEY, released year);\n";
    let Some(t) = Built::new(
        b,
        "obj_pg_domain",
        up,
        "DROP TABLE film;\nDROP DOMAIN year;\n",
    ) else {
        return;
    };
    t.drift(
        "ALTER DOMAIN year DROP CONSTRAINT year_check",
        &["check constraint year_check on domain year: only in the snapshot"],
        "ALTER DOMAIN year ADD CONSTRAINT year_check CHECK (VALUE > 1880)",
    );
    t.drift(
        "ALTER DOMAIN year SET DEFAULT 1999",
        &["domain year: default differs: the snapshot has 2000, the live database has 1999"],
        "ALTER DOMAIN year SET DEFAULT 2000",
    );
    t.drift(
        "ALTER DOMAIN year DROP NOT NULL",
        &["domain year: nullability differs: the snapshot has NOT NULL, the live database has NULL"],
        "ALTER DOMAIN year SET NOT NULL",
    );
}

fn pg_enum_types(b: Backend) {
    let up = "CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'R');\n\
              CREATE TABLE film (id integer PRIMARY KEY, rating mpaa_rating);\n";
    let Some(t) = Built::new(
        b,
        "obj_pg_enum",
        up,
        "DROP TABLE film;\nDROP TYPE mpaa_rating;\n",
    ) else {
        return;
    };
    t.drift(
        "ALTER TYPE mpaa_rating RENAME VALUE 'G' TO 'g'",
        &["enum type mpaa_rating: values differ: the snapshot has ('G', 'PG', 'R'), the live database has ('g', 'PG', 'R')"],
        "ALTER TYPE mpaa_rating RENAME VALUE 'g' TO 'G'",
    );
    // A value added in the middle changes the order.
    t.hand("ALTER TYPE mpaa_rating ADD VALUE 'PG-13' BEFORE 'R'");
    let run = t.verify(&[]);
    run.fails_with(VERIFY_FAILED);
    assert_eq!(
        failures(&run, &t.snapshot),
        [
            "enum type mpaa_rating: values differ: the snapshot has ('G', 'PG', 'R'), the live database has ('G', 'PG', 'PG-13', 'R')"
        ]
    );
}

fn pg_sequences(b: Backend) {
    let up = "CREATE SEQUENCE film_ids START 100 INCREMENT 10;\n\
              CREATE TABLE film (id integer PRIMARY KEY DEFAULT nextval('film_ids'), n serial);\n";
    let Some(t) = Built::new(
        b,
        "obj_pg_seq",
        up,
        "DROP TABLE film;\nDROP SEQUENCE film_ids;\n",
    ) else {
        return;
    };
    // Current values are data, not definition.
    t.hand("SELECT nextval('film_ids'); INSERT INTO film DEFAULT VALUES; INSERT INTO film DEFAULT VALUES");
    t.verify(&[]).succeeds();
    t.drift(
        "ALTER SEQUENCE film_ids INCREMENT BY 5",
        &["sequence film_ids: INCREMENT differs: the snapshot has 10, the live database has 5"],
        "ALTER SEQUENCE film_ids INCREMENT BY 10",
    );
    t.drift(
        "ALTER SEQUENCE film_n_seq CYCLE MAXVALUE 1000",
        &[
            "sequence film_n_seq: MAXVALUE differs: the snapshot has 2147483647, the live database has 1000",
            "sequence film_n_seq: CYCLE differs: the snapshot has NO CYCLE, the live database has CYCLE",
        ],
        "ALTER SEQUENCE film_n_seq NO CYCLE MAXVALUE 2147483647",
    );
    t.drift(
        "ALTER SEQUENCE film_n_seq OWNED BY NONE",
        &["sequence film_n_seq: OWNED BY differs: the snapshot has film.n, the live database has none"],
        "ALTER SEQUENCE film_n_seq OWNED BY film.n",
    );
}

fn pg_rules(b: Backend) {
    let up = format!("{PG_FILM}CREATE RULE film_keep AS ON DELETE TO film DO INSTEAD NOTHING;\n");
    let Some(t) = Built::new(b, "obj_pg_rule", &up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "DROP RULE film_keep ON film",
        &["rule film_keep on film: only in the snapshot"],
        "CREATE RULE film_keep AS ON DELETE TO film DO INSTEAD NOTHING",
    );
    t.drift(
        "CREATE OR REPLACE RULE film_keep AS ON DELETE TO film WHERE old.id > 0 DO INSTEAD NOTHING",
        &["rule film_keep on film: definition differs: the snapshot has …ON DELETE TO film DO INSTEAD NOTHING;, the live database has …ON DELETE TO film WHERE (old.id > 0) DO INSTEAD NOTHING;"],
        "CREATE OR REPLACE RULE film_keep AS ON DELETE TO film DO INSTEAD NOTHING",
    );
}

fn pg_index_methods(b: Backend) {
    let up = format!(
        "{PG_FILM}CREATE INDEX film_released ON film (released);\n\
         CREATE INDEX film_title_desc ON film (title DESC);\n"
    );
    let Some(t) = Built::new(b, "obj_pg_index", &up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "DROP INDEX film_released; CREATE INDEX film_released ON film USING brin (released)",
        &["index film.film_released: type differs: the snapshot has btree, the live database has brin"],
        "DROP INDEX film_released; CREATE INDEX film_released ON film (released)",
    );
    t.drift(
        "DROP INDEX film_title_desc; CREATE INDEX film_title_desc ON film (title)",
        &["index film.film_title_desc: columns differ: the snapshot has (title DESC), the live database has (title)"],
        "DROP INDEX film_title_desc; CREATE INDEX film_title_desc ON film (title DESC)",
    );
}

fn pg_partitions(b: Backend) {
    let up = "CREATE TABLE rental (id integer NOT NULL, rented date NOT NULL) PARTITION BY RANGE (rented);\n\
              CREATE TABLE rental_2005 PARTITION OF rental FOR VALUES FROM ('2005-01-01') TO ('2006-01-01');\n";
    let Some(t) = Built::new(b, "obj_pg_part", up, "DROP TABLE rental;\n") else {
        return;
    };
    let attach = "ALTER TABLE rental ATTACH PARTITION rental_2005 FOR VALUES FROM ('2005-01-01') TO ('2006-01-01')";
    t.drift(
        "ALTER TABLE rental DETACH PARTITION rental_2005",
        &["table rental_2005: attachment differs: the snapshot has PARTITION OF rental FOR VALUES FROM ('2005-01-01') TO ('2006-01-01'), the live database has not a partition"],
        attach,
    );
    t.drift(
        "ALTER TABLE rental DETACH PARTITION rental_2005; ALTER TABLE rental ATTACH PARTITION rental_2005 FOR VALUES FROM ('2005-01-01') TO ('2007-01-01')",
        &["table rental_2005: attachment differs: the snapshot has PARTITION OF rental FOR VALUES FROM ('2005-01-01') TO ('2006-01-01'), the live database has PARTITION OF rental FOR VALUES FROM ('2005-01-01') TO ('2007-01-01')"],
        &format!("ALTER TABLE rental DETACH PARTITION rental_2005; {attach}"),
    );
}

fn pg_triggers_of_one_name_on_many_tables(b: Backend) {
    let up = "CREATE TABLE film (id integer PRIMARY KEY, updated timestamp);\n\
              CREATE TABLE actor (id integer PRIMARY KEY, updated timestamp);\n\
              CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;\n\
              CREATE TRIGGER touch BEFORE UPDATE ON film FOR EACH ROW EXECUTE FUNCTION touch();\n\
              CREATE TRIGGER touch BEFORE UPDATE ON actor FOR EACH ROW EXECUTE FUNCTION touch();\n";
    let Some(t) = Built::new(
        b,
        "obj_pg_trig",
        up,
        "DROP TABLE actor;\nDROP TABLE film;\nDROP FUNCTION touch();\n",
    ) else {
        return;
    };
    let text = t.mendb(&["schema", "dump"]);
    text.succeeds()
        .stdout_has("trigger touch BEFORE UPDATE ON actor")
        .stdout_has("trigger touch BEFORE UPDATE ON film");
    t.drift(
        "DROP TRIGGER touch ON actor",
        &["trigger touch on actor: only in the snapshot"],
        "CREATE TRIGGER touch BEFORE UPDATE ON actor FOR EACH ROW EXECUTE FUNCTION touch()",
    );
    t.drift(
        "ALTER TABLE film DISABLE TRIGGER touch",
        &["trigger touch on film: state differs: the snapshot has enabled, the live database has DISABLED"],
        "ALTER TABLE film ENABLE TRIGGER touch",
    );
    // The trigger function is compared as a function, once.
    t.drift(
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := clock_timestamp(); RETURN NEW; END $$",
        &["function touch(): body differs: the snapshot has BEGIN NEW.updated := now(); RETURN NEW; END, the live database has BEGIN NEW.updated := clock_timestamp(); RETURN NEW; END"],
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$",
    );
}

fn pg_comments_and_table_options(b: Backend) {
    let up = format!(
        "{PG_FILM}COMMENT ON TABLE film IS 'one row per film';\nCOMMENT ON COLUMN film.title IS 'as released';\n"
    );
    let Some(t) = Built::new(b, "obj_pg_opts", &up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "COMMENT ON TABLE film IS 'films'",
        &["table film: comment differs: the snapshot has 'one row per film', the live database has 'films'"],
        "COMMENT ON TABLE film IS 'one row per film'",
    );
    t.drift(
        "COMMENT ON COLUMN film.title IS NULL",
        &["column film.title: comment differs: the snapshot has 'as released', the live database has no comment"],
        "COMMENT ON COLUMN film.title IS 'as released'",
    );
    t.drift(
        "ALTER TABLE film SET (fillfactor = 70)",
        &["table film: options differ: the snapshot has none, the live database has WITH (fillfactor=70)"],
        "ALTER TABLE film RESET (fillfactor)",
    );
    t.drift(
        "ALTER TABLE film ALTER COLUMN title TYPE text COLLATE \"C\"",
        &["column film.title: collation differs: the snapshot has the default, the live database has C"],
        "ALTER TABLE film ALTER COLUMN title TYPE text COLLATE \"default\"",
    );
}

// ----------------------------------------------------------------- SQLite

/// SQLite cannot alter a table's constraints: a hand edit rebuilds it.
fn sq_rebuild(create: &str) -> String {
    format!("DROP TABLE film; {create}")
}

fn sq_check_constraints(b: Backend) {
    let create = "CREATE TABLE film (\n  id INTEGER PRIMARY KEY,\n  title TEXT NOT NULL CHECK (length(title) > 0),\n  year INTEGER,\n  CONSTRAINT film_year CHECK (year > 1880)\n)";
    let Some(t) = Built::new(
        b,
        "obj_sq_check",
        &format!("{create};\n"),
        "DROP TABLE film;\n",
    ) else {
        return;
    };
    t.drift(
        &sq_rebuild("CREATE TABLE film (id INTEGER PRIMARY KEY, title TEXT NOT NULL CHECK (length(title) > 0), year INTEGER, CONSTRAINT film_year CHECK (year > 1900))"),
        &["check constraint film_year on film: condition differs: the snapshot has CHECK (year > 1880), the live database has CHECK (year > 1900)"],
        &sq_rebuild(create),
    );
    t.drift(
        &sq_rebuild("CREATE TABLE film (id INTEGER PRIMARY KEY, title TEXT NOT NULL, year INTEGER, CONSTRAINT film_year CHECK (year > 1880))"),
        &["check constraint title on film: only in the snapshot"],
        &sq_rebuild(create),
    );
}

fn sq_generated_columns(b: Backend) {
    let create = "CREATE TABLE film (\n  id INTEGER PRIMARY KEY,\n  minutes INTEGER NOT NULL,\n  hours REAL GENERATED ALWAYS AS (minutes / 60.0) STORED\n)";
    let Some(t) = Built::new(
        b,
        "obj_sq_gen",
        &format!("{create};\n"),
        "DROP TABLE film;\n",
    ) else {
        return;
    };
    t.mendb(&["schema", "dump"])
        .succeeds()
        .stdout_has("generated stored: minutes / 60.0");
    t.drift(
        &sq_rebuild("CREATE TABLE film (id INTEGER PRIMARY KEY, minutes INTEGER NOT NULL, hours REAL GENERATED ALWAYS AS (minutes / 60) STORED)"),
        &["column film.hours: generation differs: the snapshot has generated stored: minutes / 60.0, the live database has generated stored: minutes / 60"],
        &sq_rebuild(create),
    );
    t.drift(
        &sq_rebuild("CREATE TABLE film (id INTEGER PRIMARY KEY, minutes INTEGER NOT NULL, hours REAL AS (minutes / 60.0))"),
        &["column film.hours: generation differs: the snapshot has generated stored: minutes / 60.0, the live database has generated virtual: minutes / 60.0"],
        &sq_rebuild(create),
    );
}

fn sq_collations_and_table_options(b: Backend) {
    let create = "CREATE TABLE film (\n  id INTEGER PRIMARY KEY,\n  title TEXT NOT NULL COLLATE NOCASE\n) STRICT";
    let Some(t) = Built::new(
        b,
        "obj_sq_coll",
        &format!("{create};\n"),
        "DROP TABLE film;\n",
    ) else {
        return;
    };
    t.drift(
        &sq_rebuild("CREATE TABLE film (id INTEGER PRIMARY KEY, title TEXT NOT NULL) STRICT"),
        &["column film.title: collation differs: the snapshot has NOCASE, the live database has the default"],
        &sq_rebuild(create),
    );
    t.drift(
        &sq_rebuild(
            "CREATE TABLE film (id INTEGER PRIMARY KEY, title TEXT NOT NULL COLLATE NOCASE)",
        ),
        &["table film: options differ: the snapshot has STRICT, the live database has none"],
        &sq_rebuild(create),
    );
}

fn sq_triggers(b: Backend) {
    let trigger = "CREATE TRIGGER film_ai AFTER INSERT ON film BEGIN UPDATE film SET title = trim(title) WHERE id = NEW.id; END";
    let up =
        format!("CREATE TABLE film (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n{trigger};\n");
    let Some(t) = Built::new(b, "obj_sq_trig", &up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "DROP TRIGGER film_ai; CREATE TRIGGER film_ai AFTER INSERT ON film BEGIN UPDATE film SET title = upper(title) WHERE id = NEW.id; END",
        &["trigger film_ai on film: definition differs: the snapshot has …film SET title = trim(title) WHERE id = NEW.id; END, the live database has …film SET title = upper(title) WHERE id = NEW.id; END"],
        &format!("DROP TRIGGER film_ai; {trigger}"),
    );
    t.drift(
        "DROP TRIGGER film_ai",
        &["trigger film_ai on film: only in the snapshot"],
        trigger,
    );
}

fn sq_indexes(b: Backend) {
    let up = "CREATE TABLE film (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n\
              CREATE INDEX film_title_lower ON film (lower(title));\n";
    let Some(t) = Built::new(b, "obj_sq_index", up, "DROP TABLE film;\n") else {
        return;
    };
    t.drift(
        "DROP INDEX film_title_lower; CREATE INDEX film_title_lower ON film (upper(title))",
        &["index film.film_title_lower: columns differ: the snapshot has (lower(title)), the live database has (upper(title))"],
        "DROP INDEX film_title_lower; CREATE INDEX film_title_lower ON film (lower(title))",
    );
    t.drift(
        "DROP INDEX film_title_lower; CREATE INDEX film_title_lower ON film (lower(title) DESC)",
        &["index film.film_title_lower: columns differ: the snapshot has (lower(title)), the live database has (lower(title) DESC)"],
        "DROP INDEX film_title_lower; CREATE INDEX film_title_lower ON film (lower(title))",
    );
}
