//! Probability distributions for uncertain inputs.
//!
//! Every distribution is sampled through its inverse CDF: the engine draws
//! points of the unit cube (from any design: Monte Carlo today) and
//! maps each coordinate `u` in (0, 1) to a value with
//! [`Distribution::inverse_cdf`]. That keeps runs reproducible and lets
//! stratified designs keep their structure, which rejection sampling would
//! break. Constructors validate everything and precompute the constants the
//! hot path needs; invalid parameters give a [`DistError`], never a panic.
//!
//! A share vector that must sum to one is not a scalar distribution; it is
//! drawn with [`Dirichlet`].

mod check;
mod constant;
mod dirichlet;
mod discrete;
mod empirical;
mod lognormal;
mod normal;
mod normal_dist;
mod pert;
mod splitmix;
mod triangular;
mod truncation;
mod uniform;

pub use constant::Constant;
pub use dirichlet::Dirichlet;
pub use discrete::Discrete;
pub use empirical::Empirical;
pub use lognormal::{LogNormal, mu_sigma_from_mean_sd, mu_sigma_from_median_gsd};
pub use normal::{standard_normal_cdf, standard_normal_inverse_cdf, standard_normal_sf};
pub use normal_dist::Normal;
pub use pert::Pert;
pub use triangular::Triangular;
pub use uniform::Uniform;

/// Why a distribution could not be built. The message says what was wrong
/// and what is allowed, e.g. "uniform min (5) is greater than max (3); a
/// uniform needs min < max"; it carries no location, which the caller adds.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

/// The three ways a lognormal is commonly specified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogNormalParams {
    /// Median (geometric mean) and geometric standard deviation, as in
    /// ecoinvent and the pedigree matrix.
    MedianGsd { median: f64, gsd: f64 },
    /// Arithmetic mean and standard deviation of the quantity itself.
    MeanSd { mean: f64, sd: f64 },
    /// Mean and standard deviation of the quantity's natural logarithm.
    MuSigma { mu: f64, sigma: f64 },
}

/// Clamps `x` into `[lo, hi]` (`lo <= hi`) with two plain comparisons.
///
/// Used on the hot path to keep rounding from pushing a draw outside its
/// support. `f64::clamp`/`max`/`min` carry NaN handling that measurably
/// slowed the normal sampler (about 3 ns of 12); NaN stays NaN here.
#[inline(always)]
pub(crate) fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let x = if x < lo { lo } else { x };
    if x > hi { hi } else { x }
}

/// What every distribution provides; [`Distribution`] dispatches to it.
pub(crate) trait Shape {
    fn inverse_cdf(&self, u: f64) -> f64;
    fn cdf(&self, x: f64) -> f64;
    fn median(&self) -> f64;
    fn mean(&self) -> f64;
    fn variance(&self) -> f64;
    fn nominal(&self) -> f64;
    fn support(&self) -> (f64, f64);
    fn describe(&self) -> String;
}

/// A validated univariate distribution. Build it with the constructors
/// ([`Distribution::uniform`] and so on); the variants' data is private so
/// that an invalid distribution cannot exist.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    Constant(Constant),
    Uniform(Uniform),
    Triangular(Triangular),
    /// Normal, optionally truncated.
    Normal(Normal),
    /// Lognormal, optionally truncated.
    LogNormal(LogNormal),
    Pert(Pert),
    Discrete(Discrete),
    Empirical(Empirical),
}

/// Runs `$body` with `$d` bound to whichever variant `$self` holds.
macro_rules! each {
    ($self:expr, $d:ident => $body:expr) => {
        match $self {
            Distribution::Constant($d) => $body,
            Distribution::Uniform($d) => $body,
            Distribution::Triangular($d) => $body,
            Distribution::Normal($d) => $body,
            Distribution::LogNormal($d) => $body,
            Distribution::Pert($d) => $body,
            Distribution::Discrete($d) => $body,
            Distribution::Empirical($d) => $body,
        }
    };
}

impl Distribution {
    /// A fixed value.
    pub fn constant(value: f64) -> Result<Self, DistError> {
        Constant::new(value).map(Distribution::Constant)
    }

    /// Uniform on `[min, max]`; `min < max` (a zero-width range is refused:
    /// use a constant).
    pub fn uniform(min: f64, max: f64) -> Result<Self, DistError> {
        Uniform::new(min, max).map(Distribution::Uniform)
    }

