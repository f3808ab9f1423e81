//! The gap map through the binary, looked at as pixels: `gaps --format
//! svg` on a small table whose holes the test placed, rendered with resvg,
//! must show the missing colour exactly where the holes are and the
//! present colour everywhere else, on SQLite, MariaDB and PostgreSQL; 317
//! keys over a week stay within a bounded picture with folded cells;
//! `report --format html` carries the figures and the map inline; `demo
//! --gap-maps` draws the outage before and after recovery.

mod common;

use common::{Backend, TestDb};

per_backend!(
    pixels_show_the_known_gaps,
    html_report_holds_figures_and_map
);

/// The colours docs/gaps.md gives for a bucket with a row and without.
const PRESENT: [u8; 3] = [0x9e, 0xca, 0xe1];
const MISSING: [u8; 3] = [0xd6, 0x27, 0x28];

/// 2025-01-01 00:00:00 UTC.
const E: i64 = 1_735_689_600;
const EVERY: i64 = 300;

fn text(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0)
        .unwrap()
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Where the plot is and how buckets and keys fold into it, as the SVG
/// states on its plot rectangle.
#[derive(Debug)]
struct Plot {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    buckets: u32,
    keys: u32,
    buckets_per_column: u32,
    keys_per_row: u32,
    cell_width: u32,
    row_height: u32,
}

fn attr(tag: &str, name: &str) -> u32 {
    let start = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + name.len()
        + 3;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end]
        .parse()
        .unwrap_or_else(|e| panic!("{name} in {tag}: {e}"))
}

fn plot(svg: &str) -> Plot {
    let start = svg.find("<rect id=\"plot\"").expect("a plot rectangle");
    let tag = &svg[start..start + svg[start..].find("/>").unwrap()];
    Plot {
        x: attr(tag, "x"),
        y: attr(tag, "y"),
        width: attr(tag, "width"),
        height: attr(tag, "height"),
        buckets: attr(tag, "data-buckets"),
        keys: attr(tag, "data-keys"),
        buckets_per_column: attr(tag, "data-buckets-per-column"),
        keys_per_row: attr(tag, "data-keys-per-row"),
        cell_width: attr(tag, "data-cell-width"),
        row_height: attr(tag, "data-row-height"),
    }
}

/// The picture as resvg draws it, without fonts: labels do not matter to
/// the colours of cells.
struct Pixels(resvg::tiny_skia::Pixmap);

impl Pixels {
    fn of(svg: &str) -> Pixels {
        let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default())
            .unwrap_or_else(|e| panic!("not SVG resvg reads ({e}):\n{svg}"));
        let size = tree.size().to_int_size();
        let mut pixmap =
            resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("a picture");
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::default(),
            &mut pixmap.as_mut(),
        );
        Pixels(pixmap)
    }

    fn at(&self, x: u32, y: u32) -> [u8; 3] {
        let p = self
            .0
            .pixel(x, y)
            .unwrap_or_else(|| panic!("({x}, {y}) is outside the picture"));
        assert_eq!(p.alpha(), 255, "({x}, {y}) is not opaque");
        [p.red(), p.green(), p.blue()]
    }

    /// The colour of a cell, checked at its middle and inner corners, so a
    /// cell drawn a pixel off or blurred at its edges does not pass.
    fn cell(&self, plot: &Plot, row: u32, col: u32) -> [u8; 3] {
        let (x, y) = (
            plot.x + col * plot.cell_width,
            plot.y + row * plot.row_height,
        );
        let (w, h) = (plot.cell_width, plot.row_height);
        let middle = self.at(x + w / 2, y + h / 2);
        for (px, py) in [
            (x, y),
            (x + w - 1, y),
            (x, y + h - 1),
            (x + w - 1, y + h - 1),
        ] {
            assert_eq!(
                self.at(px, py),
                middle,
                "cell ({row}, {col}) is not one colour at ({px}, {py})"
            );
        }
        middle
    }
}

