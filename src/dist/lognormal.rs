//! The lognormal distribution, in the three parameterisations found in LCA
//! databases and papers, optionally truncated to `[min, max]`.
//!
//! Whatever the input form, the distribution is stored as `ln X ~ N(mu,
//! sigma^2)`; truncation is applied to `ln X` with the same tail-accurate
//! inverse CDF as the normal.

use super::check::{bounds, finite, num, positive, refuse};
use super::truncation::{Window, checked_window, describe_bounds};
use super::{DistError, LogNormalParams, Shape, clamp};

/// `(mu, sigma)` of `ln X` from the median and geometric standard deviation
/// (the ecoinvent / pedigree-matrix form): `mu = ln median`,
/// `sigma = ln gsd`. No validation; see [`super::Distribution::lognormal`].
pub fn mu_sigma_from_median_gsd(median: f64, gsd: f64) -> (f64, f64) {
    (median.ln(), gsd.ln())
}

/// `(mu, sigma)` of `ln X` from the arithmetic mean and standard deviation of
/// `X`: `sigma^2 = ln(1 + sd^2/mean^2)`, `mu = ln mean - sigma^2/2`.
/// `ln_1p` keeps small coefficients of variation exact. No validation; see
/// [`super::Distribution::lognormal`].
pub fn mu_sigma_from_mean_sd(mean: f64, sd: f64) -> (f64, f64) {
    let cv = sd / mean;
    let s2 = (cv * cv).ln_1p();
    (mean.ln() - 0.5 * s2, s2.sqrt())
}

/// Lognormal with `ln X ~ N(mu, sigma^2)`, restricted to `[lo, hi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogNormal {
    /// The parameters as the user gave them, for `describe()`.
    params: LogNormalParams,
    mu: f64,
    sigma: f64,
    min: Option<f64>,
    max: Option<f64>,
    /// Bounds on the value scale: `lo` is 0 without a lower bound.
    lo: f64,
    hi: f64,
    window: Window,
    mean: f64,
    variance: f64,
}

const KIND: &str = "lognormal";

/// Validates one parameterisation and converts it to `(mu, sigma)`.
fn mu_sigma(params: LogNormalParams) -> Result<(f64, f64), DistError> {
    match params {
        LogNormalParams::MedianGsd { median, gsd } => {
            positive(KIND, "median", median)?;
            finite(KIND, "gsd", gsd)?;
            if gsd <= 1.0 {
                return Err(refuse(
                    KIND,
                    &format!("gsd ({}) must be > 1", num(gsd)),
                    "gsd > 1 (gsd 1 means no spread: use a constant)",
                ));
            }
            Ok(mu_sigma_from_median_gsd(median, gsd))
        }
        LogNormalParams::MeanSd { mean, sd } => {
            positive(KIND, "mean", mean)?;
            positive(KIND, "sd", sd)?;
            Ok(mu_sigma_from_mean_sd(mean, sd))
        }
        LogNormalParams::MuSigma { mu, sigma } => {
            finite(KIND, "mu", mu)?;
            positive(KIND, "sigma", sigma)?;
            Ok((mu, sigma))
        }
    }
}

/// Closed-form mean and variance. Truncated: with `r_k` the standard normal
/// mass of the window shifted down by `k sigma`, divided by its own mass,
/// `E X = e^(mu + sigma^2/2) r_1` and
/// `E X^2 = e^(2 mu + 2 sigma^2) r_2`.
fn moments(mu: f64, sigma: f64, window: &Window) -> (f64, f64) {
    let s2 = sigma * sigma;
    if window.is_truncated() {
        let r1 = window.shifted_mass_ratio(sigma);
        let r2 = window.shifted_mass_ratio(2.0 * sigma);
        let mean = (mu + 0.5 * s2).exp() * r1;
        let variance = (2.0 * mu + s2).exp() * (s2.exp() * r2 - r1 * r1);
        (mean, variance.max(0.0))
    } else {
        ((mu + 0.5 * s2).exp(), s2.exp_m1() * (2.0 * mu + s2).exp())
    }
}

