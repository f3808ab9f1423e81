//! Renders SVG files to PNG with resvg, as the tests see them, for the
//! pictures in docs/ (docs/gaps.md says how they are made):
//!
//! ```text
//! cargo run --example svg_to_png -- IN.svg OUT.png [IN.svg OUT.png ...]
//! ```
//!
//! Labels use the system's fonts, the generic `sans-serif` mapped to
//! DejaVu Sans when it is installed, so the PNGs do not depend on which
//! font fontconfig happens to prefer.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        eprintln!("usage: svg_to_png IN.svg OUT.png [IN.svg OUT.png ...]");
        return ExitCode::from(2);
    }
    let mut options = resvg::usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    if fonts
        .faces()
        .any(|f| f.families.iter().any(|(n, _)| n == "DejaVu Sans"))
    {
        fonts.set_sans_serif_family("DejaVu Sans");
    }
    for pair in args.chunks(2) {
        if let Err(e) = convert(&pair[0], &pair[1], &options) {
            eprintln!("{} -> {}: {e}", pair[0], pair[1]);
            return ExitCode::FAILURE;
        }
        println!("Wrote {}", pair[1]);
    }
    ExitCode::SUCCESS
}

fn convert(input: &str, output: &str, options: &resvg::usvg::Options) -> Result<(), String> {
    let text = std::fs::read_to_string(input).map_err(|e| e.to_string())?;
    let tree = resvg::usvg::Tree::from_str(&text, options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or("the picture has no pixels")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.save_png(output).map_err(|e| e.to_string())
}
