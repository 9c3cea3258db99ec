//! Thin entry point: parse the command line, call the library, map errors to
//! exit codes (2 for bad input, 3 for an answer outside a gate the user set,
//! 1 for anything else).

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use clap::Parser;

use ecoband::app::{self, AppError};
use ecoband::cli::Cli;
use ecoband::report::progress;

fn main() -> ExitCode {
    let cli = Cli::parse();
    progress::set_quiet(cli.quiet);
    match app::execute(cli.command) {
        Ok(text) if cli.quiet => {
            drop(text);
            ExitCode::SUCCESS
        }
        Ok(text) => print_out(&text),
        Err(AppError::Outside { report, reason }) => {
            if !cli.quiet {
                print_out(&report);
            }
            let _ = writeln!(std::io::stderr(), "{reason}");
            ExitCode::from(3)
        }
        Err(e) => {
            // Ignored: with stderr closed too there is nobody left to tell.
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(match e {
                AppError::Input(_) | AppError::Scenario(_) => 2,
                AppError::Io(_) => 1,
                AppError::Outside { .. } => 3,
            })
        }
    }
}

/// Writes the command's text to stdout. A reader that closed the pipe
/// early (`ecoband check … | head -1`) has taken all it wanted: that ends
/// the program quietly with success, not a panic.
fn print_out(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot write to standard output: {e}"
            );
            ExitCode::from(1)
        }
    }
}
