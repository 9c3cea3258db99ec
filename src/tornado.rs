//! Tornado data: one factor at a time from the same declarations as the Monte
//! Carlo run. Each factor goes to its low and high quantile with every other
//! factor at baseline; the swing is |output(high) − output(low)|.
//!
//! A scalar factor's low/high inputs are its quantiles. A categorical
//! choice has no order among its options, so every option is evaluated and
//! the bar spans the options giving the lowest and the highest output, per
//! output (among equal outputs, the first declared option). A jointly sampled share
//! set has no single "low" point, so its low/high outputs are the quantiles of
//! the output over draws of the share set alone (every other factor at
//! baseline); for a monotone scalar factor this is the same thing. A
//! declared group is treated the same way: its members drawn jointly, the
//! rest at baseline.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Factor, FactorKind, Model, Scratch, Series};
use crate::sample::{MonteCarlo, PointSource};

/// What the other factors are held at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Baseline {
    /// Every factor at its nominal value (mode, or median, as declared).
    Nominal,
    /// Every scalar factor at its median (choices and share sets at nominal).
    Median,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// The factor's key path, or a group's name.
    pub factor: String,
    /// The factor's readable label, or a group's name humanised (empty in
    /// results of versions before labels).
    #[serde(default)]
    pub label: String,
    pub low_input: Value,
    pub high_input: Value,
    pub output_low: f64,
    pub output_high: f64,
    pub swing: f64,
}

/// Relative swing below which a bar is "no effect": rounding, not an
/// effect (a factor that enters an output only through a product with
/// exactly zero, or whose change is lost in the last bits of a sum).
pub const NO_EFFECT_SWING: f64 = 1e-12;

impl Bar {
    /// Whether the factor does not move this output: equal outputs at its
    /// two ends, or a swing below `NO_EFFECT_SWING` of the larger of
    /// them. Tables hide such bars (unless `--all`); results keep them.
    pub fn has_no_effect(&self) -> bool {
        let scale = self.output_low.abs().max(self.output_high.abs());
        self.output_low == self.output_high || self.swing < NO_EFFECT_SWING * scale
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryTornado {
    pub unit: String,
    pub baseline_output: f64,
    /// Sorted by swing, largest first (ties keep declaration order).
    pub factors: Vec<Bar>,
    /// Declared groups, each varied jointly (sorted by swing); kept apart
    /// from `factors` because a group overlaps its members.
    pub groups: Vec<Bar>,
}

/// Draws of a share set used to find its conditional output quantiles.
const SHARE_SET_DRAWS: u64 = 4096;

fn baseline_values(model: &Model, baseline: Baseline) -> Vec<f64> {
    let mut values = model.nominal_values();
    if baseline == Baseline::Median {
        for f in &model.factors {
            if let FactorKind::Scalar(d) = &f.kind {
                values[f.slots.start] = d.median();
            }
        }
    }
    values
}

/// Every category's total for given factor values, with one working memory
/// for all of a tornado's evaluations.
struct Totals<'m> {
    model: &'m Model,
    scratch: Scratch,
    out: Vec<f64>,
    values: Vec<f64>,
}

impl<'m> Totals<'m> {
    fn new(model: &'m Model) -> Self {
        Totals {
            model,
            scratch: model.scratch(),
            out: vec![0.0; model.n_outputs()],
            values: Vec::new(),
        }
    }

