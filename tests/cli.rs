//! The binary end to end on every bundled scenario.

mod common;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

const SCENARIOS: [&str; 4] = [
    "scenarios/moshi.toml",
    "scenarios/bloom.toml",
    "scenarios/olmo2-7b.toml",
    "scenarios/olmo2-7b-inference.toml",
];

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

#[test]
fn run_writes_documented_json_for_every_bundled_scenario() {
    for scenario in SCENARIOS {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        ecoband()
            .arg("run")
            .arg(common::repo_file(scenario))
            .args([
                "--samples",
                "20000",
                "--seed",
                "5",
                "--level",
                "0.9",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success()
            .stdout(contains("gwp"))
            .stdout(contains("interval"));
        let json: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(json["ecoband_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(json["scenario"]["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(json["settings"]["samples"], 20000);
        assert_eq!(json["settings"]["seed"], 5);
        assert_eq!(json["settings"]["sampler"], "mc");
        assert_eq!(json["settings"]["level"], 0.9);
        for cat in ["gwp", "pe", "water", "adp", "energy_kwh"] {
            let impact = &json["impacts"][cat];
            for key in ["unit", "baseline", "mean", "sd", "median", "mc_se_mean"] {
                assert!(!impact[key].is_null(), "{scenario} {cat} lacks {key}");
            }
            for q in ["0.025", "0.05", "0.25", "0.5", "0.75", "0.95", "0.975"] {
                assert!(
                    impact["quantiles"][q].is_number(),
                    "{scenario} {cat} quantile {q}"
                );
            }
            let interval = &impact["interval"];
            assert_eq!(interval["level"], 0.9);
            assert!(interval["low"].as_f64() <= interval["high"].as_f64());
            for scope in ["usage", "idle", "embodied"] {
                assert!(impact["by_scope"][scope]["mean"].is_number());
            }
            assert!(impact["by_tag"]["category"].is_object(), "{scenario} {cat}");
        }
    }
}

#[test]
fn check_lists_factors_with_sources() {
    ecoband()
        .arg("check")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .assert()
        .success()
        .stdout(contains("datacenter.pue"))
        .stdout(contains("triangular"))
        .stdout(contains("research_phase"))
        .stdout(contains("h100_embodied_source"))
        .stdout(contains("Scaleway"));
}

#[test]
fn baseline_prints_breakdown_and_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.json");
    ecoband()
        .arg("baseline")
        .arg(common::repo_file("scenarios/bloom.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("50532"))
        .stdout(contains("by category"));
    let json: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let total = json["baseline"]["gwp"]["total"].as_f64().unwrap();
    assert!((total - 50_532.0).abs() < 1.0, "{total}");
    assert_eq!(json["energy"]["idle_kwh"], 256_646.0);
}

#[test]
fn help_has_examples_for_each_command() {
    for cmd in ["run", "check", "baseline", "tornado", "sobol", "presets"] {
        ecoband()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(contains("Example"));
    }
    ecoband()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("run"));
}

#[test]
fn every_number_in_bundled_scenarios_has_a_source() {
    // The scenario standard: every number carries its source next to it.
    for scenario in SCENARIOS {
        let (_, model) = ecoband::app::load(&common::repo_file(scenario)).unwrap();
        for f in &model.factors {
            assert!(
                f.source.as_deref().is_some_and(|s| !s.is_empty()),
                "{scenario}: factor {} has no source",
                f.name
            );
        }
        for c in &model.constants {
            assert!(
                c.source.as_deref().is_some_and(|s| !s.is_empty()),
                "{scenario}: {} = {} (line {}) has no source",
                c.name,
                c.value,
                c.line
            );
        }
    }
}
