//! Uncertain factors: the independent random inputs of a compiled model.
//!
//! A factor reads `dims` uniforms from the unit cube and writes `slots`
//! values. Most factors are one distribution (one uniform → one value);
//! jointly sampled shares are one factor with one uniform per share (so that
//! a sensitivity analysis treats them as one group); a categorical choice
//! writes the index of the chosen option.

use std::ops::Range;

use crate::dist::{Dirichlet, Distribution};

#[derive(Debug, Clone, PartialEq)]
pub enum FactorKind {
    Scalar(Distribution),
    Shares {
        dirichlet: Dirichlet,
        keys: Vec<String>,
        shares: Vec<f64>,
        concentration: f64,
    },
    Choice {
        options: Vec<String>,
        /// Cumulative normalised weights; the last is exactly 1.
        cumulative: Vec<f64>,
        nominal: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// The parameter name, or the key path of an inline distribution.
    pub name: String,
    /// The readable name tables and figures show: the scenario's
    /// `label = "…"`, or one derived from `name` (`model::label`).
    pub label: String,
    /// Whether `label` was written in the scenario or its preset (false:
    /// derived; `ecoband check` marks it).
    pub label_given: bool,
    pub kind: FactorKind,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// 1-based line of the declaration in the scenario file.
    pub line: usize,
    pub dims: Range<usize>,
    pub slots: Range<usize>,
    /// Nominal value (Scalar), ignored otherwise.
    pub nominal: f64,
}

impl Factor {
    /// Writes this factor's values for the uniforms `u` of its dims.
    #[inline]
    pub fn transform(&self, u: &[f64], out: &mut [f64]) {
        match &self.kind {
            FactorKind::Scalar(d) => out[0] = d.inverse_cdf(u[0]),
            FactorKind::Shares { dirichlet, .. } => dirichlet.shares_from_uniforms(u, out),
            FactorKind::Choice { cumulative, .. } => out[0] = chosen(cumulative, u[0]),
        }
    }

    /// `transform` for a block of `n` samples laid out dimension-major:
    /// uniform `d` of sample `s` at `u[d * stride + s]`, value `v` at
    /// `values[v * stride + s]`. `row_u` and `row_v` are scratch rows for
    /// a share set drawn one sample at a time (see
    /// [`Dirichlet::shares_block`]).
    pub fn transform_block(
        &self,
        u: &[f64],
        values: &mut [f64],
        (n, stride): (usize, usize),
        row_u: &mut [f64],
        row_v: &mut [f64],
    ) {
        let from = self.dims.start * stride;
        let to = self.slots.start * stride;
        match &self.kind {
            FactorKind::Scalar(d) => {
                d.inverse_cdf_block(&u[from..from + n], &mut values[to..to + n]);
            }
            FactorKind::Shares { dirichlet, .. } => dirichlet.shares_block(
                (&u[from..], &mut values[to..]),
                (n, stride),
                &mut row_u[..self.dims.len()],
                &mut row_v[..self.slots.len()],
            ),
            FactorKind::Choice { cumulative, .. } => {
                for (v, u) in values[to..to + n].iter_mut().zip(&u[from..from + n]) {
                    *v = chosen(cumulative, *u);
                }
            }
        }
    }

    /// Writes the nominal (deterministic baseline) values.
    pub fn nominal_values(&self, out: &mut [f64]) {
        match &self.kind {
            FactorKind::Scalar(_) => out[0] = self.nominal,
            FactorKind::Shares { shares, .. } => out.copy_from_slice(shares),
            FactorKind::Choice { nominal, .. } => out[0] = *nominal as f64,
        }
    }

    /// Human description of the distribution, for `ecoband check`.
    pub fn describe(&self) -> String {
        match &self.kind {
            FactorKind::Scalar(d) => d.describe(),
            FactorKind::Shares {
                keys,
                shares,
                concentration,
                ..
            } => {
                let parts: Vec<String> = keys
                    .iter()
                    .zip(shares)
                    .map(|(k, s)| format!("{k} {s:.4}"))
                    .collect();
                format!(
                    "dirichlet(concentration {concentration}; {})",
                    parts.join(", ")
                )
            }
            FactorKind::Choice {
                options,
                cumulative,
                ..
            } => {
                let mut prev = 0.0;
                let parts: Vec<String> = options
                    .iter()
                    .zip(cumulative)
                    .map(|(o, c)| {
                        let p = c - prev;
                        prev = *c;
                        format!("{o} {p:.3}")
                    })
                    .collect();
                format!("choice({})", parts.join(", "))
            }
        }
    }

    /// Human nominal value, for `ecoband check`.
    pub fn describe_nominal(&self) -> String {
        match &self.kind {
            FactorKind::Scalar(_) => format_number(self.nominal),
            FactorKind::Shares { keys, shares, .. } => keys
                .iter()
                .zip(shares)
                .map(|(k, s)| format!("{k}={}", format_number(*s)))
                .collect::<Vec<_>>()
                .join(" "),
            FactorKind::Choice {
                options, nominal, ..
            } => options[*nominal].clone(),
        }
    }
}

/// The index (as a value) of the option a uniform `u` picks: the first whose
/// cumulative weight exceeds `u`.
#[inline]
fn chosen(cumulative: &[f64], u: f64) -> f64 {
    cumulative
        .iter()
        .position(|c| u < *c)
        .unwrap_or(cumulative.len() - 1) as f64
}

/// Four significant digits, switching to scientific notation for very large or
/// small magnitudes; used wherever a number is shown to a person.
pub fn format_number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{x:.3e}");
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
