//! The `mps` command line: parses arguments, calls the library, prints errors once.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than the system allocator: a build allocates and frees many small strings
/// on every thread, and this takes about a tenth off a build's CPU time. `no_thp` keeps it from
/// backing the heap with transparent huge pages, which would nearly double peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "mps", version, about = "Builds a council's commissioning framework and Market Position Statement into a static website", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Preview the site: build, serve on localhost, rebuild on save and reload the browser.
    Serve {
        /// The site folder, holding site.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on. Anything but loopback shows drafts to your network.
        #[arg(long, default_value = "127.0.0.1", value_parser = mps::serve::parse_bind)]
        bind: std::net::IpAddr,
        /// Open the home page in the browser once it is ready.
        #[arg(long)]
        open: bool,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
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
    /// Check the site without writing anything: errors, and warnings about what is out of date or
    /// hard to use. Exits 1 on errors (and, with --strict, on warnings).
    Check {
        /// The site folder, holding site.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Fail on warnings too, not only on errors.
        #[arg(long)]
        strict: bool,
        /// Check pages marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
    },
    /// Start a new site in DIR, which must not exist or be empty.
    Init {
        /// The folder to create the site in.
        dir: PathBuf,
        /// Publish the site in these languages, the default first, such as `en-GB,cy` for
        /// English and Welsh: writes each page's translation and the data in both.
        #[arg(long, value_delimiter = ',')]
        languages: Vec<String>,
    },
    /// Add a page to the site.
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
}

#[derive(Subcommand)]
enum NewCommand {
    /// Add content/PATH.md, a draft page with front matter to fill in.
    Page {
        /// Where the page goes, relative to content/: `guidance/how-to-bid`.
        path: String,
        /// The site folder, holding site.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            root,
            port,
            bind,
            open,
            drafts,
        } => serve(root, port, bind, open, drafts),
        Command::Check {
            root,
            strict,
            drafts,
        } => check(root, strict, drafts),
        Command::Init { dir, languages } => init(&dir, &languages),
        Command::New {
            what: NewCommand::Page { path, root },
        } => new_page(&root, &path),
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
                        "Built {} ({}) into {}",
                        mps::format::count(s.pages as u64, "page", "pages"),
                        mps::format::count(s.files as u64, "file", "files"),
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

/// Runs `mps serve` until Ctrl-C.
fn serve(root: PathBuf, port: u16, bind: std::net::IpAddr, open: bool, drafts: bool) -> ExitCode {
    if !bind.is_loopback() {
        eprintln!(
            "warning: listening on {bind}, not loopback: anyone who can reach this machine can see the preview{}",
            if drafts { ", drafts included" } else { "" }
        );
    }
    let (tx, rx) = std::sync::mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = tx.send(());
    }) {
        eprintln!("warning: Ctrl-C will not stop the server cleanly: {e}");
    }
    let opts = mps::serve::ServeOptions {
        root,
        bind,
        port,
        drafts,
        verbose: true,
    };
    let server = match mps::serve::Server::start(opts) {
        Ok(s) => s,
        Err(e) => {
            eprint!("{}", mps::error::render(&e.diagnostics()));
            eprintln!("error: the preview server could not start");
            return ExitCode::FAILURE;
        }
    };
    let url = server.url();
    println!("Serving the site at {url} (Ctrl-C to stop)");
    let others = server.network_urls();
    if !others.is_empty() {
        println!("Other machines can use: {}", others.join(", "));
    }
    if open {
        if let Err(e) = open::that_detached(&url) {
            eprintln!("warning: could not open a browser ({e}); open {url} yourself");
        }
    }
    let _ = rx.recv();
    server.stop();
    println!("Stopped.");
    ExitCode::SUCCESS
}

/// Today's date where the user is: currency checks and new content are judged by it.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Runs `mps check`.
fn check(root: PathBuf, strict: bool, drafts: bool) -> ExitCode {
    let opts = mps::check::CheckOptions {
        root,
        drafts,
        today: today(),
    };
    let found = mps::check::check(&opts);
    eprint!("{}", mps::error::render(&found));
    let (errors, warnings) = mps::check::counts(&found);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if errors == 0 && warnings == 0 {
        println!("mps check: no problems found");
        return ExitCode::SUCCESS;
    }
    println!(
        "mps check: {errors} error{}, {warnings} warning{}{}",
        plural(errors),
        plural(warnings),
        if errors == 0 && !strict {
            " (warnings do not stop a build; --strict makes them fail)"
        } else {
            ""
        }
    );
    if errors > 0 || strict {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs `mps init DIR`.
fn init(dir: &std::path::Path, languages: &[String]) -> ExitCode {
    match mps::scaffold::init_in(dir, today(), languages) {
        Ok(files) => {
            println!(
                "Created a new site in {} ({}). Next:\n  cd {}\n  mps check\n  mps build",
                dir.display(),
                mps::format::count(files.len() as u64, "file", "files"),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", mps::error::render(&e.diagnostics()));
            ExitCode::FAILURE
        }
    }
}

/// Runs `mps new page PATH`.
fn new_page(root: &std::path::Path, path: &str) -> ExitCode {
    match mps::scaffold::new_page(root, path, today()) {
        Ok(file) => {
            println!(
                "Created {} as a draft: write it, then remove `draft: true` to publish it",
                file.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", mps::error::render(&e.diagnostics()));
            ExitCode::FAILURE
        }
    }
}
