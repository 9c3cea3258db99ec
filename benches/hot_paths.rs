//! The hot paths one at a time, so that a regression shows where it is:
//! sampling each distribution (inverse CDF of a block of uniforms), the
//! points, one model evaluation (Moshi, fleet40, Ishigami), the accumulator
//! updates (moments, quantile sketch, Sobol' sums) and the merges.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ecoband::analyze::sobol::SobolSums;
use ecoband::analyze::{ChunkSums, Moments, QuantileSketch};
use ecoband::app::load;
use ecoband::dist::{Dirichlet, Distribution, LogNormalParams};
use ecoband::model::{Model, ValueBlock};
use ecoband::sample::{LatinHypercube, MonteCarlo, PointSource, ScrambledSobol};

/// Values per measured block: the engine folds outputs in blocks of 64.
const BLOCK: usize = 64;

fn model(path: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    load(&path).expect("bundled scenario").1
}

/// `n` uniforms of (0, 1), spread over the interval (tails included).
fn uniforms(n: usize) -> Vec<f64> {
    (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect()
}

fn distributions(c: &mut Criterion) {
    let lognormal = |min, max| {
        Distribution::lognormal(
            LogNormalParams::MedianGsd {
                median: 300.0,
                gsd: 1.5,
            },
            min,
            max,
        )
    };
    let cases = [
        ("uniform", Distribution::uniform(1.1, 1.5)),
        ("triangular", Distribution::triangular(0.15, 0.75, 0.85)),
        ("normal", Distribution::normal(1.5, 0.3, None, None)),
        (
            "normal_truncated",
            Distribution::normal(1.5, 0.6, Some(0.0), None),
        ),
        ("lognormal", lognormal(None, None)),
        ("lognormal_truncated", lognormal(Some(100.0), Some(900.0))),
        ("pert", Distribution::pert(460.0, 575.2, 750.0, 4.0)),
        (
            "discrete",
            Distribution::discrete(vec![1.0, 2.0, 3.0, 4.0], vec![0.1, 0.2, 0.3, 0.4]),
        ),
        (
            "empirical",
            Distribution::empirical((0..50).map(f64::from).collect()),
        ),
    ];
    let u = uniforms(1024);
    let mut out = vec![0.0; u.len()];
    let mut group = c.benchmark_group("inverse_cdf");
    group.throughput(Throughput::Elements(u.len() as u64));
    for (name, dist) in cases {
        let dist = dist.expect("valid parameters");
        group.bench_function(name, |b| {
            b.iter(|| {
                for (o, u) in out.iter_mut().zip(&u) {
                    *o = dist.inverse_cdf(black_box(*u));
                }
            })
        });
    }
    // Five shares at Moshi's concentration: five gamma draws per point.
    let dirichlet = Dirichlet::new(&[0.75, 0.08, 0.11, 0.024, 0.036], 100.0).expect("valid shares");
    let points = MonteCarlo::new(1);
    let mut point = [0.0; 5];
    let mut shares = [0.0; 5];
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("dirichlet_5_shares", |b| {
        b.iter(|| {
            i += 1;
            points.point(i, &mut point);
            dirichlet.shares_from_uniforms(black_box(&point), &mut shares)
        })
    });
    group.finish();
}

fn points(c: &mut Criterion) {
    let dims = 80; // fleet40's A | B point
    let sources: [(&str, Box<dyn PointSource>); 3] = [
        ("mc", Box::new(MonteCarlo::new(1))),
        (
            "sobol",
            Box::new(ScrambledSobol::new(dims, 1, 0).expect("dims")),
        ),
        (
            "lhs",
            Box::new(LatinHypercube::new(dims, 1 << 20, 1, 0).expect("size")),
        ),
    ];
    let mut u = vec![0.0; dims];
    let mut group = c.benchmark_group("point_80_dims");
    group.throughput(Throughput::Elements(dims as u64));
    for (name, source) in &sources {
        let mut i = 0;
        group.bench_function(*name, |b| {
            b.iter(|| {
                i = (i + 1) % (1 << 20);
                source.point(black_box(i), &mut u)
            })
        });
    }
    group.finish();
}

fn evaluations(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(1));
    for (name, path) in [
        ("moshi", "scenarios/moshi.toml"),
        ("fleet40", "scenarios/test-functions/fleet40.toml"),
        ("ishigami", "scenarios/test-functions/ishigami.toml"),
    ] {
        let model = model(path);
        let mut u = vec![0.0; model.n_dims];
        MonteCarlo::new(1).point(7, &mut u);
        let mut values = vec![0.0; model.n_slots];
        model.values_from_uniforms(&u, &mut values);
        let mut scratch = model.scratch();
        let mut out = vec![0.0; model.n_outputs()];
        group.bench_function(BenchmarkId::new("model", name), |b| {
            b.iter(|| model.evaluate(black_box(&values), &mut scratch, &mut out))
        });
        group.bench_function(BenchmarkId::new("values_from_uniforms", name), |b| {
            b.iter(|| model.values_from_uniforms(black_box(&u), &mut values))
        });
        // The engine's path: a block of 64 samples, distribution by
        // distribution (per-sample figure via the throughput).
        let mut block = ValueBlock::new(&model, BLOCK);
        let points = MonteCarlo::new(1);
        for s in 0..BLOCK {
            points.point(s as u64, &mut u);
            block.set_point(s, &u);
        }
        block.len = BLOCK;
        group.throughput(Throughput::Elements(BLOCK as u64));
        group.bench_function(BenchmarkId::new("values_from_uniforms_block", name), |b| {
            b.iter(|| model.values_from_uniforms_block(black_box(&mut block)))
        });
        group.throughput(Throughput::Elements(1));
    }
    group.finish();
}

