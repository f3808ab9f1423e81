//! The gap map: one row per key, time on the x axis, each bucket present
//! or missing in a colour of its own, as an SVG picture written by hand.
//! A window too long or too many keys for one pixel each are folded into
//! cells of several buckets (and keys), coloured by the share missing, so
//! the picture stays within `MAX_PLOT_W` × `MAX_PLOT_H` whatever the
//! report holds. Integer arithmetic and ordered iteration only: the same
//! report gives the same bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::human::count;
use super::{Output, raw, xml_text};
use crate::gaps::GapReport;
use crate::gaps::window::{epoch_to_time, format_every, time_to_epoch};

/// A colour as `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// A bucket with at least one row (docs/gaps.md names both colours).
pub const PRESENT: Rgb = Rgb(0x9e, 0xca, 0xe1);
/// A bucket without a row.
pub const MISSING: Rgb = Rgb(0xd6, 0x27, 0x28);

/// The plot area never grows past these, in pixels.
pub const MAX_PLOT_W: u64 = 1000;
pub const MAX_PLOT_H: u64 = 640;
/// A short window or few keys get wider cells and taller rows, up to these.
const MAX_CELL_W: u64 = 24;
const MAX_ROW_H: u64 = 16;
/// Rows at least this tall get a label each; shorter ones every few rows.
const LABEL_PITCH: u64 = 12;
/// Longer keys are cut, so one long key cannot widen the picture.
const MAX_LABEL_CHARS: usize = 24;
/// Shades between present and missing for a cell partly missing: few
/// enough to tell apart, and none equal to either end.
const PARTIAL_LEVELS: u64 = 8;
const MARGIN: u64 = 16;
/// Text is measured by its characters: 11 px sans-serif averages under
/// 6.5 px a character, so this over-estimates and nothing overlaps.
const CHAR_W_TENTHS: u64 = 65;
/// Room for a time label (`2025-09-28 12:00`) between two axis ticks.
const TICK_SPACING: u64 = 130;

/// How buckets and keys fold into cells.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grid {
    buckets: u64,
    keys: Vec<String>,
    buckets_per_col: u64,
    keys_per_row: u64,
    cols: u64,
    rows: u64,
    cell_w: u64,
    row_h: u64,
    /// Missing buckets per cell, row by row.
    missing: Vec<u64>,
}

impl Grid {
    fn new(report: &GapReport) -> Grid {
        // Every key the report names, also one only a range names.
        let keys: Vec<String> = report
            .keys
            .iter()
            .chain(report.ranges.iter().map(|r| &r.key))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let buckets = report.window_buckets;
        let (buckets_per_col, cell_w) = fold(buckets, MAX_PLOT_W, MAX_CELL_W);
        let (keys_per_row, row_h) = fold(keys.len() as u64, MAX_PLOT_H, MAX_ROW_H);
        let cols = buckets.div_ceil(buckets_per_col);
        let rows = (keys.len() as u64).div_ceil(keys_per_row);
        let mut grid = Grid {
            buckets,
            keys,
            buckets_per_col,
            keys_per_row,
            cols,
            rows,
            cell_w,
            row_h,
            missing: vec![0; (cols * rows) as usize],
        };
        grid.count(report);
        grid
    }

    fn count(&mut self, report: &GapReport) {
        if self.buckets == 0 {
            return;
        }
        let since = time_to_epoch(report.since);
        let every = report.every_secs.max(1) as i64;
        let last = self.buckets as i64 - 1;
        let bucket = |t| ((time_to_epoch(t) - since).div_euclid(every)).clamp(0, last) as u64;
        for r in &report.ranges {
            let Ok(k) = self.keys.binary_search(&r.key) else {
                continue;
            };
            let row = k as u64 / self.keys_per_row;
            let (b0, b1) = (bucket(r.from), bucket(r.to));
            for col in b0 / self.buckets_per_col..=b1 / self.buckets_per_col {
                let lo = b0.max(col * self.buckets_per_col);
                let hi = b1.min((col + 1) * self.buckets_per_col - 1);
                self.missing[(row * self.cols + col) as usize] += hi - lo + 1;
            }
        }
    }