fn create_ticks(db: &TestDb) {
    let time = match db.backend {
        Backend::Mysql => "DATETIME NOT NULL",
        Backend::Postgres => "TIMESTAMP NOT NULL",
        Backend::Sqlite => "TEXT NOT NULL",
    };
    db.exec(&format!(
        "CREATE TABLE ticks (symbol VARCHAR(20) NOT NULL, ts {time}, price DOUBLE PRECISION)"
    ));
    db.exec("CREATE INDEX ticks_symbol_ts ON ticks (symbol, ts)");
}

/// Which of the 24 buckets from E each key of the small world has a row in:
/// AAA misses 8..=10 (between rows) and 21..=23 (at the end), BBB is
/// complete, CCC only has rows before the window, DDD misses 0..=4 (at the
/// start).
fn has_row(key: &str, bucket: i64) -> bool {
    match key {
        "AAA" => !(8..=10).contains(&bucket) && bucket < 21,
        "BBB" => true,
        "CCC" => false,
        "DDD" => bucket > 4,
        _ => false,
    }
}

fn small_world(db: &TestDb) {
    create_ticks(db);
    let mut values = Vec::new();
    for key in ["AAA", "BBB", "CCC", "DDD"] {
        for b in (0..24).filter(|&b| has_row(key, b)) {
            // Off the grid inside the bucket, which still counts.
            values.push(format!("('{key}', '{}', 1.0)", text(E + b * EVERY + 17)));
        }
    }
    values.push(format!("('CCC', '{}', 1.0)", text(E - 3600)));
    db.exec(&format!(
        "INSERT INTO ticks (symbol, ts, price) VALUES {}",
        values.join(", ")
    ));
}

fn window() -> [String; 4] {
    [
        "--since".into(),
        text(E),
        "--until".into(),
        text(E + 24 * EVERY),
    ]
}

fn gaps_svg(db: &TestDb, extra: &[&str]) -> String {
    let w = window();
    let mut args = vec![
        "gaps", "--table", "ticks", "--key", "symbol", "--time", "ts", "--every", "5m", "--format",
        "svg",
    ];
    args.extend(w.iter().map(String::as_str));
    args.extend_from_slice(extra);
    db.mendb(&args).succeeds().stdout.clone()
}

/// Every bucket of every key, as the test placed them.
fn assert_cells(svg: &str, keys: &[&str]) {
    let plot = plot(svg);
    assert_eq!(plot.buckets, 24);
    assert_eq!(plot.keys as usize, keys.len());
    assert_eq!(
        (plot.buckets_per_column, plot.keys_per_row),
        (1, 1),
        "a small world is not folded"
    );
    assert!(
        plot.cell_width > 1 && plot.row_height > 1,
        "cells of a short window are wider than a pixel: {plot:?}"
    );
    assert_eq!(plot.width, 24 * plot.cell_width);
    let pixels = Pixels::of(svg);
    for (row, key) in keys.iter().enumerate() {
        for b in 0..24 {
            let want = if has_row(key, b) { PRESENT } else { MISSING };
            assert_eq!(
                pixels.cell(&plot, row as u32, b as u32),
                want,
                "{key} bucket {b}"
            );
        }
    }
}

