//! Several sites per scenario: `[sites.NAME]` tables, each with its own
//! data centre, electricity and idle energy, a `site` on each inventory row
//! and a per-site breakdown in every output. The single-site form is one
//! implicit site and keeps every bit of its results.

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

fn run_json(dir: &std::path::Path, scenario: &std::path::Path, args: &[&str]) -> Value {
    let out = dir.join("out.json");
    ecoband()
        .arg("run")
        .arg(scenario)
        .args(["-q", "--out"])
        .arg(&out)
        .args(args)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

/// Two sites with made-up round numbers: a German HPC centre running A100
/// jobs and a US cloud region running H100 jobs, plus a third site that no
/// row uses.
const TWO_SITES: &str = r#"[scenario]
name = "two sites"

[parameters]
shared_wue = { dist = "uniform", min = 0.1, max = 0.3, unit = "L/kWh" }

[sites.de]
label = "German university HPC centre"
[sites.de.datacenter]
pue = { dist = "uniform", min = 1.1, max = 1.5 }
wue_onsite = "shared_wue"
[sites.de.electricity]
gwp = { dist = "uniform", min = 0.3, max = 0.5 }
pe = 10.0
adp = 1e-8
water = 2.0
[sites.de.idle]
ratio = 0.1

[sites.us]
[sites.us.datacenter]
pue = 1.1
wue_onsite = "shared_wue"
[sites.us.electricity]
gwp = { dist = "uniform", min = 0.2, max = 0.4 }
pe = 11.0
adp = 2e-8
water = 3.0

[sites.spare]
[sites.spare.datacenter]
pue = { dist = "uniform", min = 1.2, max = 1.3 }
wue_onsite = 0.0
[sites.spare.electricity]
gwp = 0.1
pe = 1.0
adp = 1e-9
water = 1.0

[profiles.a100]
gpus_per_node = 8
gpu_power_w = 400
lifetime_years = 5
[profiles.a100.embodied.server]
count = 1
gwp = 2000

[profiles.h100]
gpus_per_node = 8
gpu_power_w = 700
lifetime_years = 4
[profiles.h100.embodied.server]
count = 1
gwp = 3000

[defaults]
site = "de"

[[inventory]]
name = "A100 runs"
profile = "a100"
gpu_hours = { dist = "uniform", min = 5000, max = 15000 }
tags = { phase = "training" }

[[inventory]]
name = "H100 rental"
site = "us"
profile = "h100"
gpu_hours = 2000
tags = { phase = "training" }
"#;

/// One site's part of `TWO_SITES`, as a single-site scenario.
fn one_site(datacenter: &str, electricity: &str, idle: &str, row: &str) -> String {
    format!(
        "[scenario]\nname = \"one site\"\n\n[parameters]\nshared_wue = {{ dist = \"uniform\", min = 0.1, max = 0.3, unit = \"L/kWh\" }}\n\n[datacenter]\n{datacenter}\n[electricity]\n{electricity}\n{idle}\n[profiles.a100]\ngpus_per_node = 8\ngpu_power_w = 400\nlifetime_years = 5\n[profiles.a100.embodied.server]\ncount = 1\ngwp = 2000\n\n[profiles.h100]\ngpus_per_node = 8\ngpu_power_w = 700\nlifetime_years = 4\n[profiles.h100.embodied.server]\ncount = 1\ngwp = 3000\n\n{row}"
    )
}

const DE_DATACENTER: &str =
    "pue = { dist = \"uniform\", min = 1.1, max = 1.5 }\nwue_onsite = \"shared_wue\"\n";
const DE_ELECTRICITY: &str =
    "gwp = { dist = \"uniform\", min = 0.3, max = 0.5 }\npe = 10.0\nadp = 1e-8\nwater = 2.0\n";
const US_DATACENTER: &str = "pue = 1.1\nwue_onsite = \"shared_wue\"\n";
const US_ELECTRICITY: &str =
    "gwp = { dist = \"uniform\", min = 0.2, max = 0.4 }\npe = 11.0\nadp = 2e-8\nwater = 3.0\n";

#[test]
fn the_baseline_of_two_sites_is_the_sum_of_each_site_alone() {
    let two = compile(TWO_SITES);
    let de = compile(&one_site(
        DE_DATACENTER,
        DE_ELECTRICITY,
        "[idle]\nratio = 0.1\n",
        "[[inventory]]\nprofile = \"a100\"\ngpu_hours = { dist = \"uniform\", min = 5000, max = 15000 }\n",
    ));
    let us = compile(&one_site(
        US_DATACENTER,
        US_ELECTRICITY,
        "",
        "[[inventory]]\nprofile = \"h100\"\ngpu_hours = 2000\n",
    ));
    let (b2, s2) = two.baseline();
    let (bde, sde) = de.baseline();
    let (bus, sus) = us.baseline();
    let layout = two.layout();
    for (c, cat) in layout.categories.iter().enumerate() {
        let total = b2[layout.index(c, model::Series::Total)];
        let x = bde[de.layout().index(c, model::Series::Total)];
        let y = bus[us.layout().index(c, model::Series::Total)];
        // Two terms added in another order: equal to 1e-12 relative.
        assert!(
            (total - (x + y)).abs() <= 1e-12 * total.abs(),
            "{}: {total} vs {x} + {y}",
            cat.id
        );
        // The per-site breakdown is each site alone.
        let site = |name: &str| {
            let t = layout
                .tag_values
                .iter()
                .position(|(k, v)| k == "site" && v == name)
                .unwrap();
            b2[layout.index(c, model::Series::Tag(t))]
        };
        assert!((site("de") - x).abs() <= 1e-12 * x.abs(), "{}", cat.id);
        assert!((site("us") - y).abs() <= 1e-12 * y.abs(), "{}", cat.id);
    }
    let (s2, sde, sus) = (s2.unwrap(), sde.unwrap(), sus.unwrap());
    assert!((s2.facility_kwh - (sde.facility_kwh + sus.facility_kwh)).abs() < 1e-9);
    assert!(
        (s2.idle_kwh - sde.idle_kwh).abs() < 1e-9,
        "idle is de's only"
    );
}

#[test]
fn by_hand_at_the_nominal_values() {
    // de: 10,000 GPU-h × 400 W = 4,000 kWh IT × PUE 1.3 = 5,200 kWh
    // facility, idle 10 % = 520 kWh; gwp 0.4 → (5,200 + 520) × 0.4 =
    // 2,288 kg; embodied 10,000 × 2,000 / (8 × 5 × 8,760) = 57.08 kg.
    // us: 2,000 × 700 W = 1,400 kWh × 1.1 = 1,540 kWh × 0.3 = 462 kg;
    // embodied 2,000 × 3,000 / (8 × 4 × 8,760) = 21.40 kg.
    let m = compile(TWO_SITES);
    let (b, split) = m.baseline();
    let gwp = b[m.layout().index(0, model::Series::Total)];
    let expected = 2288.0 + 1e7 / 8.0 / 5.0 / 8760.0 * 2.0 + 462.0 + 6e6 / 8.0 / 4.0 / 8760.0;
    assert!((gwp - expected).abs() < 1e-9, "{gwp} vs {expected}");
    let split = split.unwrap();
    assert!((split.it_kwh - 5400.0).abs() < 1e-9);
    assert!((split.facility_kwh - 6740.0).abs() < 1e-9);
    assert!((split.idle_kwh - 520.0).abs() < 1e-9);
}

#[test]
fn site_factors_are_their_own_and_a_shared_parameter_is_one_factor() {
    let m = compile(TWO_SITES);
    let names: Vec<&str> = m.factors.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"sites.de.datacenter.pue"), "{names:?}");
    assert!(names.contains(&"sites.de.electricity.gwp"));
    assert!(names.contains(&"sites.us.electricity.gwp"));
    assert_eq!(names.iter().filter(|n| **n == "shared_wue").count(), 1);
    assert!(!names.iter().any(|n| n.contains("wue_onsite")));
    // The unused site's factors have no effect, with the reason.
    let spare: Vec<(&str, &str)> = m
        .no_effect
        .iter()
        .map(|n| (n.factor.name.as_str(), n.reason.as_str()))
        .collect();
    assert_eq!(
        spare,
        [(
            "sites.spare.datacenter.pue",
            "no inventory row runs at site `spare`"
        )]
    );
    let label = &m
        .factors
        .iter()
        .find(|f| f.name == "sites.us.electricity.gwp")
        .unwrap()
        .label;
    assert_eq!(label, "Electricity GWP, us");
}

