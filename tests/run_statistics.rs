//! `run --exceed`, `--quantiles`, the baseline percentile, `--sampler`
//! with replicates, `--precision` and `claim`, against truths: closed-form
//! exceedance probabilities and means of product models, the coverage of
//! intervals over seeds, and the invariant that doubling N with reuse gives
//! the bits of a direct run of the final size.

mod common;

use std::path::Path;

use assert_cmd::Command;
use ecoband::app;
use ecoband::cli::SamplerKind;
use ecoband::commands::run::{ExceedSpec, RunOptions, simulate};
use predicates::str::contains;
use serde_json::Value;
use statrs::distribution::{ContinuousCDF, Normal};

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// y = x1 · x2, x1 lognormal (median 2, σ = 0.5), x2 ~ U(1, 3): the
/// shape of a footprint (activity × factor) with closed forms for its
/// mean, 2 e^{σ²/2} · 2, and for P(y > t) (below).
const PRODUCT: &str = r#"[scenario]
name = "lognormal times uniform"
model = "product"

[parameters]
x1 = { dist = "lognormal", median = 2, gsd = 1.6487212707001282, source = "test: σ = 0.5" }
x2 = { dist = "uniform", min = 1, max = 3, source = "test" }
"#;

fn product_scenario(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("product.toml");
    std::fs::write(&path, PRODUCT).unwrap();
    path
}

/// P(x1 · x2 > t) = ½ ∫₁³ P(x1 > t/u) du, by Simpson's rule on 2000
/// intervals (error far below 1e-10 for this smooth integrand).
fn exact_exceedance(t: f64) -> f64 {
    let normal = Normal::standard();
    let f = |u: f64| 1.0 - normal.cdf(((t / u).ln() - 2f64.ln()) / 0.5);
    let (a, b, n) = (1.0, 3.0, 2000);
    let h = (b - a) / n as f64;
    let mut sum = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(a + i as f64 * h);
    }
    0.5 * sum * h / 3.0
}

const EXACT_MEAN: f64 = 2.0 * 2.0 * 1.133_148_453_066_826_3; // 2 e^{0.125} · 2

#[test]
fn exceedance_matches_the_closed_form_within_four_standard_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, model) = app::load(&product_scenario(dir.path())).unwrap();
    for t in [2.0, 4.0, 8.0, 20.0] {
        let mut opts = RunOptions::monte_carlo(400_000, 11, 0.95, 0);
        opts.exceed = vec![ExceedSpec {
            given: format!("y={t}"),
            series: 0,
            threshold: t,
        }];
        let r = simulate(&scenario, &model, &opts).unwrap();
        let p = &r.exceedances[0].probability;
        let exact = exact_exceedance(t);
        assert!(
            (p.p - exact).abs() <= 4.0 * p.mc_se,
            "t = {t}: P = {} ± {}, exact {exact}",
            p.p,
            p.mc_se
        );
        assert_eq!(p.samples, 400_000);
        assert_eq!(r.exceedances[0].interval_method, "wilson");
    }
}

#[test]
fn wilson_intervals_cover_the_true_exceedance_at_their_rate() {
    // 200 seeds × 400 samples at P ≈ 0.1 (where the normal interval
    // under-covers); the count covered is Binomial(200, 0.95): sd 3.1, so
    // [180, 198] is more than ±2.5 sd.
    let dir = tempfile::tempdir().unwrap();
    let (scenario, model) = app::load(&product_scenario(dir.path())).unwrap();
    let t = 8.0;
    let exact = exact_exceedance(t);
    assert!((0.05..0.15).contains(&exact), "{exact}");
    let covered = (0..200)
        .filter(|&seed| {
            let mut opts = RunOptions::monte_carlo(400, seed, 0.95, 1);
            opts.exceed = vec![ExceedSpec {
                given: "y=8".into(),
                series: 0,
                threshold: t,
            }];
            let r = simulate(&scenario, &model, &opts).unwrap();
            let [lo, hi] = r.exceedances[0].probability.interval;
            lo <= exact && exact <= hi
        })
        .count();
    assert!((180..=198).contains(&covered), "covered {covered} of 200");
}

