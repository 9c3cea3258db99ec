//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A small valid scenario whose outputs are easy to compute by hand:
/// 1000 GPU-h × 400 W = 400 kWh IT; × PUE 1.2 = 480 kWh facility.
pub const MINIMAL: &str = r#"[scenario]
name = "minimal"

[datacenter]
pue = 1.2
wue_onsite = 0.5

[electricity]
gwp = 0.1
pe = 10.0
adp = 1e-8
water = 2.0

[profiles.node]
gpus_per_node = 8
gpu_power_w = 400
lifetime_years = 5

[profiles.node.embodied.server]
count = 1
gwp = 2000

[[inventory]]
name = "run"
gpu_hours = 1000
tags = { category = "final" }
"#;

pub fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Asserts that `values_from_uniforms_block` gives the bits of the
/// one-sample `values_from_uniforms` for every sample, in a full and in a
/// partly filled block (copula, transforms and derived slots alike).
pub fn assert_block_equals_single(model: &ecoband::model::Model, what: &str) {
    use ecoband::model::ValueBlock;
    use ecoband::sample::{MonteCarlo, PointSource};
    let points = MonteCarlo::new(5);
    let mut block = ValueBlock::new(model, 64);
    let mut u = vec![0.0; model.n_dims];
    let (mut expected, mut got) = (vec![0.0; model.n_slots], vec![0.0; model.n_slots]);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for len in [64, 37] {
        for s in 0..len {
            points.point(1000 + s as u64, &mut u);
            block.set_point(s, &u);
        }
        block.len = len;
        model.values_from_uniforms_block(&mut block);
        for s in 0..len {
            points.point(1000 + s as u64, &mut u);
            model.values_from_uniforms(&u, &mut expected);
            block.values_of(s, &mut got);
            assert_eq!(
                bits(&got),
                bits(&expected),
                "{what}, block of {len}, sample {s}"
            );
        }
    }
}
