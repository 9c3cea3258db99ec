//! Samples per second of `ecoband run` on the bundled Moshi scenario (the
//! whole pipeline: sampling, model, moments and quantile sketches), plus
//! the parts of the hot loop so that regressions show where they are.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ecoband::app::load;
use ecoband::engine;
use ecoband::model::ValueBlock;
use ecoband::sample::{MonteCarlo, PointSource};

fn moshi() -> ecoband::model::Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/moshi.toml");
    load(&path).expect("bundled scenario").1
}

fn run_moshi(c: &mut Criterion) {
    let model = moshi();
    // 2^22: enough that a run's fixed costs (pool, sketch growth, quantiles)
    // do not hide the per-sample rate.
    let samples = 1u64 << 22;
    let mut group = c.benchmark_group("run_moshi");
    group.sample_size(10);
    group.throughput(Throughput::Elements(samples));
    for threads in [1, 2] {
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| engine::run(&model, &MonteCarlo::new(1), samples, threads).expect("pool"))
        });
    }
    group.finish();
}

/// The steps of the engine's hot loop on one block of 64 Moshi samples,
/// per sample: points, transforms, equations (with a sink that keeps every
/// series, as the engine's accumulators read them).
fn hot_loop_parts(c: &mut Criterion) {
    const BLOCK: usize = 64;
    let model = moshi();
    let points = MonteCarlo::new(1);
    let mut row = vec![0.0; model.n_dims];
    let mut block = ValueBlock::new(&model, BLOCK);
    block.len = BLOCK;
    let mut out = vec![0.0; model.n_outputs() * BLOCK];
    let mut scratch = model.scratch();
    let mut group = c.benchmark_group("moshi_block_of_64");
    group.throughput(Throughput::Elements(BLOCK as u64));
    let mut i = 0u64;
    group.bench_function("points", |b| {
        b.iter(|| {
            i += BLOCK as u64;
            points.points_block(black_box(i), BLOCK, &mut block.u, BLOCK, &mut row)
        })
    });
    group.bench_function("values_from_uniforms", |b| {
        b.iter(|| model.values_from_uniforms_block(black_box(&mut block)))
    });
    group.bench_function("evaluate", |b| {
        b.iter(|| model.evaluate_block(black_box(block.lanes()), &mut scratch, &mut out, BLOCK))
    });
    group.finish();
}

criterion_group!(benches, run_moshi, hot_loop_parts);
criterion_main!(benches);
