//! The result of a paired comparison, as written to JSON
//! (`docs/output-format.md`, `ecoband compare`).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::analyze::proportion::Proportion;
use crate::analyze::{Summary, summarize};
use crate::model::Model;
use crate::result::ScenarioInfo;

use super::Pairing;
use super::engine::PairedAccumulated;

/// A, B, B − A and B / A of one output series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedSeries {
    pub a: Summary,
    pub b: Summary,
    /// B − A sample by sample (common random numbers).
    pub difference: Summary,
    /// B / A sample by sample; null where A is 0 in some sample.
    pub ratio: Option<Summary>,
    /// P(B > A) over the samples, with its standard error and Wilson interval.
    pub p_b_greater: Proportion,
    /// Standard error of the mean difference had A and B been two
    /// independent runs of the same size: √((var A + var B) / N).
    pub mc_se_difference_independent: f64,
    /// (var A + var B) / var(B − A): how many times more samples two
    /// independent runs would need for the same precision of the mean
    /// difference; null when the difference is exactly 0 in every sample.
    pub variance_reduction: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedImpact {
    pub unit: String,
    #[serde(flatten)]
    pub total: PairedSeries,
    pub by_scope: IndexMap<String, PairedSeries>,
    pub by_tag: IndexMap<String, IndexMap<String, PairedSeries>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSide {
    #[serde(flatten)]
    pub scenario: ScenarioInfo,
    pub overrides: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSettings {
    pub samples: u64,
    pub seed: u64,
    pub sampler: String,
    pub level: f64,
    pub quantile_relative_error: f64,
    /// How the two sides share their random numbers.
    pub common_random_numbers: String,
}

/// Factors and series that differ between the two sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Differences {
    /// Factors only A has, only B has, and both have with another definition.
    pub factors_only_a: Vec<String>,
    pub factors_only_b: Vec<String>,
    pub factors_changed: Vec<String>,
    /// Output series only one side has (not compared).
    pub series_only_a: Vec<String>,
    pub series_only_b: Vec<String>,
}

/// One change's share of the difference (`compare --tornado`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The override that makes this change, applied to A alone.
    pub change: String,
    /// Baseline and mean difference (A with this change alone) − A.
    pub baseline_difference: f64,
    pub mean_difference: f64,
    pub mc_se: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryContributions {
    pub unit: String,
    /// B − A in all, baseline and mean.
    pub baseline_difference: f64,
    pub mean_difference: f64,
    /// Each change alone, largest |mean difference| first.
    pub changes: Vec<Contribution>,
    /// What the changes do together beyond the sum of each alone (mean).
    pub interaction: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareResult {
    pub kind: String,
    pub ecoband_version: String,
    pub a: CompareSide,
    pub b: CompareSide,
    pub settings: CompareSettings,
    pub differences: Differences,
    pub comparison: IndexMap<String, PairedImpact>,
    /// With `--tornado`: which change explains the difference, per category.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tornado: Option<IndexMap<String, CategoryContributions>>,
}

/// Statistics of every paired series, by category, scope and tag.
pub fn paired_impacts(
    a: &Model,
    p: &Pairing,
    acc: &PairedAccumulated,
    shift: &[f64],
    level: f64,
) -> IndexMap<String, PairedImpact> {
    let n = p.series.len();
    let samples = acc.moments.count;
    let stat = |k: usize| summarize(&acc.moments, k, &acc.sketches[k], shift[k], level);
    let series = |c: usize| {
        let (va, vb, vd) = (
            acc.moments.variance(c),
            acc.moments.variance(n + c),
            acc.moments.variance(2 * n + c),
        );
        PairedSeries {
            a: stat(c),
            b: stat(n + c),
            difference: stat(2 * n + c),
            ratio: (acc.zero_a[c] == 0).then(|| stat(3 * n + c)),
            p_b_greater: Proportion::new(acc.greater[c], samples, level),
            mc_se_difference_independent: ((va + vb) / samples as f64).sqrt(),
            variance_reduction: (vd > 0.0).then(|| (va + vb) / vd),
        }
    };
    let layout = a.layout();
    let index_of = |ja: usize| p.series.iter().position(|&(x, _, _)| x == ja);
    let mut out = IndexMap::new();
    for (ci, cat) in layout.categories.iter().enumerate() {
        let Some(total) = index_of(layout.index(ci, crate::model::Series::Total)) else {
            continue;
        };
        let mut by_scope = IndexMap::new();
        for (s, name) in layout.scopes.iter().enumerate() {
            if let Some(c) = index_of(layout.index(ci, crate::model::Series::Scope(s))) {
                by_scope.insert(name.to_string(), series(c));
            }
        }
        let mut by_tag: IndexMap<String, IndexMap<String, PairedSeries>> = IndexMap::new();
        for (t, (name, value)) in layout.tag_values.iter().enumerate() {
            if let Some(c) = index_of(layout.index(ci, crate::model::Series::Tag(t))) {
                by_tag
                    .entry(name.clone())
                    .or_default()
                    .insert(value.clone(), series(c));
            }
        }
        out.insert(
            cat.id.to_string(),
            PairedImpact {
                unit: cat.unit.to_string(),
                total: series(total),
                by_scope,
                by_tag,
            },
        );
    }
    out
}
