//! Sobol' sensitivity analysis: a pick-freeze design streamed in chunks over
//! rayon threads into `SobolSums`, never storing the design.
//!
//! Each base sample i draws one 2d-dimensional point: its first d coordinates
//! are row A, its last d row B. The model is evaluated at A, at B and at AB_f
//! for every factor f (A with f's coordinates from B): N (k + 2) evaluations.
//! Whole factors are swapped, so a share set or a choice is one group. Each
//! declared group G adds AB_G (all of G's factors from B): its closed
//! first-order and total indices, N more evaluations per group.
//!
//! Confidence intervals (plain Monte Carlo): the N base samples form
//! `BATCHES` contiguous batches; each batch gives its own estimate, and the
//! interval is the full-N estimate ± t(B−1) · sd(batch estimates) / √B
//! (batch means). Chunks never straddle batches and are merged in index
//! order, so the result does not depend on the thread count.

use std::ops::Range;
use std::sync::Mutex;

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::analyze::sobol::SobolSums;
use crate::engine::{in_chunk_order, this_threads};
use crate::model::{Model, Scratch, Series};
use crate::sample::PointSource;

/// Number of batches for the batch-means intervals.
pub const BATCHES: u64 = 32;

/// Smallest base sample count: two samples per batch.
pub const MIN_BASE: u64 = 2 * BATCHES;

/// Base samples per chunk at most.
const MAX_CHUNK: u64 = 1024;

/// Chunks evaluated in parallel before merging.
const CHUNKS_PER_ROUND: u64 = 64;

/// The outputs analysed: (model output index, category, series) for every
/// impact category's total and scopes.
pub fn analysed_outputs(model: &Model) -> Vec<(usize, usize, Series)> {
    let mut out = Vec::new();
    let layout = model.layout();
    for c in 0..layout.categories.len() {
        for series in
            std::iter::once(Series::Total).chain((0..layout.scopes.len()).map(Series::Scope))
        {
            out.push((model.layout().index(c, series), c, series));
        }
    }
    out
}

/// What is swapped from B into A for each index: every factor alone, then
/// every declared group (its factors' slots).
fn swap_sets(model: &Model) -> Vec<Vec<Range<usize>>> {
    let mut sets: Vec<Vec<Range<usize>>> = model
        .factors
        .iter()
        .map(|f| vec![f.slots.clone()])
        .collect();
    for g in &model.groups {
        sets.push(
            g.factors
                .iter()
                .map(|&f| model.factors[f].slots.clone())
                .collect(),
        );
    }
    sets
}

/// Accumulated sums: the whole run and each batch.
#[derive(Debug, Clone)]
pub struct SobolRun {
    pub n_base: u64,
    pub second_order: bool,
    pub total: SobolSums,
    pub batches: Vec<SobolSums>,
    /// Model output index of each analysed output.
    pub outputs: Vec<usize>,
}

struct Worker {
    u: Vec<f64>,
    va: Vec<f64>,
    vb: Vec<f64>,
    out: Vec<f64>,
    fa: Vec<f64>,
    fb: Vec<f64>,
    fab: Vec<f64>,
    /// f(BA_f) per factor, for second order (empty otherwise).
    fba: Vec<f64>,
    scratch: Scratch,
}

impl Worker {
    fn new(model: &Model, n_sel: usize, n_sets: usize, second_order: bool) -> Self {
        Worker {
            u: vec![0.0; 2 * model.n_dims],
            va: vec![0.0; model.n_slots],
            vb: vec![0.0; model.n_slots],
            out: vec![0.0; model.n_outputs()],
            fa: vec![0.0; n_sel],
            fb: vec![0.0; n_sel],
            fab: vec![0.0; n_sel * n_sets],
            fba: if second_order {
                vec![0.0; n_sel * model.factors.len()]
            } else {
                Vec::new()
            },
            scratch: model.scratch(),
        }
    }

    /// Exchanges the A and B values of a set of factor slots.
    fn swap(&mut self, set: &[Range<usize>]) {
        for slots in set {
            self.va[slots.clone()].swap_with_slice(&mut self.vb[slots.clone()]);
        }
    }