    /// Buckets a cell stands for: the last column and row may be narrower.
    fn cell_total(&self, row: u64, col: u64) -> u64 {
        let keys = self
            .keys_per_row
            .min(self.keys.len() as u64 - row * self.keys_per_row);
        let buckets = self
            .buckets_per_col
            .min(self.buckets - col * self.buckets_per_col);
        keys * buckets
    }

    fn plot_w(&self) -> u64 {
        self.cols * self.cell_w
    }

    fn plot_h(&self) -> u64 {
        self.rows * self.row_h
    }

    fn is_empty(&self) -> bool {
        self.cols == 0 || self.rows == 0
    }
}

/// How many items go into one cell, and how many pixels a cell gets, for
/// `n` items in at most `max` pixels: one item per cell and up to
/// `max_cell` pixels while they fit, else as few items per one-pixel cell
/// as fit.
fn fold(n: u64, max: u64, max_cell: u64) -> (u64, u64) {
    match n {
        0 => (1, max_cell),
        n if n <= max => (1, (max / n).clamp(1, max_cell)),
        n => (n.div_ceil(max), 1),
    }
}

/// The colour of a cell with `missing` of `total` buckets missing; `None`
/// when all are present (the plot's background).
fn cell_colour(missing: u64, total: u64) -> Option<Rgb> {
    if missing == 0 {
        return None;
    }
    if missing >= total {
        return Some(MISSING);
    }
    let level = (missing * PARTIAL_LEVELS)
        .div_ceil(total)
        .clamp(1, PARTIAL_LEVELS);
    Some(partial(level))
}

/// Partial shade `level` of `1..=PARTIAL_LEVELS`: from a fifth of the way
/// to missing up to four fifths, so a cell with one bucket missing is
/// still seen and one with one bucket present still differs from missing.
fn partial(level: u64) -> Rgb {
    let per_mille = 200 + 600 * (level - 1) / (PARTIAL_LEVELS - 1);
    let mix = |p: u8, m: u8| {
        let (p, m) = (i64::from(p), i64::from(m));
        (p + (m - p) * per_mille as i64 / 1000) as u8
    };
    Rgb(
        mix(PRESENT.0, MISSING.0),
        mix(PRESENT.1, MISSING.1),
        mix(PRESENT.2, MISSING.2),
    )
}

/// A coloured rectangle of cells, in cell units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    col: u64,
    cols: u64,
    row: u64,
    rows: u64,
    colour: Rgb,
}

/// The cells not present, as few rectangles as a simple pass finds: runs of
/// one colour along a row, stacked with the same run of the rows below.
/// A key fully missing, or an outage over many keys at once, is one
/// rectangle instead of thousands of cells.
fn spans(grid: &Grid) -> Vec<Span> {
    let mut done = Vec::new();
    let mut open: Vec<Span> = Vec::new();
    for row in 0..grid.rows {
        let mut runs: Vec<Span> = Vec::new();
        for col in 0..grid.cols {
            let missing = grid.missing[(row * grid.cols + col) as usize];
            let Some(colour) = cell_colour(missing, grid.cell_total(row, col)) else {
                continue;
            };
            match runs.last_mut() {
                Some(run) if run.colour == colour && run.col + run.cols == col => run.cols += 1,
                _ => runs.push(Span {
                    col,
                    cols: 1,
                    row,
                    rows: 1,
                    colour,
                }),
            }
        }
        let mut still_open = Vec::new();
        for run in runs {
            let above = open
                .iter()
                .position(|o| o.col == run.col && o.cols == run.cols && o.colour == run.colour);
            match above {
                Some(i) => {
                    let mut grown = open.swap_remove(i);
                    grown.rows += 1;
                    still_open.push(grown);
                }
                None => still_open.push(run),
            }
        }
        done.append(&mut open);
        open = still_open;
    }
    done.append(&mut open);
    done.sort_by_key(|s| (s.row, s.col));
    done
}

