//! The beta-PERT distribution: a smooth alternative to the triangular for
//! (min, most likely, max) judgements, with less weight in the tails.

use statrs::function::beta::{beta_reg, inv_beta_reg};

use super::check::{mode_range, num, positive};
use super::{DistError, Shape, clamp};

/// Beta-PERT on `[min, max]`: `min + (max - min) B` with
/// `B ~ Beta(alpha, beta)`, `alpha = 1 + lambda (mode - min)/(max - min)`,
/// `beta = 1 + lambda (max - mode)/(max - min)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pert {
    min: f64,
    mode: f64,
    max: f64,
    lambda: f64,
    width: f64,
    alpha: f64,
    beta: f64,
}

impl Pert {
    pub(crate) fn new(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Self, DistError> {
        /// Largest accepted PERT shape parameter.
        pub const MAX_LAMBDA: f64 = 1000.0;

        const KIND: &str = "pert";
        mode_range(KIND, min, mode, max)?;
        positive(KIND, "lambda", lambda)?;
        // Beyond this the beta shapes are so large that statrs' inverse
        // incomplete beta does not converge (it loops); a PERT that peaked
        // is better written as a constant or a narrow triangular.
        if lambda > MAX_LAMBDA {
            return Err(DistError(format!(
                "pert lambda {lambda} is too large; lambda must lie in (0, {MAX_LAMBDA}] (4 is the classic PERT)"
            )));
        }
        let width = max - min;
        Ok(Pert {
            min,
            mode,
            max,
            lambda,
            width,
            alpha: 1.0 + lambda * (mode - min) / width,
            beta: 1.0 + lambda * (max - mode) / width,
        })
    }
}

impl Shape for Pert {
    /// Inverts the regularised incomplete beta function (statrs' AS 109
    /// Newton iteration). Measured: `cdf(inverse_cdf(u))` within 1e-15 of
    /// `u` for lambda 4 (4e-13 at lambda 1000), at about 1 microsecond a
    /// draw, 100 times the closed forms; acceptable because a model has
    /// few PERT inputs. Newton steps on `beta_reg` would not be faster:
    /// each `beta_reg` call alone re-evaluates three log-gammas.
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        // The iteration never ends on NaN, and asserts on u outside [0, 1]:
        // answer those here (they are outside the contract anyway).
        if !(u > 0.0 && u < 1.0) {
            return if u <= 0.0 {
                self.min
            } else if u >= 1.0 {
                self.max
            } else {
                f64::NAN
            };
        }
        let b = inv_beta_reg(self.alpha, self.beta, u);
        clamp(self.min + self.width * b, self.min, self.max)
    }
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.min {
            0.0
        } else if x >= self.max {
            1.0
        } else {
            beta_reg(self.alpha, self.beta, (x - self.min) / self.width)
        }
    }
    fn median(&self) -> f64 {
        self.inverse_cdf(0.5)
    }
    fn mean(&self) -> f64 {
        self.min + self.width * self.alpha / (self.alpha + self.beta)
    }
    fn variance(&self) -> f64 {
        let s = self.alpha + self.beta;
        self.width * self.width * self.alpha * self.beta / (s * s * (s + 1.0))
    }
    /// The mode, the "most likely" value the expert gave.
    fn nominal(&self) -> f64 {
        self.mode
    }
    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }
    fn describe(&self) -> String {
        format!(
            "pert(min {}, mode {}, max {}, lambda {})",
            num(self.min),
            num(self.mode),
            num(self.max),
            num(self.lambda)
        )
    }
}
