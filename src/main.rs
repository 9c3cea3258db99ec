//! Thin entry point: parse the command line, call the library, map errors to
//! exit codes (2 for bad input, 1 for anything else).

use std::process::ExitCode;

use clap::Parser;

use ecoband::app::{self, AppError};
use ecoband::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match app::execute(cli.command) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(match e {
                AppError::Input(_) | AppError::Scenario(_) => 2,
                AppError::Io(_) => 1,
            })
        }
    }
}
