//! A compiled model input: a constant, a factor's value, or a value picked by
//! a categorical factor. Evaluated once per sample, so it is a small enum
//! with no allocation.

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

impl Quantity {
    /// Inlined for the common cases; a recursive function would never be
    /// inlined, and this is called ~100 times per sample.
    #[inline(always)]
    pub fn eval(&self, values: &[f64]) -> f64 {
        match self {
            Quantity::Const(x) => *x,
            Quantity::Slot { slot, scale } => values[*slot] * scale,
            Quantity::Choice { .. } => self.eval_choice(values),
        }
    }

    #[inline(never)]
    fn eval_choice(&self, values: &[f64]) -> f64 {
        match self {
            Quantity::Choice { slot, options } => options[values[*slot] as usize].eval(values),
            other => other.eval(values),
        }
    }
}
