//! `ecoband check`: validates a scenario and lists every uncertain factor
//! and fixed input with its source.

use crate::app::{AppError, load};
use crate::cli::ScenarioArg;
use crate::report::table;

pub fn check(args: &ScenarioArg) -> Result<String, AppError> {
    let (_, model) = load(&args.scenario)?;
    Ok(table::factor_table(&model))
}
