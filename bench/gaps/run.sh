#!/usr/bin/env bash
# Benchmark of `mendb gaps` against hand-written LAG() queries, on MariaDB
# and on PostgreSQL side by side:
#
#   bash bench/gaps/run.sh                 # both databases: build, time, drop
#   DBS=postgres bash bench/gaps/run.sh    # one of them
#   KEEP=1 bash bench/gaps/run.sh          # keep the databases for a rerun
#   RUNS=9 bash bench/gaps/run.sh          # more timed runs of each
#   RESULTS_OUT=FILE: also write the raw timings (TSV) there
#   MENDB=PATH: time this binary instead of building the release one
#
# Migrates a database of its own to V1 and fills its `price_data_real` with 317
# symbols x 5-minute rows over 20 days (~1.82M rows, timestamps a few
# seconds off the grid, a few holes per symbol), generated on the server.
# Then it checks that all three find the same ranges and times them,
# alternately and RUNS times each after that warm-up: (a) `mendb gaps`,
# (b) the hand-written query (distinct buckets per symbol, LAG, filter) and
# (c) a hand-written LAG over the rows without DISTINCT, both through the
# database's own client; it prints best and median of each and mendb's
# ratio to the fastest hand-written one. Every timing includes starting a
# process and connecting. Results: docs/benchmarks.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bench/lib.sh

DBS=${DBS:-"mysql postgres"}
MYSQL_URL=${MENDB_BENCH_MYSQL_URL:-mysql://root@127.0.0.1:3306/mendb_bench}
POSTGRES_URL=${MENDB_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/mendb_bench}
RUNS=${RUNS:-5}
KEEP=${KEEP:-0}

readonly SYMBOLS=317
readonly BUCKETS=5760 # 20 days of 5-minute buckets
readonly SINCE='2025-09-10 12:00:00'
readonly UNTIL='2025-09-30 12:00:00'
readonly EVERY=300

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -z ${MENDB:-} ]]; then
    echo "== build: release binary"
    cargo build --release --quiet
    MENDB=target/release/mendb
fi

# The holes, all strictly inside the window so that every symbol has its
# first and last bucket (the plain LAG query sees only gaps between rows):
# an hour per symbol at a symbol-dependent place, three hours for every
# tenth symbol, a 30-minute outage for all, and scattered single buckets
# (~0.1%). s and b are the symbol's and the bucket's numbers.
HOLES="NOT (b BETWEEN 100 + (s * 37) % 5000 AND 111 + (s * 37) % 5000)
  AND NOT (s % 10 = 0 AND b BETWEEN 2000 + s AND 2035 + s)
  AND NOT (b BETWEEN 4000 AND 4005)
  AND NOT (b BETWEEN 1 AND $((BUCKETS - 2)) AND (s * 131 + b * 17) % 997 = 0)"

# The table V1 creates, in a database of its own, filled on the server.
build_table() {
    drop_database
    create_database
    "$MENDB" -q migrate up --to 1 --database-url "$URL" >/dev/null
    case $DIALECT in
    mysql) sql <<SQL
INSERT INTO price_data_real (symbol, timestamp, current_price, volume_24h, market_cap, price_change_24h)
SELECT CONCAT('SYM', LPAD(s, 3, '0')),
       TIMESTAMP'$SINCE' + INTERVAL (b * $EVERY + (s * 7 + b) % 45) SECOND,
       100 + s + b / 1000, 1e6 + b, 1e9 * s, (b % 200) / 100 - 1
FROM (SELECT seq AS s FROM seq_1_to_${SYMBOLS}) ss JOIN (SELECT seq AS b FROM seq_0_to_$((BUCKETS - 1))) bb
WHERE $HOLES
ORDER BY s, b;
ANALYZE TABLE price_data_real;
SQL
    ;;
    postgres) sql <<SQL
INSERT INTO price_data_real (symbol, timestamp, current_price, volume_24h, market_cap, price_change_24h)
SELECT 'SYM' || lpad(s::text, 3, '0'),
       TIMESTAMP '$SINCE' + (b * $EVERY + (s * 7 + b) % 45) * INTERVAL '1 second',
       100 + s + b / 1000.0, 1e6 + b, 1e9 * s, (b % 200) / 100.0 - 1
FROM generate_series(1, $SYMBOLS) AS s, generate_series(0, $((BUCKETS - 1))) AS b
WHERE $HOLES
ORDER BY s, b;
VACUUM ANALYZE price_data_real;
SQL
    ;;
    esac
}

# The hand-written queries, as one would write them in each dialect:
# HAND takes distinct buckets per symbol, then LAG, then keeps the steps of
# more than one bucket; HAND_ROWS, the fastest form found, runs LAG over
# the rows themselves in (symbol, timestamp) order without DISTINCT
# (mendb's own approach).
hand_queries() {
    local bucket setup=""
    case $DIALECT in
    mysql)
        setup="SET time_zone = '+00:00';"
        bucket="UNIX_TIMESTAMP(timestamp) DIV $EVERY"
        ;;
    postgres) bucket="FLOOR(date_part('epoch', timestamp) / $EVERY)::bigint" ;;
    esac
    HAND="$setup
