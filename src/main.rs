//! The `mps` command line: parses arguments, calls the library, prints errors once.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "mps", version, about = "Builds a council's commissioning framework and Market Position Statement into a static website", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into public/ (or --output).
    Build {
        /// The site folder, holding site.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            drafts,
        } => {
            let opts = mps::BuildOptions {
                root,
                output,
                drafts,
            };
            match mps::build(&opts) {
                Ok(s) => {
                    println!(
                        "Built {} pages ({} files) into {}",
                        s.pages,
                        s.files,
                        s.output.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
    }
}

fn fail(e: &mps::Error) -> ExitCode {
    let d = e.diagnostics();
    eprint!("{}", mps::error::render(&d));
    let n = d.len();
    eprintln!(
        "error: the build stopped with {n} problem{}; nothing was written",
        if n == 1 { "" } else { "s" }
    );
    ExitCode::FAILURE
}
