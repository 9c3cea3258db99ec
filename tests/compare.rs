//! `ecoband compare` end to end, against truths: a scenario compared with
//! itself differs by exactly 0 in every sample; common random numbers are
//! keyed by factor name, so reordering B's factors changes nothing; A's
//! statistics are `run`'s; a paired difference's standard error is far
//! below that of two independent runs, which is measured here.

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const MOSHI: &str = "scenarios/moshi.toml";

fn compare(args: &[&str], extra_files: &[&Path], dir: &Path) -> Value {
    let out = dir.join("compare.json");
    ecoband()
        .arg("compare")
        .arg(common::repo_file(MOSHI))
        .args(extra_files)
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    json(&out)
}

/// Every paired series of a comparison: total, scopes and tag values.
fn every_series(r: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (cat, impact) in r["comparison"].as_object().unwrap() {
        out.push((format!("{cat} total"), impact.clone()));
        for (scope, s) in impact["by_scope"].as_object().unwrap() {
            out.push((format!("{cat} {scope}"), s.clone()));
        }
        for (tag, values) in impact["by_tag"].as_object().unwrap() {
            for (value, s) in values.as_object().unwrap() {
                out.push((format!("{cat} {tag}={value}"), s.clone()));
            }
        }
    }
    out
}

fn assert_zero_difference(r: &Value) {
    let series = every_series(r);
    assert!(series.len() > 50, "Moshi has 85 series");
    for (name, s) in series {
        let d = &s["difference"];
        assert_eq!(d["min"], 0.0, "{name}");
        assert_eq!(d["max"], 0.0, "{name}");
        assert_eq!(d["sd"], 0.0, "{name}");
        assert_eq!(s["p_b_greater"]["count"], 0, "{name}");
        assert!(s["variance_reduction"].is_null(), "{name}");
        assert_eq!(s["a"], s["b"], "{name}");
    }
}

#[test]
fn a_scenario_against_itself_differs_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let r = compare(&["--samples", "20000"], &[], dir.path());
    assert_zero_difference(&r);
    assert_eq!(r["differences"]["factors_changed"], serde_json::json!([]));
}

