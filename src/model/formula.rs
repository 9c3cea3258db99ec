//! Formulas compiled: a parsed expression (`crate::scenario::expr`) with
//! its names resolved to parameters becomes, once, either a constant (no
//! uncertain operand), a scaled factor slot, or a flat program evaluated a
//! block of samples at a time into a *derived slot* of the value vector.
//!
//! Units go through the expression (`crate::scenario::unit_algebra`): each
//! operand enters in base units, sums and `min`/`max` need equal
//! dimensions, `exp`/`ln` dimensionless arguments, `^` a constant
//! dimensionless exponent. The result's range is computed by interval
//! arithmetic from its operands' ranges where it can be, so that it can be
//! checked against the input's physical bound.
//!
//! A program is in single-assignment form: op `i` writes register `i` and
//! reads only earlier registers, value slots and constants. Evaluation runs
//! each op over a lane of up to [`LANES`] samples: no parsing, no
//! allocation, one tight loop per op; a single sample is the same program
//! over lanes of one, hence the same bits.

use super::quantity::LANES;
use crate::scenario::expr::{BinOp, Expr, ExprError, Func, Node, Term};
use crate::scenario::unit_algebra::{Dims, Shown, Unit, add_dims};

/// An operand of an op: an earlier register, a value slot or a constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Src {
    Reg(u32),
    Slot(u32),
    Const(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
    Neg,
    Exp,
    Ln,
    Sqrt,
}

/// `reg[i] = kind(a, b)` for op `i` (`b` unused by unary ops).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    pub a: Src,
    pub b: Src,
}

fn apply2(kind: OpKind, a: f64, b: f64) -> f64 {
    match kind {
        OpKind::Add => a + b,
        OpKind::Sub => a - b,
        OpKind::Mul => a * b,
        OpKind::Div => a / b,
        OpKind::Pow => a.powf(b),
        OpKind::Min => a.min(b),
        OpKind::Max => a.max(b),
        OpKind::Neg => -a,
        OpKind::Exp => a.exp(),
        OpKind::Ln => a.ln(),
        OpKind::Sqrt => a.sqrt(),
    }
}

/// A compiled formula feeding a derived slot: `values[slot] = reg[last] /
/// divisor` (the divisor converts base units to the input's unit).
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub ops: Vec<Op>,
    pub divisor: f64,
}

/// One operand's lanes, or a constant.
#[derive(Clone, Copy)]
enum Arg<'a> {
    Lanes(&'a [f64]),
    Scalar(f64),
}

#[inline(always)]
fn lanes2(out: &mut [f64], a: Arg, b: Arg, f: impl Fn(f64, f64) -> f64) {
    match (a, b) {
        (Arg::Lanes(x), Arg::Lanes(y)) => {
            for ((o, x), y) in out.iter_mut().zip(x).zip(y) {
                *o = f(*x, *y);
            }
        }
        (Arg::Lanes(x), Arg::Scalar(y)) => {
            for (o, x) in out.iter_mut().zip(x) {
                *o = f(*x, y);
            }
        }
        (Arg::Scalar(x), Arg::Lanes(y)) => {
            for (o, y) in out.iter_mut().zip(y) {
                *o = f(x, *y);
            }
        }
        (Arg::Scalar(x), Arg::Scalar(y)) => out.fill(f(x, y)),
    }
}

impl Program {
    /// Registers the program needs per lane.
    pub fn n_regs(&self) -> usize {
        self.ops.len()
    }

