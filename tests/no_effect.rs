//! Factors no output depends on: found from the compiled equations, held
//! at their nominal values, never sampled, left out of `sobol` and
//! `tornado`, and listed by `check` with the reason.

mod common;

use assert_cmd::Command;
use ecoband::model::{self, Model};
use ecoband::scenario::Scenario;
use predicates::str::contains;
use serde_json::Value;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

fn compile(text: &str) -> Model {
    model::compile(&Scenario::parse("s.toml", text).unwrap()).unwrap()
}

/// (name, reason) of every factor without effect.
fn no_effect(model: &Model) -> Vec<(String, String)> {
    model
        .no_effect
        .iter()
        .map(|n| (n.factor.name.clone(), n.reason.clone()))
        .collect()
}

/// A fixed-power profile laid over a preset with a power curve and a
/// `load` distribution: the preset's load selects no point of any curve.
const FIXED_OVER_CURVE: &str = r#"[scenario]
name = "fixed power over a curve preset"

[datacenter]
preset = "hyperscaler"

[electricity]
preset = "DEU"

[profiles.node]
preset = "dgx-h100"
gpu_power_w = { value = 700, unit = "W", source = "H100 SXM TDP" }

[[inventory]]
name = "all runs"
gpu_hours = { dist = "uniform", min = 1000, max = 2000 }
"#;

#[test]
fn check_lists_a_preset_load_under_a_fixed_power_as_no_effect() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "fixed.toml", FIXED_OVER_CURVE);
    ecoband()
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("1 factor(s) without effect, listed at the end"))
        .stdout(contains("no effect: 1 factor(s) no output depends on"))
        .stdout(contains(
            "profiles.node.load    11  triangular(min 0.15, mode 0.75, max 0.85)  profile `node` gives a fixed `gpu_power_w` in place of its preset's power curve, and a load only selects a point of a curve",
        ));
    let model = compile(FIXED_OVER_CURVE);
    assert!(model.factors.iter().all(|f| f.name != "profiles.node.load"));
    // It never had a dimension: the other factors' random numbers are
    // those they had when the preset's load was dropped silently.
    let load = &model.no_effect[0].factor;
    assert!(load.dims.is_empty());
    let dims: usize = model.factors.iter().map(|f| f.dims.len()).sum();
    assert_eq!(dims, model.n_dims);
    // Neither tornado nor sobol analyses it.
    for (command, extra) in [
        ("tornado", vec![]),
        ("sobol", vec!["--n-base", "64", "--replicates", "2"]),
    ] {
        let out = dir.path().join(format!("{command}.json"));
        ecoband()
            .arg(command)
            .arg(&path)
            .args(&extra)
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
            .stdout(contains(
                "not analysed, no output depends on them (`ecoband check` says why): profiles.node.load",
            ));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(!text.contains("profiles.node.load"), "{command}");
    }
}

#[test]
fn bloom_pue_has_no_effect_and_keeps_its_dimension() {
    let text = std::fs::read_to_string(common::repo_file("scenarios/bloom.toml")).unwrap();
    let model = compile(&text);
    assert_eq!(
        no_effect(&model),
        [(
            "datacenter.pue".to_string(),
            "`conventions.apply_pue = false`: facility energy is the IT energy, so no output depends on the PUE".to_string()
        )]
    );
    // Its dimension stays reserved, unused: every other factor keeps the
    // random numbers it had when the PUE was sampled.
    let pue = &model.no_effect[0].factor;
    assert_eq!(pue.dims.len(), 1);
    let dims: usize = model.factors.iter().map(|f| f.dims.len()).sum();
    assert_eq!(dims + 1, model.n_dims);
    assert!(model.factors.iter().all(|f| f.dims.start != pue.dims.start));
    // Held at its nominal value in every sample.
    let mut u = vec![0.999; model.n_dims];
    let mut values = vec![0.0; model.n_slots];
    model.values_from_uniforms(&u, &mut values);
    assert_eq!(values[pue.slots.start], 1.2);
    u.fill(0.001);
    model.values_from_uniforms(&u, &mut values);
    assert_eq!(values[pue.slots.start], 1.2);
    // With the PUE applied it has an effect again.
    let applied = compile(&text.replace("apply_pue = false", "apply_pue = true"));
    assert!(applied.no_effect.is_empty());
    assert!(applied.factors.iter().any(|f| f.name == "datacenter.pue"));
}

/// One curve profile, one fixed-power profile and one that no row uses.
const SHADOWED: &str = r#"[scenario]
name = "shadowed values"

