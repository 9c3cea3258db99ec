//! `ecoband claim`: where a published figure sits in the scenario's
//! distribution, in one screen, with an exit status that can gate scripts.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::analyze::Summary;
use crate::analyze::proportion::Proportion;
use crate::app::{AppError, check_outputs, load_with, write_json};
use crate::cli::ClaimArgs;
use crate::model::format_number;
use crate::report::table;
use crate::result::{RunSettings, ScenarioInfo};

use super::run::{ExceedSpec, options, quantity, simulate};

/// The claim and what the scenario says of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimCheck {
    /// Output as given (`gwp`, `gwp.embodied` …), its category and series.
    pub output: String,
    pub impact: String,
    pub series: String,
    /// The published figure as given and in the output's unit.
    pub value_given: String,
    pub value: f64,
    pub unit: String,
    /// P(output ≤ value): the figure's percentile / 100, counted exactly.
    pub p_at_most: Proportion,
    /// The interval method of `p_at_most` ("wilson" or Student-t over the
    /// replicates).
    pub interval_method: String,
    /// The deterministic baseline and its percentile (mid-rank) / 100.
    pub baseline: f64,
    pub baseline_percentile: f64,
    /// The output's statistics (quantiles 0.05, 0.5, 0.95 among them).
    pub distribution: Summary,
    /// `--fail-outside`, and whether the figure's percentile is inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_outside: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inside: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimResult {
    pub kind: String,
    pub ecoband_version: String,
    pub scenario: ScenarioInfo,
    pub settings: RunSettings,
    pub claim: ClaimCheck,
}

fn gate(bounds: &[f64]) -> Result<Option<[f64; 2]>, AppError> {
    match bounds {
        [] => Ok(None),
        [low, high] if 0.0 <= *low && low < high && *high <= 1.0 => Ok(Some([*low, *high])),
        _ => Err(AppError::Input(format!(
            "--fail-outside {} is not allowed; it is two probabilities LOW,HIGH with 0 ≤ LOW < HIGH ≤ 1, e.g. 0.05,0.95",
            bounds
                .iter()
                .map(f64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ))),
    }
}

pub fn claim(args: &ClaimArgs) -> Result<String, AppError> {
    let fail_outside = gate(&args.fail_outside)?;
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model) = load_with(&args.scenario, &args.overrides)?;
    let layout = model.layout();
    let series = layout
        .find_series(args.impact.trim())
        .map_err(|e| AppError::Input(format!("--impact {}: {e}", args.impact)))?;
    let value = quantity(&model, series, &args.value, args.unit.as_deref())
        .map_err(|e| AppError::Input(format!("--value {}: {e}", args.value)))?;
    let mut opts = options(&args.sampling, &scenario)?;
    opts.exceed = vec![ExceedSpec {
        given: args.impact.clone(),
        series,
        threshold: value,
    }];
    opts.percentile_of = vec![series];
    let run = simulate(&scenario, &model, &opts)?;
    let exceed = &run.exceedances[0];
    let (category, series_name) = layout.category_and_series(series);
    let impact = &run.impacts[category.id];
    // The series by its place in the layout (tag names may hold dots).
    let offset = series % layout.stride();
    let distribution = if offset == 0 {
        impact.total.clone()
    } else if offset <= layout.scopes.len() {
        impact.by_scope[layout.scopes[offset - 1]].clone()
    } else {
        let (tag, value) = &layout.tag_values[offset - 1 - layout.scopes.len()];
        impact.by_tag[tag][value].clone()
    };
    // P(≤ v) is the complement of the exceedance counted during the run.
    let above = &exceed.probability;
    let p_at_most = Proportion {
        count: above.samples - above.count,
        samples: above.samples,
        p: 1.0 - above.p,
        mc_se: above.mc_se,
        interval: [1.0 - above.interval[1], 1.0 - above.interval[0]],
        level: above.level,
    };
    let inside = fail_outside.map(|[lo, hi]| lo <= p_at_most.p && p_at_most.p <= hi);
    let value_given = match &args.unit {
        Some(u) => format!("{} {u}", args.value),
        None => args.value.clone(),
    };
    let check = ClaimCheck {
        output: args.impact.clone(),
        impact: category.id.to_string(),
        series: series_name,
        value_given,
        value,
        unit: category.unit.to_string(),
        p_at_most,
        interval_method: exceed.interval_method.clone(),
        baseline: distribution.baseline,
        baseline_percentile: distribution.baseline_percentile.unwrap_or(f64::NAN),
        distribution,
        fail_outside,
        inside,
    };
    let result = ClaimResult {
        kind: "claim".into(),
        ecoband_version: run.ecoband_version.clone(),
        scenario: run.scenario.clone(),
        settings: run.settings.clone(),
        claim: check,
    };
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    // Shown in the unit the figure was given in.
    let unit = match (
        &args.unit,
        crate::model::outputs::split_quantity(&args.value),
    ) {
        (Some(u), _) => u.clone(),
        (None, Some((_, g))) if !g.is_empty() => g.to_string(),
        _ => category.unit.to_string(),
    };
    let factor = category.unit_factor(&unit).unwrap_or(1.0);
    let text = table::with_overrides(claim_text(&result, (&unit, factor)), &scenario.overrides);
    match (fail_outside, inside) {
        (Some([lo, hi]), Some(false)) => Err(AppError::Outside {
            reason: format!(
                "the claim is outside --fail-outside {lo},{hi}: {} sits at P = {:.4}",
                result.claim.value_given, result.claim.p_at_most.p
            ),
            report: text,
        }),
        _ => Ok(text),
    }
}