/// The issue asks for 88–99 % over 60 seeds; 200 seeds make the check
/// sharper (sd of the rate 1.5 points at 95 %). The lognormal's long right
/// tail skews the replicates' means (most fall a little below the truth,
/// a few far above), so Student-t intervals cover a little under their
/// level here: 91 % (sobol) and 94 % (lhs) at 95 %, as docs/output-format.md
/// states.
#[test]
fn rqmc_mean_intervals_cover_the_exact_mean_in_88_to_99_percent_of_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, model) = app::load(&product_scenario(dir.path())).unwrap();
    for sampler in [SamplerKind::Sobol, SamplerKind::Lhs] {
        let mut widths = Vec::new();
        let covered = (0..200)
            .filter(|&seed| {
                let mut opts = RunOptions::monte_carlo(8 * 1024, seed, 0.95, 1);
                opts.sampler = sampler;
                opts.replicates = 8;
                let r = simulate(&scenario, &model, &opts).unwrap();
                let s = &r.impacts["y"].total;
                widths.push(s.mean_ci[1] - s.mean_ci[0]);
                s.mean_ci[0] <= EXACT_MEAN && EXACT_MEAN <= s.mean_ci[1]
            })
            .count();
        let pct = 100.0 * covered as f64 / 200.0;
        assert!((88.0..=99.0).contains(&pct), "{sampler:?}: {pct} %");
        // And narrower than Monte Carlo's at the same N: the point of QMC.
        let mc = simulate(
            &scenario,
            &model,
            &RunOptions::monte_carlo(8 * 1024, 1, 0.95, 1),
        )
        .unwrap();
        let mc_width = mc.impacts["y"].total.mean_ci[1] - mc.impacts["y"].total.mean_ci[0];
        let median_width = {
            widths.sort_by(f64::total_cmp);
            widths[100]
        };
        assert!(
            median_width < mc_width / 2.0,
            "{sampler:?}: {median_width} vs MC {mc_width}"
        );
    }
}

#[test]
fn monte_carlo_mean_intervals_cover_at_their_rate() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, model) = app::load(&product_scenario(dir.path())).unwrap();
    let covered = (0..100)
        .filter(|&seed| {
            let r = simulate(
                &scenario,
                &model,
                &RunOptions::monte_carlo(4096, seed, 0.95, 1),
            )
            .unwrap();
            let s = &r.impacts["y"].total;
            s.mean_ci[0] <= EXACT_MEAN && EXACT_MEAN <= s.mean_ci[1]
        })
        .count();
    // Binomial(100, 0.95): sd 2.2.
    assert!((88..=100).contains(&covered), "{covered}");
}

fn run_json(args: &[&str], dir: &Path, name: &str) -> Value {
    let out = dir.join(name);
    ecoband()
        .arg("run")
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    json(&out)
}

#[test]
fn precision_doubling_reuses_every_sample_and_equals_a_direct_run() {
    let dir = tempfile::tempdir().unwrap();
    let moshi = common::repo_file("scenarios/moshi.toml");
    let moshi = moshi.to_str().unwrap();
    for sampler in ["mc", "sobol"] {
        let grown = run_json(
            &[
                moshi,
                "--sampler",
                sampler,
                "-n",
                "4096",
                "--precision",
                "0.003",
                "--exceed",
                "gwp=600t",
            ],
            dir.path(),
            "grown.json",
        );
        let p = &grown["settings"]["precision"];
        let n = grown["settings"]["samples"].as_u64().unwrap();
        let steps: Vec<u64> = p["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap())
            .collect();
        assert!(
            steps.len() >= 2,
            "{sampler}: it doubled at least once: {steps:?}"
        );
        assert_eq!(*steps.last().unwrap(), n);
        assert!(steps.windows(2).all(|w| w[1] == 2 * w[0]));
        assert_eq!(p["reached"], true);
        assert!(p["worst_relative_error"].as_f64().unwrap() <= 0.003);
        let direct = run_json(
            &[
                moshi,
                "--sampler",
                sampler,
                "-n",
                &n.to_string(),
                "--exceed",
                "gwp=600t",
            ],
            dir.path(),
            "direct.json",
        );
        assert_eq!(direct["settings"]["samples"].as_u64(), Some(n));
        // Everything but the record of the doubling is the direct run's.
        let mut grown = grown;
        grown["settings"]
            .as_object_mut()
            .unwrap()
            .remove("precision");
        for (key, value) in grown.as_object().unwrap() {
            assert_eq!(*value, direct[key], "{sampler}: {key}");
        }
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&grown), keys(&direct), "{sampler}");
    }
}

#[test]
fn precision_says_when_the_cap_stops_it() {
    let moshi = common::repo_file("scenarios/moshi.toml");
    ecoband()
        .arg("run")
        .arg(&moshi)
        .args([
            "-n",
            "4096",
            "--precision",
            "0.001",
            "--max-samples",
            "20000",
        ])
        .assert()
        .success()
        .stdout(contains("NOT reached (stopped by --max-samples)"))
        .stdout(contains("tried 4096, 8192, 16384"));
}

