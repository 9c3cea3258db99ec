//! Readable labels: `label = "…"` on values, choices and share sets, the
//! label derived from the key path where none is given, the refusals, the
//! `label` fields of the JSON results, and the tables that show them.

mod common;

use std::collections::HashMap;

use assert_cmd::Command;
use common::{MINIMAL, write_scenario};
use unicode_width::UnicodeWidthStr;

use ecoband::model::{self, Model};
use ecoband::presets::KINDS;
use ecoband::result::{SobolResult, TornadoResult};
use ecoband::scenario::Scenario;
use ecoband::scenario::preset::{catalogue, detail, names};

fn compiled(text: &str) -> Model {
    let scenario = Scenario::parse("labels.toml", text).unwrap();
    model::compile(&scenario).unwrap()
}

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

/// Every bundled scenario except the test functions (whose inputs are x1,
/// x2 … of a formula).
fn bundled_scenarios() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/examples"] {
        for entry in std::fs::read_dir(common::repo_file(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    files
}

#[test]
fn every_factor_of_every_bundled_scenario_has_a_unique_explicit_label() {
    for path in bundled_scenarios() {
        let scenario = Scenario::load(&path).unwrap();
        let model = model::compile(&scenario).unwrap();
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for f in &model.factors {
            assert!(
                f.label_given,
                "{}: factor {} has no `label` (derived: {:?})",
                path.display(),
                f.name,
                f.label
            );
            // Two factors with one label could not be told apart in a figure.
            if let Some(other) = seen.insert(&f.label, &f.name) {
                panic!(
                    "{}: factors {other} and {} share the label {:?}",
                    path.display(),
                    f.name,
                    f.label
                );
            }
        }
    }
}

#[test]
fn every_preset_value_and_choice_has_a_label() {
    for info in catalogue().unwrap() {
        let d = detail(&info.name).unwrap().unwrap();
        for v in &d.values {
            let label = v.meta.label.as_deref().unwrap_or("");
            assert!(!label.is_empty(), "{}: {} has no label", info.name, v.path);
        }
        for c in &d.choices {
            assert!(
                c.label.is_some(),
                "{}: choice {} has no label",
                info.name,
                c.name
            );
        }
    }
    // Every kind has presets, so the loop above checked each file.
    for kind in KINDS {
        assert!(!names(kind).unwrap().is_empty());
    }
}

#[test]
fn a_given_label_names_the_factor_of_every_value_form() {
    let text = r#"[scenario]
name = "labels"

[parameters]
load = { dist = "uniform", min = 0.2, max = 0.8, label = "Mean GPU load" }

[choices.source]
options = ["a", "b"]
label = "Embodied data source"

[shares.phase]
total = { dist = "uniform", min = 900, max = 1100, unit = "GPU-h", label = "GPU-hours, whole project" }
shares = { final = 0.4, failed = 0.6 }
concentration = 20
label = "Research-phase shares"

[datacenter]
pue = { dist = "triangular", min = 1.1, mode = 1.2, max = 1.5, label = "PUE" }
wue_onsite = { value = 0.5, unit = "L/kWh", label = "On-site WUE" }

[electricity]
gwp = { dist = "uniform", min = 0.05, max = 0.1, label = "Grid carbon intensity, France" }
pe = 10.0
adp = 1e-8
water = 2.0

[profiles.node]
gpus_per_node = 8
gpu_power_curve = [
  { load = 0.0, watts = { dist = "uniform", min = 50, max = 100, label = "GPU idle power" } },
  { load = 1.0, watts = 700 },
]
lifetime_years = 5

[profiles.node.embodied.gpu]
count = 8
gwp = { choice = "source", label = "GPU embodied GWP", values = { a = { dist = "uniform", min = 100, max = 200 }, b = { dist = "uniform", min = 300, max = 400, label = "GPU embodied GWP (vendor PCF)" } } }

[defaults]
load = "load"

[[inventory]]
name = "final"
share = "phase.final"

[[inventory]]
name = "failed"
share = "phase.failed"
"#;
    let model = compiled(text);
    let labels: HashMap<&str, (&str, bool)> = model
        .factors
        .iter()
        .map(|f| (f.name.as_str(), (f.label.as_str(), f.label_given)))
        .collect();
    let expected = [
        ("load", "Mean GPU load"),
        ("source", "Embodied data source"),
        ("phase", "Research-phase shares"),
        ("shares.phase.total", "GPU-hours, whole project"),
        ("datacenter.pue", "PUE"),
        ("electricity.gwp", "Grid carbon intensity, France"),
        ("profiles.node.gpu_power_curve[0].watts", "GPU idle power"),
        // An option without a label of its own takes the choice-dependent
        // value's, with the option's name.
        (
            "profiles.node.embodied.gpu.gwp.values.a",
            "GPU embodied GWP (a)",
        ),
        (
            "profiles.node.embodied.gpu.gwp.values.b",
            "GPU embodied GWP (vendor PCF)",
        ),
    ];
    for (name, label) in expected {
        assert_eq!(labels.get(name), Some(&(label, true)), "{name}: {labels:?}");
    }
    assert_eq!(labels.len(), expected.len(), "{labels:?}");
    let wue = model
        .constants
        .iter()
        .find(|c| c.name == "datacenter.wue_onsite")
        .unwrap();
    assert_eq!((wue.label.as_str(), wue.label_given), ("On-site WUE", true));
}

#[test]
fn without_a_label_one_is_derived_from_the_key_path() {
    let text = MINIMAL
        .replace(
            "pue = 1.2",
            "pue = { dist = \"triangular\", min = 1.1, mode = 1.2, max = 1.5 }",
        )
        .replace(
            "gpu_hours = 1000",
            "gpu_hours = { dist = \"uniform\", min = 900, max = 1100 }",
        )
        .replace(
            "lifetime_years = 5",
            "lifetime_years = { dist = \"uniform\", min = 3, max = 6 }",
        )
        .replace(
            "gwp = 2000",
            "gwp = { dist = \"uniform\", min = 1500, max = 2500 }",
        );
    let model = compiled(&text);
    let labels: Vec<(&str, &str, bool)> = model
        .factors
        .iter()
        .map(|f| (f.name.as_str(), f.label.as_str(), f.label_given))
        .collect();
    assert_eq!(
        labels,
        [
            ("datacenter.pue", "Datacenter PUE", false),
            (
                "profiles.node.lifetime_years",
                "Lifetime years, node",
                false
            ),
            (
                "profiles.node.embodied.server.gwp",
                "Embodied server GWP, node",
                false
            ),
            ("inventory[0].gpu_hours", "GPU hours, run", false),
        ]
    );
    let gwp = model
        .constants
        .iter()
        .find(|c| c.name == "electricity.gwp")
        .unwrap();
    assert_eq!(
        (gwp.label.as_str(), gwp.label_given),
        ("Electricity GWP", false)
    );
}

/// `ecoband check` on `text`: exit 2, no panic, `bad.toml:LINE:` and each
/// fragment in the message.
fn assert_refused(text: &str, line: usize, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "bad.toml", text);
    let output = ecoband().arg("check").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let place = format!("bad.toml:{line}:");
    assert!(stderr.contains(&place), "expected `{place}` in: {stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "expected `{f}` in: {stderr}");
    }
}

