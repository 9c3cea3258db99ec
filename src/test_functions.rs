//! Analytic test functions with known Sobol' indices: the yardsticks every
//! sensitivity estimate in ecoband is checked against (their exact indices
//! are computed below). A scenario selects one with
//! `model = "ishigami"` and gives its inputs as `[parameters]`.

use std::f64::consts::PI;

/// A test function and its constants.
#[derive(Debug, Clone, PartialEq)]
pub enum TestFunction {
    /// Ishigami & Homma (1990): sin x1 + a sin² x2 + b x3⁴ sin x1, inputs
    /// U(−π, π).
    Ishigami { a: f64, b: f64 },
    /// Sobol' G (Saltelli & Sobol' 1995): Π (|4 x_i − 2| + a_i)/(1 + a_i),
    /// inputs U(0, 1).
    SobolG { a: Vec<f64> },
    /// Σ β_i x_i.
    Linear { coefficients: Vec<f64> },
    /// Π x_i: the shape of a compute footprint (hours × power × PUE × grid).
    Product,
    /// The k = 40 "fleet" benchmark model (`bench/compare/models.py`):
    /// y = Σ_g hours_g (P_g load_g PUE CI + E_{g mod 8}) over 10 machine
    /// groups, evaluated in the documented order so that it equals numpy's
    /// evaluation bit for bit. Inputs: hours_0..9, P_0..9, load_0..9, PUE,
    /// CI, E_0..7.
    Fleet40,
}

/// Exact first-order and total indices, one per input.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactIndices {
    pub variance: f64,
    pub first: Vec<f64>,
    pub total: Vec<f64>,
}

/// The names a scenario's `model = "…"` accepts for a test function.
pub const NAMES: [&str; 5] = ["ishigami", "sobol-g", "linear", "product", "fleet40"];

impl TestFunction {
    pub fn id(&self) -> &'static str {
        match self {
            TestFunction::Ishigami { .. } => "ishigami",
            TestFunction::SobolG { .. } => "sobol-g",
            TestFunction::Linear { .. } => "linear",
            TestFunction::Product => "product",
            TestFunction::Fleet40 => "fleet40",
        }
    }

    /// A human name for reports.
    pub fn title(&self) -> &'static str {
        match self {
            TestFunction::Ishigami { .. } => "Ishigami function",
            TestFunction::SobolG { .. } => "Sobol' G function",
            TestFunction::Linear { .. } => "linear model",
            TestFunction::Product => "product of independent factors",
            TestFunction::Fleet40 => "fleet benchmark model (k = 40)",
        }
    }

    /// The constants, e.g. "a = 7, b = 0.1".
    pub fn describe(&self) -> String {
        let list = |v: &[f64]| {
            let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            format!("[{}]", items.join(", "))
        };
        match self {
            TestFunction::Ishigami { a, b } => format!("a = {a}, b = {b}"),
            TestFunction::SobolG { a } => format!("a = {}", list(a)),
            TestFunction::Linear { coefficients } => {
                format!("coefficients = {}", list(coefficients))
            }
            TestFunction::Product | TestFunction::Fleet40 => "no constants".to_string(),
        }
    }

    /// Number of inputs the function takes, if fixed by its constants.
    pub fn n_inputs(&self) -> Option<usize> {
        match self {
            TestFunction::Ishigami { .. } => Some(3),
            TestFunction::SobolG { a } => Some(a.len()),
            TestFunction::Linear { coefficients } => Some(coefficients.len()),
            TestFunction::Product => None,
            TestFunction::Fleet40 => Some(FLEET_INPUTS),
        }
    }

    #[inline]
    pub fn evaluate(&self, x: &[f64]) -> f64 {
        match self {
            TestFunction::Ishigami { a, b } => {
                let s1 = x[0].sin();
                let s2 = x[1].sin();
                let x3_2 = x[2] * x[2];
                s1 + a * s2 * s2 + b * x3_2 * x3_2 * s1
            }
            TestFunction::SobolG { a } => a
                .iter()
                .zip(x)
                .map(|(a, x)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product(),
            TestFunction::Linear { coefficients } => {
                coefficients.iter().zip(x).map(|(c, x)| c * x).sum()
            }
            TestFunction::Product => x.iter().product(),
            TestFunction::Fleet40 => fleet40(x),
        }
    }
}

