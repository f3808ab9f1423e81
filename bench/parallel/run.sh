#!/usr/bin/env bash
# Benchmark of parallel backfill workers, side by side in one run on
# MariaDB and on PostgreSQL:
#
#   bash bench/parallel/run.sh                  # both databases, 2,000,000 rows
#   DBS=postgres ROWS=500000 bash bench/parallel/run.sh
#   PARTS="copy update" bash bench/parallel/run.sh   # some of: copy copy1 resume gaps update
#   (copy1: only the one-shot and mendb with 1 worker, for bench/curve)
#   ROUNDS=3: run every contender 3 times, in turn and in reverse order on
#             alternate rounds, and print medians (default 1)
#   RESULTS_OUT=FILE: also write the raw results (TSV) there
#   MENDB=PATH: time this binary instead of building the release one
#
# For each database it builds `src` (ROWS rows: 400 symbols x one-minute
# rows, id order interleaved across symbols, (symbol, ts) unique), then
# times, one after the other and each on a freshly built target once the
# server has written out what the previous one left:
#   copy:   a one-shot INSERT ... SELECT into `dst` (UNIQUE (symbol, ts));
#           mendb with 1, 2 and 4 workers (the plan below, chunk target
#           500ms); pt-archiver (MariaDB only, when installed);
#   resume: mendb with 1 worker killed with SIGKILL half-way, then run
#           again to the end: the total against the uninterrupted run;
#   gaps:   a target holding 90% of src's rows (no unique key, an index on
#           (symbol, ts)) filled with the missing 10%: one INSERT ... SELECT
#           ... WHERE NOT EXISTS against mendb's anti-join copy (1 worker);
#   update: a copy of src with 30% of its prices NULL, set from src by a
#           join, only rows that change (refresh-ml-onchain-features'
#           shape): one UPDATE ... JOIN / UPDATE ... FROM against mendb's
#           update step (1 worker);
# and checks that every target holds src's rows. For each mendb run: rows/s,
# peak RSS (/usr/bin/time -v), chunks, longest and mean chunk transaction
# (mendb_backfill_chunks.elapsed_ms). Every timing includes starting a
# process and connecting. Results: docs/benchmarks.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bench/lib.sh

ROWS=${ROWS:-2000000}
PARTS=${PARTS:-"copy resume gaps update"}
DBS=${DBS:-"mysql postgres"}
ROUNDS=${ROUNDS:-1}
readonly SYMBOLS=400
MYSQL_URL=${MENDB_BENCH_MYSQL_URL:-mysql://root@127.0.0.1:3306/mendb_bench_par}
POSTGRES_URL=${MENDB_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/mendb_bench_par}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -z ${MENDB:-} ]]; then
    echo "== build: release binary"
    cargo build --release --quiet
    MENDB=target/release/mendb
fi

