//! The empirical distribution of observed values (measurements, published
//! estimates), sampled by resampling them with equal probability.

use super::check::{finite, num, refuse};
use super::{DistError, Shape};

/// Equal-probability resampling of a sorted sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Empirical {
    sorted: Vec<f64>,
    mean: f64,
    /// The resampling distribution's variance: the sample variance with
    /// divisor n, not n - 1 (this is the variance the draws have).
    variance: f64,
    median: f64,
}

impl Empirical {
    pub(crate) fn new(values: Vec<f64>) -> Result<Self, DistError> {
        const KIND: &str = "empirical";
        if values.is_empty() {
            return Err(refuse(KIND, "has no values", "at least one observed value"));
        }
        let n = values.len();
        for (i, &v) in values.iter().enumerate() {
            finite(KIND, &format!("value {} of {n}", i + 1), v)?;
        }
        let mut sorted = values;
        sorted.sort_by(f64::total_cmp);
        let count = n as f64;
        let mean = sorted.iter().sum::<f64>() / count;
        let variance = sorted.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / count;
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
        };
        Ok(Empirical {
            sorted,
            mean,
            variance,
            median,
        })
    }

    /// All observations are equal.
    pub(crate) fn is_degenerate(&self) -> bool {
        self.sorted[0] == self.sorted[self.sorted.len() - 1]
    }
}

impl Shape for Empirical {
    /// The observation at index `floor(u n)` of the sorted sample (clamped,
    /// since `u n` can round up to `n`).
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        let n = self.sorted.len();
        // `as usize` saturates: negative or NaN u gives index 0.
        self.sorted[((u * n as f64) as usize).min(n - 1)]
    }
    fn cdf(&self, x: f64) -> f64 {
        self.sorted.partition_point(|&v| v <= x) as f64 / self.sorted.len() as f64
    }
    /// The conventional sample median (mean of the two middle values for an
    /// even count).
    fn median(&self) -> f64 {
        self.median
    }
    fn mean(&self) -> f64 {
        self.mean
    }
    fn variance(&self) -> f64 {
        self.variance
    }
    fn nominal(&self) -> f64 {
        self.median
    }
    fn support(&self) -> (f64, f64) {
        (self.sorted[0], self.sorted[self.sorted.len() - 1])
    }
    fn describe(&self) -> String {
        let (lo, hi) = self.support();
        format!(
            "empirical({} values, median {}, range [{}, {}])",
            self.sorted.len(),
            num(self.median),
            num(lo),
            num(hi)
        )
    }
}