#[test]
fn every_output_gains_a_site_breakdown_that_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "two.toml", TWO_SITES);
    let json = run_json(dir.path(), &path, &["-n", "20000"]);
    for (cat, impact) in json["impacts"].as_object().unwrap() {
        let sites = impact["by_tag"]["site"].as_object().unwrap();
        let names: Vec<&String> = sites.keys().collect();
        assert_eq!(names, ["de", "us"], "{cat}: the spare site has no row");
        // Per sample the sites add up to the total, so the means do (to
        // rounding of the summation order).
        let sum: f64 = sites.values().map(|s| s["mean"].as_f64().unwrap()).sum();
        let mean = impact["mean"].as_f64().unwrap();
        assert!(
            (sum - mean).abs() <= 1e-9 * mean.abs(),
            "{cat}: {sum} vs {mean}"
        );
        // The user's own tag is still there.
        assert!(impact["by_tag"]["phase"]["training"].is_object());
    }
    // And the terminal table shows it.
    ecoband()
        .args(["run", "-n", "5000"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("gwp by site (kgCO2e):"));
}

#[test]
fn results_are_the_same_bits_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "two.toml", TWO_SITES);
    let one = run_json(dir.path(), &path, &["-n", "50000", "--threads", "1"]);
    let two = run_json(dir.path(), &path, &["-n", "50000", "--threads", "2"]);
    assert_eq!(one, two);
}

