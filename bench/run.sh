#!/usr/bin/env bash
# Every benchmark contender, on MariaDB and PostgreSQL side by side in one
# run, and mendb's ratios against the targets in docs/benchmarks.md:
#
#   bash bench/run.sh                          # everything (about 40 minutes)
#   PARTS="parallel gaps" bash bench/run.sh    # some of: parallel gaps curve
#   ROWS=1000000 ROUNDS=3 SIZES="500000 2000000 8000000" (the defaults)
#   MENDB=PATH: time this binary instead of building the release one
#   MENDB_BENCH_MYSQL_URL / MENDB_BENCH_POSTGRES_URL: the servers, as in
#   the scripts below (each uses its own database and drops it at the end)
#
# It runs, in this order and each printing its own full table:
#   bench/parallel/run.sh  copy (one-shot, one-shot skipping existing keys,
#                          mendb with 1, 2 and 4 workers, pt-archiver),
#                          resume after kill -9, gap fill, update from a
#                          join; ROUNDS rounds in alternating order, medians;
#   bench/gaps/run.sh      `mendb gaps` against two hand-written LAG queries;
#   bench/curve/run.sh     the 1-worker copy at each of SIZES rows;
# then one table of every target, each ratio, and whether it is met.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PARTS=${PARTS:-"parallel gaps curve"}
export ROWS=${ROWS:-1000000} ROUNDS=${ROUNDS:-3}
SIZES=${SIZES:-"500000 2000000 8000000"}
part() { [[ " $PARTS " == *" $1 "* ]]; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -z ${MENDB:-} ]]; then
    echo "== build: release binary"
    cargo build --release --quiet
    # A copy, so that a build during the run cannot change what is timed.
    cp target/release/mendb "$work/mendb"
    MENDB=$work/mendb
fi
export MENDB

echo "== $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
echo "   $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo);" \
    "$(mariadb --version | sed 's/.*Distrib \([^,]*\),.*/MariaDB \1/');" \
    "$(psql --version | sed 's/.*) /PostgreSQL /')"

status=0
if part parallel; then
    echo "== bench/parallel/run.sh: ROWS=$ROWS ROUNDS=$ROUNDS"
    RESULTS_OUT=$work/parallel.tsv bash bench/parallel/run.sh || status=1
fi
if part gaps; then
    echo "== bench/gaps/run.sh"
    RESULTS_OUT=$work/gaps.tsv bash bench/gaps/run.sh || status=1
fi
if part curve; then
    echo "== bench/curve/run.sh: SIZES=\"$SIZES\""
    SIZES=$SIZES ROUNDS=1 CURVE_OUT=$work/curve.tsv bash bench/curve/run.sh || status=1
fi

python3 - "$work" <<'PY'
import collections, os, statistics, sys
work = sys.argv[1]
med = statistics.median
def lines(name):
    path = os.path.join(work, name)
    return [l.rstrip("\n").split("\t") for l in open(path)] if os.path.exists(path) else []

# dialect -> contender -> [(seconds, rss_kb, longest_ms)]
par = collections.defaultdict(lambda: collections.defaultdict(list))
for d, _round, name, t, rss, _n, mx, _avg, _cores in lines("parallel.tsv"):
    par[d][name].append((float(t), int(rss or 0), int(mx or 0)))
def t(d, name):
    v = par[d].get(name)
    return med(x[0] for x in v) if v else None
def ratio(d, a, b):  # how many times as fast a is as b
    ta, tb = t(d, a), t(d, b)
    return tb / ta if ta and tb else None

gaps = collections.defaultdict(lambda: ([], [], []))
for d, _rows, m, h, r in lines("gaps.tsv"):
    for i, x in enumerate((m, h, r)):
        gaps[d][i].append(float(x))
def gaps_ratio(d):  # mendb's median time over the fastest hand-written median
    m, h, r = gaps[d] if d in gaps else ([], [], [])
    return med(m) / min(med(h), med(r)) if m else None

curve = collections.defaultdict(list)
for d, n, tm, _one, rss, mx in lines("curve.tsv"):
    curve[d].append((int(n), float(tm), int(rss), int(mx)))
def curve_spread(d):
    per_row = [tm / n for n, tm, _, _ in curve[d]]
    if len(per_row) < 2:
        return None
    mid = sorted(per_row)[len(per_row) // 2]
    return max(abs(x - mid) / mid for x in per_row) * 100

dbs = [d for d in ("mysql", "postgres") if d in par or d in gaps or d in curve]
rows = []  # (what, goal text, test, {dialect: value or None}, format)
def add(what, goal, ok, values, fmt):
    rows.append((what, goal, ok, values, fmt))
x = lambda v: f"{v:.2f}x"
add("copy, 1 worker / one-shot INSERT ... SELECT", ">= 0.95x", lambda v: v >= 0.95,
    {d: ratio(d, "mendb-w1", "one-shot") for d in dbs}, x)
add("gap fill / one-shot anti-join", ">= 0.90x", lambda v: v >= 0.9,
    {d: ratio(d, "gaps-mendb", "gaps-one-shot") for d in dbs}, x)
add("update / one-shot UPDATE from a join", ">= 0.90x", lambda v: v >= 0.9,
    {d: ratio(d, "update-mendb", "update-one-shot") for d in dbs}, x)
add("copy, 2 workers / 1 worker", "PG >= 1.80x, MariaDB >= 1.00x",
    None, {d: ratio(d, "mendb-w2", "mendb-w1") for d in dbs}, x)
add("copy, 4 workers / 1 worker", ">= 1.00x (never slower)", lambda v: v >= 1.0,
    {d: ratio(d, "mendb-w4", "mendb-w1") for d in dbs}, x)
add("gaps / fastest hand-written LAG (time)", "<= 1.00x", lambda v: v <= 1.0,
    {d: gaps_ratio(d) for d in dbs}, x)
add("curve: time per row, spread across sizes", "within ±15%", lambda v: v <= 15,
    {d: curve_spread(d) for d in dbs}, lambda v: f"±{v:.0f}%")
mendb_runs = lambda d: [x for name, v in par[d].items() if name.startswith(("mendb", "gaps-mendb", "update-mendb", "resume"))
                        for x in v] + [(tm, rss, mx) for _, tm, rss, mx in curve[d]]
add("peak RSS, every mendb run", "< 64 MB", lambda v: v < 64,
    {d: max((x[1] for x in mendb_runs(d)), default=0) / 1024 or None for d in dbs}, lambda v: f"{v:.1f} MB")
add("longest chunk, every mendb run", "< 1000 ms", lambda v: v < 1000,
    {d: max((x[2] for x in mendb_runs(d)), default=0) or None for d in dbs}, lambda v: f"{v} ms")

def met(what, ok, d, v):
    if v is None:
        return "-"
    if ok is None:  # the workers' goal differs by server
        ok = (lambda v: v >= 1.8) if d == "postgres" else (lambda v: v >= 1.0)
    return "met" if ok(v) else "NOT met"

print("== targets (medians; RSS and longest chunk: the worst run)")
head = "".join(f"  {d:>10s} {'':7s}" for d in dbs)
print(f"   {'':45s}{head}  goal")
for what, goal, ok, values, fmt in rows:
    cells = "".join(f"  {fmt(values[d]) if values[d] is not None else '-':>10s} {met(what, ok, d, values[d]):7s}" for d in dbs)
    print(f"   {what:45s}{cells}  {goal}")
PY
exit $status
