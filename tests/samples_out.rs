//! `run --samples-out`: the rows are the samples the run's statistics were
//! folded from (their mean is the JSON's mean, their min and max its min
//! and max), the file's bytes do not depend on the thread count, NumPy
//! reads it, and every refusal happens before anything is computed.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ndarray::Array2;
use serde_json::Value;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

/// Runs `scenario` with `args`, writing the run JSON and the samples into
/// `dir`; returns (run JSON, array, sidecar).
fn run(dir: &Path, scenario: &str, args: &[&str]) -> (Value, Array2<f64>, Value) {
    let (out, npy) = (dir.join("run.json"), dir.join("samples.npy"));
    ecoband()
        .arg("run")
        .arg(common::repo_file(scenario))
        .args(args)
        .arg("--out")
        .arg(&out)
        .arg("--samples-out")
        .arg(&npy)
        .assert()
        .success();
    (read_json(&out), read_npy(&npy), read_json(&sidecar(&npy)))
}

fn sidecar(npy: &Path) -> PathBuf {
    let mut name = npy.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn read_npy(path: &Path) -> Array2<f64> {
    ndarray_npy::read_npy(path).unwrap()
}

fn column(sidecar: &Value, name: &str) -> usize {
    sidecar["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))["index"]
        .as_u64()
        .unwrap() as usize
}

/// Neumaier's compensated sum: the rows' mean to the last bit or so, so
/// that the comparison measures the run's own rounding, not this one's.
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut c, mut n) = (0.0f64, 0.0f64, 0usize);
    for x in values {
        let t = sum + x;
        c += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
        n += 1;
    }
    (sum + c) / n as f64
}