impl LogNormal {
    pub(crate) fn new(
        params: LogNormalParams,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Self, DistError> {
        let (mu, sigma) = mu_sigma(params)?;
        let (lo, hi) = bounds(KIND, min, max)?;
        if lo < 0.0 && min.is_some() {
            return Err(refuse(
                KIND,
                &format!("min ({}) is negative", num(lo)),
                "min >= 0 (its values are positive)",
            ));
        }
        if hi <= 0.0 {
            // Only reachable without a min (min >= 0 and min < max otherwise).
            return Err(refuse(
                KIND,
                &format!("max ({}) is not positive", num(hi)),
                "max > 0 (its values are positive)",
            ));
        }
        // ln 0 = -inf and ln inf = inf: absent bounds need no special case.
        let lo = lo.max(0.0);
        let window = checked_window(
            KIND,
            (lo.ln() - mu) / sigma,
            (hi.ln() - mu) / sigma,
            min,
            max,
        )?;
        let (mean, variance) = moments(mu, sigma, &window);
        if !(mean.is_finite() && variance.is_finite()) {
            return Err(refuse(
                KIND,
                &format!(
                    "with sigma {} has a mean or variance beyond double range",
                    num(sigma)
                ),
                "a smaller sigma (gsd) or an upper bound",
            ));
        }
        Ok(LogNormal {
            params,
            mu,
            sigma,
            min,
            max,
            lo,
            hi,
            window,
            mean,
            variance,
        })
    }
}

impl Shape for LogNormal {
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        clamp(
            (self.mu + self.sigma * self.window.quantile(u)).exp(),
            self.lo,
            self.hi,
        )
    }
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            self.window.cdf((x.ln() - self.mu) / self.sigma)
        }
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
    /// The geometric mean `e^mu` (the median when untruncated): LCA
    /// databases publish it as the deterministic amount. Clamped into the
    /// bounds when truncated, like the normal's nominal.
    fn nominal(&self) -> f64 {
        clamp(self.mu.exp(), self.lo, self.hi)
    }
    fn support(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
    fn describe(&self) -> String {
        let params = match self.params {
            LogNormalParams::MedianGsd { median, gsd } => {
                format!("median {}, gsd {}", num(median), num(gsd))
            }
            LogNormalParams::MeanSd { mean, sd } => format!("mean {}, sd {}", num(mean), num(sd)),
            LogNormalParams::MuSigma { mu, sigma } => {
                format!("mu {}, sigma {}", num(mu), num(sigma))
            }
        };
        format!("lognormal({params}{})", describe_bounds(self.min, self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_gsd_conversion() {
        // Hand computed: ln 2 = 0.693147180559945309, ln 1.5 = 0.405465108108164382.
        let (mu, sigma) = mu_sigma_from_median_gsd(2.0, 1.5);
        assert!((mu - std::f64::consts::LN_2).abs() < 1e-15);
        assert!((sigma - 0.405_465_108_108_164_4).abs() < 1e-15);
        // median 1 has mu exactly 0; gsd e has sigma 1 to rounding.
        assert_eq!(mu_sigma_from_median_gsd(1.0, 3.0).0, 0.0);
        assert!((mu_sigma_from_median_gsd(1.0, std::f64::consts::E).1 - 1.0).abs() < 1e-15);
    }

    #[test]
    fn mean_sd_conversion() {
        // mean 1, sd 1: sigma^2 = ln 2, mu = -ln(2)/2.
        let (mu, sigma) = mu_sigma_from_mean_sd(1.0, 1.0);
        let ln2 = std::f64::consts::LN_2;
        assert!((sigma - ln2.sqrt()).abs() < 1e-15);
        assert!((mu + 0.5 * ln2).abs() < 1e-15);
        // mean e, sd e*sqrt(e - 1): sigma^2 = ln(1 + e - 1) = 1, mu = 1 - 1/2.
        let e = std::f64::consts::E;
        let (mu, sigma) = mu_sigma_from_mean_sd(e, e * (e - 1.0).sqrt());
        assert!((sigma - 1.0).abs() < 1e-15);
        assert!((mu - 0.5).abs() < 1e-15);
    }
}
