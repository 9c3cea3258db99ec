//! Units as an algebra, for formulas: a unit is a scale times a product of
//! base dimensions with integer exponents, so that units multiply, divide
//! and raise to powers through an expression and its result can be checked
//! against the model input it feeds.
//!
//! The bases are those of the footprint model: GPU (a count of GPUs), time
//! (h), final energy (kWh), primary energy (MJ; kept distinct from final
//! energy, as life-cycle assessment does), kgCO2e, kgSbeq, water (L), die
//! area (cm²) and mass (kg). Plain values keep the per-dimension unit lists
//! of [`super::units`]; this module only serves expressions.

use std::fmt;

use super::units::Dimension;

/// Names of the base dimensions, in exponent order.
const BASES: [&str; 9] = [
    "GPU", "h", "kWh", "MJ", "kgCO2e", "kgSbeq", "L", "cm2", "kg",
];

/// Exponents of the base dimensions.
pub type Dims = [i8; 9];

pub const DIMENSIONLESS: Dims = [0; 9];

const GPU: usize = 0;
const TIME: usize = 1;
const ENERGY: usize = 2;
const PRIMARY: usize = 3;
const GWP: usize = 4;
const ADP: usize = 5;
const WATER: usize = 6;
const AREA: usize = 7;
const MASS: usize = 8;

/// A unit: `scale` base units of dimension `dims`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    pub scale: f64,
    pub dims: Dims,
}

fn dims(pairs: &[(usize, i8)]) -> Dims {
    let mut d = DIMENSIONLESS;
    for (i, e) in pairs {
        d[*i] = *e;
    }
    d
}

impl Unit {
    pub const ONE: Unit = Unit {
        scale: 1.0,
        dims: DIMENSIONLESS,
    };

    fn of(scale: f64, pairs: &[(usize, i8)]) -> Unit {
        Unit {
            scale,
            dims: dims(pairs),
        }
    }

    pub fn times(self, other: Unit) -> Unit {
        Unit {
            scale: self.scale * other.scale,
            dims: add_dims(self.dims, other.dims, 1),
        }
    }

    pub fn per(self, other: Unit) -> Unit {
        Unit {
            scale: self.scale / other.scale,
            dims: add_dims(self.dims, other.dims, -1),
        }
    }

    pub fn powi(self, n: i8) -> Unit {
        Unit {
            scale: self.scale.powi(n as i32),
            dims: self.dims.map(|e| e * n),
        }
    }

    pub fn is_dimensionless(&self) -> bool {
        self.dims == DIMENSIONLESS
    }
}

pub fn add_dims(a: Dims, b: Dims, sign: i8) -> Dims {
    let mut d = a;
    for (x, y) in d.iter_mut().zip(b) {
        *x += sign * y;
    }
    d
}

/// A dimension in base units, e.g. `GPU·h`, `kgCO2e/kWh`, `1`.
pub struct Shown(pub Dims);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |sign: i8| {
            let mut s = Vec::new();
            for (name, e) in BASES.iter().zip(self.0) {
                let e = e * sign;
                if e == 1 {
                    s.push(name.to_string());
                } else if e > 1 {
                    s.push(format!("{name}^{e}"));
                }
            }
            s.join("·")
        };
        let (num, den) = (part(1), part(-1));
        match (num.is_empty(), den.is_empty()) {
            (true, true) => write!(f, "1 (dimensionless)"),
            (false, true) => write!(f, "{num}"),
            (true, false) => write!(f, "1/{den}"),
            (false, false) if den.contains('·') => write!(f, "{num}/({den})"),
            (false, false) => write!(f, "{num}/{den}"),
        }
    }
}

/// The unit atoms a unit string is built from.
fn atom(name: &str) -> Option<Unit> {
    let gpu_h = |s| Unit::of(s, &[(GPU, 1), (TIME, 1)]);
    let time = |s| Unit::of(s, &[(TIME, 1)]);
    let power = |s| Unit::of(s, &[(ENERGY, 1), (TIME, -1)]);
    Some(match name {
        "1" | "-" | "fraction" | "units" | "unit" => Unit::ONE,
        "%" => Unit::of(0.01, &[]),
        "GPU" | "GPUs" => Unit::of(1.0, &[(GPU, 1)]),
        "h" | "hour" | "hours" => time(1.0),
        "day" | "days" => time(24.0),
        "week" | "weeks" => time(168.0),
        "month" | "months" => time(730.0),
        "yr" | "year" | "years" => time(8760.0),
        "GPU-h" | "GPU-hour" | "GPU-hours" => gpu_h(1.0),
        "GPU-day" | "GPU-days" => gpu_h(24.0),
        "GPU-month" | "GPU-months" => gpu_h(730.0),
        "GPU-yr" | "GPU-year" | "GPU-years" => gpu_h(8760.0),
        "W" => power(1e-3),
        "kW" => power(1.0),
        "MW" => power(1e3),
        "Wh" => Unit::of(1e-3, &[(ENERGY, 1)]),
        "kWh" => Unit::of(1.0, &[(ENERGY, 1)]),
        "MWh" => Unit::of(1e3, &[(ENERGY, 1)]),
        "GWh" => Unit::of(1e6, &[(ENERGY, 1)]),
        "MJ" => Unit::of(1.0, &[(PRIMARY, 1)]),
        "GJ" => Unit::of(1e3, &[(PRIMARY, 1)]),
        "kgCO2e" => Unit::of(1.0, &[(GWP, 1)]),
        "gCO2e" => Unit::of(1e-3, &[(GWP, 1)]),
        "tCO2e" => Unit::of(1e3, &[(GWP, 1)]),
        "kgSbeq" => Unit::of(1.0, &[(ADP, 1)]),
        "L" => Unit::of(1.0, &[(WATER, 1)]),
        "m3" => Unit::of(1e3, &[(WATER, 1)]),
        "cm2" => Unit::of(1.0, &[(AREA, 1)]),
        "kg" => Unit::of(1.0, &[(MASS, 1)]),
        _ => return None,
    })
}

