#!/usr/bin/env bash
# Benchmark of `mendb gaps` against a hand-written LAG() query on MariaDB.
#
#   bash bench/gaps/run.sh                 # build the table, time, drop it
#   KEEP=1 bash bench/gaps/run.sh          # keep the database for a rerun
#   RUNS=9 bash bench/gaps/run.sh          # more timed runs of each
#
# Builds a `price_data_real`-shaped table (V1's columns and indexes) of 317
# symbols x 5-minute rows over 20 days (~1.82M rows, timestamps a few
# seconds off the grid, a few holes per symbol), generated on the server
# from MariaDB's seq_* tables. Then it checks that all three find the same
# ranges and times them, alternately and RUNS times each after that warm-up:
# (a) the release build of `mendb gaps`, (b) the hand-written query
# (distinct buckets per symbol, LAG, filter) and (c) a hand-written LAG over
# the rows without DISTINCT, both through the `mariadb` client; it prints
# best and median of each and mendb's ratios. Every timing includes
# starting a process and connecting. Results: docs/benchmarks.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bench/lib.sh

URL=${MENDB_BENCH_MYSQL_URL:-mysql://root@127.0.0.1:3306/mendb_bench}
RUNS=${RUNS:-5}
KEEP=${KEEP:-0}

if [[ ! $URL =~ ^(mysql|mariadb):// ]]; then
    echo "MENDB_BENCH_MYSQL_URL: expected mysql://user[:password]@host[:port]/database, got $URL" >&2
    exit 2
fi
parse_db_url "$URL" 3306

# The password travels in the environment, never on a command line.
export MYSQL_PWD=$DB_PASS
client() { mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --batch --skip-column-names "$@"; }

readonly SYMBOLS=317
readonly BUCKETS=5760 # 20 days of 5-minute buckets
readonly SINCE='2025-09-10 12:00:00'
readonly UNTIL='2025-09-30 12:00:00'
readonly EVERY=300

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== build: release binary"
cargo build --release --quiet
MENDB=target/release/mendb

echo "== data: $DB_NAME on $DB_HOST:$DB_PORT"
client -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`"
have=$(client "$DB_NAME" -e "SELECT COUNT(*) FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'price_data_real'")
rows=0
if [[ $have == 1 ]]; then
    rows=$(client "$DB_NAME" -e "SELECT COUNT(*) FROM price_data_real")
fi
if ((rows < 1000000)); then
    started=$(now)
    # The holes, all strictly inside the window so that every symbol has its
    # first and last bucket (the plain LAG query sees only gaps between
    # rows): an hour per symbol at a symbol-dependent place, three hours
    # for every tenth symbol, a 30-minute outage for all, and scattered
    # single buckets (~0.1%).
    client "$DB_NAME" <<SQL
DROP TABLE IF EXISTS price_data_real;
CREATE TABLE price_data_real (
    id               BIGINT      NOT NULL AUTO_INCREMENT,
    symbol           VARCHAR(20) NOT NULL,
    timestamp        DATETIME    NOT NULL,
    current_price    DOUBLE      NULL,
    volume_24h       DOUBLE      NULL,
    market_cap       DOUBLE      NULL,
    price_change_24h DOUBLE      NULL,
    created_at       DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_price_data_real_symbol_ts (symbol, timestamp),
    KEY idx_price_data_real_timestamp (timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO price_data_real (symbol, timestamp, current_price, volume_24h, market_cap, price_change_24h)
SELECT CONCAT('SYM', LPAD(s.seq, 3, '0')),
       TIMESTAMP'$SINCE' + INTERVAL (b.seq * $EVERY + (s.seq * 7 + b.seq) % 45) SECOND,
       100 + s.seq + b.seq / 1000, 1e6 + b.seq, 1e9 * s.seq, (b.seq % 200) / 100 - 1
FROM seq_1_to_${SYMBOLS} s JOIN seq_0_to_$((BUCKETS - 1)) b
WHERE NOT (b.seq BETWEEN 100 + (s.seq * 37) % 5000 AND 111 + (s.seq * 37) % 5000)
  AND NOT (s.seq % 10 = 0 AND b.seq BETWEEN 2000 + s.seq AND 2035 + s.seq)
  AND NOT (b.seq BETWEEN 4000 AND 4005)
  AND NOT (b.seq BETWEEN 1 AND $((BUCKETS - 2)) AND (s.seq * 131 + b.seq * 17) % 997 = 0)
ORDER BY s.seq, b.seq;
ANALYZE TABLE price_data_real;
SQL
    rows=$(client "$DB_NAME" -e "SELECT COUNT(*) FROM price_data_real")
    echo "   built $rows rows in $(secs $(($(now) - started))) s"
else
    echo "   reusing $rows rows"
fi

# The hand-written query, as one would write it: distinct buckets per
# symbol, LAG, keep the steps of more than one bucket.
HAND="SET time_zone = '+00:00';
SELECT symbol, prev + 1 AS gap_from, b - 1 AS gap_to
FROM (SELECT symbol, b, LAG(b) OVER (PARTITION BY symbol ORDER BY b) AS prev
      FROM (SELECT DISTINCT symbol, UNIX_TIMESTAMP(timestamp) DIV $EVERY AS b
            FROM price_data_real
            WHERE timestamp >= '$SINCE' AND timestamp < '$UNTIL') d) x
WHERE b - prev > 1;"
# The fastest hand-written form found: LAG over the rows themselves in
# (symbol, timestamp) order, without DISTINCT (mendb's own approach).
HAND_ROWS="SET time_zone = '+00:00';
SELECT symbol, prev + 1 AS gap_from, b - 1 AS gap_to
FROM (SELECT symbol, b, LAG(b) OVER (PARTITION BY symbol ORDER BY timestamp) AS prev
      FROM (SELECT symbol, timestamp, UNIX_TIMESTAMP(timestamp) DIV $EVERY AS b
            FROM price_data_real
            WHERE timestamp >= '$SINCE' AND timestamp < '$UNTIL') d) x
WHERE b - prev > 1;"

run_mendb() {
    "$MENDB" gaps --database-url "$URL" --format json --table price_data_real \
        --every 5m --since "$SINCE" --until "$UNTIL" >"$work/mendb.json"
}
run_hand() { client "$DB_NAME" -e "$HAND" >"$work/hand.tsv"; }
run_hand_rows() { client "$DB_NAME" -e "$HAND_ROWS" >"$work/hand_rows.tsv"; }

echo "== same answer"
run_mendb
run_hand
run_hand_rows
# mendb's ranges as the hand queries' bucket numbers.
python3 - "$work" "$EVERY" <<'PY'
import calendar, json, sys, time
work, every = sys.argv[1], int(sys.argv[2])
report = json.load(open(f"{work}/mendb.json"))
def bucket(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S")) // every
ours = sorted((r["key"], bucket(r["from"]), bucket(r["to"])) for r in report["ranges"])
for name in ("hand", "hand_rows"):
    theirs = sorted((k, int(a), int(b)) for k, a, b in
                    (line.split("\t") for line in open(f"{work}/{name}.tsv") if line.strip()))
    if ours != theirs:
        sys.exit(f"   DIFFERENT: mendb {len(ours)} ranges, {name} {len(theirs)}")
print(f"   {len(ours)} ranges, {report['buckets_missing']} of {report['buckets_expected']} buckets missing, "
      f"{report['keys_with_gaps']} of {report['keys_checked']} symbols")
PY

echo "== timing: $RUNS runs each, alternating"
declare -a T_MENDB T_HAND T_ROWS
for ((i = 0; i < RUNS; i++)); do
    t0=$(now); run_mendb; t1=$(now); run_hand; t2=$(now); run_hand_rows; t3=$(now)
    T_MENDB+=("$(secs $((t1 - t0)))")
    T_HAND+=("$(secs $((t2 - t1)))")
    T_ROWS+=("$(secs $((t3 - t2)))")
    echo "   run $((i + 1)): mendb ${T_MENDB[-1]} s, hand-written ${T_HAND[-1]} s, hand-written over rows ${T_ROWS[-1]} s"
done

python3 - "${T_MENDB[*]}" "${T_HAND[*]}" "${T_ROWS[*]}" "$rows" <<'PY'
import statistics, sys
m, h, r = ([float(x) for x in arg.split()] for arg in sys.argv[1:4])
med = statistics.median
print(f"== result ({sys.argv[4]} rows)")
print(f"   mendb gaps                    best {min(m):7.3f} s  median {med(m):7.3f} s")
print(f"   hand-written (DISTINCT, LAG)  best {min(h):7.3f} s  median {med(h):7.3f} s")
print(f"   hand-written (LAG over rows)  best {min(r):7.3f} s  median {med(r):7.3f} s")
print(f"   ratio to DISTINCT, LAG        best {min(m)/min(h):.2f}x  median {med(m)/med(h):.2f}x  (target <= 1.5x)")
print(f"   ratio to LAG over rows        best {min(m)/min(r):.2f}x  median {med(m)/med(r):.2f}x")
PY

if [[ $KEEP == 1 ]]; then
    echo "== kept database $DB_NAME (KEEP=1)"
else
    client -e "DROP DATABASE \`$DB_NAME\`"
    echo "== dropped database $DB_NAME"
fi
