//! A compiled model input: a constant, a factor's value, or a value picked by
//! a categorical factor. Evaluated for a block of samples at a time, so it is
//! a small enum with no allocation.

#[derive(Debug, Clone, PartialEq)]
pub enum Quantity {
    Const(f64),
    /// `values[slot] * scale` (scale converts the factor's unit).
    Slot {
        slot: usize,
        scale: f64,
    },
    /// `options[values[slot]]`.
    Choice {
        slot: usize,
        options: Box<[Quantity]>,
    },
}

/// Samples a model evaluates together: every intermediate is a lane of this
/// many values, so each step of the equations is one tight loop over
/// samples (which the compiler vectorises) instead of one pass of the whole
/// model per sample. Larger blocks are evaluated `LANES` samples at a time.
pub const LANES: usize = 64;

/// The factor values of a block of samples, slot-major: slot `v` of sample
/// `s` at `values[v * stride + s]`, for samples `0..n`. One sample's value
/// vector is the block `stride = n = 1`.
#[derive(Debug, Clone, Copy)]
pub struct Lanes<'a> {
    pub values: &'a [f64],
    pub stride: usize,
    pub n: usize,
}

impl<'a> Lanes<'a> {
    /// One sample's values.
    pub fn one(values: &'a [f64]) -> Self {
        Lanes {
            values,
            stride: 1,
            n: 1,
        }
    }

    /// Slot `v` of every sample.
    #[inline]
    pub fn slot(&self, v: usize) -> &'a [f64] {
        &self.values[v * self.stride..v * self.stride + self.n]
    }
}

impl Quantity {
    /// The value for one sample's value vector.
    #[inline]
    pub fn eval(&self, values: &[f64]) -> f64 {
        self.eval_at(Lanes::one(values), 0)
    }

    /// The value for every sample of a block, into `out` (`lanes.n` long):
    /// one tight loop per quantity, so its cost is shared by the block.
    #[inline(always)]
    pub fn eval_lanes(&self, lanes: Lanes, out: &mut [f64]) {
        match self {
            Quantity::Const(x) => out.fill(*x),
            Quantity::Slot { slot, scale } => {
                for (o, v) in out.iter_mut().zip(lanes.slot(*slot)) {
                    *o = v * scale;
                }
            }
            Quantity::Choice { .. } => {
                for (s, o) in out.iter_mut().enumerate() {
                    *o = self.eval_at(lanes, s);
                }
            }
        }
    }

    /// The value for sample `s` of a block.
    pub fn eval_at(&self, lanes: Lanes, s: usize) -> f64 {
        match self {
            Quantity::Const(x) => *x,
            Quantity::Slot { slot, scale } => lanes.values[slot * lanes.stride + s] * scale,
            Quantity::Choice { slot, options } => {
                options[lanes.values[slot * lanes.stride + s] as usize].eval_at(lanes, s)
            }
        }
    }
}
