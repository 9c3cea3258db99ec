//! Tornado data against hand computation on a product of independent
//! factors, GWP = GPU-hours × power × PUE × grid intensity (no embodied, no
//! idle): with the others at baseline, moving one factor scales the output by
//! (its quantile / its nominal). Exact up to rounding: 1e-12 relative.

mod common;

use assert_cmd::Command;
use ecoband::model;
use ecoband::scenario::Scenario;
use ecoband::tornado::{Baseline, tornado};

const PRODUCT: &str = r#"[scenario]
name = "product of independent factors"

[datacenter]
pue = { dist = "triangular", min = 1.1, mode = 1.2, max = 1.5 }
wue_onsite = 0

[electricity]
gwp = { dist = "lognormal", median = 0.1, gsd = 1.3 }
pe = 10
adp = 0
water = 0

[profiles.node]
gpus_per_node = 8
gpu_power_w = { dist = "uniform", min = 300, max = 500 }
lifetime_years = 5

[[inventory]]
gpu_hours = { dist = "lognormal", median = 1000, gsd = 1.5 }
tags = { category = "final" }
"#;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs()
}

#[test]
fn product_model_matches_hand_computation() {
    let model = model::compile(&Scenario::parse("product.toml", PRODUCT).unwrap()).unwrap();
    let gwp = &tornado(&model, 0.05, 0.95, Baseline::Nominal)[0];
    // Nominal: PUE mode 1.2, grid median 0.1, power median 400, hours median 1000.
    let base = 1000.0 * 0.4 * 1.2 * 0.1;
    assert!(close(gwp.baseline_output, base));
    let z = 1.644_853_626_951_472_2; // standard normal 0.95 quantile
    // Triangular(1.1, 1.2, 1.5): F(mode) = 0.25, so both quantiles are closed forms.
    let pue = (
        1.1 + (0.05f64 * 0.4 * 0.1).sqrt(),
        1.5 - (0.05f64 * 0.4 * 0.3).sqrt(),
    );
    let expected = [
        ("inventory[0].gpu_hours", 1.5f64.powf(-z), 1.5f64.powf(z)),
        ("electricity.gwp", 1.3f64.powf(-z), 1.3f64.powf(z)),
        ("datacenter.pue", pue.0 / 1.2, pue.1 / 1.2),
        ("profiles.node.gpu_power_w", 310.0 / 400.0, 490.0 / 400.0),
    ];
    for (name, low_ratio, high_ratio) in expected {
        let bar = gwp.factors.iter().find(|b| b.factor == name).unwrap();
        assert!(
            close(bar.output_low, base * low_ratio),
            "{name} low {}",
            bar.output_low
        );
        assert!(
            close(bar.output_high, base * high_ratio),
            "{name} high {}",
            bar.output_high
        );
        assert!(close(bar.swing, base * (high_ratio - low_ratio)));
    }
    // Sorted by swing: GPU-hours (gsd 1.5) > grid (gsd 1.3) > power > PUE.
    let order: Vec<&str> = gwp.factors.iter().map(|b| b.factor.as_str()).collect();
    assert_eq!(
        order,
        [
            "inventory[0].gpu_hours",
            "electricity.gwp",
            "profiles.node.gpu_power_w",
            "datacenter.pue"
        ]
    );
}

#[test]
fn median_baseline_holds_others_at_their_medians() {
    let model = model::compile(&Scenario::parse("product.toml", PRODUCT).unwrap()).unwrap();
    let gwp = &tornado(&model, 0.05, 0.95, Baseline::Median)[0];
    // Triangular(1.1, 1.2, 1.5) median: above the mode (F(mode) = 0.25).
    let pue_median = 1.5 - (0.5f64 * 0.4 * 0.3).sqrt();
    assert!(close(gwp.baseline_output, 1000.0 * 0.4 * pue_median * 0.1));
}

#[test]
fn cli_writes_tornado_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.json");
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("tornado")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["--low", "0.1", "--high", "0.9", "--out"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(json["settings"]["low"], 0.1);
    for cat in ["gwp", "pe", "water", "adp", "energy_kwh"] {
        let t = &json["tornado"][cat];
        assert!(t["baseline_output"].is_number());
        let bars = t["factors"].as_array().unwrap();
        assert!(!bars.is_empty());
        for key in [
            "factor",
            "low_input",
            "high_input",
            "output_low",
            "output_high",
            "swing",
        ] {
            assert!(!bars[0][key].is_null(), "{cat} lacks {key}");
        }
        let swings: Vec<f64> = bars.iter().map(|b| b["swing"].as_f64().unwrap()).collect();
        assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{cat} not sorted");
    }
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("tornado")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["--low", "0.9", "--high", "0.1"])
        .assert()
        .code(2);
}

#[test]
fn a_declared_group_swings_its_members_jointly() {
    // GPU-hours (gsd 1.5) × grid (gsd 1.3) varied together, the rest at
    // baseline: the output is lognormal with σ² = ln²1.5 + ln²1.3, so its
    // 5 % and 95 % quantiles are base·exp(∓1.645 σ). ecoband takes them from
    // 4,096 joint draws: the quantile's standard error is about 1.6 % of
    // the output here, so 5 % is a 3-SE tolerance.
    let text = format!(
        "{PRODUCT}\n[groups]\nactivity = [\"inventory[0].gpu_hours\", \"electricity.gwp\"]\n"
    );
    let model = model::compile(&Scenario::parse("product.toml", &text).unwrap()).unwrap();
    let gwp = &tornado(&model, 0.05, 0.95, Baseline::Nominal)[0];
    let base = 1000.0 * 0.4 * 1.2 * 0.1;
    let sigma = (1.5f64.ln().powi(2) + 1.3f64.ln().powi(2)).sqrt();
    let z = 1.644_853_626_951_472_2;
    assert_eq!(gwp.groups.len(), 1);
    let g = &gwp.groups[0];
    assert_eq!(g.factor, "activity");
    for (got, want) in [
        (g.output_low, base * (-z * sigma).exp()),
        (g.output_high, base * (z * sigma).exp()),
    ] {
        assert!((got / want - 1.0).abs() < 0.05, "{got} vs {want}");
    }
    // The group swings more than either member alone, and members stay listed.
    assert!(gwp.factors.iter().all(|b| b.swing < g.swing));
    assert_eq!(gwp.factors.len(), 4);
}