    /// Runs the program for samples `first..first + m` of `values` (slot
    /// `v` of sample `s` at `values[v * stride + s]`), with `regs` holding
    /// `n_regs` lanes of `width ≥ m`; returns the result's lane.
    pub fn run<'r>(
        &self,
        values: &[f64],
        (stride, first, m): (usize, usize, usize),
        regs: &'r mut [f64],
        width: usize,
    ) -> &'r [f64] {
        for (i, op) in self.ops.iter().enumerate() {
            let (done, rest) = regs.split_at_mut(i * width);
            let out = &mut rest[..m];
            let arg = |s: Src| match s {
                Src::Reg(r) => Arg::Lanes(&done[r as usize * width..][..m]),
                Src::Slot(v) => Arg::Lanes(&values[v as usize * stride + first..][..m]),
                Src::Const(c) => Arg::Scalar(c),
            };
            let (a, b) = (arg(op.a), arg(op.b));
            match op.kind {
                OpKind::Add => lanes2(out, a, b, |x, y| x + y),
                OpKind::Sub => lanes2(out, a, b, |x, y| x - y),
                OpKind::Mul => lanes2(out, a, b, |x, y| x * y),
                OpKind::Div => lanes2(out, a, b, |x, y| x / y),
                OpKind::Pow => lanes2(out, a, b, f64::powf),
                OpKind::Min => lanes2(out, a, b, f64::min),
                OpKind::Max => lanes2(out, a, b, f64::max),
                OpKind::Neg => lanes2(out, a, a, |x, _| -x),
                OpKind::Exp => lanes2(out, a, a, |x, _| x.exp()),
                OpKind::Ln => lanes2(out, a, a, |x, _| x.ln()),
                OpKind::Sqrt => lanes2(out, a, a, |x, _| x.sqrt()),
            }
        }
        let last = self.ops.len() - 1;
        &regs[last * width..][..m]
    }
}

/// A value computed from factors by a formula, in its own slot after the
/// factors' values are drawn. Never a factor: sensitivity stays on the
/// parameters it is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Key path (or parameter name).
    pub name: String,
    pub label: String,
    pub label_given: bool,
    /// The formula as written.
    pub expr: String,
    /// The unit its slot holds (the input's canonical unit, or a
    /// parameter's declared unit).
    pub unit: String,
    pub source: Option<String>,
    pub line: usize,
    pub slot: usize,
    pub program: Program,
    /// Its value at every factor's nominal value.
    pub nominal: f64,
    /// Slots the program reads (factors and earlier derived slots).
    pub reads: Vec<usize>,
}

/// A named operand: its value (a slot or a constant) in its own unit.
#[derive(Debug, Clone, Copy)]
pub struct Operand {
    /// `Src::Slot` (times `slot_scale`) or `Src::Const`.
    pub src: Src,
    pub slot_scale: f64,
    pub unit: Unit,
    /// Its range in its own unit, if known.
    pub range: Option<(f64, f64)>,
    pub nominal: f64,
}

/// What a formula compiles to, in base units.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Const(f64),
    /// `values[slot] * scale`.
    Scaled(usize, f64),
    Program(Vec<Op>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub shape: Shape,
    pub dims: Dims,
    pub range: Option<(f64, f64)>,
    pub nominal: f64,
    pub reads: Vec<usize>,
}

/// A compiled sub-expression.
#[derive(Clone, Copy)]
struct Val {
    src: Src,
    dims: Dims,
    range: Option<(f64, f64)>,
    nominal: f64,
}

struct Builder<'e, 'r> {
    expr: &'e Expr,
    resolve: &'r mut dyn FnMut(&str) -> Result<Operand, String>,
    ops: Vec<Op>,
    reads: Vec<usize>,
}

fn interval(lo: f64, hi: f64) -> Option<(f64, f64)> {
    (!lo.is_nan() && !hi.is_nan()).then_some((lo.min(hi), lo.max(hi)))
}

fn corners(a: (f64, f64), b: (f64, f64), f: impl Fn(f64, f64) -> f64) -> Option<(f64, f64)> {
    let c = [f(a.0, b.0), f(a.0, b.1), f(a.1, b.0), f(a.1, b.1)];
    if c.iter().any(|x| x.is_nan()) {
        return None;
    }
    let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((lo, hi))
}

