//! The statistics reported for one output series.

use serde::{Deserialize, Serialize};

use super::moments::Moments;
use super::sketch::QuantileSketch;

/// Quantiles always reported, besides the interval bounds.
pub const QUANTILES: [f64; 7] = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975];

/// z for a two-sided 95 % normal interval, used for the distribution-free
/// standard error of a quantile below.
const Z95: f64 = 1.959_963_984_540_054;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub level: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub baseline: f64,
    pub mean: f64,
    pub sd: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Keyed by the probability written as in `QUANTILES`, e.g. "0.025".
    #[serde(serialize_with = "as_map", deserialize_with = "from_map")]
    pub quantiles: Vec<(String, f64)>,
    pub interval: Interval,
    /// Monte Carlo standard error of the mean: sd / √N (for randomised
    /// QMC, from the spread of the replicates' means).
    pub mc_se_mean: f64,
    /// Confidence interval of the mean at `interval.level`: normal for
    /// Monte Carlo, Student-t over the replicates for randomised QMC.
    pub mean_ci: [f64; 2],
    /// Monte Carlo standard errors of the interval bounds (see below).
    pub mc_se_interval: [f64; 2],
    /// Where the deterministic baseline sits in the distribution: the
    /// mid-rank P(X < b) + P(X = b)/2, from exact counts during the run
    /// (`run` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_percentile: Option<f64>,
}

fn as_map<S: serde::Serializer>(pairs: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn from_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
    let map: indexmap::IndexMap<String, f64> = Deserialize::deserialize(d)?;
    Ok(map.into_iter().collect())
}

/// Standard error of the `q`-quantile estimate, distribution-free: the ranks
/// n·q ± z·√(n q (1−q)) bracket the true quantile with 95 % probability
/// (binomial order-statistic interval), so half the width of the values at
/// those ranks divided by z estimates its standard error.
fn quantile_se(sketch: &QuantileSketch, q: f64, n: u64) -> f64 {
    let half = Z95 * (q * (1.0 - q) / n as f64).sqrt();
    let lo = sketch.quantile((q - half).max(0.0));
    let hi = sketch.quantile((q + half).min(1.0));
    (hi - lo) / (2.0 * Z95)
}

pub fn summarize(
    moments: &Moments,
    j: usize,
    sketch: &QuantileSketch,
    baseline: f64,
    level: f64,
) -> Summary {
    summarize_with(moments, j, sketch, baseline, level, &QUANTILES)
}

/// The default quantiles and `extra` ones (each in (0, 1)), in increasing
/// order without repeats.
pub fn quantile_list(extra: &[f64]) -> Vec<f64> {
    let mut all: Vec<f64> = QUANTILES.iter().chain(extra).copied().collect();
    all.sort_by(f64::total_cmp);
    all.dedup();
    all
}

/// As `summarize`, reporting the quantiles `quantiles` (see `quantile_list`).
pub fn summarize_with(
    moments: &Moments,
    j: usize,
    sketch: &QuantileSketch,
    baseline: f64,
    level: f64,
    quantiles: &[f64],
) -> Summary {
    let n = moments.count;
    let sd = moments.variance(j).sqrt();
    let mc_se_mean = sd / (n as f64).sqrt();
    let z = super::proportion::two_sided_z(level);
    let mean = moments.mean[j];
    let (p_low, p_high) = ((1.0 - level) / 2.0, (1.0 + level) / 2.0);
    Summary {
        baseline,
        mean,
        sd,
        median: sketch.quantile(0.5),
        min: sketch.min(),
        max: sketch.max(),
        quantiles: quantiles
            .iter()
            .map(|q| (format!("{q}"), sketch.quantile(*q)))
            .collect(),
        interval: Interval {
            level,
            low: sketch.quantile(p_low),
            high: sketch.quantile(p_high),
        },
        mc_se_mean,
        mean_ci: [mean - z * mc_se_mean, mean + z * mc_se_mean],
        mc_se_interval: [
            quantile_se(sketch, p_low, n),
            quantile_se(sketch, p_high, n),
        ],
        baseline_percentile: None,
    }
}
