//! `ecoband tornado`: one-at-a-time swings of every factor.

use crate::app::{AppError, check_outputs, load_with, write_json};
use crate::cli::TornadoArgs;
use crate::report::table;
use crate::result::{ScenarioInfo, TornadoResult, TornadoSettings};

pub fn tornado(args: &TornadoArgs) -> Result<String, AppError> {
    if !(args.low > 0.0 && args.low < args.high && args.high < 1.0) {
        return Err(AppError::Input(format!(
            "--low {} and --high {} are not allowed; they are probabilities with 0 < low < high < 1, e.g. 0.05 and 0.95",
            args.low, args.high
        )));
    }
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model) = load_with(&args.scenario, &args.overrides)?;
    let bars = crate::tornado::tornado(&model, args.low, args.high, args.baseline);
    let result = TornadoResult {
        kind: "tornado".into(),
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&scenario),
        settings: TornadoSettings {
            low: args.low,
            high: args.high,
            baseline: format!("{:?}", args.baseline).to_lowercase(),
            overrides: scenario.overrides.clone(),
        },
        tornado: model
            .layout()
            .categories
            .iter()
            .zip(bars)
            .map(|(c, t)| (c.id.to_string(), t))
            .collect(),
    };
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::with_overrides(
        table::tornado_table(
            &model,
            &result.tornado,
            (args.low, args.high),
            args.key_paths,
            args.all,
        ),
        &scenario.overrides,
    ))
}