    fn evaluate_into(&mut self, model: &Model, values_b: bool, outputs: &[usize], target: Target) {
        let values = if values_b { &self.vb } else { &self.va };
        model.evaluate(values, &mut self.scratch, &mut self.out);
        let dest = match target {
            Target::A => &mut self.fa[..],
            Target::B => &mut self.fb[..],
            Target::Ab(f) => &mut self.fab[f * outputs.len()..(f + 1) * outputs.len()],
            Target::Ba(f) => &mut self.fba[f * outputs.len()..(f + 1) * outputs.len()],
        };
        for (d, &j) in dest.iter_mut().zip(outputs) {
            *d = self.out[j];
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run_chunk(
        &mut self,
        model: &Model,
        points: &dyn PointSource,
        outputs: &[usize],
        shift: &[f64],
        swap_sets: &[Vec<Range<usize>>],
        range: (u64, u64),
    ) -> SobolSums {
        let d = model.n_dims;
        let second_order = !self.fba.is_empty();
        let k2 = if second_order { model.factors.len() } else { 0 };
        let mut sums = SobolSums::with_second_order(outputs.len(), swap_sets.len(), k2);
        for i in range.0..range.1 {
            points.point(i, &mut self.u);
            model.values_from_uniforms(&self.u[..d], &mut self.va);
            model.values_from_uniforms(&self.u[d..], &mut self.vb);
            self.evaluate_into(model, false, outputs, Target::A);
            self.evaluate_into(model, true, outputs, Target::B);
            for (f, set) in swap_sets.iter().enumerate() {
                self.swap(set);
                self.evaluate_into(model, false, outputs, Target::Ab(f));
                self.swap(set);
            }
            // BA_f: B with factor f from A (the swap puts A's values in vb).
            for (f, set) in swap_sets.iter().take(k2).enumerate() {
                self.swap(set);
                self.evaluate_into(model, true, outputs, Target::Ba(f));
                self.swap(set);
            }
            sums.add(shift, &self.fa, &self.fb, &self.fab, &self.fba);
        }
        sums
    }
}

#[derive(Clone, Copy)]
enum Target {
    A,
    B,
    Ab(usize),
    Ba(usize),
}

/// Runs the pick-freeze design with `n_base` base samples drawn as
/// 2d-dimensional points.
///
/// # Panics
/// If `n_base` is below `MIN_BASE` or not a multiple of `BATCHES` (the
/// command line rounds it up to a power of two first).
pub fn run(
    model: &Model,
    points: &dyn PointSource,
    n_base: u64,
    second_order: bool,
    threads: usize,
) -> Result<SobolRun, rayon::ThreadPoolBuildError> {
    assert!(
        n_base >= MIN_BASE && n_base.is_multiple_of(BATCHES),
        "caller checks the base sample count"
    );
    let batches = run_range(model, points, (0, n_base), BATCHES, second_order, threads)?;
    Ok(SobolRun::from_batches(model, n_base, second_order, batches))
}

/// Doubles the base sample count of a finished run, reusing every
/// evaluation made: batch b of the 2N run is batches 2b and 2b + 1 of the N
/// run for b < B/2; base samples N…2N give the other B/2 batches.
pub fn extend(
    model: &Model,
    points: &dyn PointSource,
    previous: SobolRun,
    threads: usize,
) -> Result<SobolRun, rayon::ThreadPoolBuildError> {
    let n = previous.n_base;
    let mut batches: Vec<SobolSums> = previous
        .batches
        .chunks(2)
        .map(|pair| {
            let mut merged = pair[0].clone();
            merged.merge(&pair[1]);
            merged
        })
        .collect();
    let second_order = previous.second_order;
    batches.extend(run_range(
        model,
        points,
        (n, 2 * n),
        BATCHES / 2,
        second_order,
        threads,
    )?);
    Ok(SobolRun::from_batches(model, 2 * n, second_order, batches))
}

impl SobolRun {
    fn from_batches(
        model: &Model,
        n_base: u64,
        second_order: bool,
        batches: Vec<SobolSums>,
    ) -> Self {
        let outputs: Vec<usize> = analysed_outputs(model).iter().map(|(j, _, _)| *j).collect();
        let k2 = if second_order { model.factors.len() } else { 0 };
        let mut total = SobolSums::with_second_order(outputs.len(), swap_sets(model).len(), k2);
        for b in &batches {
            total.merge(b);
        }
        SobolRun {
            n_base,
            second_order,
            total,
            batches,
            outputs,
        }
    }
}

/// Sums of base samples `range.0 .. range.1`, in `n_batches` equal contiguous
/// batches. Chunks never straddle batches and are merged in index order.
fn run_range(
    model: &Model,
    points: &dyn PointSource,
    range: (u64, u64),
    n_batches: u64,
    second_order: bool,
    threads: usize,
) -> Result<Vec<SobolSums>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let outputs: Vec<usize> = analysed_outputs(model).iter().map(|(j, _, _)| *j).collect();
    let (baseline, _) = model.baseline();
    let shift: Vec<f64> = outputs.iter().map(|&j| baseline[j]).collect();
    let per_batch = (range.1 - range.0) / n_batches;
    let chunk = (1..=MAX_CHUNK)
        .rev()
        .find(|c| per_batch.is_multiple_of(*c))
        .unwrap_or(1);
    let n_chunks = (range.1 - range.0) / chunk;
    let chunks_per_batch = per_batch / chunk;
    let swap_sets = swap_sets(model);
    let k = swap_sets.len();
    let workers: Vec<Mutex<Worker>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(Worker::new(model, outputs.len(), k, second_order)))
        .collect();
    let k2 = if second_order { model.factors.len() } else { 0 };
    let mut batches = vec![SobolSums::with_second_order(outputs.len(), k, k2); n_batches as usize];
    pool.install(|| {
        in_chunk_order(
            n_chunks,
            CHUNKS_PER_ROUND,
            |c| {
                let start = range.0 + c * chunk;
                this_threads(&workers).run_chunk(
                    model,
                    points,
                    &outputs,
                    &shift,
                    &swap_sets,
                    (start, start + chunk),
                )
            },
            |c, sums| batches[(c / chunks_per_batch) as usize].merge(&sums),
        )
    });
    Ok(batches)
}

