//! `[correlations]`: Spearman rank correlations imposed by a Gaussian copula
//! on the uniforms. Sampled rank correlations within Monte Carlo error of the
//! requested ones, marginals unchanged, a product of two correlated
//! lognormals against its closed form, the refusals (exit 2, file:line, key
//! path, no output file), thread-count independence, and what `sobol` and
//! `tornado` say.

mod common;

use assert_cmd::Command;
use ecoband::model::{FactorKind, Model, ValueBlock, compile};
use ecoband::sample::{MonteCarlo, PointSource};
use ecoband::scenario::Scenario;

/// A footprint scenario with correlations to fill in (`CORRELATIONS`).
const FOOTPRINT: &str = r#"[scenario]
name = "correlated footprint"

[choices.source]
options = ["x", "y"]

[shares.split]
total = { dist = "lognormal", median = 1000, gsd = 1.2 }
shares = { a = 0.4, b = 0.6 }
concentration = 20

[datacenter]
pue = { dist = "triangular", min = 1.1, mode = 1.2, max = 1.6 }
wue_onsite = { dist = "uniform", min = 0.2, max = 1.0 }

[electricity]
gwp = { dist = "lognormal", median = 0.1, gsd = 1.4 }
pe = { dist = "normal", mean = 10, sd = 1, min = 5, max = 15 }
adp = 1e-8
water = { dist = "uniform", min = 1, max = 3 }

[profiles.node]
gpus_per_node = 8
gpu_power_w = { dist = "pert", min = 300, mode = 400, max = 450 }
lifetime_years = 5

[profiles.node.embodied.server]
count = 1
gwp = { choice = "source", values = { x = 2000, y = 2600 } }

[[inventory]]
name = "a"
share = "split.a"
tags = { category = "final" }

[[inventory]]
name = "b"
share = "split.b"
tags = { category = "other" }

[correlations]
CORRELATIONS
"#;

const VALID: &str = r#"pue_wue = { factors = ["datacenter.pue", "datacenter.wue_onsite"], spearman = 0.6, source = "same cooling design" }
grid = { factors = ["electricity.gwp", "electricity.pe"], spearman = 0.8, source = "same generation mix" }
grid_water = { factors = ["electricity.pe", "electricity.water"], spearman = -0.4 }"#;

fn footprint(correlations: &str) -> String {
    FOOTPRINT.replace("CORRELATIONS", correlations)
}

fn model_of(text: &str) -> Model {
    let scenario = Scenario::parse("test.toml", text).unwrap();
    compile(&scenario).unwrap()
}

/// Each factor's values over `n` Monte Carlo samples, drawn block by block
/// as the engines draw them.
fn draw(model: &Model, n: usize) -> Vec<Vec<f64>> {
    let points = MonteCarlo::new(11);
    let mut block = ValueBlock::new(model, 64);
    let mut u = vec![0.0; model.n_dims];
    let mut row = vec![0.0; model.n_slots];
    let mut values = vec![Vec::with_capacity(n); model.n_slots];
    let mut first = 0;
    while first < n {
        let len = (n - first).min(64);
        for s in 0..len {
            points.point((first + s) as u64, &mut u);
            block.set_point(s, &u);
        }
        block.len = len;
        model.values_from_uniforms_block(&mut block);
        for s in 0..len {
            block.values_of(s, &mut row);
            for (v, x) in values.iter_mut().zip(&row) {
                v.push(*x);
            }
        }
        first += len;
    }
    values
}

fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    for (rank, &i) in order.iter().enumerate() {
        r[i] = rank as f64;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

fn slot(model: &Model, name: &str) -> usize {
    model
        .factors
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no factor {name}"))
        .slots
        .start
}

#[test]
fn sampled_rank_correlations_match_the_requested_ones() {
    let model = model_of(&footprint(VALID));
    assert_eq!(model.correlated.len(), 2, "two correlated sets");
    let n = 40_000;
    let values = draw(&model, n);
    // The grid set's pair no entry names (gwp, water) has copula
    // correlation 0, so its rank correlation is 0 too.
    for (a, b, rho) in [
        ("datacenter.pue", "datacenter.wue_onsite", 0.6),
        ("electricity.gwp", "electricity.pe", 0.8),
        ("electricity.pe", "electricity.water", -0.4),
        ("electricity.gwp", "electricity.water", 0.0),
        ("datacenter.pue", "electricity.gwp", 0.0),
        ("profiles.node.gpu_power_w", "datacenter.pue", 0.0),
    ] {
        let got = spearman(&values[slot(&model, a)], &values[slot(&model, b)]);
        // Standard error of a sample Spearman correlation, about
        // (1 − ρ²)/√(n − 1) (generous: the exact one is smaller for a
        // Gaussian copula); allow 4 of them.
        let se = (1.0 - rho * rho) / ((n - 1) as f64).sqrt();
        println!(
            "{a} ~ {b}: requested {rho}, sampled {got:.4} (4 se = {:.4})",
            4.0 * se
        );
        assert!(
            (got - rho).abs() < 4.0 * se,
            "{a} ~ {b}: sampled {got}, requested {rho}"
        );
    }
}

#[test]
fn marginal_quantiles_are_unchanged() {
    let model = model_of(&footprint(VALID));
    let n = 40_000;
    let values = draw(&model, n);
    for name in [
        "datacenter.pue",
        "datacenter.wue_onsite",
        "electricity.gwp",
        "electricity.pe",
        "electricity.water",
    ] {
        let f = model.factors.iter().find(|f| f.name == name).unwrap();
        let FactorKind::Scalar(d) = &f.kind else {
            panic!("{name} is scalar")
        };
        let mut x = values[f.slots.start].clone();
        x.sort_by(f64::total_cmp);
        for p in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let q = x[((p * n as f64) as usize).min(n - 1)];
            // The declared CDF at the sample quantile is within Monte
            // Carlo error of p: 4 standard errors of a proportion.
            let got = d.cdf(q);
            let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
            println!(
                "{name}: p = {p}, sample quantile {q:.5}, inverse CDF {:.5}, F(quantile) = {got:.5} (±{tol:.5})",
                d.inverse_cdf(p)
            );
            assert!((got - p).abs() < tol, "{name} at p = {p}: F = {got}");
        }
    }
}

#[test]
fn block_transform_equals_the_per_sample_transform() {
    common::assert_block_equals_single(&model_of(&footprint(VALID)), "correlated");
}

