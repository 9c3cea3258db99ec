//! Compiles a parsed scenario into a `Model`: a flat list of independent
//! factors plus the footprint equations over their values. Every reference,
//! unit and physical bound is checked here, with the file position of the
//! value at fault.

use std::collections::HashMap;

use super::factor::{Factor, FactorKind};
use super::footprint::{Component, Footprint, Hours, Idle, Power, Profile, Row, RowPlan, Site};
use super::formula::{self, Derived, Operand, Shape, Src};
use super::outputs::OutputLayout;
use super::quantity::Quantity;
use super::test_function::TestFunctionModel;
use super::{Equations, FactorGroup, FixedInput, Model, NoEffect, format_number, label};
use crate::dist::Dirichlet;
use crate::scenario::doc::Doc;
use crate::scenario::expr::Expr;
use crate::scenario::unit_algebra::{self, Shown, Unit};
use crate::scenario::units::Dimension;
use crate::scenario::{
    FootprintSpec, HoursSpec, IdleSpec, ModelSpec, NameRef, PowerSpec, ProfileSpec, RowSpec,
    Scenario, ScenarioError, SiteSpec, ValueKind, ValueSpec,
};
use crate::test_functions::TestFunction;

/// How to fix a formula of the wrong dimension.
const DIMENSION_HINT: &str = "in a formula, bare numbers and parameters without a `unit` are dimensionless: give each parameter its unit (e.g. unit = \"GPU\", unit = \"month\") or write a number with its unit in brackets (e.g. `730 [h]`)";

/// Physical bounds a model input must respect over its whole range.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    NonNegative,
    Positive,
    AtLeastOne,
    Fraction,
    PositiveFraction,
}

impl Bound {
    /// `lo`, `hi`: the value's range. A non-degenerate range may start at
    /// 0 for a `Positive` input: a continuous distribution drawn at u in the
    /// open interval (0, 1) does not return its lower end (a lognormal's
    /// range is (0, ∞)).
    fn check(self, lo: f64, hi: f64) -> Result<(), String> {
        let (ok, rule) = match self {
            Bound::NonNegative => (lo >= 0.0, "must be ≥ 0"),
            Bound::Positive => (lo > 0.0 || (lo == 0.0 && hi > 0.0), "must be > 0"),
            Bound::AtLeastOne => (lo >= 1.0, "must be ≥ 1 (a PUE below 1 would create energy)"),
            Bound::Fraction => (
                lo >= 0.0 && hi <= 1.0,
                "is a fraction and must lie in [0, 1]",
            ),
            Bound::PositiveFraction => (
                lo > 0.0 && hi <= 1.0,
                "is a fraction and must lie in (0, 1]",
            ),
        };
        if ok {
            return Ok(());
        }
        let hint = if lo == f64::NEG_INFINITY || hi == f64::INFINITY {
            " (an unbounded distribution such as a normal can reach any value: truncate it with `min`/`max`)"
        } else {
            ""
        };
        Err(format!(
            "{rule}, but this value ranges over [{}, {}]{hint}",
            format_number(lo),
            format_number(hi)
        ))
    }
}

/// A parameter compiled once: its quantity in its own unit and that unit.
#[derive(Clone)]
struct CompiledParameter {
    quantity: Quantity,
    unit: Option<String>,
    /// In its own unit; NaN where a formula's range cannot be computed.
    range: (f64, f64),
    nominal: f64,
    /// A formula parameter's unit (its declared unit, else the base units
    /// of its dimension).
    algebra: Option<Unit>,
}

struct ShareSet {
    total: Option<Quantity>,
    keys: Vec<String>,
    shares: Vec<Quantity>,
}

struct Compiler<'s> {
    scenario: &'s Scenario,
    doc: Doc<'s>,
    factors: Vec<Factor>,
    constants: Vec<FixedInput>,
    n_dims: usize,
    n_slots: usize,
    parameters: HashMap<String, CompiledParameter>,
    choices: HashMap<String, (usize, Vec<String>)>,
    share_sets: HashMap<String, ShareSet>,
    /// Every compiled value the equations evaluate.
    read: Vec<Quantity>,
    /// Every compiled value no output depends on, with the reason: no
    /// factor that appears only here has an effect.
    unread: Vec<(Quantity, String)>,
    /// Values computed by formulas, in dependency order.
    derived: Vec<Derived>,
    /// Whether a factor added now gets no dimension of the unit cube (a
    /// value known to have no effect before it is compiled: it is never
    /// sampled, and giving it a dimension would move later factors'
    /// random numbers).
    without_dims: bool,
}

pub fn compile(scenario: &Scenario) -> Result<Model, ScenarioError> {
    let mut c = Compiler {
        scenario,
        doc: Doc::new(scenario.path.clone(), &scenario.text),
        factors: Vec::new(),
        constants: Vec::new(),
        n_dims: 0,
        n_slots: 0,
        parameters: HashMap::new(),
        choices: HashMap::new(),
        share_sets: HashMap::new(),
        read: Vec::new(),
        unread: Vec::new(),
        derived: Vec::new(),
        without_dims: false,
    };
    c.compile_choices()?;
    c.compile_parameters()?;
    c.compile_share_sets()?;
    let equations = match &scenario.model {
        ModelSpec::Footprint(spec) => Equations::Footprint(Box::new(c.compile_footprint(spec)?)),
        ModelSpec::TestFunction(function) => Equations::TestFunction(c.test_function(function)),
    };
    let no_effect = c.split_no_effect(scenario.inventory());
    let groups = c.compile_groups(&no_effect)?;
    let correlated = super::correlation::compile(
        &scenario.correlations,
        &c.factors,
        &no_effect,
        &c.constants,
        &c.doc,
    )?;
    let mut model = Model::new(
        scenario.name.clone(),
        c.factors,
        c.constants,
        groups,
        (c.n_dims, c.n_slots),
        equations,
    );
    model.pairing_names = model
        .factors
        .iter()
        .map(|f| pairing_name(f, scenario.inventory()))
        .collect();
    model.no_effect = no_effect;
    model.correlated = correlated;
    model.derived = c.derived;
    Ok(model)
}

/// `inventory[i].KEY` → `inventory."NAME".KEY` where row i's name is unique.
fn pairing_name(f: &Factor, rows: &[crate::scenario::RowSpec]) -> String {
    label::by_row_name(&f.name, rows).unwrap_or_else(|| f.name.clone())
}