/// A bundled scenario rewritten with its data centre and electricity as
/// one named site gives the same bits for every total, scope and tag: the
/// single-site form is one implicit site.
#[test]
fn a_bundled_scenario_as_one_named_site_keeps_every_statistic() {
    let text = std::fs::read_to_string(common::repo_file("scenarios/moshi.toml")).unwrap();
    let named = text
        .replace("[datacenter]", "[sites.nabu.datacenter]")
        .replace("[electricity]", "[sites.nabu.electricity]")
        .replace("[idle]", "[sites.nabu.idle]");
    assert_ne!(named, text);
    let dir = tempfile::tempdir().unwrap();
    let a = common::write_scenario(dir.path(), "a.toml", &text);
    let b = common::write_scenario(dir.path(), "b.toml", &named);
    let a = run_json(dir.path(), &a, &["-n", "40000"]);
    let b = run_json(dir.path(), &b, &["-n", "40000"]);
    for (cat, ia) in a["impacts"].as_object().unwrap() {
        let mut ib = b["impacts"][cat].clone();
        let site = ib["by_tag"]
            .as_object_mut()
            .unwrap()
            .remove("site")
            .unwrap();
        assert_eq!(ia, &ib, "{cat}");
        // The one site is the whole project.
        assert_eq!(site["nabu"]["mean"], ia["mean"], "{cat}");
    }
}

#[test]
fn set_and_preset_swaps_reach_one_site() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "two.toml", TWO_SITES);
    let base = run_json(dir.path(), &path, &["-n", "8192"]);
    let set = run_json(
        dir.path(),
        &path,
        &["-n", "8192", "--set", "sites.us.electricity.gwp=0.6"],
    );
    let site =
        |j: &Value, s: &str, key: &str| j["impacts"]["gwp"]["by_tag"]["site"][s][key].clone();
    // (A constant in place of a distribution moves later factors' random
    // numbers, so de's baseline, not its mean, is compared.)
    assert_eq!(site(&base, "de", "baseline"), site(&set, "de", "baseline"));
    // us: 1,540 kWh × 0.6 + embodied 21.40 kg, the same in every sample.
    let us = set["impacts"]["gwp"]["by_tag"]["site"]["us"]["baseline"]
        .as_f64()
        .unwrap();
    assert!((us - (1540.0 * 0.6 + 6e6 / 8.0 / 4.0 / 8760.0)).abs() < 1e-9);
    let swapped = run_json(
        dir.path(),
        &path,
        &["-n", "8192", "--set", "sites.de.electricity.preset=FRA"],
    );
    assert_ne!(
        site(&base, "de", "baseline"),
        site(&swapped, "de", "baseline")
    );
    assert_eq!(
        site(&base, "us", "baseline"),
        site(&swapped, "us", "baseline")
    );
    assert!(
        swapped["settings"]["overrides"]
            .to_string()
            .contains("sites.de.electricity.preset=FRA")
    );
}

#[test]
fn a_sweep_takes_a_site_key() {
    let dir = tempfile::tempdir().unwrap();
    common::write_scenario(dir.path(), "two.toml", TWO_SITES);
    let sweep = common::write_scenario(
        dir.path(),
        "sweep.toml",
        "[sweep]\nname = \"us grid\"\nscenario = \"two.toml\"\n\n[[axis]]\nname = \"grid\"\nkey = \"sites.us.electricity.preset\"\nvalues = [\"USA\", \"FRA\"]\n",
    );
    let out = dir.path().join("sweep");
    ecoband()
        .arg("sweep")
        .arg(&sweep)
        .args(["-q", "--samples", "4096", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary = std::fs::read_dir(&out).unwrap().count();
    assert!(summary >= 2, "one result per point at least");
}

#[test]
fn a_report_shows_the_site_breakdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "two.toml", TWO_SITES);
    run_json(dir.path(), &path, &["-n", "8192"]);
    let md = dir.path().join("r.md");
    ecoband()
        .arg("report")
        .arg(dir.path().join("out.json"))
        .arg("--markdown")
        .arg(&md)
        .assert()
        .success();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("| site: de "), "{text}");
    assert!(text.contains("| site: us "), "{text}");
}

