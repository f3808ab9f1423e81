#!/usr/bin/env bash
# Cost as work grows: the same 1-worker copy (and its one-shot INSERT ...
# SELECT) at several table sizes, on MariaDB and PostgreSQL, through
# bench/parallel/run.sh's copy1 part.
#
#   bash bench/curve/run.sh                       # 500,000, 2,000,000, 8,000,000 rows
#   SIZES="100000 400000" DBS=postgres bash bench/curve/run.sh
#   ROUNDS=3: each size 3 times, medians (default 1); MENDB=PATH as there
#
# Prints, per database and size: seconds, microseconds per row, the ratio
# to the one-shot, peak RSS and the longest chunk transaction; then the
# spread of time per row across sizes. Writes the curve as an SVG to
# docs/benchmarks-curve.svg (OUT=FILE to write elsewhere); CURVE_OUT=FILE
# also writes the points (TSV: database, rows, mendb s, one-shot s, peak
# RSS kB, longest chunk ms).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

SIZES=${SIZES:-"500000 2000000 8000000"}
OUT=${OUT:-docs/benchmarks-curve.svg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for n in $SIZES; do
    echo "== $n rows"
    ROWS=$n PARTS=copy1 RESULTS_OUT="$work/$n.tsv" bash bench/parallel/run.sh | sed 's/^/   /'
done

python3 - "$OUT" "$work" "${CURVE_OUT:-}" $SIZES <<'PY'
import collections, os, sys
out, work, points_out, sizes = sys.argv[1], sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4:]]
import statistics
data = collections.defaultdict(dict)  # dialect -> size -> {name: (t, rss, longest)}
for n in sizes:
    seen = collections.defaultdict(list)
    for line in open(os.path.join(work, f"{n}.tsv")):
        d, _round, name, t, rss, _n, mx, _avg, _cores = line.rstrip("\n").split("\t")
        seen[(d, name)].append((float(t), int(rss or 0), int(mx or 0)))
    # The median time; the worst RSS and longest chunk.
    for (d, name), v in seen.items():
        data[d].setdefault(n, {})[name] = (statistics.median(x[0] for x in v),
                                           max(x[1] for x in v), max(x[2] for x in v))
print("== curve: 1-worker copy into a target with a unique key")
print("   database   rows        mendb s   us/row  one-shot us/row  vs one-shot  RSS MB  longest chunk")
series = {}
points = []
for d, by in data.items():
    pts = []
    for n in sizes:
        t, rss, mx = by[n]["mendb-w1"]
        one = by[n]["one-shot"][0]
        points.append(f"{d}\t{n}\t{t}\t{one}\t{rss}\t{mx}\n")
        pts.append((n, t / n * 1e6, one / n * 1e6))
        print(f"   {d:9s} {n:>10,d} {t:10.2f} {t / n * 1e6:8.2f} {one / n * 1e6:16.2f} {one / t:11.2f}x {rss / 1024:7.1f} {mx:8d} ms")
    per_row = [p[1] for p in pts]
    mid = sorted(per_row)[len(per_row) // 2]
    spread = max(abs(x - mid) / mid for x in per_row) * 100
    print(f"   {d}: time per row within ±{spread:.0f}% of its median across sizes (target ±15%)")
    series[d] = pts
if points_out:
    open(points_out, "w").writelines(points)

# A small line chart: x = rows (log scale), y = microseconds per row.
import math
W, H, L, R, T, B = 640, 360, 70, 170, 30, 50
xs = [math.log10(n) for n in sizes]
ymax = max(max(p[1], p[2]) for pts in series.values() for p in pts) * 1.15
def X(n): return L + (math.log10(n) - min(xs)) / max(max(xs) - min(xs), 1e-9) * (W - L - R)
def Y(v): return H - B - v / ymax * (H - T - B)
colors = {"mysql": "#1f77b4", "postgres": "#d62728"}
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{L}" y="18" font-size="14">1-worker copy: microseconds per row as the table grows</text>',
       f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>',
       f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">rows copied (log scale)</text>',
       f'<text x="16" y="{(T + H - B) / 2}" transform="rotate(-90 16 {(T + H - B) / 2})" text-anchor="middle">µs per row</text>']
for n in sizes:
    svg.append(f'<text x="{X(n):.1f}" y="{H - B + 16}" text-anchor="middle">{n:,}</text>')
for i in range(5):
    v = ymax * i / 4
    svg.append(f'<text x="{L - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    svg.append(f'<line x1="{L}" y1="{Y(v):.1f}" x2="{W - R}" y2="{Y(v):.1f}" stroke="#ddd"/>')
row = 0
for d, pts in series.items():
    c = colors.get(d, "black")
    for idx, dash in ((1, ""), (2, ' stroke-dasharray="5,4"')):
        path = " ".join(f"{X(n):.1f},{Y(p[idx]):.1f}" for n, p in zip(sizes, pts))
        svg.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"{dash}/>')
        for n, p in zip(sizes, pts):
            svg.append(f'<circle cx="{X(n):.1f}" cy="{Y(p[idx]):.1f}" r="3" fill="{c}"/>')
        label = f"{d} {'mendb' if idx == 1 else 'one-shot'}"
        y = T + 14 + row * 18
        svg.append(f'<line x1="{W - R + 10}" y1="{y - 4}" x2="{W - R + 34}" y2="{y - 4}" stroke="{c}" stroke-width="2"{dash}/>')
        svg.append(f'<text x="{W - R + 40}" y="{y}">{label}</text>')
        row += 1
svg.append("</svg>")
open(out, "w").write("\n".join(svg) + "\n")
print(f"   wrote {out}")
PY
