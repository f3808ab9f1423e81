#!/usr/bin/env bash
# Benchmark of `mendb backfill run` (a copy step) against a one-shot
# INSERT ... SELECT and pt-archiver on MariaDB.
#
#   bash bench/copy/run.sh            # build the tables, time, drop the database
#   KEEP=1 bash bench/copy/run.sh     # keep the database (src is reused next time)
#
# Builds a 2,000,000-row table `src` (400 symbols x 5,000 one-minute rows,
# (symbol, ts) unique, rows in id order interleaved across symbols) from
# MariaDB's seq_1_to_N table, and three empty targets dst_a, dst_b, dst_c of
# the same shape with a UNIQUE (symbol, ts). Then it copies src into each,
# one after the other, and times:
#   (a) one INSERT INTO dst_a ... SELECT ... FROM src through `mariadb`;
#   (b) the release build of mendb running bench/copy/copy.toml (src -> dst_b,
#       key id, match (symbol, ts), default chunk target 500ms), under
#       /usr/bin/time -v for its peak RSS;
#   (c) pt-archiver --no-delete --bulk-insert --limit 5000 --commit-each
#       (src -> dst_c), if it is installed.
# It prints rows/s, mendb's ratios, peak RSS and longest chunk, and checks
# that the three targets hold the same rows. Every timing includes starting
# a process and connecting. Results: docs/benchmarks.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

URL=${MENDB_BENCH_MYSQL_URL:-mysql://root@127.0.0.1:3306/mendb_bench_copy}
KEEP=${KEEP:-0}
PLAN=bench/copy/copy.toml

re='^(mysql|mariadb)://([^:@/]+)(:([^@/]*))?@([^:/?]+)(:([0-9]+))?/([A-Za-z0-9_]+)$'
if [[ ! $URL =~ $re ]]; then
    echo "MENDB_BENCH_MYSQL_URL: expected mysql://user[:password]@host[:port]/database, got $URL" >&2
    exit 2
fi
DB_USER=${BASH_REMATCH[2]}
DB_PASS=${BASH_REMATCH[4]}
DB_HOST=${BASH_REMATCH[5]}
DB_PORT=${BASH_REMATCH[7]:-3306}
DB_NAME=${BASH_REMATCH[8]}

# The password travels in the environment, never on a command line
# (pt-archiver reads MYSQL_PWD too, through DBD::mysql).
export MYSQL_PWD=$DB_PASS
client() { mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --batch --skip-column-names "$@"; }

readonly ROWS=2000000
readonly SYMBOLS=400

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s%N; }
secs() { printf '%d.%03d' $(($1 / 1000000000)) $(($1 / 1000000 % 1000)); }

echo "== build: release binary"
cargo build --release --quiet
MENDB=target/release/mendb