fn bin_range(kind: OpKind, a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    match kind {
        OpKind::Add => interval(a.0 + b.0, a.1 + b.1),
        OpKind::Sub => interval(a.0 - b.1, a.1 - b.0),
        OpKind::Mul => corners(a, b, |x, y| x * y),
        OpKind::Div if b.0 > 0.0 || b.1 < 0.0 => corners(a, b, |x, y| x / y),
        OpKind::Min => interval(a.0.min(b.0), a.1.min(b.1)),
        OpKind::Max => interval(a.0.max(b.0), a.1.max(b.1)),
        _ => None,
    }
}

/// The range of `x^p` for a constant `p` over `x` in `a`.
fn pow_range(a: (f64, f64), p: f64) -> Option<(f64, f64)> {
    if a.0 >= 0.0 && (p >= 0.0 || a.0 > 0.0) {
        return interval(a.0.powf(p), a.1.powf(p));
    }
    if p.fract() == 0.0 && p > 0.0 {
        let (lo, hi) = (a.0.powf(p), a.1.powf(p));
        if p % 2.0 == 0.0 {
            let top = lo.max(hi);
            let bottom = if a.0 <= 0.0 && a.1 >= 0.0 {
                0.0
            } else {
                lo.min(hi)
            };
            return interval(bottom, top);
        }
        return interval(lo, hi);
    }
    None
}

impl Builder<'_, '_> {
    fn error(&self, t: &Term, message: String) -> ExprError {
        ExprError {
            at: t.span.clone(),
            message,
        }
    }

    fn src_text(&self, t: &Term) -> String {
        self.expr.source(t).to_string()
    }

    /// Emits `kind(a, b)`, folding it if both are constants.
    fn emit(&mut self, kind: OpKind, a: Src, b: Src) -> Src {
        if let (Src::Const(x), Src::Const(y)) = (a, b) {
            return Src::Const(apply2(kind, x, y));
        }
        self.ops.push(Op { kind, a, b });
        Src::Reg(self.ops.len() as u32 - 1)
    }

    fn term(&mut self, t: &Term) -> Result<Val, ExprError> {
        match &t.node {
            Node::Num(x, unit) => {
                let u = unit.unwrap_or(Unit::ONE);
                let v = x * u.scale;
                Ok(Val {
                    src: Src::Const(v),
                    dims: u.dims,
                    range: Some((v, v)),
                    nominal: v,
                })
            }
            Node::Name(name) => {
                let o = (self.resolve)(name).map_err(|m| self.error(t, m))?;
                let k = o.unit.scale;
                let src = match o.src {
                    Src::Const(c) => Src::Const(c * k),
                    Src::Slot(s) => {
                        if !self.reads.contains(&(s as usize)) {
                            self.reads.push(s as usize);
                        }
                        let k = o.slot_scale * k;
                        if k == 1.0 {
                            o.src
                        } else {
                            self.emit(OpKind::Mul, o.src, Src::Const(k))
                        }
                    }
                    Src::Reg(_) => unreachable!("an operand is a slot or a constant"),
                };
                Ok(Val {
                    src,
                    dims: o.unit.dims,
                    range: o.range.and_then(|(lo, hi)| interval(lo * k, hi * k)),
                    nominal: o.nominal * k,
                })
            }
            Node::Neg(a) => {
                let a = self.term(a)?;
                Ok(Val {
                    src: self.emit(OpKind::Neg, a.src, a.src),
                    dims: a.dims,
                    range: a.range.and_then(|(lo, hi)| interval(-hi, -lo)),
                    nominal: -a.nominal,
                })
            }
            Node::Bin(op, ta, tb) => {
                let (a, b) = (self.term(ta)?, self.term(tb)?);
                self.binary(t, *op, (ta, a), (tb, b))
            }
            Node::Call(func, args) => self.call(t, *func, args),
        }
    }