/// An index with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// First- and total-order estimates with intervals for analysed output `o`
/// (position in `SobolRun::outputs`), at confidence `level`: one per factor,
/// then one per declared group.
pub fn estimates(run: &SobolRun, o: usize, level: f64) -> SobolEstimates {
    let full = run.total.indices(o);
    let per_batch: Vec<_> = run.batches.iter().map(|b| b.indices(o)).collect();
    let b = per_batch.len() as f64;
    let t = StudentsT::new(0.0, 1.0, b - 1.0)
        .map(|d| d.inverse_cdf(0.5 + level / 2.0))
        .unwrap_or(f64::NAN);
    let interval = |value: f64, batch_values: Vec<f64>| {
        let mean = batch_values.iter().sum::<f64>() / b;
        let var = batch_values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (b - 1.0);
        let half = t * (var / b).sqrt();
        Estimate {
            value,
            low: value - half,
            high: value + half,
        }
    };
    let k = full.first.len();
    let first = (0..k)
        .map(|i| {
            interval(
                full.first[i],
                per_batch.iter().map(|x| x.first[i]).collect(),
            )
        })
        .collect();
    let total = (0..k)
        .map(|i| {
            interval(
                full.total[i],
                per_batch.iter().map(|x| x.total[i]).collect(),
            )
        })
        .collect();
    let second = (0..full.second.len())
        .map(|p| {
            interval(
                full.second[p],
                per_batch.iter().map(|x| x.second[p]).collect(),
            )
        })
        .collect();
    SobolEstimates {
        variance: full.variance,
        first,
        total,
        second,
    }
}

/// Estimates with intervals for one output: first and total order per
/// factor then per group; second order per factor pair i < j (row order),
/// empty unless asked.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolEstimates {
    pub variance: f64,
    pub first: Vec<Estimate>,
    pub total: Vec<Estimate>,
    pub second: Vec<Estimate>,
}
