//! The compiled model: independent factors (what is uncertain) and the
//! research-compute footprint equations (what is computed from them). The
//! model never knows how it is sampled: it maps a point of the unit cube to
//! factor values, and factor values to outputs.

mod compile;
pub mod correlation;
pub mod factor;
pub mod footprint;
pub mod formula;
pub mod label;
pub mod outputs;
pub mod quantity;
pub mod test_function;

pub use compile::compile;
pub use correlation::CorrelatedSet;
pub use factor::{Factor, FactorKind, format_number};
pub use footprint::{EnergySplit, Footprint};
pub use formula::Derived;
pub use outputs::{CATEGORIES, Category, OutputLayout, SCOPES, Series};
pub use quantity::{LANES, Lanes};
pub use test_function::TestFunctionModel;

/// A constant input as written in the scenario, kept to show its source.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedInput {
    pub name: String,
    /// As `Factor::label`.
    pub label: String,
    pub label_given: bool,
    pub value: f64,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub line: usize,
    /// The formula it was computed from, if any (a formula over constants
    /// only is folded into a constant).
    pub expr: Option<String>,
}

/// An uncertain factor that no output depends on (a PUE under
/// `apply_pue = false`, a load shadowed by every row's own …), found from
/// the compiled equations, not from numbers: it is held at its nominal
/// value, never sampled, and left out of `sobol` and `tornado`; `check`
/// lists it with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct NoEffect {
    /// Its dims stay reserved (unused), so that whether a factor has an
    /// effect never moves another factor's random numbers.
    pub factor: Factor,
    /// Why no output depends on it, for `check`.
    pub reason: String,
    /// As `Model::pairing_names`, so that a factor without effect in A
    /// still pairs with the same factor of B (`paired::pair`).
    pub pairing_name: String,
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
    pub equations: Equations,
    /// For each factor, the name common random numbers are keyed by
    /// (`paired::pair`): its name, except that a factor of an inventory row
    /// with a unique `name` is known by that name
    /// (`inventory."all runs".gpu_hours`), so that reordering, adding or
    /// removing rows keeps each row's random numbers.
    pub pairing_names: Vec<String>,
    /// Factors no output depends on: not in `factors`, not sampled.
    pub no_effect: Vec<NoEffect>,
    /// Values computed by formulas from factors, in dependency order: each
    /// has a slot after its operands' and is recomputed whenever factor
    /// values change (`Model::derive`). Never factors.
    pub derived: Vec<Derived>,
    /// Sets of factors joined by `[correlations]`, sampled jointly through
    /// a Gaussian copula (`model::correlation`); empty: all independent.
    pub correlated: Vec<CorrelatedSet>,
}

/// What a sensitivity analysis varies as one: a factor, or a whole
/// correlated set (swapping one member of a set alone would pair values of
/// two different joint draws).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The factor's name, or the set's (`correlated: ENTRY, …`).
    pub name: String,
    pub label: String,
    /// Indices into `Model::factors`.
    pub factors: Vec<usize>,
    /// The correlated set it is, if any (index into `Model::correlated`).
    pub correlated: Option<usize>,
}

/// What a model computes from its factor values.
#[derive(Debug, Clone, PartialEq)]
pub enum Equations {
    Footprint(Box<Footprint>),
    TestFunction(TestFunctionModel),
}

/// A block of up to `stride` samples, dimension-major: uniform `d` of sample
/// `s` at `u[d * stride + s]`, factor value `v` at `values[v * stride + s]`.
/// Transforming a block distribution by distribution instead of sample by
/// sample keeps each inverse CDF's loop tight (the samplers' hot path).
/// Allocated once per worker.
#[derive(Debug, Clone)]
pub struct ValueBlock {
    pub stride: usize,
    /// Samples filled (≤ `stride`).
    pub len: usize,
    pub u: Vec<f64>,
    pub values: Vec<f64>,
    row_u: Vec<f64>,
    row_values: Vec<f64>,
    /// Registers for the derived values' programs.
    regs: Vec<f64>,
}

impl ValueBlock {
    pub fn new(model: &Model, stride: usize) -> Self {
        ValueBlock {
            stride,
            len: 0,
            u: vec![0.0; model.n_dims * stride],
            values: vec![0.0; model.n_slots * stride],
            row_u: vec![0.0; model.n_dims],
            row_values: vec![0.0; model.n_slots],
            regs: vec![0.0; model.derive_regs() * LANES],
        }
    }

    /// Stores the point `row` (one uniform per dimension) as sample `s`.
    #[inline]
    pub fn set_point(&mut self, s: usize, row: &[f64]) {
        for (d, x) in row.iter().enumerate() {
            self.u[d * self.stride + s] = *x;
        }
    }