#[test]
fn new_statistics_are_byte_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let moshi = common::repo_file("scenarios/moshi.toml");
    for sampler in ["mc", "sobol", "lhs"] {
        let mut bytes = Vec::new();
        for threads in ["1", "2", "5"] {
            let out = dir.path().join(format!("{sampler}-{threads}.json"));
            ecoband()
                .arg("run")
                .arg(&moshi)
                .args(["--sampler", sampler, "-n", "60000", "-t", threads])
                .args(["--exceed", "gwp=500t", "--exceed", "water=2.5m3"])
                .args(["--quantiles", "0.01,0.99", "--out"])
                .arg(&out)
                .assert()
                .success();
            bytes.push(std::fs::read(&out).unwrap());
        }
        assert_eq!(bytes[0], bytes[1], "{sampler}");
        assert_eq!(bytes[0], bytes[2], "{sampler}");
    }
}

#[test]
fn quantiles_and_baseline_percentiles_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    // The linear model at its nominal values (the uniforms' midpoints) is
    // the centre of a symmetric distribution: percentile ½.
    let linear = common::repo_file("scenarios/test-functions/linear.toml");
    let r = run_json(
        &[
            linear.to_str().unwrap(),
            "-n",
            "200000",
            "--quantiles",
            "0.99,0.5,0.001",
        ],
        dir.path(),
        "linear.json",
    );
    let y = &r["impacts"]["y"];
    let keys: Vec<&str> = y["quantiles"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "0.001", "0.025", "0.05", "0.25", "0.5", "0.75", "0.95", "0.975", "0.99"
        ]
    );
    let pct = y["baseline_percentile"].as_f64().unwrap();
    let se = (0.25f64 / 200_000.0).sqrt();
    assert!((pct - 0.5).abs() < 4.0 * se, "{pct}");
    // Moshi: every category total has one; scopes and tags do not.
    let moshi = common::repo_file("scenarios/moshi.toml");
    let m = run_json(
        &[moshi.to_str().unwrap(), "-n", "50000"],
        dir.path(),
        "m.json",
    );
    for (id, impact) in m["impacts"].as_object().unwrap() {
        let p = impact["baseline_percentile"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{id}: {p}");
        assert!(
            impact["by_scope"]["usage"]
                .get("baseline_percentile")
                .is_none()
        );
    }
}

