//! Samples per second of `ecoband run` on the bundled Moshi scenario (the
//! whole pipeline: sampling, model, moments and quantile sketches), plus
//! the parts of the hot loop so that regressions show where they are.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ecoband::app::load;
use ecoband::engine;
use ecoband::sample::{MonteCarlo, PointSource};

fn moshi() -> ecoband::model::Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/moshi.toml");
    load(&path).expect("bundled scenario").1
}

fn run_moshi(c: &mut Criterion) {
    let model = moshi();
    let samples = 1u64 << 20;
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

fn hot_loop_parts(c: &mut Criterion) {
    let model = moshi();
    let points = MonteCarlo::new(1);
    let mut u = vec![0.0; model.n_dims];
    let mut values = vec![0.0; model.n_slots];
    let mut out = vec![0.0; model.n_outputs()];
    let mut scratch = model.scratch();
    let mut group = c.benchmark_group("moshi_per_sample");
    group.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    group.bench_function("point", |b| {
        b.iter(|| {
            i += 1;
            points.point(black_box(i), &mut u)
        })
    });
    group.bench_function("values_from_uniforms", |b| {
        b.iter(|| model.values_from_uniforms(black_box(&u), &mut values))
    });
    group.bench_function("evaluate", |b| {
        b.iter(|| model.evaluate(black_box(&values), &mut scratch, &mut out))
    });
    group.finish();
}

criterion_group!(benches, run_moshi, hot_loop_parts);
criterion_main!(benches);
