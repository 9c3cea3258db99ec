//! `ecoband slurm` without a cluster: the generated scripts (shellcheck
//! clean, the right array range, paths with spaces and quotes kept whole
//! when a task runs), the job folder, status off the cluster, what resume
//! would submit, and every refusal. The real-Slurm test is
//! tests/slurm-cluster.sh, run by .ci/run.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

/// A stand-in for the ecoband binary: records its arguments one per line
/// and writes the file after `--out` (a shard's part), as the real one does.
fn recording_stub(dir: &Path) -> PathBuf {
    let stub = dir.join("fake ecoband");
    std::fs::write(
        &stub,
        "#!/bin/bash\nprintf '%s\\n' \"$@\" > \"$RECORD\"\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --out ]; then echo part > \"$2\"; fi; shift; done\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    stub
}

#[test]
fn a_task_runs_its_shard_with_every_argument_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let job = tmp.path().join("job folder with spaces");
    let stub = recording_stub(tmp.path());
    let set = r#"inventory."mimi, final".gpu_hours=3000"#;
    ecoband()
        .args(["slurm", "run", "--shards", "5", "--max-running", "2"])
        .args(["--partition", "cpu", "--time", "00:30:00", "--mem", "2G"])
        .arg("--out-dir")
        .arg(&job)
        .arg("--ecoband")
        .arg(&stub)
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["-n", "100000", "--set", set])
        .assert()
        .success()
        .stdout(contains("5 array tasks"));
    let script = std::fs::read_to_string(job.join("array.sbatch")).unwrap();
    for line in [
        "#SBATCH --array=0-4%2",
        "#SBATCH --partition=cpu",
        "#SBATCH --time=00:30:00",
        "#SBATCH --mem=2G",
    ] {
        assert!(script.contains(line), "{line} in\n{script}");
    }
    // sbatch keeps a double-quoted directive whole.
    assert!(script.contains(&format!(
        "#SBATCH --output=\"{}\"",
        job.join("logs/task-%A_%a.out").display()
    )));
    // Task 3, as Slurm would start it.
    let record = tmp.path().join("argv");
    let status = std::process::Command::new("bash")
        .arg(job.join("array.sbatch"))
        .env("SLURM_ARRAY_TASK_ID", "3")
        .env("SLURM_ARRAY_JOB_ID", "77")
        .env("RECORD", &record)
        .status()
        .unwrap();
    assert!(status.success());
    let argv = std::fs::read_to_string(&record).unwrap();
    let part = job.join("parts/part-3.json");
    let expected = [
        "run".to_string(),
        common::repo_file("scenarios/moshi.toml")
            .display()
            .to_string(),
        "-n".into(),
        "100000".into(),
        "--set".into(),
        set.into(),
        "--threads".into(),
        "1".into(),
        "--shard".into(),
        "3/5".into(),
        "--out".into(),
        part.display().to_string(),
    ];
    assert_eq!(argv.lines().collect::<Vec<_>>(), expected);
    // The marker is written beside the part, after it.
    let marker = std::fs::read_to_string(job.join("parts/part-3.json.done")).unwrap();
    assert!(marker.starts_with("task 3 of job 77 on "), "{marker}");
    // Without SLURM_ARRAY_TASK_ID the script says how to submit it.
    let out = std::process::Command::new("bash")
        .arg(job.join("array.sbatch"))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("submit this script with sbatch"));
    // The merge script joins every part into result.json.
    std::process::Command::new("bash")
        .arg(job.join("merge.sbatch"))
        .env("RECORD", &record)
        .status()
        .unwrap();
    let argv = std::fs::read_to_string(&record).unwrap();
    let lines: Vec<&str> = argv.lines().collect();
    assert_eq!(lines[0], "merge");
    for i in 0..5 {
        let part = job.join(format!("parts/part-{i}.json"));
        assert_eq!(lines[1 + i], part.display().to_string());
    }
    assert_eq!(
        lines[lines.len() - 1],
        job.join("result.json").display().to_string()
    );
}

