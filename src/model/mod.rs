//! The compiled model: independent factors (what is uncertain) and the
//! research-compute footprint equations (what is computed from them). The
//! model never knows how it is sampled: it maps a point of the unit cube to
//! factor values, and factor values to outputs.

mod compile;
pub mod factor;
pub mod footprint;
pub mod outputs;
pub mod quantity;

pub use compile::compile;
pub use factor::{Factor, FactorKind, format_number};
pub use footprint::{EnergySplit, Footprint, Scratch};
pub use outputs::{CATEGORIES, Category, OutputLayout, SCOPES, Series};

/// A constant input as written in the scenario, kept to show its source.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedInput {
    pub name: String,
    pub value: f64,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub line: usize,
}

/// A named set of factors (indices into `Model::factors`).
#[derive(Debug, Clone, PartialEq)]
pub struct FactorGroup {
    pub name: String,
    pub factors: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    pub factors: Vec<Factor>,
    /// Every constant input, in the order compiled.
    pub constants: Vec<FixedInput>,
    /// Declared factor groups for sensitivity analysis.
    pub groups: Vec<FactorGroup>,
    /// Dimension of the unit cube a sample is drawn from.
    pub n_dims: usize,
    /// Length of the factor-value vector.
    pub n_slots: usize,
    pub footprint: Footprint,
}

impl Model {
    pub fn layout(&self) -> &OutputLayout {
        &self.footprint.layout
    }

    pub fn n_outputs(&self) -> usize {
        self.footprint.layout.n_outputs()
    }

    /// Maps a point `u` of the open unit cube to factor values.
    #[inline]
    pub fn values_from_uniforms(&self, u: &[f64], values: &mut [f64]) {
        for f in &self.factors {
            f.transform(&u[f.dims.clone()], &mut values[f.slots.clone()]);
        }
    }

    /// Every factor at its nominal value: the deterministic baseline.
    pub fn nominal_values(&self) -> Vec<f64> {
        let mut values = vec![0.0; self.n_slots];
        for f in &self.factors {
            f.nominal_values(&mut values[f.slots.clone()]);
        }
        values
    }

    pub fn scratch(&self) -> Scratch {
        self.footprint.scratch()
    }

    #[inline]
    pub fn evaluate(&self, values: &[f64], scratch: &mut Scratch, out: &mut [f64]) -> EnergySplit {
        self.footprint.evaluate(values, scratch, out)
    }

    /// Outputs at the nominal values, with the energy split.
    pub fn baseline(&self) -> (Vec<f64>, EnergySplit) {
        let values = self.nominal_values();
        let mut out = vec![0.0; self.n_outputs()];
        let split = self.evaluate(&values, &mut self.scratch(), &mut out);
        (out, split)
    }
}