    fn binary(
        &mut self,
        t: &Term,
        op: BinOp,
        (ta, a): (&Term, Val),
        (tb, b): (&Term, Val),
    ) -> Result<Val, ExprError> {
        let (kind, dims) = match op {
            BinOp::Add | BinOp::Sub => {
                if a.dims != b.dims {
                    let verb = if op == BinOp::Add { "add" } else { "subtract" };
                    let (x, y) = if op == BinOp::Add {
                        (&ta, &tb)
                    } else {
                        (&tb, &ta)
                    };
                    let prep = if op == BinOp::Add { "and" } else { "from" };
                    return Err(self.error(
                        t,
                        format!(
                            "cannot {verb} `{}` ({}) {prep} `{}` ({}): a sum needs terms of one dimension",
                            self.src_text(x),
                            Shown(if op == BinOp::Add { a.dims } else { b.dims }),
                            self.src_text(y),
                            Shown(if op == BinOp::Add { b.dims } else { a.dims }),
                        ),
                    ));
                }
                let kind = if op == BinOp::Add {
                    OpKind::Add
                } else {
                    OpKind::Sub
                };
                (kind, a.dims)
            }
            BinOp::Mul => (OpKind::Mul, add_dims(a.dims, b.dims, 1)),
            BinOp::Div => (OpKind::Div, add_dims(a.dims, b.dims, -1)),
            BinOp::Pow => return self.power(t, (ta, a), (tb, b)),
        };
        let range = match (a.range, b.range) {
            (Some(x), Some(y)) => bin_range(kind, x, y),
            _ => None,
        };
        Ok(Val {
            src: self.emit(kind, a.src, b.src),
            dims,
            range,
            nominal: apply2(kind, a.nominal, b.nominal),
        })
    }

    fn power(
        &mut self,
        t: &Term,
        (ta, a): (&Term, Val),
        (tb, b): (&Term, Val),
    ) -> Result<Val, ExprError> {
        let Src::Const(p) = b.src else {
            return Err(self.error(
                tb,
                format!(
                    "the exponent `{}` must be a constant (it may not depend on an uncertain parameter)",
                    self.src_text(tb)
                ),
            ));
        };
        if b.dims != [0; 9] {
            return Err(self.error(
                tb,
                format!(
                    "the exponent `{}` has a dimension ({}); an exponent is a pure number",
                    self.src_text(tb),
                    Shown(b.dims)
                ),
            ));
        }
        let mut dims = [0i8; 9];
        for (d, e) in dims.iter_mut().zip(a.dims) {
            let x = e as f64 * p;
            if x.fract() != 0.0 || x.abs() > 100.0 {
                return Err(self.error(
                    t,
                    format!(
                        "`{}` raises `{}` ({}) to the power {p}, which gives no whole power of its units",
                        self.src_text(t),
                        self.src_text(ta),
                        Shown(a.dims)
                    ),
                ));
            }
            *d = x as i8;
        }
        Ok(Val {
            src: self.emit(OpKind::Pow, a.src, b.src),
            dims,
            range: a.range.and_then(|r| pow_range(r, p)),
            nominal: a.nominal.powf(p),
        })
    }