fn pixels_show_the_known_gaps(b: Backend) {
    let Some(db) = TestDb::new(b, "gapmap") else {
        return;
    };
    small_world(&db);

    // Every key of the table, with and without gaps, in the JSON too.
    let w = window();
    let mut args = vec![
        "gaps", "--table", "ticks", "--key", "symbol", "--time", "ts", "--every", "5m", "--format",
        "json",
    ];
    args.extend(w.iter().map(String::as_str));
    let json = db.mendb(&args).succeeds().json();
    assert_eq!(
        json["keys"],
        serde_json::json!(["AAA", "BBB", "CCC", "DDD"])
    );
    assert_eq!(json["buckets_missing"], 3 + 3 + 24 + 5);

    let svg = gaps_svg(&db, &[]);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert_cells(&svg, &["AAA", "BBB", "CCC", "DDD"]);
    for label in [
        "Gaps in ticks, every 5m",
        "[2025-01-01 00:00, 2025-01-01 02:00) UTC",
        "35 of 96 buckets missing; 3 of 4 keys with gaps (1 fully missing)",
        "start 2025-01-01 00:00 UTC",
        "end 2025-01-01 02:00 UTC",
        "Scale: 1 bucket (5m) = ",
        ">BBB</text>",
    ] {
        assert!(svg.contains(label), "the map lacks `{label}`:\n{svg}");
    }

    // A key asked for that has no row at all is missing from end to end.
    let asked = gaps_svg(&db, &["--symbols", "AAA,ZZZ,BBB"]);
    assert_cells(&asked, &["AAA", "BBB", "ZZZ"]);

    // The same picture in a file, in a folder made for it, written whole.
    let file = db.dir.join("maps/deeper/ticks.svg");
    let file_arg = file.to_str().unwrap();
    let run = db.mendb(&[
        "gaps", "--table", "ticks", "--key", "symbol", "--time", "ts", "--every", "5m", "--format",
        "svg", "--output", file_arg, "--since", &w[1], "--until", &w[3],
    ]);
    run.succeeds().stdout_has("Wrote ").stdout_has("ticks.svg");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), svg, "same bytes");
    let left: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        [std::ffi::OsString::from("ticks.svg")],
        "no partial file"
    );

    // --output is for the picture; a file that cannot be made names itself.
    db.mendb(&[
        "gaps", "--table", "ticks", "--every", "5m", "--time", "ts", "--output", file_arg,
    ])
    .fails_with(2)
    .stderr_has("--format svg");
    let blocked = format!("{file_arg}/inside.svg");
    db.mendb(&[
        "gaps", "--table", "ticks", "--every", "5m", "--time", "ts", "--format", "svg", "--output",
        &blocked,
    ])
    .fails_with(1)
    .stderr_has("cannot write the gap map to")
    .stderr_has("inside.svg");
}

