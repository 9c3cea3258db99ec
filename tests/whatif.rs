//! `--set KEY=VALUE` end to end: every kind of key gives exactly the result
//! of the same edit made in the file (the truth an override must match),
//! is recorded in every output, and every kind of bad override is refused
//! with exit 2, a message naming the `--set` argument and no output file.

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

/// `run` (2,000 samples) and `baseline` of a scenario with extra arguments.
fn results(scenario: &Path, extra: &[&str], dir: &Path, tag: &str) -> (Value, Value) {
    let run = dir.join(format!("run-{tag}.json"));
    let base = dir.join(format!("base-{tag}.json"));
    ecoband()
        .arg("run")
        .arg(scenario)
        .args(["--samples", "2000", "--out"])
        .arg(&run)
        .args(extra)
        .assert()
        .success();
    ecoband()
        .arg("baseline")
        .arg(scenario)
        .arg("--out")
        .arg(&base)
        .args(extra)
        .assert()
        .success();
    (json(&run), json(&base))
}

/// `--set` on `file` gives the statistics and baseline of `edited`, a copy
/// of the file with the same change written by hand.
fn same_as_edit(file: &str, sets: &[&str], edit: impl Fn(&str) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(common::repo_file(file)).unwrap();
    let edited = edit(&original);
    assert_ne!(edited, original, "the edit changed nothing: {sets:?}");
    let copy = common::write_scenario(dir.path(), "edited.toml", &edited);
    let args: Vec<&str> = sets.iter().flat_map(|s| ["--set", s]).collect();
    let (run_set, base_set) = results(&common::repo_file(file), &args, dir.path(), "set");
    let (run_edit, base_edit) = results(&copy, &[], dir.path(), "edit");
    assert_eq!(run_set["impacts"], run_edit["impacts"], "{sets:?}");
    assert_eq!(base_set["baseline"], base_edit["baseline"], "{sets:?}");
    let recorded: Vec<&str> = run_set["settings"]["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(recorded.len(), sets.len());
    assert_eq!(
        base_set["settings"]["overrides"],
        run_set["settings"]["overrides"]
    );
    // The original's statistics differ: the override did something.
    let (run_plain, _) = results(&common::repo_file(file), &[], dir.path(), "plain");
    assert_ne!(run_plain["impacts"], run_set["impacts"], "{sets:?}");
}

fn replace_line(text: &str, starts: &str, with: &str) -> String {
    let mut found = false;
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if !found && l.starts_with(starts) {
                found = true;
                with.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(found, "no line starts with {starts}");
    out.join("\n") + "\n"
}

fn insert_after(text: &str, line: &str, new: &str) -> String {
    assert!(text.contains(line), "{line}");
    text.replacen(line, &format!("{line}\n{new}"), 1)
}

const MOSHI: &str = "scenarios/moshi.toml";

#[test]
fn a_value_the_file_writes() {
    same_as_edit(MOSHI, &["electricity.gwp=0.3"], |t| {
        replace_line(t, "gwp = {", "gwp = 0.3")
    });
    same_as_edit(
        MOSHI,
        &[
            "profiles.dgx_h100.lifetime_years={ dist = \"uniform\", min = 3, max = 4, unit = \"yr\" }",
        ],
        |t| {
            replace_line(
                t,
                "lifetime_years = {",
                "lifetime_years = { dist = \"uniform\", min = 3, max = 4, unit = \"yr\" }",
            )
        },
    );
}

#[test]
fn a_named_parameter_by_its_name() {
    same_as_edit(
        MOSHI,
        &["gpu_load={ dist = \"uniform\", min = 0.2, max = 0.9 }"],
        |t| {
            replace_line(
                t,
                "gpu_load = {",
                "gpu_load = { dist = \"uniform\", min = 0.2, max = 0.9 }",
            )
        },
    );
}

#[test]
fn a_share_sets_concentration_by_either_spelling() {
    for key in [
        "shares.research_phase.concentration",
        "research_phase.concentration",
    ] {
        same_as_edit(MOSHI, &[&format!("{key}=20")], |t| {
            replace_line(t, "concentration = 100", "concentration = 20")
        });
    }
}

#[test]
fn a_value_that_comes_from_a_preset() {
    same_as_edit(MOSHI, &["datacenter.pue=1.4"], |t| {
        insert_after(t, "preset = \"scaleway-dc5\"", "pue = 1.4")
    });
    same_as_edit(MOSHI, &["profiles.dgx_h100.rest_of_node_w=2000"], |t| {
        insert_after(t, "preset = \"dgx-h100\"", "rest_of_node_w = 2000")
    });
    // An embodied component's value: laid over the preset's component.
    same_as_edit(MOSHI, &["profiles.dgx_h100.embodied.gpu.pe=9000"], |t| {
        insert_after(t, "preset = \"dgx-h100\"", "embodied.gpu.pe = 9000")
    });
}

#[test]
fn a_point_of_a_presets_power_curve() {
    // The scenario must then write the whole curve: the preset's, with the
    // one point changed.
    same_as_edit(
        MOSHI,
        &["profiles.dgx_h100.gpu_power_curve[0].watts=80"],
        |t| {
            insert_after(
                t,
                "preset = \"dgx-h100\"",
                "gpu_power_curve = [{ load = 0.0, watts = 80 }, { load = 1.0, watts = { value = 700, unit = \"W\" } }]",
            )
        },
    );
}

#[test]
fn an_option_of_a_presets_choice() {
    same_as_edit(
        MOSHI,
        &["profiles.dgx_h100.embodied.gpu.gwp.values.nvidia_pcf=300"],
        |t| {
            insert_after(
                t,
                "preset = \"dgx-h100\"",
                "embodied.gpu.gwp = { choice = \"h100_embodied_source\", unit = \"kgCO2e\", values = { boavizta = { dist = \"triangular\", min = 460, mode = 575.18, max = 750 }, nvidia_pcf = 300 } }",
            )
        },
    );
}

#[test]
fn an_inventory_row_by_name_or_index() {
    let file = "scenarios/examples/my-project.toml";
    for key in ["inventory.\"all runs\".gpu_hours", "inventory[0].gpu_hours"] {
        same_as_edit(
            file,
            &[&format!("{key}={{ value = 30000, unit = \"GPU-h\" }}")],
            |t| {
                replace_line(
                    t,
                    "gpu_hours = {",
                    "gpu_hours = { value = 30000, unit = \"GPU-h\" }",
                )
            },
        );
    }
    // A key the row may hold but does not write: checked like the file's.
    same_as_edit(MOSHI, &["inventory[0].load=0.5"], |t| {
        insert_after(
            t,
            "name = \"moshi pre-training, design & tuning\"",
            "load = 0.5",
        )
    });
}

#[test]
fn a_preset_swap_replaces_the_whole_section() {
    // Moshi writes its own grid factor beside `preset = "FRA"`: moving the
    // cluster to Germany must move it too.
    same_as_edit(MOSHI, &["electricity.preset=DEU"], |t| {
        let start = t.find("[electricity]").unwrap();
        let end = t.find("[idle]").unwrap();
        format!(
            "{}[electricity]\npreset = \"DEU\"\n\n{}",
            &t[..start],
            &t[end..]
        )
    });
    same_as_edit(MOSHI, &["datacenter.preset=hyperscaler"], |t| {
        t.replace("preset = \"scaleway-dc5\"", "preset = \"hyperscaler\"")
    });
    ecoband()
        .arg("baseline")
        .arg(common::repo_file(MOSHI))
        .args(["--set", "electricity.preset=DEU"])
        .assert()
        .success()
        .stderr(contains("the file's own `electricity.gwp` is dropped"));
}

#[test]
fn a_convention_and_several_overrides_in_order() {
    same_as_edit(
        "scenarios/bloom.toml",
        &["conventions.apply_pue=true", "datacenter.pue=1.4"],
        |t| {
            let t = replace_line(t, "apply_pue = false", "apply_pue = true");
            insert_after(&t, "preset = \"jean-zay\"", "pue = 1.4")
        },
    );
}

#[test]
fn every_command_records_the_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let moshi = common::repo_file(MOSHI);
    for (command, extra) in [
        ("run", vec!["--samples", "1000"]),
        ("baseline", vec![]),
        ("tornado", vec![]),
        ("sobol", vec!["--n-base", "64", "--replicates", "2"]),
        ("check", vec![]),
    ] {
        let out = dir.path().join(format!("{command}.json"));
        let mut cmd = ecoband();
        cmd.arg(command)
            .arg(&moshi)
            .args(["--set", "datacenter.pue=1.4"])
            .args(&extra);
        if command != "check" {
            cmd.arg("--out").arg(&out);
        }
        cmd.assert()
            .success()
            .stdout(contains("with --set datacenter.pue=1.4"));
        if command != "check" {
            assert_eq!(
                json(&out)["settings"]["overrides"],
                serde_json::json!(["datacenter.pue=1.4"]),
                "{command}"
            );
        }
    }
}

/// A refused override: exit 2, the message, and no output file.
fn refused(file: &str, args: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    ecoband()
        .arg("run")
        .arg(common::repo_file(file))
        .args(["--samples", "1000", "--out"])
        .arg(&out)
        .args(args)
        .assert()
        .code(2)
        .stderr(contains(message));
    assert!(!out.exists(), "{args:?} left an output file");
}

#[test]
fn typos_get_a_did_you_mean() {
    refused(
        MOSHI,
        &["--set", "datacenter.peu=1.4"],
        "did you mean `datacenter.pue`?",
    );
    refused(
        MOSHI,
        &["--set", "profiles.dgx_h100.lifetime_yeras=3"],
        "did you mean `profiles.dgx_h100.lifetime_years`?",
    );
    refused(MOSHI, &["--set", "gpu_lod=0.5"], "did you mean `gpu_load`?");
    refused(
        MOSHI,
        &["--set", "electricity.preset=DUE"],
        "`DUE` is not an electricity preset; did you mean `DEU`?",
    );
    refused(
        MOSHI,
        &["--set", "datacenter.preset=hyperscalar"],
        "did you mean `hyperscaler`?",
    );
    refused(
        MOSHI,
        &["--set", "nothing.like.this=1"],
        "unknown key `nothing.like.this`",
    );
}

#[test]
fn values_are_checked_like_the_files() {
    // Bounds, units and distribution parameters: the file's own checks,
    // naming the --set argument instead of a line.
    refused(
        MOSHI,
        &["--set", "datacenter.pue=0.5"],
        "--set datacenter.pue=0.5: `datacenter.pue`: must be ≥ 1",
    );
    refused(
        MOSHI,
        &[
            "--set",
            "profiles.dgx_h100.lifetime_years={ value = 3, unit = \"kg\" }",
        ],
        "--set profiles.dgx_h100.lifetime_years",
    );
    refused(
        MOSHI,
        &[
            "--set",
            "datacenter.pue={ dist = \"triangular\", min = 1.3, mode = 1.2, max = 1.6 }",
        ],
        "--set datacenter.pue",
    );
    refused(
        MOSHI,
        &["--set", "datacenter.pue={ dist = "],
        "is not a value in the scenario syntax",
    );
    refused(MOSHI, &["--set", "inventory[0].lod=0.5"], "allowed keys:");
    refused(MOSHI, &["--set", "datacenter.pue"], "expected KEY=VALUE");
    refused(MOSHI, &["--set", "inventory[99].load=0.5"], "inventory[99]");
}

#[test]
fn an_override_that_changes_nothing_is_refused_unless_allowed() {
    refused(
        "scenarios/bloom.toml",
        &["--set", "datacenter.pue=1.4"],
        "`[conventions] apply_pue = false`",
    );
    refused(
        "scenarios/bloom.toml",
        &["--set", "datacenter.pue=1.4"],
        "--set conventions.apply_pue=true",
    );
    // The value it already has (another source, the same distribution).
    refused(
        MOSHI,
        &[
            "--set",
            "idle.ratio={ dist = \"triangular\", min = 0.0, mode = 0.2, max = 0.59, source = \"again\" }",
        ],
        "changes no output",
    );
    ecoband()
        .arg("run")
        .arg(common::repo_file("scenarios/bloom.toml"))
        .args([
            "--samples",
            "1000",
            "--set",
            "datacenter.pue=1.4",
            "--allow-no-effect",
        ])
        .assert()
        .success();
}

#[test]
fn a_test_function_has_no_footprint_keys() {
    refused(
        "scenarios/test-functions/ishigami.toml",
        &["--set", "electricity.preset=DEU"],
        "unknown key `electricity.preset`",
    );
}

#[test]
fn a_presets_choice_by_its_weights_and_nominal() {
    // The preset's choice is copied whole into the scenario's [choices],
    // where a choice of the same name wins.
    same_as_edit(
        MOSHI,
        &[
            "h100_embodied_source.weights=[0, 1]",
            "h100_embodied_source.nominal=nvidia_pcf",
        ],
        |t| {
            insert_after(
                t,
                "[parameters]",
                "",
            )
            .replacen(
                "[parameters]\n",
                "[choices.h100_embodied_source]\noptions = [\"boavizta\", \"nvidia_pcf\"]\nweights = [0, 1]\nnominal = \"nvidia_pcf\"\n\n[parameters]\n",
                1,
            )
        },
    );
    // A nominal option nobody samples is refused, naming the override.
    refused(
        MOSHI,
        &["--set", "h100_embodied_source.weights=[0, 1]"],
        "nominal `boavizta` has weight 0",
    );
    refused(
        MOSHI,
        &["--set", "research_phase=20"],
        "is a share set, not one value",
    );
    refused(
        MOSHI,
        &["--set", "h100_embodied_source=nvidia_pcf"],
        "is a choice, not one value",
    );
}

#[test]
fn a_key_set_twice_or_an_ambiguous_row_name_is_refused() {
    refused(
        MOSHI,
        &["--set", "datacenter.pue=1.3", "--set", "datacenter.pue=1.4"],
        "already set by --set datacenter.pue=1.3",
    );
    // By name and by index: the same value twice.
    refused(
        "scenarios/examples/my-project.toml",
        &[
            "--set",
            "inventory.\"all runs\".gpu_hours=3000",
            "--set",
            "inventory[0].gpu_hours=4000",
        ],
        "already set by --set inventory.\"all runs\".gpu_hours=3000 (both write `inventory[0].gpu_hours`)",
    );
    // Two rows with one name: the name does not say which.
    let dir = tempfile::tempdir().unwrap();
    let text = common::MINIMAL.to_string()
        + "\n"
        + &common::MINIMAL[common::MINIMAL.find("[[inventory]]").unwrap()..];
    let twice = common::write_scenario(dir.path(), "twice.toml", &text);
    let name = "run"; // MINIMAL's one row, now written twice
    ecoband()
        .arg("baseline")
        .arg(&twice)
        .args(["--set", &format!("inventory.\"{name}\".gpu_hours=10")])
        .assert()
        .code(2)
        .stderr(contains("two inventory rows share a name"))
        .stderr(contains("inventory[0].gpu_hours, inventory[1].gpu_hours"));
}

#[test]
fn after_a_preset_swap_keys_resolve_against_the_new_preset() {
    same_as_edit(
        MOSHI,
        &["electricity.preset=DEU", "electricity.gwp=0.5"],
        |t| {
            let start = t.find("[electricity]").unwrap();
            let end = t.find("[idle]").unwrap();
            format!(
                "{}[electricity]\npreset = \"DEU\"\ngwp = 0.5\n\n{}",
                &t[..start],
                &t[end..]
            )
        },
    );
}

#[test]
fn an_error_names_the_set_that_wrote_the_bad_value_even_by_an_alias() {
    ecoband()
        .arg("baseline")
        .arg(common::repo_file("scenarios/examples/my-project.toml"))
        .args(["--set", "datacenter.pue=1.3"])
        .args(["--set", "inventory.\"all runs\".gpu_hours=-5"])
        .assert()
        .code(2)
        .stderr(contains("--set inventory.\"all runs\".gpu_hours=-5"));
}

#[test]
fn a_value_dropped_by_a_later_preset_swap_says_so() {
    refused(
        MOSHI,
        &[
            "--set",
            "electricity.gwp=0.5",
            "--set",
            "electricity.preset=DEU",
        ],
        "the later --set electricity.preset=DEU replaces the whole section and drops it",
    );
}