/// Machine groups, embodied-rate hardware classes and inputs of `Fleet40`.
const FLEET_GROUPS: usize = 10;
const FLEET_CLASSES: usize = 8;
const FLEET_INPUTS: usize = 3 * FLEET_GROUPS + 2 + FLEET_CLASSES;

/// One IEEE-754 operation per step, in the reference order (no fused
/// multiply-add, no reassociation: Rust emits neither unasked).
#[inline]
fn fleet40(x: &[f64]) -> f64 {
    let x = &x[..FLEET_INPUTS];
    let pue = x[3 * FLEET_GROUPS];
    let ci = x[3 * FLEET_GROUPS + 1];
    let embodied = &x[3 * FLEET_GROUPS + 2..];
    let mut y = 0.0;
    for g in 0..FLEET_GROUPS {
        let mut t = x[FLEET_GROUPS + g] * x[2 * FLEET_GROUPS + g];
        t *= pue;
        t *= ci;
        let u = t + embodied[g % FLEET_CLASSES];
        let v = x[g] * u;
        // y starts at v_0 itself: 0.0 + v_0 would turn −0.0 into +0.0.
        y = if g == 0 { v } else { y + v };
    }
    y
}

/// `fleet40` for a block of samples, input by input: `column(i)` holds
/// input `i` of every sample, `out` gets each sample's value. The same
/// operations in the same order per sample, so the same bits; each step is
/// one loop over the block, which vectorises.
pub fn fleet40_columns<'a>(column: impl Fn(usize) -> &'a [f64], out: &mut [f64]) {
    let (pue, ci) = (column(3 * FLEET_GROUPS), column(3 * FLEET_GROUPS + 1));
    for g in 0..FLEET_GROUPS {
        let (hours, power, load) = (
            column(g),
            column(FLEET_GROUPS + g),
            column(2 * FLEET_GROUPS + g),
        );
        let embodied = column(3 * FLEET_GROUPS + 2 + g % FLEET_CLASSES);
        for (s, y) in out.iter_mut().enumerate() {
            let mut t = power[s] * load[s];
            t *= pue[s];
            t *= ci[s];
            let u = t + embodied[s];
            let v = hours[s] * u;
            *y = if g == 0 { v } else { *y + v };
        }
    }
}

/// Ishigami with inputs U(−π, π) (Sobol' & Levitan 1999):
/// V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V13 = b²π⁸ (1/18 − 1/50), V3 = 0.
pub fn ishigami(a: f64, b: f64) -> ExactIndices {
    let pi4 = PI.powi(4);
    let v1 = (1.0 + b * pi4 / 5.0).powi(2) / 2.0;
    let v2 = a * a / 8.0;
    let v13 = b * b * pi4 * pi4 * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    ExactIndices {
        variance: v,
        first: vec![v1 / v, v2 / v, 0.0],
        total: vec![(v1 + v13) / v, v2 / v, v13 / v],
    }
}

/// Ishigami's one non-zero second-order index, S13.
pub fn ishigami_s13(a: f64, b: f64) -> f64 {
    // S13 = V13 / V, and V13 is all of x3's variance share: ST3 = S13.
    ishigami(a, b).total[2]
}

/// Sobol' G with inputs U(0, 1): V_i = 1/(3 (1 + a_i)²),
/// V = Π (1 + V_i) − 1, ST_i = V_i Π_{j≠i} (1 + V_j) / V.
pub fn sobol_g(a: &[f64]) -> ExactIndices {
    let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
    let all: f64 = vi.iter().map(|v| 1.0 + v).product();
    let v = all - 1.0;
    ExactIndices {
        variance: v,
        first: vi.iter().map(|x| x / v).collect(),
        total: vi.iter().map(|x| x * all / (1.0 + x) / v).collect(),
    }
}

/// Linear model with independent inputs of variances `variances`:
/// S_i = ST_i = β_i² σ_i² / Σ β_j² σ_j².
pub fn linear(coefficients: &[f64], variances: &[f64]) -> ExactIndices {
    let parts: Vec<f64> = coefficients
        .iter()
        .zip(variances)
        .map(|(c, v)| c * c * v)
        .collect();
    let v: f64 = parts.iter().sum();
    let s: Vec<f64> = parts.iter().map(|p| p / v).collect();
    ExactIndices {
        variance: v,
        first: s.clone(),
        total: s,
    }
}

