//! A fixed value: the degenerate distribution, for parameters that are known
//! (or deliberately held fixed) in a scenario.

use super::check::{finite, num};
use super::{DistError, Shape};

/// A point mass at `value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constant {
    value: f64,
}

impl Constant {
    pub(crate) fn new(value: f64) -> Result<Self, DistError> {
        Ok(Constant {
            value: finite("constant", "value", value)?,
        })
    }
}

impl Shape for Constant {
    #[inline]
    fn inverse_cdf(&self, _u: f64) -> f64 {
        self.value
    }
    fn cdf(&self, x: f64) -> f64 {
        if x < self.value { 0.0 } else { 1.0 }
    }
    fn median(&self) -> f64 {
        self.value
    }
    fn mean(&self) -> f64 {
        self.value
    }
    fn variance(&self) -> f64 {
        0.0
    }
    fn nominal(&self) -> f64 {
        self.value
    }
    fn support(&self) -> (f64, f64) {
        (self.value, self.value)
    }
    fn describe(&self) -> String {
        format!("constant({})", num(self.value))
    }
}