plan() { # name target
    cat >"$work/$1.toml" <<TOML
name = "bench-$1"
[[steps]]
name = "copy"
[steps.batch]
table = "src"
key = ["id"]
chunk_size = 5000
[steps.copy]
into = "$2"
match = ["symbol", "ts"]
[steps.copy.columns]
id = "id"
symbol = "symbol"
ts = "ts"
price = "price"
volume = "volume"
TOML
}
plan copy dst
plan gaps gap_m
cat >"$work/update.toml" <<TOML
name = "bench-update"
[[steps]]
name = "update"
[steps.batch]
table = "upd_m"
key = ["id"]
chunk_size = 5000
[steps.update]
from = "src"
[steps.update.on]
id = "t.id"
[steps.update.set]
price = "s.price"
TOML
part() { [[ " $PARTS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- dialects
build_src() {
    case $DIALECT in
    mysql) sql <<SQL
DROP TABLE IF EXISTS src;
CREATE TABLE src (
    id BIGINT NOT NULL AUTO_INCREMENT, symbol VARCHAR(20) NOT NULL, ts DATETIME NOT NULL,
    price DOUBLE NULL, volume DOUBLE NULL,
    PRIMARY KEY (id), KEY idx_src_symbol_ts (symbol, ts)
) ENGINE=InnoDB;
INSERT INTO src (id, symbol, ts, price, volume)
SELECT seq, CONCAT('SYM', LPAD(seq % $SYMBOLS, 3, '0')),
       TIMESTAMP'2025-09-01 00:00:00' + INTERVAL (seq DIV $SYMBOLS) MINUTE,
       100 + (seq % $SYMBOLS) + (seq % 997) / 100, 1e6 + seq % 10007
FROM seq_1_to_$ROWS;
ANALYZE TABLE src;
SQL
    ;;
    postgres) sql <<SQL
DROP TABLE IF EXISTS src;
CREATE TABLE src (
    id BIGINT PRIMARY KEY, symbol VARCHAR(20) NOT NULL, ts TIMESTAMP NOT NULL,
    price DOUBLE PRECISION NULL, volume DOUBLE PRECISION NULL
);
INSERT INTO src (id, symbol, ts, price, volume)
SELECT seq, 'SYM' || lpad((seq % $SYMBOLS)::text, 3, '0'),
       TIMESTAMP '2025-09-01 00:00:00' + (seq / $SYMBOLS) * INTERVAL '1 minute',
       100 + (seq % $SYMBOLS) + (seq % 997) / 100.0, 1e6 + seq % 10007
FROM generate_series(1, $ROWS) AS seq;
CREATE INDEX idx_src_symbol_ts ON src (symbol, ts);
VACUUM ANALYZE src;
SQL
    ;;
    esac
}

# An empty table $1 shaped like src; $2: unique (symbol, ts) or a plain index.
target() {
    local unique=$2
    case $DIALECT in
    mysql) echo "DROP TABLE IF EXISTS $1;
CREATE TABLE $1 (id BIGINT NOT NULL AUTO_INCREMENT, symbol VARCHAR(20) NOT NULL, ts DATETIME NOT NULL,
    price DOUBLE NULL, volume DOUBLE NULL, PRIMARY KEY (id),
    $([[ $unique == unique ]] && echo UNIQUE) KEY ix_$1_symbol_ts (symbol, ts)) ENGINE=InnoDB;" ;;
    postgres) echo "DROP TABLE IF EXISTS $1;
CREATE TABLE $1 (id BIGSERIAL PRIMARY KEY, symbol VARCHAR(20) NOT NULL, ts TIMESTAMP NOT NULL,
    price DOUBLE PRECISION NULL, volume DOUBLE PRECISION NULL);
CREATE $([[ $unique == unique ]] && echo UNIQUE) INDEX ix_$1_symbol_ts ON $1 (symbol, ts);" ;;
    esac
}

no_state() {
    echo "DROP TABLE IF EXISTS mendb_backfill_chunks; DROP TABLE IF EXISTS mendb_backfill_steps;
DROP TABLE IF EXISTS mendb_backfill_runs; DROP TABLE IF EXISTS mendb_backfill_leases;"
}

# Waits until the server has written out what the last contender left, then
# reads src once so that it is cached for everyone alike.
settle() {
    settle_server
    sql -e "SELECT COUNT(*), SUM(price) FROM src" >/dev/null
}

# Count and sums that equal src's when a table holds src's rows.
fingerprint() {
    case $DIALECT in
    mysql) sql -e "SELECT COUNT(*), SUM(id), SUM(CRC32(CONCAT(symbol, ts))), ROUND(SUM(price), 2) FROM $1" ;;
    postgres) sql -e "SELECT COUNT(*), SUM(id), SUM(hashtext(symbol || ts::text)::bigint), ROUND(SUM(price)::numeric, 2) FROM $1" ;;
    esac
}