/// Every output column's mean, min and max against the run JSON: the run
/// sums shifted values in a pairwise tree and the test sums the rows in
/// order, so means agree to 1e-12 relative (measured: a few 1e-16); min
/// and max are sample values and agree exactly.
fn assert_matches_run(run: &Value, samples: &Array2<f64>, sidecar: &Value) {
    let mut checked = 0;
    for c in sidecar["columns"].as_array().unwrap() {
        if c["kind"] != "output" {
            continue;
        }
        let impact = &run["impacts"][c["impact"].as_str().unwrap()];
        let stats = match c["series"].as_str().unwrap() {
            "total" => impact,
            scope => &impact["by_scope"][scope],
        };
        let col = samples.column(c["index"].as_u64().unwrap() as usize);
        let m = mean(col.iter().copied());
        let expected = stats["mean"].as_f64().unwrap();
        assert!(
            (m - expected).abs() <= 1e-12 * expected.abs(),
            "{}: rows' mean {m} against the run's {expected}",
            c["name"]
        );
        let min = col.iter().copied().fold(f64::INFINITY, f64::min);
        let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(min, stats["min"].as_f64().unwrap(), "{} min", c["name"]);
        assert_eq!(max, stats["max"].as_f64().unwrap(), "{} max", c["name"]);
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn rows_are_the_runs_samples_for_mc() {
    let dir = tempfile::tempdir().unwrap();
    // 20,001: a partial last chunk and a partial last block.
    let (run, samples, sidecar) = run(
        dir.path(),
        "scenarios/moshi.toml",
        &["-n", "20001", "--seed", "3"],
    );
    // The default --keep (100000) is capped at N without a word.
    assert_eq!(samples.dim(), (20001, 48));
    assert_eq!(sidecar["array"]["shape"], serde_json::json!([20001, 48]));
    assert_eq!(sidecar["settings"]["samples"], 20001);
    assert_eq!(sidecar["settings"]["seed"], 3);
    assert_eq!(sidecar["settings"]["sampler"], "mc");
    assert_eq!(sidecar["scenario"], run["scenario"]);
    assert_eq!(
        sidecar["rows"],
        serde_json::json!([{ "rows": [0, 20001], "replicate": 0, "points": [0, 20001] }])
    );
    assert_matches_run(&run, &samples, &sidecar);
    // 5 totals and 15 scopes.
    let outputs = sidecar["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "output")
        .count();
    assert_eq!(outputs, 20);
    assert_eq!(
        sidecar["columns"][column(&sidecar, "gwp.embodied")]["unit"],
        "kgCO2e"
    );
    // A choice is an option's index; a share set's columns sum to 1.
    let choice = column(&sidecar, "h100_embodied_source");
    assert_eq!(
        sidecar["columns"][choice]["options"],
        serde_json::json!(["boavizta", "nvidia_pcf"])
    );
    let picked = samples.column(choice);
    assert!(picked.iter().all(|x| *x == 0.0 || *x == 1.0));
    assert!(picked.iter().any(|x| *x == 1.0));
    let shares: Vec<usize> = sidecar["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["factor"] == "research_phase")
        .map(|c| c["index"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(shares.len(), 5);
    for row in samples.rows() {
        let total: f64 = shares.iter().map(|&i| row[i]).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }
    // Inputs stay within their distributions' support.
    let pue = samples.column(column(&sidecar, "datacenter.pue"));
    assert!(pue.iter().all(|x| (1.15..=1.17).contains(x)));
}

#[test]
fn rows_are_the_runs_samples_for_sobol_replicates() {
    let dir = tempfile::tempdir().unwrap();
    // -n 3000 over 8 replicates: 512 points each (375 rounded up to a
    // power of two), 4096 samples in all, every one kept.
    let (run, samples, sidecar) = run(
        dir.path(),
        "scenarios/bloom.toml",
        &["-n", "3000", "--sampler", "sobol", "--keep", "4096"],
    );
    assert_eq!(run["settings"]["samples"], 4096);
    assert_eq!(samples.nrows(), 4096);
    assert_eq!(sidecar["settings"]["replicates"], 8);
    let ranges = sidecar["rows"].as_array().unwrap();
    assert_eq!(ranges.len(), 8);
    for (r, range) in ranges.iter().enumerate() {
        let first = 512 * r as u64;
        assert_eq!(
            *range,
            serde_json::json!({ "rows": [first, first + 512], "replicate": r, "points": [0, 512] })
        );
    }
    assert_matches_run(&run, &samples, &sidecar);
}

#[test]
fn with_precision_the_rows_are_the_final_runs() {
    // --precision doubles N: the rows follow the final run's replicates
    // (each of N / 8 points), not the first step's.
    let dir = tempfile::tempdir().unwrap();
    let (run, samples, sidecar) = run(
        dir.path(),
        "scenarios/moshi.toml",
        &[
            "-n",
            "4096",
            "--sampler",
            "sobol",
            "--precision",
            "0.003",
            "--keep",
            "10000000",
        ],
    );
    let n = run["settings"]["samples"].as_u64().unwrap();
    assert!(
        run["settings"]["precision"]["steps"]
            .as_array()
            .unwrap()
            .len()
            > 1
    );
    assert_eq!(samples.nrows() as u64, n);
    assert_eq!(sidecar["rows"][1]["rows"][0], n / 8);
    assert_matches_run(&run, &samples, &sidecar);
}

#[test]
fn fewer_rows_are_the_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (_, all, _) = run(dir.path(), "scenarios/moshi.toml", &["-n", "10000"]);
    let few_dir = tempfile::tempdir().unwrap();
    let (_, few, sidecar) = run(
        few_dir.path(),
        "scenarios/moshi.toml",
        &["-n", "10000", "--keep", "777"],
    );
    assert_eq!(few.nrows(), 777);
    assert_eq!(few, all.slice(ndarray::s![..777, ..]));
    assert_eq!(sidecar["settings"]["samples"], 10000);
    // Sobol' with fewer rows than a replicate: replicate 0's first points.
    let (_, _, sobol) = run(
        dir.path(),
        "scenarios/moshi.toml",
        &["-n", "8192", "--sampler", "lhs", "--keep", "100"],
    );
    assert_eq!(
        sobol["rows"],
        serde_json::json!([{ "rows": [0, 100], "replicate": 0, "points": [0, 100] }])
    );
}

#[test]
fn byte_identical_for_1_2_and_8_threads() {
    let files = |threads: &str| {
        let dir = tempfile::tempdir().unwrap();
        let npy = dir.path().join("s.npy");
        ecoband()
            .arg("run")
            .arg(common::repo_file("scenarios/moshi.toml"))
            .args([
                "-n",
                "70001",
                "--seed",
                "11",
                "-t",
                threads,
                "--samples-out",
            ])
            .arg(&npy)
            .assert()
            .success();
        (
            std::fs::read(&npy).unwrap(),
            std::fs::read(sidecar(&npy)).unwrap(),
        )
    };
    let one = files("1");
    assert_eq!(one.0.len(), 128 + 70001 * 48 * 8);
    for threads in ["2", "8"] {
        let other = files(threads);
        assert!(one.0 == other.0, "the .npy differs with -t {threads}");
        assert!(one.1 == other.1, "the sidecar differs with -t {threads}");
    }
}

#[test]
fn a_test_function_has_its_inputs_and_y() {
    let dir = tempfile::tempdir().unwrap();
    let (run, samples, sidecar) = run(
        dir.path(),
        "scenarios/test-functions/ishigami.toml",
        &["-n", "5000"],
    );
    let names: Vec<&str> = sidecar["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["x1", "x2", "x3", "y"]);
    assert_eq!(sidecar["columns"][3]["unit"], Value::Null);
    // y = sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1, recomputed from the inputs.
    for row in samples.rows() {
        let y = row[0].sin() + 7.0 * row[1].sin().powi(2) + 0.1 * row[2].powi(4) * row[0].sin();
        assert!(
            (y - row[3]).abs() < 1e-12 * (1.0 + y.abs()),
            "{y} {}",
            row[3]
        );
    }
    assert_matches_run(&run, &samples, &sidecar);
}

#[test]
fn keep_above_n_keeps_n_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("s.npy");
    ecoband()
        .arg("run")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["-n", "1000", "--keep", "5000", "--samples-out"])
        .arg(&npy)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "--keep 5000 is more than the run's 1000 samples; keeping all 1000",
        ));
    assert_eq!(read_npy(&npy).nrows(), 1000);
}

/// A refused command: exit 2, the message, and no file in `dir`.
fn refused(dir: &Path, args: &[&str], message: &str) {
    ecoband()
        .current_dir(dir)
        .arg("run")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(args)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(message));
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 0, "{args:?}");
}

