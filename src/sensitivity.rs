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
//! Factor *values* are swapped, after the transform. The factors of a
//! correlated set (`[correlations]`) are one joint draw, so they are
//! swapped together, as one unit ([`Model::units`]): swapping one alone
//! would pair values of two different joint draws. Their indices are the
//! closed indices of the set, which keep their meaning because sets are
//! independent of each other and of the other factors.
//!
//! Confidence intervals: each batch gives its own estimate, and the interval
//! is the pooled estimate ± t(B−1) · sd(batch estimates) / √B. With plain
//! Monte Carlo the N base samples form `BATCHES` contiguous batches (batch
//! means); with scrambled Sobol' or LHS each of R independent
//! randomisations is a batch (randomised QMC: bootstrap over QMC points
//! would treat them as independent and be several times too wide). Chunks
//! never straddle batches and are merged in a fixed order, so the result
//! does not depend on the thread count.

use std::ops::Range;
use std::sync::Mutex;

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::analyze::PairwiseMerger;
use crate::analyze::sobol::SobolSums;
use crate::engine::{in_chunk_order, this_threads};
use crate::model::{Model, Scratch, Series, ValueBlock};
use crate::sample::PointSource;
use crate::shard::ShardSpec;

/// Number of batches for the batch-means intervals.
pub const BATCHES: u64 = 32;

/// Smallest base sample count: two samples per batch.
pub const MIN_BASE: u64 = 2 * BATCHES;

/// Base samples per chunk at most.
const MAX_CHUNK: u64 = 1024;

/// Base samples whose A and B rows are transformed together, distribution
/// by distribution (`ValueBlock`), and evaluated together: A, B and each
/// AB_f (BA_f) as one block of the model's loops.
const BLOCK: usize = 64;

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

/// What is swapped from B into A for each index: every unit (a factor, or
/// a correlated set whole), then every declared group (its factors'
/// slots, correlated sets whole).
fn swap_sets(model: &Model) -> Vec<Vec<Range<usize>>> {
    let slots = |factors: &[usize]| -> Vec<Range<usize>> {
        factors
            .iter()
            .map(|&f| model.factors[f].slots.clone())
            .collect()
    };
    let mut sets: Vec<Vec<Range<usize>>> =
        model.units().iter().map(|u| slots(&u.factors)).collect();
    for g in &model.groups {
        sets.push(slots(&model.group_factors(g)));
    }
    sets
}

/// Units whose second-order indices are computed (all, or none).
fn second_order_units(model: &Model, second_order: bool) -> usize {
    if second_order { model.units().len() } else { 0 }
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
    /// A block of base samples' A and B rows.
    block_a: ValueBlock,
    block_b: ValueBlock,
    /// Per model output: its index among the analysed outputs, if any.
    selected: Vec<Option<usize>>,
    /// The block's analysed outputs at A, at B, at every AB_f and (second
    /// order) every BA_f: output `o` of sample `s` at `o * BLOCK + s`
    /// within each set's part.
    ya: Vec<f64>,
    yb: Vec<f64>,
    yab: Vec<f64>,
    yba: Vec<f64>,
    /// One base sample's outputs, gathered from the blocks for the sums.
    fa: Vec<f64>,
    fb: Vec<f64>,
    fab: Vec<f64>,
    /// f(BA_f) per factor, for second order (empty otherwise).
    fba: Vec<f64>,
    scratch: Scratch,
}