/// Each bad input: exit 2, a message naming the file, line and key path,
/// and no output file.
#[test]
fn bad_sites_are_refused_with_a_clear_message() {
    let cases: [(&str, String, &str); 8] = [
        (
            "unknown site",
            TWO_SITES.replace("site = \"us\"", "site = \"usa\""),
            "refers to undefined site `usa`; defined sites: de, spare, us",
        ),
        (
            "no site and no default",
            TWO_SITES.replace("[defaults]\nsite = \"de\"\n", ""),
            "names no site: give `site = \"…\"` in the row or in [defaults]",
        ),
        (
            "top-level datacenter beside sites",
            format!("{TWO_SITES}\n[datacenter]\npue = 1.2\nwue_onsite = 0.0\n"),
            "gives each site its own [sites.NAME.datacenter]",
        ),
        (
            "site in a single-site scenario",
            common::MINIMAL.replace("name = \"run\"", "name = \"run\"\nsite = \"de\""),
            "this scenario declares no [sites.NAME] tables",
        ),
        (
            "a user tag named site",
            TWO_SITES.replace(
                "tags = { phase = \"training\" }\n\n[[inventory]]",
                "tags = { site = \"x\" }\n\n[[inventory]]",
            ),
            "tag `site` is the per-site breakdown",
        ),
        (
            "a site without electricity",
            TWO_SITES.replace(
                "[sites.us.electricity]\ngwp = { dist = \"uniform\", min = 0.2, max = 0.4 }\npe = 11.0\nadp = 2e-8\nwater = 3.0\n",
                "",
            ),
            "[sites.us] needs a [sites.us.electricity] table",
        ),
        (
            "an unknown key in a site",
            TWO_SITES.replace("label = \"German", "pue = 1.2\nlabel = \"German"),
            "unknown key `pue`",
        ),
        (
            "a PUE below 1 at one site",
            TWO_SITES.replace("pue = 1.1\nwue_onsite", "pue = 0.9\nwue_onsite"),
            "sites.us.datacenter.pue",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (what, text, message) in cases {
        let path = common::write_scenario(dir.path(), "bad.toml", &text);
        let out = dir.path().join("never.json");
        let assert = ecoband()
            .arg("run")
            .arg(&path)
            .args(["-n", "4096", "--out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(message));
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains("bad.toml:"), "{what}: {stderr}");
        assert!(!out.exists(), "{what}: no output file");
    }
    // An empty [sites] table.
    let text = common::MINIMAL
        .replace("[datacenter]\npue = 1.2\nwue_onsite = 0.5\n", "[sites]\n")
        .replace(
            "[electricity]\ngwp = 0.1\npe = 10.0\nadp = 1e-8\nwater = 2.0\n",
            "",
        );
    let path = common::write_scenario(dir.path(), "bad.toml", &text);
    ecoband()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("[sites] declares no site"));
}

/// The bundled example: one interval for a project on two sites, its
/// university GPU-hours a formula (64 GPUs × 18 months × utilisation),
/// with the site breakdown adding up.
#[test]
fn the_mixed_lab_example_gives_one_interval_with_a_site_breakdown() {
    let path = common::repo_file("scenarios/examples/mixed-lab.toml");
    let scenario = Scenario::load(&path).unwrap();
    let m = model::compile(&scenario).unwrap();
    // Sensitivity stays on the named parameters, never the derived hours.
    let names: Vec<&str> = m.factors.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"utilisation"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("gpu_hours")), "{names:?}");
    let dir = tempfile::tempdir().unwrap();
    let one = run_json(dir.path(), &path, &["-n", "20000", "--threads", "1"]);
    let two = run_json(dir.path(), &path, &["-n", "20000", "--threads", "2"]);
    assert_eq!(one, two);
    let gwp = &one["impacts"]["gwp"];
    let sites = gwp["by_tag"]["site"].as_object().unwrap();
    assert_eq!(sites.keys().collect::<Vec<_>>(), ["de", "us"]);
    let sum: f64 = sites.values().map(|s| s["mean"].as_f64().unwrap()).sum();
    let mean = gwp["mean"].as_f64().unwrap();
    assert!((sum - mean).abs() <= 1e-9 * mean);
    let (low, high) = (
        gwp["interval"]["low"].as_f64().unwrap(),
        gwp["interval"]["high"].as_f64().unwrap(),
    );
    assert!(low < mean && mean < high);
}