SELECT symbol, prev + 1 AS gap_from, b - 1 AS gap_to
FROM (SELECT symbol, b, LAG(b) OVER (PARTITION BY symbol ORDER BY b) AS prev
      FROM (SELECT DISTINCT symbol, $bucket AS b
            FROM price_data_real
            WHERE timestamp >= '$SINCE' AND timestamp < '$UNTIL') d) x
WHERE b - prev > 1;"
    HAND_ROWS="$setup
SELECT symbol, prev + 1 AS gap_from, b - 1 AS gap_to
FROM (SELECT symbol, b, LAG(b) OVER (PARTITION BY symbol ORDER BY timestamp) AS prev
      FROM (SELECT symbol, timestamp, $bucket AS b
            FROM price_data_real
            WHERE timestamp >= '$SINCE' AND timestamp < '$UNTIL') d) x
WHERE b - prev > 1;"
}

run_mendb() {
    "$MENDB" gaps --database-url "$URL" --format json --table price_data_real \
        --every 5m --since "$SINCE" --until "$UNTIL" >"$work/mendb.json"
}
run_hand() { sql -e "$HAND" >"$work/hand.tsv"; }
run_hand_rows() { sql -e "$HAND_ROWS" >"$work/hand_rows.tsv"; }

RESULTS=$work/results.tsv
: >"$RESULTS"

for dialect in $DBS; do
    pick_db "$dialect"
    echo "== $dialect: $DB_NAME on $DB_HOST:$DB_PORT"
    create_database
    rows=0
    if [[ -n $(sql -e "SELECT 1 FROM information_schema.tables
        WHERE table_schema = $([[ $dialect == mysql ]] && echo "DATABASE()" || echo "'public'")
          AND table_name = 'price_data_real'") ]]; then
        rows=$(sql -e "SELECT COUNT(*) FROM price_data_real")
    fi
    if ((rows < 1000000)); then
        started=$(now)
        build_table
        rows=$(sql -e "SELECT COUNT(*) FROM price_data_real")
        echo "   built $rows rows in $(secs $(($(now) - started))) s"
    else
        echo "   reusing $rows rows"
    fi
    hand_queries
    settle_server

    echo "   same answer:"
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
                    (line.rstrip("\n").split("\t") for line in open(f"{work}/{name}.tsv") if line.strip()))
    if ours != theirs:
        sys.exit(f"   DIFFERENT: mendb {len(ours)} ranges, {name} {len(theirs)}")
print(f"   {len(ours)} ranges, {report['buckets_missing']} of {report['buckets_expected']} buckets missing, "
      f"{report['keys_with_gaps']} of {report['keys_checked']} symbols")
PY

    echo "   timing: $RUNS runs each, alternating"
    for ((i = 0; i < RUNS; i++)); do
        t0=$(now); run_mendb; t1=$(now); run_hand; t2=$(now); run_hand_rows; t3=$(now)
        printf '%s\t%s\t%s\t%s\t%s\n' "$dialect" "$rows" "$(secs $((t1 - t0)))" "$(secs $((t2 - t1)))" "$(secs $((t3 - t2)))" >>"$RESULTS"
        echo "   run $((i + 1)): mendb $(secs $((t1 - t0))) s, hand-written $(secs $((t2 - t1))) s, hand-written over rows $(secs $((t3 - t2))) s"
    done

    if [[ $KEEP == 1 ]]; then
        echo "   kept database $DB_NAME (KEEP=1)"
    else
        drop_database
    fi
done

python3 - "$RESULTS" <<'PY'
import collections, statistics, sys
by = collections.defaultdict(lambda: ([], [], [], 0))
for line in open(sys.argv[1]):
    d, rows, m, h, r = line.rstrip("\n").split("\t")
    ms, hs, rs, _ = by[d]
    ms.append(float(m)); hs.append(float(h)); rs.append(float(r))
    by[d] = (ms, hs, rs, int(rows))
med = statistics.median
print("== result: mendb gaps against hand-written LAG")
for d, (m, h, r, rows) in by.items():
    fastest = min(med(h), med(r))
    print(f"   {d} ({rows:,} rows)")
    print(f"     mendb gaps                    best {min(m):7.3f} s  median {med(m):7.3f} s")
    print(f"     hand-written (DISTINCT, LAG)  best {min(h):7.3f} s  median {med(h):7.3f} s")
    print(f"     hand-written (LAG over rows)  best {min(r):7.3f} s  median {med(r):7.3f} s")
    print(f"     mendb / fastest hand-written  best {min(m) / min(min(h), min(r)):.2f}x  "
          f"median {med(m) / fastest:.2f}x  (target <= 1.0x)")
PY
[[ -n ${RESULTS_OUT:-} ]] && cp "$RESULTS" "$RESULTS_OUT"
exit 0