/// Product of independent positive inputs with c_i = E[X_i²]/E[X_i]²:
/// S_i = (c_i − 1)/(Π c − 1), ST_i = 1 − (Π_{j≠i} c_j − 1)/(Π c − 1)
/// (methods.md §4.4). `variance` is relative: Var Y / E[Y]².
pub fn product(c: &[f64]) -> ExactIndices {
    let all: f64 = c.iter().product();
    ExactIndices {
        variance: all - 1.0,
        first: c.iter().map(|ci| (ci - 1.0) / (all - 1.0)).collect(),
        total: c
            .iter()
            .map(|ci| 1.0 - (all / ci - 1.0) / (all - 1.0))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn ishigami_matches_published_values() {
        // methods.md §4.1 (a = 7, b = 0.1), printed to 7 decimals.
        let e = ishigami(7.0, 0.1);
        assert!((e.variance - 13.8445879).abs() < 5e-8, "{}", e.variance);
        assert!(close(&e.first, &[0.3139052, 0.4424111, 0.0], 5e-8), "{e:?}");
        assert!(
            close(&e.total, &[0.5575889, 0.4424111, 0.2436837], 5e-8),
            "{e:?}"
        );
        assert!((ishigami_s13(7.0, 0.1) - 0.2436837).abs() < 5e-8);
    }

    #[test]
    fn sobol_g_matches_published_values() {
        // methods.md §4.2, a = [78, 12, 0.5, 2, 97, 33], printed to 6 decimals.
        let e = sobol_g(&[78.0, 12.0, 0.5, 2.0, 97.0, 33.0]);
        assert!((e.variance - 0.1934698).abs() < 5e-8);
        let s1 = [0.000276, 0.010195, 0.765743, 0.191436, 0.000179, 0.001490];
        assert!(close(&e.first, &s1, 5e-7), "{e:?}");
        let st = [0.000329, 0.012143, 0.795970, 0.220313, 0.000214, 0.001778];
        assert!(close(&e.total, &st, 5e-7), "{e:?}");
        // The SALib default a = [0, 1, 4.5, 9, 99 ×4].
        let e = sobol_g(&[0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0]);
        assert!((e.variance - 0.4654244).abs() < 5e-8);
        let s = [0.716192, 0.179048, 0.023676, 0.007162, 0.000072];
        assert!(close(&e.first[..5], &s, 5e-7), "{e:?}");
    }

    #[test]
    fn linear_and_product_match_published_values() {
        // methods.md §4.3: SALib linear_model_2, 5 × U(0, 1).
        let e = linear(&[5.0, 4.0, 3.0, 2.0, 1.0], &[1.0 / 12.0; 5]);
        let s = [0.454545, 0.290909, 0.163636, 0.072727, 0.018182];
        assert!(close(&e.first, &s, 5e-7) && close(&e.total, &s, 5e-7));
        // §4.4 worked example.
        let c_u = 1.0 + 0.4f64.powi(2) / (3.0 * 2.6f64.powi(2));
        let e = product(&[0.09f64.exp(), 0.04f64.exp(), c_u, 0.25f64.exp()]);
        assert!(close(&e.first, &[0.19875, 0.08613, 0.01665, 0.59944], 5e-6));
        assert!(close(&e.total, &[0.26772, 0.12196, 0.02435, 0.68804], 5e-6));
    }

    #[test]
    fn functions_evaluate_their_definitions() {
        let f = TestFunction::Ishigami { a: 7.0, b: 0.1 };
        let x = [0.3, -1.2, 2.0];
        let want = 0.3f64.sin() + 7.0 * (-1.2f64).sin().powi(2) + 0.1 * 16.0 * 0.3f64.sin();
        assert!((f.evaluate(&x) - want).abs() < 1e-14);
        let g = TestFunction::SobolG { a: vec![0.0, 1.0] };
        // (|1.2 − 2| + 0)/1 · (|3.6 − 2| + 1)/2 = 0.8 · 1.3
        assert!((g.evaluate(&[0.3, 0.9]) - 1.04).abs() < 1e-14);
        let l = TestFunction::Linear {
            coefficients: vec![2.0, -1.0],
        };
        assert_eq!(l.evaluate(&[3.0, 4.0]), 2.0);
        assert_eq!(TestFunction::Product.evaluate(&[2.0, 3.0, 0.5]), 3.0);
    }
}
