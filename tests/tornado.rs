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

/// Every category's baseline total with choice `choice` at `option`
/// (`--set CHOICE.nominal=OPTION`: the baseline takes the nominal option).
fn baseline_with_option(
    scenario: &std::path::Path,
    choice: &str,
    option: &str,
) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.json");
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("baseline")
        .arg(scenario)
        .args(["--set", &format!("{choice}.nominal={option}")])
        // The scenario's own nominal option changes nothing.
        .arg("--allow-no-effect")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

#[test]
fn a_choice_spans_its_lowest_and_highest_option_on_bloom() {
    // BLOOM's A100 embodied source declares bloom (150 kg), boavizta
    // (273.4 kg), ademe_parametric (181 kg): the largest effect is the
    // second option, which a bar at the 0.05 and 0.95 cumulative
    // probabilities would skip.
    let bloom = common::repo_file("scenarios/bloom.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.json");
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("tornado")
        .arg(&bloom)
        .arg("--key-paths")
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("a100_embodied_source"))
        .stdout(predicates::str::contains("boavizta"));
    let tornado: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let options = ["bloom", "boavizta", "ademe_parametric"];
    let baselines: Vec<serde_json::Value> = options
        .iter()
        .map(|o| baseline_with_option(&bloom, "a100_embodied_source", o))
        .collect();
    for (cat, t) in tornado["tornado"].as_object().unwrap() {
        let bar = t["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["factor"] == "a100_embodied_source")
            .unwrap();
        let totals: Vec<f64> = baselines
            .iter()
            .map(|b| b["baseline"][cat]["total"].as_f64().unwrap())
            .collect();
        // The first declared option among equals (strict comparisons).
        let mut lo = 0;
        let mut hi = 0;
        for (i, y) in totals.iter().enumerate() {
            if *y < totals[lo] {
                lo = i;
            }
            if *y > totals[hi] {
                hi = i;
            }
        }
        assert_eq!(bar["low_input"], options[lo], "{cat}");
        assert_eq!(bar["high_input"], options[hi], "{cat}");
        assert_eq!(bar["output_low"].as_f64().unwrap(), totals[lo], "{cat}");
        assert_eq!(bar["output_high"].as_f64().unwrap(), totals[hi], "{cat}");
        assert_eq!(
            bar["swing"].as_f64().unwrap(),
            totals[hi] - totals[lo],
            "{cat}"
        );
    }
    let gwp = &tornado["tornado"]["gwp"]["factors"];
    let bar = gwp
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["factor"] == "a100_embodied_source")
        .unwrap();
    assert_eq!(
        (bar["low_input"].as_str(), bar["high_input"].as_str()),
        (Some("bloom"), Some("boavizta"))
    );
    // The GPU's embodied source moves GWP only: elsewhere every option
    // ties, and the bar names the first declared option at both ends.
    let pe = &tornado["tornado"]["pe"]["factors"];
    let bar = pe
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["factor"] == "a100_embodied_source")
        .unwrap();
    assert_eq!(
        (bar["low_input"].as_str(), bar["high_input"].as_str()),
        (Some("bloom"), Some("bloom"))
    );
    assert_eq!(bar["swing"], 0.0);
}

#[test]
fn a_choice_bar_does_not_depend_on_weights_or_declaration_order() {
    // Options declared mid, high, low, with most weight on `mid`: the
    // bar still goes from `low` to `high`, whatever --low and --high.
    let text = PRODUCT.replace(
        "gpu_power_w = { dist = \"uniform\", min = 300, max = 500 }",
        "gpu_power_w = { choice = \"card\", values = { mid = 400, high = 700, low = 250 } }",
    ) + "\n[choices.card]\noptions = [\"mid\", \"high\", \"low\"]\nweights = [0.98, 0.01, 0.01]\n";
    let model = model::compile(&Scenario::parse("product.toml", &text).unwrap()).unwrap();
    for (low, high) in [(0.05, 0.95), (0.2, 0.3)] {
        let gwp = &tornado(&model, low, high, Baseline::Nominal)[0];
        let bar = gwp.factors.iter().find(|b| b.factor == "card").unwrap();
        assert_eq!(
            (bar.low_input.as_str(), bar.high_input.as_str()),
            (Some("low"), Some("high"))
        );
        let base = 1000.0 * 1.2 * 0.1 * 1e-3;
        assert!(close(bar.output_low, base * 250.0));
        assert!(close(bar.output_high, base * 700.0));
    }
}

#[test]
fn tables_hide_factors_with_no_effect_unless_all() {
    // The product scenario's grid PE factor moves PE only: in the GWP
    // table it has no effect and is hidden, with a count; --all shows it;
    // the JSON keeps it everywhere.
    let dir = tempfile::tempdir().unwrap();
    let text = PRODUCT.replace("pe = 10", "pe = { dist = \"uniform\", min = 8, max = 12 }");
    let path = common::write_scenario(dir.path(), "p.toml", &text);
    let out = dir.path().join("t.json");
    let table = |all: bool| {
        let mut cmd = Command::cargo_bin("ecoband").unwrap();
        // Key paths shown, so the factor is found by the name --set uses.
        cmd.arg("tornado")
            .arg(&path)
            .arg("--key-paths")
            .arg("--out")
            .arg(&out);
        if all {
            cmd.arg("--all");
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap()
    };
    let gwp_section = |t: &str| {
        let start = t.find("gwp (kgCO2e)").unwrap();
        let end = t[start..].find("\npe (MJ)").unwrap();
        t[start..start + end].to_string()
    };
    let hidden = table(false);
    let gwp = gwp_section(&hidden);
    assert!(!gwp.contains("electricity.pe"), "{gwp}");
    assert!(
        gwp.contains("1 factor with no effect hidden; --all shows them"),
        "{gwp}"
    );
    // PE depends on it: shown there.
    assert!(hidden[hidden.find("\npe (MJ)").unwrap()..].contains("electricity.pe"));
    let all = table(true);
    let gwp = gwp_section(&all);
    assert!(
        gwp.contains("electricity.pe") && !gwp.contains("hidden"),
        "{gwp}"
    );
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let bars = json["tornado"]["gwp"]["factors"].as_array().unwrap();
    let pe = bars
        .iter()
        .find(|b| b["factor"] == "electricity.pe")
        .unwrap();
    assert_eq!(pe["output_low"], pe["output_high"]);
    assert_eq!(bars.len(), 5);
}
