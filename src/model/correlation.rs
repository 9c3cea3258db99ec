//! Correlated inputs: a Gaussian copula on the uniforms.
//!
//! `[correlations]` gives Spearman rank correlations ρ_s between pairs of
//! scalar factors. The factors joined by correlations form *correlated
//! sets* (connected components). For a set of m factors the copula's normals
//! have the Pearson matrix R_ij = 2 sin(π ρ_s / 6) (exact for a Gaussian
//! copula: its Spearman correlation is (6/π) asin(R/2)); pairs of the set
//! that no entry names have R_ij = 0. Per sample the set's uniforms u go to
//! z = Φ⁻¹(u), z' = L z with L L' = R (Cholesky, computed once), and
//! u' = Φ(z'); each factor's own inverse CDF then reads u'. Every z'_d is
//! standard normal, so every marginal is exactly the declared distribution.
//!
//! A matrix that is not positive definite (rank correlations that cannot
//! hold together) is refused with the nearest valid one (Higham 2002,
//! alternating projections) as entries to paste.

use std::f64::consts::PI;

use super::factor::{Factor, FactorKind};
use super::{FixedInput, NoEffect};
use crate::dist::{standard_normal_cdf, standard_normal_inverse_cdf};
use crate::scenario::doc::Doc;
use crate::scenario::{CorrelationSpec, ScenarioError};

/// A set of factors joined by `[correlations]` entries, sampled jointly.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelatedSet {
    /// `correlated: ENTRY, ENTRY`: the name sensitivity results give it.
    pub name: String,
    /// The `[correlations]` entries that join it, in file order.
    pub entries: Vec<String>,
    /// Indices into `Model::factors`, ascending.
    pub factors: Vec<usize>,
    /// The unit-cube dimension of each factor (one each).
    pub dims: Vec<usize>,
    /// Lower-triangular Cholesky factor of the normals' Pearson matrix,
    /// row-major m × m.
    pub cholesky: Vec<f64>,
    /// Each entry as declared, for `check`.
    pub pairs: Vec<CorrelatedPair>,
}

/// One `[correlations]` entry, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelatedPair {
    pub name: String,
    /// Indices into `Model::factors`.
    pub factors: [usize; 2],
    pub spearman: f64,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// Smallest u' a transformed uniform takes, and largest: the open interval.
const U_MIN: f64 = f64::MIN_POSITIVE;
const U_MAX: f64 = 1.0 - f64::EPSILON / 2.0;

impl CorrelatedSet {
    /// Replaces the set's uniforms of samples `0..n` (dimension `d` of
    /// sample `s` at `u[d * stride + s]`) by the copula's. In place, row by
    /// row from the last: row i of L z reads z_0 … z_i only, so the rows
    /// not yet rewritten are still the z it needs. One sample
    /// (`n = stride = 1`) gives the same bits as a block.
    #[inline]
    pub fn apply(&self, u: &mut [f64], n: usize, stride: usize) {
        let m = self.dims.len();
        for &d in &self.dims {
            for x in &mut u[d * stride..d * stride + n] {
                *x = standard_normal_inverse_cdf(*x);
            }
        }
        for i in (0..m).rev() {
            let row = &self.cholesky[i * m..i * m + i + 1];
            for s in 0..n {
                let mut z = 0.0;
                for (j, l) in row.iter().enumerate() {
                    z += l * u[self.dims[j] * stride + s];
                }
                u[self.dims[i] * stride + s] = standard_normal_cdf(z).clamp(U_MIN, U_MAX);
            }
        }
    }
}

/// The copula normals' Pearson correlation for a Spearman ρ_s.
pub fn pearson_of_spearman(rho_s: f64) -> f64 {
    2.0 * (PI * rho_s / 6.0).sin()
}

/// Spearman's ρ_s of a Gaussian copula with Pearson correlation r.
pub fn spearman_of_pearson(r: f64) -> f64 {
    6.0 / PI * (r / 2.0).asin()
}

/// Lower-triangular L with L L' = a (m × m, row-major), or None when `a`
/// is not (numerically) positive definite.
pub fn cholesky(a: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut sum = a[i * m + j];
            for k in 0..j {
                sum -= l[i * m + k] * l[j * m + k];
            }
            if i == j {
                if sum.is_nan() || sum <= 1e-10 {
                    return None;
                }
                l[i * m + i] = sum.sqrt();
            } else {
                l[i * m + j] = sum / l[j * m + j];
            }
        }
    }
    Some(l)
}