echo "== data: $DB_NAME on $DB_HOST:$DB_PORT"
client -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`"
have=$(client "$DB_NAME" -e "SELECT COUNT(*) FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'src'")
rows=0
if [[ $have == 1 ]]; then
    rows=$(client "$DB_NAME" -e "SELECT COUNT(*) FROM src")
fi
if ((rows != ROWS)); then
    started=$(now)
    client "$DB_NAME" <<SQL
DROP TABLE IF EXISTS src;
CREATE TABLE src (
    id     BIGINT      NOT NULL AUTO_INCREMENT,
    symbol VARCHAR(20) NOT NULL,
    ts     DATETIME    NOT NULL,
    price  DOUBLE      NULL,
    volume DOUBLE      NULL,
    PRIMARY KEY (id),
    KEY idx_src_symbol_ts (symbol, ts)
) ENGINE=InnoDB;
INSERT INTO src (id, symbol, ts, price, volume)
SELECT seq,
       CONCAT('SYM', LPAD(seq % $SYMBOLS, 3, '0')),
       TIMESTAMP'2025-09-01 00:00:00' + INTERVAL (seq DIV $SYMBOLS) MINUTE,
       100 + (seq % $SYMBOLS) + (seq % 997) / 100,
       1e6 + seq % 10007
FROM seq_1_to_$ROWS;
ANALYZE TABLE src;
SQL
    rows=$(client "$DB_NAME" -e "SELECT COUNT(*) FROM src")
    echo "   built $rows rows in $(secs $(($(now) - started))) s"
else
    echo "   reusing $rows rows"
fi

# Empty targets, same shape, UNIQUE (symbol, ts): what NOT EXISTS looks up.
targets() {
    for t in dst_a dst_b dst_c; do
        echo "DROP TABLE IF EXISTS $t;
CREATE TABLE $t (
    id     BIGINT      NOT NULL AUTO_INCREMENT,
    symbol VARCHAR(20) NOT NULL,
    ts     DATETIME    NOT NULL,
    price  DOUBLE      NULL,
    volume DOUBLE      NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_${t}_symbol_ts (symbol, ts)
) ENGINE=InnoDB;"
    done
    # A fresh run of the plan each time: no state left from an earlier run.
    echo "DROP TABLE IF EXISTS mendb_backfill_chunks, mendb_backfill_steps, mendb_backfill_runs;"
}
# Each contender starts from the same server state: the dirty pages the
# previous one left are flushed first (else whoever runs second pays for
# the first one's writes), and src is in the buffer pool.
settle() {
    local dirty
    for _ in $(seq 120); do
        dirty=$(client -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | awk '{print $2}')
        ((dirty < 100)) && break
        sleep 1
    done
    client "$DB_NAME" -e "SELECT COUNT(*), SUM(price) FROM src FORCE INDEX (PRIMARY)" >/dev/null
}

client "$DB_NAME" -e "$(targets)"
settle
echo "== (a) one-shot INSERT ... SELECT -> dst_a"
t0=$(now)
client "$DB_NAME" -e "INSERT INTO dst_a (id, symbol, ts, price, volume) SELECT id, symbol, ts, price, volume FROM src"
T_ONESHOT=$(secs $(($(now) - t0)))
echo "   $T_ONESHOT s"

settle
echo "== (b) mendb backfill run $PLAN -> dst_b"
t0=$(now)
/usr/bin/time -v -o "$work/time.txt" \
    "$MENDB" --database-url "$URL" --format json backfill run "$PLAN" >"$work/mendb.json" 2>"$work/mendb.err"
T_MENDB=$(secs $(($(now) - t0)))
RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
echo "   $T_MENDB s, peak RSS $RSS_KB kB"
tail -n 2 "$work/mendb.err" | sed 's/^/   /'

T_PT=
if command -v pt-archiver >/dev/null; then
    settle
    echo "== (c) pt-archiver -> dst_c"
    t0=$(now)
    pt-archiver --no-version-check \
        --source "h=$DB_HOST,P=$DB_PORT,u=$DB_USER,D=$DB_NAME,t=src,A=utf8mb4,L=1" --dest t=dst_c \
        --no-delete --bulk-insert --limit 5000 --commit-each --where "1=1" \
        --no-safe-auto-increment
    T_PT=$(secs $(($(now) - t0)))
    echo "   $T_PT s"
else
    echo "== (c) pt-archiver: not installed, skipped (apt-get install -y percona-toolkit)"
fi

echo "== mendb's chunks"
client "$DB_NAME" -e "SELECT COUNT(*), MIN(rows_written), MAX(rows_written), ROUND(AVG(rows_written)),
    MIN(elapsed_ms), MAX(elapsed_ms), ROUND(AVG(elapsed_ms)), SUM(elapsed_ms)
    FROM mendb_backfill_chunks" >"$work/chunks.tsv"
read -r N_CHUNKS MIN_ROWS MAX_ROWS AVG_ROWS MIN_MS MAX_MS AVG_MS SUM_MS <"$work/chunks.tsv"
echo "   $N_CHUNKS chunks, rows min/avg/max $MIN_ROWS/$AVG_ROWS/$MAX_ROWS, ms min/avg/max $MIN_MS/$AVG_MS/$MAX_MS, sum $SUM_MS ms"
echo "   first chunks (rows, ms):" $(client "$DB_NAME" -e "SELECT CONCAT(rows_written, '/', elapsed_ms)
    FROM mendb_backfill_chunks ORDER BY run_id, step_index, chunk_no LIMIT 12")

echo "== same rows"
counts=$(client "$DB_NAME" -e "SELECT (SELECT COUNT(*) FROM dst_a), (SELECT COUNT(*) FROM dst_b), (SELECT COUNT(*) FROM dst_c)")
read -r N_A N_B N_C <<<"$counts"
echo "   dst_a $N_A, dst_b $N_B, dst_c $N_C (src $rows)"
same=1
for n in "$N_A" "$N_B"; do [[ $n == "$rows" ]] || same=0; done
[[ -z $T_PT || $N_C == "$rows" ]] || same=0
sum() { client "$DB_NAME" -e "SELECT COUNT(*), SUM(id), SUM(CRC32(CONCAT(symbol, ts))), SUM(price) FROM $1"; }
[[ $(sum dst_a) == "$(sum dst_b)" ]] || same=0
[[ -z $T_PT || $(sum dst_a) == "$(sum dst_c)" ]] || same=0

python3 - "$rows" "$T_ONESHOT" "$T_MENDB" "${T_PT:-0}" "$RSS_KB" "$MAX_MS" <<'PY'
import sys
rows = int(sys.argv[1]); a, m, p = (float(x) for x in sys.argv[2:5])
rss_kb, max_ms = int(sys.argv[5]), int(sys.argv[6])
print(f"== result ({rows} rows)")
print(f"   one-shot INSERT ... SELECT  {a:8.3f} s  {rows / a:10.0f} rows/s")
print(f"   mendb backfill run          {m:8.3f} s  {rows / m:10.0f} rows/s")
if p:
    print(f"   pt-archiver                 {p:8.3f} s  {rows / p:10.0f} rows/s")
print(f"   mendb / one-shot   {a / m:.2f}x the rate (target >= 0.9x)")
if p:
    print(f"   mendb / pt-archiver {p / m:.2f}x the rate (target >= 3x)")
print(f"   mendb peak RSS     {rss_kb / 1024:.1f} MB (target < 64 MB)")
print(f"   longest chunk      {max_ms} ms (chunk target 500 ms)")
PY

if ((same == 0)); then
    echo "   TARGETS DIFFER" >&2
    status=1
else
    echo "   targets hold the same $rows rows"
    status=0
fi

if [[ $KEEP == 1 ]]; then
    echo "== kept database $DB_NAME (KEEP=1)"
else
    client -e "DROP DATABASE \`$DB_NAME\`"
    echo "== dropped database $DB_NAME"
fi
exit $status