#[test]
fn generated_scripts_are_shellcheck_clean() {
    // CI installs shellcheck and sets ECOBAND_REQUIRE_TOOLS, so this test
    // cannot pass there by skipping.
    let have = std::process::Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok();
    if !have {
        assert!(
            std::env::var_os("ECOBAND_REQUIRE_TOOLS").is_none(),
            "shellcheck is required"
        );
        eprintln!("shellcheck not installed: skipped");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for (kind, extra, file) in [
        ("run", vec!["--shards", "3"], "scenarios/moshi.toml"),
        (
            "sobol",
            vec!["--shards", "2", "--cpus-per-task", "4"],
            "scenarios/bloom.toml",
        ),
        ("sweep", vec![], "scenarios/sweeps/moshi-lifetime-pue.toml"),
    ] {
        let job = tmp.path().join(format!("{kind} job's folder"));
        ecoband()
            .args(["slurm", kind])
            .args(&extra)
            .arg("--out-dir")
            .arg(&job)
            .arg(common::repo_file(file))
            .assert()
            .success();
        let out = std::process::Command::new("shellcheck")
            .arg(job.join("array.sbatch"))
            .arg(job.join("merge.sbatch"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn a_sweep_job_has_one_task_per_point_and_collects_them() {
    let tmp = tempfile::tempdir().unwrap();
    let job = tmp.path().join("sweep");
    ecoband()
        .args(["slurm", "sweep", "--out-dir"])
        .arg(&job)
        .arg(common::repo_file(
            "scenarios/sweeps/moshi-lifetime-pue.toml",
        ))
        .args(["-n", "1000"])
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(job.join("slurm.json")).unwrap()).unwrap();
    let outputs = manifest["outputs"].as_array().unwrap();
    // 6 lifetimes × 6 PUE values.
    assert_eq!(outputs.len(), 36);
    assert!(outputs[0].as_str().unwrap().starts_with("points/"));
    let array = std::fs::read_to_string(job.join("array.sbatch")).unwrap();
    assert!(array.contains("#SBATCH --array=0-35\n"));
    assert!(array.contains("--point \"$task\" --out \"$dir\""));
    let merge = std::fs::read_to_string(job.join("merge.sbatch")).unwrap();
    assert!(merge.contains("--collect --out \"$dir\""));
}

#[test]
fn status_and_resume_work_from_the_job_folder_before_submission() {
    let tmp = tempfile::tempdir().unwrap();
    let job = tmp.path().join("job");
    ecoband()
        .args([
            "slurm",
            "sobol",
            "--shards",
            "4",
            "--max-running",
            "3",
            "--out-dir",
        ])
        .arg(&job)
        .arg(common::repo_file("scenarios/moshi.toml"))
        .assert()
        .success()
        .stdout(contains("submit with: ecoband slurm resume"));
    // Task 2 done by hand (its part and marker in place).
    std::fs::write(job.join("parts/part-2.json"), "{}").unwrap();
    std::fs::write(job.join("parts/part-2.json.done"), "").unwrap();
    ecoband()
        .args(["slurm", "status"])
        .arg(&job)
        .assert()
        .success()
        .stdout(contains(
            "1 done, 0 running, 0 pending, 0 failed, 3 not submitted",
        ))
        .stdout(contains("merge: not submitted"))
        .stdout(contains("rerun tasks 0-1,3 with: ecoband slurm resume"));
    ecoband()
        .args(["slurm", "resume"])
        .arg(&job)
        .assert()
        .success()
        .stdout(contains("sbatch --parsable --array=0-1,3%3 "))
        .stdout(contains(
            "sbatch --parsable --dependency=afterok:ARRAY --kill-on-invalid-dep=yes ",
        ));
}

#[test]
fn bad_jobs_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let moshi = common::repo_file("scenarios/moshi.toml");
    let moshi = moshi.to_str().unwrap();
    let sweep = common::repo_file("scenarios/sweeps/moshi-by-location.toml");
    let sweep = sweep.to_str().unwrap();
    let job = tmp.path().join("job");
    let refused = |args: &[&str], why: &str| {
        ecoband()
            .arg("slurm")
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(why.to_string()));
        assert!(!job.join("slurm.json").exists(), "{why}");
    };
    let dir = job.to_str().unwrap();
    refused(
        &["run", "--out-dir", dir, moshi],
        "give --shards N, the number of array tasks",
    );
    refused(
        &["run", "--shards", "0", "--out-dir", dir, moshi],
        "--shards 0 is not allowed",
    );
    refused(
        &["sweep", "--shards", "4", "--out-dir", dir, sweep],
        "a sweep runs one task per point",
    );
    refused(
        &[
            "run",
            "--shards",
            "4",
            "--out-dir",
            dir,
            moshi,
            "--out",
            "x.json",
        ],
        "--out is not allowed among the command's arguments",
    );
    refused(
        &["run", "--out-dir", dir, moshi, "--shards", "4"],
        "--shards is an option of `slurm run`: give it before the scenario",
    );
    refused(
        &[
            "run",
            "--shards",
            "2",
            "--out-dir",
            dir,
            moshi,
            "--precision",
            "0.01",
        ],
        "--precision decides N from the whole run",
    );
    refused(
        &[
            "sobol",
            "--shards",
            "2",
            "--out-dir",
            dir,
            moshi,
            "--target-width=0.01",
        ],
        "--target-width decides N",
    );
    refused(
        &[
            "run",
            "--shards",
            "2",
            "--out-dir",
            dir,
            moshi,
            "--sampels",
            "9",
        ],
        "the arguments of `ecoband run` are wrong",
    );
    refused(
        &[
            "run",
            "--shards",
            "2",
            "--out-dir",
            dir,
            moshi,
            "--set",
            "datacenter.peu=1.3",
        ],
        "did you mean `datacenter.pue`?",
    );
    refused(
        &["run", "--shards", "2", "--out-dir", dir, "missing.toml"],
        "missing.toml",
    );
    // Options glued to their value, options the run itself refuses, and
    // values that would break out of an #SBATCH line.
    refused(
        &["run", "--shards", "2", "--out-dir", dir, moshi, "-t4"],
        "-t is not allowed among the command's arguments",
    );
    refused(
        &[
            "run",
            "--shards",
            "2",
            "--out-dir",
            dir,
            moshi,
            "--replicates",
            "4",
        ],
        "applies to --sampler sobol or lhs",
    );
    refused(
        &[
            "sobol",
            "--shards",
            "2",
            "--out-dir",
            dir,
            moshi,
            "--level",
            "3",
        ],
        "--level 3 is not allowed",
    );
    refused(
        &[
            "run",
            "--shards",
            "2",
            "--mem",
            "4G\ntouch /tmp/x",
            "--out-dir",
            dir,
            moshi,
        ],
        "is not allowed in a batch script",
    );
    refused(
        &[
            "run",
            "--shards",
            "2",
            "--time",
            "1:00 x",
            "--out-dir",
            dir,
            moshi,
        ],
        "is not allowed in a batch script",
    );
    let percent = format!("{dir}%j");
    refused(
        &["run", "--shards", "2", "--out-dir", &percent, moshi],
        "cannot be named in a batch script",
    );
    // A folder that holds a job already is not overwritten.
    ecoband()
        .args(["slurm", "run", "--shards", "2", "--out-dir", dir, moshi])
        .assert()
        .success();
    ecoband()
        .args(["slurm", "run", "--shards", "3", "--out-dir", dir, moshi])
        .assert()
        .code(2)
        .stderr(contains("holds a job already"));
    ecoband()
        .args(["slurm", "status"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(contains(
            "give the --out-dir of `ecoband slurm run|sobol|sweep`",
        ));
}
