//! The crate's modules depend in one direction only: each top-level module
//! may use modules of a lower layer, never one of its own layer or above.
//! docs/architecture.md draws the same layers; change both together.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. Modules in one layer may not use each other.
const LAYERS: &[&[&str]] = &[
    &["exit", "checksum", "time", "position"],
    &["sql"],
    &["db"],
    &["migrate"],
    &["backfill", "gaps", "fixtures"],
    &["report", "verify"],
    &["metrics"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under src/ belongs to.
fn owner(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::NAME` a file's code (not its comments) mentions.
fn uses(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            rest = after;
        }
    }
    found
}

#[test]
fn every_module_uses_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    let mut unplaced = BTreeSet::new();
    for file in &files {
        let module = owner(&src, file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            unplaced.insert(module);
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for used in uses(&text) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                _ => wrong.push(format!(
                    "{}: `{module}` uses `crate::{used}`",
                    file.strip_prefix(&src).unwrap().display()
                )),
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules missing from LAYERS: {unplaced:?}"
    );
    assert!(
        wrong.is_empty(),
        "edges sideways or upwards:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_edge() {
    let found = uses("use crate::cli::read_time; // crate::ignored\n");
    assert_eq!(found.into_iter().collect::<Vec<_>>(), vec!["cli"]);
}
