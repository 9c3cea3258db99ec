//! `ecoband man [COMMAND]`: the manual page in roff, rendered by
//! `clap_mangen` from the parser's own definitions.

use clap::CommandFactory;

use crate::app::AppError;
use crate::cli::{Cli, ManArgs};

pub fn man(args: &ManArgs) -> Result<String, AppError> {
    let cli = Cli::command();
    let page = match &args.command {
        None => clap_mangen::Man::new(cli),
        Some(name) => {
            let Some(sub) = cli.find_subcommand(name) else {
                let known: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                return Err(AppError::Input(format!(
                    "unknown command `{name}`; the commands are: {}",
                    known.join(", ")
                )));
            };
            // Named as man(1) expects a subcommand's page: ecoband-run(1).
            let sub = sub
                .clone()
                .name(format!("ecoband-{name}"))
                .version(env!("CARGO_PKG_VERSION"));
            clap_mangen::Man::new(sub)
        }
    };
    let mut roff = Vec::new();
    page.render(&mut roff)
        .map_err(|e| AppError::Io(format!("cannot render the manual page: {e}")))?;
    String::from_utf8(roff).map_err(|e| AppError::Io(format!("the manual page is not UTF-8: {e}")))
}
