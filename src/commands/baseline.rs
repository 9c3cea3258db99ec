//! `ecoband baseline`: the deterministic point estimate (every input at its
//! nominal value) with its breakdown by scope and tag.

use indexmap::IndexMap;

use crate::app::{AppError, check_outputs, load_with, write_json};
use crate::cli::BaselineArgs;
use crate::model::Series;
use crate::report::table;
use crate::result::{
    BaselineImpact, BaselineResult, BaselineSettings, EnergySplitJson as EnergyJson, ScenarioInfo,
};

pub fn baseline(args: &BaselineArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model) = load_with(&args.scenario, &args.overrides)?;
    let (outputs, split) = model.baseline();
    if let Some(out) = &args.out {
        let layout = model.layout();
        let mut baseline = IndexMap::new();
        for (c, cat) in layout.categories.iter().enumerate() {
            let mut by_tag: IndexMap<String, IndexMap<String, f64>> = IndexMap::new();
            for (t, (name, value)) in layout.tag_values.iter().enumerate() {
                by_tag
                    .entry(name.clone())
                    .or_default()
                    .insert(value.clone(), outputs[layout.index(c, Series::Tag(t))]);
            }
            baseline.insert(
                cat.id.to_string(),
                BaselineImpact {
                    unit: cat.unit.to_string(),
                    total: outputs[layout.index(c, Series::Total)],
                    by_scope: layout
                        .scopes
                        .iter()
                        .enumerate()
                        .map(|(s, name)| {
                            (name.to_string(), outputs[layout.index(c, Series::Scope(s))])
                        })
                        .collect(),
                    by_tag,
                },
            );
        }
        let result = BaselineResult {
            kind: "baseline".into(),
            ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: ScenarioInfo::of(&scenario),
            settings: BaselineSettings {
                overrides: scenario.overrides.clone(),
            },
            energy: split.as_ref().map(|split| EnergyJson {
                it_kwh: split.it_kwh,
                facility_kwh: split.facility_kwh,
                idle_kwh: split.idle_kwh,
            }),
            baseline,
        };
        write_json(out, &result)?;
    }
    Ok(table::with_overrides(
        table::baseline_table(&model, &outputs, split.as_ref()),
        &scenario.overrides,
    ))
}
