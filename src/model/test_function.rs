//! A test function as a model: its inputs are compiled quantities (a
//! factor's value or a constant), its one output is the function's value.

use super::outputs::{Category, OutputLayout};
use super::quantity::Quantity;
use crate::test_functions::TestFunction;

#[derive(Debug, Clone, PartialEq)]
pub struct TestFunctionModel {
    pub function: TestFunction,
    inputs: Vec<Quantity>,
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
        TestFunctionModel {
            function,
            inputs,
            layout,
        }
    }

    pub fn n_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// `x`: a buffer of `n_inputs()` values, filled here.
    #[inline]
    pub fn evaluate(&self, values: &[f64], x: &mut [f64], out: &mut [f64]) {
        for (x, q) in x.iter_mut().zip(&self.inputs) {
            *x = q.eval(values);
        }
        out[0] = self.function.evaluate(x);
    }
}