    /// The factor values of the filled samples.
    pub fn lanes(&self) -> Lanes<'_> {
        Lanes {
            values: &self.values,
            stride: self.stride,
            n: self.len,
        }
    }

    /// Copies the factor values of sample `s` into `row`.
    #[inline]
    pub fn values_of(&self, s: usize, row: &mut [f64]) {
        for (v, x) in row.iter_mut().enumerate() {
            *x = self.values[v * self.stride + s];
        }
    }
}

/// Working memory for evaluating the model, allocated once per worker.
#[derive(Debug, Clone)]
pub enum Scratch {
    Footprint(Box<footprint::Scratch>),
    /// A test function's input values.
    TestFunction(Vec<f64>),
}

impl Model {
    /// `dims`: (unit-cube dimension, factor-value length).
    pub fn new(
        name: String,
        factors: Vec<Factor>,
        constants: Vec<FixedInput>,
        groups: Vec<FactorGroup>,
        dims: (usize, usize),
        equations: Equations,
    ) -> Self {
        let pairing_names = factors.iter().map(|f| f.name.clone()).collect();
        Model {
            pairing_names,
            name,
            factors,
            constants,
            groups,
            n_dims: dims.0,
            n_slots: dims.1,
            equations,
            no_effect: Vec::new(),
            correlated: Vec::new(),
            derived: Vec::new(),
        }
    }

    /// The units a sensitivity analysis swaps, in factor order: each
    /// independent factor, and each correlated set at its first member.
    pub fn units(&self) -> Vec<Unit> {
        let mut units = Vec::new();
        for (i, f) in self.factors.iter().enumerate() {
            match self.correlated.iter().position(|c| c.factors.contains(&i)) {
                None => units.push(Unit {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    factors: vec![i],
                    correlated: None,
                }),
                Some(c) if self.correlated[c].factors[0] == i => {
                    let set = &self.correlated[c];
                    let labels: Vec<&str> = set
                        .factors
                        .iter()
                        .map(|&j| self.factors[j].label.as_str())
                        .collect();
                    units.push(Unit {
                        name: set.name.clone(),
                        label: format!("correlated: {}", labels.join(", ")),
                        factors: set.factors.clone(),
                        correlated: Some(c),
                    });
                }
                Some(_) => {}
            }
        }
        units
    }

