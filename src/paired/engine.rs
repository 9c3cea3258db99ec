//! The paired Monte Carlo run: A and B evaluated on the same sample indices
//! with common random numbers, and for every series both have, four
//! accumulated series (A, B, B − A, B / A) plus exact counts of B > A.
//! Chunked, parallel and merged exactly as `engine::run`, so the result is
//! the same bits for any thread count, and A's statistics are `run`'s.

use std::sync::Mutex;

use crate::analyze::{ChunkSums, Moments, PairwiseMerger, QuantileSketch};
use crate::engine::{CHUNK, in_chunk_order, this_threads};
use crate::model::{Model, Scratch, ValueBlock};
use crate::sample::PointSource;

use super::Pairing;

/// Samples per block (the model's lane width: one piece per series).
const BLOCK: usize = crate::model::LANES;
const CHUNKS_PER_BATCH: u64 = 256;

/// The four series kept for each paired output series, in this order.
pub const KINDS: [&str; 4] = ["a", "b", "difference", "ratio"];

#[derive(Debug, Clone)]
pub struct PairedAccumulated {
    /// Series `k * n + c`: kind `k` of `KINDS` for paired series `c`.
    pub moments: Moments,
    pub sketches: Vec<QuantileSketch>,
    /// Samples with B > A, per paired series.
    pub greater: Vec<u64>,
    /// Samples with A = 0 (where B / A is undefined), per paired series.
    pub zero_a: Vec<u64>,
}

/// The shift of each accumulated series: its value at the baselines
/// (moments are summed about it to keep the sums well conditioned).
pub fn shifts(a: &Model, b: &Model, p: &Pairing) -> Vec<f64> {
    let ((base_a, _), (base_b, _)) = (a.baseline(), b.baseline());
    let n = p.series.len();
    let mut shift = vec![0.0; 4 * n];
    for (c, &(ja, jb, _)) in p.series.iter().enumerate() {
        let (x, y) = (base_a[ja], base_b[jb]);
        shift[c] = x;
        shift[n + c] = y;
        shift[2 * n + c] = y - x;
        shift[3 * n + c] = if x != 0.0 && (y / x).is_finite() {
            y / x
        } else {
            0.0
        };
    }
    shift
}

struct Side {
    row: Vec<f64>,
    inputs: ValueBlock,
    scratch: Scratch,
    /// Every output of the block, output-major (`BLOCK` per output).
    out: Vec<f64>,
}

impl Side {
    fn new(model: &Model) -> Self {
        Side {
            row: vec![0.0; model.n_dims],
            inputs: ValueBlock::new(model, BLOCK),
            scratch: model.scratch(),
            out: vec![0.0; model.n_outputs() * BLOCK],
        }
    }

    fn evaluate(&mut self, model: &Model, points: &dyn PointSource, first: u64, n: usize) {
        let stride = self.inputs.stride;
        points.points_block(first, n, &mut self.inputs.u, stride, &mut self.row);
        self.inputs.len = n;
        model.values_from_uniforms_block(&mut self.inputs);
        let out = &mut self.out;
        model.evaluate_series(self.inputs.lanes(), &mut self.scratch, &mut |j, at, x| {
            out[j * BLOCK + at..][..x.len()].copy_from_slice(x);
        });
    }
}

struct Worker {
    a: Side,
    b: Side,
    derived: Vec<f64>,
    sums: ChunkSums,
    sketches: Vec<QuantileSketch>,
    greater: Vec<u64>,
    zero_a: Vec<u64>,
}

/// What the paired run is given: the two models, their point sources and
/// how their series pair up.
pub struct PairedRun<'m> {
    pub a: &'m Model,
    pub b: &'m Model,
    pub points_a: &'m dyn PointSource,
    pub points_b: &'m dyn PointSource,
    pub pairing: &'m Pairing,
}

impl Worker {
    fn new(run: &PairedRun<'_>, shift: &[f64]) -> Self {
        let n = run.pairing.series.len();
        Worker {
            a: Side::new(run.a),
            b: Side::new(run.b),
            derived: vec![0.0; BLOCK],
            sums: ChunkSums::new(shift.to_vec()),
            sketches: vec![QuantileSketch::new(); 4 * n],
            greater: vec![0; n],
            zero_a: vec![0; n],
        }
    }

    fn run_chunk(&mut self, run: &PairedRun<'_>, start: u64, end: u64) -> Moments {
        let n_series = run.pairing.series.len();
        self.sums.reset();
        let mut first = start;
        while first < end {
            let n = ((end - first) as usize).min(BLOCK);
            self.a.evaluate(run.a, run.points_a, first, n);
            self.b.evaluate(run.b, run.points_b, first, n);
            for (c, &(ja, jb, _)) in run.pairing.series.iter().enumerate() {
                let xa = &self.a.out[ja * BLOCK..][..n];
                let xb = &self.b.out[jb * BLOCK..][..n];
                self.sums.add_block(c, xa);
                self.sketches[c].add_all(xa);
                self.sums.add_block(n_series + c, xb);
                self.sketches[n_series + c].add_all(xb);
                let d = &mut self.derived[..n];
                for ((d, x), y) in d.iter_mut().zip(xa).zip(xb) {
                    *d = y - x;
                }
                self.greater[c] += d.iter().filter(|d| **d > 0.0).count() as u64;
                self.sums.add_block(2 * n_series + c, d);
                self.sketches[2 * n_series + c].add_all(d);
                for ((r, x), y) in d.iter_mut().zip(xa).zip(xb) {
                    *r = if *x != 0.0 { y / x } else { 0.0 };
                }
                self.zero_a[c] += xa.iter().filter(|x| **x == 0.0).count() as u64;
                self.sums.add_block(3 * n_series + c, d);
                self.sketches[3 * n_series + c].add_all(d);
            }
            self.sums.count_samples(n as u64);
            first += n as u64;
        }
        self.sums.moments()
    }
}

/// Runs `samples` paired samples on `threads` threads (0 = all cores).
pub fn run(
    run: &PairedRun<'_>,
    samples: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PairedAccumulated, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let shift = shifts(run.a, run.b, run.pairing);
    let n_chunks = samples.div_ceil(CHUNK);
    let workers: Vec<Mutex<Worker>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(Worker::new(run, &shift)))
        .collect();
    let mut merger = PairwiseMerger::default();
    pool.install(|| {
        in_chunk_order(
            n_chunks,
            CHUNKS_PER_BATCH,
            |c| {
                let mut worker = this_threads(&workers);
                worker.run_chunk(run, c * CHUNK, ((c + 1) * CHUNK).min(samples))
            },
            |c, moments| {
                merger.push(moments);
                progress(((c + 1) * CHUNK).min(samples));
            },
        )
    });
    let n = run.pairing.series.len();
    let moments = merger.finish().unwrap_or_else(|| Moments::empty(4 * n));
    let mut sketches = vec![QuantileSketch::new(); 4 * n];
    let (mut greater, mut zero_a) = (vec![0; n], vec![0; n]);
    for w in workers {
        let w = w.into_inner().unwrap_or_else(|e| e.into_inner());
        for (total, part) in sketches.iter_mut().zip(&w.sketches) {
            total.merge(part);
        }
        for (t, x) in greater.iter_mut().zip(&w.greater) {
            *t += x;
        }
        for (t, x) in zero_a.iter_mut().zip(&w.zero_a) {
            *t += x;
        }
    }
    Ok(PairedAccumulated {
        moments,
        sketches,
        greater,
        zero_a,
    })
}