/// Every atom, for an error message.
pub const ATOMS: &str = "1, %, GPU, h, day, week, month, yr, GPU-h, GPU-days, GPU-months, GPU-years, W, kW, MW, Wh, kWh, MWh, GWh, MJ, GJ, kgCO2e, gCO2e, tCO2e, kgSbeq, L, m3, cm2, kg";

/// Parses a unit string: atoms joined by `*`, `·` or `/` (left to right:
/// `a/b/c` is a/(b·c)), each with an optional integer power `^n`.
pub fn parse(text: &str) -> Result<Unit, String> {
    let is_op = |c: char| matches!(c, '*' | '/' | '·' | '^' | ' ');
    let mut unit = Unit::ONE;
    let mut rest = text.trim();
    let mut divide = false;
    if rest.is_empty() {
        return Err("an empty unit".into());
    }
    loop {
        let end = rest.find(is_op).unwrap_or(rest.len());
        let name = &rest[..end];
        let Some(mut a) = atom(name) else {
            return Err(if name.is_empty() {
                format!("unit `{text}`: a unit name is missing")
            } else {
                format!(
                    "unknown unit `{name}` in `{text}`; units: {ATOMS}, joined by `*` or `/`, with powers `^n`"
                )
            });
        };
        rest = rest[end..].trim_start();
        if let Some(r) = rest.strip_prefix('^') {
            let r = r.trim_start();
            let end = r
                .char_indices()
                .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && *c == '-')))
                .map_or(r.len(), |(i, _)| i);
            let n: i8 = r[..end]
                .parse()
                .map_err(|_| format!("unit `{text}`: `^` takes an integer power"))?;
            a = a.powi(n);
            rest = r[end..].trim_start();
        }
        unit = if divide { unit.per(a) } else { unit.times(a) };
        let Some(c) = rest.chars().next() else {
            return Ok(unit);
        };
        match c {
            '/' => divide = true,
            '*' | '·' => {}
            _ => return Err(format!("unit `{text}`: unexpected `{c}`")),
        }
        rest = rest[c.len_utf8()..].trim_start();
    }
}

/// What a model input of dimension `dim` accepts: the dimensions (in base
/// units) a formula may give it, and the scale of its canonical unit (W is
/// 10⁻³ kWh/h, yr is 8760 h).
pub fn accepted(dim: Dimension) -> (Vec<Dims>, f64) {
    let one = |pairs: &[(usize, i8)]| (vec![dims(pairs)], 1.0);
    match dim {
        Dimension::Dimensionless => one(&[]),
        Dimension::GpuHours => one(&[(GPU, 1), (TIME, 1)]),
        Dimension::Power => (vec![dims(&[(ENERGY, 1), (TIME, -1)])], 1e-3),
        Dimension::Energy => one(&[(ENERGY, 1)]),
        Dimension::Years => (vec![dims(&[(TIME, 1)])], 8760.0),
        Dimension::GwpPerKwh => one(&[(GWP, 1), (ENERGY, -1)]),
        Dimension::PePerKwh => one(&[(PRIMARY, 1), (ENERGY, -1)]),
        Dimension::AdpPerKwh => one(&[(ADP, 1), (ENERGY, -1)]),
        Dimension::WaterPerKwh => one(&[(WATER, 1), (ENERGY, -1)]),
        Dimension::Gwp => one(&[(GWP, 1)]),
        Dimension::Pe => one(&[(PRIMARY, 1)]),
        Dimension::Adp => one(&[(ADP, 1)]),
        Dimension::Water => one(&[(WATER, 1)]),
        Dimension::Count => (vec![DIMENSIONLESS, dims(&[(GPU, 1)])], 1.0),
        Dimension::ComponentAmount => (
            vec![DIMENSIONLESS, dims(&[(AREA, 1)]), dims(&[(MASS, 1)])],
            1.0,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_products_quotients_and_powers() {
        let u = parse("kgCO2e/kWh").unwrap();
        assert_eq!(u.dims, dims(&[(GWP, 1), (ENERGY, -1)]));
        let u = parse("GPU-years").unwrap();
        assert_eq!((u.scale, u.dims), (8760.0, dims(&[(GPU, 1), (TIME, 1)])));
        let u = parse("h/month").unwrap();
        assert!(u.is_dimensionless());
        assert!((u.scale - 1.0 / 730.0).abs() < 1e-18);
        let u = parse("W").unwrap().times(parse("h").unwrap());
        assert_eq!(u, parse("Wh").unwrap());
        assert_eq!(parse("kWh^2 / h^2").unwrap(), parse("kW*kW").unwrap());
        assert_eq!(parse("%").unwrap().scale, 0.01);
        assert!(
            parse("furlongs")
                .unwrap_err()
                .contains("unknown unit `furlongs`")
        );
        assert_eq!(Shown(parse("GPU-h").unwrap().dims).to_string(), "GPU·h");
        assert_eq!(Shown(parse("W").unwrap().dims).to_string(), "kWh/h");
    }
}
