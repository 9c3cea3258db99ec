//! A probability estimated by counting samples (P(B > A), P(output > t)):
//! exact counts, the binomial standard error, and the Wilson score
//! interval, which keeps its coverage near 0 and 1 where the normal
//! approximation p ± z·se collapses to a point.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Samples counted, out of `samples`.
    pub count: u64,
    pub samples: u64,
    pub p: f64,
    /// Binomial standard error √(p (1 − p) / N).
    pub mc_se: f64,
    /// Wilson score interval at `level`.
    pub interval: [f64; 2],
    pub level: f64,
}

impl Proportion {
    pub fn new(count: u64, samples: u64, level: f64) -> Self {
        let n = samples.max(1) as f64;
        let p = count as f64 / n;
        Proportion {
            count,
            samples,
            p,
            mc_se: (p * (1.0 - p) / n).sqrt(),
            interval: wilson(count, samples, level),
            level,
        }
    }
}

/// z of a two-sided normal interval at `level`.
pub fn two_sided_z(level: f64) -> f64 {
    Normal::standard().inverse_cdf(0.5 + level / 2.0)
}

/// Wilson (1927) score interval for `count` successes in `samples` trials.
pub fn wilson(count: u64, samples: u64, level: f64) -> [f64; 2] {
    if samples == 0 {
        return [0.0, 1.0];
    }
    let (n, z) = (samples as f64, two_sided_z(level));
    let p = count as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 or N successes the bound is exactly 0 or 1 (rounding would
    // leave a few ulps).
    let low = if count == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if count == samples {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    [low, high]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_published_value() {
        // Newcombe (1998), Table I: 81 of 263, 95 %: 0.2553 to 0.3662.
        let [lo, hi] = wilson(81, 263, 0.95);
        assert!(
            (lo - 0.2553).abs() < 5e-5 && (hi - 0.3662).abs() < 5e-5,
            "{lo} {hi}"
        );
        // 0 of 10: lower bound exactly 0, upper 0.2775 (Newcombe: 0.2775).
        let [lo, hi] = wilson(0, 10, 0.95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-5, "{hi}");
    }
}