[parameters]
unused = { dist = "uniform", min = 1, max = 2 }
row_load = { dist = "uniform", min = 0.4, max = 0.6 }

[choices.source]
options = ["a", "b"]

[shares.phase]
total = { dist = "uniform", min = 900, max = 1100 }
shares = { final = 0.4, failed = 0.6 }

[datacenter]
pue = 1.2
wue_onsite = 0

[electricity]
gwp = 0.1
pe = 10
adp = 0
water = 0

[defaults]
profile = "curve"
load = { dist = "uniform", min = 0.2, max = 0.9 }

[profiles.curve]
gpus_per_node = 8
gpu_power_curve = [{ load = 0.0, watts = 50 }, { load = 1.0, watts = 400 }]
load = { dist = "uniform", min = 0.3, max = 0.8 }
lifetime_years = 5

[profiles.spare]
gpus_per_node = 8
gpu_power_w = { dist = "uniform", min = 300, max = 500 }
lifetime_years = { dist = "uniform", min = 3, max = 6 }

[[inventory]]
name = "final"
share = "phase.final"
gpu_hours = 400
load = "row_load"

[[inventory]]
name = "failed"
share = "phase.failed"
gpu_hours = 600
load = 0.5

[[inventory]]
name = "measured"
it_energy_kwh = 100
load = { dist = "uniform", min = 0.1, max = 0.2 }
"#;

#[test]
fn shadowed_and_unreferenced_values_have_no_effect_with_their_reason() {
    let model = compile(SHADOWED);
    let dead = no_effect(&model);
    let reason = |name: &str| {
        dead.iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} not listed: {dead:?}"))
            .1
            .clone()
    };
    assert_eq!(reason("unused"), "no value refers to this parameter");
    assert_eq!(reason("source"), "no value depends on this choice");
    assert_eq!(
        reason("shares.phase.total"),
        "every inventory row using share set `phase` gives its own `gpu_hours`"
    );
    assert_eq!(
        reason("profiles.curve.load"),
        "every inventory row on profile `curve` gives its own `load`"
    );
    assert_eq!(
        reason("defaults.load"),
        "every inventory row drawing power on a `gpu_power_curve` gives its own `load` or takes its profile's"
    );
    assert_eq!(
        reason("inventory[2].load"),
        "inventory row `measured` gives a measured `it_energy_kwh`, which replaces GPU-hours × power"
    );
    assert_eq!(
        reason("profiles.spare.gpu_power_w"),
        "no inventory row uses profile `spare`"
    );
    assert_eq!(
        reason("profiles.spare.lifetime_years"),
        "no inventory row uses profile `spare`"
    );
    assert_eq!(dead.len(), 8, "{dead:?}");
    // What the rows use has an effect.
    let live: Vec<&str> = model.factors.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(live, ["row_load"]);
    // The phase shares are fixed (no concentration): constants, not factors.
}

#[test]
fn a_group_keeps_only_its_members_with_an_effect() {
    let text = format!("{SHADOWED}\n[groups]\nmixed = [\"row_load\", \"unused\"]\n");
    let model = compile(&text);
    assert_eq!(model.groups.len(), 1);
    let members: Vec<&str> = model.groups[0]
        .factors
        .iter()
        .map(|&i| model.factors[i].name.as_str())
        .collect();
    assert_eq!(members, ["row_load"]);
}

#[test]
fn a_value_without_effect_changes_no_output() {
    // The structural claim checked on numbers: moving every factor without
    // effect to another distribution leaves every output bit-identical on
    // paired samples (`--set` refuses an override that changes nothing).
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "s.toml", SHADOWED);
    for set in [
        "unused=5",
        "defaults.load=0.3",
        "profiles.curve.load=0.3",
        "inventory[2].load=0.9",
        "shares.phase.total=5000",
        "profiles.spare.gpu_power_w=100",
    ] {
        ecoband()
            .arg("baseline")
            .arg(&path)
            .args(["--set", set])
            .assert()
            .code(2)
            .stderr(contains("changes no output"));
    }
}

#[test]
fn sobol_and_tornado_leave_out_bloom_pue_and_runs_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let bloom = common::repo_file("scenarios/bloom.toml");
    let out = dir.path().join("t.json");
    ecoband()
        .arg("tornado")
        .arg(&bloom)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains(
            "not analysed, no output depends on them (`ecoband check` says why): datacenter.pue",
        ));
    let json: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    for (_, t) in json["tornado"].as_object().unwrap() {
        let names: Vec<&str> = t["factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["factor"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"datacenter.pue"));
        assert_eq!(names.len(), 11);
    }
}