/// Marks the slots `q` reads, choice options included.
fn mark(q: &Quantity, read: &mut [bool]) {
    match q {
        Quantity::Const(_) => {}
        Quantity::Slot { slot, .. } => read[*slot] = true,
        Quantity::Choice { slot, options } => {
            read[*slot] = true;
            for o in options {
                mark(o, read);
            }
        }
    }
}

/// Why a factor that no compiled value mentions has no effect.
fn unreferenced(f: &Factor) -> String {
    match &f.kind {
        FactorKind::Choice { .. } => "no value depends on this choice".into(),
        FactorKind::Shares { .. } => "no inventory row uses this share set".into(),
        FactorKind::Scalar(_) => "no value refers to this parameter".into(),
    }
}

impl<'s> Compiler<'s> {
    /// An error about a value, in the file it was written in (the
    /// scenario, or the preset it comes from).
    fn error(&self, spec: &ValueSpec, message: String) -> ScenarioError {
        spec.error(&self.doc, message)
    }

    fn line(&self, span: &std::ops::Range<usize>) -> usize {
        self.doc.line_col(span.start).0
    }

    fn add_factor(&mut self, mut factor: Factor, dims: usize) -> usize {
        let cube_dims = if self.without_dims { 0 } else { dims };
        factor.dims = self.n_dims..self.n_dims + cube_dims;
        factor.slots = self.n_slots..self.n_slots + dims;
        self.n_dims += cube_dims;
        self.n_slots += dims;
        let slot = factor.slots.start;
        self.factors.push(factor);
        slot
    }

    /// Takes the factors no output depends on out of `factors`: those
    /// none of whose slots a value the equations evaluate reads. This is
    /// decided on the compiled equations (which values they evaluate under
    /// the scenario's conventions, rows and profiles), never on numbers, so
    /// it holds for every sample. Their dims stay reserved and unused.
    fn split_no_effect(&mut self, rows: &[RowSpec]) -> Vec<NoEffect> {
        let mut read = vec![false; self.n_slots];
        if matches!(self.scenario.model, ModelSpec::TestFunction(_)) {
            // Every parameter is an input of the function.
            read.fill(true);
        }
        for q in &self.read {
            mark(q, &mut read);
        }
        formula::propagate(&self.derived, &mut read);
        let mut no_effect = Vec::new();
        let factors = std::mem::take(&mut self.factors);
        for f in factors {
            if f.slots.clone().any(|s| read[s]) {
                self.factors.push(f);
                continue;
            }
            let mut reasons: Vec<&str> = Vec::new();
            for (q, why) in &self.unread {
                let mut touched = vec![false; self.n_slots];
                mark(q, &mut touched);
                formula::propagate(&self.derived, &mut touched);
                if f.slots.clone().any(|s| touched[s]) && !reasons.contains(&why.as_str()) {
                    reasons.push(why);
                }
            }
            let reason = if reasons.is_empty() {
                unreferenced(&f)
            } else {
                reasons.join("; ")
            };
            no_effect.push(NoEffect {
                pairing_name: pairing_name(&f, rows),
                reason,
                factor: f,
            });
        }
        no_effect
    }

    /// Resolves group members to factors; a member must be an uncertain
    /// factor (a constant has no effect to report). A member without
    /// effect is left out: it adds nothing to the group's indices.
    fn compile_groups(&self, no_effect: &[NoEffect]) -> Result<Vec<FactorGroup>, ScenarioError> {
        let mut groups = Vec::new();
        for g in &self.scenario.groups {
            let mut factors = Vec::new();
            for m in &g.members {
                if no_effect.iter().any(|n| n.factor.name == m.name) {
                    continue;
                }
                let Some(f) = self.factors.iter().position(|f| f.name == m.name) else {
                    return Err(self.doc.error_at(
                        &m.span,
                        &m.path,
                        format!(
                            "group `{}` names `{}`, which is not an uncertain factor; members are factor names as `ecoband check` lists them (a parameter name or a key path such as `datacenter.pue`)",
                            g.name, m.name
                        ),
                    ));
                };
                if !factors.contains(&f) {
                    factors.push(f);
                }
            }
            groups.push(FactorGroup {
                name: g.name.clone(),
                factors,
            });
        }
        Ok(groups)
    }

    /// A test function's inputs are the parameters, in file order.
    fn test_function(&self, function: &TestFunction) -> TestFunctionModel {
        let inputs = self
            .scenario
            .parameters
            .iter()
            .map(|(name, _)| self.parameters[name].quantity.clone())
            .collect();
        TestFunctionModel::new(function.clone(), inputs)
    }

    fn compile_choices(&mut self) -> Result<(), ScenarioError> {
        for ch in &self.scenario.choices {
            let total: f64 = ch.weights.iter().sum();
            let mut acc = 0.0;
            let mut cumulative: Vec<f64> = ch
                .weights
                .iter()
                .map(|w| {
                    acc += w / total;
                    acc
                })
                .collect();
            if let Some(last) = cumulative.last_mut() {
                *last = 1.0;
            }
            let factor = Factor {
                name: ch.name.clone(),
                label: ch
                    .meta
                    .label
                    .clone()
                    .unwrap_or_else(|| label::of_name(&ch.name)),
                label_given: ch.meta.label.is_some(),
                kind: FactorKind::Choice {
                    options: ch.options.clone(),
                    cumulative,
                    nominal: ch.nominal,
                },
                unit: None,
                source: match (&ch.origin, &ch.meta.source) {
                    (Some(o), Some(s)) => Some(o.describe_source(&ch.span, s)),
                    (_, s) => s.clone(),
                },
                note: ch.meta.note.clone(),
                line: match &ch.origin {
                    Some(o) => o.reference_line,
                    None => self.line(&ch.span),
                },
                dims: 0..0,
                slots: 0..0,
                nominal: ch.nominal as f64,
            };
            let slot = self.add_factor(factor, 1);
            self.choices
                .insert(ch.name.clone(), (slot, ch.options.clone()));
        }
        Ok(())
    }

    fn compile_parameters(&mut self) -> Result<(), ScenarioError> {
        let scenario = self.scenario;
        for (name, spec) in &scenario.parameters {
            let (quantity, range) = match &spec.kind {
                ValueKind::Ref(_) => {
                    return Err(self.error(
                        spec,
                        "a parameter cannot refer to another parameter; give it a number or a distribution, or a formula `{ expr = \"…\" }`".into(),
                    ));
                }
                // Compiled below, once every plain parameter is.
                ValueKind::Expr { .. } => continue,
                _ => self.raw_quantity(spec, Some(name))?,
            };
            let nominal = match &spec.kind {
                ValueKind::Const(x) => *x,
                ValueKind::Dist { nominal, .. } => *nominal,
                _ => f64::NAN,
            };
            self.parameters.insert(
                name.clone(),
                CompiledParameter {
                    quantity,
                    unit: spec.meta.unit.clone(),
                    range,
                    nominal,
                    algebra: None,
                },
            );
        }
        for (name, _) in &scenario.parameters {
            self.formula_parameter(name, &mut Vec::new())?;
        }
        Ok(())
    }

