//! What a run stores for figures, against truths: every convergence
//! checkpoint is exactly the estimate a shorter run of the same seed gives
//! (its samples are that run's), a `--precision` run records the same
//! checkpoints as a fixed-N run, and each histogram counts every sample
//! once with its interval inside its range. (Byte-identity across thread
//! counts and shard splits is tested with the whole JSON in engine.rs and
//! shards.rs, which now include histograms and checkpoints.)

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn run(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("run")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn each_checkpoint_is_the_estimate_of_the_shorter_run() {
    // (sampler, its number of independent sources)
    for (sampler, r) in [
        (&["--sampler", "mc"][..], 1),
        (&["--sampler", "sobol", "-r", "4"], 4),
    ] {
        let per_source = 70_001;
        let n = (per_source * r).to_string();
        let long = run(&[&["-n", n.as_str(), "-s", "5"][..], sampler].concat());
        for (id, impact) in long["impacts"].as_object().unwrap() {
            let checkpoints = impact["convergence"].as_array().unwrap();
            // 4096·2^k per source for k = 0..4 (< 70,001), then the run.
            assert_eq!(checkpoints.len(), 6, "{id}");
            let last = checkpoints.last().unwrap();
            assert_eq!(last["mean"], impact["mean"]);
            assert_eq!(last["mean_ci"], impact["mean_ci"]);
            assert_eq!(last["samples"], long["settings"]["samples"]);
        }
        for k in [0, 2, 4] {
            let shorter = ((4096 << k) * r).to_string();
            let short = run(&[&["-n", shorter.as_str(), "-s", "5"][..], sampler].concat());
            for (id, impact) in short["impacts"].as_object().unwrap() {
                let at = &long["impacts"][id]["convergence"][k];
                assert_eq!(at["samples"], short["settings"]["samples"], "{id} {k}");
                // Bit for bit: the same samples merged by the same subtree.
                assert_eq!(at["mean"], impact["mean"], "{sampler:?} {id} {k}");
                assert_eq!(at["mean_ci"], impact["mean_ci"], "{sampler:?} {id} {k}");
                assert_eq!(at["sd"], impact["sd"], "{sampler:?} {id} {k}");
            }
        }
    }
}

#[test]
fn a_precision_run_records_the_checkpoints_of_a_fixed_run() {
    let precise = run(&["--precision", "0.002", "-n", "4096", "-s", "9"]);
    let n = precise["settings"]["samples"].as_u64().unwrap();
    assert!(n > 4096, "the target needs more than one step");
    let fixed = run(&["-n", &n.to_string(), "-s", "9"]);
    for (id, impact) in fixed["impacts"].as_object().unwrap() {
        assert_eq!(
            precise["impacts"][id]["convergence"], impact["convergence"],
            "{id}"
        );
        assert_eq!(
            precise["impacts"][id]["distribution"], impact["distribution"],
            "{id}"
        );
    }
}

#[test]
fn histograms_count_every_sample_and_span_the_interval() {
    let r = run(&["-n", "50000", "-s", "3"]);
    let samples = r["settings"]["samples"].as_u64().unwrap();
    for (id, impact) in r["impacts"].as_object().unwrap() {
        let d = &impact["distribution"];
        let mut all = vec![("total".to_string(), &d["total"], impact)];
        for (scope, h) in d["by_scope"].as_object().unwrap() {
            all.push((scope.clone(), h, &impact["by_scope"][scope]));
        }
        for (name, h, stats) in all {
            let counts: Vec<u64> = h["counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap())
                .collect();
            let edges: Vec<f64> = h["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_f64().unwrap())
                .collect();
            let total: u64 = counts.iter().sum::<u64>()
                + h["below"].as_u64().unwrap()
                + h["above"].as_u64().unwrap();
            assert_eq!(total, samples, "{id} {name}");
            assert_eq!(edges.len(), counts.len() + 1, "{id} {name}");
            assert!(edges.windows(2).all(|w| w[0] <= w[1]), "{id} {name}");
            // The 0.1 % tails at most (plus ties at the edges' values).
            let outside = h["below"].as_u64().unwrap() + h["above"].as_u64().unwrap();
            assert!(
                outside <= samples / 500 + 2,
                "{id} {name}: {outside} outside"
            );
            let (low, high) = (
                stats["interval"]["low"].as_f64().unwrap(),
                stats["interval"]["high"].as_f64().unwrap(),
            );
            assert!(
                edges[0] <= low && high <= edges[edges.len() - 1],
                "{id} {name}"
            );
        }
    }
}
