//! The uniform distribution on `[min, max]`: the "anything in this range"
//! choice when only bounds are known.

use super::check::{num, range};
use super::{DistError, Shape, clamp};

/// Uniform on `[min, max]`, `min < max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform {
    min: f64,
    max: f64,
    /// `max - min`, precomputed for the hot path.
    width: f64,
}

impl Uniform {
    pub(crate) fn new(min: f64, max: f64) -> Result<Self, DistError> {
        range("uniform", min, max)?;
        let width = max - min;
        Ok(Uniform { min, max, width })
    }
}

impl Shape for Uniform {
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        // Clamped because min + u * width can round just past max.
        clamp(self.min + u * self.width, self.min, self.max)
    }
    fn cdf(&self, x: f64) -> f64 {
        ((x - self.min) / self.width).clamp(0.0, 1.0)
    }
    fn median(&self) -> f64 {
        self.min + 0.5 * self.width
    }
    fn mean(&self) -> f64 {
        self.median()
    }
    fn variance(&self) -> f64 {
        self.width * self.width / 12.0
    }
    /// The median (midpoint): a uniform has no mode to publish.
    fn nominal(&self) -> f64 {
        self.median()
    }
    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }
    fn describe(&self) -> String {
        format!("uniform(min {}, max {})", num(self.min), num(self.max))
    }
}