    /// A declared group's factors, with every correlated set it touches
    /// taken whole (a part of a set cannot be swapped alone).
    pub fn group_factors(&self, group: &FactorGroup) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for &f in &group.factors {
            let whole = self
                .correlated
                .iter()
                .find(|c| c.factors.contains(&f))
                .map_or(vec![f], |c| c.factors.clone());
            for g in whole {
                if !out.contains(&g) {
                    out.push(g);
                }
            }
        }
        out
    }

    pub fn layout(&self) -> &OutputLayout {
        match &self.equations {
            Equations::Footprint(f) => &f.layout,
            Equations::TestFunction(t) => &t.layout,
        }
    }

    pub fn n_outputs(&self) -> usize {
        self.layout().n_outputs()
    }

    /// The footprint equations, unless this is a test function.
    pub fn footprint(&self) -> Option<&Footprint> {
        match &self.equations {
            Equations::Footprint(f) => Some(f),
            Equations::TestFunction(_) => None,
        }
    }

    /// Maps a point `u` of the open unit cube to factor values: one sample,
    /// for a library caller; the engines use `values_from_uniforms_block`,
    /// which `tests/model.rs` checks gives the same bits.
    #[inline]
    pub fn values_from_uniforms(&self, u: &[f64], values: &mut [f64]) {
        if self.correlated.is_empty() {
            for f in &self.factors {
                f.transform(&u[f.dims.clone()], &mut values[f.slots.clone()]);
            }
        } else {
            // The copula's uniforms: one sample as a block of one.
            let mut u = u.to_vec();
            for set in &self.correlated {
                set.apply(&mut u, 1, 1);
            }
            for f in &self.factors {
                f.transform(&u[f.dims.clone()], &mut values[f.slots.clone()]);
            }
        }
        self.no_effect_values(values);
        self.derive(values);
    }

    /// Registers (lanes) the derived values' programs need.
    pub fn derive_regs(&self) -> usize {
        self.derived
            .iter()
            .map(|d| d.program.n_regs())
            .max()
            .unwrap_or(0)
    }

    /// Recomputes the derived values of one sample's value vector from its
    /// factor values: after any change to factor values (a tornado's
    /// one-at-a-time change, a Sobol' design row's swapped columns).
    pub fn derive(&self, values: &mut [f64]) {
        if self.derived.is_empty() {
            return;
        }
        let mut regs = vec![0.0; self.derive_regs()];
        formula::derive(&self.derived, values, 1, 1, &mut regs);
    }

    /// `derive` for every sample of a block.
    pub fn derive_block(&self, block: &mut ValueBlock) {
        if self.derived.is_empty() {
            return;
        }
        formula::derive(
            &self.derived,
            &mut block.values,
            block.stride,
            block.len,
            &mut block.regs,
        );
    }

    /// Factors without effect at their nominal values: no output reads
    /// them, but a value is defined all the same (an unused profile's
    /// rates are still computed, and must stay finite).
    fn no_effect_values(&self, values: &mut [f64]) {
        for n in &self.no_effect {
            n.factor.nominal_values(&mut values[n.factor.slots.clone()]);
        }
    }

    /// `values_from_uniforms` for a block of samples, dimension-major (see
    /// [`ValueBlock`]): the same values, one distribution at a time.
    /// Correlated sets rewrite their uniforms in `block.u` first (the
    /// samplers refill it for every block).
    pub fn values_from_uniforms_block(&self, block: &mut ValueBlock) {
        let shape = (block.len, block.stride);
        for set in &self.correlated {
            set.apply(&mut block.u, block.len, block.stride);
        }
        for f in &self.factors {
            f.transform_block(
                &block.u,
                &mut block.values,
                shape,
                &mut block.row_u,
                &mut block.row_values,
            );
        }
        let (n, stride) = shape;
        for f in self.no_effect.iter().map(|n| &n.factor) {
            let row = &mut block.row_values[..f.slots.len()];
            f.nominal_values(row);
            for (slot, x) in f.slots.clone().zip(row.iter()) {
                block.values[slot * stride..slot * stride + n].fill(*x);
            }
        }
        self.derive_block(block);
    }

    /// Every factor at its nominal value: the deterministic baseline.
    pub fn nominal_values(&self) -> Vec<f64> {
        let mut values = vec![0.0; self.n_slots];
        for f in &self.factors {
            f.nominal_values(&mut values[f.slots.clone()]);
        }
        self.no_effect_values(&mut values);
        self.derive(&mut values);
        values
    }

    pub fn scratch(&self) -> Scratch {
        match &self.equations {
            Equations::Footprint(f) => Scratch::Footprint(Box::new(f.scratch())),
            Equations::TestFunction(t) => Scratch::TestFunction(vec![0.0; t.n_inputs()]),
        }
    }

    /// Every output for one sample's factor values (`scratch` from this
    /// model's [`Model::scratch`]).
    #[inline]
    pub fn evaluate(&self, values: &[f64], scratch: &mut Scratch, out: &mut [f64]) {
        self.evaluate_block(Lanes::one(values), scratch, out, 1);
    }

    /// Every output for a block of samples (see [`Lanes`]): output `j` of
    /// sample `s` goes to `out[j * out_stride + s]`, the same bits as
    /// [`Model::evaluate`] gives for that sample alone.
    pub fn evaluate_block(
        &self,
        lanes: Lanes,
        scratch: &mut Scratch,
        out: &mut [f64],
        out_stride: usize,
    ) {
        self.evaluate_series(lanes, scratch, &mut |j, first, x| {
            out[j * out_stride + first..][..x.len()].copy_from_slice(x);
        });
    }

    /// Every output for a block of samples, handed to `each(j, first,
    /// values)` series by series as computed: output `j` of samples
    /// `first..first + values.len()`. The engine folds each series into its
    /// accumulators while it is still in cache.
    pub fn evaluate_series(
        &self,
        lanes: Lanes,
        scratch: &mut Scratch,
        each: &mut dyn FnMut(usize, usize, &[f64]),
    ) {
        match (&self.equations, scratch) {
            (Equations::Footprint(f), Scratch::Footprint(scratch)) => {
                f.evaluate_series(lanes, scratch, each);
            }
            (Equations::TestFunction(t), Scratch::TestFunction(inputs)) => {
                t.evaluate_series(lanes, inputs, each);
            }
            _ => unreachable!("scratch made by another model"),
        }
    }

    /// Outputs at the nominal values, with the energy split of a footprint
    /// model.
    pub fn baseline(&self) -> (Vec<f64>, Option<EnergySplit>) {
        let values = self.nominal_values();
        let mut out = vec![0.0; self.n_outputs()];
        let split = match &self.equations {
            Equations::Footprint(f) => Some(f.evaluate(&values, &mut f.scratch(), &mut out)),
            Equations::TestFunction(_) => {
                self.evaluate(&values, &mut self.scratch(), &mut out);
                None
            }
        };
        (out, split)
    }
}