#[test]
fn common_random_numbers_follow_names_not_positions() {
    // B is Moshi with its named parameters in reverse order (and so its
    // sampled dimensions in another order): every sample is the same.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::repo_file(MOSHI)).unwrap();
    let names = [
        "gpu_load = {",
        "moshi_experimentation = {",
        "helium = {",
        "mimi = {",
        "tts = {",
    ];
    let lines: Vec<&str> = text.lines().collect();
    let declarations: Vec<&str> = names
        .iter()
        .map(|n| *lines.iter().find(|l| l.starts_with(n)).unwrap())
        .collect();
    let mut reordered: Vec<&str> = lines
        .iter()
        .filter(|l| !declarations.contains(l))
        .copied()
        .collect();
    let at = reordered.iter().position(|l| *l == "[parameters]").unwrap();
    for (i, d) in declarations.iter().rev().enumerate() {
        reordered.insert(at + 1 + i, d);
    }
    let b = common::write_scenario(dir.path(), "reordered.toml", &(reordered.join("\n") + "\n"));
    // The check is not vacuous: the factor order really differs.
    let check = |p: &Path| {
        let out = ecoband().arg("check").arg(p).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let (ca, cb) = (check(&common::repo_file(MOSHI)), check(&b));
    assert!(ca.find("gpu_load").unwrap() < ca.find("tts").unwrap());
    assert!(cb.find("gpu_load").unwrap() > cb.find("tts").unwrap());
    let r = compare(&["--samples", "20000"], &[&b], dir.path());
    assert_zero_difference(&r);
}

#[test]
fn side_a_is_the_run_of_a() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run.json");
    ecoband()
        .arg("run")
        .arg(common::repo_file(MOSHI))
        .args(["--samples", "30000", "--seed", "11", "--out"])
        .arg(&run)
        .assert()
        .success();
    let run = json(&run);
    let r = compare(
        &[
            "--samples",
            "30000",
            "--seed",
            "11",
            "--set-b",
            "datacenter.pue=1.2",
        ],
        &[],
        dir.path(),
    );
    for (cat, impact) in run["impacts"].as_object().unwrap() {
        let mut total = impact.clone();
        // The baseline's percentile, the histograms and the convergence
        // checkpoints are `run`'s only.
        for k in [
            "unit",
            "by_scope",
            "by_tag",
            "baseline_percentile",
            "distribution",
            "convergence",
        ] {
            total.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(r["comparison"][cat]["a"], total, "{cat}");
        for (scope, s) in impact["by_scope"].as_object().unwrap() {
            assert_eq!(
                r["comparison"][cat]["by_scope"][scope]["a"], *s,
                "{cat} {scope}"
            );
        }
    }
}

#[test]
fn pairing_beats_independent_runs_by_far_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let n = "100000";
    let r = compare(
        &["--samples", n, "--set-b", "datacenter.pue=1.2"],
        &[],
        dir.path(),
    );
    // Two independent runs of the same size, measured: the standard error
    // of their difference of means is √(se_A² + se_B²).
    let run = |seed: &str, set: &[&str], name: &str| {
        let out = dir.path().join(name);
        ecoband()
            .arg("run")
            .arg(common::repo_file(MOSHI))
            .args(["--samples", n, "--seed", seed])
            .args(set)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        json(&out)
    };
    let a = run("101", &[], "a.json");
    let b = run("202", &["--set", "datacenter.pue=1.2"], "b.json");
    for cat in ["gwp", "pe", "water", "energy_kwh"] {
        let s = &r["comparison"][cat];
        let paired = s["difference"]["mc_se_mean"].as_f64().unwrap();
        let claimed = s["mc_se_difference_independent"].as_f64().unwrap();
        let (se_a, se_b) = (
            a["impacts"][cat]["mc_se_mean"].as_f64().unwrap(),
            b["impacts"][cat]["mc_se_mean"].as_f64().unwrap(),
        );
        let measured = (se_a * se_a + se_b * se_b).sqrt();
        // Sample standard deviations of 10^5 skewed samples agree within a
        // few per cent; 10 % leaves room.
        assert!(
            (claimed / measured - 1.0).abs() < 0.1,
            "{cat}: {claimed} vs {measured}"
        );
        assert!(
            paired * 10.0 <= measured,
            "{cat}: paired {paired}, independent {measured}"
        );
        let reduction = s["variance_reduction"].as_f64().unwrap();
        assert!(reduction >= 100.0, "{cat}: {reduction}");
        assert!(s["difference"]["mean"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn moving_the_cluster_to_germany() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deu.json");
    ecoband()
        .arg("compare")
        .arg(common::repo_file(MOSHI))
        .args(["--samples", "50000", "--set-b", "electricity.preset=DEU", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("P(B>A)"))
        .stdout(contains("B: Moshi research project (reconstruction of arXiv 2604.11154) --set electricity.preset=DEU"))
        .stderr(contains("dropped"));
    let r = json(&out);
    let gwp = &r["comparison"]["gwp"];
    // German grid carbon is several times France's: B > A in essentially
    // every sample, and the ratio's interval lies well above 1.
    assert!(gwp["p_b_greater"]["p"].as_f64().unwrap() > 0.99);
    let ratio = &gwp["ratio"]["interval"];
    assert!(ratio["low"].as_f64().unwrap() > 2.0, "{ratio}");
    assert!(ratio["high"].as_f64().unwrap() > ratio["low"].as_f64().unwrap());
    let wilson = gwp["p_b_greater"]["interval"].as_array().unwrap();
    assert!(wilson[0].as_f64().unwrap() <= gwp["p_b_greater"]["p"].as_f64().unwrap());
    // The grid's factors are defined differently on the two sides.
    let changed = r["differences"]["factors_changed"].as_array().unwrap();
    assert!(
        changed.contains(&Value::from("electricity.gwp")),
        "{changed:?}"
    );
    assert_eq!(
        r["b"]["overrides"],
        serde_json::json!(["electricity.preset=DEU"])
    );
}

#[test]
fn the_tornado_splits_the_difference_by_change() {
    let dir = tempfile::tempdir().unwrap();
    // One change alone explains all of it, with no interaction.
    let one = compare(
        &[
            "--samples",
            "20000",
            "--set-b",
            "datacenter.pue=1.3",
            "--tornado",
        ],
        &[],
        dir.path(),
    );
    let t = &one["tornado"]["gwp"];
    assert_eq!(t["changes"][0]["mean_difference"], t["mean_difference"]);
    assert_eq!(t["interaction"], 0.0);
    // Two changes: the grid's effect is the largest, and the parts plus
    // the interaction add up to the whole.
    let two = compare(
        &[
            "--samples",
            "20000",
            "--set-b",
            "datacenter.pue=1.3",
            "--set-b",
            "electricity.preset=DEU",
            "--tornado",
        ],
        &[],
        dir.path(),
    );
    let t = &two["tornado"]["gwp"];
    assert_eq!(t["changes"][0]["change"], "electricity.preset=DEU");
    let parts: f64 = t["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["mean_difference"].as_f64().unwrap())
        .sum::<f64>()
        + t["interaction"].as_f64().unwrap();
    let whole = t["mean_difference"].as_f64().unwrap();
    assert!((parts - whole).abs() <= 1e-9 * whole.abs());
}

#[test]
fn compare_refusals() {
    let moshi = common::repo_file(MOSHI);
    // --tornado needs the changes as --set-b overrides.
    ecoband()
        .arg("compare")
        .arg(&moshi)
        .arg(common::repo_file("scenarios/bloom.toml"))
        .arg("--tornado")
        .assert()
        .code(2)
        .stderr(contains("--set-b"));
    ecoband()
        .arg("compare")
        .arg(&moshi)
        .args(["--set-b", "datacenter.peu=1.2"])
        .assert()
        .code(2)
        .stderr(contains("--set-b datacenter.peu=1.2"))
        .stderr(contains("did you mean `datacenter.pue`?"));
    ecoband()
        .arg("compare")
        .arg(common::repo_file("scenarios/bloom.toml"))
        .args(["--set-b", "datacenter.pue=1.3"])
        .assert()
        .code(2)
        .stderr(contains("apply_pue = false"));
    // A footprint scenario and a test function have no series in common.
    ecoband()
        .arg("compare")
        .arg(&moshi)
        .arg(common::repo_file("scenarios/test-functions/ishigami.toml"))
        .args(["--samples", "100"])
        .assert()
        .code(2)
        .stderr(contains("no output series in common"));
}

#[test]
fn comparison_is_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "8"] {
        let out = dir.path().join(format!("c{threads}.json"));
        ecoband()
            .arg("compare")
            .arg(common::repo_file(MOSHI))
            .args([
                "--samples",
                "30000",
                "--set-b",
                "electricity.preset=DEU",
                "--threads",
                threads,
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        outputs.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn crn_keys_inventory_rows_by_their_name_not_their_position() {
    // Moving the last inventory row first shifts every other row's index:
    // each row keeps its random numbers (keyed by its name), so B − A is 0
    // up to the rounding of rows summed in another order (keyed by
    // position, it would be as wide as A itself).
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::repo_file(MOSHI)).unwrap();
    let first = text.find("[[inventory]]").unwrap();
    let last = text.rfind("[[inventory]]").unwrap();
    let end = text[last..]
        .find("\n\n")
        .map_or(text.len(), |e| last + e + 1);
    let moved = format!(
        "{}{}\n{}{}",
        &text[..first],
        &text[last..end],
        &text[first..last],
        &text[end..]
    );
    assert_ne!(moved, text);
    let b = dir.path().join("moved.toml");
    std::fs::write(&b, moved).unwrap();
    let r = compare(&["--samples", "20000"], &[b.as_path()], dir.path());
    for (name, s) in every_series(&r) {
        let scale = s["a"]["sd"].as_f64().unwrap() + s["a"]["mean"].as_f64().unwrap().abs();
        let d = s["difference"]["sd"].as_f64().unwrap();
        assert!(d <= 1e-12 * scale, "{name}: sd of B − A {d}, scale {scale}");
    }
}

#[test]
fn the_tornado_interaction_is_the_closed_form_one() {
    // MINIMAL: 400 kWh of IT energy, PUE 1.2, grid 0.1 kgCO2e/kWh, every
    // input fixed. GWP of use = E · PUE · g, so raising PUE by ΔP and g by
    // Δg gives E·ΔP·g + E·PUE·Δg alone and E·ΔP·Δg = 400 · 0.3 · 0.1 =
    // 12 kg together beyond their sum.
    let dir = tempfile::tempdir().unwrap();
    let a = common::write_scenario(dir.path(), "minimal.toml", common::MINIMAL);
    let out = dir.path().join("t.json");
    ecoband()
        .arg("compare")
        .arg(&a)
        .args(["-n", "1000", "--set-b", "datacenter.pue=1.5"])
        .args(["--set-b", "electricity.gwp=0.2", "--tornado", "--out"])
        .arg(&out)
        .assert()
        .success();
    let t = &json(&out)["tornado"]["gwp"];
    let close = |x: &Value, want: f64| {
        let x = x.as_f64().unwrap();
        assert!((x - want).abs() <= 1e-9 * want, "{x} vs {want}");
    };
    close(&t["interaction"], 12.0);
    close(&t["mean_difference"], 400.0 * (1.5 * 0.2 - 1.2 * 0.1));
    close(&t["changes"][0]["mean_difference"], 400.0 * 1.2 * 0.1);
    close(&t["changes"][1]["mean_difference"], 400.0 * 0.3 * 0.1);
    // A change that is not valid alone fails before anything runs.
    ecoband()
        .arg("compare")
        .arg(common::repo_file(MOSHI))
        .args(["--set-b", "datacenter.preset=hyperscaler"])
        .args(["--set-b", "datacenter.peu=1.3", "--tornado"])
        .assert()
        .code(2)
        .stderr(contains("did you mean"));
}
