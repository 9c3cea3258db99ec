//! Bad input gets a clear error and exit code 2, never a panic: the message
//! names the file, the line, the key path, what was wrong and what is allowed.

mod common;

use assert_cmd::Command;
use common::{MINIMAL, write_scenario};

/// Replaces `from` in the minimal scenario (which must contain it) by `to`.
fn variant(from: &str, to: &str) -> String {
    assert!(
        MINIMAL.contains(from),
        "test bug: `{from}` not in the template"
    );
    MINIMAL.replacen(from, to, 1)
}

/// Runs `ecoband check` on `text`; asserts exit 2, no panic, and that stderr
/// holds the file name, `file:LINE:` and every fragment.
fn assert_refused(text: &str, line: usize, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "bad.toml", text);
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let place = format!("bad.toml:{line}:");
    assert!(stderr.contains(&place), "expected `{place}` in: {stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "expected `{f}` in: {stderr}");
    }
}

#[test]
fn minimal_template_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "ok.toml", MINIMAL);
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("check")
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn unknown_top_level_key() {
    let text = format!("{MINIMAL}\n[colour]\nred = 1\n");
    let line = text.lines().position(|l| l == "[colour]").unwrap() + 1;
    assert_refused(
        &text,
        line,
        &["`colour`", "unknown key", "allowed keys:", "datacenter"],
    );
}

#[test]
fn unknown_nested_key() {
    let text = variant("wue_onsite = 0.5", "wue_onsite = 0.5\npeu = 1.3");
    assert_refused(
        &text,
        7,
        &[
            "`datacenter.peu`",
            "unknown key `peu`",
            "allowed keys: pue, wue_onsite",
        ],
    );
}

#[test]
fn unknown_distribution() {
    let text = variant(
        "pue = 1.2",
        r#"pue = { dist = "gaussian", mean = 1.2, sd = 0.1 }"#,
    );
    assert_refused(
        &text,
        5,
        &[
            "datacenter.pue.dist",
            "unknown distribution `gaussian`",
            "triangular",
        ],
    );
}

#[test]
fn min_greater_than_max() {
    let text = variant(
        "pue = 1.2",
        r#"pue = { dist = "uniform", min = 1.5, max = 1.1 }"#,
    );
    assert_refused(&text, 5, &["`datacenter.pue`", "min", "max"]);
}

#[test]
fn mode_outside_range() {
    let text = variant(
        "pue = 1.2",
        r#"pue = { dist = "triangular", min = 1.1, mode = 2.0, max = 1.5 }"#,
    );
    assert_refused(&text, 5, &["`datacenter.pue`", "mode"]);
}

#[test]
fn negative_standard_deviation() {
    let text = variant(
        "gwp = 0.1",
        r#"gwp = { dist = "normal", mean = 0.1, sd = -0.02, min = 0 }"#,
    );
    assert_refused(&text, 9, &["`electricity.gwp`", "sd"]);
}

#[test]
fn geometric_sd_below_one() {
    let text = variant(
        "gwp = 0.1",
        r#"gwp = { dist = "lognormal", median = 0.1, gsd = 0.8 }"#,
    );
    assert_refused(&text, 9, &["`electricity.gwp`", "gsd"]);
}

#[test]
fn lognormal_with_mixed_parameterisations() {
    let text = variant(
        "gwp = 0.1",
        r#"gwp = { dist = "lognormal", median = 0.1, sd = 0.02 }"#,
    );
    assert_refused(&text, 9, &["`electricity.gwp`", "exactly one pair"]);
}

#[test]
fn shares_not_summing_to_one() {
    let text = variant(
        "[[inventory]]",
        "[shares.phase]\ntotal = 1000\nshares = { a = 0.5, b = 0.4 }\n\n[[inventory]]",
    );
    assert_refused(&text, 25, &["`shares.phase.shares`", "sum to 0.9", "not 1"]);
}

#[test]
fn not_a_number_and_infinity() {
    assert_refused(
        &variant("pue = 1.2", "pue = nan"),
        5,
        &["`datacenter.pue`", "not a finite number"],
    );
    assert_refused(
        &variant("pe = 10.0", "pe = inf"),
        10,
        &["`electricity.pe`", "not a finite number"],
    );
}

#[test]
fn negative_gpu_hours() {
    let text = variant("gpu_hours = 1000", "gpu_hours = -5");
    assert_refused(&text, 25, &["`inventory[0].gpu_hours`", "must be ≥ 0"]);
}

#[test]
fn unbounded_normal_gpu_hours_is_refused_with_a_hint() {
    let text = variant(
        "gpu_hours = 1000",
        r#"gpu_hours = { dist = "normal", mean = 1000, sd = 100 }"#,
    );
    assert_refused(
        &text,
        25,
        &["`inventory[0].gpu_hours`", "must be ≥ 0", "truncate"],
    );
}

