//! Streams samples through the model in fixed chunks over rayon threads and
//! folds the outputs into accumulators, never storing an N × k design.
//!
//! Determinism: chunk `c` always holds samples [c·CHUNK, (c+1)·CHUNK); its
//! points come from a counter-based stream keyed by sample index; its moments
//! are merged by a tree whose shape depends only on the number of chunks;
//! sketch counts are integers. So the same scenario and seed give the same
//! bits for any number of threads.

use std::sync::Mutex;

use rayon::prelude::*;

use std::ops::Range;

use crate::analyze::{ChunkSums, Moments, PairwiseMerger, QuantileSketch, Tally, ThresholdPlan};
use crate::model::{Model, Scratch, ValueBlock};
use crate::sample::PointSource;

/// Samples per chunk: large enough to amortise scheduling, small enough to
/// balance two threads on small runs.
pub const CHUNK: u64 = 4096;

/// Samples drawn, transformed and evaluated together, distribution by
/// distribution and equation by equation; each output series of the block
/// is folded into its accumulators as soon as the model computes it (the
/// accumulators of one output stay hot in cache and the sums vectorise).
/// Divides `CHUNK`, so block boundaries depend only on sample indices.
const BLOCK: usize = 64;

/// Chunks evaluated in parallel before their moments are merged; bounds the
/// memory held for chunk results whatever N is.
const CHUNKS_PER_BATCH: u64 = 256;

/// What a Monte Carlo run accumulates: moments and a quantile sketch per
/// output series, exact counts against the run's thresholds, and the
/// moments of its convergence checkpoints.
#[derive(Debug, Clone)]
pub struct Accumulated {
    pub moments: Moments,
    pub sketches: Vec<QuantileSketch>,
    pub tally: Tally,
    /// For a range from sample 0: the moments of its first 1, 2, 4, …
    /// chunks (each fewer than the whole). They are subtrees of the merge
    /// tree, so recording them costs a copy, and shards rebuild them.
    pub checkpoints: Vec<Moments>,
}

impl Accumulated {
    /// `self` (earlier samples) followed by `later`. When both cover the
    /// same power-of-two number of whole chunks, this is the merge a single
    /// run over both ranges makes at the root of that subtree, so the result
    /// has the same bits as the single run (what lets `--precision` double
    /// N and reuse every sample).
    pub fn merge(mut self, later: &Accumulated) -> Accumulated {
        self.moments = self.moments.merge(&later.moments);
        for (s, l) in self.sketches.iter_mut().zip(&later.sketches) {
            s.merge(l);
        }
        self.tally.merge(&later.tally);
        self
    }

    /// As `merge`, when `self` covers the first 2^k chunks from sample 0
    /// and `later` the next 2^k (`--precision` doubling N): `self` whole
    /// becomes the next convergence checkpoint, as in a single run.
    pub fn extend(mut self, later: &Accumulated) -> Accumulated {
        self.checkpoints.push(self.moments.clone());
        self.merge(later)
    }
}

/// Per-thread working memory: a block's buffers and the thread's sketches.
/// Allocated once per thread, reused for every chunk.
struct Worker {
    /// One point, scratch for the point source.
    u: Vec<f64>,
    /// `BLOCK` samples' uniforms and factor values.
    inputs: ValueBlock,
    scratch: Scratch,
    sums: ChunkSums,
    sketches: Vec<QuantileSketch>,
    tally: Tally,
}

impl Worker {
    fn new(model: &Model, shift: &[f64], thresholds: usize) -> Self {
        let n_out = model.n_outputs();
        Worker {
            u: vec![0.0; model.n_dims],
            inputs: ValueBlock::new(model, BLOCK),
            scratch: model.scratch(),
            sums: ChunkSums::new(shift.to_vec()),
            sketches: vec![QuantileSketch::new(); n_out],
            tally: Tally::new(thresholds),
        }
    }

    fn run_chunk(
        &mut self,
        model: &Model,
        points: &dyn PointSource,
        plan: &ThresholdPlan,
        start: u64,
        end: u64,
    ) -> Moments {
        self.sums.reset();
        let mut first = start;
        while first < end {
            let n = ((end - first) as usize).min(BLOCK);
            let stride = self.inputs.stride;
            points.points_block(first, n, &mut self.inputs.u, stride, &mut self.u);
            self.inputs.len = n;
            model.values_from_uniforms_block(&mut self.inputs);
            let (sums, sketches, tally) = (&mut self.sums, &mut self.sketches, &mut self.tally);
            model.evaluate_series(self.inputs.lanes(), &mut self.scratch, &mut |j, _, x| {
                sums.add_block(j, x);
                sketches[j].add_all(x);
                plan.count(tally, j, x);
            });
            self.sums.count_samples(n as u64);
            first += n as u64;
        }
        self.sums.moments()
    }
}

