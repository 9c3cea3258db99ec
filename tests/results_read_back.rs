//! Every result JSON names its kind and reads back into its own type:
//! parsed, then written again as `--out` writes it, it gives the same
//! bytes (so nothing is lost or renamed on the way, which `merge`,
//! `sweep --collect` and reports rely on).

mod common;

use std::path::Path;

use assert_cmd::Command;
use serde::Serialize;
use serde::de::DeserializeOwned;

use ecoband::commands::claim::ClaimResult;
use ecoband::commands::sweep::SweepResult;
use ecoband::paired::result::CompareResult;
use ecoband::result::{BaselineResult, RunResult, SobolResult, TornadoResult};

fn write(args: &[&str], out: &Path) -> String {
    Command::cargo_bin("ecoband")
        .unwrap()
        .args(args)
        .arg("-q")
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    std::fs::read_to_string(out).unwrap()
}

/// Parses `text` as `T` and writes it back as the commands do.
fn round_trip<T: DeserializeOwned + Serialize>(text: &str, kind: &str) {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(value["kind"], kind, "the file names its kind first");
    assert!(text.starts_with(&format!("{{\n  \"kind\": \"{kind}\"")));
    let typed: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let mut again = serde_json::to_string_pretty(&typed).unwrap();
    again.push('\n');
    assert!(
        again == text,
        "{kind}: the JSON read back writes other bytes"
    );
}

#[test]
fn every_result_reads_back_into_its_type_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let moshi = common::repo_file("scenarios/moshi.toml");
    let moshi = moshi.to_str().unwrap();
    let bloom = common::repo_file("scenarios/bloom.toml");
    let bloom = bloom.to_str().unwrap();
    let run = ["run", moshi, "-n", "20000", "--exceed", "gwp=400t"];
    round_trip::<RunResult>(&write(&run, &out), "run");
    let rqmc = [
        "run",
        bloom,
        "-n",
        "8192",
        "--sampler",
        "sobol",
        "--quantiles",
        "0.01",
    ];
    round_trip::<RunResult>(&write(&rqmc, &out), "run");
    let precision = ["run", bloom, "-n", "4096", "--precision", "0.05"];
    round_trip::<RunResult>(&write(&precision, &out), "run");
    let sobol = ["sobol", bloom, "--n-base", "256", "--second-order"];
    round_trip::<SobolResult>(&write(&sobol, &out), "sobol");
    let mc = ["sobol", moshi, "--n-base", "256", "--sampler", "mc"];
    round_trip::<SobolResult>(&write(&mc, &out), "sobol");
    round_trip::<TornadoResult>(&write(&["tornado", moshi], &out), "tornado");
    round_trip::<BaselineResult>(&write(&["baseline", moshi], &out), "baseline");
    let compare = [
        "compare",
        moshi,
        "-n",
        "20000",
        "--set-b",
        "datacenter.pue=1.3",
        "--tornado",
    ];
    round_trip::<CompareResult>(&write(&compare, &out), "compare");
    let claim = [
        "claim", bloom, "--impact", "gwp", "--value", "50t", "-n", "20000",
    ];
    round_trip::<ClaimResult>(&write(&claim, &out), "claim");
    let sweep_dir = dir.path().join("sweep");
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("sweep")
        .arg(common::repo_file("scenarios/sweeps/moshi-by-location.toml"))
        .args(["-n", "5000", "-q", "--out"])
        .arg(&sweep_dir)
        .assert()
        .success();
    let text = std::fs::read_to_string(sweep_dir.join("sweep.json")).unwrap();
    round_trip::<SweepResult>(&text, "sweep");
    let point = std::fs::read_to_string(sweep_dir.join("points/country=DEU.json")).unwrap();
    round_trip::<RunResult>(&point, "run");
}
