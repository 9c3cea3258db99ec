//! docs/model.md's settled points: every scope of every output of the
//! BLOOM worked example follows from the equations shown there, and each
//! rule the text settles (a share set's nominal, ties between options,
//! which load a row gets) holds on a scenario where another rule would
//! give another number.

mod common;

use std::process::Command;

fn baseline(scenario: &str) -> serde_json::Value {
    let out = std::env::temp_dir().join(format!("model_doc_{}.json", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_ecoband"))
        .arg("baseline")
        .arg(common::repo_file(scenario))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let v = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let _ = std::fs::remove_file(&out);
    v
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1e-12),
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn bloom_scopes_follow_the_documented_equations() {
    let v = baseline("scenarios/bloom.toml");
    let b = &v["baseline"];
    let s = |cat: &str, scope: &str| b[cat]["by_scope"][scope].as_f64().unwrap();
    let (h, w) = (1_082_990.0, 400.0);
    let e_it = h * w / 1000.0; // apply_pue = false: E_fac = E_IT
    let e_idle = 256_646.0;
    let life = 8.0 * 6.0 * 8760.0 * 0.85;
    close(s("energy_kwh", "usage"), e_it, "energy usage = E_fac");
    close(s("energy_kwh", "idle"), e_idle, "energy idle = E_idle");
    assert_eq!(s("energy_kwh", "embodied"), 0.0, "energy embodied is 0");
    close(s("gwp", "usage"), e_it * 0.057, "gwp usage");
    close(s("gwp", "idle"), e_idle * 0.057, "gwp idle: no PUE on idle");
    close(
        s("gwp", "embodied"),
        h * (2500.0 + 8.0 * 150.0) / life,
        "gwp embodied",
    );
    close(s("pe", "usage"), e_it * 11.289, "pe usage");
    close(s("pe", "embodied"), h * 8.0 * 3722.0 / life, "pe embodied");
    close(
        s("adp", "embodied"),
        h * (0.0378 + 8.0 * 0.00374) / life,
        "adp embodied",
    );
    // ecologits: usage E_IT·wue + E_fac·offsite; idle E_idle·offsite only.
    close(
        s("water", "usage"),
        e_it * 0.2 + e_it * 3.6737,
        "water usage",
    );
    close(s("water", "idle"), e_idle * 3.6737, "water idle");
    assert_eq!(
        s("water", "embodied"),
        0.0,
        "no embodied water factor given"
    );
}

/// The baseline JSON of a scenario written from `text`.
fn baseline_of(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "s.toml", text);
    let out = dir.path().join("b.json");
    let o = Command::new(env!("CARGO_BIN_EXE_ecoband"))
        .arg("baseline")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

/// MINIMAL's site and node (PUE 1.2, grid 0.1 kgCO2e/kWh, 400 W per GPU)
/// with `rest` for the profile tail and inventory.
fn scenario(rest: &str) -> String {
    format!(
        "[scenario]\nname = \"doc\"\n\n[datacenter]\npue = 1.2\nwue_onsite = 0.5\n\n[electricity]\ngwp = 0.1\npe = 10.0\nadp = 1e-8\nwater = 2.0\n\n{rest}"
    )
}

#[test]
fn a_share_sets_nominal_is_its_renormalised_shares_not_the_dirichlet_mode() {
    // Shares summing to 1.0002 (within sum_tolerance) are renormalised; with
    // concentration 10 the Dirichlet's mode would give a 0.1876 share.
    let v = baseline_of(&scenario(
        r#"[shares.phase]
total = 1000
shares = { a = 0.2501, b = 0.7501 }
sum_tolerance = 0.001
concentration = 10

[profiles.node]
gpus_per_node = 8
gpu_power_w = 400
lifetime_years = 5

[[inventory]]
name = "a"
profile = "node"
share = "phase.a"
tags = { phase = "a" }

[[inventory]]
name = "b"
profile = "node"
share = "phase.b"
tags = { phase = "b" }
"#,
    ));
    let share = 0.2501 / 1.0002;
    let a = v["baseline"]["energy_kwh"]["by_tag"]["phase"]["a"]
        .as_f64()
        .unwrap();
    close(a, 1000.0 * share * 0.4 * 1.2, "share a's facility energy");
}

#[test]
fn equally_probable_options_give_the_first_declared_as_nominal() {
    let v = baseline_of(&scenario(
        r#"[choices.source]
options = ["low", "high"]

[profiles.node]
gpus_per_node = 8
gpu_power_w = { choice = "source", values = { low = 300, high = 500 } }
lifetime_years = 5

[[inventory]]
name = "run"
profile = "node"
gpu_hours = 1000
"#,
    ));
    let e = v["baseline"]["energy_kwh"]["total"].as_f64().unwrap();
    close(e, 1000.0 * 0.3 * 1.2, "the first option, low");
}

#[test]
fn a_rows_load_beats_its_profiles_which_beats_the_default() {
    let curve = r#"[defaults]
load = 0.2

[profiles.node]
gpus_per_node = 8
gpu_power_curve = [ { load = 0.0, watts = 100 }, { load = 1.0, watts = 500 } ]
rest_of_node_w = 0
lifetime_years = 5
PROFILE_LOAD

[[inventory]]
name = "own"
profile = "node"
gpu_hours = 1000
load = 0.9
tags = { row = "own" }

[[inventory]]
name = "inherited"
profile = "node"
gpu_hours = 1000
tags = { row = "inherited" }
"#;
    let it = |v: &serde_json::Value, row: &str| {
        v["baseline"]["energy_kwh"]["by_tag"]["row"][row]
            .as_f64()
            .unwrap()
            / 1.2
    };
    let with_profile = baseline_of(&scenario(&curve.replace("PROFILE_LOAD", "load = 0.5")));
    close(
        it(&with_profile, "own"),
        1000.0 * 0.46,
        "the row's 0.9: 460 W",
    );
    close(
        it(&with_profile, "inherited"),
        1000.0 * 0.30,
        "the profile's 0.5: 300 W",
    );
    let defaults_only = baseline_of(&scenario(&curve.replace("PROFILE_LOAD", "")));
    close(
        it(&defaults_only, "inherited"),
        1000.0 * 0.18,
        "[defaults] 0.2: 180 W",
    );
}