    /// Triangular on `[min, max]` peaking at `mode`;
    /// `min <= mode <= max`, `min < max`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistError> {
        Triangular::new(min, mode, max).map(Distribution::Triangular)
    }

    /// Normal with `sd > 0`, optionally truncated to `[min, max]` by inverse
    /// CDF (never rejection). A window holding less than 1e-12 of the
    /// probability is refused.
    pub fn normal(
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Self, DistError> {
        Normal::new(mean, sd, min, max).map(Distribution::Normal)
    }

    /// Lognormal from any [`LogNormalParams`] (median > 0 and gsd > 1;
    /// mean > 0 and sd > 0; finite mu and sigma > 0), optionally truncated
    /// to `[min, max]` (min >= 0) as for the normal, in log space.
    pub fn lognormal(
        params: LogNormalParams,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Self, DistError> {
        LogNormal::new(params, min, max).map(Distribution::LogNormal)
    }

    /// Beta-PERT on `[min, max]` with the given `mode` and shape `lambda > 0`
    /// (4 is the classic choice, left to the caller):
    /// `alpha = 1 + lambda (mode - min)/(max - min)`,
    /// `beta = 1 + lambda (max - mode)/(max - min)`.
    pub fn pert(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Self, DistError> {
        Pert::new(min, mode, max, lambda).map(Distribution::Pert)
    }

    /// Listed values with non-negative weights (normalised internally; at
    /// least one positive). Values with zero weight are dropped.
    pub fn discrete(values: Vec<f64>, weights: Vec<f64>) -> Result<Self, DistError> {
        Discrete::new(values, weights).map(Distribution::Discrete)
    }

    /// Resampling of at least one observed value, each with probability 1/n.
    pub fn empirical(values: Vec<f64>) -> Result<Self, DistError> {
        Empirical::new(values).map(Distribution::Empirical)
    }

    /// The value whose CDF is `u`, for `u` in the open interval (0, 1): the
    /// sampling hot path (no allocation; constants precomputed).
    #[inline]
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        each!(self, d => d.inverse_cdf(u))
    }

    /// `out[i] = inverse_cdf(u[i])`, the same values, dispatched once per
    /// block: each variant's loop is compiled with its inverse CDF inlined,
    /// so successive draws overlap in the pipeline (per value, about half
    /// the time of one call each).
    pub fn inverse_cdf_block(&self, u: &[f64], out: &mut [f64]) {
        crate::cpu::dispatch(
            #[inline(always)]
            || inverse_cdf_block(self, u, out),
        )
    }

    /// `P(X <= x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        each!(self, d => d.cdf(x))
    }

    /// The median (for discrete and empirical, the conventional one: the
    /// midpoint when the CDF is exactly 1/2 on a gap).
    pub fn median(&self) -> f64 {
        each!(self, d => d.median())
    }

    /// The exact mean (closed form, truncation included).
    pub fn mean(&self) -> f64 {
        each!(self, d => d.mean())
    }

    /// The exact variance (closed form, truncation included).
    pub fn variance(&self) -> f64 {
        each!(self, d => d.variance())
    }

    /// The deterministic "nominal" value used for point estimates and as the
    /// base of one-at-a-time sensitivity: the mode for triangular, PERT and
    /// normal (the mean clamped into the bounds when truncated) and for
    /// discrete (largest weight, first on ties); the median for uniform and
    /// empirical; for lognormal the geometric mean `e^mu` (= the median;
    /// clamped into the bounds when truncated), because LCA databases
    /// publish that as the deterministic amount; the value for a constant.
    pub fn default_nominal(&self) -> f64 {
        each!(self, d => d.nominal())
    }

    /// `(lowest, highest)` possible value, infinite where unbounded.
    pub fn support(&self) -> (f64, f64) {
        each!(self, d => d.support())
    }

    /// Whether every draw is the same value: a constant, a discrete with a
    /// single value of positive weight, or an empirical sample whose values
    /// are all equal. Callers can skip sampling these.
    pub fn is_constant(&self) -> bool {
        match self {
            Distribution::Constant(_) => true,
            Distribution::Discrete(d) => d.is_degenerate(),
            Distribution::Empirical(e) => e.is_degenerate(),
            _ => false,
        }
    }

    /// The family name, as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Distribution::Constant(_) => "constant",
            Distribution::Uniform(_) => "uniform",
            Distribution::Triangular(_) => "triangular",
            Distribution::Normal(_) => "normal",
            Distribution::LogNormal(_) => "lognormal",
            Distribution::Pert(_) => "pert",
            Distribution::Discrete(_) => "discrete",
            Distribution::Empirical(_) => "empirical",
        }
    }

    /// Short human text with the parameters, e.g.
    /// `triangular(min 1.1, mode 1.16, max 1.58)` or
    /// `lognormal(median 2, gsd 1.5, truncated to [0, 10])`.
    pub fn describe(&self) -> String {
        each!(self, d => d.describe())
    }
}

/// The loop of [`Distribution`]'s `inverse_cdf_block`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn inverse_cdf_block(this: &Distribution, u: &[f64], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if let Distribution::Triangular(d) = this
        && crate::cpu::wide()
    {
        // SAFETY: the CPU has AVX2 (`wide`).
        unsafe { d.inverse_cdf_block_avx2(u, out) };
        return;
    }
    each!(this, d => {
        for (o, u) in out.iter_mut().zip(u) {
            *o = d.inverse_cdf(*u);
        }
    })
}
