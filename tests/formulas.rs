//! Formulas (`{ expr = "…", unit = "…" }`): arithmetic and units through the
//! expression, derived values recomputed wherever factors change (Sobol'
//! design rows), and a refusal (exit 2, file:line, key path, no output
//! file) for each kind of bad formula.

mod common;

use assert_cmd::Command;
use common::{MINIMAL, repo_file, write_scenario};

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

/// Runs `args` on `text` and returns the JSON written to `--out`.
fn json_of(text: &str, command: &str, args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "f.toml", text);
    let out = dir.path().join("out.json");
    ecoband()
        .arg(command)
        .arg(&path)
        .args(args)
        .args(["-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

fn with_params(params: &str, from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "test bug: `{from}`");
    let text = MINIMAL.replacen(from, to, 1);
    text.replacen(
        "[datacenter]",
        &format!("[parameters]\n{params}\n\n[datacenter]"),
        1,
    )
}

/// Baseline total GWP of a scenario.
fn baseline_gwp(text: &str) -> f64 {
    let v = json_of(text, "run", &["--samples", "1000"]);
    v["impacts"]["gwp"]["baseline"].as_f64().unwrap()
}

/// The baseline GWP of MINIMAL with `gpu_hours` given by a formula: per
/// GPU-hour, 0.4 kW × 1.2 × 0.1 of usage plus 2000 / (8 × 5 × 8760) embodied.
fn hours_gwp(params: &str, expr: &str) -> f64 {
    let text = with_params(params, "gpu_hours = 1000", &format!("gpu_hours = {expr}"));
    println!("gpu_hours = {expr}");
    baseline_gwp(&text)
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
}

#[test]
fn arithmetic_functions_and_units() {
    let usage = |h: f64| h * (0.4 * 1.2 * 0.1 + 2000.0 / (8.0 * 5.0 * 8760.0));
    let p = "x = 3\ny = 4";
    close(
        hours_gwp(p, r#"{ expr = "x * y * 100 [GPU-h]" }"#),
        usage(1200.0),
    );
    close(
        hours_gwp(p, r#"{ expr = "((x + y) ^ 2 - -x^2) * 1 [GPU-h]" }"#),
        usage(58.0),
    );
    close(
        hours_gwp(p, r#"{ expr = "(1e3 / y / 2 + 0.5) * 1 [GPU-h]" }"#),
        usage(125.5),
    );
    close(
        hours_gwp(
            p,
            r#"{ expr = "min(x, y, 10) * max(x, y) * 2^3^2 * 1 [GPU-h]" }"#,
        ),
        usage(6144.0),
    );
    close(
        hours_gwp(p, r#"{ expr = "sqrt(y) * exp(ln(x)) * 100 [GPU-h]" }"#),
        usage(600.0),
    );
    // Units: months in "month", the result in GPU-h: n × months × 730 × u.
    let p = r#"n_gpus = { value = 8, unit = "GPU" }
months = { value = 3, unit = "month" }
utilisation = 0.7"#;
    close(
        hours_gwp(
            p,
            r#"{ expr = "n_gpus * months * utilisation", unit = "GPU-h" }"#,
        ),
        usage(8.0 * 3.0 * 730.0 * 0.7),
    );
    // A bracketed literal converts: 2 GPU-days are 48 GPU-h; 50 % is 0.5.
    close(
        hours_gwp("k = 10", r#"{ expr = "k * 2 [GPU-days] * 50 [%]" }"#),
        usage(240.0),
    );
    // A formula parameter over another, in the order the names need.
    let p = r#"total = { expr = "half * 2", unit = "GPU-h" }
half = { expr = "base / 2", unit = "GPU-h" }
base = { value = 1, unit = "GPU-years" }"#;
    close(hours_gwp(p, r#""total""#), usage(8760.0));
}

/// The bundled formula scenario: 8 GPUs × U(2, 4) months × U(0.5, 0.9).
#[test]
fn formula_scenario_matches_its_precomputed_twin() {
    let text = std::fs::read_to_string(repo_file("tests/data/formula.toml")).unwrap();
    let formula = json_of(&text, "run", &["--samples", "200000", "--seed", "5"]);
    // The twin: the same inputs at the nominal values, precomputed.
    let twin = text
        .replace(
            r#"hours = { expr = "n_gpus * months * utilisation", unit = "GPU-h" }"#,
            "hours = { value = 12264, unit = \"GPU-h\" }",
        )
        .replace(r#"pue = { expr = "1 + 0.1 * utilisation" }"#, "pue = 1.07")
        .replace(
            r#"gpu_power_w = { expr = "max(400 [W], 0.5 [kW] * utilisation)" }"#,
            "gpu_power_w = 400",
        );
    let twin = json_of(&twin, "run", &["--samples", "1000"]);
    let (a, b) = (
        formula["impacts"]["gwp"]["baseline"].as_f64().unwrap(),
        twin["impacts"]["gwp"]["baseline"].as_f64().unwrap(),
    );
    close(a, b);
    // Mean by hand: E[hours] = 8 × 3 × 730 × 0.7; the power and PUE terms
    // depend on u too, so compare with a direct numerical integration.
    let mut sum = 0.0;
    let n = 2000;
    for i in 0..n {
        for j in 0..n {
            let months = 2.0 + 2.0 * (i as f64 + 0.5) / n as f64;
            let u = 0.5 + 0.4 * (j as f64 + 0.5) / n as f64;
            let hours = 8.0 * months * 730.0 * u;
            let kw = (0.5 * u).max(0.4);
            let pue = 1.0 + 0.1 * u;
            sum += hours * kw * pue * 0.1 + hours / 8.0 / (5.0 * 8760.0) * 2000.0;
        }
    }
    let want = sum / (n * n) as f64;
    let gwp = &formula["impacts"]["gwp"];
    let (mean, se) = (
        gwp["mean"].as_f64().unwrap(),
        gwp["mc_se_mean"].as_f64().unwrap(),
    );
    println!("formula scenario: mean {mean} ± {se} (se), by integration {want}");
    assert!((mean - want).abs() < 4.0 * se, "{mean} ± {se} vs {want}");
}

#[test]
fn identical_json_across_threads() {
    let text = std::fs::read_to_string(repo_file("tests/data/formula.toml")).unwrap();
    let one = json_of(&text, "run", &["--samples", "50000", "--threads", "1"]);
    let two = json_of(&text, "run", &["--samples", "50000", "--threads", "2"]);
    assert_eq!(one["impacts"], two["impacts"]);
}

/// y ∝ a·b with a, b ~ U(1, 2) independent: S1 = E[b]²Var(a)/Var(y) =
/// 0.1875 / 0.381944 = 0.49091, ST = 1 − S1(other) = 0.50909; the indices
/// are on the parameters a and b, never on the derived product.
#[test]
fn sobol_indices_stay_on_the_parameters() {
    let text = std::fs::read_to_string(repo_file("tests/data/formula_product.toml")).unwrap();
    let v = json_of(&text, "sobol", &["--n-base", "8192"]);
    let indices = v["sobol"]["gwp"]["total"]["indices"].as_array().unwrap();
    let var_y = (7.0f64 / 3.0).powi(2) - 1.5f64.powi(4);
    let s1 = 2.25 / 12.0 / var_y;
    let names: Vec<&str> = indices
        .iter()
        .map(|i| i["factor"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    for i in indices {
        let (got_s1, got_st) = (i["s1"].as_f64().unwrap(), i["st"].as_f64().unwrap());
        println!(
            "{}: S1 {got_s1} (analytic {s1}), ST {got_st} (analytic {})",
            i["factor"],
            1.0 - s1
        );
        assert!((got_s1 - s1).abs() < 2e-3, "{got_s1} vs {s1}");
        assert!((got_st - (1.0 - s1)).abs() < 2e-3, "{got_st}");
    }
}

/// `run --out` on `text` is refused: exit 2, `bad.toml:LINE:`, every
/// fragment, and no output file.
fn assert_refused(text: &str, line: usize, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "bad.toml", text);
    let out = dir.path().join("result.json");
    let output = ecoband()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stderr}");
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let place = format!("bad.toml:{line}:");
    assert!(stderr.contains(&place), "expected `{place}` in: {stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "expected `{f}` in: {stderr}");
    }
    assert!(!out.exists());
}

/// The line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn hours_case(params: &str, expr: &str) -> (String, usize) {
    let text = with_params(params, "gpu_hours = 1000", &format!("gpu_hours = {expr}"));
    let line = line_of(&text, "gpu_hours =");
    (text, line)
}

#[test]
fn refuses_a_syntax_error_with_its_column() {
    let (text, line) = hours_case("x = 1", r#"{ expr = "x * * 2" }"#);
    assert_refused(
        &text,
        line,
        &[
            "`inventory[0].gpu_hours.expr`",
            "syntax error",
            "column 5",
            "x * * 2\n        ^",
        ],
    );
}

#[test]
fn refuses_an_unknown_name() {
    let (text, line) = hours_case("x = 1\ny = 2", r#"{ expr = "x * z" }"#);
    assert_refused(
        &text,
        line,
        &[
            "`inventory[0].gpu_hours`",
            "unknown name `z`",
            "defined: x, y",
        ],
    );
}

#[test]
fn refuses_a_cycle() {
    let params = "a = { expr = \"b * 2\" }\nb = { expr = \"a + 1\" }";
    let (text, _) = hours_case(params, "\"a\"");
    let line = line_of(&text, "a = { expr");
    assert_refused(&text, line, &["`parameters.a`", "cycle: a -> b -> a"]);
}

#[test]
fn refuses_a_dimension_mismatch_naming_the_terms() {
    let params = "n = { value = 8, unit = \"GPU\" }\nm = { value = 2, unit = \"month\" }\nh = { value = 5, unit = \"h\" }";
    let (text, line) = hours_case(params, r#"{ expr = "n * m + h" }"#);
    assert_refused(
        &text,
        line,
        &[
            "cannot add `n * m` (GPU·h) and `h` (h)",
            "`inventory[0].gpu_hours`",
        ],
    );
    // The result's dimension against the input's, with the hint.
    let (text, line) = hours_case("months = 3", r#"{ expr = "8 * months * 730" }"#);
    assert_refused(
        &text,
        line,
        &["gives 1 (dimensionless)", "GPU-h (GPU·h)", "bare numbers"],
    );
}

#[test]
fn refuses_ln_of_a_range_reaching_zero() {
    let params = "x = { dist = \"uniform\", min = -1, max = 2 }";
    let (text, line) = hours_case(params, r#"{ expr = "1000 * ln(x + 1)", unit = "GPU-h" }"#);
    assert_refused(
        &text,
        line,
        &["`ln` needs an argument > 0", "`x + 1` ranges over [0, 3]"],
    );
}

#[test]
fn refuses_a_range_outside_the_physical_bound() {
    let text = with_params(
        "u = { dist = \"uniform\", min = 0, max = 1 }",
        "pue = 1.2",
        "pue = { expr = \"0.9 + 0.5 * u\" }",
    );
    assert_refused(
        &text,
        line_of(&text, "pue ="),
        &["`datacenter.pue`", "must be ≥ 1", "[0.9, 1.4]"],
    );
}

#[test]
fn refuses_an_unknown_unit() {
    let (text, line) = hours_case("x = 1", r#"{ expr = "x * 3 [fortnights]" }"#);
    assert_refused(&text, line, &["unknown unit `fortnights`"]);
    let (text, line) = hours_case("x = 1", r#"{ expr = "x", unit = "GPU-fortnights" }"#);
    assert_refused(
        &text,
        line,
        &["`inventory[0].gpu_hours.unit`", "unknown unit"],
    );
}

#[test]
fn check_lists_derived_values_and_folded_constants() {
    let text = std::fs::read_to_string(repo_file("tests/data/formula.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "f.toml", &text);
    let out = ecoband().arg("check").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("derived: 3 value(s)"), "{stdout}");
    assert!(stdout.contains("n_gpus * months * utilisation"), "{stdout}");
    assert!(stdout.contains("2 uncertain factor(s)"), "{stdout}");
    let folded = with_params(
        "x = 3",
        "gpu_hours = 1000",
        "gpu_hours = { expr = \"x * 2 [GPU-h]\" }",
    );
    let path = write_scenario(dir.path(), "g.toml", &folded);
    let out = ecoband().arg("check").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("6 = x * 2 [GPU-h]"), "{stdout}");
}
