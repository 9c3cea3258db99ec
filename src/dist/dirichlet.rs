//! A Dirichlet distribution centred on given shares, for quantities that
//! must sum to one (e.g. the mix of electricity sources behind a data
//! centre), drawn as a deterministic function of one uniform per share.

use rand_distr::{Distribution as Sample, Gamma, Open01};

use super::DistError;
use super::check::{num, positive, refuse};
use super::splitmix::SplitMix64;

const KIND: &str = "dirichlet";

/// How far the given shares may sum from 1 (the caller normalises; this only
/// catches shares that were not normalised at all).
const SUM_TOLERANCE: f64 = 1e-9;

/// One share: its centre, its Dirichlet parameter and the gamma sampler.
#[derive(Debug, Clone, PartialEq)]
struct Component {
    share: f64,
    alpha: f64,
    /// `Gamma(alpha, 1)` when `alpha >= 1`, else `Gamma(alpha + 1, 1)`.
    gamma: Gamma<f64>,
    /// `1/alpha` when `alpha < 1`: the draw is boosted as
    /// `Gamma(alpha + 1) * U^(1/alpha)` (Marsaglia & Tsang), done in log
    /// space because for small alpha the product underflows to 0 for every
    /// share at once, and the normalisation would then divide 0 by 0.
    boost: Option<f64>,
}

/// `Dirichlet(concentration * shares)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dirichlet {
    components: Vec<Component>,
    /// `a0`, the sum of the alphas (= concentration up to rounding).
    total: f64,
}

impl Dirichlet {
    /// Centred on `shares` (must be >0 and sum to 1 within 1e-9 — the caller
    /// normalises) with concentration `concentration` (>0):
    /// `alpha_i = concentration * share_i`. Larger concentrations mean
    /// draws closer to the shares.
    pub fn new(shares: &[f64], concentration: f64) -> Result<Self, DistError> {
        if shares.is_empty() {
            return Err(refuse(KIND, "has no shares", "at least one share"));
        }
        positive(KIND, "concentration", concentration)?;
        let n = shares.len();
        let mut components = Vec::with_capacity(n);
        for (i, &share) in shares.iter().enumerate() {
            let name = format!("share {} of {n}", i + 1);
            positive(KIND, &name, share)?;
            let alpha = concentration * share;
            if !alpha.is_normal() {
                return Err(refuse(
                    KIND,
                    &format!(
                        "concentration x {name} = {} is out of double range",
                        num(alpha)
                    ),
                    "every concentration x share to be a normal positive double (>= 2.2e-308)",
                ));
            }
            let boost = (alpha < 1.0).then_some(1.0 / alpha);
            let shape = if boost.is_some() { alpha + 1.0 } else { alpha };
            let gamma = Gamma::new(shape, 1.0).map_err(|e| {
                refuse(
                    KIND,
                    &format!("{name} gives an invalid gamma ({e})"),
                    "a positive, finite concentration x share",
                )
            })?;
            components.push(Component {
                share,
                alpha,
                gamma,
                boost,
            });
        }
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(refuse(
                KIND,
                &format!("shares sum to {}", num(sum)),
                "shares that sum to 1 (within 1e-9)",
            ));
        }
        let total = components.iter().map(|c| c.alpha).sum();
        Ok(Dirichlet { components, total })
    }

    /// Number of shares.
    pub fn len(&self) -> usize {
        self.components.len()
    }

    /// Always false: [`Dirichlet::new`] refuses an empty list of shares.
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// Deterministic function of one uniform per share: share i's
    /// Gamma(alpha_i, 1) variate is drawn with `rand_distr::Gamma` from a
    /// SplitMix64 generator seeded by `u[i].to_bits()`, then all are
    /// normalised to sum to 1. Writes into `out` (no allocation). Same `u`
    /// gives the same shares, bit for bit, so a Dirichlet input fits the
    /// engine's "every input is a function of the unit cube" design.
    ///
    /// # Panics
    /// If `u` or `out` does not have [`Dirichlet::len`] entries (a
    /// programming error, not a data error).
    pub fn shares_from_uniforms(&self, u: &[f64], out: &mut [f64]) {
        assert_eq!(u.len(), self.len(), "one uniform per share");
        assert_eq!(out.len(), self.len(), "one output per share");
        // With every alpha >= 1 the gamma variates are far from underflow:
        // normalise them directly, without the log-space detour (which costs
        // a logarithm and an exponential per share on the hot path).
        if self.all_large() {
            let mut sum = 0.0;
            for ((c, &ui), o) in self.components.iter().zip(u).zip(out.iter_mut()) {
                let mut rng = SplitMix64::new(ui.to_bits());
                *o = c.gamma.sample(&mut rng);
                sum += *o;
            }
            for o in out.iter_mut() {
                *o /= sum;
            }
            return;
        }
        // Pass 1: log gamma variates, and their maximum.
        let mut max = f64::NEG_INFINITY;
        for ((c, &ui), o) in self.components.iter().zip(u).zip(out.iter_mut()) {
            let mut rng = SplitMix64::new(ui.to_bits());
            let mut log_g = c.gamma.sample(&mut rng).ln();
            if let Some(inv_alpha) = c.boost {
                let v: f64 = Open01.sample(&mut rng);
                log_g += v.ln() * inv_alpha;
            }
            *o = log_g;
            max = max.max(log_g);
        }
        // Pass 2: exp relative to the largest (which becomes exactly 1, so
        // the sum is >= 1 and never 0), then normalise.
        let mut sum = 0.0;
        for o in out.iter_mut() {
            *o = (*o - max).exp();
            sum += *o;
        }
        for o in out.iter_mut() {
            *o /= sum;
        }
    }

    /// Whether every alpha is >= 1 (no share needs the small-alpha boost).
    fn all_large(&self) -> bool {
        self.components.iter().all(|c| c.boost.is_none())
    }

    /// [`Dirichlet::shares_from_uniforms`] for `n` samples laid out
    /// share-major: uniform `i` of sample `s` at `u[i * stride + s]`, share
    /// `i` at `out[i * stride + s]`. The same bits, one share at a time
    /// over the block (the engine's hot path); `row_u` and `row` are
    /// scratch of [`Dirichlet::len`] values, used one sample at a time when
    /// some alpha is below 1.
    pub fn shares_block(
        &self,
        (u, out): (&[f64], &mut [f64]),
        (n, stride): (usize, usize),
        row_u: &mut [f64],
        row: &mut [f64],
    ) {
        crate::cpu::dispatch(
            #[inline(always)]
            || dirichlet_shares_block(self, (u, out), (n, stride), row_u, row),
        )
    }

    /// The centre: the shares given to [`Dirichlet::new`].
    pub fn mean(&self) -> Vec<f64> {
        self.components.iter().map(|c| c.share).collect()
    }

    /// `Var(X_i) = a_i (a0 - a_i) / (a0^2 (a0 + 1))`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn marginal_variance(&self, i: usize) -> f64 {
        let a = self.components[i].alpha;
        let a0 = self.total;
        a * (a0 - a) / (a0 * a0 * (a0 + 1.0))
    }
}