#[test]
fn pue_below_one() {
    let text = variant(
        "pue = 1.2",
        r#"pue = { dist = "uniform", min = 0.9, max = 1.3 }"#,
    );
    assert_refused(&text, 5, &["`datacenter.pue`", "must be ≥ 1"]);
}

#[test]
fn probability_outside_unit_interval() {
    let text = variant(
        "lifetime_years = 5",
        "lifetime_years = 5\nlifetime_utilisation = 1.2",
    );
    assert_refused(
        &text,
        18,
        &["`profiles.node.lifetime_utilisation`", "fraction", "(0, 1]"],
    );
    let text = variant("[[inventory]]", "[settings]\nlevel = 1.5\n\n[[inventory]]");
    assert_refused(&text, 24, &["`settings.level`", "strictly between 0 and 1"]);
}

#[test]
fn undefined_parameter() {
    let text = variant("gwp = 0.1", r#"gwp = "grid_carbon""#);
    assert_refused(
        &text,
        9,
        &[
            "`electricity.gwp`",
            "undefined parameter `grid_carbon`",
            "[parameters]",
        ],
    );
}

#[test]
fn undefined_profile() {
    let text = variant("gpu_hours = 1000", "gpu_hours = 1000\nprofile = \"dgx\"");
    assert_refused(
        &text,
        26,
        &[
            "`inventory[0].profile`",
            "undefined hardware profile `dgx`",
            "defined profiles: node",
        ],
    );
}

#[test]
fn undefined_share_key() {
    let text = variant(
        "[[inventory]]",
        "[shares.phase]\ntotal = 1000\nshares = { a = 0.5, b = 0.5 }\n\n[[inventory]]",
    )
    .replace("gpu_hours = 1000", "share = \"phase.c\"");
    assert_refused(&text, 29, &["`inventory[0].share`", "no share `c`", "a, b"]);
}

#[test]
fn wrong_unit() {
    let text = variant(
        "gpu_power_w = 400",
        r#"gpu_power_w = { value = 0.4, unit = "kWh" }"#,
    );
    assert_refused(
        &text,
        16,
        &["`profiles.node.gpu_power_w`", "unit `kWh`", "W, kW"],
    );
}

#[test]
fn malformed_file() {
    let text = variant("pue = 1.2", "pue = = 1.2");
    assert_refused(&text, 5, &["malformed TOML"]);
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .args(["run", "no/such/scenario.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no/such/scenario.toml") && stderr.contains("cannot read"),
        "{stderr}"
    );
}

#[test]
fn failed_run_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "bad.toml", &variant("pue = 1.2", "pue = 0.5"));
    let out = dir.path().join("result.json");
    Command::cargo_bin("ecoband")
        .unwrap()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the scenario remains"
    );
}

#[test]
fn bad_command_line_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "ok.toml", MINIMAL);
    for args in [["--level", "1.5"], ["--samples", "1"]] {
        let output = Command::cargo_bin("ecoband")
            .unwrap()
            .arg("run")
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(args[0]));
    }
}

#[test]
fn pert_with_huge_lambda_is_refused_not_hung() {
    let text = variant(
        "pue = 1.2",
        r#"pue = { dist = "pert", min = 1.1, mode = 1.1, max = 1.5, lambda = 1e8 }"#,
    );
    assert_refused(&text, 5, &["`datacenter.pue`", "lambda", "1000"]);
}

#[test]
fn choice_weights_must_have_a_finite_sum() {
    let text = variant(
        "[[inventory]]",
        "[choices.src]\noptions = [\"a\", \"b\"]\nweights = [1e308, 1e308]\n\n[[inventory]]",
    );
    assert_refused(&text, 25, &["`choices.src.weights`", "finite sum"]);
}

#[test]
fn every_share_of_a_split_total_is_used_exactly_once() {
    let with_set = variant(
        "[[inventory]]",
        "[shares.phase]\ntotal = 1000\nshares = { a = 0.5, b = 0.5 }\n\n[[inventory]]",
    );
    // Only `a` is used: half of the total would silently vanish.
    let unused = with_set.replace("gpu_hours = 1000", "share = \"phase.a\"");
    assert_refused(
        &unused,
        23,
        &[
            "`shares.phase`",
            "share `b`",
            "used by 0 rows",
            "exactly once",
        ],
    );
    // `a` used twice: it would be counted twice.
    let twice = format!(
        "{unused}\n[[inventory]]\nshare = \"phase.a\"\n\n[[inventory]]\nshare = \"phase.b\"\n"
    );
    assert_refused(
        &twice,
        33,
        &["`inventory[1].share`", "share `a`", "used by 2 rows"],
    );
}

#[test]
fn settings_samples_below_two() {
    let text = variant("[[inventory]]", "[settings]\nsamples = 0\n\n[[inventory]]");
    assert_refused(&text, 24, &["`settings.samples`", "at least 2"]);
}

