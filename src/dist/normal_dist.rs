//! The normal distribution, optionally truncated to `[min, max]`.

use super::check::{bounds, finite, num, positive};
use super::truncation::{Window, checked_window, describe_bounds};
use super::{DistError, Shape, clamp};

/// Normal with location `mu` and scale `sigma`, restricted to `[lo, hi]`
/// (infinite ends when not truncated).
#[derive(Debug, Clone, PartialEq)]
pub struct Normal {
    mu: f64,
    sigma: f64,
    /// The user's bounds, kept for `describe()`.
    min: Option<f64>,
    max: Option<f64>,
    /// The bounds as numbers, infinite when absent, for clamping.
    lo: f64,
    hi: f64,
    window: Window,
    /// Closed-form moments of the (truncated) distribution, computed once.
    mean: f64,
    variance: f64,
}

impl Normal {
    pub(crate) fn new(
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Self, DistError> {
        const KIND: &str = "normal";
        let mu = finite(KIND, "mean", mean)?;
        let sigma = positive(KIND, "sd", sd)?;
        let (lo, hi) = bounds(KIND, min, max)?;
        let window = checked_window(KIND, (lo - mu) / sigma, (hi - mu) / sigma, min, max)?;
        let (m, v) = window.moments();
        Ok(Normal {
            mu,
            sigma,
            min,
            max,
            lo,
            hi,
            window,
            mean: mu + sigma * m,
            variance: sigma * sigma * v,
        })
    }
}

impl Shape for Normal {
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        clamp(
            self.mu + self.sigma * self.window.quantile(u),
            self.lo,
            self.hi,
        )
    }
    fn cdf(&self, x: f64) -> f64 {
        self.window.cdf((x - self.mu) / self.sigma)
    }
    fn median(&self) -> f64 {
        self.inverse_cdf(0.5)
    }
    fn mean(&self) -> f64 {
        self.mean
    }
    fn variance(&self) -> f64 {
        self.variance
    }
    /// The mode: the given mean, clamped into the bounds when truncated
    /// (which is where a truncated normal peaks).
    fn nominal(&self) -> f64 {
        clamp(self.mu, self.lo, self.hi)
    }
    fn support(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
    fn describe(&self) -> String {
        format!(
            "normal(mean {}, sd {}{})",
            num(self.mu),
            num(self.sigma),
            describe_bounds(self.min, self.max)
        )
    }
}
