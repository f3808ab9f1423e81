//! Rendering of `init`: what was written, folder by folder, and the next
//! commands to run in the new project.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::Output;
use crate::cli::commands::init::Initialized;
use crate::cli::opt::Format;

impl Output {
    pub fn initialized(&self, done: &Initialized) {
        if self.format == Format::Json {
            return self.json(done);
        }
        let dir = done.dir.display();
        outln!(
            "Created a mendb project in {dir} ({} files; migrations for {})",
            done.files.len(),
            done.dialects.join(", ")
        );
        // The config file first: it is what ties the folders together.
        let mut listed: Vec<_> = folders(&done.files).into_iter().collect();
        listed.sort_by_key(|(_, count)| *count != 0);
        for (folder, count) in listed {
            let s = if count == 1 { "" } else { "s" };
            match count {
                0 => outln!("  {}", folder.display()),
                n => outln!("  {:<22} {n} file{s}", format!("{}/", folder.display())),
            }
        }
        let cd = if done.dir == Path::new(".") {
            String::new()
        } else {
            format!("cd {dir} && ")
        };
        let next = done.latest_version + 1;
        let dialect_dir = match done.dialects.as_slice() {
            [one] => format!("migrations/{one}/"),
            _ => "each migrations/<dialect>/".to_string(),
        };
        outln!();
        outln!("Next: set DATABASE_URL (or database_url in mendb.toml), then");
        let steps = [
            (
                format!("{cd}mendb migrate status"),
                format!("V1-V{} from this folder", done.latest_version),
            ),
            (
                "mendb migrate new NAME".to_string(),
                format!("V{next}, in {dialect_dir}"),
            ),
        ];
        let width = steps.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
        for (command, why) in steps {
            outln!("  {command:<width$}   # {why}");
        }
    }
}

/// Files counted by their folder (`migrations/mysql`, `contracts`); a
/// file at the top is listed by itself with a count of 0.
fn folders(files: &[PathBuf]) -> BTreeMap<PathBuf, usize> {
    let mut by = BTreeMap::new();
    for file in files {
        let parts: Vec<Component<'_>> = file.components().collect();
        let folder = match parts.as_slice() {
            [_] => file.clone(),
            [top, sub, _, ..] if top.as_os_str() == "migrations" => {
                Path::new(top.as_os_str()).join(sub.as_os_str())
            }
            [top, ..] => PathBuf::from(top.as_os_str()),
            [] => continue,
        };
        let count = by.entry(folder).or_insert(0);
        if parts.len() > 1 {
            *count += 1;
        }
    }
    by
}