/// Eigenvalues and eigenvectors (columns of the returned matrix,
/// row-major) of a symmetric m × m matrix, by cyclic Jacobi rotations:
/// exact to rounding for the small matrices of a correlated set.
pub fn symmetric_eigen(a: &[f64], m: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; m * m];
    for i in 0..m {
        v[i * m + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|i| (0..m).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * m + j] * a[i * m + j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                let apq = a[p * m + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..m {
                    let (akp, akq) = (a[k * m + p], a[k * m + q]);
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for k in 0..m {
                    let (apk, aqk) = (a[p * m + k], a[q * m + k]);
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
                for k in 0..m {
                    let (vkp, vkq) = (v[k * m + p], v[k * m + q]);
                    v[k * m + p] = c * vkp - s * vkq;
                    v[k * m + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..m).map(|i| a[i * m + i]).collect(), v)
}

/// V diag(λ floored at `floor`) V'.
fn with_eigenvalue_floor(a: &[f64], m: usize, floor: f64) -> Vec<f64> {
    let (lambda, v) = symmetric_eigen(a, m);
    let mut out = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            out[i * m + j] = (0..m)
                .map(|k| v[i * m + k] * lambda[k].max(floor) * v[j * m + k])
                .sum();
        }
    }
    out
}

/// The nearest correlation matrix to a symmetric m × m matrix with unit
/// diagonal, in the Frobenius norm: Higham (2002), "Computing the nearest
/// correlation matrix — a problem from finance", IMA J. Numer. Anal. 22,
/// alternating projections with Dykstra's correction (W = I).
pub fn nearest_correlation(a: &[f64], m: usize) -> Vec<f64> {
    let mut y = a.to_vec();
    let mut ds = vec![0.0; m * m];
    let mut x = y.clone();
    for _ in 0..10_000 {
        let r: Vec<f64> = y.iter().zip(&ds).map(|(y, d)| y - d).collect();
        x = with_eigenvalue_floor(&r, m, 0.0);
        for ((d, x), r) in ds.iter_mut().zip(&x).zip(&r) {
            *d = x - r;
        }
        let mut next = x.clone();
        for i in 0..m {
            next[i * m + i] = 1.0;
        }
        let change: f64 = next
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        y = next;
        if change < 1e-12 {
            break;
        }
    }
    let _ = x;
    y
}

/// A correlation matrix near `a` that is strictly positive definite: its
/// eigenvalues floored at `floor`, then rescaled to a unit diagonal.
fn strictly_positive(a: &[f64], m: usize, floor: f64) -> Vec<f64> {
    let mut b = with_eigenvalue_floor(a, m, floor);
    let d: Vec<f64> = (0..m).map(|i| b[i * m + i].sqrt()).collect();
    for i in 0..m {
        for j in 0..m {
            b[i * m + j] = if i == j {
                1.0
            } else {
                b[i * m + j] / (d[i] * d[j])
            };
        }
    }
    b
}

/// Spearman correlations (rounded to 3 decimals) of a valid set near the
/// requested Pearson matrix: Higham's nearest correlation matrix, made
/// strictly positive definite with a margin large enough that the rounded
/// values are accepted too.
pub fn suggestion(pearson: &[f64], m: usize) -> Vec<f64> {
    let nearest = nearest_correlation(pearson, m);
    let mut floor = 1e-3;
    loop {
        let valid = strictly_positive(&nearest, m, floor);
        let rounded: Vec<f64> = valid
            .iter()
            .map(|r| (spearman_of_pearson(*r) * 1000.0).round() / 1000.0)
            .collect();
        let back: Vec<f64> = (0..m * m)
            .map(|k| {
                if k / m == k % m {
                    1.0
                } else {
                    pearson_of_spearman(rounded[k])
                }
            })
            .collect();
        if cholesky(&back, m).is_some() || floor > 0.5 {
            return rounded;
        }
        floor *= 2.0;
    }
}

/// The smallest eigenvalue of a symmetric matrix.
fn smallest_eigenvalue(a: &[f64], m: usize) -> f64 {
    symmetric_eigen(a, m)
        .0
        .into_iter()
        .fold(f64::INFINITY, f64::min)
}

/// Why a factor cannot be correlated, or None if it can.
fn not_scalar(f: &Factor) -> Option<String> {
    match &f.kind {
        FactorKind::Scalar(d) if d.is_constant() => Some(format!(
            "`{}` is a constant distribution, which has no rank to correlate; a correlation is between two uncertain scalar factors",
            f.name
        )),
        FactorKind::Scalar(_) => None,
        FactorKind::Choice { .. } => Some(format!(
            "`{}` is a choice: its options have no order, so a rank correlation means nothing for it; correlations are between scalar distributions (to tie a value to a choice, give it per option: `{{ choice = \"{}\", … }}`)",
            f.name, f.name
        )),
        FactorKind::Shares { .. } => Some(format!(
            "`{}` is a share set, already sampled jointly (Dirichlet); correlations are between scalar distributions",
            f.name
        )),
    }
}

/// Resolves, checks and factors the `[correlations]` of a compiled model.
pub(super) fn compile(
    specs: &[CorrelationSpec],
    factors: &[Factor],
    no_effect: &[NoEffect],
    constants: &[FixedInput],
    doc: &Doc,
) -> Result<Vec<CorrelatedSet>, ScenarioError> {
    // (factor a, factor b, Pearson r) per entry.
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for spec in specs {
        let mut ends = [0usize; 2];
        for (end, r) in ends.iter_mut().zip(&spec.factors) {
            let refuse = |message: String| doc.error_at(&r.span, &r.path, message);
            if let Some(i) = factors.iter().position(|f| f.name == r.name) {
                if let Some(why) = not_scalar(&factors[i]) {
                    return Err(refuse(why));
                }
                *end = i;
            } else if let Some(n) = no_effect.iter().find(|n| n.factor.name == r.name) {
                return Err(refuse(format!(
                    "`{}` has no effect on any output ({}), so it is never sampled and a correlation with it would change nothing; remove this entry",
                    r.name, n.reason
                )));
            } else if constants.iter().any(|c| c.name == r.name) {
                return Err(refuse(format!(
                    "`{}` is a constant, not an uncertain factor; a correlation is between two distributions",
                    r.name
                )));
            } else {
                let known: Vec<&str> = factors
                    .iter()
                    .filter(|f| not_scalar(f).is_none())
                    .map(|f| f.name.as_str())
                    .collect();
                return Err(refuse(format!(
                    "`{}` is not an uncertain factor; name factors as `ecoband check` lists them (a parameter name or a key path such as `datacenter.pue`); scalar factors here: {}",
                    r.name,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        pairs.push((ends[0], ends[1], pearson_of_spearman(spec.spearman)));
    }
    // Connected components, each labelled by its smallest factor index.
    let mut parent: Vec<usize> = (0..factors.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for &(a, b, _) in &pairs {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    // Sets in the order of their first entry in the file.
    let mut roots: Vec<usize> = Vec::new();
    for &(a, _, _) in &pairs {
        let r = root(&mut parent, a);
        if !roots.contains(&r) {
            roots.push(r);
        }
    }
    let mut sets = Vec::new();
    for r in roots {
        let members: Vec<usize> = (0..factors.len())
            .filter(|&i| root(&mut parent, i) == r)
            .collect();
        let m = members.len();
        let at = |i: usize| members.iter().position(|&x| x == i).expect("a member");
        let mut pearson = vec![0.0; m * m];
        for i in 0..m {
            pearson[i * m + i] = 1.0;
        }
        let mut entries: Vec<&CorrelationSpec> = Vec::new();
        let mut declared = Vec::new();
        for (spec, &(a, b, rho)) in specs.iter().zip(&pairs) {
            if root(&mut parent, a) == r {
                let (i, j) = (at(a), at(b));
                pearson[i * m + j] = rho;
                pearson[j * m + i] = rho;
                entries.push(spec);
                declared.push(CorrelatedPair {
                    name: spec.name.clone(),
                    factors: [a, b],
                    spearman: spec.spearman,
                    source: spec.source.clone(),
                    note: spec.note.clone(),
                });
            }
        }
        let Some(l) = cholesky(&pearson, m) else {
            return Err(not_positive_definite(
                doc, &entries, factors, &members, &pearson,
            ));
        };
        let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
        sets.push(CorrelatedSet {
            name: format!("correlated: {}", names.join(", ")),
            entries: names,
            dims: members.iter().map(|&i| factors[i].dims.start).collect(),
            factors: members,
            cholesky: l,
            pairs: declared,
        });
    }
    Ok(sets)
}

/// The refusal of a set whose correlations cannot hold together, with the
/// nearest valid set as `[correlations]` lines to paste.
fn not_positive_definite(
    doc: &Doc,
    entries: &[&CorrelationSpec],
    factors: &[Factor],
    members: &[usize],
    pearson: &[f64],
) -> ScenarioError {
    let m = members.len();
    let suggested = suggestion(pearson, m);
    let at = |name: &str| {
        members
            .iter()
            .position(|&i| factors[i].name == name)
            .expect("a member")
    };
    let mut lines = Vec::new();
    for e in entries {
        let (i, j) = (at(&e.factors[0].name), at(&e.factors[1].name));
        let source = e
            .source
            .as_ref()
            .map(|s| format!(", source = {}", toml_string(s)))
            .unwrap_or_default();
        lines.push(format!(
            "{} = {{ factors = [{}, {}], spearman = {}{source} }}",
            toml_key(&e.name),
            toml_string(&e.factors[0].name),
            toml_string(&e.factors[1].name),
            suggested[i * m + j]
        ));
    }
    // Pairs no entry names, which the valid matrix correlates.
    for i in 0..m {
        for j in i + 1..m {
            let (a, b) = (&factors[members[i]].name, &factors[members[j]].name);
            let named = entries.iter().any(|e| {
                (&e.factors[0].name == a && &e.factors[1].name == b)
                    || (&e.factors[0].name == b && &e.factors[1].name == a)
            });
            if !named && suggested[i * m + j] != 0.0 {
                lines.push(format!(
                    "{} = {{ factors = [{}, {}], spearman = {} }}",
                    toml_key(&format!("{a} ~ {b}")),
                    toml_string(a),
                    toml_string(b),
                    suggested[i * m + j]
                ));
            }
        }
    }
    let last = entries.last().expect("a set has entries");
    let names: Vec<String> = entries.iter().map(|e| format!("`{}`", e.name)).collect();
    let factor_names: Vec<String> = members
        .iter()
        .map(|&i| format!("`{}`", factors[i].name))
        .collect();
    doc.error_at(
        &last.span,
        &last.path,
        format!(
            "the rank correlations {} between {} cannot hold together: the copula's correlation matrix is not positive definite (smallest eigenvalue {:.3}; pairs no entry names count as 0). The nearest valid set (Higham 2002 nearest correlation matrix, made strictly positive definite), to paste in [correlations] in place of these entries:\n{}",
            names.join(", "),
            factor_names.join(", "),
            smallest_eigenvalue(pearson, m),
            lines
                .iter()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare if it can be, else quoted.
fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        toml_string(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higham_example() {
        // Higham (2002), section 4: the nearest correlation matrix to
        // [[1, 1, 0], [1, 1, 1], [0, 1, 1]].
        let a = [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let x = nearest_correlation(&a, 3);
        let expected = [
            1.0, 0.7607, 0.1573, 0.7607, 1.0, 0.7607, 0.1573, 0.7607, 1.0,
        ];
        for (x, e) in x.iter().zip(expected) {
            assert!((x - e).abs() < 1e-4, "{x} vs {e}");
        }
        assert!(smallest_eigenvalue(&x, 3) > -1e-9);
    }

    #[test]
    fn eigen_reconstructs() {
        let a = [4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 5.0];
        let (l, v) = symmetric_eigen(&a, 3);
        for i in 0..3 {
            for j in 0..3 {
                let back: f64 = (0..3).map(|k| v[i * 3 + k] * l[k] * v[j * 3 + k]).sum();
                assert!((back - a[i * 3 + j]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn spearman_pearson_round_trip() {
        for rho in [-0.9, -0.3, 0.0, 0.5, 0.95] {
            assert!((spearman_of_pearson(pearson_of_spearman(rho)) - rho).abs() < 1e-15);
        }
        // The copula of ρ_s = 1 is comonotone.
        assert!((pearson_of_spearman(1.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn suggestion_is_valid() {
        let r = pearson_of_spearman(0.9);
        let a = [1.0, r, -r, r, 1.0, r, -r, r, 1.0];
        assert!(cholesky(&a, 3).is_none());
        let s = suggestion(&a, 3);
        let back: Vec<f64> = (0..9)
            .map(|k| {
                if k / 3 == k % 3 {
                    1.0
                } else {
                    pearson_of_spearman(s[k])
                }
            })
            .collect();
        assert!(cholesky(&back, 3).is_some());
    }
}
