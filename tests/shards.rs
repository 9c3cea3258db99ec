//! `run|sobol --shard I/N` and `merge`, end to end: merged parts give the
//! single run's JSON byte for byte for any shard count and order, and every
//! kind of bad set of parts is refused with exit 2 and no output.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

const SAMPLES: &str = "120000";

fn run(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    ecoband()
        .arg("run")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["-n", SAMPLES, "--exceed", "gwp=500t", "--quantiles", "0.01"])
        .args(extra)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

fn shards(dir: &Path, n: u64, extra: &[&str]) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let shard = format!("{i}/{n}");
            let mut args = vec!["--shard", &shard];
            args.extend_from_slice(extra);
            run(dir, &format!("part-{n}-{i}.json"), &args)
        })
        .collect()
}

fn merge(parts: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    ecoband()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(out)
        .assert()
}

#[test]
fn merged_parts_are_the_single_runs_bytes_for_any_shard_count_and_order() {
    let dir = tempfile::tempdir().unwrap();
    for sampler in [&["--sampler", "mc"][..], &["--sampler", "sobol", "-r", "4"]] {
        let single = std::fs::read(run(dir.path(), "single.json", sampler)).unwrap();
        for n in [1, 3, 8, 64] {
            let mut parts = shards(dir.path(), n, sampler);
            parts.reverse();
            let out = dir.path().join(format!("merged-{n}.json"));
            merge(&parts, &out).success();
            assert_eq!(
                std::fs::read(&out).unwrap(),
                single,
                "{sampler:?}, {n} shards"
            );
        }
    }
}

fn sobol(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    ecoband()
        .arg("sobol")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["--n-base", "512", "-q"])
        .args(extra)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn merged_sobol_parts_are_the_single_analysis_bytes() {
    // Each sampler's design has its own parts (32 Monte Carlo batches, or
    // R replicates) and chunk lengths; second order adds its own sums.
    let dir = tempfile::tempdir().unwrap();
    for sampler in [
        &["--sampler", "mc"][..],
        &["--sampler", "sobol", "-r", "3"],
        &["--sampler", "lhs", "-r", "2", "--second-order"],
    ] {
        let single = std::fs::read(sobol(dir.path(), "single.json", sampler)).unwrap();
        for n in [1, 3, 8, 64] {
            let mut parts: Vec<PathBuf> = (0..n)
                .map(|i| {
                    let shard = format!("{i}/{n}");
                    let mut args = vec!["--shard", &shard];
                    args.extend_from_slice(sampler);
                    sobol(dir.path(), &format!("sobol-{n}-{i}.json"), &args)
                })
                .collect();
            parts.rotate_left(n as usize / 2);
            let out = dir.path().join(format!("merged-{n}.json"));
            merge(&parts, &out).success();
            assert_eq!(
                std::fs::read(&out).unwrap(),
                single,
                "sobol {sampler:?}, {n} shards"
            );
        }
    }
    // A sobol part and a run part are never one set; nor are two analyses
    // of different seeds.
    let sobol_part = sobol(dir.path(), "s.json", &["--shard", "1/2"]);
    let run_part = run(dir.path(), "r.json", &["--shard", "0/2"]);
    merge(&[run_part, sobol_part.clone()], &dir.path().join("m.json"))
        .code(2)
        .stderr(contains("kind run against sobol"));
    let other_seed = sobol(dir.path(), "n.json", &["--shard", "0/2", "-s", "7"]);
    merge(&[other_seed, sobol_part], &dir.path().join("m.json"))
        .code(2)
        .stderr(contains("settings (N, seed"));
    assert!(!dir.path().join("m.json").exists());
}

#[test]
fn bad_sets_of_parts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(dir.path(), 3, &[]);
    let out = dir.path().join("m.json");
    let refused = |parts: &[PathBuf], why: &str| {
        merge(parts, &out).code(2).stderr(contains(why.to_string()));
        assert!(!out.exists(), "{why}");
    };
    refused(&parts[..2], "shard 2/3 is missing");
    refused(
        &[
            parts[0].clone(),
            parts[1].clone(),
            parts[1].clone(),
            parts[2].clone(),
        ],
        "shard 1/3 is given twice",
    );
    let other_seed = run(dir.path(), "seed.json", &["--shard", "2/3", "-s", "9"]);
    refused(
        &[parts[0].clone(), parts[1].clone(), other_seed],
        "are parts of different runs: settings",
    );
    let other_set = run(
        dir.path(),
        "set.json",
        &["--shard", "2/3", "--set", "datacenter.pue=1.3"],
    );
    refused(
        &[parts[0].clone(), parts[1].clone(), other_set],
        "are parts of different runs: overrides",
    );
    // Truncated, altered, and not a part at all.
    let text = std::fs::read_to_string(&parts[2]).unwrap();
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    refused(
        &[parts[0].clone(), parts[1].clone(), cut],
        "truncated or corrupted",
    );
    let altered = dir.path().join("altered.json");
    let at = text.find("\"count\":").unwrap() + "\"count\":".len();
    let digit = if &text[at..at + 1] == "9" { "8" } else { "9" };
    std::fs::write(
        &altered,
        format!("{}{digit}{}", &text[..at], &text[at + 1..]),
    )
    .unwrap();
    refused(
        &[parts[0].clone(), parts[1].clone(), altered],
        "checksum does not match",
    );
    let result = run(dir.path(), "result.json", &[]);
    refused(&[result], "not an ecoband part file");
    // Rerunning the one missing shard completes the set.
    let again = run(dir.path(), "again.json", &["--shard", "2/3"]);
    merge(&[parts[0].clone(), parts[1].clone(), again], &out).success();
    let single = run(dir.path(), "single.json", &[]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(single).unwrap());
}