impl Worker {
    fn new(model: &Model, outputs: &[usize], n_sets: usize, second_order: bool) -> Self {
        let n_sel = outputs.len();
        let k2 = second_order_units(model, second_order);
        let mut selected = vec![None; model.n_outputs()];
        for (o, &j) in outputs.iter().enumerate() {
            selected[j] = Some(o);
        }
        Worker {
            u: vec![0.0; 2 * model.n_dims],
            block_a: ValueBlock::new(model, BLOCK),
            block_b: ValueBlock::new(model, BLOCK),
            selected,
            ya: vec![0.0; n_sel * BLOCK],
            yb: vec![0.0; n_sel * BLOCK],
            yab: vec![0.0; n_sets * n_sel * BLOCK],
            yba: vec![0.0; k2 * n_sel * BLOCK],
            fa: vec![0.0; n_sel],
            fb: vec![0.0; n_sel],
            fab: vec![0.0; n_sel * n_sets],
            fba: vec![0.0; n_sel * k2],
            scratch: model.scratch(),
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
        let k2 = second_order_units(model, !self.fba.is_empty());
        let mut sums = SobolSums::with_second_order(outputs.len(), swap_sets.len(), k2);
        let mut first = range.0;
        while first < range.1 {
            let n = ((range.1 - first) as usize).min(BLOCK);
            for s in 0..n {
                points.point(first + s as u64, &mut self.u);
                self.block_a.set_point(s, &self.u[..d]);
                self.block_b.set_point(s, &self.u[d..]);
            }
            self.block_a.len = n;
            self.block_b.len = n;
            model.values_from_uniforms_block(&mut self.block_a);
            model.values_from_uniforms_block(&mut self.block_b);
            self.evaluate_block(model, swap_sets, k2);
            for s in 0..n {
                self.gather(s, outputs.len());
                sums.add(shift, &self.fa, &self.fb, &self.fab, &self.fba);
            }
            first += n as u64;
        }
        sums
    }

    /// Evaluates the model at A, B, every AB_f and (second order) BA_f of
    /// the block, a whole block per design row: each row is the A block with
    /// some factors' columns swapped in from B (or the reverse).
    fn evaluate_block(&mut self, model: &Model, swap_sets: &[Vec<Range<usize>>], k2: usize) {
        let n_sel = self.fa.len();
        let part = n_sel * BLOCK;
        let (a, b) = (&mut self.block_a, &mut self.block_b);
        let (selected, scratch) = (&self.selected, &mut self.scratch);
        let mut evaluate = |block: &ValueBlock, dest: &mut [f64]| {
            model.evaluate_series(block.lanes(), scratch, &mut |j, first, x| {
                if let Some(o) = selected[j] {
                    dest[o * BLOCK + first..][..x.len()].copy_from_slice(x);
                }
            });
        };
        evaluate(a, &mut self.ya);
        evaluate(b, &mut self.yb);
        // Values derived by formulas follow the swapped factors: recomputed
        // after each swap and each swap back.
        for (f, set) in swap_sets.iter().enumerate() {
            swap_columns(a, b, set);
            model.derive_block(a);
            evaluate(a, &mut self.yab[f * part..(f + 1) * part]);
            swap_columns(a, b, set);
            model.derive_block(a);
        }
        model.derive_block(b);
        // BA_f: B with factor f from A (the swap puts A's values in B).
        for (f, set) in swap_sets.iter().take(k2).enumerate() {
            swap_columns(a, b, set);
            model.derive_block(b);
            evaluate(b, &mut self.yba[f * part..(f + 1) * part]);
            swap_columns(a, b, set);
            model.derive_block(b);
        }
    }

    /// Base sample `s`'s outputs from the blocks, in `SobolSums::add`'s
    /// layout (`fab[f * n_sel + o]`).
    fn gather(&mut self, s: usize, n_sel: usize) {
        for o in 0..n_sel {
            self.fa[o] = self.ya[o * BLOCK + s];
            self.fb[o] = self.yb[o * BLOCK + s];
        }
        for (i, x) in self.fab.iter_mut().enumerate() {
            *x = self.yab[i * BLOCK + s];
        }
        for (i, x) in self.fba.iter_mut().enumerate() {
            *x = self.yba[i * BLOCK + s];
        }
    }
}

/// Exchanges the A and B values of a set of factor slots, for every sample
/// of the blocks.
fn swap_columns(a: &mut ValueBlock, b: &mut ValueBlock, set: &[Range<usize>]) {
    let stride = a.stride;
    for slots in set {
        let columns = slots.start * stride..slots.end * stride;
        a.values[columns.clone()].swap_with_slice(&mut b.values[columns]);
    }
}

/// Where base samples come from and how they are grouped for intervals.
pub enum Design<'p> {
    /// One plain Monte Carlo stream; intervals from `BATCHES` contiguous
    /// batches of it.
    MonteCarlo(&'p dyn PointSource),
    /// R independent randomisations of one design (scrambled Sobol' or
    /// LHS), each with its own N points; each replicate is one batch, and
    /// the interval is Student-t over the R replicates.
    Replicated(&'p [Box<dyn PointSource>]),
}

impl Design<'_> {
    /// Batches the intervals are computed from.
    pub fn n_batches(&self) -> usize {
        match self {
            Design::MonteCarlo(_) => BATCHES as usize,
            Design::Replicated(replicates) => replicates.len(),
        }
    }

    /// The parts of base samples `from .. to` of every batch: (points,
    /// range, batch). A Monte Carlo stream's range is cut into `batches`
    /// contiguous batches numbered from `first_batch`.
    fn parts(&self, from: u64, to: u64, batches: u64, first_batch: usize) -> Vec<Part<'_>> {
        match self {
            Design::MonteCarlo(points) => {
                let per_batch = (to - from) / batches;
                (0..batches)
                    .map(|b| Part {
                        points: *points,
                        start: from + b * per_batch,
                        end: from + (b + 1) * per_batch,
                        batch: first_batch + b as usize,
                    })
                    .collect()
            }
            Design::Replicated(replicates) => replicates
                .iter()
                .enumerate()
                .map(|(r, points)| Part {
                    points: points.as_ref(),
                    start: from,
                    end: to,
                    batch: r,
                })
                .collect(),
        }
    }
}