/// 317 keys over a week of 5-minute buckets (2,016), built in SQLite:
/// S000..S009 have no row in the window, S010..S019 miss bucket 1000
/// only, the rest miss 1201..=1776 (48 hours, off the fold's grid of 3).
#[test]
fn a_week_of_317_keys_is_folded_into_a_bounded_picture() {
    let db = TestDb::new(Backend::Sqlite, "gapmap_week").unwrap();
    create_ticks(&db);
    db.exec(&format!(
        "INSERT INTO ticks (symbol, ts, price) \
         WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 316), \
         b(j) AS (SELECT -1 UNION ALL SELECT j + 1 FROM b WHERE j < 2015) \
         SELECT printf('S%03d', i), datetime({E} + j * {EVERY}, 'unixepoch'), 1.0 FROM k, b \
         WHERE j = -1 OR (i >= 10 AND NOT (i < 20 AND j = 1000) \
                          AND NOT (i >= 20 AND j BETWEEN 1201 AND 1776))"
    ));
    let until = text(E + 2016 * EVERY);
    let args = [
        "gaps",
        "--table",
        "ticks",
        "--key",
        "symbol",
        "--time",
        "ts",
        "--every",
        "5m",
        "--since",
        &text(E),
        "--until",
        &until,
    ];
    let json = db
        .mendb(&[&args[..], &["--format", "json"]].concat())
        .succeeds()
        .json();
    assert_eq!(json["keys_checked"], 317);
    assert_eq!(json["buckets_missing"], 10 * 2016 + 10 + 297 * 576);

    let svg = db
        .mendb(&[&args[..], &["--format", "svg"]].concat())
        .succeeds()
        .stdout
        .clone();
    assert_eq!(
        svg,
        db.mendb(&[&args[..], &["--format", "svg"]].concat()).stdout,
        "the same input gives the same bytes"
    );
    // The bound: the plot within 1,000 x 640 px, the whole picture within
    // 1,400 x 900 px, the file within 256 KiB.
    let plot = plot(&svg);
    assert!(plot.width <= 1000 && plot.height <= 640, "{plot:?}");
    let pixels = Pixels::of(&svg);
    let (w, h) = (pixels.0.width(), pixels.0.height());
    assert!(w <= 1400 && h <= 900, "{w} x {h}");
    assert!(svg.len() <= 256 * 1024, "{} bytes", svg.len());
    assert_eq!(
        (plot.buckets_per_column, plot.keys_per_row, plot.cell_width),
        (3, 1, 1),
        "three buckets to a pixel column, a key to a row"
    );
    assert_eq!(plot.width, 672);
    assert!(
        svg.contains("1 px = 15m (3 buckets of 5m)"),
        "scale missing"
    );

    let cell = |row: u32, col: u32| pixels.cell(&plot, row, col);
    // The keys without rows: missing from end to end.
    for col in 0..672 {
        assert_eq!(cell(0, col), MISSING, "S000 column {col}");
        assert_eq!(cell(9, col), MISSING, "S009 column {col}");
    }
    // One bucket of three missing: a shade between the two colours.
    let between = |c: [u8; 3]| {
        c != PRESENT
            && c != MISSING
            && (0..3)
                .all(|i| (PRESENT[i].min(MISSING[i])..=PRESENT[i].max(MISSING[i])).contains(&c[i]))
    };
    let lone = cell(10, 333);
    assert!(
        between(lone),
        "S010 column 333 (buckets 999..=1001): {lone:?}"
    );
    assert_eq!(cell(10, 332), PRESENT);
    assert_eq!(cell(10, 334), PRESENT);
    // The outage: its edge columns partly missing (2 of 3, then 1 of 3),
    // more of the first; full columns in between; present outside.
    let r = 100;
    assert_eq!(cell(r, 399), PRESENT);
    let (first, last) = (cell(r, 400), cell(r, 592));
    assert!(between(first) && between(last), "{first:?} {last:?}");
    let toward_missing = |c: [u8; 3]| i32::from(c[0]) - i32::from(PRESENT[0]);
    assert!(
        toward_missing(first) > toward_missing(last),
        "2 of 3 missing is redder than 1 of 3: {first:?} {last:?}"
    );
    for col in 401..=591 {
        assert_eq!(cell(r, col), MISSING, "S{r:03} column {col}");
    }
    assert_eq!(cell(r, 593), PRESENT);
    assert_eq!(cell(316, 500), MISSING);

    // Labels where they fit: not all 317 at two pixels a row, but some,
    // far enough apart not to overlap.
    let keys = &svg[svg.find("<g id=\"keys\"").unwrap()..];
    let keys = &keys[..keys.find("</g>").unwrap()];
    let ys: Vec<f64> = keys
        .match_indices("<text x=")
        .map(|(i, _)| {
            let tag = &keys[i..];
            let start = tag.find(" y=\"").unwrap() + 4;
            tag[start..start + tag[start..].find('"').unwrap()]
                .parse()
                .unwrap()
        })
        .collect();
    assert!(ys.len() > 20 && ys.len() < 317, "{} labels", ys.len());
    assert!(ys.windows(2).all(|p| p[1] - p[0] >= 12.0), "{ys:?}");
    assert!(keys.contains(">S000</text>"));
}