#[test]
fn parts_from_machines_that_round_differently_are_refused() {
    // glibc's exp, log and pow come in an FMA and a non-FMA version, picked
    // by CPU; this tunable makes one shard take the non-FMA one, as an old
    // node of a mixed cluster would. Its part must then be refused, unless
    // this CPU has no FMA (both shards take the same version, and the merge
    // must give the single run's bytes).
    let dir = tempfile::tempdir().unwrap();
    let single = std::fs::read(run(dir.path(), "single.json", &[])).unwrap();
    let first = run(dir.path(), "p0.json", &["--shard", "0/2"]);
    let other = dir.path().join("p1.json");
    ecoband()
        .env("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX2,-FMA")
        .arg("run")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["-n", SAMPLES, "--exceed", "gwp=500t", "--quantiles", "0.01"])
        .args(["--shard", "1/2", "--out"])
        .arg(&other)
        .assert()
        .success();
    let out = dir.path().join("m.json");
    let merged = ecoband()
        .arg("merge")
        .arg(&first)
        .arg(&other)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    if merged.status.success() {
        assert_eq!(std::fs::read(&out).unwrap(), single);
        eprintln!("this CPU has no FMA: both shards used the same math library");
    } else {
        assert_eq!(merged.status.code(), Some(2));
        let err = String::from_utf8_lossy(&merged.stderr);
        assert!(err.contains("math library rounds differently"), "{err}");
        assert!(!out.exists());
    }
    // A part from another build of the same version (rebuilt mid-job).
    let mut rebuilt = ecoband::shard::part::read(&first).unwrap();
    rebuilt.ecoband_build = "0123456789abcdef".into();
    let rebuilt_path = dir.path().join("rebuilt.json");
    ecoband::shard::part::write(&rebuilt_path, &rebuilt).unwrap();
    let again = run(dir.path(), "p1-again.json", &["--shard", "1/2"]);
    merge(&[rebuilt_path, again], &out)
        .code(2)
        .stderr(contains("two builds of ecoband"));
    // The same file by another path: the merged result could name either.
    let moshi = common::repo_file("scenarios/moshi.toml");
    let other_path = dir.path().join("p1-path.json");
    ecoband()
        .current_dir(moshi.parent().unwrap())
        .args(["run", "moshi.toml", "-n", SAMPLES, "--exceed", "gwp=500t"])
        .args(["--quantiles", "0.01", "--shard", "1/2", "--out"])
        .arg(&other_path)
        .assert()
        .success();
    merge(&[first, other_path], &out)
        .code(2)
        .stderr(contains("scenario path"));
}

#[test]
fn shard_options_are_checked() {
    let moshi = common::repo_file("scenarios/moshi.toml");
    for (args, why) in [
        (
            vec!["--shard", "3/3", "--out", "x.json"],
            "--shard 3/3: expected I/N",
        ),
        (vec!["--shard", "0/2"], "give it with --out"),
        (
            vec!["--shard", "0/10000000000", "--out", "x.json"],
            "at most 1000000 shards",
        ),
        (
            vec!["--shard", "0/2", "--precision", "0.01", "--out", "x.json"],
            "--precision decides N from the whole run",
        ),
    ] {
        ecoband()
            .arg("run")
            .arg(&moshi)
            .args(&args)
            .current_dir(std::env::temp_dir())
            .assert()
            .code(2)
            .stderr(contains(why));
    }
    ecoband()
        .arg("sobol")
        .arg(&moshi)
        .args([
            "--shard",
            "0/2",
            "--target-width",
            "0.01",
            "--out",
            "x.json",
        ])
        .current_dir(std::env::temp_dir())
        .assert()
        .code(2)
        .stderr(contains("--target-width decides N"));
    ecoband()
        .arg("sobol")
        .arg(&moshi)
        .args(["--shard", "0/2"])
        .assert()
        .code(2)
        .stderr(contains("give it with --out"));
}

#[cfg(unix)]
#[test]
fn a_shard_killed_midway_leaves_no_part() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("part.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ecoband"))
        .arg("run")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["-n", "400000000", "--shard", "0/2", "-q", "--out"])
        .arg(&out)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    // SIGKILL: no destructor, no cleanup.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