fn line_of(text: &str, start: &str) -> usize {
    text.lines().position(|l| l.starts_with(start)).unwrap() + 1
}

#[test]
fn an_empty_or_non_text_label_is_refused() {
    let allowed = "`label` is a non-empty text naming the value";
    for (value, found) in [
        ("\"\"", "found an empty text"),
        ("\"   \"", "found an empty text"),
        ("3", "found integer"),
        ("true", "found boolean"),
    ] {
        let text = MINIMAL.replace(
            "pue = 1.2",
            &format!("pue = {{ value = 1.2, label = {value} }}"),
        );
        assert_refused(
            &text,
            line_of(&text, "pue = "),
            &["`datacenter.pue.label`", allowed, found],
        );
    }
    // On a choice, a share set and an option of a choice-dependent value.
    let choice = format!("{MINIMAL}\n[choices.src]\noptions = [\"a\"]\nlabel = 7\n");
    assert_refused(
        &choice,
        line_of(&choice, "label = 7"),
        &["`choices.src.label`", allowed],
    );
    let shares = format!("{MINIMAL}\n[shares.phase]\nshares = {{ all = 1.0 }}\nlabel = \"\"\n");
    assert_refused(
        &shares,
        line_of(&shares, "label = \"\""),
        &["`shares.phase.label`", allowed],
    );
    let option = format!(
        "{}\n[choices.src]\noptions = [\"a\"]\n",
        MINIMAL.replace(
            "gwp = 2000",
            "gwp = { choice = \"src\", values = { a = { value = 2000, label = [\"x\"] } } }"
        )
    );
    assert_refused(
        &option,
        line_of(&option, "gwp = { choice"),
        &[
            "`profiles.node.embodied.server.gwp.values.a.label`",
            allowed,
        ],
    );
}