/// X1 · X2 with log Xi ~ N(0, σi²) and the copula's normals correlated with
/// r = 2 sin(π ρ_s / 6): log(X1 X2) ~ N(0, σ1² + σ2² + 2 r σ1 σ2), so
/// E = exp(s²/2) and Var = (exp(s²) − 1) exp(s²).
#[test]
fn product_of_correlated_lognormals_matches_its_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    let (s1, s2, rho) = (0.3f64, 0.5f64, 0.6f64);
    let text = format!(
        r#"[scenario]
name = "correlated product"
model = "product"

[parameters]
x1 = {{ dist = "lognormal", mu = 0, sigma = {s1} }}
x2 = {{ dist = "lognormal", mu = 0, sigma = {s2} }}

[correlations]
x = {{ factors = ["x1", "x2"], spearman = {rho} }}
"#
    );
    let path = common::write_scenario(dir.path(), "product.toml", &text);
    let out = dir.path().join("run.json");
    let n = 1_000_000u64;
    Command::cargo_bin("ecoband")
        .unwrap()
        .args(["run", "--samples", &n.to_string(), "--seed", "3", "--out"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let y = &json["impacts"]["y"];
    let (mean, sd, se_mean) = (
        y["mean"].as_f64().unwrap(),
        y["sd"].as_f64().unwrap(),
        y["mc_se_mean"].as_f64().unwrap(),
    );
    let r = 2.0 * (std::f64::consts::PI * rho / 6.0).sin();
    let s2_sum = s1 * s1 + s2 * s2 + 2.0 * r * s1 * s2;
    let exact_mean = (s2_sum / 2.0).exp();
    let exact_sd = ((s2_sum.exp() - 1.0) * s2_sum.exp()).sqrt();
    let independent_mean = ((s1 * s1 + s2 * s2) / 2.0).exp();
    // The standard error of a sample sd: sd · √((κ − 1) / 4n), κ the
    // lognormal's kurtosis.
    let kurtosis =
        (4.0 * s2_sum).exp() + 2.0 * (3.0 * s2_sum).exp() + 3.0 * (2.0 * s2_sum).exp() - 3.0;
    let se_sd = exact_sd * ((kurtosis - 1.0) / (4.0 * n as f64)).sqrt();
    println!(
        "mean {mean:.5} vs closed form {exact_mean:.5} (4 se = {:.5}; independent: {independent_mean:.5}); sd {sd:.5} vs {exact_sd:.5} (4 se = {:.5})",
        4.0 * se_mean,
        4.0 * se_sd
    );
    assert!((mean - exact_mean).abs() < 4.0 * se_mean);
    assert!((sd - exact_sd).abs() < 4.0 * se_sd);
    assert!((independent_mean - exact_mean).abs() > 20.0 * se_mean);
}

/// Every refusal: exit 2, file:line:column and key path, no output file.
fn refused(text: &str, line: usize, key_path: &str, says: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "bad.toml", text);
    for command in ["run", "sobol"] {
        let out = dir.path().join("result.json");
        let output = Command::cargo_bin("ecoband")
            .unwrap()
            .arg(command)
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        let place = format!("bad.toml:{line}:");
        assert!(
            stderr.contains(&place),
            "{command}: wants {place}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("`{key_path}`")),
            "{command}: wants `{key_path}`: {stderr}"
        );
        for s in says {
            assert!(stderr.contains(s), "{command}: wants {s:?}: {stderr}");
        }
        assert!(!out.exists(), "{command} left {}", out.display());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

/// The line `[correlations]` entries start on in `FOOTPRINT`.
fn first_entry_line() -> usize {
    FOOTPRINT.lines().position(|l| l == "CORRELATIONS").unwrap() + 1
}

#[test]
fn refusals_name_file_line_and_key_path() {
    let line = first_entry_line();
    let one = |entry: &str| footprint(entry);
    refused(
        &one(r#"c = { factors = ["datacenter.pue", "datacenter.wue"], spearman = 0.5 }"#),
        line,
        "correlations.c.factors[1]",
        &[
            "`datacenter.wue` is not an uncertain factor",
            "datacenter.wue_onsite",
        ],
    );
    refused(
        &one(r#"c = { factors = ["source", "datacenter.pue"], spearman = 0.5 }"#),
        line,
        "correlations.c.factors[0]",
        &["is a choice", "no order"],
    );
    refused(
        &one(r#"c = { factors = ["datacenter.pue", "split"], spearman = 0.5 }"#),
        line,
        "correlations.c.factors[1]",
        &["is a share set"],
    );
    refused(
        &one(r#"c = { factors = ["datacenter.pue", "electricity.adp"], spearman = 0.5 }"#),
        line,
        "correlations.c.factors[1]",
        &["is a constant"],
    );
    refused(
        &one(r#"c = { factors = ["datacenter.pue", "datacenter.pue"], spearman = 0.5 }"#),
        line,
        "correlations.c.factors[1]",
        &["twice"],
    );
    refused(
        &one(
            "c = { factors = [\"datacenter.pue\", \"datacenter.wue_onsite\"], spearman = 0.5 }\nd = { factors = [\"datacenter.wue_onsite\", \"datacenter.pue\"], spearman = 0.2 }",
        ),
        line + 1,
        "correlations.d.factors",
        &["already correlated by `correlations.c`"],
    );
    for bad in ["1", "-1", "1.5", "\"high\""] {
        refused(
            &one(&format!(
                r#"c = {{ factors = ["datacenter.pue", "datacenter.wue_onsite"], spearman = {bad} }}"#
            )),
            line,
            "correlations.c.spearman",
            &["strictly between -1 and 1"],
        );
    }
    refused(
        &one(r#"c = { factors = ["datacenter.pue"], spearman = 0.5 }"#),
        line,
        "correlations.c.factors",
        &["exactly two factors"],
    );
    refused(
        &one(r#"c = { factors = ["datacenter.pue", "datacenter.wue_onsite"], rho = 0.5 }"#),
        line,
        "correlations.c.rho",
        &["unknown key `rho`"],
    );
    // A factor without effect: the PUE under apply_pue = false.
    let text = footprint(
        r#"c = { factors = ["datacenter.pue", "datacenter.wue_onsite"], spearman = 0.5 }"#,
    )
    .replace(
        "[datacenter]\n",
        "[conventions]\napply_pue = false\n\n[datacenter]\n",
    );
    refused(
        &text,
        line + 3,
        "correlations.c.factors[0]",
        &["has no effect", "apply_pue = false", "remove this entry"],
    );
}

const NOT_PD: &str = r#"ab = { factors = ["electricity.gwp", "electricity.pe"], spearman = 0.9, source = "s" }
bc = { factors = ["electricity.pe", "electricity.water"], spearman = 0.9 }
ac = { factors = ["electricity.gwp", "electricity.water"], spearman = -0.9 }"#;

#[test]
fn a_matrix_not_positive_definite_is_refused_with_a_valid_suggestion() {
    let line = first_entry_line();
    refused(
        &footprint(NOT_PD),
        line + 2,
        "correlations.ac",
        &["not positive definite", "Higham", "nearest valid"],
    );
    // The suggestion, pasted in place of the entries, is accepted.
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "bad.toml", &footprint(NOT_PD));
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let suggested: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("    ") && l.contains("spearman ="))
        .map(str::trim)
        .collect();
    println!("suggested:\n{}", suggested.join("\n"));
    assert_eq!(suggested.len(), 3, "{stderr}");
    let pasted =
        common::write_scenario(dir.path(), "pasted.toml", &footprint(&suggested.join("\n")));
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .arg("check")
        .arg(&pasted)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("correlations (Gaussian copula"), "{stdout}");
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "c.toml", &footprint(VALID));
    for command in [
        vec!["run", "--samples", "20000"],
        vec!["sobol", "--n-base", "256"],
    ] {
        let mut outputs = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.path().join(format!("{}-{threads}.json", command[0]));
            Command::cargo_bin("ecoband")
                .unwrap()
                .args(&command)
                .args(["--threads", threads, "--out"])
                .arg(&out)
                .arg(&path)
                .assert()
                .success();
            outputs.push(std::fs::read(&out).unwrap());
        }
        assert_eq!(outputs[0], outputs[1], "{}", command[0]);
    }
}

#[test]
fn sobol_analyses_each_correlated_set_as_one_group_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "c.toml", &footprint(VALID));
    let out = dir.path().join("sobol.json");
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .args(["sobol", "--n-base", "512", "--second-order", "--out"])
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8_lossy(&output.stdout);
    println!("{table}");
    assert!(table.contains(
        "note: factors `datacenter.pue`, `datacenter.wue_onsite` are correlated ([correlations].pue_wue): analysed as one group"
    ));
    assert!(table.contains("indices of dependent inputs are not the classical ones"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let correlated = json["correlated"].as_array().unwrap();
    assert_eq!(correlated.len(), 2);
    assert_eq!(correlated[0]["group"], "correlated: pue_wue");
    assert_eq!(correlated[1]["group"], "correlated: grid, grid_water");
    assert_eq!(
        correlated[1]["factors"],
        serde_json::json!(["electricity.gwp", "electricity.pe", "electricity.water"])
    );
    let members = [
        "datacenter.pue",
        "datacenter.wue_onsite",
        "electricity.gwp",
        "electricity.pe",
        "electricity.water",
    ];
    let series = &json["sobol"]["gwp"]["total"];
    let indices: Vec<&str> = series["indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["factor"].as_str().unwrap())
        .collect();
    assert!(
        indices.contains(&"profiles.node.gpu_power_w"),
        "{indices:?}"
    );
    for m in members {
        assert!(!indices.contains(&m), "{m} has its own index: {indices:?}");
    }
    let groups: Vec<&str> = series["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["factor"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        ["correlated: pue_wue", "correlated: grid, grid_water"]
    );
    // Second order over units: no pair names a member alone.
    for pair in series["s2"].as_array().unwrap() {
        for f in pair["factors"].as_array().unwrap() {
            assert!(!members.contains(&f.as_str().unwrap()), "{pair}");
        }
    }
    // The automatic group carries the grid's effect on GWP.
    let grid = &series["groups"][1];
    assert!(grid["st"].as_f64().unwrap() > 0.1, "{grid}");
}

#[test]
fn tornado_says_correlated_factors_are_varied_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "c.toml", &footprint(VALID));
    let output = Command::cargo_bin("ecoband")
        .unwrap()
        .arg("tornado")
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains(
            "are correlated ([correlations].pue_wue): one at a time, each is varied alone"
        ),
        "{table}"
    );
}

#[test]
fn correlations_are_allowed_in_test_function_scenarios() {
    let text = r#"[scenario]
name = "t"
model = "product"

[parameters]
a = { dist = "uniform", min = 1, max = 2 }
b = { dist = "uniform", min = 1, max = 2 }

[correlations]
ab = { factors = ["a", "b"], spearman = -0.5 }
"#;
    let model = model_of(text);
    assert_eq!(model.correlated.len(), 1);
    assert_eq!(model.units().len(), 1);
}

/// A declared group holding part of a correlated set is swapped with the
/// whole set: its indices are exactly the set's.
#[test]
fn a_declared_group_takes_a_correlated_set_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = footprint(VALID).replace(
        "[correlations]\n",
        "[groups]\ncooling = [\"datacenter.pue\"]\n\n[correlations]\n",
    );
    let path = common::write_scenario(dir.path(), "c.toml", &text);
    let out = dir.path().join("sobol.json");
    Command::cargo_bin("ecoband")
        .unwrap()
        .args(["sobol", "--n-base", "256", "--out"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let groups = json["sobol"]["gwp"]["total"]["groups"].as_array().unwrap();
    assert_eq!(groups[0]["factor"], "correlated: pue_wue");
    assert_eq!(groups[2]["factor"], "cooling");
    assert_eq!(groups[0]["st"], groups[2]["st"]);
    assert_eq!(groups[0]["s1"], groups[2]["s1"]);
}