    fn call(&mut self, t: &Term, func: Func, args: &[Term]) -> Result<Val, ExprError> {
        let name = func.name();
        match func {
            Func::Min | Func::Max => {
                let kind = if func == Func::Min {
                    OpKind::Min
                } else {
                    OpKind::Max
                };
                let mut acc = self.term(&args[0])?;
                for arg in &args[1..] {
                    let b = self.term(arg)?;
                    if b.dims != acc.dims {
                        return Err(self.error(
                            t,
                            format!(
                                "`{name}` compares `{}` ({}) with `{}` ({}): its arguments need one dimension",
                                self.src_text(&args[0]),
                                Shown(acc.dims),
                                self.src_text(arg),
                                Shown(b.dims)
                            ),
                        ));
                    }
                    let range = match (acc.range, b.range) {
                        (Some(x), Some(y)) => bin_range(kind, x, y),
                        _ => None,
                    };
                    acc = Val {
                        src: self.emit(kind, acc.src, b.src),
                        dims: acc.dims,
                        range,
                        nominal: apply2(kind, acc.nominal, b.nominal),
                    };
                }
                Ok(acc)
            }
            Func::Exp | Func::Ln | Func::Sqrt => {
                let a = self.term(&args[0])?;
                let arg = self.src_text(&args[0]);
                let dims = if func == Func::Sqrt {
                    if a.dims.iter().any(|e| e % 2 != 0) {
                        return Err(self.error(
                            t,
                            format!(
                                "`sqrt` of `{arg}` ({}) gives no whole power of its units",
                                Shown(a.dims)
                            ),
                        ));
                    }
                    a.dims.map(|e| e / 2)
                } else {
                    if a.dims != [0; 9] {
                        return Err(self.error(
                            t,
                            format!(
                                "`{name}` needs a dimensionless argument; `{arg}` is in {}",
                                Shown(a.dims)
                            ),
                        ));
                    }
                    a.dims
                };
                let (kind, f): (OpKind, fn(f64) -> f64) = match func {
                    Func::Exp => (OpKind::Exp, f64::exp),
                    Func::Ln => (OpKind::Ln, f64::ln),
                    _ => (OpKind::Sqrt, f64::sqrt),
                };
                if let Some((lo, hi)) = a.range {
                    let bad = match func {
                        Func::Ln => (lo <= 0.0).then_some("> 0"),
                        Func::Sqrt => (lo < 0.0).then_some("≥ 0"),
                        _ => None,
                    };
                    if let Some(rule) = bad {
                        return Err(self.error(
                            &args[0],
                            format!(
                                "`{name}` needs an argument {rule}, but `{arg}` ranges over [{}, {}]",
                                super::format_number(lo),
                                super::format_number(hi)
                            ),
                        ));
                    }
                }
                Ok(Val {
                    src: self.emit(kind, a.src, a.src),
                    dims,
                    range: a.range.and_then(|(lo, hi)| interval(f(lo), f(hi))),
                    nominal: f(a.nominal),
                })
            }
        }
    }
}

/// Compiles `expr`, each name resolved by `resolve` (an error message for
/// an unknown name), into base units.
pub fn compile(
    expr: &Expr,
    resolve: &mut dyn FnMut(&str) -> Result<Operand, String>,
) -> Result<Compiled, ExprError> {
    let mut b = Builder {
        expr,
        resolve,
        ops: Vec::new(),
        reads: Vec::new(),
    };
    let v = b.term(&expr.root)?;
    let shape = match v.src {
        Src::Const(c) => Shape::Const(c),
        Src::Slot(s) => Shape::Scaled(s as usize, 1.0),
        Src::Reg(_) => match b.ops.as_slice() {
            [
                Op {
                    kind: OpKind::Mul,
                    a: Src::Slot(s),
                    b: Src::Const(c),
                }
                | Op {
                    kind: OpKind::Mul,
                    a: Src::Const(c),
                    b: Src::Slot(s),
                },
            ] => Shape::Scaled(*s as usize, *c),
            _ => Shape::Program(b.ops),
        },
    };
    Ok(Compiled {
        shape,
        dims: v.dims,
        range: v.range,
        nominal: v.nominal,
        reads: b.reads,
    })
}

/// Every derived value of a block of samples, in dependency order, `LANES`
/// samples at a time: `values` slot-major with `stride`, samples `0..n`;
/// `regs` at least `LANES × max n_regs` long.
pub fn derive(derived: &[Derived], values: &mut [f64], stride: usize, n: usize, regs: &mut [f64]) {
    let width = if n == 1 { 1 } else { LANES };
    let mut first = 0;
    while first < n {
        let m = (n - first).min(width);
        for d in derived {
            let out = d.program.run(values, (stride, first, m), regs, width);
            let dest = &mut values[d.slot * stride + first..][..m];
            let div = d.program.divisor;
            for (o, x) in dest.iter_mut().zip(out) {
                *o = x / div;
            }
        }
        first += m;
    }
}

/// Marks `read` for every operand of a derived slot marked read.
pub fn propagate(derived: &[Derived], read: &mut [bool]) {
    for d in derived.iter().rev() {
        if read[d.slot] {
            for s in &d.reads {
                read[*s] = true;
            }
        }
    }
}