#[test]
fn check_shows_labels_and_key_paths_and_marks_derived_ones() {
    let moshi = common::repo_file("scenarios/moshi.toml");
    let out = ecoband().arg("check").arg(&moshi).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("H100 embodied GWP (Boavizta) "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.contains("profiles.dgx_h100.embodied.gpu.gwp.values.boavizta"),
        "{line}"
    );
    assert!(!stdout.contains("label derived"), "{stdout}");
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path(), "minimal.toml", MINIMAL);
    let out = ecoband().arg("check").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Datacenter PUE *"), "{stdout}");
    assert!(
        stdout.contains("* label derived from the key path"),
        "{stdout}"
    );
}

#[test]
fn tornado_json_and_table_carry_labels() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.json");
    let bloom = common::repo_file("scenarios/bloom.toml");
    let run = ecoband()
        .arg("tornado")
        .arg(&bloom)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let table = String::from_utf8_lossy(&run.stdout);
    let text = std::fs::read_to_string(&out).unwrap();
    // `label` sits next to `factor`, which keeps the key path.
    assert!(
        text.contains(
            "\"factor\": \"electricity.gwp\",\n          \"label\": \"Grid carbon intensity, France (BLOOM)\""
        ),
        "{text}"
    );
    let result: TornadoResult = serde_json::from_str(&text).unwrap();
    let bars = &result.tornado["gwp"].factors;
    assert!(bars.iter().all(|b| !b.label.is_empty()));
    for b in bars {
        assert!(table.contains(&b.label), "{} not in {table}", b.label);
    }
    assert!(!table.contains("electricity.gwp"), "{table}");
    let with_paths = ecoband()
        .arg("tornado")
        .arg(&bloom)
        .arg("--key-paths")
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&with_paths.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with("Grid carbon intensity, France (BLOOM)"))
        .unwrap();
    assert!(row.contains("electricity.gwp"), "{table}");
    assert!(table.contains("key path"), "{table}");
}

#[test]
fn sobol_json_and_table_carry_labels_of_factors_groups_and_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[groups]\ngrid_mix = [\"electricity.gwp\", \"datacenter.pue\"]\n",
        MINIMAL
            .replace(
                "pue = 1.2",
                "pue = { dist = \"uniform\", min = 1.1, max = 1.5, label = \"PUE\" }"
            )
            .replace(
                "gwp = 0.1",
                "gwp = { dist = \"uniform\", min = 0.05, max = 0.15, label = \"电网碳强度\" }"
            )
    );
    let path = write_scenario(dir.path(), "s.toml", &text);
    let out = dir.path().join("s.json");
    let run = ecoband()
        .arg("sobol")
        .arg(&path)
        .args(["--n-base", "256", "--second-order", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let result: SobolResult =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let total = &result.sobol["gwp"]["total"];
    let labels: Vec<(&str, &str)> = total
        .indices
        .iter()
        .map(|i| (i.factor.as_str(), i.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [("datacenter.pue", "PUE"), ("electricity.gwp", "电网碳强度")]
    );
    assert_eq!(total.groups[0].factor, "grid_mix");
    assert_eq!(total.groups[0].label, "Grid mix");
    assert_eq!(total.s2[0].labels, ["PUE".to_string(), "电网碳强度".into()]);
    // Columns line up on screen: the CJK label takes two columns a
    // character, and the S1 column (right-aligned) ends at one place.
    let table = String::from_utf8_lossy(&run.stdout);
    let s1_end = |label: &str| {
        let line = table.lines().find(|l| l.starts_with(label)).unwrap();
        let rest = &line[label.len()..];
        let s1 = rest.trim_start();
        label.width() + rest.len() - s1.len() + s1.find(' ').unwrap()
    };
    assert_eq!(s1_end("PUE"), s1_end("电网碳强度"), "{table}");
    assert!(table.contains("group Grid mix"), "{table}");
}
