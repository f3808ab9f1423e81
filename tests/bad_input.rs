//! The bad-input sweep: malformed plans, flags, URLs, migration files,
//! `--set` values, contracts and snapshots, each refused with a message
//! that names what is wrong and where, a documented exit code, and no
//! write: the schema (mendb's tables included) and the rows a plan or
//! migration could touch are what they were.

mod common;

use common::{Backend, TestDb, mendb_with};

/// What a case gives mendb: files next to the database, and arguments in
/// which `{dir}` is that directory and `{db}` the database URL.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    code: i32,
    fragments: &'static [&'static str],
}

const PLAN_HEAD: &str = "name = \"p\"\n";

/// A valid plan, to be broken one way per case (a macro, for `concat!`).
macro_rules! good_step {
    () => {
        "[[steps]]\nname = \"s\"\n\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\nchunk_size = 100\n\n[steps.copy]\ninto = \"crypto_onchain_data_enhanced\"\nmatch = [\"symbol\", \"date\"]\n\n[steps.copy.columns]\nsymbol = \"symbol\"\ndate = \"date\"\n"
    };
}

const GOOD_STEP: &str = good_step!();

/// An int and a float parameter, declared on lines 2 and 5.
macro_rules! number_params {
    () => {
        "[params.n]\ntype = \"int\"\ndefault = 1\n[params.f]\ntype = \"float\"\ndefault = 0.5\n"
    };
}

/// A `[steps.sql]` that compiles, so a case fails for its own reason.
macro_rules! sql_step {
    () => {
        concat!(
            "[steps.sql]\n",
            "mysql = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}\"]\n",
            "postgres = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}\"]\n",
            "sqlite = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}\"]\n",
        )
    };
}

/// An `update` step of the enhanced table from the base table; `on` is
/// the TOML value of `on.symbol` (line 10), `set` of `set.hash_rate` (13).
macro_rules! update_step {
    ($on:expr, $set:expr) => {
        concat!(
            "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data_enhanced\"\nkey = [\"symbol\", \"date\"]\n",
            "[steps.update]\nfrom = \"crypto_onchain_data\"\n[steps.update.on]\nsymbol = ",
            $on,
            "\ndate = \"t.date\"\n[steps.update.set]\nhash_rate = ",
            $set,
            "\n"
        )
    };
}

macro_rules! plan {
    ($($part:expr),* $(,)?) => { concat!("name = \"p\"\n", $($part),*) };
}