/// A block of plausible outputs: a lognormal spread around 4e5.
fn outputs(n: usize) -> Vec<f64> {
    let d = Distribution::lognormal(
        LogNormalParams::MuSigma {
            mu: 13.0,
            sigma: 0.5,
        },
        None,
        None,
    )
    .expect("valid");
    uniforms(n).iter().map(|u| d.inverse_cdf(*u)).collect()
}

fn accumulators(c: &mut Criterion) {
    let block = outputs(BLOCK);
    let mut group = c.benchmark_group("accumulate");
    group.throughput(Throughput::Elements(BLOCK as u64));
    let mut sums = ChunkSums::new(vec![4e5]);
    group.bench_function("moments_block", |b| {
        b.iter(|| sums.add_block(0, black_box(&block)))
    });
    let mut sketch = QuantileSketch::new();
    group.bench_function("sketch_block", |b| {
        b.iter(|| sketch.add_all(black_box(&block)))
    });
    // One base sample of fleet40's pick-freeze design: f(A), f(B), f(AB_i).
    let k = 40;
    let f = outputs(k + 2);
    let mut sobol = SobolSums::new(1, k);
    group.throughput(Throughput::Elements(1));
    group.bench_function("sobol_sums_k40", |b| {
        b.iter(|| sobol.add(&[4e5], black_box(&f[..1]), &f[1..2], &f[2..], &[]))
    });
    group.finish();

    let mut group = c.benchmark_group("merge");
    let many = outputs(1 << 16);
    let mut full = QuantileSketch::new();
    for chunk in many.chunks(BLOCK) {
        full.add_all(chunk);
    }
    group.bench_function("sketch_65536_values", |b| {
        b.iter(|| {
            let mut total = QuantileSketch::new();
            total.merge(black_box(&full));
            total
        })
    });
    // Two chunks' moments of Moshi's 75 series.
    let moments = |values: &[f64]| -> Moments {
        let mut s = ChunkSums::new(vec![4e5; 75]);
        for j in 0..75 {
            s.add_block(j, values);
        }
        s.count_samples(values.len() as u64);
        s.moments()
    };
    let (early, late) = (moments(&many[..BLOCK]), moments(&many[BLOCK..2 * BLOCK]));
    group.bench_function("moments_75_series", |b| {
        b.iter(|| black_box(early.clone()).merge(&late))
    });
    let mut a = SobolSums::new(1, k);
    a.add(&[4e5], &f[..1], &f[1..2], &f[2..], &[]);
    let other = a.clone();
    group.bench_function("sobol_sums_k40", |b| b.iter(|| a.merge(black_box(&other))));
    group.finish();
}

criterion_group!(benches, distributions, points, evaluations, accumulators);
criterion_main!(benches);
