//! The triangular distribution: the usual expert-judgement shape when a
//! low, a most likely and a high value are given.

use super::check::{mode_range, num};
use super::{DistError, Shape, clamp};

/// Triangular on `[min, max]` with peak at `mode`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triangular {
    min: f64,
    mode: f64,
    max: f64,
    /// CDF at the mode, `(mode - min) / (max - min)`: where the inverse CDF
    /// switches from the rising to the falling side.
    f_mode: f64,
    /// `(max - min)(mode - min)`: `x = min + sqrt(u * left)` below the mode.
    left: f64,
    /// `(max - min)(max - mode)`: `x = max - sqrt((1 - u) * right)` above.
    right: f64,
}

impl Triangular {
    pub(crate) fn new(min: f64, mode: f64, max: f64) -> Result<Self, DistError> {
        mode_range("triangular", min, mode, max)?;
        let width = max - min;
        // The inverse CDF squares the width; beyond ~1e154 that overflows
        // and every draw would silently collapse onto `min`.
        if !(width * width).is_finite() {
            return Err(DistError(format!(
                "triangular range [{}, {}] is too wide to sample in double precision; rescale the unit (e.g. tCO2e instead of kgCO2e)",
                num(min),
                num(max)
            )));
        }
        Ok(Triangular {
            min,
            mode,
            max,
            f_mode: (mode - min) / width,
            left: width * (mode - min),
            right: width * (max - mode),
        })
    }
}

impl Shape for Triangular {
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        // Selects, not branches: which side of the mode `u` falls on is a
        // coin toss the branch predictor loses, and one square root on the
        // selected argument lets a block of draws vectorise.
        let rising = u < self.f_mode;
        let root = if rising {
            u * self.left
        } else {
            (1.0 - u) * self.right
        }
        .sqrt();
        let x = if rising {
            self.min + root
        } else {
            self.max - root
        };
        clamp(x, self.min, self.max)
    }
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.min {
            0.0
        } else if x >= self.max {
            1.0
        } else if x <= self.mode {
            (x - self.min) * (x - self.min) / self.left
        } else {
            1.0 - (self.max - x) * (self.max - x) / self.right
        }
    }
    fn median(&self) -> f64 {
        self.inverse_cdf(0.5)
    }
    fn mean(&self) -> f64 {
        (self.min + self.mode + self.max) / 3.0
    }
    fn variance(&self) -> f64 {
        // (a^2 + b^2 + c^2 - ab - ac - bc) / 18, shifted to min = 0 so that
        // values far from zero do not cancel catastrophically.
        let (p, q) = (self.mode - self.min, self.max - self.min);
        (p * p + q * q - p * q) / 18.0
    }
    /// The mode: the "most likely" value the expert gave.
    fn nominal(&self) -> f64 {
        self.mode
    }
    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }
    fn describe(&self) -> String {
        format!(
            "triangular(min {}, mode {}, max {})",
            num(self.min),
            num(self.mode),
            num(self.max)
        )
    }
}
