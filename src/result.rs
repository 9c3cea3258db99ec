//! The result of a Monte Carlo run, as written to JSON
//! (`docs/output-format.md`): what was run, and the statistics of every
//! impact category, scope and tag value.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::analyze::histogram::Histogram;
use crate::analyze::proportion::Proportion;
use crate::analyze::{QuantileSketch, Summary};
use crate::model::{Model, Series};
use crate::scenario::Scenario;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// Samples over all replicates.
    pub samples: u64,
    pub seed: u64,
    pub sampler: String,
    /// Independent randomisations of a sobol or lhs design (absent for mc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<u32>,
    pub level: f64,
    pub quantile_relative_error: f64,
    /// The `--set KEY=VALUE` overrides applied to the scenario file.
    pub overrides: Vec<String>,
    /// `--precision`: the target and whether it was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionOutcome>,
}

/// What `--precision` asked for and got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionOutcome {
    /// Largest accepted relative MC error of each impact total's mean and
    /// interval bounds.
    pub target: f64,
    pub max_samples: u64,
    pub reached: bool,
    /// The largest relative MC error at the final sample count, and where.
    pub worst_relative_error: f64,
    pub worst: String,
    /// Sample counts tried, the last being `settings.samples`.
    pub steps: Vec<u64>,
}

/// P(output > threshold), counted exactly during the run (`--exceed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exceedance {
    /// As given on the command line, e.g. "gwp=60t".
    pub given: String,
    /// The output: a category id, with the series ("total", a scope or
    /// "TAG.VALUE").
    pub impact: String,
    pub series: String,
    /// The threshold in the output's unit.
    pub threshold: f64,
    pub unit: String,
    /// Samples above the threshold, P, its MC standard error and interval.
    pub probability: Proportion,
    /// "wilson" (Monte Carlo: binomial counts) or "student-t over R
    /// replicates" (randomised QMC).
    pub interval_method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    pub unit: String,
    #[serde(flatten)]
    pub total: Summary,
    pub by_scope: IndexMap<String, Summary>,
    pub by_tag: IndexMap<String, IndexMap<String, Summary>>,
    /// Histograms of the total and of each scope (for figures; absent in
    /// results of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
    /// The total's mean at N = 4096·2^k samples (k = 0, 1, … while fewer
    /// than the run's N; per replicate for sobol and lhs), then at N.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub convergence: Vec<Checkpoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub total: Histogram,
    pub by_scope: IndexMap<String, Histogram>,
}

/// The estimate of an impact total's mean after the first `samples`
/// samples of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub samples: u64,
    pub mean: f64,
    /// At the run's level: normal for Monte Carlo, Student-t over the
    /// replicates for randomised QMC.
    pub mean_ci: [f64; 2],
    pub sd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// `run`: what wrote the file (every result JSON starts with its kind).
    pub kind: String,
    pub ecoband_version: String,
    pub scenario: ScenarioInfo,
    pub settings: RunSettings,
    pub impacts: IndexMap<String, Impact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceedances: Vec<Exceedance>,
}

impl ScenarioInfo {
    pub fn of(scenario: &Scenario) -> Self {
        ScenarioInfo {
            name: scenario.name.clone(),
            path: scenario.path.clone(),
            sha256: scenario.sha256.clone(),
        }
    }
}

