#!/usr/bin/env bash
# Benchmark of `mendb backfill run` (a copy step) against a one-shot
# INSERT ... SELECT and pt-archiver on MariaDB.
#
#   bash bench/copy/run.sh            # build the tables, time, drop the database
#   KEEP=1 bash bench/copy/run.sh     # keep the database (src is reused next time)
#   ROUNDS=5 bash bench/copy/run.sh   # rounds of the three contenders (default 3)
#
# Builds a 2,000,000-row table `src` (400 symbols x 5,000 one-minute rows,
# (symbol, ts) unique, rows in id order interleaved across symbols) from
# MariaDB's seq_1_to_N table, and three empty targets dst_a, dst_b, dst_c of
# the same shape with a UNIQUE (symbol, ts). Then, in each round, it
# empties the targets and copies src into each, one after the other, once
# InnoDB has flushed what the previous contender left, and times:
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
source bench/lib.sh

URL=${MENDB_BENCH_MYSQL_URL:-mysql://root@127.0.0.1:3306/mendb_bench_copy}
KEEP=${KEEP:-0}
PLAN=bench/copy/copy.toml

if [[ ! $URL =~ ^(mysql|mariadb):// ]]; then
    echo "MENDB_BENCH_MYSQL_URL: expected mysql://user[:password]@host[:port]/database, got $URL" >&2
    exit 2
fi
parse_db_url "$URL" 3306

# The password travels in the environment, never on a command line
# (pt-archiver reads MYSQL_PWD too, through DBD::mysql).
export MYSQL_PWD=$DB_PASS
client() { mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --batch --skip-column-names "$@"; }

readonly ROWS=2000000
ROUNDS=${ROUNDS:-3}
readonly SYMBOLS=400

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT


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
    echo "DROP TABLE IF EXISTS mendb_backfill_chunks, mendb_backfill_steps, mendb_backfill_runs, mendb_backfill_leases;"
}
# Each contender starts from the same server state: the dirty pages the
# previous one left are flushed first (else whoever runs second pays for
# the first one's writes), and src is in the buffer pool.
settle() {
    flush_dirty_pages client
    client "$DB_NAME" -e "SELECT COUNT(*), SUM(price) FROM src FORCE INDEX (PRIMARY)" >/dev/null
}

have_pt=0
if command -v pt-archiver >/dev/null; then
    have_pt=1
else
    echo "== pt-archiver: not installed, skipped (apt-get install -y percona-toolkit)"
fi

# The same rows as src: count, sums of id and price, and a CRC of (symbol, ts).
fingerprint() { client "$DB_NAME" -e "SELECT COUNT(*), SUM(id), SUM(CRC32(CONCAT(symbol, ts))), SUM(price) FROM $1"; }
want=$(fingerprint src)

# One line per round: one-shot s, mendb s, pt-archiver s (0 if skipped),
# mendb peak RSS kB, chunks, longest chunk ms, mean chunk ms.
: >"$work/rounds.tsv"
status=0
for round in $(seq "$ROUNDS"); do
    echo "== round $round of $ROUNDS"
    client "$DB_NAME" -e "$(targets)"

    settle
    t0=$(now)
    client "$DB_NAME" -e "INSERT INTO dst_a (id, symbol, ts, price, volume) SELECT id, symbol, ts, price, volume FROM src"
    t_oneshot=$(secs $(($(now) - t0)))
    echo "   (a) one-shot INSERT ... SELECT -> dst_a: $t_oneshot s"

    settle
    t0=$(now)
    /usr/bin/time -v -o "$work/time.txt" \
        "$MENDB" backfill run "$PLAN" --database-url "$URL" --format json >"$work/mendb.json" 2>"$work/mendb.err"
    t_mendb=$(secs $(($(now) - t0)))
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    read -r n_chunks max_ms avg_ms < <(client "$DB_NAME" -e "SELECT COUNT(*), MAX(elapsed_ms), ROUND(AVG(elapsed_ms)) FROM mendb_backfill_chunks")
    echo "   (b) mendb backfill run $PLAN -> dst_b: $t_mendb s, peak RSS $rss_kb kB, $n_chunks chunks, longest $max_ms ms, mean $avg_ms ms"

    t_pt=0
    if ((have_pt)); then
        settle
        t0=$(now)
        pt-archiver --no-version-check \
            --source "h=$DB_HOST,P=$DB_PORT,u=$DB_USER,D=$DB_NAME,t=src,A=utf8mb4,L=1" --dest t=dst_c \
            --no-delete --bulk-insert --limit 5000 --commit-each --where "1=1" \
            --no-safe-auto-increment
        t_pt=$(secs $(($(now) - t0)))
        echo "   (c) pt-archiver -> dst_c: $t_pt s"
    fi

    for t in dst_a dst_b $( ((have_pt)) && echo dst_c); do
        got=$(fingerprint "$t")
        if [[ $got != "$want" ]]; then
            echo "   $t DIFFERS from src: $got against $want" >&2
            status=1
        fi
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t_oneshot" "$t_mendb" "$t_pt" "$rss_kb" "$n_chunks" "$max_ms" "$avg_ms" >>"$work/rounds.tsv"
done

python3 - "$rows" "$work/rounds.tsv" <<'PY'
import statistics, sys
rows = int(sys.argv[1])
rounds = [[float(x) for x in line.split("\t")] for line in open(sys.argv[2]) if line.strip()]
med = statistics.median
print(f"== result ({rows} rows, {len(rounds)} rounds; each ratio compares runs of the same round)")
print("   round  one-shot     mendb  pt-archiver  mendb/one-shot  mendb/pt-archiver  RSS MB  chunks  longest")
for i, (a, m, p, rss, n, mx, avg) in enumerate(rounds, 1):
    pt = f"{p:9.2f} s" if p else "        -  "
    vs_pt = f"{p / m:16.2f}x" if p else "                -"
    print(f"   {i:5d} {a:7.2f} s {m:7.2f} s  {pt} {a / m:14.2f}x {vs_pt} {rss / 1024:7.1f} {int(n):7d} {int(mx):5d} ms")
a, m = med(r[0] for r in rounds), med(r[1] for r in rounds)
print(f"   median one-shot    {a:.2f} s ({rows / a:,.0f} rows/s)")
print(f"   median mendb       {m:.2f} s ({rows / m:,.0f} rows/s)")
if all(r[2] for r in rounds):
    p = med(r[2] for r in rounds)
    print(f"   median pt-archiver {p:.2f} s ({rows / p:,.0f} rows/s)")
print(f"   mendb / one-shot    median {med(r[0] / r[1] for r in rounds):.2f}x the rate (target >= 0.9x)")
if all(r[2] for r in rounds):
    print(f"   mendb / pt-archiver median {med(r[2] / r[1] for r in rounds):.2f}x the rate (target >= 3x)")
print(f"   mendb peak RSS      {max(r[3] for r in rounds) / 1024:.1f} MB at most (target < 64 MB)")
print(f"   longest chunk       {int(max(r[5] for r in rounds))} ms over all rounds (chunk target 500 ms)")
PY
if ((status == 0)); then
    echo "   every target held src's $rows rows, every round"
fi

if [[ $KEEP == 1 ]]; then
    echo "== kept database $DB_NAME (KEEP=1)"
else
    client -e "DROP DATABASE \`$DB_NAME\`"
    echo "== dropped database $DB_NAME"
fi
exit $status
