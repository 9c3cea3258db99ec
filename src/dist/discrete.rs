//! A discrete distribution over listed values with weights: scenario
//! choices (hardware generation, grid region) with judged probabilities.

use super::check::{finite, num, refuse};
use super::{DistError, Shape};

const KIND: &str = "discrete";

/// How close a cumulative probability must be to 1/2 for the median to be
/// taken as the midpoint of two values (weights like 0.1 x 10 do not sum to
/// exactly 0.5 in floating point).
const MEDIAN_TIE: f64 = 1e-12;

/// Values with positive probabilities, sorted ascending so that the inverse
/// CDF is monotone (rank-based sensitivity measures rely on that).
#[derive(Debug, Clone, PartialEq)]
pub struct Discrete {
    values: Vec<f64>,
    /// `probabilities[i] = P(X = values[i])`, the normalised weights.
    probabilities: Vec<f64>,
    /// `cumulative[i] = P(X <= values[i])`; the last entry is exactly 1.
    cumulative: Vec<f64>,
    /// The value with the largest weight, first in the user's order on ties
    /// (fixed before sorting, which would change "first").
    nominal: f64,
    mean: f64,
    variance: f64,
}

impl Discrete {
    pub(crate) fn new(values: Vec<f64>, weights: Vec<f64>) -> Result<Self, DistError> {
        if values.is_empty() {
            return Err(refuse(KIND, "has no values", "at least one value"));
        }
        if values.len() != weights.len() {
            return Err(refuse(
                KIND,
                &format!("has {} values but {} weights", values.len(), weights.len()),
                "exactly one weight per value",
            ));
        }
        let n = values.len();
        for (i, (&v, &w)) in values.iter().zip(&weights).enumerate() {
            finite(KIND, &format!("value {} of {n}", i + 1), v)?;
            finite(KIND, &format!("weight {} of {n}", i + 1), w)?;
            if w < 0.0 {
                return Err(refuse(
                    KIND,
                    &format!("weight {} of {n} ({}) is negative", i + 1, num(w)),
                    "weights >= 0",
                ));
            }
        }
        let total: f64 = weights.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(refuse(
                KIND,
                &format!("weights sum to {}", num(total)),
                "weights whose sum is positive and finite",
            ));
        }
        // Largest weight, first on ties: `>` keeps the earlier entry.
        let mut nominal = (values[0], weights[0]);
        for (&v, &w) in values.iter().zip(&weights) {
            if w > nominal.1 {
                nominal = (v, w);
            }
        }
        // Zero-weight values can never be drawn; dropping them keeps the
        // support honest.
        let mut pairs: Vec<(f64, f64)> = values
            .into_iter()
            .zip(weights)
            .filter(|&(_, w)| w > 0.0)
            .map(|(v, w)| (v, w / total))
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mean: f64 = pairs.iter().map(|&(v, p)| v * p).sum();
        let variance: f64 = pairs
            .iter()
            .map(|&(v, p)| p * (v - mean) * (v - mean))
            .sum();
        let mut running = 0.0;
        let mut cumulative: Vec<f64> = pairs
            .iter()
            .map(|&(_, p)| {
                running += p;
                running
            })
            .collect();
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Ok(Discrete {
            values: pairs.iter().map(|&(v, _)| v).collect(),
            probabilities: pairs.iter().map(|&(_, p)| p).collect(),
            cumulative,
            nominal: nominal.0,
            mean,
            variance,
        })
    }

    /// One value carries all the probability.
    pub(crate) fn is_degenerate(&self) -> bool {
        self.values.len() == 1
    }
}

impl Shape for Discrete {
    /// `values[i]` for the first `i` whose cumulative probability exceeds
    /// `u` (binary search, no allocation).
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        let i = self.cumulative.partition_point(|&c| c <= u);
        self.values[i.min(self.values.len() - 1)]
    }
    fn cdf(&self, x: f64) -> f64 {
        match self.values.partition_point(|&v| v <= x) {
            0 => 0.0,
            k => self.cumulative[k - 1],
        }
    }
    /// The smallest value with `P(X <= v) >= 1/2`; when that probability is
    /// exactly 1/2 every point up to the next value is a median, and the
    /// midpoint is used, matching the usual sample median (so a discrete
    /// with equal weights has the same median as the empirical of its
    /// values).
    fn median(&self) -> f64 {
        let i = self
            .cumulative
            .partition_point(|&c| c < 0.5 - MEDIAN_TIE)
            .min(self.values.len() - 1);
        if (self.cumulative[i] - 0.5).abs() <= MEDIAN_TIE && i + 1 < self.values.len() {
            0.5 * (self.values[i] + self.values[i + 1])
        } else {
            self.values[i]
        }
    }
    fn mean(&self) -> f64 {
        self.mean
    }
    fn variance(&self) -> f64 {
        self.variance
    }
    fn nominal(&self) -> f64 {
        self.nominal
    }
    fn support(&self) -> (f64, f64) {
        (self.values[0], self.values[self.values.len() - 1])
    }
    /// Lists value: probability pairs when short, a summary otherwise.
    fn describe(&self) -> String {
        let n = self.values.len();
        if n <= 5 {
            let items: Vec<String> = self
                .values
                .iter()
                .zip(&self.probabilities)
                .map(|(&v, &p)| format!("{}: {}", num(v), num(p)))
                .collect();
            format!("discrete({})", items.join(", "))
        } else {
            let (lo, hi) = self.support();
            format!("discrete({n} values in [{}, {}])", num(lo), num(hi))
        }
    }
}
