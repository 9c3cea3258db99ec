//! `ecoband check`: validates a scenario and lists every uncertain factor
//! and fixed input with its source.

use crate::app::{AppError, load_with};
use crate::cli::ScenarioArg;
use crate::report::table;

pub fn check(args: &ScenarioArg) -> Result<String, AppError> {
    let (scenario, model) = load_with(&args.scenario, &args.overrides)?;
    Ok(table::with_overrides(
        table::factor_table(&model),
        &scenario.overrides,
    ))
}