#[test]
fn refusals_exit_2_before_anything_is_computed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    refused(
        d,
        &["--samples-out", "s.npy", "--keep", "0"],
        "--keep 0 keeps no sample",
    );
    refused(
        d,
        &["--samples-out", "s.npy", "--keep", "10000001"],
        "above the cap of 10000000 rows",
    );
    refused(
        d,
        &[
            "--samples-out",
            "s.npy",
            "--shard",
            "0/2",
            "--out",
            "p.json",
        ],
        "--samples-out cannot be written by a shard",
    );
    refused(
        d,
        &["--samples-out", "s.npy", "--out", "s.npy.json"],
        "would be overwritten by --samples-out",
    );
    refused(
        d,
        &["--samples-out", "missing/s.npy"],
        "--samples-out missing/s.npy: the folder missing does not exist",
    );
    // --keep without --samples-out is a usage error (clap: exit 2).
    refused(d, &["--keep", "10"], "--samples-out");
    // The slurm job refuses it too: no task could write it.
    ecoband()
        .current_dir(d)
        .args(["slurm", "run", "--shards", "2", "--out-dir", "job"])
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["--samples-out", "s.npy"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--samples-out is not allowed"));
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 0);
}

#[test]
fn an_array_above_the_memory_cap_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    // 60 uncertain inventory rows: 80 columns, so 10^7 rows would take
    // 6.4 GB (Moshi's 48 columns fit: 3.8 GB).
    let base = &common::MINIMAL[..common::MINIMAL.find("[[inventory]]").unwrap()];
    let rows: String = (0..60)
        .map(|i| {
            format!(
                "[[inventory]]\nname = \"r{i}\"\ngpu_hours = {{ dist = \"uniform\", min = 900, max = 1100 }}\n\n"
            )
        })
        .collect();
    let wide = common::write_scenario(dir.path(), "wide.toml", &format!("{base}{rows}"));
    let out = dir.path().join("s.npy");
    ecoband()
        .arg("run")
        .arg(&wide)
        .args(["-n", "10000000", "--keep", "10000000", "--samples-out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "10000000 rows × 80 columns × 8 bytes is 6.4 GB, above the cap of 4.3 GB",
        ));
    assert!(!out.exists());
}

/// The Python the documentation shows, with NumPy: the same shape, dtype
/// and means. CI installs NumPy and sets ECOBAND_REQUIRE_TOOLS, so this
/// test cannot pass there by skipping.
#[test]
fn numpy_reads_the_array() {
    // A pyenv `python3` first on PATH may lack the Debian package's NumPy.
    let python = ["python3", "/usr/bin/python3"].into_iter().find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import numpy"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(python) = python else {
        assert!(
            std::env::var_os("ECOBAND_REQUIRE_TOOLS").is_none(),
            "python3 with numpy is required"
        );
        eprintln!("python3 with numpy not installed: skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "scenarios/moshi.toml", &["-n", "5000"]);
    let script = r#"
import json, sys
import numpy as np
folder = sys.argv[1]
x = np.load(folder + "/samples.npy")
meta = json.load(open(folder + "/samples.npy.json"))
run = json.load(open(folder + "/run.json"))
assert x.dtype == np.float64 and x.shape == tuple(meta["array"]["shape"]), x.shape
col = {c["name"]: c["index"] for c in meta["columns"]}
for impact, stats in run["impacts"].items():
    y = x[:, col[impact]]
    assert abs(y.mean() - stats["mean"]) <= 1e-12 * abs(stats["mean"]), impact
    assert y.min() == stats["min"] and y.max() == stats["max"], impact
print("numpy ok", x.shape)
"#;
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("numpy ok (5000, 48)"));
}
