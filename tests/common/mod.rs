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