# ---------------------------------------------------------------- timing
# Busy CPU ticks of the whole machine (user, nice, system, irq, softirq,
# steal): the database server's work and mendb's alike.
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
TICK=$(getconf CLK_TCK)
cpu_start() { CPU0=$(busy_ticks); }
# Average cores busy since cpu_start over $1 seconds.
cores() { python3 -c "print(f'{($(busy_ticks) - $CPU0) / $TICK / max($1, 0.001):.2f}')"; }

RESULTS=$work/results.tsv
: >"$RESULTS"
status=0

# record contender seconds rss_kb chunks longest_ms mean_ms cores
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$DIALECT" "$ROUND" "$@" >>"$RESULTS"; }

check() { # table contender
    local got
    got=$(fingerprint "$1")
    if [[ $got != "$WANT" ]]; then
        echo "   $2: $1 DIFFERS from src: $got against $WANT" >&2
        status=1
    fi
}

# Runs mendb ($1 = plan, $2 = workers); sets T (s), RSS (kB) and chunk stats.
run_mendb() {
    local t0
    cpu_start
    t0=$(now)
    /usr/bin/time -v -o "$work/time.txt" "$MENDB" backfill run "$work/$1.toml" \
        --database-url "$URL" --format json --workers "$2" >"$work/mendb.json" 2>"$work/mendb.err" || {
        cat "$work/mendb.err" >&2
        status=1
    }
    T=$(secs $(($(now) - t0)))
    CORES=$(cores "$T")
    RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    read -r CHUNKS LONGEST MEAN < <(sql -e "SELECT COUNT(*), MAX(elapsed_ms), ROUND(AVG(elapsed_ms)) FROM mendb_backfill_chunks")
}

# Runs one statement; sets T (s) and CORES.
oneshot() {
    local t0
    cpu_start
    t0=$(now)
    sql -e "$1"
    T=$(secs $(($(now) - t0)))
    CORES=$(cores "$T")
}

say_mendb() { # label contender
    echo "   $1: $T s, $CORES cores busy, peak RSS $RSS kB, $CHUNKS chunks, longest $LONGEST ms, mean $MEAN ms"
    record "$2" "$T" "$RSS" "$CHUNKS" "$LONGEST" "$MEAN" "$CORES"
}
say_oneshot() { # label contender
    echo "   $1: $T s, $CORES cores busy"
    record "$2" "$T" 0 0 0 0 "$CORES"
}

# ---------------------------------------------------------------- contenders
# Each starts from its own freshly built target, once the server has
# written out what the previous one left, and checks the rows it leaves.
copy_oneshot() {
    sql -e "$(target dst unique)"
    settle
    oneshot "INSERT INTO dst (id, symbol, ts, price, volume) SELECT id, symbol, ts, price, volume FROM src"
    say_oneshot "copy one-shot INSERT ... SELECT" one-shot
    check dst one-shot
}

# The same statement with mendb's semantics: keys already there are
# skipped, not an error.
copy_oneshot_skip() {
    local skip
    case $DIALECT in
    mysql) skip="ON DUPLICATE KEY UPDATE id = dst.id" ;;
    postgres) skip="ON CONFLICT (symbol, ts) DO NOTHING" ;;
    esac
    sql -e "$(target dst unique)"
    settle
    oneshot "INSERT INTO dst (id, symbol, ts, price, volume) SELECT id, symbol, ts, price, volume FROM src $skip"
    say_oneshot "copy one-shot, skipping existing keys" one-shot-skip
    check dst one-shot-skip
}

copy_mendb() { # workers
    sql -e "$(target dst unique) $(no_state)"
    settle
    run_mendb copy "$1"
    say_mendb "copy mendb --workers $1" "mendb-w$1"
    check dst "mendb-w$1"
    [[ $1 == 1 ]] && T1=$T
    return 0
}

