//! Command-line conventions, end to end on the real binary: a closed stdout
//! pipe, unwritable output targets checked before any computation, atomic
//! output files, shell completions, the manual page, `--quiet`.

mod common;

use std::fs;
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use predicates::str::contains;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("ecoband")
}

/// Runs the binary with its stdout a pipe whose reading end is already
/// closed (what `| head -1` does once it has its line): every write fails
/// with EPIPE.
fn with_closed_stdout(args: &[&str]) -> std::process::Output {
    let mut child = Process::new(bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_pipe_ends_quietly_with_success_for_every_command() {
    let commands: [&[&str]; 8] = [
        &["check", "scenarios/moshi.toml"],
        &["baseline", "scenarios/bloom.toml"],
        &["run", "scenarios/moshi.toml", "--samples", "20000"],
        &["sobol", "scenarios/bloom.toml", "--n-base", "64"],
        &["tornado", "scenarios/moshi.toml"],
        &["presets"],
        &["completions", "bash"],
        &["man"],
    ];
    for args in commands {
        let out = with_closed_stdout(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: stderr {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{args:?} printed on stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_missing_output_folder_is_refused_before_any_computation() {
    // 10^12 samples would run for hours: the refusal must come first.
    for command in ["run", "sobol", "tornado", "baseline"] {
        let mut cmd = ecoband();
        cmd.arg(command)
            .arg(common::repo_file("scenarios/moshi.toml"));
        match command {
            "run" => {
                cmd.args(["--samples", "1000000000000"]);
            }
            "sobol" => {
                cmd.args(["--n-base", "1099511627776"]);
            }
            _ => {}
        }
        cmd.args(["--out", "/missing/dir/x.json"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(
                "--out /missing/dir/x.json: the folder /missing/dir does not exist",
            ))
            .stderr(contains("nothing was computed"));
    }
}

#[test]
fn an_output_path_that_is_a_folder_or_under_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    ecoband()
        .arg("run")
        .arg(common::repo_file("scenarios/bloom.toml"))
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("is a folder"));
    let file = dir.path().join("plain-file");
    fs::write(&file, "").unwrap();
    ecoband()
        .arg("baseline")
        .arg(common::repo_file("scenarios/bloom.toml"))
        .arg("--out")
        .arg(file.join("x.json"))
        .assert()
        .code(2)
        .stderr(contains("is not a folder"));
    // The probe files of the checks are gone.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn result_files_are_0644_and_leave_no_temporary_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    ecoband()
        .arg("run")
        .arg(common::repo_file("scenarios/bloom.toml"))
        .args(["--samples", "5000", "--out"])
        .arg(&out)
        .assert()
        .success();
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("r.json")]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "mode {mode:o}");
    }
}

#[test]
fn completions_are_generated_for_each_shell_and_bash_parses_them() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = ecoband().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in ["ecoband", "run", "sobol", "tornado", "samples", "quiet"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
        if shell == "bash" && Process::new("bash").arg("--version").output().is_ok() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ecoband.bash");
            fs::write(&path, &script).unwrap();
            let check = Process::new("bash").arg("-n").arg(&path).output().unwrap();
            assert!(
                check.status.success(),
                "bash -n: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    ecoband()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(contains("possible values"));
}

#[test]
fn the_manual_page_is_roff_naming_every_command_and_option() {
    let out = ecoband().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH ecoband 1"), "{page}");
    for word in ["run", "check", "sobol", "tornado", "baseline", "presets"] {
        assert!(page.contains(word), "man page lacks {word}");
    }
    let run = ecoband().args(["man", "run"]).output().unwrap();
    let page = String::from_utf8(run.stdout).unwrap();
    assert!(page.contains(".TH ecoband-run 1"), "{page}");
    for option in ["samples", "seed", "threads", "level", "out"] {
        assert!(
            page.contains(&format!("\\-\\-{option}")),
            "lacks --{option}"
        );
    }
    ecoband()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stderr(contains("unknown command `nope`"))
        .stderr(contains("run, check"));
}

#[test]
fn quiet_prints_nothing_and_changes_no_result() {
    let dir = tempfile::tempdir().unwrap();
    let loud = dir.path().join("loud.json");
    let quiet = dir.path().join("quiet.json");
    let scenario = common::repo_file("scenarios/moshi.toml");
    let run = |out: &std::path::Path, quiet: bool| {
        let mut cmd = ecoband();
        cmd.arg("run")
            .arg(&scenario)
            .args(["--samples", "30000", "--seed", "4", "--out"])
            .arg(out);
        if quiet {
            cmd.arg("--quiet");
        }
        cmd.output().unwrap()
    };
    let shown = run(&loud, false);
    let silent = run(&quiet, true);
    assert!(shown.status.success() && silent.status.success());
    assert!(String::from_utf8_lossy(&shown.stdout).contains("gwp"));
    assert!(silent.stdout.is_empty() && silent.stderr.is_empty());
    // Not a terminal: no bar, even unasked.
    assert!(shown.stderr.is_empty());
    assert_eq!(fs::read(&loud).unwrap(), fs::read(&quiet).unwrap());
    // Before the command name too (a global option), for every command.
    for args in [
        &["-q", "check", "scenarios/moshi.toml"][..],
        &["--quiet", "sobol", "scenarios/bloom.toml", "--n-base", "60"],
        &["tornado", "scenarios/moshi.toml", "-q"],
        &["baseline", "scenarios/bloom.toml", "-q"],
    ] {
        ecoband()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .assert()
            .success()
            .stdout("")
            .stderr("");
    }
    // Errors still reach stderr.
    ecoband()
        .args(["-q", "check", "no-such-file.toml"])
        .assert()
        .code(2)
        .stderr(contains("no-such-file.toml"));
}