#[test]
fn load_on_a_fixed_power_profile() {
    let text = variant("gpu_power_w = 400", "gpu_power_w = 400\nload = 0.5");
    assert_refused(&text, 17, &["`profiles.node.load`", "no effect"]);
}

#[test]
fn non_finite_baseline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = variant("gpu_hours = 1000", "gpu_hours = 1e300")
        .replace("gpu_power_w = 400", "gpu_power_w = 1e300");
    let path = write_scenario(dir.path(), "huge.toml", &text);
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .arg("run")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("huge.toml") && stderr.contains("baseline of gwp"),
        "{stderr}"
    );
}

#[test]
fn non_finite_samples_are_refused() {
    // The baseline (grid factor 0.1) is finite, but with 1e160 GPU-hours
    // (4.8e159 kWh) most draws of the grid factor overflow to infinity.
    let dir = tempfile::tempdir().unwrap();
    let text = variant(
        "gwp = 0.1",
        r#"gwp = { dist = "triangular", min = 0, mode = 0.1, max = 1e150 }"#,
    )
    .replace("gpu_hours = 1000", "gpu_hours = 1e160");
    let path = write_scenario(dir.path(), "overflow.toml", &text);
    let out = dir.path().join("r.json");
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .arg("run")
        .arg(&path)
        .args(["--samples", "1000", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("some samples of gwp") && stderr.contains("not finite"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn group_naming_an_unknown_factor() {
    let text = format!(
        "{}\n[groups]\ngrid = [\"electricity.gwq\"]\n",
        variant(
            "gwp = 0.1",
            r#"gwp = { dist = "uniform", min = 0.05, max = 0.1 }"#
        )
    );
    assert_refused(
        &text,
        29,
        &[
            "`groups.grid[0]`",
            "`electricity.gwq`",
            "not an uncertain factor",
        ],
    );
}

/// A valid Ishigami scenario, varied by the test-function tests below.
const ISHIGAMI: &str = r#"[scenario]
name = "ishigami"
model = "ishigami"

[model]
a = 7
b = 0.1

[parameters]
x1 = { dist = "uniform", min = -3.14, max = 3.14 }
x2 = { dist = "uniform", min = -3.14, max = 3.14 }
x3 = { dist = "uniform", min = -3.14, max = 3.14 }
"#;

#[test]
fn test_function_scenarios_are_checked() {
    // Unknown model: the message lists every model.
    assert_refused(
        &ISHIGAMI.replace("\"ishigami\"\n", "\"ishigamy\"\n"),
        3,
        &[
            "unknown model `ishigamy`",
            "footprint, ishigami, sobol-g, linear, product",
        ],
    );
    // Too few inputs.
    let two = ISHIGAMI.replace("x3 = { dist = \"uniform\", min = -3.14, max = 3.14 }\n", "");
    assert_refused(
        &two,
        9,
        &["`ishigami` function takes exactly 3 inputs", "found 2"],
    );
    // A footprint table in a test-function scenario.
    assert_refused(
        &format!("{ISHIGAMI}\n[datacenter]\npue = 1.2\n"),
        14,
        &[
            "unknown key `datacenter`",
            "`ishigami` test function",
            "allowed keys: scenario, settings, parameters, groups, correlations, model",
        ],
    );
    // A constant the function does not have.
    assert_refused(
        &ISHIGAMI.replace("b = 0.1", "c = 0.1"),
        7,
        &[
            "unknown key `c` in [model] of the `ishigami` function",
            "allowed keys: a, b",
        ],
    );
    // Sobol' G: negative constant, and a missing constant list.
    let g = "[scenario]\nname = \"g\"\nmodel = \"sobol-g\"\n\n[model]\na = [1, -2]\n\n[parameters]\nx1 = { dist = \"uniform\", min = 0, max = 1 }\nx2 = { dist = \"uniform\", min = 0, max = 1 }\n";
    assert_refused(g, 6, &["model.a[1]", "a = -2 is not allowed", "≥ 0"]);
    let linear = "[scenario]\nname = \"l\"\nmodel = \"linear\"\n\n[parameters]\nx1 = 1\n";
    assert_refused(
        linear,
        1,
        &["`linear` function needs a [model] table with `coefficients = ["],
    );
}

/// Die area and mass are amounts for an embodied component's per-unit
/// factors, not a number of GPUs.
#[test]
fn gpus_per_node_refuses_component_units() {
    let text = variant(
        "gpus_per_node = 8",
        "gpus_per_node = { value = 8, unit = \"kg\" }",
    );
    assert_refused(
        &text,
        15,
        &[
            "profiles.node.gpus_per_node",
            "unit `kg`",
            "allowed units: 1, units",
        ],
    );
}
