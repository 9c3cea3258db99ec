//! A test function as a model: its inputs are compiled quantities (a
//! factor's value or a constant), its one output is the function's value.

use super::outputs::{Category, OutputLayout};
use super::quantity::{LANES, Lanes, Quantity};
use crate::test_functions::{TestFunction, fleet40_columns};

#[derive(Debug, Clone, PartialEq)]
pub struct TestFunctionModel {
    pub function: TestFunction,
    inputs: Vec<Quantity>,
    /// Input i is factor slot i unscaled (every input a distribution, the
    /// usual case): the function reads the factor values in place.
    inputs_are_slots: bool,
    pub layout: OutputLayout,
}

impl TestFunctionModel {
    pub fn new(function: TestFunction, inputs: Vec<Quantity>) -> Self {
        let layout = OutputLayout {
            categories: vec![Category {
                id: "y",
                name: function.title(),
                unit: "",
            }],
            scopes: Vec::new(),
            tag_values: Vec::new(),
        };
        let inputs_are_slots = inputs.iter().enumerate().all(
            |(i, q)| matches!(q, Quantity::Slot { slot, scale } if *slot == i && *scale == 1.0),
        );
        TestFunctionModel {
            function,
            inputs,
            inputs_are_slots,
            layout,
        }
    }

    pub fn n_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// `x`: a buffer of `n_inputs()` values, filled here unless the inputs
    /// are the factor values themselves (copying 40 inputs 42 times per base
    /// sample of a Sobol' design was half the time of `fleet40`).
    #[inline]
    pub fn evaluate(&self, values: &[f64], x: &mut [f64], out: &mut [f64]) {
        if self.inputs_are_slots {
            out[0] = self.function.evaluate(&values[..self.inputs.len()]);
            return;
        }
        for (x, q) in x.iter_mut().zip(&self.inputs) {
            *x = q.eval(values);
        }
        out[0] = self.function.evaluate(x);
    }

    /// The output of each sample of a block (see [`Lanes`]), handed to
    /// `each(0, first, values)` a sub-block at a time. One sample's values
    /// are read in place, as `evaluate` does.
    pub fn evaluate_series(
        &self,
        lanes: Lanes,
        x: &mut [f64],
        each: &mut dyn FnMut(usize, usize, &[f64]),
    ) {
        let mut y = [0.0; LANES];
        if lanes.stride == 1 && lanes.n == 1 {
            self.evaluate(lanes.values, x, &mut y);
            return each(0, 0, &y[..1]);
        }
        for first in (0..lanes.n).step_by(LANES) {
            let n = (lanes.n - first).min(LANES);
            if self.inputs_are_slots && self.function == TestFunction::Fleet40 {
                let column = |i: usize| &lanes.values[i * lanes.stride + first..][..n];
                fleet40_columns(column, &mut y[..n]);
                each(0, first, &y[..n]);
                continue;
            }
            for (s, y) in y[..n].iter_mut().enumerate() {
                let s = first + s;
                for (i, (x, q)) in x.iter_mut().zip(&self.inputs).enumerate() {
                    *x = if self.inputs_are_slots {
                        lanes.values[i * lanes.stride + s]
                    } else {
                        q.eval_at(lanes, s)
                    };
                }
                *y = self.function.evaluate(x);
            }
            each(0, first, &y[..n]);
        }
    }
}