const CASES: &[Case] = &[
    // Plans: exit 11, naming file, line and key.
    Case {
        name: "unknown plan key",
        files: &[(
            "p.toml",
            plan!("nmae = \"x\"\n", "[[steps]]\nname = \"s\"\n"),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:2", "unknown field `nmae`"],
    },
    Case {
        name: "TOML syntax error",
        files: &[("p.toml", "name = \"p\"\n[[steps]\n")],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:2"],
    },
    Case {
        name: "chunk_size of the wrong type",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\"]\nchunk_size = \"big\"\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:7", "chunk_size"],
    },
    Case {
        name: "chunk_size 0",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\"]\nchunk_size = 0\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:7", "chunk_size"],
    },
    Case {
        name: "identifier with a space",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"price data\"\nkey = [\"date\"]\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:5", "price data"],
    },
    Case {
        name: "unknown order",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\"]\norder = \"sideways\"\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:7", "sideways"],
    },
    Case {
        name: "a plan without steps",
        files: &[("p.toml", PLAN_HEAD)],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml", "step"],
    },
    Case {
        name: "a table that does not exist",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"no_such_table\"\nkey = [\"id\"]\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:5", "no_such_table"],
    },
    Case {
        name: "a key column that does not exist",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"no_such_column\"]\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:6", "no_such_column"],
    },
    Case {
        name: "a plan pointing at a view",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"onchain_metrics\"\nkey = [\"date\", \"symbol\"]\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:5", "view"],
    },
    Case {
        name: "a key column holding NULLs",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"narrative_analysis\"\nkey = [\"symbol\", \"id\"]\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:6", "NULL"],
    },
    Case {
        name: "a copy column the target lacks",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\n[steps.copy]\ninto = \"crypto_onchain_data_enhanced\"\nmatch = [\"symbol\", \"date\"]\n[steps.copy.columns]\nsymbol = \"symbol\"\ndate = \"date\"\nno_such_column = \"hash_rate\"\n"
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml", "no_such_column"],
    },
    Case {
        name: "an expression that does not compile",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\nwhere = \"date >>> 3\"\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:7"],
    },
    Case {
        name: "an unknown :param in an expression",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\nwhere = \"date >= :nope\"\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:7", "nope"],
    },
    Case {
        name: "a plan file that does not exist",
        files: &[],
        args: &["backfill", "run", "{dir}/missing.toml"],
        code: 11,
        fragments: &["missing.toml"],
    },
    // --set values: exit 11.
    Case {
        name: "--set of an unknown parameter",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--set", "nope=1"],
        code: 11,
        fragments: &["nope"],
    },
    Case {
        name: "--set of a malformed timestamp",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--set",
            "since=yesterday",
        ],
        code: 11,
        fragments: &["since", "yesterday"],
    },
    Case {
        name: "--set without =",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--set", "since"],
        code: 11,
        fragments: &["NAME=VALUE"],
    },
    // Flags: exit 2.
    Case {
        name: "--workers 0",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--workers", "0"],
        code: 2,
        fragments: &["--workers"],
    },
    Case {
        name: "a duration without its unit right",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--chunk-target",
            "5 minutes",
        ],
        code: 2,
        fragments: &["5 minutes", "unknown unit ` minutes`"],
    },
    Case {
        name: "an unknown duration unit",
        files: &[],
        args: &["gaps", "--table", "price_data_real", "--every", "5x"],
        code: 2,
        fragments: &["unknown unit `x`"],
    },
    Case {
        name: "a time that is not a time",
        files: &[],
        args: &[
            "gaps",
            "--table",
            "price_data_real",
            "--every",
            "5m",
            "--since",
            "yesterday",
        ],
        code: 2,
        fragments: &["yesterday", "not a UTC time"],
    },
    Case {
        name: "--format prom outside report",
        files: &[],
        args: &["migrate", "status", "--format", "prom"],
        code: 2,
        fragments: &[
            "invalid value 'prom' for '--format",
            "[possible values: text, json]",
        ],
    },
    Case {
        name: "--format junit outside verify",
        files: &[],
        args: &["report", "--format", "junit"],
        code: 2,
        fragments: &[
            "invalid value 'junit' for '--format",
            "[possible values: text, json, prom, html]",
        ],
    },
    Case {
        name: "migrate up --to an unknown version",
        files: &[],
        args: &["migrate", "up", "--to", "99"],
        code: 2,
        fragments: &["unknown version 99", "versions 1 to 4"],
    },
    Case {
        name: "migrate down --to an unknown version",
        files: &[],
        args: &["migrate", "down", "--to", "99"],
        code: 2,
        fragments: &["unknown version 99"],
    },
    Case {
        name: "migrate down --steps 0",
        files: &[],
        args: &["migrate", "down", "--steps", "0"],
        code: 2,
        fragments: &["--steps"],
    },
    Case {
        name: "migrate new with a bad name",
        files: &[],
        args: &["migrate", "new", "Bad Name", "--migrations", "{dir}/m"],
        code: 2,
        fragments: &["Bad Name"],
    },
    Case {
        name: "a load limit PostgreSQL and SQLite do not have",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--max-threads-running",
            "10",
        ],
        code: 2,
        fragments: &["--max-threads-running applies to MariaDB/MySQL"],
    },
    // Durations beyond a flag's range: exit 2, naming the flag and the
    // range, never a panic.
    Case {
        name: "--lock-timeout of 10^23 seconds",
        files: &[],
        args: &[
            "migrate",
            "up",
            "--lock-timeout",
            "100000000000000000000000s",
        ],
        code: 2,
        fragments: &["--lock-timeout", "is too large (the range is 0s to 7d)"],
    },
    Case {
        name: "--lock-timeout of 10^23 hours",
        files: &[],
        args: &[
            "migrate",
            "up",
            "--lock-timeout",
            "100000000000000000000000h",
        ],
        code: 2,
        fragments: &["--lock-timeout", "is too large (the range is 0s to 7d)"],
    },
    Case {
        name: "--wait of a 400-digit number of days",
        files: &[],
        args: &[
            "migrate",
            "up",
            "--wait",
            concat!(
                "1",
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "d"
            ),
        ],
        code: 2,
        fragments: &["--wait", "is too large (the range is 0s to 7d)"],
    },
    Case {
        name: "--wait of 8 days",
        files: &[],
        args: &["migrate", "up", "--wait", "8d"],
        code: 2,
        fragments: &["--wait", "`8d` is too large (the range is 0s to 7d)"],
    },
    Case {
        name: "gaps --every of 10^23 seconds",
        files: &[],
        args: &[
            "gaps",
            "--table",
            "price_data_real",
            "--every",
            "100000000000000000000000s",
        ],
        code: 2,
        fragments: &["--every", "is too large (the range is 1s to 366d)"],
    },
    Case {
        name: "gaps --every of 367 days",
        files: &[],
        args: &["gaps", "--table", "price_data_real", "--every", "367d"],
        code: 2,
        fragments: &["--every", "`367d` is too large (the range is 1s to 366d)"],
    },
    Case {
        name: "--chunk-target of 10^23 seconds",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--chunk-target",
            "100000000000000000000000s",
        ],
        code: 2,
        fragments: &["--chunk-target", "is too large (the range is 1ms to 1h)"],
    },
    Case {
        name: "--chunk-target 0s",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--chunk-target", "0s"],
        code: 2,
        fragments: &[
            "--chunk-target",
            "`0s` is too small (the range is 1ms to 1h)",
        ],
    },
    Case {
        name: "--lease of 10^23 seconds",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--lease",
            "100000000000000000000000s",
        ],
        code: 2,
        fragments: &["--lease", "is too large (the range is 1s to 7d)"],
    },
    Case {
        name: "--lease below a second",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--lease", "500ms"],
        code: 2,
        fragments: &["--lease", "`500ms` is too small (the range is 1s to 7d)"],
    },
    Case {
        name: "--max-replica-lag of 10^23 seconds",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--max-replica-lag",
            "100000000000000000000000s",
        ],
        code: 2,
        fragments: &["--max-replica-lag", "is too large (the range is 0s to 7d)"],
    },
    Case {
        name: "report --window of 10^23 seconds",
        files: &[],
        args: &["report", "--window", "100000000000000000000000s"],
        code: 2,
        fragments: &["--window", "is too large (the range is 5m to 3650d)"],
    },
    Case {
        name: "report --window shorter than a price bucket",
        files: &[],
        args: &["report", "--window", "4m"],
        code: 2,
        fragments: &["--window", "`4m` is too small (the range is 5m to 3650d)"],
    },
    // Numbers beyond a flag's range: exit 2.
    Case {
        name: "--sleep-ratio inf",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--sleep-ratio", "inf"],
        code: 2,
        fragments: &[
            "--sleep-ratio",
            "`inf` is not a finite number (the range is 0 to 100)",
        ],
    },
    Case {
        name: "--sleep-ratio NaN",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--sleep-ratio", "NaN"],
        code: 2,
        fragments: &[
            "--sleep-ratio",
            "`NaN` is not a finite number (the range is 0 to 100)",
        ],
    },
    Case {
        name: "a negative --sleep-ratio",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--sleep-ratio", "-1"],
        code: 2,
        fragments: &["--sleep-ratio", "`-1` is negative (the range is 0 to 100)"],
    },
    Case {
        name: "--sleep-ratio above 100",
        files: &[],
        args: &["backfill", "run", "fill-price-gaps", "--sleep-ratio", "1e9"],
        code: 2,
        fragments: &[
            "--sleep-ratio",
            "`1e9` is too large (the range is 0 to 100)",
        ],
    },
    Case {
        name: "--max-rows-per-sec 0",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--max-rows-per-sec",
            "0",
        ],
        code: 2,
        fragments: &[
            "--max-rows-per-sec",
            "`0` is too small (the range is 1 to 18446744073709551615)",
        ],
    },
    Case {
        name: "--max-rows-per-sec beyond 64 bits",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--max-rows-per-sec",
            "99999999999999999999",
        ],
        code: 2,
        fragments: &[
            "--max-rows-per-sec",
            "`99999999999999999999` is too large (the range is 1 to 18446744073709551615)",
        ],
    },
    Case {
        name: "--max-threads-running 0",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--max-threads-running",
            "0",
        ],
        code: 2,
        fragments: &["--max-threads-running", "`0` is too small"],
    },
    Case {
        name: "migrate up --to beyond 64 bits",
        files: &[],
        args: &["migrate", "up", "--to", "99999999999999999999"],
        code: 2,
        fragments: &[
            "--to",
            "`99999999999999999999` is out of range (versions are 0 to 2147483647)",
        ],
    },
    Case {
        name: "migrate up --to beyond 32 bits",
        files: &[],
        args: &["migrate", "up", "--to", "2147483648"],
        code: 2,
        fragments: &[
            "--to",
            "`2147483648` is out of range (versions are 0 to 2147483647)",
        ],
    },
    Case {
        name: "migrate down --to beyond 64 bits",
        files: &[],
        args: &["migrate", "down", "--to", "99999999999999999999"],
        code: 2,
        fragments: &[
            "--to",
            "`99999999999999999999` is out of range (versions are 0 to 2147483647)",
        ],
    },
    Case {
        name: "migrate down --to a negative version",
        files: &[],
        args: &["migrate", "down", "--to", "-1"],
        code: 2,
        fragments: &[
            "--to",
            "`-1` is out of range (versions are 0 to 2147483647)",
        ],
    },
    Case {
        name: "migrate baseline --to beyond 64 bits",
        files: &[],
        args: &["migrate", "baseline", "--to", "99999999999999999999"],
        code: 2,
        fragments: &[
            "--to",
            "`99999999999999999999` is out of range (versions are 0 to 2147483647)",
        ],
    },
    // Times outside the years 1 to 9999: exit 2.
    Case {
        name: "report --until the first year chrono knows",
        files: &[],
        args: &["report", "--until=-262143-01-01"],
        code: 2,
        fragments: &[
            "--until",
            "`-262143-01-01` is out of range (times are 0001-01-01 to 9999-12-31)",
        ],
    },
    Case {
        name: "gaps --since the year 0",
        files: &[],
        args: &[
            "gaps",
            "--table",
            "price_data_real",
            "--every",
            "5m",
            "--since",
            "0000-06-01",
        ],
        code: 2,
        fragments: &[
            "--since",
            "`0000-06-01` is out of range (times are 0001-01-01 to 9999-12-31)",
        ],
    },
    // Plan numbers and times: what `--set` refuses, the file refuses too,
    // both exit 11 and name file, line and key.
    Case {
        name: "--set of an int beyond 64 bits",
        files: &[("p.toml", plan!(number_params!(), good_step!()))],
        args: &[
            "backfill",
            "run",
            "{dir}/p.toml",
            "--set",
            "n=99999999999999999999",
        ],
        code: 11,
        fragments: &[
            "p.toml:2: --set n: `99999999999999999999` is out of range (an int is -9223372036854775808 to 9223372036854775807)",
        ],
    },
    Case {
        name: "an int default beyond 64 bits",
        files: &[(
            "p.toml",
            plan!(
                "[params.n]\ntype = \"int\"\ndefault = 99999999999999999999\n",
                good_step!()
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &[
            "p.toml:4: params.n.default: `99999999999999999999` is out of range (an int is -9223372036854775808 to 9223372036854775807)",
        ],
    },
    Case {
        name: "--set of an infinite float",
        files: &[("p.toml", plan!(number_params!(), good_step!()))],
        args: &["backfill", "run", "{dir}/p.toml", "--set", "f=inf"],
        code: 11,
        fragments: &["p.toml:5: --set f: `inf` is not a finite number"],
    },
    Case {
        name: "--set of a float that overflows",
        files: &[("p.toml", plan!(number_params!(), good_step!()))],
        args: &["backfill", "run", "{dir}/p.toml", "--set", "f=1e400"],
        code: 11,
        fragments: &["p.toml:5: --set f: `1e400` is not a finite number"],
    },
    Case {
        name: "an infinite float default",
        files: &[(
            "p.toml",
            plan!(
                "[params.f]\ntype = \"float\"\ndefault = inf\n",
                good_step!()
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:4: params.f.default: `inf` is not a finite number"],
    },
    Case {
        name: "a NaN float default",
        files: &[(
            "p.toml",
            plan!(
                "[params.f]\ntype = \"float\"\ndefault = nan\n",
                good_step!()
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:4: params.f.default: `nan` is not a finite number"],
    },
    Case {
        name: "--set of a timestamp in the year 0",
        files: &[],
        args: &[
            "backfill",
            "run",
            "fill-price-gaps",
            "--set",
            "since=0000-01-01",
        ],
        code: 11,
        fragments: &[
            "backfill-plans/fill-price-gaps.toml:",
            "--set since: `0000-01-01` is out of range (times are 0001-01-01 to 9999-12-31)",
        ],
    },
    Case {
        name: "a timestamp default in the year 0",
        files: &[(
            "p.toml",
            plan!(
                "[params.t]\ntype = \"timestamp\"\ndefault = \"0000-01-01\"\n",
                good_step!()
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &[
            "p.toml:4: params.t.default: `0000-01-01` is out of range (times are 0001-01-01 to 9999-12-31)",
        ],
    },
    Case {
        name: "chunk_size beyond the largest chunk",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\"]\nchunk_size = 200001\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &[
            "p.toml:7: step `s`: batch.chunk_size 200001 is out of range (the range is 1 to 200000)",
        ],
    },
    Case {
        name: "chunk_size beyond 64 bits",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\"]\nchunk_size = 99999999999999999999\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &[
            "p.toml:7: step `s`: batch.chunk_size 99999999999999999999 is out of range (the range is 1 to 200000)",
        ],
    },
    // URLs: exit 2 (3 when well-formed but unreachable).
    Case {
        name: "an unknown URL scheme",
        files: &[],
        args: &["--database-url", "ftp://host/db", "migrate", "status"],
        code: 2,
        fragments: &["unknown scheme `ftp`"],
    },
    Case {
        name: "a server URL without a database",
        files: &[],
        args: &[
            "--database-url",
            "mysql://root@localhost",
            "migrate",
            "status",
        ],
        code: 2,
        fragments: &["missing database name"],
    },
    Case {
        name: "a SQLite URL without a file",
        files: &[],
        args: &["--database-url", "sqlite:", "migrate", "status"],
        code: 2,
        fragments: &["missing file name"],
    },
    Case {
        name: "an unreachable server, password kept out of the message",
        files: &[],
        args: &[
            "--database-url",
            "postgres://me:s3cret@127.0.0.1:1/db",
            "migrate",
            "status",
        ],
        code: 3,
        fragments: &["postgres://me:***@127.0.0.1:1/db"],
    },
    // Migration files: exit 5, naming the file (and line).
    Case {
        name: "a migration file name without its double underscore",
        files: &[("m/V1_first.sql", "SELECT 1;\n")],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V1_first.sql: not a migration file name"],
    },
    Case {
        name: "a migration with CRLF line endings",
        files: &[("m/V1__first.sql", "SELECT 1;\r\nSELECT 2;\r\n")],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V1__first.sql:1: CRLF"],
    },
    Case {
        name: "a migration with a byte order mark",
        files: &[("m/V1__first.sql", "\u{feff}SELECT 1;\n")],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V1__first.sql: starts with a UTF-8 byte order mark"],
    },
    Case {
        name: "a version defined twice",
        files: &[
            ("m/V1__a.sql", "SELECT 1;\n"),
            ("m/V1__b.sql", "SELECT 1;\n"),
        ],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["version 1 is defined twice"],
    },
    Case {
        name: "a down without its up",
        files: &[
            ("m/V1__a.sql", "SELECT 1;\n"),
            ("m/V2__b.down.sql", "SELECT 1;\n"),
        ],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V2__b.down.sql: down migration without an up"],
    },
    // Text the native client would not run as mendb would: refused with
    // file:line when the files load, before any statement runs.
    Case {
        name: "a migration with an unterminated block comment",
        files: &[(
            "m/V1__a.sql",
            "CREATE TABLE x (id INT);\n/* never closed;\nDROP TABLE crypto_assets;\n",
        )],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V1__a.sql:2: unterminated block comment"],
    },
    Case {
        name: "a migration with an unterminated string",
        files: &[(
            "m/V1__a.sql",
            "SELECT 1;\n\nSELECT 'open;\nDROP TABLE crypto_assets;\n",
        )],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V1__a.sql:3: unterminated string"],
    },
    Case {
        name: "a migration with a NUL byte",
        files: &[("m/V1__a.sql", "SELECT 1;\nSELECT '\0';\n")],
        args: &["migrate", "up", "--dry-run", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V1__a.sql:2: NUL byte"],
    },
    Case {
        name: "a down file that would swallow its own drops",
        files: &[
            ("m/V1__a.sql", "SELECT 1;\n"),
            (
                "m/V1__a.down.sql",
                "SELECT 1; /* oops\nDROP TABLE crypto_assets;\n",
            ),
        ],
        args: &["migrate", "down", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V1__a.down.sql:1: unterminated block comment"],
    },
    Case {
        name: "a migration numbered 0",
        files: &[("m/V0__zero.sql", "SELECT 1;\n")],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V0__zero.sql: version 0 is reserved"],
    },
    Case {
        name: "a migration whose version does not fit",
        files: &[("m/V99999999999__big.sql", "SELECT 1;\n")],
        args: &["migrate", "up", "--migrations", "{dir}/m"],
        code: 5,
        fragments: &["V99999999999__big.sql: version 99999999999 is too large"],
    },
    // The database's state: the command refuses.
    Case {
        name: "gaps on a table that does not exist",
        files: &[],
        args: &["gaps", "--table", "no_such_table", "--every", "5m"],
        code: 9,
        fragments: &["no_such_table"],
    },
    Case {
        name: "baseline of a database that has a history",
        files: &[],
        args: &["migrate", "baseline", "--to", "1"],
        code: 5,
        fragments: &["already has migration history"],
    },
    Case {
        name: "repair --in-doubt with nothing in doubt",
        files: &[],
        args: &["migrate", "repair", "--in-doubt", "applied"],
        code: 6,
        fragments: &["nothing is in doubt: no migration is dirty"],
    },
    // verify's own inputs: a failing check, exit 13.
    Case {
        name: "a malformed consumer contract",
        files: &[("c/x.toml", "service = \"x\"\n[tables.t]\nread = [\"a\"]\n")],
        args: &["verify", "--contracts", "{dir}/c"],
        code: 13,
        fragments: &["c/x.toml:3", "unknown field `read`"],
    },
    Case {
        name: "a snapshot that is not one",
        files: &[("snap.json", "{\"dialect\": \"sqlite\", \"version\": \n")],
        args: &["verify", "--snapshot", "{dir}/snap.json"],
        code: 13,
        fragments: &["snap.json:2", "not a mendb schema snapshot"],
    },
    // SQL in a plan is part of one statement: a text holding more, or
    // ending the statement mendb puts it in, is refused before anything
    // runs, in a dry run as in a real run.
    Case {
        name: "SQL statements in a copy column (--dry-run)",
        files: &[(
            "p.toml",
            plan!(
                good_step!(),
                "nvt_ratio = \"1 FROM crypto_onchain_data; DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT 1\"\n"
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &["p.toml:17: step `s`: copy.columns.nvt_ratio: holds 4 statements"],
    },
    Case {
        name: "SQL statements in a copy column",
        files: &[(
            "p.toml",
            plan!(
                good_step!(),
                "nvt_ratio = \"1 FROM crypto_onchain_data; DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT 1\"\n"
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:17: step `s`: copy.columns.nvt_ratio: holds 4 statements"],
    },
    Case {
        name: "SQL statements in a batch filter (--dry-run)",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\nwhere = \"1 = 1); DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT (1\"\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &["p.toml:7: step `s`: batch.where: holds 4 statements"],
    },
    Case {
        name: "SQL statements in a batch filter",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\nwhere = \"1 = 1); DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT (1\"\n",
                sql_step!(),
                ""
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:7: step `s`: batch.where: holds 4 statements"],
    },
    Case {
        name: "SQL statements in an update's set (--dry-run)",
        files: &[(
            "p.toml",
            plan!(update_step!(
                "\"t.symbol\"",
                "\"1 FROM crypto_onchain_data; DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT 1\""
            )),
        )],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &["p.toml:13: step `s`: update.hash_rate: holds 4 statements"],
    },
    Case {
        name: "SQL statements in an update's set",
        files: &[(
            "p.toml",
            plan!(update_step!(
                "\"t.symbol\"",
                "\"1 FROM crypto_onchain_data; DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT 1\""
            )),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:13: step `s`: update.hash_rate: holds 4 statements"],
    },
    Case {
        name: "SQL statements in an update's on (--dry-run)",
        files: &[(
            "p.toml",
            plan!(update_step!(
                "\"t.symbol FROM crypto_onchain_data_enhanced t; DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT 1\"",
                "\"s.hash_rate\""
            )),
        )],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &["p.toml:10: step `s`: update.symbol: holds 4 statements"],
    },
    Case {
        name: "SQL statements in an update's on",
        files: &[(
            "p.toml",
            plan!(update_step!(
                "\"t.symbol FROM crypto_onchain_data_enhanced t; DELETE FROM price_data_real; DROP TABLE exchange_info; SELECT 1\"",
                "\"s.hash_rate\""
            )),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:10: step `s`: update.symbol: holds 4 statements"],
    },
    Case {
        name: "SQL statements in a [steps.sql] statement (--dry-run)",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\n[steps.sql]\n",
                "mysql = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}; DELETE FROM price_data_real; DROP TABLE exchange_info\"]\n",
                "postgres = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}; DELETE FROM price_data_real; DROP TABLE exchange_info\"]\n",
                "sqlite = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}; DELETE FROM price_data_real; DROP TABLE exchange_info\"]\n",
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &["p.toml:8: step `s`: sql.mysql statement 1: holds 3 statements"],
    },
    Case {
        name: "SQL statements in a [steps.sql] statement",
        files: &[(
            "p.toml",
            plan!(
                "[[steps]]\nname = \"s\"\n[steps.batch]\ntable = \"crypto_onchain_data\"\nkey = [\"date\", \"symbol\"]\n[steps.sql]\n",
                "mysql = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}; DELETE FROM price_data_real; DROP TABLE exchange_info\"]\n",
                "postgres = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}; DELETE FROM price_data_real; DROP TABLE exchange_info\"]\n",
                "sqlite = [\"UPDATE crypto_onchain_data SET created_at = created_at WHERE {chunk}; DELETE FROM price_data_real; DROP TABLE exchange_info\"]\n",
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:8: step `s`: sql.mysql statement 1: holds 3 statements"],
    },
    Case {
        name: "SQL statements in the PostgreSQL text of a copy column (--dry-run)",
        files: &[(
            "p.toml",
            plan!(
                good_step!(),
                "nvt_ratio = { mysql = \"market_cap\", postgres = \"1; DELETE FROM price_data_real; DROP TABLE exchange_info\", sqlite = \"market_cap\" }\n"
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &["p.toml:17: step `s`: copy.columns.nvt_ratio.postgres: holds 3 statements"],
    },
    Case {
        name: "SQL statements in the PostgreSQL text of a copy column",
        files: &[(
            "p.toml",
            plan!(
                good_step!(),
                "nvt_ratio = { mysql = \"market_cap\", postgres = \"1; DELETE FROM price_data_real; DROP TABLE exchange_info\", sqlite = \"market_cap\" }\n"
            ),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:17: step `s`: copy.columns.nvt_ratio.postgres: holds 3 statements"],
    },
    Case {
        name: "an unterminated string in a copy column (--dry-run)",
        files: &[("p.toml", plan!(good_step!(), "nvt_ratio = \"'open\"\n"))],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &["p.toml:17: step `s`: copy.columns.nvt_ratio: unterminated string"],
    },
    Case {
        name: "an unterminated string in a copy column",
        files: &[("p.toml", plan!(good_step!(), "nvt_ratio = \"'open\"\n"))],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &["p.toml:17: step `s`: copy.columns.nvt_ratio: unterminated string"],
    },
    Case {
        name: "a copy column that ends the statement around it (--dry-run)",
        files: &[(
            "p.toml",
            plan!(good_step!(), "nvt_ratio = \"market_cap;\"\n"),
        )],
        args: &["backfill", "run", "{dir}/p.toml", "--dry-run"],
        code: 11,
        fragments: &[
            "p.toml:17: step `s`: copy.columns.nvt_ratio: the statement mendb builds around it would be 2 statements",
        ],
    },
    Case {
        name: "a copy column that ends the statement around it",
        files: &[(
            "p.toml",
            plan!(good_step!(), "nvt_ratio = \"market_cap;\"\n"),
        )],
        args: &["backfill", "run", "{dir}/p.toml"],
        code: 11,
        fragments: &[
            "p.toml:17: step `s`: copy.columns.nvt_ratio: the statement mendb builds around it would be 2 statements",
        ],
    },
];

per_backend!(bad_input_is_named_refused_and_writes_nothing);

/// What a case must leave as it was: the schema with mendb's own tables,
/// and the rows of the tables a plan or migration could write.
fn state(db: &TestDb) -> String {
    let schema = db.mendb(&["schema", "dump", "--include-internal", "--format", "json"]);
    let rows: Vec<i64> = [
        "price_data_real",
        "crypto_onchain_data_enhanced",
        "refinery_schema_history",
    ]
    .iter()
    .map(|t| db.scalar(&format!("SELECT COUNT(*) FROM {t}")))
    .collect();
    format!("{}{rows:?}", schema.stdout)
}

fn bad_input_is_named_refused_and_writes_nothing(b: Backend) {
    let Some(db) = TestDb::new(b, "badinput") else {
        return;
    };
    db.mendb(&["-q", "fixtures", "load", "--scale", "0.005"])
        .succeeds();
    db.mendb(&["-q", "migrate", "up"]).succeeds();
    db.exec("UPDATE narrative_analysis SET symbol = NULL WHERE id = 1");
    let before = state(&db);
    assert!(CASES.len() >= 30, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        if b == Backend::Mysql && case.name.starts_with("a load limit") {
            continue;
        }
        let dir = db.dir.join(format!("case{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        for (path, text) in case.files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let dir_text = dir.display().to_string();
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{dir}", &dir_text))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Cases about the URL itself bring their own.
        let run = if args.first() == Some(&"--database-url") {
            mendb_with(args[1], &args[2..], &[])
        } else {
            db.mendb(&args)
        };
        let output = format!("{}{}", run.stdout, run.stderr);
        let mut wrong = Vec::new();
        if run.code != case.code {
            wrong.push(format!("exit {} (expected {})", run.code, case.code));
        }
        if output.contains("panicked") || output.contains("RUST_BACKTRACE") {
            wrong.push("a panic".into());
        }
        for f in case.fragments {
            if !output.contains(f) {
                wrong.push(format!("no `{f}`"));
            }
        }
        if state(&db) != before {
            wrong.push("the database changed".into());
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{output}", case.name, wrong.join(", ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

/// GOOD_STEP really is good: the cases above fail for their own reason.
#[test]
fn the_good_plan_runs() {
    let db = TestDb::new(Backend::Sqlite, "goodplan").expect("sqlite");
    db.mendb(&["-q", "fixtures", "load", "--scale", "0.005"])
        .succeeds();
    db.mendb(&["-q", "migrate", "up"]).succeeds();
    let path = db.dir.join("p.toml");
    std::fs::write(&path, format!("{PLAN_HEAD}{GOOD_STEP}")).unwrap();
    db.mendb(&["-q", "backfill", "run", path.to_str().unwrap()])
        .succeeds();
}