/// Builds the per-category statistics, `stat(j)` being output series j's,
/// `sketches` every series' (pooled) sketch and `convergence(j, summary)`
/// total j's checkpoints.
pub fn impacts(
    model: &Model,
    stat: impl Fn(usize) -> Summary,
    sketches: &[QuantileSketch],
    convergence: impl Fn(usize, &Summary) -> Vec<Checkpoint>,
) -> IndexMap<String, Impact> {
    let layout = model.layout();
    let mut impacts = IndexMap::new();
    for (c, cat) in layout.categories.iter().enumerate() {
        let by_scope = layout
            .scopes
            .iter()
            .enumerate()
            .map(|(s, name)| (name.to_string(), stat(layout.index(c, Series::Scope(s)))))
            .collect();
        let mut by_tag: IndexMap<String, IndexMap<String, Summary>> = IndexMap::new();
        for (t, (name, value)) in layout.tag_values.iter().enumerate() {
            by_tag
                .entry(name.clone())
                .or_default()
                .insert(value.clone(), stat(layout.index(c, Series::Tag(t))));
        }
        let total = layout.index(c, Series::Total);
        let distribution = Distribution {
            total: Histogram::of(&sketches[total]),
            by_scope: layout
                .scopes
                .iter()
                .enumerate()
                .map(|(s, name)| {
                    let j = layout.index(c, Series::Scope(s));
                    (name.to_string(), Histogram::of(&sketches[j]))
                })
                .collect(),
        };
        let summary = stat(total);
        impacts.insert(
            cat.id.to_string(),
            Impact {
                unit: cat.unit.to_string(),
                convergence: convergence(total, &summary),
                total: summary,
                by_scope,
                by_tag,
                distribution: Some(distribution),
            },
        );
    }
    impacts
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolIndex {
    /// The factor's key path (as `--set` and `[groups]` name it), or a
    /// group's name.
    pub factor: String,
    /// The factor's readable label, or a group's name humanised. Absent
    /// (read as empty) in results of versions before labels.
    #[serde(default)]
    pub label: String,
    pub s1: f64,
    pub s1_ci: [f64; 2],
    pub st: f64,
    pub st_ci: [f64; 2],
    /// Diagnostics of this index (see `analyze::diagnostics`).
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolSeries {
    pub variance: f64,
    /// Diagnostics of the whole series.
    pub flags: Vec<String>,
    pub indices: Vec<SobolIndex>,
    /// Declared groups: closed first-order (`s1`) and total (`st`) indices;
    /// `factor` holds the group's name.
    pub groups: Vec<SobolIndex>,
    /// Second-order indices of factor pairs (with `--second-order`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub s2: Vec<SecondOrderIndex>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondOrderIndex {
    pub factors: [String; 2],
    /// The two factors' labels (empty in results of versions before
    /// labels).
    #[serde(default)]
    pub labels: [String; 2],
    pub s2: f64,
    pub s2_ci: [f64; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolSettings {
    /// Base samples per replicate (sobol, lhs) or in all (mc).
    pub n_base: u64,
    /// Independent randomisations R (sobol, lhs; absent for mc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<u32>,
    pub evaluations: u64,
    pub sampler: String,
    pub seed: u64,
    pub first_order: String,
    pub total_order: String,
    pub ci_method: String,
    pub level: f64,
    pub second_order: bool,
    /// `--target-width`, if given, and whether N reached it before `--max-n-base`.
    pub target_width: Option<f64>,
    pub target_reached: Option<bool>,
    /// Widest total-order interval half-width over every output and factor.
    pub widest_st_half_width: f64,
    /// The `--set KEY=VALUE` overrides applied to the scenario file.
    pub overrides: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolResult {
    /// `sobol`.
    pub kind: String,
    pub ecoband_version: String,
    pub scenario: ScenarioInfo,
    pub settings: SobolSettings,
    /// The correlated sets of `[correlations]`, each analysed as one
    /// automatic group (its entry in every series' `groups`; its members
    /// have no entry in `indices`). Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlated: Vec<CorrelatedGroup>,
    /// Keyed by category, then series ("total", "usage", "idle", "embodied").
    pub sobol: IndexMap<String, IndexMap<String, SobolSeries>>,
}

/// A correlated set as a Sobol' result describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelatedGroup {
    /// The automatic group's name in `groups` (`correlated: ENTRY, …`).
    pub group: String,
    /// Its factors' key paths.
    pub factors: Vec<String>,
    /// The `[correlations]` entries that join them.
    pub correlations: Vec<String>,
    /// What this means for the indices, in words.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoSettings {
    pub low: f64,
    pub high: f64,
    pub baseline: String,
    /// The `--set KEY=VALUE` overrides applied to the scenario file.
    pub overrides: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoResult {
    /// `tornado`.
    pub kind: String,
    pub ecoband_version: String,
    pub scenario: ScenarioInfo,
    pub settings: TornadoSettings,
    pub tornado: IndexMap<String, crate::tornado::CategoryTornado>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineImpact {
    pub unit: String,
    pub total: f64,
    pub by_scope: IndexMap<String, f64>,
    pub by_tag: IndexMap<String, IndexMap<String, f64>>,
}

/// The footprint model's energy split at the nominal values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnergySplitJson {
    pub it_kwh: f64,
    pub facility_kwh: f64,
    pub idle_kwh: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineSettings {
    /// The `--set KEY=VALUE` overrides applied to the scenario file.
    pub overrides: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineResult {
    /// `baseline`.
    pub kind: String,
    pub ecoband_version: String,
    pub scenario: ScenarioInfo,
    pub settings: BaselineSettings,
    /// The footprint model's energy split (absent for a test function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy: Option<EnergySplitJson>,
    pub baseline: IndexMap<String, BaselineImpact>,
}