/// A contiguous range of base samples from one point source, accumulated
/// into one batch.
struct Part<'p> {
    points: &'p dyn PointSource,
    start: u64,
    end: u64,
    batch: usize,
}

/// Runs the pick-freeze design with `n_base` base samples (per replicate)
/// drawn as 2d-dimensional points, calling `progress(done, total)` in base
/// samples after each round of chunks (from the calling thread; the result
/// does not depend on it).
///
/// # Panics
/// If `n_base` is below `MIN_BASE` or not a multiple of `BATCHES` (the
/// command line rounds it up to a power of two first).
pub fn run(
    model: &Model,
    design: &Design,
    n_base: u64,
    second_order: bool,
    threads: usize,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<SobolRun, rayon::ThreadPoolBuildError> {
    check_base(n_base);
    let parts = design.parts(0, n_base, BATCHES, 0);
    let blocks = run_parts(model, &parts, None, (second_order, threads), progress)?;
    let batches = empty_batches(model, design.n_batches(), second_order);
    let batches = add_parts(&parts, batches, blocks).expect("a whole run covers every chunk");
    Ok(SobolRun::from_batches(model, n_base, second_order, batches))
}

fn check_base(n_base: u64) {
    assert!(
        n_base >= MIN_BASE && n_base.is_multiple_of(BATCHES),
        "caller checks the base sample count"
    );
}

/// One shard's share of [`run`]: for every part of the design (a batch's
/// base samples from one point source), the maximal aligned blocks of its
/// chunks that shard `shard` covers, each block's sums merged. [`merge`]
/// joins every shard's blocks into the run's sums, bit for bit.
pub fn run_shard(
    model: &Model,
    design: &Design,
    n_base: u64,
    second_order: bool,
    threads: usize,
    shard: ShardSpec,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<PartBlocks>, rayon::ThreadPoolBuildError> {
    check_base(n_base);
    let parts = design.parts(0, n_base, BATCHES, 0);
    run_parts(
        model,
        &parts,
        Some(shard),
        (second_order, threads),
        progress,
    )
}

/// The blocks of every shard of a run (each part's blocks, from any
/// number of shards, in any order) merged into the run [`run`] gives.
/// `Err` names the part and the chunks missing or doubled, or a block
/// whose shape is not this model's.
pub fn merge(
    model: &Model,
    design: &Design,
    n_base: u64,
    second_order: bool,
    blocks: Vec<PartBlocks>,
) -> Result<SobolRun, String> {
    check_base(n_base);
    let parts = design.parts(0, n_base, BATCHES, 0);
    if blocks.len() != parts.len() {
        return Err(format!(
            "{} design parts, but this design has {}",
            blocks.len(),
            parts.len()
        ));
    }
    let template = &empty_batches(model, 1, second_order)[0];
    if let Some(p) = blocks
        .iter()
        .position(|b| b.iter().any(|(_, _, s)| !s.same_shape(template)))
    {
        return Err(format!(
            "part {p} holds sums of another shape than this model's outputs and factors"
        ));
    }
    let batches = empty_batches(model, design.n_batches(), second_order);
    let batches = add_parts(&parts, batches, blocks)?;
    Ok(SobolRun::from_batches(model, n_base, second_order, batches))
}

/// A part's aligned blocks of chunks: (first chunk, chunks, their sums).
pub type PartBlocks = Vec<(u64, u64, SobolSums)>;

/// Doubles the base sample count of a finished run, reusing every
/// evaluation made. Monte Carlo: batch b of the 2N run is batches 2b and
/// 2b + 1 of the N run for b < B/2; base samples N…2N give the other B/2
/// batches. Replicated: each replicate adds its points N…2N (the first 2N
/// points of a Sobol' sequence extend its first N). `progress` as in
/// [`run`], over the new base samples.
pub fn extend(
    model: &Model,
    design: &Design,
    previous: SobolRun,
    threads: usize,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<SobolRun, rayon::ThreadPoolBuildError> {
    let n = previous.n_base;
    let second_order = previous.second_order;
    let (parts, batches) = match design {
        Design::MonteCarlo(_) => {
            let mut merged: Vec<SobolSums> = previous
                .batches
                .chunks(2)
                .map(|pair| {
                    let mut merged = pair[0].clone();
                    merged.merge(&pair[1]);
                    merged
                })
                .collect();
            let half = BATCHES / 2;
            merged.extend(empty_batches(model, half as usize, second_order));
            (design.parts(n, 2 * n, half, half as usize), merged)
        }
        Design::Replicated(_) => (design.parts(n, 2 * n, 1, 0), previous.batches),
    };
    let blocks = run_parts(model, &parts, None, (second_order, threads), progress)?;
    let batches = add_parts(&parts, batches, blocks).expect("a whole run covers every chunk");
    Ok(SobolRun::from_batches(model, 2 * n, second_order, batches))
}

fn empty_batches(model: &Model, n: usize, second_order: bool) -> Vec<SobolSums> {
    let n_out = analysed_outputs(model).len();
    let k2 = second_order_units(model, second_order);
    vec![SobolSums::with_second_order(n_out, swap_sets(model).len(), k2); n]
}

/// Each part's blocks merged by the fixed-shape tree of its chunks (the
/// tree a whole run builds, whatever the shards), then added to its batch
/// in part order.
fn add_parts(
    parts: &[Part],
    mut batches: Vec<SobolSums>,
    blocks: Vec<PartBlocks>,
) -> Result<Vec<SobolSums>, String> {
    for (p, (part, blocks)) in parts.iter().zip(blocks).enumerate() {
        let len = part.end - part.start;
        let chunks = len / chunk_len(len);
        let sums = crate::shard::merge_blocks(blocks, chunks, |_| {})
            .map_err(|e| format!("part {p}: {e}"))?;
        if let Some(sums) = sums {
            batches[part.batch].merge(&sums);
        }
    }
    Ok(batches)
}

impl SobolRun {
    fn from_batches(
        model: &Model,
        n_base: u64,
        second_order: bool,
        batches: Vec<SobolSums>,
    ) -> Self {
        let outputs: Vec<usize> = analysed_outputs(model).iter().map(|(j, _, _)| *j).collect();
        let k2 = second_order_units(model, second_order);
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

/// Chunk length for a part of `len` base samples: about an eighth of it
/// (so that even one replicate of a small N keeps both cores busy), at
/// least 64 and at most `MAX_CHUNK`, and a divisor of `len` so that chunks
/// never straddle parts. Depends only on `len`: the result does not depend
/// on the thread count.
fn chunk_len(len: u64) -> u64 {
    let target = (len / 8).clamp(64, MAX_CHUNK);
    (1..=target)
        .rev()
        .find(|c| len.is_multiple_of(*c))
        .unwrap_or(1)
}

/// Evaluates the chunks of every part (all of them, or one shard's share
/// of each part) and returns each part's maximal aligned blocks of chunks
/// with their sums, each block merged by the fixed-shape tree. Results do
/// not depend on the thread count.
fn run_parts(
    model: &Model,
    parts: &[Part],
    shard: Option<ShardSpec>,
    (second_order, threads): (bool, usize),
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<PartBlocks>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let outputs: Vec<usize> = analysed_outputs(model).iter().map(|(j, _, _)| *j).collect();
    let (baseline, _) = model.baseline();
    let shift: Vec<f64> = outputs.iter().map(|&j| baseline[j]).collect();
    let lens: Vec<u64> = parts.iter().map(|p| chunk_len(p.end - p.start)).collect();
    // The chunks of each part this call evaluates, numbered part after
    // part; the first of each part (one entry per part, so memory does not
    // grow with N).
    let ranges: Vec<Range<u64>> = parts
        .iter()
        .zip(&lens)
        .map(|(p, len)| {
            let chunks = (p.end - p.start) / len;
            shard.map_or(0..chunks, |s| s.slice(chunks))
        })
        .collect();
    let mut first_chunk = Vec::with_capacity(parts.len() + 1);
    first_chunk.push(0u64);
    for r in &ranges {
        let last = *first_chunk.last().unwrap_or(&0);
        first_chunk.push(last + (r.end - r.start));
    }
    let n_chunks = *first_chunk.last().unwrap_or(&0);
    // (part, first base sample, end) of chunk c of this call.
    let locate = |c: u64| -> (usize, u64, u64) {
        let p = first_chunk.partition_point(|&f| f <= c) - 1;
        let local = ranges[p].start + c - first_chunk[p];
        let start = parts[p].start + local * lens[p];
        (p, start, start + lens[p])
    };
    let total: u64 = ranges
        .iter()
        .zip(&lens)
        .map(|(r, l)| (r.end - r.start) * l)
        .sum();
    let swap_sets = swap_sets(model);
    let workers: Vec<Mutex<Worker>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(Worker::new(model, &outputs, swap_sets.len(), second_order)))
        .collect();
    // Each part's blocks, filled in chunk order: the open block's merger.
    let mut blocks: Vec<PartBlocks> = vec![Vec::new(); parts.len()];
    let mut open: Vec<(usize, u64, PairwiseMerger<SobolSums>)> = ranges
        .iter()
        .map(|_| (0usize, 0u64, PairwiseMerger::default()))
        .collect();
    let plans: Vec<Vec<(u64, u64)>> = ranges
        .iter()
        .map(|r| crate::shard::aligned_blocks(r.clone()))
        .collect();
    let mut done = 0;
    pool.install(|| {
        in_chunk_order(
            n_chunks,
            CHUNKS_PER_ROUND,
            |c| {
                let (p, start, end) = locate(c);
                this_threads(&workers).run_chunk(
                    model,
                    parts[p].points,
                    &outputs,
                    &shift,
                    &swap_sets,
                    (start, end),
                )
            },
            |c, sums| {
                let p = first_chunk.partition_point(|&f| f <= c) - 1;
                let (next_block, pushed, merger) = &mut open[p];
                merger.push(sums);
                *pushed += 1;
                let (first, size) = plans[p][*next_block];
                if *pushed == size {
                    let full = std::mem::take(merger).finish().expect("a block has chunks");
                    blocks[p].push((first, size, full));
                    *next_block += 1;
                    *pushed = 0;
                }
                done += lens[p];
                progress(done, total);
            },
        )
    });
    Ok(blocks)
}

/// An index with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// First- and total-order estimates with intervals for analysed output `o`
/// (position in `SobolRun::outputs`), at confidence `level`: one per unit
/// ([`Model::units`]: a factor, or a correlated set), then one per declared
/// group.
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
/// unit then per group; second order per unit pair i < j (row order),
/// empty unless asked.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolEstimates {
    pub variance: f64,
    pub first: Vec<Estimate>,
    pub total: Vec<Estimate>,
    pub second: Vec<Estimate>,
}