/// The claim in one screen; values shown in `unit` (`factor` of the
/// output's own unit).
fn claim_text(r: &ClaimResult, (unit, factor): (&str, f64)) -> String {
    let c = &r.claim;
    let s = &r.settings;
    let d = &c.distribution;
    let q = |p: &str| {
        d.quantiles
            .iter()
            .find(|(k, _)| k == p)
            .map_or(f64::NAN, |(_, v)| *v)
    };
    let v = |x: f64| format!("{} {unit}", format_number(x / factor));
    let pct = |p: f64| format!("{:.1}", 100.0 * p);
    let level = 100.0 * s.level;
    let sampler = match s.replicates {
        Some(r) => format!("{} ({r} replicates)", s.sampler),
        None => s.sampler.clone(),
    };
    let mut out = format!(
        "{} — is {} = {} plausible? {} samples, seed {}, sampler {sampler}\n\n",
        r.scenario.name, c.output, c.value_given, s.samples, s.seed
    );
    let rows = vec![
        vec![
            format!("percentile of {}", c.value_given),
            format!(
                "{}  ({level:.0}% interval {}–{}, {})",
                pct(c.p_at_most.p),
                pct(c.p_at_most.interval[0]),
                pct(c.p_at_most.interval[1]),
                c.interval_method
            ),
        ],
        vec![
            format!("P({} ≤ {})", c.output, c.value_given),
            format!("{:.4} ± {:.4}", c.p_at_most.p, c.p_at_most.mc_se),
        ],
        vec![
            format!("P({} > {})", c.output, c.value_given),
            format!("{:.4}", 1.0 - c.p_at_most.p),
        ],
        vec![
            "deterministic baseline".into(),
            format!(
                "{}, at percentile {}",
                v(c.baseline),
                pct(c.baseline_percentile)
            ),
        ],
        vec![
            "5th / 50th / 95th percentile".into(),
            format!("{} / {} / {}", v(q("0.05")), v(q("0.5")), v(q("0.95"))),
        ],
        vec![
            "mean".into(),
            format!("{} ± {}", v(d.mean), format_number(d.mc_se_mean / factor)),
        ],
    ];
    out.push_str(&table::render_aligned(&rows, true));
    let _ = write!(
        out,
        "\n{} sits at percentile {} of the scenario's distribution: {} % of its outcomes are at or below it.\n",
        c.value_given,
        pct(c.p_at_most.p),
        pct(c.p_at_most.p)
    );
    if let (Some([lo, hi]), Some(inside)) = (c.fail_outside, c.inside) {
        let straddles = c.p_at_most.interval[0] < lo && lo <= c.p_at_most.interval[1]
            || c.p_at_most.interval[0] <= hi && hi < c.p_at_most.interval[1];
        let _ = writeln!(
            out,
            "{} [{lo}, {hi}] (--fail-outside){}",
            if inside { "inside" } else { "OUTSIDE" },
            if straddles {
                "; the percentile's interval crosses the limit: run more samples to settle it"
            } else {
                ""
            }
        );
    }
    out
}
