//! Model evaluations per second of the Sobol' pick-freeze analysis
//! (`ecoband sobol`) on the bundled Moshi scenario: evaluations, accumulation
//! of first- and total-order sums for 20 outputs, batch merging.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ecoband::app::load;
use ecoband::sample::MonteCarlo;
use ecoband::sensitivity;

fn sobol_moshi(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/moshi.toml");
    let (_, model) = load(&path).expect("bundled scenario");
    let n_base = 1u64 << 13;
    let evaluations = n_base * (model.factors.len() as u64 + 2);
    let mut group = c.benchmark_group("sobol_moshi");
    group.sample_size(10);
    group.throughput(Throughput::Elements(evaluations));
    for threads in [1, 2] {
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                let points = MonteCarlo::new(1);
                let design = sensitivity::Design::MonteCarlo(&points);
                sensitivity::run(&model, &design, n_base, false, threads).expect("pool")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sobol_moshi);
criterion_main!(benches);