#[test]
fn claim_percentile_is_the_complement_of_the_counted_exceedance() {
    let dir = tempfile::tempdir().unwrap();
    let bloom = common::repo_file("scenarios/bloom.toml");
    let out = dir.path().join("claim.json");
    ecoband()
        .arg("claim")
        .arg(&bloom)
        .args([
            "--impact", "gwp", "--value", "50.5", "--unit", "t", "-n", "100000",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("percentile of 50.5 t"))
        .stdout(contains("95% interval"))
        .stdout(contains("deterministic baseline"))
        .stdout(contains("5th / 50th / 95th percentile"));
    let claim = json(&out);
    assert_eq!(claim["kind"], "claim");
    let c = &claim["claim"];
    assert_eq!(c["value"].as_f64(), Some(50_500.0));
    let run = run_json(
        &[
            bloom.to_str().unwrap(),
            "-n",
            "100000",
            "--exceed",
            "gwp=50500kg",
        ],
        dir.path(),
        "run.json",
    );
    let above = &run["exceedances"][0]["probability"];
    let at_most = &c["p_at_most"];
    assert_eq!(
        at_most["count"].as_u64().unwrap() + above["count"].as_u64().unwrap(),
        100_000
    );
    let lo = at_most["interval"][0].as_f64().unwrap();
    let hi = at_most["interval"][1].as_f64().unwrap();
    let p = at_most["p"].as_f64().unwrap();
    assert!(lo < p && p < hi);
    assert_eq!(
        c["baseline_percentile"],
        run["impacts"]["gwp"]["baseline_percentile"]
    );
    // The value's percentile agrees with the sketch's quantile at it.
    let q_at = |q: f64| {
        let r = run_json(
            &[
                bloom.to_str().unwrap(),
                "-n",
                "100000",
                "--quantiles",
                &q.to_string(),
            ],
            dir.path(),
            "q.json",
        );
        r["impacts"]["gwp"]["quantiles"][q.to_string()]
            .as_f64()
            .unwrap()
    };
    let v = q_at(p);
    assert!((v - 50_500.0).abs() / 50_500.0 < 0.005, "{v}");
}

#[test]
fn claim_on_a_scope_or_tag_value_counts_its_baseline_percentile() {
    let dir = tempfile::tempdir().unwrap();
    let bloom = common::repo_file("scenarios/bloom.toml");
    for output in ["gwp.usage", "gwp.phase.pre-training"] {
        let out = dir.path().join("c.json");
        ecoband()
            .arg("claim")
            .arg(&bloom)
            .args(["--impact", output, "--value", "20t", "-n", "20000", "--out"])
            .arg(&out)
            .assert()
            .success();
        let c = &json(&out)["claim"];
        let p = c["baseline_percentile"].as_f64().unwrap();
        assert!(p > 0.01 && p < 0.99, "{output}: {p}");
        assert_eq!(c["distribution"]["baseline_percentile"].as_f64(), Some(p));
    }
}

#[test]
fn rqmc_exceedance_without_spread_falls_back_to_wilson() {
    let dir = tempfile::tempdir().unwrap();
    let moshi = common::repo_file("scenarios/moshi.toml");
    let r = run_json(
        &[
            moshi.to_str().unwrap(),
            "--sampler",
            "sobol",
            "-n",
            "32768",
            "--exceed",
            "gwp=1t",
        ],
        dir.path(),
        "r.json",
    );
    let e = &r["exceedances"][0];
    assert_eq!(e["probability"]["p"].as_f64(), Some(1.0));
    assert!(e["probability"]["interval"][0].as_f64().unwrap() < 1.0);
    assert_eq!(e["interval_method"], "wilson (the replicates all agree)");
}

#[test]
fn claim_gates_scripts_with_its_exit_status() {
    let bloom = common::repo_file("scenarios/bloom.toml");
    let claim = |range: &str| {
        let mut c = ecoband();
        c.arg("claim")
            .arg(&bloom)
            .args(["--impact", "gwp", "--value", "50.5t", "-n", "20000"])
            .args(["--fail-outside", range]);
        c
    };
    // BLOOM's published 50.5 t sits near its 10th percentile.
    claim("0.05,0.95")
        .assert()
        .code(0)
        .stdout(contains("inside [0.05, 0.95]"));
    claim("0.25,0.75")
        .assert()
        .code(3)
        .stdout(contains("OUTSIDE [0.25, 0.75]"))
        .stderr(contains("outside --fail-outside 0.25,0.75"));
}

#[test]
fn bad_statistics_requests_are_refused_with_the_reason() {
    let moshi = common::repo_file("scenarios/moshi.toml");
    let refused = |args: &[&str], why: &str| {
        ecoband()
            .arg(args[0])
            .arg(&moshi)
            .args(&args[1..])
            .assert()
            .code(2)
            .stderr(contains(why.to_string()));
    };
    refused(&["run", "--exceed", "gwp"], "expected OUTPUT=VALUE");
    refused(&["run", "--exceed", "gpw=60t"], "did you mean `gwp`?");
    refused(
        &["run", "--exceed", "gwp=30m3"],
        "unit `m3` does not fit gwp",
    );
    refused(&["run", "--exceed", "gwp=lots"], "is not a number");
    refused(&["run", "--exceed", "gwp=-3t"], "is negative");
    refused(
        &["claim", "--impact", "gwp", "--value", "-1", "--unit", "t"],
        "is negative",
    );
    refused(
        &["run", "--max-samples", "100000"],
        "--precision <PRECISION>",
    );
    refused(
        &["run", "--quantiles", "1.5"],
        "--quantiles 1.5 is not allowed",
    );
    refused(
        &["run", "--replicates", "4"],
        "applies to --sampler sobol or lhs",
    );
    refused(
        &["run", "--sampler", "sobol", "-r", "1"],
        "--replicates 1 is too few",
    );
    refused(
        &["run", "--sampler", "lhs", "--precision", "0.01"],
        "cannot extend a Latin hypercube",
    );
    refused(
        &["run", "--precision", "0.00001"],
        "--precision 0.00001 is not allowed",
    );
    refused(
        &["claim", "--impact", "gwp", "--value", "50", "--unit", "L"],
        "unit `L` does not fit gwp",
    );
    refused(
        &["claim", "--impact", "wter", "--value", "5"],
        "did you mean `water`?",
    );
    refused(
        &[
            "claim",
            "--impact",
            "gwp",
            "--value",
            "5t",
            "--fail-outside",
            "0.9,0.1",
        ],
        "--fail-outside 0.9,0.1 is not allowed",
    );
}