copy_pt_archiver() {
    local t0 t
    sql -e "$(target dst unique)"
    settle
    cpu_start
    t0=$(now)
    pt-archiver --no-version-check \
        --source "h=$DB_HOST,P=$DB_PORT,u=$DB_USER,D=$DB_NAME,t=src,A=utf8mb4,L=1" --dest t=dst \
        --no-delete --bulk-insert --limit 5000 --commit-each --where "1=1" --no-safe-auto-increment
    T=$(secs $(($(now) - t0)))
    CORES=$(cores "$T")
    say_oneshot "copy pt-archiver" pt-archiver
    check dst pt-archiver
}

# mendb with 1 worker killed with SIGKILL half-way through this round's
# uninterrupted time, then run again to the end.
resume() {
    local half t0 t_killed done_rows total
    sql -e "$(target dst unique) $(no_state)"
    settle
    half=$(python3 -c "print(${T1:-5} / 2)")
    t0=$(now)
    "$MENDB" -q backfill run "$work/copy.toml" --database-url "$URL" &
    sleep "$half"
    kill -9 $! 2>/dev/null || true
    wait $! 2>/dev/null || true
    t_killed=$(secs $(($(now) - t0)))
    done_rows=$(sql -e "SELECT COUNT(*) FROM dst")
    run_mendb copy 1
    total=$(python3 -c "print(f'{$t_killed + $T:.3f}')")
    echo "   resume: killed after $t_killed s ($done_rows rows committed), resumed run $T s, total $total s"
    record resume "$total" "$RSS" "$CHUNKS" "$LONGEST" "$MEAN" 0
    check dst resume
}

# Gap fill: 90% there, the rest missing; no unique key on the target.
gap_table() { # name
    sql -e "$(target "$1" plain) $(no_state)"
    sql -e "INSERT INTO $1 (id, symbol, ts, price, volume) SELECT id, symbol, ts, price, volume FROM src WHERE id % 10 <> 0"
    settle
}
gaps_oneshot() {
    gap_table gap_o
    oneshot "INSERT INTO gap_o (id, symbol, ts, price, volume) SELECT s.id, s.symbol, s.ts, s.price, s.volume FROM src s WHERE NOT EXISTS (SELECT 1 FROM gap_o d WHERE d.symbol = s.symbol AND d.ts = s.ts)"
    say_oneshot "gaps one-shot anti-join" gaps-one-shot
    check gap_o gaps-one-shot
}
gaps_mendb() {
    gap_table gap_m
    run_mendb gaps 1
    say_mendb "gaps mendb" gaps-mendb
    check gap_m gaps-mendb
}

# Update from a join: 30% of the prices differ (NULL), the rest are already
# right and must be left alone.
update_table() { # name
    sql -e "$(target "$1" plain) $(no_state)"
    sql -e "INSERT INTO $1 (id, symbol, ts, price, volume) SELECT id, symbol, ts, CASE WHEN id % 10 < 3 THEN NULL ELSE price END, volume FROM src"
    settle
}
update_oneshot() {
    update_table upd_o
    case $DIALECT in
    mysql) oneshot "UPDATE upd_o t JOIN src s ON s.id = t.id SET t.price = s.price WHERE NOT (t.price <=> s.price)" ;;
    postgres) oneshot "UPDATE upd_o AS t SET price = s.price FROM src s WHERE s.id = t.id AND t.price IS DISTINCT FROM s.price" ;;
    esac
    say_oneshot "update one-shot UPDATE from a join" update-one-shot
    check upd_o update-one-shot
}
update_mendb() {
    update_table upd_m
    run_mendb update 1
    say_mendb "update mendb" update-mendb
    check upd_m update-mendb
}

