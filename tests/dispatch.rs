//! The hot loops run from a baseline x86-64 copy or an AVX2 copy chosen at
//! run time (src/cpu.rs). Both must give the same bits: each command's
//! JSON, forced onto the baseline path with ECOBAND_SIMD=baseline, equals
//! the JSON of the path this CPU picks (AVX2 where it has it), byte for
//! byte, on every bundled study and every sampler.

mod common;

use std::path::Path;

use assert_cmd::Command;

fn json_of(args: &[&str], out: &Path, baseline: bool) -> Vec<u8> {
    let mut cmd = Command::cargo_bin("ecoband").unwrap();
    if baseline {
        cmd.env("ECOBAND_SIMD", "baseline");
    } else {
        cmd.env_remove("ECOBAND_SIMD");
    }
    cmd.args(args)
        .arg("-q")
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    std::fs::read(out).unwrap()
}

#[test]
fn both_dispatch_paths_give_the_same_bytes() {
    let have_avx2 = cfg!(target_arch = "x86_64") && {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    };
    if !have_avx2 {
        eprintln!("this CPU has no AVX2: both runs take the baseline path");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for study in ["moshi", "bloom", "olmo2-7b", "olmo2-7b-inference"] {
        let scenario = common::repo_file(&format!("scenarios/{study}.toml"));
        let scenario = scenario.to_str().unwrap();
        for args in [
            vec!["run", scenario, "-n", "60000", "--exceed", "gwp=1t"],
            vec![
                "run",
                scenario,
                "-n",
                "20000",
                "--sampler",
                "sobol",
                "-r",
                "4",
            ],
            vec!["sobol", scenario, "--n-base", "256"],
            vec!["tornado", scenario],
        ] {
            let auto = json_of(&args, &dir.path().join("auto.json"), false);
            let forced = json_of(&args, &dir.path().join("forced.json"), true);
            assert!(auto == forced, "{args:?}: the two paths differ");
            checked += 1;
        }
    }
    assert_eq!(checked, 16, "every study and command checked");
}
