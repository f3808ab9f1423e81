//! `mendb completions SHELL`: the shell's completion script on stdout,
//! generated from the same clap definition the binary parses with, so it
//! never lists a flag the binary lacks. Needs no database.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::opt::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: &CompletionsArgs) {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "mendb", &mut script);
    crate::cli::render::raw(&script);
}