/// The loop of [`Dirichlet`]'s `shares_block`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn dirichlet_shares_block(
    this: &Dirichlet,
    (u, out): (&[f64], &mut [f64]),
    (n, stride): (usize, usize),
    row_u: &mut [f64],
    row: &mut [f64],
) {
    if !this.all_large() {
        for s in 0..n {
            for (i, x) in row_u.iter_mut().enumerate() {
                *x = u[i * stride + s];
            }
            this.shares_from_uniforms(row_u, row);
            for (i, x) in row.iter().enumerate() {
                out[i * stride + s] = *x;
            }
        }
        return;
    }
    for (i, c) in this.components.iter().enumerate() {
        let (u, out) = (
            &u[i * stride..i * stride + n],
            &mut out[i * stride..i * stride + n],
        );
        for (o, ui) in out.iter_mut().zip(u) {
            *o = c.gamma.sample(&mut SplitMix64::new(ui.to_bits()));
        }
    }
    const LANES: usize = 64;
    let mut sum = [0.0; LANES];
    for first in (0..n).step_by(LANES) {
        let m = (n - first).min(LANES);
        let sum = &mut sum[..m];
        sum.fill(0.0);
        for i in 0..this.len() {
            for (t, g) in sum.iter_mut().zip(&out[i * stride + first..]) {
                *t += g;
            }
        }
        for i in 0..this.len() {
            for (g, t) in out[i * stride + first..][..m].iter_mut().zip(sum.iter()) {
                *g /= t;
            }
        }
    }
}