fn html_report_holds_figures_and_map(b: Backend) {
    let Some(db) = TestDb::new(b, "gapmap_html") else {
        return;
    };
    common::report_world(&db);
    let at = ["--until", "2025-09-30T12:00:00Z", "--window", "2h"];
    let page = db
        .mendb(&[&["report", "--format", "html"][..], &at[..]].concat())
        .succeeds()
        .stdout
        .clone();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.trim_end().ends_with("</html>"), "{page}");
    for figure in [
        "1 of 3 symbols have price_data_real rows in the hour before",
        "36 of 72 5-minute buckets missing in [2025-09-30T10:00:00Z, 2025-09-30T12:00:00Z)",
        "1 fully missing, 1 partly missing, 1 complete",
        "25.0% (1 of 4 base rows have an enhanced row)",
        "V1 of V4, 3 pending, clean",
        "<td>price_data_real</td><td class=\"n\">36</td>",
    ] {
        assert!(page.contains(figure), "the page lacks `{figure}`:\n{page}");
    }
    // Self-contained: nothing to fetch; the only address is the SVG
    // namespace, which names and loads nothing.
    for outside in ["<script", "<link", "<img", "src=", "url(", "@import"] {
        assert!(!page.contains(outside), "the page holds `{outside}`");
    }
    assert_eq!(page.matches("http").count(), 1, "{page}");
    assert_eq!(page.matches("<svg ").count(), 1, "one map");

    // The inline map is the report's window: AAA complete, BBB its first
    // hour, CCC nothing.
    let svg = &page[page.find("<svg ").unwrap()..page.find("</svg>").unwrap() + 6];
    let plot = plot(svg);
    assert_eq!((plot.buckets, plot.keys), (24, 3));
    let pixels = Pixels::of(svg);
    for col in 0..24 {
        assert_eq!(pixels.cell(&plot, 0, col), PRESENT, "AAA {col}");
        let bbb = if col < 12 { PRESENT } else { MISSING };
        assert_eq!(pixels.cell(&plot, 1, col), bbb, "BBB {col}");
        assert_eq!(pixels.cell(&plot, 2, col), MISSING, "CCC {col}");
    }

    let file = db.dir.join("site/report.html");
    let file_arg = file.to_str().unwrap();
    db.mendb(
        &[
            &["report", "--format", "html", "--output", file_arg][..],
            &at[..],
        ]
        .concat(),
    )
    .succeeds()
    .stdout_has("report.html");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), page);
    // The JSON is what it was: no ranges in it.
    let json = db
        .mendb(&[&["report", "--format", "json"][..], &at[..]].concat())
        .succeeds()
        .json();
    let fields: Vec<&String> = json["price_gaps"].as_object().unwrap().keys().collect();
    assert_eq!(fields.len(), 10, "{fields:?}");
    db.mendb(&[&["report", "--output", file_arg][..], &at[..]].concat())
        .fails_with(2)
        .stderr_has("--format html");
}

/// The demo's ending as pictures: before recovery every bucket of the
/// outage is missing; after, the symbols a source held are present, the
/// 67 no source held still missing.
#[test]
fn demo_draws_the_outage_before_and_after() {
    let dir = std::env::temp_dir().join(format!("mendb_t_demo_maps_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("demo.db");
    let maps = dir.join("maps");
    let run = common::mendb_with(
        "sqlite::memory:",
        &[
            "demo",
            "--scale",
            "0.02",
            "--file",
            file.to_str().unwrap(),
            "--gap-maps",
            maps.to_str().unwrap(),
        ],
        &[],
    );
    run.succeeds()
        .stdout_has("before.svg")
        .stdout_has("after.svg");
    let read = |name: &str| std::fs::read_to_string(maps.join(name)).unwrap();
    let (before, after) = (read("before.svg"), read("after.svg"));

    // From the first row (two hours of live collection at this scale)
    // to T0: the outage is seen against what worked before it.
    let plot_b = plot(&before);
    const LIVE: u32 = 24;
    assert_eq!(
        (plot_b.buckets, plot_b.keys),
        (LIVE + 576, 317),
        "2 + 48 hours, every symbol"
    );
    let pixels = Pixels::of(&before);
    for row in (0..317).step_by(7) {
        for col in (0..LIVE + 576).step_by(13) {
            let want = if col < LIVE { PRESENT } else { MISSING };
            assert_eq!(
                pixels.cell(&plot_b, row, col),
                want,
                "before ({row}, {col})"
            );
        }
    }
    let plot_a = plot(&after);
    let pixels = Pixels::of(&after);
    let present = (0..317)
        .filter(|&row| pixels.cell(&plot_a, row, LIVE + 300) == PRESENT)
        .count();
    let missing_rows = (0..317)
        .filter(|&row| (LIVE..LIVE + 576).all(|col| pixels.cell(&plot_a, row, col) == MISSING))
        .count();
    assert!(
        present >= 100,
        "{present} symbols present at the outage's middle"
    );
    assert_eq!(missing_rows, 67, "the symbols no source held");

    // Without the flag the demo writes no pictures and says nothing of them.
    let plain = common::mendb_with(
        "sqlite::memory:",
        &["demo", "--scale", "0.02", "--file", file.to_str().unwrap()],
        &[],
    );
    assert!(
        !plain.succeeds().stdout.contains("Wrote"),
        "{}",
        plain.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}