    /// A parameter given by a formula, after the formula parameters it
    /// uses (depth first; `stack`: those being compiled, to name a cycle).
    fn formula_parameter(
        &mut self,
        name: &str,
        stack: &mut Vec<String>,
    ) -> Result<(), ScenarioError> {
        if self.parameters.contains_key(name) {
            return Ok(());
        }
        let scenario = self.scenario;
        let Some((_, spec)) = scenario.parameters.iter().find(|(n, _)| n == name) else {
            // An unknown name: the formula that uses it says so.
            return Ok(());
        };
        let ValueKind::Expr { expr, unit } = &spec.kind else {
            return Ok(());
        };
        if let Some(at) = stack.iter().position(|n| n == name) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(name.to_string());
            let first = &scenario
                .parameters
                .iter()
                .find(|(n, _)| *n == stack[at])
                .expect("on the stack")
                .1;
            return Err(self.error(
                first,
                format!(
                    "parameters refer to each other in a cycle: {}; a formula may only use parameters that do not depend on it",
                    cycle.join(" -> ")
                ),
            ));
        }
        stack.push(name.to_string());
        for (used, _) in expr.names() {
            self.formula_parameter(used, stack)?;
        }
        stack.pop();
        let compiled = self.formula(spec, expr)?;
        if let Some(u) = unit {
            self.check_declared(spec, u, compiled.dims)?;
        }
        let algebra = unit.unwrap_or(Unit {
            scale: 1.0,
            dims: compiled.dims,
        });
        let shown = spec
            .meta
            .unit
            .clone()
            .unwrap_or_else(|| Shown(compiled.dims).to_string());
        let (quantity, range, nominal) =
            self.place(spec, Some(name), expr, compiled, algebra.scale, shown)?;
        self.parameters.insert(
            name.to_string(),
            CompiledParameter {
                quantity,
                unit: spec.meta.unit.clone(),
                range,
                nominal,
                algebra: Some(algebra),
            },
        );
        Ok(())
    }

    /// A formula's declared `unit` must be of the dimension it computes.
    fn check_declared(
        &self,
        spec: &ValueSpec,
        unit: &Unit,
        dims: unit_algebra::Dims,
    ) -> Result<(), ScenarioError> {
        if unit.dims == dims {
            return Ok(());
        }
        Err(self.error(
            spec,
            format!(
                "the formula gives {}, but its declared unit `{}` is {}; {DIMENSION_HINT}",
                Shown(dims),
                spec.meta.unit.as_deref().unwrap_or_default(),
                Shown(unit.dims)
            ),
        ))
    }

    /// A formula compiled in base units, its names resolved to parameters.
    fn formula(&self, spec: &ValueSpec, expr: &Expr) -> Result<formula::Compiled, ScenarioError> {
        let params = &self.parameters;
        let mut resolve = |name: &str| -> Result<Operand, String> {
            let Some(p) = params.get(name) else {
                return Err(format!(
                    "unknown name `{name}`; a formula uses the parameters of [parameters]; defined: {}",
                    defined(params.keys(), "[parameters]")
                ));
            };
            let unit = match (&p.algebra, &p.unit) {
                (Some(u), _) => *u,
                (None, None) => Unit::ONE,
                (None, Some(text)) => unit_algebra::parse(text).map_err(|m| {
                    format!("parameter `{name}` has a unit the formula cannot use: {m}")
                })?,
            };
            let (src, slot_scale) = match &p.quantity {
                Quantity::Const(x) => (Src::Const(*x), 1.0),
                Quantity::Slot { slot, scale } => (Src::Slot(*slot as u32), *scale),
                Quantity::Choice { .. } => {
                    return Err(format!(
                        "parameter `{name}` depends on a choice, which a formula cannot use"
                    ));
                }
            };
            Ok(Operand {
                src,
                slot_scale,
                unit,
                range: (!p.range.0.is_nan()).then_some(p.range),
                nominal: p.nominal,
            })
        };
        formula::compile(expr, &mut resolve)
            .map_err(|e| self.error(spec, expr.pointed(&e.at, &e.message)))
    }

    /// A compiled formula as a quantity in units of `divisor` base units:
    /// a constant (listed with the fixed inputs), a scaled slot, or a new
    /// derived slot. Returns its range (NaN where unknown) and nominal.
    fn place(
        &mut self,
        spec: &ValueSpec,
        name: Option<&str>,
        expr: &Expr,
        compiled: formula::Compiled,
        divisor: f64,
        unit: String,
    ) -> Result<(Quantity, (f64, f64), f64), ScenarioError> {
        let nominal = compiled.nominal / divisor;
        if !nominal.is_finite() {
            return Err(self.error(
                spec,
                format!(
                    "the formula `{}` gives {nominal} at the parameters' nominal values",
                    expr.text
                ),
            ));
        }
        let range = compiled.range.map_or((f64::NAN, f64::NAN), |(lo, hi)| {
            (lo / divisor, hi / divisor)
        });
        let (label, label_given) = self.label_of(spec, name);
        let name = name.unwrap_or(&spec.path).to_string();
        let quantity = match compiled.shape {
            Shape::Const(v) => {
                let value = v / divisor;
                self.constants.push(FixedInput {
                    name,
                    label,
                    label_given,
                    value,
                    unit: Some(unit),
                    source: spec.source(),
                    line: spec.line(&self.doc),
                    expr: Some(expr.text.clone()),
                });
                Quantity::Const(value)
            }
            Shape::Scaled(slot, k) => Quantity::Slot {
                slot,
                scale: k / divisor,
            },
            Shape::Program(ops) => {
                let slot = self.n_slots;
                self.n_slots += 1;
                self.derived.push(Derived {
                    name,
                    label,
                    label_given,
                    expr: expr.text.clone(),
                    unit,
                    source: spec.source(),
                    line: spec.line(&self.doc),
                    slot,
                    program: formula::Program { ops, divisor },
                    nominal,
                    reads: compiled.reads,
                });
                Quantity::Slot { slot, scale: 1.0 }
            }
        };
        Ok((quantity, range, nominal))
    }

    /// A value's label: given, or derived from its name or key path.
    fn label_of(&self, spec: &ValueSpec, name: Option<&str>) -> (String, bool) {
        let label = match (&spec.meta.label, name) {
            (Some(given), _) => given.clone(),
            (None, Some(name)) => label::of_name(name),
            (None, None) => label::of_path(&spec.path, self.scenario.inventory()),
        };
        (label, spec.meta.label.is_some())
    }

    /// A value in its own unit (no conversion, no bound check), registering
    /// a factor for a distribution. `name` names the factor (else the path).
    fn raw_quantity(
        &mut self,
        spec: &ValueSpec,
        name: Option<&str>,
    ) -> Result<(Quantity, (f64, f64)), ScenarioError> {
        let (label, label_given) = self.label_of(spec, name);
        match &spec.kind {
            ValueKind::Const(x) => {
                self.constants.push(FixedInput {
                    name: name.unwrap_or(&spec.path).to_string(),
                    label,
                    label_given,
                    value: *x,
                    unit: spec.meta.unit.clone(),
                    source: spec.source(),
                    line: spec.line(&self.doc),
                    expr: None,
                });
                Ok((Quantity::Const(*x), (*x, *x)))
            }
            ValueKind::Dist { dist, nominal } => {
                let range = dist.support();
                let factor = Factor {
                    name: name.unwrap_or(&spec.path).to_string(),
                    label,
                    label_given,
                    kind: FactorKind::Scalar(dist.clone()),
                    unit: spec.meta.unit.clone(),
                    source: spec.source(),
                    note: spec.meta.note.clone(),
                    line: spec.line(&self.doc),
                    dims: 0..0,
                    slots: 0..0,
                    nominal: *nominal,
                };
                let slot = self.add_factor(factor, 1);
                Ok((Quantity::Slot { slot, scale: 1.0 }, range))
            }
            ValueKind::Ref(_) | ValueKind::Choice { .. } | ValueKind::Expr { .. } => Err(self.error(
                spec,
                "a parameter is a number or a distribution; a choice-dependent value belongs where it is used".into(),
            )),
        }
    }

    /// A model input in its canonical unit, checked against its bound.
    fn quantity(
        &mut self,
        spec: &ValueSpec,
        dim: Dimension,
        bound: Bound,
    ) -> Result<Quantity, ScenarioError> {
        let (quantity, range) = self.converted(spec, dim)?;
        // NaN: a formula whose range cannot be computed from its operands'
        // (a division by a range that contains 0 …).
        if !range.0.is_nan() && !range.1.is_nan() {
            bound
                .check(range.0, range.1)
                .map_err(|m| self.error(spec, format!("{m} ({})", dim.canonical())))?;
        }
        Ok(quantity)
    }

    fn scale(
        &self,
        spec: &ValueSpec,
        unit: Option<&str>,
        dim: Dimension,
    ) -> Result<f64, ScenarioError> {
        match unit {
            None => Ok(1.0),
            Some(u) => dim.factor(u).map_err(|m| self.error(spec, m)),
        }
    }

    /// The scale from a formula parameter's unit to `dim`'s canonical unit.
    fn formula_scale(
        &self,
        spec: &ValueSpec,
        name: &str,
        unit: &Unit,
        dim: Dimension,
    ) -> Result<f64, ScenarioError> {
        let (accepted, canonical) = unit_algebra::accepted(dim);
        if !accepted.contains(&unit.dims) {
            return Err(self.error(
                spec,
                format!(
                    "parameter `{name}` is a formula giving {}, but this input is in {} ({}); {DIMENSION_HINT}",
                    Shown(unit.dims),
                    dim.canonical(),
                    Shown(accepted[0])
                ),
            ));
        }
        Ok(unit.scale / canonical)
    }

    fn converted(
        &mut self,
        spec: &ValueSpec,
        dim: Dimension,
    ) -> Result<(Quantity, (f64, f64)), ScenarioError> {
        match &spec.kind {
            ValueKind::Const(_) | ValueKind::Dist { .. } => {
                let scale = self.scale(spec, spec.meta.unit.as_deref(), dim)?;
                let (q, range) = self.raw_quantity(spec, None)?;
                Ok((scaled(q, scale), (range.0 * scale, range.1 * scale)))
            }
            ValueKind::Ref(name) => {
                let Some(p) = self.parameters.get(name).cloned() else {
                    let known = defined(self.parameters.keys(), "[parameters]");
                    return Err(self.error(
                        spec,
                        format!("refers to undefined parameter `{name}`; defined: {known}"),
                    ));
                };
                let scale = match &p.algebra {
                    None => self.scale(spec, p.unit.as_deref(), dim)?,
                    Some(u) => self.formula_scale(spec, name, u, dim)?,
                };
                Ok((
                    scaled(p.quantity, scale),
                    (p.range.0 * scale, p.range.1 * scale),
                ))
            }
            ValueKind::Expr { expr, unit } => {
                let compiled = self.formula(spec, expr)?;
                if let Some(u) = unit {
                    self.check_declared(spec, u, compiled.dims)?;
                }
                let (accepted, canonical) = unit_algebra::accepted(dim);
                if !accepted.contains(&compiled.dims) {
                    return Err(self.error(
                        spec,
                        format!(
                            "the formula gives {}, but this input is in {} ({}); {DIMENSION_HINT}",
                            Shown(compiled.dims),
                            dim.canonical(),
                            Shown(accepted[0])
                        ),
                    ));
                }
                let shown = spec
                    .meta
                    .unit
                    .clone()
                    .unwrap_or_else(|| dim.canonical().to_string());
                let (q, range, _) = self.place(spec, None, expr, compiled, canonical, shown)?;
                Ok((q, range))
            }
            ValueKind::Choice { choice, options } => {
                let Some((slot, names)) = self.choices.get(choice).cloned() else {
                    let known = defined(self.choices.keys(), "[choices.NAME]");
                    return Err(self.error(
                        spec,
                        format!("refers to undefined choice `{choice}`; defined: {known}"),
                    ));
                };
                let mut compiled = Vec::with_capacity(names.len());
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for option in &names {
                    let Some((_, value)) = options.iter().find(|(o, _)| o == option) else {
                        return Err(self.error(
                            spec,
                            format!("gives no value for option `{option}` of choice `{choice}`; every option needs one: {}", names.join(", ")),
                        ));
                    };
                    let value = spec.option_value(option, value);
                    let (q, range) = self.converted(&value, dim)?;
                    if range.0.is_nan() || lo.is_nan() {
                        (lo, hi) = (f64::NAN, f64::NAN);
                    } else {
                        lo = lo.min(range.0);
                        hi = hi.max(range.1);
                    }
                    compiled.push(q);
                }
                if let Some((extra, value)) = options.iter().find(|(o, _)| !names.contains(o)) {
                    return Err(self.error(
                        value,
                        format!(
                            "`{extra}` is not an option of choice `{choice}`; options: {}",
                            names.join(", ")
                        ),
                    ));
                }
                Ok((
                    Quantity::Choice {
                        slot,
                        options: compiled.into_boxed_slice(),
                    },
                    (lo, hi),
                ))
            }
        }
    }

    fn compile_share_sets(&mut self) -> Result<(), ScenarioError> {
        for set in &self.scenario.share_sets {
            let total = match &set.total {
                None => None,
                Some(t) => Some(self.quantity(t, Dimension::GpuHours, Bound::NonNegative)?),
            };
            let shares = match set.concentration {
                None => set.shares.iter().map(|s| Quantity::Const(*s)).collect(),
                Some(concentration) => {
                    let dirichlet = Dirichlet::new(&set.shares, concentration)
                        .map_err(|e| self.doc.error_at(&set.span, &set.path, e.0))?;
                    let n = set.shares.len();
                    let factor = Factor {
                        name: set.name.clone(),
                        label: set
                            .meta
                            .label
                            .clone()
                            .unwrap_or_else(|| label::of_name(&set.name)),
                        label_given: set.meta.label.is_some(),
                        kind: FactorKind::Shares {
                            dirichlet,
                            keys: set.keys.clone(),
                            shares: set.shares.clone(),
                            concentration,
                        },
                        unit: Some("1".into()),
                        source: set.meta.source.clone(),
                        note: set.meta.note.clone(),
                        line: self.line(&set.span),
                        dims: 0..0,
                        slots: 0..0,
                        nominal: f64::NAN,
                    };
                    let first = self.add_factor(factor, n);
                    (0..n)
                        .map(|j| Quantity::Slot {
                            slot: first + j,
                            scale: 1.0,
                        })
                        .collect()
                }
            };
            self.share_sets.insert(
                set.name.clone(),
                ShareSet {
                    total,
                    keys: set.keys.clone(),
                    shares,
                },
            );
        }
        Ok(())
    }

    fn optional(
        &mut self,
        spec: Option<&ValueSpec>,
        default: f64,
        dim: Dimension,
        bound: Bound,
    ) -> Result<Quantity, ScenarioError> {
        match spec {
            None => Ok(Quantity::Const(default)),
            Some(s) => self.quantity(s, dim, bound),
        }
    }

    fn compile_profile(&mut self, p: &ProfileSpec) -> Result<Profile, ScenarioError> {
        let gpus_per_node = self.quantity(&p.gpus_per_node, Dimension::Count, Bound::Positive)?;
        let power = match &p.power {
            PowerSpec::PerGpu(w) => {
                Power::PerGpu(self.quantity(w, Dimension::Power, Bound::NonNegative)?)
            }
            PowerSpec::Curve { points, scale } => {
                let mut loads = Vec::new();
                let mut watts = Vec::new();
                for (load, w) in points {
                    loads.push(*load);
                    watts.push(self.quantity(w, Dimension::Power, Bound::NonNegative)?);
                }
                let scale = self.optional(
                    scale.as_ref(),
                    1.0,
                    Dimension::Dimensionless,
                    Bound::NonNegative,
                )?;
                Power::Curve {
                    loads,
                    watts,
                    scale,
                }
            }
        };
        let rest_of_node_w = self.optional(
            p.rest_of_node_w.as_ref(),
            0.0,
            Dimension::Power,
            Bound::NonNegative,
        )?;
        let rest_of_node_ratio = self.optional(
            p.rest_of_node_ratio.as_ref(),
            0.0,
            Dimension::Dimensionless,
            Bound::NonNegative,
        )?;
        let lifetime_years = self.quantity(&p.lifetime_years, Dimension::Years, Bound::Positive)?;
        let lifetime_utilisation = self.optional(
            p.lifetime_utilisation.as_ref(),
            1.0,
            Dimension::Dimensionless,
            Bound::PositiveFraction,
        )?;
        let dims = [
            Dimension::Gwp,
            Dimension::Pe,
            Dimension::Adp,
            Dimension::Water,
        ];
        let mut components = Vec::new();
        for c in &p.embodied {
            let count = self.quantity(&c.count, Dimension::ComponentAmount, Bound::NonNegative)?;
            let mut factors = [
                Quantity::Const(0.0),
                Quantity::Const(0.0),
                Quantity::Const(0.0),
                Quantity::Const(0.0),
            ];
            for (k, spec) in c.factors.iter().enumerate() {
                if let Some(spec) = spec {
                    factors[k] = self.quantity(spec, dims[k], Bound::NonNegative)?;
                }
            }
            components.push(Component { count, factors });
        }
        Ok(Profile {
            gpus_per_node,
            power,
            rest_of_node_w,
            rest_of_node_ratio,
            lifetime_years,
            lifetime_utilisation,
            components,
        })
    }

    fn compile_site(&mut self, site: &SiteSpec) -> Result<Site, ScenarioError> {
        let (d, e) = (&site.datacenter, &site.electricity);
        let pue = self.quantity(&d.pue, Dimension::Dimensionless, Bound::AtLeastOne)?;
        let wue_onsite =
            self.quantity(&d.wue_onsite, Dimension::WaterPerKwh, Bound::NonNegative)?;
        let grid = [
            self.quantity(&e.gwp, Dimension::GwpPerKwh, Bound::NonNegative)?,
            self.quantity(&e.pe, Dimension::PePerKwh, Bound::NonNegative)?,
            self.quantity(&e.adp, Dimension::AdpPerKwh, Bound::NonNegative)?,
            self.quantity(&e.water, Dimension::WaterPerKwh, Bound::NonNegative)?,
        ];
        let (idle, idle_value) = match &site.idle {
            None => (Idle::None, Quantity::Const(0.0)),
            Some(IdleSpec::Energy(e)) => (
                Idle::Energy,
                self.quantity(e, Dimension::Energy, Bound::NonNegative)?,
            ),
            Some(IdleSpec::Ratio(r)) => (
                Idle::Ratio,
                self.quantity(r, Dimension::Dimensionless, Bound::NonNegative)?,
            ),
        };
        Ok(Site {
            pue,
            wue_onsite,
            grid,
            idle,
            idle_value,
        })
    }

    fn compile_footprint(&mut self, s: &'s FootprintSpec) -> Result<Footprint, ScenarioError> {
        let mut sites = Vec::new();
        for site in &s.sites {
            sites.push(self.compile_site(site)?);
        }
        let mut profiles = Vec::new();
        for p in &s.profiles {
            profiles.push(self.compile_profile(p)?);
        }
        let default_load = match &s.defaults.load {
            None => None,
            Some(l) => Some(self.quantity(l, Dimension::Dimensionless, Bound::Fraction)?),
        };
        let mut profile_loads = Vec::new();
        for p in &s.profiles {
            if let (PowerSpec::PerGpu(_), Some(load)) = (&p.power, &p.load) {
                return Err(self.error(
                    load,
                    format!("`load` has no effect: profile `{}` gives a fixed `gpu_power_w`; use `gpu_power_curve` to model load", p.name),
                ));
            }
            profile_loads.push(match &p.load {
                None => None,
                Some(l) => Some(self.quantity(l, Dimension::Dimensionless, Bound::Fraction)?),
            });
        }
        self.dropped_loads(s)?;
        let row_sites = self.row_sites(s)?;
        let row_tags = row_tags(s, &row_sites);
        let layout = tag_layout(&row_tags);
        let mut rows = Vec::new();
        for ((r, tags), site) in s.inventory.iter().zip(&row_tags).zip(row_sites) {
            let mut row = self.compile_row(s, r, tags, &layout, &default_load, &profile_loads)?;
            row.site = site;
            rows.push(row);
        }
        self.check_share_usage()?;
        self.shadowed_loads(s, &rows, default_load, profile_loads);
        self.unused_totals();
        let footprint = Footprint {
            plan: RowPlan::new(&rows, layout.tag_values.len()),
            rows,
            profiles,
            sites,
            water_formula: s.conventions.water_formula,
            apply_pue: s.conventions.apply_pue,
            layout,
        };
        self.footprint_reads(s, &footprint);
        Ok(footprint)
    }

    /// A value the equations evaluate if `read`, else one no output
    /// depends on, for `reason`.
    fn classify(&mut self, q: &Quantity, read: bool, reason: impl FnOnce() -> String) {
        if read {
            self.read.push(q.clone());
        } else {
            self.unread.push((q.clone(), reason()));
        }
    }

    /// Sorts the footprint's values into those its equations evaluate and
    /// those no output depends on, as `Footprint::evaluate_series` uses
    /// them: a profile's power only through rows that draw power on it,
    /// its embodied impacts only through rows' GPU-hours, a row's load only
    /// on a curve, the PUE only with `apply_pue`.
    fn footprint_reads(&mut self, s: &FootprintSpec, f: &Footprint) {
        let n = f.profiles.len();
        // Per profile: some row names it; some row's GPU-hours carry its
        // embodied impacts; some row draws power on it.
        let (mut named, mut hours, mut power) = (vec![false; n], vec![false; n], vec![false; n]);
        for row in &f.rows {
            match &row.hours {
                None => {}
                Some(Hours::Direct(h)) => self.classify(h, true, String::new),
                Some(Hours::Share { total, share }) => {
                    self.classify(total, true, String::new);
                    self.classify(share, true, String::new);
                }
            }
            if let Some(e) = &row.it_energy_kwh {
                self.classify(e, true, String::new);
            }
            let Some(p) = row.profile else { continue };
            named[p] = true;
            hours[p] |= row.hours.is_some();
            power[p] |= row.it_energy_kwh.is_none();
            if let (Some(load), None) = (&row.load, &row.it_energy_kwh) {
                let on_curve = matches!(f.profiles[p].power, Power::Curve { .. });
                self.classify(load, on_curve, || {
                    format!(
                        "profile `{}` gives a fixed `gpu_power_w`, and a load only selects a point of a `gpu_power_curve`",
                        s.profiles[p].name
                    )
                });
            }
        }
        for (p, profile) in f.profiles.iter().enumerate() {
            let name = &s.profiles[p].name;
            let unused = format!("no inventory row uses profile `{name}`");
            let (no_hours, no_power) = if named[p] {
                (
                    format!(
                        "no inventory row on profile `{name}` gives GPU-hours, which carry its embodied impacts"
                    ),
                    format!(
                        "every inventory row on profile `{name}` gives a measured `it_energy_kwh`, which replaces GPU-hours × power"
                    ),
                )
            } else {
                (unused.clone(), unused)
            };
            self.classify(&profile.gpus_per_node, hours[p] || power[p], || {
                no_hours.clone()
            });
            let embodied = [&profile.lifetime_years, &profile.lifetime_utilisation]
                .into_iter()
                .chain(
                    profile
                        .components
                        .iter()
                        .flat_map(|c| std::iter::once(&c.count).chain(&c.factors)),
                );
            for q in embodied {
                self.classify(q, hours[p], || no_hours.clone());
            }
            let watts: Vec<&Quantity> = match &profile.power {
                Power::Curve { watts, scale, .. } => watts.iter().chain([scale]).collect(),
                Power::PerGpu(w) => vec![w],
            };
            let rest = [&profile.rest_of_node_w, &profile.rest_of_node_ratio];
            for q in watts.into_iter().chain(rest) {
                self.classify(q, power[p], || no_power.clone());
            }
        }
        for (i, site) in f.sites.iter().enumerate() {
            let used = f.rows.iter().any(|r| r.site == i);
            let unused = || format!("no inventory row runs at site `{}`", s.sites[i].name);
            self.classify(&site.pue, f.apply_pue && used, || {
                if used {
                    "`conventions.apply_pue = false`: facility energy is the IT energy, so no output depends on the PUE".into()
                } else {
                    unused()
                }
            });
            for q in std::iter::once(&site.wue_onsite).chain(&site.grid) {
                self.classify(q, used, unused);
            }
            self.classify(&site.idle_value, used && site.idle != Idle::None, unused);
        }
    }

    /// A preset's `load` that a fixed `gpu_power_w` dropped: compiled
    /// (checked like any value) so that `check` lists it as having no
    /// effect, without a dimension, since it was never sampled. A constant
    /// is not an uncertain factor and is not listed.
    fn dropped_loads(&mut self, s: &FootprintSpec) -> Result<(), ScenarioError> {
        for p in &s.profiles {
            let Some(load) = &p.dropped_load else {
                continue;
            };
            if !matches!(load.kind, ValueKind::Dist { .. }) {
                continue;
            }
            self.without_dims = true;
            let q = self.quantity(load, Dimension::Dimensionless, Bound::Fraction);
            self.without_dims = false;
            let q = q?;
            self.unread.push((
                q,
                format!(
                    "profile `{}` gives a fixed `gpu_power_w` in place of its preset's power curve, and a load only selects a point of a curve",
                    p.name
                ),
            ));
        }
        Ok(())
    }

    /// Why `[defaults].load` and a profile's `load` may reach no row: every
    /// row that could take them gives its own. Recorded whether or not a
    /// row takes them (then they are read, and the reason is unused).
    fn shadowed_loads(
        &mut self,
        s: &FootprintSpec,
        rows: &[Row],
        default_load: Option<Quantity>,
        profile_loads: Vec<Option<Quantity>>,
    ) {
        // Rows drawing power on each profile, and whether all give a load.
        let drawing = |p: usize| {
            rows.iter()
                .zip(&s.inventory)
                .filter(move |(r, _)| r.profile == Some(p) && r.it_energy_kwh.is_none())
        };
        for (p, load) in profile_loads.into_iter().enumerate() {
            let Some(load) = load else { continue };
            let name = &s.profiles[p].name;
            let reason = if drawing(p).next().is_none() {
                format!("no inventory row draws power on profile `{name}`")
            } else {
                format!("every inventory row on profile `{name}` gives its own `load`")
            };
            self.unread.push((load, reason));
        }
        if let Some(load) = default_load {
            let on_curve = (0..s.profiles.len())
                .filter(|&p| matches!(s.profiles[p].power, PowerSpec::Curve { .. }))
                .any(|p| drawing(p).next().is_some());
            let reason = if on_curve {
                "every inventory row drawing power on a `gpu_power_curve` gives its own `load` or takes its profile's"
            } else {
                "no inventory row draws power on a `gpu_power_curve`"
            };
            self.unread.push((load, reason.into()));
        }
    }

    /// Why a share set's `total` may reach no row.
    fn unused_totals(&mut self) {
        let scenario = self.scenario;
        for set in &scenario.share_sets {
            let Some(total) = self.share_sets.get(&set.name).and_then(|s| s.total.clone()) else {
                continue;
            };
            let used = scenario.inventory().iter().any(|r| {
                matches!(&r.hours, Some(HoursSpec::Share { set: name, .. }) if name.name == set.name)
            });
            let reason = if used {
                format!(
                    "every inventory row using share set `{}` gives its own `gpu_hours`",
                    set.name
                )
            } else {
                format!("no inventory row uses share set `{}`", set.name)
            };
            self.unread.push((total, reason));
        }
    }

    /// Rows that split a share set's `total` must use each of its shares
    /// exactly once: a share left out would silently drop part of the total,
    /// a share used twice would count it twice.
    fn check_share_usage(&self) -> Result<(), ScenarioError> {
        for set in &self.scenario.share_sets {
            // Per share: rows using it, and the last such row's reference.
            let mut uses: Vec<(usize, Option<&NameRef>)> = vec![(0, None); set.keys.len()];
            for r in self.scenario.inventory() {
                if let Some(HoursSpec::Share {
                    set: name,
                    key,
                    of: None,
                }) = &r.hours
                    && name.name == set.name
                    && let Some(j) = set.keys.iter().position(|k| k == key)
                {
                    uses[j] = (uses[j].0 + 1, Some(name));
                }
            }
            if uses.iter().all(|(n, _)| *n == 0) {
                continue;
            }
            for (key, (n, place)) in set.keys.iter().zip(&uses) {
                if *n == 1 {
                    continue;
                }
                let (span, path) = match place {
                    Some(p) => (&p.span, p.path.as_str()),
                    None => (&set.span, set.path.as_str()),
                };
                return Err(self.doc.error_at(
                    span,
                    path,
                    format!(
                        "share `{key}` of set `{}` is used by {n} rows that split the set's total; each share must be used exactly once (or give the rows their own `gpu_hours`)",
                        set.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The site each row ran at: its `site`, else `[defaults].site`, else
    /// the only site.
    fn row_sites(&self, s: &FootprintSpec) -> Result<Vec<usize>, ScenarioError> {
        let no_sites = |n: &NameRef| {
            self.doc.error_at(
                &n.span,
                &n.path,
                "this scenario declares no [sites.NAME] tables, so there is no site to name: its rows run at its one [datacenter] and [electricity] (declare sites to split a project across data centres)".into(),
            )
        };
        if !s.named_sites {
            if let Some(n) = s.inventory.iter().find_map(|r| r.site.as_ref()) {
                return Err(no_sites(n));
            }
            if let Some(n) = &s.defaults.site {
                return Err(no_sites(n));
            }
            return Ok(vec![0; s.inventory.len()]);
        }
        let find = |n: &NameRef| {
            s.sites
                .iter()
                .position(|site| site.name == n.name)
                .ok_or_else(|| {
                    let known = defined(s.sites.iter().map(|site| &site.name), "[sites.NAME]");
                    self.doc.error_at(
                        &n.span,
                        &n.path,
                        format!(
                            "refers to undefined site `{}`; defined sites: {known}",
                            n.name
                        ),
                    )
                })
        };
        let default = s.defaults.site.as_ref().map(find).transpose()?;
        let mut out = Vec::with_capacity(s.inventory.len());
        for r in &s.inventory {
            if let Some((_, _)) = r.tags.iter().find(|(k, _)| k == SITE_TAG) {
                return Err(self.doc.error_at(
                    &r.span,
                    &r.path,
                    format!(
                        "tag `{SITE_TAG}` is the per-site breakdown of a scenario with [sites.NAME] tables (each row's `site`); give this tag another name"
                    ),
                ));
            }
            let site = match (&r.site, default) {
                (Some(n), _) => find(n)?,
                (None, Some(d)) => d,
                (None, None) if s.sites.len() == 1 => 0,
                (None, None) => {
                    let known = defined(s.sites.iter().map(|site| &site.name), "[sites.NAME]");
                    return Err(self.doc.error_at(
                        &r.span,
                        &r.path,
                        format!("names no site: give `site = \"…\"` in the row or in [defaults] (sites: {known})"),
                    ));
                }
            };
            out.push(site);
        }
        Ok(out)
    }

    fn profile_index(
        &self,
        s: &FootprintSpec,
        r: &RowSpec,
    ) -> Result<Option<usize>, ScenarioError> {
        let named = r.profile.as_ref().or(s.defaults.profile.as_ref());
        match named {
            Some(n) => s
                .profiles
                .iter()
                .position(|p| p.name == n.name)
                .map(Some)
                .ok_or_else(|| {
                    let known = defined(s.profiles.iter().map(|p| &p.name), "[profiles.NAME]");
                    self.doc.error_at(
                        &n.span,
                        &n.path,
                        format!(
                            "refers to undefined hardware profile `{}`; defined profiles: {known}",
                            n.name
                        ),
                    )
                }),
            None if s.profiles.len() == 1 => Ok(Some(0)),
            None => Ok(None),
        }
    }

    fn compile_row(
        &mut self,
        s: &FootprintSpec,
        r: &RowSpec,
        tags: &[(String, String)],
        layout: &OutputLayout,
        default_load: &Option<Quantity>,
        profile_loads: &[Option<Quantity>],
    ) -> Result<Row, ScenarioError> {
        let hours = match &r.hours {
            None => None,
            Some(HoursSpec::Direct(h)) => Some(Hours::Direct(self.quantity(
                h,
                Dimension::GpuHours,
                Bound::NonNegative,
            )?)),
            Some(HoursSpec::Share { set, key, of }) => {
                let own = match of {
                    None => None,
                    Some(h) => Some(self.quantity(h, Dimension::GpuHours, Bound::NonNegative)?),
                };
                let Some(shares) = self.share_sets.get(&set.name) else {
                    let known = defined(self.share_sets.keys(), "[shares.NAME]");
                    return Err(self.doc.error_at(
                        &set.span,
                        &set.path,
                        format!(
                            "refers to undefined share set `{}`; defined: {known}",
                            set.name
                        ),
                    ));
                };
                let Some(j) = shares.keys.iter().position(|k| k == key) else {
                    return Err(self.doc.error_at(
                        &set.span,
                        &set.path,
                        format!(
                            "share set `{}` has no share `{key}`; its shares: {}",
                            set.name,
                            shares.keys.join(", ")
                        ),
                    ));
                };
                let Some(total) = own.or_else(|| shares.total.clone()) else {
                    return Err(self.doc.error_at(
                        &set.span,
                        &set.path,
                        format!("share set `{}` has no `total`, so this row must give the hours the share applies to in `gpu_hours`", set.name),
                    ));
                };
                Some(Hours::Share {
                    total,
                    share: shares.shares[j].clone(),
                })
            }
        };
        let it_energy_kwh = match &r.it_energy_kwh {
            None => None,
            Some(e) => Some(self.quantity(e, Dimension::Energy, Bound::NonNegative)?),
        };
        let profile = self.profile_index(s, r)?;
        let needs_profile = it_energy_kwh.is_none() || hours.is_some();
        if needs_profile && profile.is_none() {
            return Err(self.doc.error_at(
                &r.span,
                &r.path,
                "names no hardware profile: give `profile = \"…\"` in the row or in [defaults] (GPU-hours need a profile for power and embodied impacts)".into(),
            ));
        }
        let row_load = match &r.load {
            None => None,
            Some(l) => Some(self.quantity(l, Dimension::Dimensionless, Bound::Fraction)?),
        };
        let load = match profile {
            Some(p) if it_energy_kwh.is_none() => {
                let on_curve = matches!(s.profiles[p].power, PowerSpec::Curve { .. });
                let load = row_load
                    .or_else(|| profile_loads[p].clone())
                    .or_else(|| default_load.clone());
                if on_curve && load.is_none() {
                    return Err(self.doc.error_at(
                        &r.span,
                        &r.path,
                        format!(
                            "profile `{}` has a load-to-power curve, so this row needs a GPU load: give `load` in the row, the profile or [defaults]",
                            s.profiles[p].name
                        ),
                    ));
                }
                if !on_curve && r.load.is_some() {
                    return Err(self.doc.error_at(
                        &r.span,
                        &r.path,
                        format!(
                            "`load` has no effect: profile `{}` gives a fixed `gpu_power_w`; use `gpu_power_curve` to model load",
                            s.profiles[p].name
                        ),
                    ));
                }
                load
            }
            _ => {
                if let Some(q) = row_load {
                    self.unread.push((
                        q,
                        format!(
                            "inventory row `{}` gives a measured `it_energy_kwh`, which replaces GPU-hours × power",
                            r.name
                        ),
                    ));
                }
                None
            }
        };
        let tags = tags
            .iter()
            .map(|tv| {
                layout
                    .tag_values
                    .iter()
                    .position(|x| x == tv)
                    .expect("layout built from these rows")
            })
            .collect();
        Ok(Row {
            hours,
            it_energy_kwh,
            profile,
            load,
            tags,
            site: 0,
        })
    }
}

/// The defined names, sorted, for an error message; or where to declare one.
fn defined<'a>(names: impl Iterator<Item = &'a String>, section: &str) -> String {
    let mut names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        return format!("none (declare one under {section})");
    }
    names.sort_unstable();
    names.join(", ")
}

fn scaled(q: Quantity, scale: f64) -> Quantity {
    if scale == 1.0 {
        return q;
    }
    match q {
        Quantity::Const(x) => Quantity::Const(x * scale),
        Quantity::Slot { slot, scale: s } => Quantity::Slot {
            slot,
            scale: s * scale,
        },
        Quantity::Choice { slot, options } => Quantity::Choice {
            slot,
            options: options
                .into_vec()
                .into_iter()
                .map(|o| scaled(o, scale))
                .collect(),
        },
    }
}

/// The tag name of the per-site breakdown.
pub const SITE_TAG: &str = "site";

/// Each row's tags: as written, and with named sites first its
/// `site = NAME`, so that every output gains the per-site breakdown.
fn row_tags(s: &FootprintSpec, row_sites: &[usize]) -> Vec<Vec<(String, String)>> {
    s.inventory
        .iter()
        .zip(row_sites)
        .map(|(r, &site)| {
            let site = s
                .named_sites
                .then(|| (SITE_TAG.to_string(), s.sites[site].name.clone()));
            site.into_iter().chain(r.tags.iter().cloned()).collect()
        })
        .collect()
}

/// Tag values grouped by tag name, both in first-seen order.
fn tag_layout(rows: &[Vec<(String, String)>]) -> OutputLayout {
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        for (n, _) in r {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let mut tag_values = Vec::new();
    for name in names {
        for r in rows {
            for tv in r {
                if tv.0 == name && !tag_values.contains(tv) {
                    tag_values.push(tv.clone());
                }
            }
        }
    }
    OutputLayout::footprint(tag_values)
}