    fn of(&mut self, values: &[f64]) -> Vec<f64> {
        // Values derived by formulas follow the factors changed.
        self.values.clear();
        self.values.extend_from_slice(values);
        self.model.derive(&mut self.values);
        self.model
            .evaluate(&self.values, &mut self.scratch, &mut self.out);
        let layout = self.model.layout();
        (0..layout.categories.len())
            .map(|c| self.out[layout.index(c, Series::Total)])
            .collect()
    }
}

/// Quantile `p` (rank ⌈p·n⌉) of a list of values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

/// Tornado data for every impact category, each factor from `low` to `high`
/// (probabilities, low < high).
pub fn tornado(model: &Model, low: f64, high: f64, baseline: Baseline) -> Vec<CategoryTornado> {
    let base = baseline_values(model, baseline);
    let mut totals = Totals::new(model);
    let base_out = totals.of(&base);
    let n_cat = model.layout().categories.len();
    let mut bars: Vec<Vec<Bar>> = vec![Vec::new(); n_cat];
    for f in &model.factors {
        let slots = f.slots.clone();
        let (lows, highs, low_input, high_input) = match &f.kind {
            FactorKind::Scalar(d) => {
                let (x_low, x_high) = (d.inverse_cdf(low), d.inverse_cdf(high));
                let mut v = base.clone();
                v[slots.start] = x_low;
                let lows = totals.of(&v);
                v[slots.start] = x_high;
                (lows, totals.of(&v), Value::from(x_low), Value::from(x_high))
            }
            FactorKind::Choice { options, .. } => {
                // Its bar spans options, not quantiles, and differs by
                // category: pushed here, not by `push_bars`.
                let extremes = option_extremes(&mut totals, &base, slots.start, options.len());
                for (bars, [(lo, o_lo), (hi, o_hi)]) in bars.iter_mut().zip(extremes) {
                    let names = (options[o_lo].clone(), options[o_hi].clone());
                    bars.push(bar(
                        (&f.name, &f.label),
                        (lo, hi),
                        (names.0.into(), names.1.into()),
                    ));
                }
                continue;
            }
            FactorKind::Shares { .. } => {
                let (lows, highs) = conditional_quantiles(&mut totals, &base, &[f], low, high);
                let input = |p: f64| Value::from(format!("share-set output quantile {p}"));
                (lows, highs, input(low), input(high))
            }
        };
        push_bars(
            &mut bars,
            (&f.name, &f.label),
            (&lows, &highs),
            (&low_input, &high_input),
        );
    }
    let mut group_bars: Vec<Vec<Bar>> = vec![Vec::new(); n_cat];
    for g in &model.groups {
        let members: Vec<&Factor> = g.factors.iter().map(|&i| &model.factors[i]).collect();
        let (lows, highs) = conditional_quantiles(&mut totals, &base, &members, low, high);
        let input = |p: f64| Value::from(format!("group output quantile {p}"));
        push_bars(
            &mut group_bars,
            (&g.name, &crate::model::label::of_name(&g.name)),
            (&lows, &highs),
            (&input(low), &input(high)),
        );
    }
    bars.into_iter()
        .zip(group_bars)
        .enumerate()
        .map(|(c, (mut factors, mut groups))| {
            factors.sort_by(|a, b| b.swing.total_cmp(&a.swing));
            groups.sort_by(|a, b| b.swing.total_cmp(&a.swing));
            CategoryTornado {
                unit: model.layout().categories[c].unit.to_string(),
                baseline_output: base_out[c],
                factors,
                groups,
            }
        })
        .collect()
}

fn bar(
    (name, label): (&str, &str),
    (lo, hi): (f64, f64),
    (low_input, high_input): (Value, Value),
) -> Bar {
    Bar {
        factor: name.to_string(),
        label: label.to_string(),
        low_input,
        high_input,
        output_low: lo,
        output_high: hi,
        swing: (hi - lo).abs(),
    }
}

/// Appends one bar per category: `outputs` = (low, high) per category.
fn push_bars(
    bars: &mut [Vec<Bar>],
    (name, label): (&str, &str),
    outputs: (&[f64], &[f64]),
    inputs: (&Value, &Value),
) {
    for (c, bars) in bars.iter_mut().enumerate() {
        bars.push(bar(
            (name, label),
            (outputs.0[c], outputs.1[c]),
            (inputs.0.clone(), inputs.1.clone()),
        ));
    }
}

/// Per category: the (output, option index) of the options of the choice
/// whose value is at `slot` (`n_options` of them) giving the lowest and the
/// highest total, every other factor at `base`.
/// Declaration order says nothing about effect (BLOOM's A100 embodied
/// source lists its largest option second), so every option is
/// evaluated. Ties go to the first declared option, so equal outputs give
/// the same bar whatever the options' order of evaluation.
fn option_extremes(
    totals: &mut Totals,
    base: &[f64],
    slot: usize,
    n_options: usize,
) -> Vec<[(f64, usize); 2]> {
    let mut v = base.to_vec();
    let mut extremes: Vec<[(f64, usize); 2]> = Vec::new();
    for o in 0..n_options {
        // A choice's slot holds the index of its option.
        v[slot] = o as f64;
        let outputs = totals.of(&v);
        if o == 0 {
            extremes = outputs.iter().map(|&y| [(y, 0), (y, 0)]).collect();
            continue;
        }
        for ([lo, hi], y) in extremes.iter_mut().zip(outputs) {
            // Strict comparisons keep the first declared option on a tie.
            if y < lo.0 {
                *lo = (y, o);
            }
            if y > hi.0 {
                *hi = (y, o);
            }
        }
    }
    extremes
}

/// The `low` and `high` quantiles of every category's total over
/// `SHARE_SET_DRAWS` joint draws of `factors`, every other factor at
/// `base`: the one-at-a-time swing of factors that have no single "low"
/// point (a share set, a declared group whose members pull either way).
fn conditional_quantiles(
    totals: &mut Totals,
    base: &[f64],
    factors: &[&Factor],
    low: f64,
    high: f64,
) -> (Vec<f64>, Vec<f64>) {
    let draws = MonteCarlo::new(0);
    let n_dims: usize = factors.iter().map(|f| f.dims.len()).sum();
    let mut u = vec![0.0; n_dims];
    let mut v = base.to_vec();
    let n_cat = totals.model.layout().categories.len();
    let mut outputs: Vec<Vec<f64>> = vec![Vec::new(); n_cat];
    for i in 0..SHARE_SET_DRAWS {
        draws.point(i, &mut u);
        let mut d = 0;
        for f in factors {
            f.transform(&u[d..d + f.dims.len()], &mut v[f.slots.clone()]);
            d += f.dims.len();
        }
        for (c, y) in totals.of(&v).into_iter().enumerate() {
            outputs[c].push(y);
        }
    }
    let (mut lows, mut highs) = (Vec::new(), Vec::new());
    for o in &mut outputs {
        o.sort_by(f64::total_cmp);
        lows.push(quantile(o, low));
        highs.push(quantile(o, high));
    }
    (lows, highs)
}
