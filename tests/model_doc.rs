//! docs/model.md's settled points, checked on the BLOOM worked example:
//! every scope of every output follows from the equations shown there.

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