/// Estimated width of `chars` characters of 11 px text.
fn text_w(chars: usize) -> u64 {
    (chars as u64 * CHAR_W_TENTHS).div_ceil(10)
}

/// A UTC time to the minute, with seconds only when there are any.
fn minute(epoch: i64) -> String {
    let t = epoch_to_time(epoch);
    if epoch.rem_euclid(60) == 0 {
        t.format("%Y-%m-%d %H:%M").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// A key as its label: cut to `MAX_LABEL_CHARS`.
fn label(key: &str) -> String {
    if key.chars().count() <= MAX_LABEL_CHARS {
        key.to_string()
    } else {
        let cut: String = key.chars().take(MAX_LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// Rows that get a label: every row when rows are tall enough, else every
/// `step`-th, so labels never overlap.
fn labelled_rows(grid: &Grid) -> impl Iterator<Item = u64> {
    let step = LABEL_PITCH.div_ceil(grid.row_h.max(1));
    (0..grid.rows).step_by(step as usize)
}

/// The distance between two axis ticks: the shortest of these that leaves
/// `TICK_SPACING` pixels between labels.
fn tick_interval(span_secs: u64, plot_w: u64) -> u64 {
    const NICE: [u64; 17] = [
        60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
        1_209_600, 2_592_000, 7_776_000, 31_536_000,
    ];
    let fits = |secs: u64| secs.saturating_mul(plot_w.max(1)) >= TICK_SPACING * span_secs;
    NICE.into_iter()
        .find(|&s| fits(s))
        .unwrap_or_else(|| span_secs.max(1))
}

impl Output {
    /// `gaps --format svg` without `--output`: the picture on stdout.
    pub fn gap_map(&self, report: &GapReport) {
        raw(gap_map(report).as_bytes());
    }

    /// A picture written to a file instead: where, and what it shows.
    pub fn gap_map_written(&self, file: &std::path::Path, report: &GapReport) {
        outln!("Wrote {} ({})", file.display(), map_summary(report));
    }
}

/// What a written gap map shows, for the line that says it was written.
pub fn map_summary(report: &GapReport) -> String {
    format!(
        "gap map of {}: {} keys, {} buckets of {}, {} missing",
        report.table,
        count(report.keys_checked),
        count(report.window_buckets),
        report.every_text(),
        count(report.buckets_missing)
    )
}

/// The gap map of `report` as an SVG document.
pub fn gap_map(report: &GapReport) -> String {
    let grid = Grid::new(report);
    let every = report.every_secs.max(1);
    let since = time_to_epoch(report.since);
    let until = time_to_epoch(report.until);

    let (plot_w, plot_h) = if grid.is_empty() {
        (400, 40)
    } else {
        (grid.plot_w(), grid.plot_h())
    };
    let label_chars = labelled_rows(&grid)
        .map(|r| {
            label(&grid.keys[(r * grid.keys_per_row) as usize])
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    let x0 = (MARGIN + text_w(label_chars) + 8).max(72);
    let y0 = 84;
    let axis_y = y0 + plot_h;
    let legend_y = axis_y + 66;
    let title = format!("Gaps in {}, every {}", report.table, report.every_text());
    let window = format!("[{}, {}) UTC", minute(since), minute(until));
    let totals = format!(
        "{} of {} buckets missing; {} of {} keys with gaps ({} fully missing)",
        count(report.buckets_missing),
        count(report.buckets_expected),
        count(report.keys_with_gaps),
        count(report.keys_checked),
        count(report.keys_fully_missing),
    );
    let scale = scale_text(&grid, every);
    let folded = grid.buckets_per_col > 1 || grid.keys_per_row > 1;
    let legend_w = 330 + if folded { 230 } else { 0 };
    // On the right, room for half the label of a tick at the window's end.
    let width = (x0 + plot_w + text_w(10))
        .max(MARGIN * 2 + text_w(totals.chars().count().max(title.chars().count() * 3 / 2)))
        .max(x0 + legend_w)
        .max(MARGIN * 2 + text_w(scale.chars().count()));
    let height = legend_y + 48;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(
        s,
        "<title>{} {}</title>",
        xml_text(&title),
        xml_text(&window)
    );
    let _ = writeln!(
        s,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"26\" font-size=\"16\" font-weight=\"bold\">{}</text>",
        xml_text(&title)
    );
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"46\" font-size=\"12\">{}</text>",
        xml_text(&window)
    );
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"64\" font-size=\"12\">{}</text>",
        xml_text(&totals)
    );

    // The plot: its background is the present colour, the cells drawn on
    // it the others. The data-* attributes state the geometry, so a reader
    // of the file can find a bucket's pixel without redoing this layout.
    let _ = writeln!(s, "<g id=\"cells\" shape-rendering=\"crispEdges\">");
    let _ = writeln!(
        s,
        "<rect id=\"plot\" x=\"{x0}\" y=\"{y0}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"{}\" \
         data-buckets=\"{}\" data-keys=\"{}\" data-buckets-per-column=\"{}\" data-keys-per-row=\"{}\" \
         data-cell-width=\"{}\" data-row-height=\"{}\"/>",
        if grid.is_empty() {
            "#ffffff".to_string()
        } else {
            PRESENT.hex()
        },
        grid.buckets,
        grid.keys.len(),
        grid.buckets_per_col,
        grid.keys_per_row,
        grid.cell_w,
        grid.row_h,
    );
    for span in spans(&grid) {
        let _ = writeln!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
            x0 + span.col * grid.cell_w,
            y0 + span.row * grid.row_h,
            span.cols * grid.cell_w,
            span.rows * grid.row_h,
            span.colour.hex()
        );
    }
    let _ = writeln!(s, "</g>");
    // The frame lies just outside the plot, so it covers no cell.
    let _ = writeln!(
        s,
        "<rect x=\"{}.5\" y=\"{}.5\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1\"/>",
        x0 - 1,
        y0 - 1,
        plot_w + 1,
        plot_h + 1
    );
    if grid.is_empty() {
        let why = if grid.keys.is_empty() {
            "no key was checked"
        } else {
            "the window holds no complete bucket"
        };
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{why}</text>",
            x0 + plot_w / 2,
            y0 + plot_h / 2 + 4
        );
    }

    key_labels(&mut s, &grid, x0, y0);
    time_axis(&mut s, plot_w, x0, axis_y, since, until);
    legend(&mut s, folded, x0, legend_y, &scale);
    let _ = writeln!(s, "</svg>");
    s
}

fn scale_text(grid: &Grid, every: u64) -> String {
    let x = if grid.cell_w > 1 {
        format!("1 bucket ({}) = {} px", format_every(every), grid.cell_w)
    } else if grid.buckets_per_col > 1 {
        format!(
            "1 px = {} ({} buckets of {})",
            format_every(every * grid.buckets_per_col),
            grid.buckets_per_col,
            format_every(every)
        )
    } else {
        format!("1 px = 1 bucket ({})", format_every(every))
    };
    let y = match (grid.keys_per_row, grid.row_h) {
        (1, 1) => "1 px = 1 key".to_string(),
        (1, h) => format!("1 row = 1 key ({h} px)"),
        (n, _) => format!("1 px = {n} keys"),
    };
    format!("Scale: {x}, {y}")
}

fn key_labels(s: &mut String, grid: &Grid, x0: u64, y0: u64) {
    let _ = writeln!(s, "<g id=\"keys\" text-anchor=\"end\" font-size=\"10\">");
    let every_row = grid.row_h >= LABEL_PITCH;
    for row in labelled_rows(grid) {
        let key = &grid.keys[(row * grid.keys_per_row) as usize];
        // In half pixels, so a row of odd height has its true middle.
        let mid = y0 * 2 + row * grid.row_h * 2 + grid.row_h;
        // When labels skip rows, a tick marks the row a label names.
        if !every_row {
            let _ = writeln!(
                s,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555555\"/>",
                x0 - 5,
                half(mid),
                x0 - 1,
                half(mid)
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            x0 - 7,
            half(mid + 7),
            xml_text(&label(key))
        );
    }
    let _ = writeln!(s, "</g>");
}

/// `twice / 2` as SVG writes it: whole, or with `.5`.
fn half(twice: u64) -> String {
    if twice.is_multiple_of(2) {
        (twice / 2).to_string()
    } else {
        format!("{}.5", twice / 2)
    }
}

fn time_axis(s: &mut String, plot_w: u64, x0: u64, axis_y: u64, since: i64, until: i64) {
    let span = (until - since).max(0) as u64;
    let _ = writeln!(s, "<g id=\"axis\">");
    if span > 0 {
        let interval = tick_interval(span, plot_w);
        let first = since.div_euclid(interval as i64) * interval as i64;
        let mut t = if first < since {
            first + interval as i64
        } else {
            first
        };
        while t <= until {
            let x = x0 + ((t - since) as u128 * plot_w as u128 / span as u128) as u64;
            let _ = writeln!(
                s,
                "<line x1=\"{x}.5\" y1=\"{}\" x2=\"{x}.5\" y2=\"{}\" stroke=\"#555555\"/>",
                axis_y + 1,
                axis_y + 6
            );
            let _ = writeln!(
                s,
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                axis_y + 18,
                minute(t)
            );
            t += interval as i64;
        }
    }
    let start = format!("start {} UTC", minute(since));
    let end = format!("end {} UTC (exclusive)", minute(until));
    let line = axis_y + 36;
    if text_w(start.len() + end.len()) + 24 <= plot_w {
        let _ = writeln!(s, "<text x=\"{x0}\" y=\"{line}\">{start}</text>");
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{line}\" text-anchor=\"end\">{end}</text>",
            x0 + plot_w
        );
    } else {
        let _ = writeln!(s, "<text x=\"{x0}\" y=\"{line}\">{start}, {end}</text>");
    }
    let _ = writeln!(s, "</g>");
}

fn legend(s: &mut String, folded: bool, x0: u64, y: u64, scale: &str) {
    let _ = writeln!(s, "<g id=\"legend\" shape-rendering=\"crispEdges\">");
    let mut x = x0;
    let swatch = |s: &mut String, x: &mut u64, colour: Rgb, text: &str| {
        let _ = writeln!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\" stroke=\"#555555\"/>",
            y - 11,
            colour.hex()
        );
        let _ = writeln!(s, "<text x=\"{}\" y=\"{y}\">{text}</text>", *x + 19);
        *x += 19 + text_w(text.len()) + 18;
    };
    swatch(s, &mut x, PRESENT, "present (a row in the bucket)");
    if folded {
        for level in 1..=PARTIAL_LEVELS {
            let _ = writeln!(
                s,
                "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"14\" fill=\"{}\"/>",
                y - 11,
                partial(level).hex()
            );
            x += 10;
        }
        let text = "partly missing (share)";
        let _ = writeln!(s, "<text x=\"{}\" y=\"{y}\">{text}</text>", x + 5);
        x += 5 + text_w(text.len()) + 18;
    }
    swatch(s, &mut x, MISSING, "missing");
    let _ = writeln!(
        s,
        "<text x=\"{x0}\" y=\"{}\">{}</text>",
        y + 22,
        xml_text(scale)
    );
    let _ = writeln!(s, "</g>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gaps::GapRange;
    use chrono::NaiveDateTime;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn report(keys: &[&str], buckets: u64, ranges: Vec<GapRange>) -> GapReport {
        let since = t("2025-09-28 12:00:00");
        GapReport {
            table: "price_data_real".into(),
            key: "symbol".into(),
            time: "timestamp".into(),
            every_secs: 300,
            since,
            until: since + chrono::Duration::seconds(300 * buckets as i64),
            window_buckets: buckets,
            keys_checked: keys.len() as u64,
            keys_with_gaps: 0,
            keys_fully_missing: 0,
            buckets_expected: keys.len() as u64 * buckets,
            buckets_missing: ranges.iter().map(|r| r.missing).sum(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            ranges,
        }
    }

    fn range(key: &str, from: &str, to: &str, missing: u64) -> GapRange {
        GapRange {
            key: key.into(),
            from: t(from),
            to: t(to),
            missing,
        }
    }

    #[test]
    fn folds_only_what_does_not_fit() {
        assert_eq!(fold(24, 1000, 24), (1, 24));
        assert_eq!(fold(576, 1000, 24), (1, 1));
        assert_eq!(fold(2016, 1000, 24), (3, 1));
        assert_eq!(fold(317, 640, 16), (1, 2));
        assert_eq!(fold(5000, 640, 16), (8, 1));
    }

    #[test]
    fn a_partly_missing_cell_differs_from_both_ends() {
        for level in 1..=PARTIAL_LEVELS {
            assert_ne!(partial(level), PRESENT);
            assert_ne!(partial(level), MISSING);
        }
        assert_eq!(cell_colour(0, 3), None);
        assert_eq!(cell_colour(3, 3), Some(MISSING));
        assert_eq!(cell_colour(1, 3000), Some(partial(1)));
        assert_eq!(cell_colour(2999, 3000), Some(partial(PARTIAL_LEVELS)));
    }

    #[test]
    fn cells_count_the_buckets_of_ranges() {
        // A week of 5-minute buckets folds three to a pixel column; a
        // range from bucket 2 to 6 touches columns 0 (one bucket), 1 (all
        // three) and 2 (one).
        let r = report(
            &["AAA", "BBB"],
            2016,
            vec![range(
                "BBB",
                "2025-09-28 12:10:00",
                "2025-09-28 12:30:00",
                5,
            )],
        );
        let g = Grid::new(&r);
        assert_eq!((g.cols, g.buckets_per_col), (672, 3));
        let row = &g.missing[672..675];
        assert_eq!(row, [1, 3, 1]);
        assert!(g.missing[..672].iter().all(|&m| m == 0));
    }

    #[test]
    fn fully_missing_keys_next_to_each_other_are_one_rectangle() {
        let r = report(
            &["AAA", "BBB", "CCC"],
            576,
            vec![
                range("AAA", "2025-09-28 12:00:00", "2025-09-30 11:55:00", 576),
                range("BBB", "2025-09-28 12:00:00", "2025-09-30 11:55:00", 576),
            ],
        );
        let spans = spans(&Grid::new(&r));
        assert_eq!(
            spans,
            [Span {
                col: 0,
                cols: 576,
                row: 0,
                rows: 2,
                colour: MISSING
            }]
        );
    }

    #[test]
    fn the_same_report_gives_the_same_bytes() {
        let r = report(
            &["A&B", "C<D"],
            24,
            vec![range(
                "C<D",
                "2025-09-28 12:10:00",
                "2025-09-28 12:30:00",
                5,
            )],
        );
        let svg = gap_map(&r);
        assert_eq!(svg, gap_map(&r));
        assert!(svg.contains("A&amp;B") && svg.contains("C&lt;D"), "{svg}");
        assert!(!svg.contains("C<D"), "{svg}");
    }

    #[test]
    fn an_empty_report_still_draws() {
        let svg = gap_map(&report(&[], 0, Vec::new()));
        assert!(svg.contains("no key was checked"), "{svg}");
        let svg = gap_map(&report(&["AAA"], 0, Vec::new()));
        assert!(svg.contains("no complete bucket"), "{svg}");
    }
}
