//! Two models evaluated on common random numbers (CRN): factors with the
//! same name draw the same uniforms in both, whatever their order or
//! number, so the difference of the two outputs sample by sample isolates
//! what changed instead of mixing it with Monte Carlo noise.
//!
//! Model A keeps the positional stream of `ecoband run` (its statistics are
//! the bits `run` gives); each of B's factors takes the coordinates of A's
//! factor of the same name, and a factor that A does not have takes fresh
//! coordinates keyed by its name.

pub mod engine;
pub mod result;

use std::collections::HashMap;

use crate::model::{Factor, Model};
use crate::sample::{KeyedMonteCarlo, PointSource};

/// How two models are paired.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairing {
    /// Stream steps of A's coordinates (positional: 1, 2, …).
    pub keys_a: Vec<u64>,
    /// Stream steps of B's coordinates (A's for a factor of the same name).
    pub keys_b: Vec<u64>,
    /// Output series present in both, as (index in A, index in B, name).
    pub series: Vec<(usize, usize, String)>,
    /// Factors only A has, only B has, and both have but define differently.
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
    pub changed: Vec<String>,
    /// Output series only one side has.
    pub series_only_a: Vec<String>,
    pub series_only_b: Vec<String>,
}

/// SplitMix64's mixer (the point sources' own).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stream step for coordinate `j` of a factor that only B has: above
/// every positional step of A, and a function of the name alone, so the
/// order of B's factors does not matter. (Two such keys coincide with
/// probability about 2^-40 per pair.)
fn fresh_key(n_dims_a: usize, name: &str, j: usize) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    n_dims_a as u64 + 1 + (mix64(h ^ mix64(j as u64 + 1)) >> 24)
}

fn same_definition(a: &Factor, b: &Factor) -> bool {
    a.kind == b.kind && a.nominal.to_bits() == b.nominal.to_bits() && a.dims.len() == b.dims.len()
}

/// Every factor of `m` with its pairing name, those without effect
/// included: they keep their dims, so a factor without effect in one model
/// and with effect in the other still pairs.
fn all_factors(m: &Model) -> impl Iterator<Item = (&String, &Factor)> {
    m.pairing_names
        .iter()
        .zip(&m.factors)
        .chain(m.no_effect.iter().map(|n| (&n.pairing_name, &n.factor)))
}

pub fn pair(a: &Model, b: &Model) -> Pairing {
    // Keyed by pairing name: an inventory row's factors by the row's name.
    let by_name: HashMap<&str, &Factor> = all_factors(a).map(|(n, f)| (n.as_str(), f)).collect();
    let keys_a: Vec<u64> = (1..=a.n_dims as u64).collect();
    let mut keys_b = vec![0; b.n_dims];
    let (mut only_b, mut changed) = (Vec::new(), Vec::new());
    for (name_b, fb) in all_factors(b) {
        let fa = by_name.get(name_b.as_str());
        match fa {
            None => only_b.push(fb.name.clone()),
            Some(fa) if !same_definition(fa, fb) => changed.push(fb.name.clone()),
            Some(_) => {}
        }
        for (j, d) in fb.dims.clone().enumerate() {
            keys_b[d] = match fa {
                Some(fa) if j < fa.dims.len() => fa.dims.start as u64 + j as u64 + 1,
                _ => fresh_key(a.n_dims, name_b, j),
            };
        }
    }
    let in_b: HashMap<&str, ()> = all_factors(b).map(|(n, _)| (n.as_str(), ())).collect();
    let only_a = all_factors(a)
        .filter(|(n, _)| !in_b.contains_key(n.as_str()))
        .map(|(_, f)| f.name.clone())
        .collect();
    let (la, lb) = (a.layout(), b.layout());
    let names_b: HashMap<String, usize> =
        (0..b.n_outputs()).map(|j| (lb.series_name(j), j)).collect();
    let mut series = Vec::new();
    let mut series_only_a = Vec::new();
    for ja in 0..a.n_outputs() {
        let name = la.series_name(ja);
        match names_b.get(&name) {
            Some(&jb) => series.push((ja, jb, name)),
            None => series_only_a.push(name),
        }
    }
    let series_only_b = (0..b.n_outputs())
        .map(|j| lb.series_name(j))
        .filter(|n| !series.iter().any(|(_, _, s)| s == n))
        .collect();
    Pairing {
        keys_a,
        keys_b,
        series,
        only_a,
        only_b,
        changed,
        series_only_a,
        series_only_b,
    }
}

impl Pairing {
    /// The point sources of A and B for `seed`.
    pub fn sources(&self, seed: u64) -> (KeyedMonteCarlo, KeyedMonteCarlo) {
        (
            KeyedMonteCarlo::new(seed, self.keys_a.clone()),
            KeyedMonteCarlo::new(seed, self.keys_b.clone()),
        )
    }
}

/// Samples compared by [`same_outputs`] besides the baseline.
/// (A change of a choice's weights by less than about 1/4096 can go
/// unseen; anything a reader would call a what-if does not.)
pub const EFFECT_SAMPLES: usize = 4096;

/// Whether two models give bit-identical outputs, series by series: at the
/// nominal values and on `EFFECT_SAMPLES` paired samples. Used to refuse an
/// override that changes nothing (a value no output depends on).
pub fn same_outputs(a: &Model, b: &Model, seed: u64) -> bool {
    let p = pair(a, b);
    if !p.series_only_a.is_empty() || !p.series_only_b.is_empty() {
        return false;
    }
    let ((base_a, _), (base_b, _)) = (a.baseline(), b.baseline());
    if p.series
        .iter()
        .any(|&(ja, jb, _)| base_a[ja].to_bits() != base_b[jb].to_bits())
    {
        return false;
    }
    let (src_a, src_b) = p.sources(seed);
    let outputs = |m: &Model, src: &dyn PointSource| {
        let (mut u, mut values) = (vec![0.0; m.n_dims], vec![0.0; m.n_slots]);
        let mut out = vec![0.0; m.n_outputs() * EFFECT_SAMPLES];
        let mut scratch = m.scratch();
        for s in 0..EFFECT_SAMPLES {
            src.point(s as u64, &mut u);
            m.values_from_uniforms(&u, &mut values);
            m.evaluate(
                &values,
                &mut scratch,
                &mut out[s * m.n_outputs()..][..m.n_outputs()],
            );
        }
        out
    };
    let (out_a, out_b) = (outputs(a, &src_a), outputs(b, &src_b));
    (0..EFFECT_SAMPLES).all(|s| {
        p.series.iter().all(|&(ja, jb, _)| {
            out_a[s * a.n_outputs() + ja].to_bits() == out_b[s * b.n_outputs() + jb].to_bits()
        })
    })
}