/// Evaluates `work(c)` for chunks `0..n_chunks` on the current rayon pool,
/// `per_round` chunks at a time, and hands each result to `sink` in chunk
/// order: the one place where parallel results meet a fixed-order merge.
pub(crate) fn in_chunk_order<T: Send>(
    n_chunks: u64,
    per_round: u64,
    work: impl Fn(u64) -> T + Sync,
    mut sink: impl FnMut(u64, T),
) {
    let mut first = 0;
    while first < n_chunks {
        let last = (first + per_round).min(n_chunks);
        let results: Vec<T> = (first..last).into_par_iter().map(&work).collect();
        for (c, result) in (first..last).zip(results) {
            sink(c, result);
        }
        first = last;
    }
}

/// The calling rayon thread's own entry of per-thread working memory
/// (uncontended: each pool thread has its index).
pub(crate) fn this_threads<T>(per_thread: &[Mutex<T>]) -> std::sync::MutexGuard<'_, T> {
    let slot = rayon::current_thread_index().unwrap_or(0) % per_thread.len();
    per_thread[slot].lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `samples` samples of `model` from `points` on `threads` threads
/// (0 = all cores).
pub fn run(
    model: &Model,
    points: &dyn PointSource,
    samples: u64,
    threads: usize,
) -> Result<Accumulated, rayon::ThreadPoolBuildError> {
    run_with_progress(model, points, samples, threads, &|_| {})
}

/// As `run`, calling `progress(samples done)` after each batch (from the
/// calling thread; the result does not depend on it).
pub fn run_with_progress(
    model: &Model,
    points: &dyn PointSource,
    samples: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Accumulated, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    Ok(run_in(&pool, model, points, samples, progress))
}

/// As `run_with_progress`, on a thread pool the caller keeps (a sweep runs
/// every point on one pool).
pub fn run_in(
    pool: &rayon::ThreadPool,
    model: &Model,
    points: &dyn PointSource,
    samples: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Accumulated {
    run_range_in(
        pool,
        model,
        points,
        0..samples,
        &ThresholdPlan::default(),
        progress,
    )
}

/// Samples `range` (its start a multiple of `CHUNK`) with exact counts
/// against `plan`'s thresholds; `progress` gets the samples done within
/// the range.
pub fn run_range_in(
    pool: &rayon::ThreadPool,
    model: &Model,
    points: &dyn PointSource,
    range: Range<u64>,
    plan: &ThresholdPlan,
    progress: &(dyn Fn(u64) + Sync),
) -> Accumulated {
    assert_eq!(range.start % CHUNK, 0, "a range starts on a chunk boundary");
    let (shift, _) = model.baseline();
    let (first_chunk, end) = (range.start / CHUNK, range.end.max(range.start));
    let n_chunks = end.div_ceil(CHUNK) - first_chunk;
    let workers: Vec<Mutex<Worker>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(Worker::new(model, &shift, plan.len())))
        .collect();
    let mut merger = PairwiseMerger::default();
    let mut checkpoints = Vec::new();
    pool.install(|| {
        in_chunk_order(
            n_chunks,
            CHUNKS_PER_BATCH,
            |c| {
                let c = first_chunk + c;
                let mut worker = this_threads(&workers);
                worker.run_chunk(model, points, plan, c * CHUNK, ((c + 1) * CHUNK).min(end))
            },
            |c, moments| {
                merger.push(moments);
                let done = first_chunk + c + 1;
                if range.start == 0 && done.is_power_of_two() && done < n_chunks {
                    checkpoints.extend(merger.whole().cloned());
                }
                progress(((first_chunk + c + 1) * CHUNK).min(end) - range.start);
            },
        )
    });
    let moments = merger
        .finish()
        .unwrap_or_else(|| Moments::empty(model.n_outputs()));
    let mut sketches = vec![QuantileSketch::new(); model.n_outputs()];
    let mut tally = Tally::new(plan.len());
    for w in workers {
        let w = w.into_inner().unwrap_or_else(|e| e.into_inner());
        for (total, part) in sketches.iter_mut().zip(&w.sketches) {
            total.merge(part);
        }
        tally.merge(&w.tally);
    }
    Accumulated {
        moments,
        sketches,
        tally,
        checkpoints,
    }
}
