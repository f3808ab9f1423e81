//! `mendb man`: manual pages in roff, generated from the clap definition:
//! `mendb.1` on stdout, or with `--output DIR` one page per command
//! (`mendb-migrate-up.1`...) written into DIR. Needs no database.

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};

use crate::cli::opt::Cli;
use crate::cli::render::Output;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write mendb.1 and a page per command into DIR (created if missing) instead of printing mendb.1
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
}

pub fn run(args: &ManArgs, out: &Output) -> std::io::Result<()> {
    let cmd = Cli::command();
    let Some(dir) = &args.output else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page)?;
        crate::cli::render::raw(&page);
        return Ok(());
    };
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    write_pages(cmd, "mendb", dir, &mut written)?;
    out.man_pages(&written);
    Ok(())
}

/// A page for `cmd` named after its path (`mendb-migrate-up.1`), and one
/// for each visible subcommand.
fn write_pages(
    cmd: clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let mut cmd = cmd
        .display_name(name.to_string())
        .disable_help_subcommand(true);
    cmd.build();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let sub_name = format!("{name}-{}", sub.get_name());
        write_pages(sub.clone(), &sub_name, dir, written)?;
    }
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page)?;
    std::fs::write(&path, page)?;
    written.push(path);
    Ok(())
}