# Runs the contenders in order, or (even rounds) in reverse: over the
# rounds each meets the server in every state the others leave (ABBA).
in_turn() {
    local order=("$@") i
    if ((ROUND % 2 == 0)); then
        order=()
        for ((i = $# ; i >= 1; i--)); do order+=("${!i}"); done
    fi
    for c in "${order[@]}"; do $c; done
}

for dialect in $DBS; do
    pick_db "$dialect"
    echo "== $dialect: $DB_NAME on $DB_HOST:$DB_PORT"
    create_database
    started=$(now)
    build_src
    echo "   built src ($(sql -e "SELECT COUNT(*) FROM src") rows) in $(secs $(($(now) - started))) s"
    WANT=$(fingerprint src)

    for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
        ((ROUNDS > 1)) && echo "   -- round $ROUND of $ROUNDS"
        T1=
        copy=()
        if part copy || part copy1 || part resume; then copy+=(copy_oneshot); fi
        if part copy; then copy+=(copy_oneshot_skip); fi
        if part copy || part copy1 || part resume; then copy+=("copy_mendb 1"); fi
        if part copy; then copy+=("copy_mendb 2" "copy_mendb 4"); fi
        if part copy && [[ $dialect == mysql ]] && command -v pt-archiver >/dev/null; then
            copy+=(copy_pt_archiver)
        fi
        in_turn "${copy[@]}"
        if part resume; then resume; fi
        if part gaps; then in_turn gaps_oneshot gaps_mendb; fi
        if part update; then in_turn update_oneshot update_mendb; fi
    done

    if [[ ${KEEP:-0} == 1 ]]; then
        echo "   kept $DB_NAME (KEEP=1)"
    else
        drop_database
    fi
done

python3 - "$ROWS" "$RESULTS" <<'PY'
import collections, statistics, sys
rows = int(sys.argv[1])
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[2]):
    d, _round, name, t, rss, n, mx, avg, cores = line.rstrip("\n").split("\t")
    runs[d][name].append((float(t), int(rss or 0), int(n or 0), int(mx or 0), int(float(avg or 0)), float(cores or 0)))
med = statistics.median
rounds = max(len(v) for r in runs.values() for v in r.values())
print(f"== result ({rows:,} rows; median of {rounds} round(s); RSS and longest chunk: the worst)")
for d, r in runs.items():
    t = {name: med(x[0] for x in v) for name, v in r.items()}
    one, w1 = t.get("one-shot"), t.get("mendb-w1")
    print(f"   {d}")
    print("     contender       seconds      rows/s  vs one-shot  vs 1 worker  cores  RSS MB  chunks  longest  mean")
    for name, v in r.items():
        kind = name.split("-")[0]
        base = t.get(f"{kind}-one-shot") if kind in ("gaps", "update") else one
        rss, n, mx = max(x[1] for x in v), med(x[2] for x in v), max(x[3] for x in v)
        avg, cores = med(x[4] for x in v), med(x[5] for x in v)
        extra = f"{rss / 1024:6.1f} {n:7.0f} {mx:5d} ms {avg:4.0f} ms" if rss else ""
        vs1 = f"{w1 / t[name]:10.2f}x" if name.startswith("mendb") and w1 else " " * 11
        moved = rows // 10 if kind == "gaps" else rows * 3 // 10 if kind == "update" else rows
        vs = f"{base / t[name]:10.2f}x" if base else " " * 11
        busy = f"{cores:5.2f}" if cores else "    -"
        spread = f"  ({min(x[0] for x in v):.2f}-{max(x[0] for x in v):.2f} s)" if len(v) > 1 else ""
        print(f"     {name:15s} {t[name]:8.2f} {moved / t[name]:11,.0f} {vs} {vs1} {busy}  {extra}{spread}")
    if "pt-archiver" in t and w1:
        print(f"     mendb (1 worker) / pt-archiver: {t['pt-archiver'] / w1:.2f}x the rate")
    if "resume" in t and w1:
        print(f"     resume after kill -9: {t['resume'] / w1:.2f}x the uninterrupted time")
    longest = max(x[3] for v in r.values() for x in v)
    print(f"     longest chunk transaction over all mendb runs: {longest} ms")
PY
if ((status == 0)); then
    echo "   every target held src's rows"
fi
[[ -n ${RESULTS_OUT:-} ]] && cp "$RESULTS" "$RESULTS_OUT"
exit $status
