//! The bundled presets: their nominal values are the cited source values
//! (transcribed below from docs/lca-data.md), the hardware
//! presets' embodied factors are BoaviztAPI's formulas as
//! src/presets/boavizta.rs computes them, every preset compiles and every
//! number in it has a source, a scenario's keys override a preset's, and an
//! unknown preset is refused with the known ones listed.

mod common;

use assert_cmd::Command;
use predicates::str::contains;

use ecoband::model::{self, Factor, FactorKind, Series, outputs};
use ecoband::presets::{KINDS, PresetKind, boavizta};
use ecoband::scenario::preset::{catalogue, names};
use ecoband::scenario::{ModelSpec, ProfileSpec, Scenario, ValueKind, ValueSpec};

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

/// A scenario around presets: `sections` are the scenario's tables.
fn scenario_with(sections: &str) -> String {
    format!(
        "[scenario]\nname = \"presets\"\n\n{sections}\n\n[[inventory]]\nname = \"run\"\ngpu_hours = 1000\ntags = {{ category = \"final\" }}\n"
    )
}

const DEFAULT_TABLES: &str = "[datacenter]\npreset = \"industry-average\"\n\n[electricity]\npreset = \"FRA\"\n\n[profiles.node]\npreset = \"dgx-h100\"";

fn parse(text: &str) -> Scenario {
    Scenario::parse("presets-test.toml", text).unwrap()
}

/// (nominal, min, max) of a value, in the unit it is written in.
fn nominal_range(v: &ValueSpec) -> (f64, f64, f64) {
    match &v.kind {
        ValueKind::Const(x) => (*x, *x, *x),
        ValueKind::Dist { dist, nominal } => {
            let (lo, hi) = dist.support();
            (*nominal, lo, hi)
        }
        other => panic!("{}: not a number: {other:?}", v.path),
    }
}

fn assert_rel(what: &str, value: f64, expected: f64, tolerance: f64) {
    let rel = ((value - expected) / expected).abs();
    assert!(
        rel <= tolerance,
        "{what}: {value}, expected {expected} (off by {rel:.2e})"
    );
}

fn footprint(s: &Scenario) -> &ecoband::scenario::FootprintSpec {
    match &s.model {
        ModelSpec::Footprint(f) => f,
        ModelSpec::TestFunction(_) => panic!("not a footprint scenario"),
    }
}

/// A row of lca-data §4.1: zone, gwp, pe, adpe, adpf, wu (m3/kWh; None: no
/// value).
type BoaviztaRow = (&'static str, f64, f64, f64, f64, Option<f64>);

/// lca-data §4.1 (BoaviztAPI factors.yml v2.4.1).
const BOAVIZTA: [BoaviztaRow; 18] = [
    ("WOR", 0.39, 9.988, 7.3771e-08, 6.47232, None),
    ("EEE", 0.38, 12.873, 6.4232e-08, 8.54775, None),
    (
        "FRA",
        0.098,
        11.289,
        4.8580e-08,
        9.31353,
        Some(0.0036736961),
    ),
    ("DEU", 0.422, 16.26, 8.7873e-08, 8.74769, Some(0.001946974)),
    ("USA", 0.37, 11.358, 9.8555e-08, 9.68839, Some(0.003132125)),
    ("SWE", 0.04, 11.026, 7.7706e-08, 4.73005, Some(0.0060315101)),
    (
        "POL",
        0.805,
        13.178,
        1.0195e-07,
        11.1352,
        Some(0.0025134737),
    ),
    ("CHN", 0.55, 14.119, 8.5155e-08, 10.6736, Some(0.0060064707)),
    (
        "GBR",
        0.246,
        13.579,
        3.7097e-08,
        9.09764,
        Some(0.0023289996),
    ),
    (
        "NOR",
        0.031,
        4.952,
        1.2749e-07,
        0.138646,
        Some(0.0066633633),
    ),
    (
        "IRL",
        0.384,
        10.706,
        2.1926e-08,
        8.06139,
        Some(0.0014769299),
    ),
    ("NLD", 0.45, 8.511, 3.2932e-08, 7.48147, Some(0.0034330403)),
    ("FIN", 0.141, 11.275, 8.0511e-08, 6.2915, Some(0.0045289299)),
    ("ESP", 0.279, 12.09, 5.1833e-08, 7.48386, Some(0.0062087837)),
    (
        "ITA",
        0.356,
        12.656,
        5.4390e-08,
        7.93507,
        Some(0.0048374076),
    ),
    (
        "JPN",
        0.473,
        10.718,
        5.9658e-08,
        9.11048,
        Some(0.0023063545),
    ),
    (
        "IND",
        0.626,
        20.363,
        1.0010e-07,
        16.6775,
        Some(0.0034368443),
    ),
    ("CAN", 0.12, 11.987, 9.9318e-08, 4.19546, Some(0.0081662622)),
];

/// lca-data §4.2 (EcoLogits electricity_mixes.csv @5be90da): zone, adpe,
/// "pe" (= ADPf), gwp (OWID), wue off-site (L/kWh). No EEE row.
const ECOLOGITS: [(&str, f64, f64, f64, f64); 17] = [
    ("FRA", 4.858e-08, 9.3135, 0.04418, 3.6737),
    ("DEU", 8.787e-08, 8.7477, 0.34414, 1.947),
    ("USA", 9.855e-08, 9.6884, 0.38355, 3.1321),
    ("SWE", 7.771e-08, 4.7301, 0.03582, 6.0315),
    ("POL", 1.0195e-07, 11.1352, 0.61498, 2.5135),
    ("CHN", 8.516e-08, 10.6736, 0.55955, 6.0065),
    ("GBR", 3.71e-08, 9.0976, 0.21089, 2.329),
    ("NLD", 3.293e-08, 7.4815, 0.25331, 3.433),
    ("IRL", 2.193e-08, 8.0614, 0.2797, 1.4769),
    ("NOR", 1.2749e-07, 0.1386, 0.03075, 6.6633),
    ("FIN", 8.051e-08, 6.2915, 0.07225, 4.5289),
    ("ESP", 5.183e-08, 7.4839, 0.14615, 6.2088),
    ("ITA", 5.439e-08, 7.9351, 0.28753, 4.8374),
    ("JPN", 5.966e-08, 9.1105, 0.48232, 2.3063),
    ("IND", 1.001e-07, 16.6775, 0.70832, 3.4368),
    ("CAN", 9.932e-08, 4.1955, 0.17481, 8.1662),
    ("WOR", 1.349e-08, 2.5871, 0.47301, 3.908),
];

/// The 18 zones the issue asks for.
const ZONES: [&str; 18] = [
    "FRA", "DEU", "USA", "GBR", "SWE", "NOR", "POL", "CHN", "IND", "JPN", "CAN", "IRL", "NLD",
    "ESP", "ITA", "FIN", "EEE", "WOR",
];

fn electricity(zone: &str) -> [ValueSpec; 4] {
    let s = parse(&scenario_with(&format!(
        "[datacenter]\npreset = \"industry-average\"\n\n[electricity]\npreset = \"{zone}\"\n\n[profiles.node]\npreset = \"dgx-h100\""
    )));
    let e = &footprint(&s).sites[0].electricity;
    [e.gwp.clone(), e.pe.clone(), e.adp.clone(), e.water.clone()]
}

#[test]
fn every_required_zone_is_an_electricity_preset() {
    let known = names(PresetKind::Electricity).unwrap();
    for zone in ZONES {
        assert!(known.iter().any(|k| k == zone), "{zone} missing");
    }
}

#[test]
fn electricity_nominals_are_the_cited_source_values() {
    // The rule stated at the top of presets/electricity.toml. Tolerance
    // 1e-4 relative: the file writes the sources' digits, water in L/kWh
    // rounded to 4 decimals (BoaviztAPI gives m3/kWh to 10).
    for (zone, b_gwp, b_pe, b_adpe, b_adpf, b_wu) in BOAVIZTA {
        let [gwp, pe, adp, water] = electricity(zone);
        let eco = ECOLOGITS.iter().find(|e| e.0 == zone);
        // gwp: nominal OWID (EcoLogits) where it exists, else BoaviztAPI;
        // the range spans both sources.
        let (g, g_lo, g_hi) = nominal_range(&gwp);
        match eco {
            Some(&(_, _, _, owid, _)) => {
                assert_rel(&format!("{zone} gwp"), g, owid, 1e-9);
                assert_rel(&format!("{zone} gwp min"), g_lo, owid.min(b_gwp), 1e-9);
                assert_rel(&format!("{zone} gwp max"), g_hi, owid.max(b_gwp), 1e-9);
            }
            None => {
                assert_rel(&format!("{zone} gwp"), g, b_gwp, 1e-9);
                assert!(g_lo < g && g < g_hi, "{zone}: an assumed range");
            }
        }
        // pe: nominal BoaviztAPI's total primary energy; low the fossil
        // part (ADPf, EcoLogits' "pe"), never below 3.6 MJ/kWh.
        let (p, p_lo, p_hi) = nominal_range(&pe);
        assert_rel(&format!("{zone} pe"), p, b_pe, 1e-9);
        let fossil = eco.map_or(b_adpf, |e| e.2.min(b_adpf));
        assert_rel(&format!("{zone} pe min"), p_lo, fossil.max(3.6), 1e-9);
        assert!(p_hi > p, "{zone} pe max");
        // adp: nominal BoaviztAPI; the range contains EcoLogits' value.
        let (a, a_lo, a_hi) = nominal_range(&adp);
        assert_rel(&format!("{zone} adp"), a, b_adpe, 1e-9);
        if let Some(e) = eco {
            assert!(a_lo <= e.1 && e.1 <= a_hi, "{zone} adp range");
        }
        // water: WRI via BoaviztAPI (m3 → L), else EcoLogits (WOR), else
        // the mean of the European zones (EEE).
        let (w, w_lo, w_hi) = nominal_range(&water);
        let expected = match (b_wu, eco) {
            (Some(wu), _) => wu * 1000.0,
            (None, Some(e)) => e.4,
            (None, None) => {
                let europe = [
                    "FRA", "DEU", "SWE", "POL", "GBR", "NOR", "IRL", "NLD", "FIN", "ESP", "ITA",
                ];
                let values: Vec<f64> = BOAVIZTA
                    .iter()
                    .filter(|b| europe.contains(&b.0))
                    .map(|b| b.5.unwrap() * 1000.0)
                    .collect();
                values.iter().sum::<f64>() / values.len() as f64
            }
        };
        assert_rel(&format!("{zone} water"), w, expected, 1e-4);
        assert!(w_lo < w && w < w_hi, "{zone} water range");
        if let (Some(wu), Some(e)) = (b_wu, eco) {
            // The two tools carry the same WRI figure.
            assert_rel(&format!("{zone} water sources"), wu * 1000.0, e.4, 1e-4);
        }
    }
}

#[test]
fn datacenter_nominals_are_the_cited_source_values() {
    // lca-data §1.3, §2, §5.1–5.2: (preset, PUE, WUE on site).
    let cases = [
        ("scaleway-dc5", 1.16, 0.214),     // Scaleway calculator fr-par-2 [P]
        ("hyperscaler", 1.14, 0.569),      // AWS ≈1.14; Microsoft US 0.569 [P]
        ("industry-average", 1.58, 0.569), // Uptime 2023 [P]; Microsoft US [J]
        ("jean-zay", 1.2, 0.2),            // BLOOM Table 4 [S]; not published [J]
        ("jupiter-ai2", 1.2, 0.0),         // Morrison et al. §3.1 [S]
        ("hpc-centre", 1.2, 0.2),          // Jean Zay, Jupiter 1.2 [S]; [J]
    ];
    assert_eq!(names(PresetKind::Datacenter).unwrap().len(), cases.len());
    for (name, pue, wue) in cases {
        let s = parse(&scenario_with(&format!(
            "[datacenter]\npreset = \"{name}\"\n\n[electricity]\npreset = \"FRA\"\n\n[profiles.node]\npreset = \"dgx-h100\""
        )));
        let d = &footprint(&s).sites[0].datacenter;
        assert_eq!(nominal_range(&d.pue).0, pue, "{name} pue");
        assert_eq!(nominal_range(&d.wue_onsite).0, wue, "{name} wue");
    }
}

fn profile(preset: &str) -> ProfileSpec {
    let s = parse(&scenario_with(&format!(
        "[datacenter]\npreset = \"industry-average\"\n\n[electricity]\npreset = \"FRA\"\n\n[profiles.node]\npreset = \"{preset}\""
    )));
    footprint(&s).profiles[0].clone()
}

fn component<'a>(p: &'a ProfileSpec, name: &str) -> &'a ecoband::scenario::ComponentSpec {
    p.embodied.iter().find(|c| c.name == name).unwrap()
}

/// (nominal, min, max) of a component's count.
fn count(p: &ProfileSpec, name: &str) -> (f64, f64, f64) {
    nominal_range(&component(p, name).count)
}

/// Nominal per-unit gwp, pe, adp of a component.
fn factors(p: &ProfileSpec, name: &str) -> [f64; 3] {
    let c = component(p, name);
    [0, 1, 2].map(|k| match &c.factors[k].as_ref().unwrap().kind {
        ValueKind::Choice { options, .. } => nominal_range(&options[0].1).0,
        _ => nominal_range(c.factors[k].as_ref().unwrap()).0,
    })
}

#[test]
fn dgx_h100_inputs_are_boaviztas() {
    let p = profile("dgx-h100");
    // GPU: the BoaviztAPI formula on the H100 SXM 80GB row (the choice's
    // nominal option, "boavizta", is listed first), to the 5 digits written.
    let gpu = boavizta::gpu(&boavizta::H100_SXM_80GB);
    let [g, e, a] = factors(&p, "gpu");
    assert_rel("gpu gwp", g, gpu.gwp, 1e-4);
    assert_rel("gpu pe", e, gpu.pe, 1e-4);
    assert_rel("gpu adp", a, gpu.adp, 1e-4);
    // CPU by die area.
    let cpu = boavizta::cpu(boavizta::XEON_8480_DIE_MM2);
    let [g, e, a] = factors(&p, "cpu");
    assert_rel("cpu gwp", g, cpu.gwp, 1e-6);
    assert_rel("cpu pe", e, cpu.pe, 1e-6);
    assert_rel("cpu adp", a, cpu.adp, 1e-6);
    // RAM and SSD die area: capacity / density at the data set's mean,
    // max and min density (nominal, min, max of the area).
    let [mean, lo, hi] = boavizta::RAM_DENSITY_GB_PER_CM2;
    let (n, min, max) = count(&p, "ram_die");
    let ram_gb = 32.0 * 64.0;
    assert_rel("ram area", n, ram_gb / mean, 1e-6);
    assert_rel("ram area min", min, ram_gb / hi, 1e-6);
    assert_rel("ram area max", max, ram_gb / lo, 1e-6);
    let [mean, lo, hi] = boavizta::SSD_DENSITY_GB_PER_CM2;
    let (n, min, max) = count(&p, "ssd_die");
    let ssd_gb = 8.0 * 2000.0;
    assert_rel("ssd area", n, ssd_gb / mean, 1e-6);
    assert_rel("ssd area min", min, ssd_gb / hi, 1e-6);
    assert_rel("ssd area max", max, ssd_gb / lo, 1e-6);
    // Per-cm² and per-kg factors are Boavizta's.
    assert_eq!(factors(&p, "ram_die"), rows(boavizta::RAM_DIE_PER_CM2));
    assert_eq!(factors(&p, "ram"), rows(boavizta::RAM_BASE));
    assert_eq!(factors(&p, "ssd_die"), rows(boavizta::SSD_DIE_PER_CM2));
    assert_eq!(factors(&p, "ssd"), rows(boavizta::SSD_BASE));
    assert_eq!(factors(&p, "psu"), rows(boavizta::PSU_PER_KG));
    // PSU mass: 6 × the default 2.99 kg, from 6 × 1 kg.
    let (n, min, _) = count(&p, "psu");
    assert_rel("psu mass", n, 6.0 * boavizta::PSU_MASS_KG[0], 1e-9);
    assert_rel("psu mass min", min, 6.0 * boavizta::PSU_MASS_KG[1], 1e-9);
    assert_eq!(factors(&p, "motherboard"), rows(boavizta::MOTHERBOARD));
    assert_eq!(factors(&p, "case"), rows(boavizta::RACK_CASE));
    assert_eq!(factors(&p, "assembly"), rows(boavizta::ASSEMBLY));
}

fn rows(i: boavizta::Impacts) -> [f64; 3] {
    [i.gwp, i.pe, i.adp]
}

/// Embodied outputs of one node-lifetime (gwp, pe, adp): 8 GPUs × 8760 h
/// over 1 year at full use is exactly one node's embodied impacts.
fn node_embodied(profile_table: &str) -> [f64; 3] {
    let text = format!(
        "[scenario]\nname = \"node\"\n\n[datacenter]\npreset = \"industry-average\"\n\n[electricity]\npreset = \"FRA\"\n\n{profile_table}\nlifetime_years = 1\nlifetime_utilisation = 1\n\n[[inventory]]\nname = \"one node-year\"\ngpu_hours = 70080\ntags = {{ category = \"final\" }}\n"
    );
    let s = parse(&text);
    let m = model::compile(&s).unwrap();
    let (out, _) = m.baseline();
    let l = m.layout();
    [outputs::GWP, outputs::PE, outputs::ADP].map(|c| out[l.index(c, Series::Scope(2))])
}

#[test]
fn dgx_h100_node_total_is_boaviztas_recomputation() {
    // Through the whole pipeline (preset → compile → baseline): the node's
    // embodied impacts at the preset's nominal values equal BoaviztAPI's
    // server model of lca-data §3.4 (9,833 kgCO2e / 129,900 MJ /
    // 0.441 kgSbeq), to the 5 digits the preset writes its GPU with.
    let [gwp, pe, adp] = node_embodied("[profiles.node]\npreset = \"dgx-h100\"");
    let expected = boavizta::server(&boavizta::DGX_H100).total();
    assert_rel("node gwp", gwp, expected.gwp, 1e-5);
    assert_rel("node pe", pe, expected.pe, 1e-5);
    assert_rel("node adp", adp, expected.adp, 1e-5);
    assert_rel("node gwp (lca-data)", gwp, 9833.0, 1e-4);
    assert_rel("node pe (lca-data)", pe, 129_900.0, 5e-4);
    assert_rel("node adp (lca-data)", adp, 0.441, 1e-3);
}

#[test]
fn dgx_h100_variants_follow_overrides() {
    // The "1 TB RAM" variant of lca-data §3.4 (7,940 kgCO2e): half the
    // sticks and half the die area, written as overrides of two keys.
    let one_tb = boavizta::server(&boavizta::Server {
        ram_sticks: 16.0,
        ..boavizta::DGX_H100
    })
    .total();
    let [gwp, ..] = node_embodied(&format!(
        "[profiles.node]\npreset = \"dgx-h100\"\nembodied.ram.count = 16\nembodied.ram_die.count = {}",
        1024.0 / boavizta::RAM_DENSITY_GB_PER_CM2[0]
    ));
    assert_rel("1 TB node gwp", gwp, one_tb.gwp, 1e-5);
    assert_rel("1 TB node gwp (lca-data)", gwp, 7940.0, 1e-4);
}

#[test]
fn a100_bloom_is_blooms_method() {
    // Luccioni et al.: server 2,500 kgCO2e + 8 × 150 kgCO2e (lca-data §2.1).
    let [gwp, ..] = node_embodied("[profiles.node]\npreset = \"a100-bloom\"");
    assert_rel("a100 node gwp", gwp, 2500.0 + 8.0 * 150.0, 1e-12);
    let p = profile("a100-bloom");
    assert!(matches!(p.power, ecoband::scenario::PowerSpec::PerGpu(_)));
}

#[test]
fn every_preset_compiles_and_every_number_has_a_source() {
    for info in catalogue().unwrap() {
        let tables = match info.kind {
            PresetKind::Electricity => {
                DEFAULT_TABLES.replace("\"FRA\"", &format!("\"{}\"", info.name))
            }
            PresetKind::Datacenter => {
                DEFAULT_TABLES.replace("\"industry-average\"", &format!("\"{}\"", info.name))
            }
            PresetKind::Hardware => {
                DEFAULT_TABLES.replace("\"dgx-h100\"", &format!("\"{}\"", info.name))
            }
        };
        let s = parse(&scenario_with(&tables));
        let m = model::compile(&s).unwrap();
        let (out, _) = m.baseline();
        assert!(out.iter().all(|x| x.is_finite()), "{}", info.name);
        for f in &m.factors {
            let source = f.source.as_deref().unwrap_or("");
            assert!(
                !source.is_empty(),
                "{}: factor {} has no source",
                info.name,
                f.name
            );
        }
        for c in &m.constants {
            // The scenario's own inventory row is the test's, not a preset's.
            if c.name.starts_with("inventory") {
                continue;
            }
            let source = c.source.as_deref().unwrap_or("");
            assert!(
                !source.is_empty(),
                "{}: {} has no source",
                info.name,
                c.name
            );
            assert!(source.starts_with("preset `"), "{}: {source}", c.name);
        }
        assert!(
            !info.description.is_empty(),
            "{} has no description",
            info.name
        );
    }
}

#[test]
fn preset_names_are_unique_across_kinds() {
    let mut all: Vec<String> = KINDS.iter().flat_map(|k| names(*k).unwrap()).collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n);
}

#[test]
fn scenario_keys_override_the_presets() {
    let text = scenario_with(
        "[datacenter]\npreset = \"scaleway-dc5\"\npue = 1.5\n\n[electricity]\npreset = \"FRA\"\ngwp = 0.1\n\n[profiles.node]\npreset = \"dgx-h100\"\ngpu_power_w = 500\nlifetime_years = 2\n\n[profiles.node.embodied.psu]\ncount = 6",
    );
    let s = parse(&text);
    let f = footprint(&s);
    assert_eq!(nominal_range(&f.sites[0].datacenter.pue).0, 1.5);
    assert_eq!(nominal_range(&f.sites[0].datacenter.wue_onsite).0, 0.214);
    assert_eq!(nominal_range(&f.sites[0].electricity.gwp).0, 0.1);
    assert_eq!(nominal_range(&f.sites[0].electricity.pe).0, 11.289);
    let p = &f.profiles[0];
    assert!(matches!(p.power, ecoband::scenario::PowerSpec::PerGpu(_)));
    assert!(
        p.load.is_none(),
        "a fixed GPU power drops the preset's load"
    );
    assert_eq!(nominal_range(&p.lifetime_years).0, 2.0);
    // The PSU's count is overridden, its factors stay the preset's.
    assert_eq!(count(p, "psu").0, 6.0);
    assert_eq!(factors(p, "psu"), rows(boavizta::PSU_PER_KG));
    // The scenario's values are its own; the others keep their preset.
    assert!(f.sites[0].datacenter.pue.origin.is_none());
    assert!(f.sites[0].datacenter.wue_onsite.origin.is_some());
    model::compile(&s).unwrap();
}

#[test]
fn check_shows_the_preset_next_to_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "p.toml", &scenario_with(DEFAULT_TABLES));
    ecoband()
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stdout(contains(
            "electricity.gwp: preset `FRA` (presets/electricity.toml:",
        ))
        .stdout(contains("OWID via EcoLogits"))
        .stdout(contains("h100_embodied_source"));
}

#[test]
fn a_scenario_can_replace_a_presets_choice_weights() {
    let text = scenario_with(&format!(
        "{DEFAULT_TABLES}\n\n[choices.h100_embodied_source]\noptions = [\"boavizta\", \"nvidia_pcf\"]\nweights = [0, 1]\nsource = \"test\""
    ));
    let m = model::compile(&parse(&text)).unwrap();
    let choice = m
        .factors
        .iter()
        .find(|f| f.name == "h100_embodied_source")
        .unwrap();
    assert_eq!(choice.describe_nominal(), "nvidia_pcf");
    assert_eq!(
        m.factors
            .iter()
            .filter(|f| f.name == "h100_embodied_source")
            .count(),
        1
    );
}

/// Overriding the only value that depends on a preset's choice drops the
/// choice: a factor that moves nothing would show as a zero in every
/// analysis (and in `check`).
#[test]
fn a_preset_choice_nothing_uses_is_dropped() {
    let has_choice = |text: &str| {
        model::compile(&parse(text))
            .unwrap()
            .factors
            .iter()
            .any(|f| f.name == "h100_embodied_source")
    };
    assert!(has_choice(&scenario_with(DEFAULT_TABLES)));
    let overridden = scenario_with(&format!(
        "{DEFAULT_TABLES}

[profiles.node.embodied.gpu]
gwp = {{ value = 300, unit = \"kgCO2e\", source = \"test\" }}"
    ));
    assert!(!has_choice(&overridden));
}

/// Runs `ecoband check` on `text` written as `bad.toml`; returns stderr
/// after asserting exit code 2 and no panic.
fn refused(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_scenario(dir.path(), "bad.toml", text);
    let output = ecoband().arg("check").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn unknown_preset_in_a_scenario_lists_the_known_ones() {
    let text = scenario_with(&DEFAULT_TABLES.replace("\"FRA\"", "\"FRANCE\""));
    let line = text
        .lines()
        .position(|l| l == "preset = \"FRANCE\"")
        .unwrap()
        + 1;
    let stderr = refused(&text);
    for fragment in [
        format!("bad.toml:{line}:"),
        "`electricity.preset`".into(),
        "unknown electricity preset `FRANCE`".into(),
        "FRA, DEU, USA".into(),
        "WOR".into(),
    ] {
        assert!(
            stderr.contains(&fragment),
            "expected `{fragment}` in: {stderr}"
        );
    }
}

#[test]
fn a_name_in_the_wrong_case_gets_a_hint() {
    let text = scenario_with(&DEFAULT_TABLES.replace("\"FRA\"", "\"fra\""));
    let stderr = refused(&text);
    assert!(
        stderr.contains("unknown electricity preset `fra`; did you mean `FRA`?"),
        "{stderr}"
    );
}

#[test]
fn a_preset_of_another_kind_is_named_as_such() {
    let text = scenario_with(&DEFAULT_TABLES.replace("\"industry-average\"", "\"dgx-h100\""));
    let stderr = refused(&text);
    assert!(stderr.contains("`datacenter.preset`"), "{stderr}");
    assert!(
        stderr.contains("`dgx-h100` is a hardware preset, named in [profiles.NAME]"),
        "{stderr}"
    );
    assert!(stderr.contains("scaleway-dc5, hyperscaler"), "{stderr}");
}

#[test]
fn an_error_inside_a_preset_names_the_preset_file_and_line() {
    // The scenario redeclares the preset's choice without the option the
    // preset's GPU value gives: the error is at that value, in the preset.
    let text = scenario_with(&format!(
        "{DEFAULT_TABLES}\n\n[choices.h100_embodied_source]\noptions = [\"boavizta\", \"ademe\"]\nsource = \"test\""
    ));
    let scenario_line = text
        .lines()
        .position(|l| l == "preset = \"dgx-h100\"")
        .unwrap()
        + 1;
    let preset_line = PresetKind::Hardware
        .text()
        .lines()
        .position(|l| l.starts_with("gwp = { choice = \"h100_embodied_source\""))
        .unwrap()
        + 1;
    let stderr = refused(&text);
    for fragment in [
        format!("presets/hardware.toml:{preset_line}:"),
        "`dgx-h100.embodied.gpu.gwp`".into(),
        "option `ademe`".into(),
        "named at ".into(),
        format!("bad.toml:{scenario_line} `profiles.node.preset`"),
    ] {
        assert!(
            stderr.contains(&fragment),
            "expected `{fragment}` in: {stderr}"
        );
    }
}

#[test]
fn presets_command_lists_and_shows() {
    let listed = ecoband().arg("presets").assert().success();
    let out = String::from_utf8_lossy(&listed.get_output().stdout).to_string();
    for info in catalogue().unwrap() {
        assert!(out.contains(&info.name), "{} not listed", info.name);
    }
    assert!(out.contains("electricity") && out.contains("datacenter") && out.contains("hardware"));
    ecoband()
        .args(["presets", "FRA"])
        .assert()
        .success()
        .stdout(contains("electricity preset `FRA`"))
        .stdout(contains("triangular(min 0.04418, mode 0.04418, max 0.098)"))
        .stdout(contains("OWID via EcoLogits"));
    ecoband()
        .args(["presets", "dgx-h100"])
        .assert()
        .success()
        .stdout(contains("embodied.ram_die.count"))
        .stdout(contains(
            "h100_embodied_source: boavizta 0.700, nvidia_pcf 0.300",
        ))
        .stdout(contains("embodied.gpu.gwp.values.boavizta"));
}

#[test]
fn presets_command_refuses_an_unknown_name() {
    let output = ecoband().args(["presets", "h100"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"));
    assert!(stderr.contains("unknown preset `h100`"), "{stderr}");
    assert!(
        stderr.contains("FRA") && stderr.contains("scaleway-dc5") && stderr.contains("dgx-h100")
    );
}

#[test]
fn the_readme_example_runs() {
    // README "Describe your own project" shows this file verbatim.
    let file =
        std::fs::read_to_string(common::repo_file("scenarios/examples/my-project.toml")).unwrap();
    let readme = std::fs::read_to_string(common::repo_file("README.md")).unwrap();
    assert!(
        readme.contains(&file),
        "README must show scenarios/examples/my-project.toml"
    );
    assert!(file.lines().filter(|l| !l.trim().is_empty()).count() <= 13);
    let s = Scenario::parse("my-project.toml", &file).unwrap();
    let m = model::compile(&s).unwrap();
    let r = ecoband::app::simulate(&s, &m, 20_000, 1, 0.95, 0).unwrap();
    let gwp = &r.impacts["gwp"];
    assert!(
        gwp.total.interval.low < gwp.total.baseline && gwp.total.baseline < gwp.total.interval.high
    );
    assert!(gwp.by_scope["embodied"].mean > 0.0);
    for c in &m.constants {
        assert!(c.source.is_some(), "{} has no source", c.name);
    }
    for f in &m.factors {
        assert!(f.source.is_some(), "{} has no source", f.name);
    }
}

/// The presets added for issue 12 item 5, by kind.
const NEW_PRESETS: [(PresetKind, &str); 6] = [
    (PresetKind::Hardware, "a100-sxm-8"),
    (PresetKind::Hardware, "h100-pcie-8"),
    (PresetKind::Datacenter, "hpc-centre"),
    (PresetKind::Electricity, "KOR"),
    (PresetKind::Electricity, "SGP"),
    (PresetKind::Electricity, "USA-IA"),
];

/// The default tables with one preset replaced by `name`.
fn tables_with(kind: PresetKind, name: &str) -> String {
    let quoted = format!("\"{name}\"");
    match kind {
        PresetKind::Electricity => DEFAULT_TABLES.replace("\"FRA\"", &quoted),
        PresetKind::Datacenter => DEFAULT_TABLES.replace("\"industry-average\"", &quoted),
        PresetKind::Hardware => DEFAULT_TABLES.replace("\"dgx-h100\"", &quoted),
    }
}

#[test]
fn new_presets_load_and_check_runs_on_each() {
    for (kind, name) in NEW_PRESETS {
        assert!(
            names(kind).unwrap().iter().any(|n| n == name),
            "{name} is not a {} preset",
            kind.name()
        );
        let text = scenario_with(&tables_with(kind, name));
        let m = model::compile(&parse(&text)).unwrap();
        let (out, _) = m.baseline();
        assert!(out.iter().all(|x| x.is_finite()), "{name}");
        let dir = tempfile::tempdir().unwrap();
        let path = common::write_scenario(dir.path(), "p.toml", &text);
        ecoband()
            .arg("check")
            .arg(&path)
            .assert()
            .success()
            .stdout(contains(format!("preset `{name}` ({}:", kind.file())));
    }
}

/// Every factor and constant of a compiled scenario, with whether it is
/// at a range bound (factors only).
fn every_factor(m: &model::Model) -> Vec<&Factor> {
    m.factors
        .iter()
        .chain(m.no_effect.iter().map(|n| &n.factor))
        .collect()
}

#[test]
fn every_preset_value_has_a_source_and_a_label() {
    for info in catalogue().unwrap() {
        let s = parse(&scenario_with(&tables_with(info.kind, &info.name)));
        let m = model::compile(&s).unwrap();
        for f in every_factor(&m) {
            assert!(
                f.source.as_deref().is_some_and(|x| !x.trim().is_empty()),
                "{}: factor {} has no source",
                info.name,
                f.name
            );
            assert!(
                f.label_given,
                "{}: factor {} has no label",
                info.name, f.name
            );
        }
        for c in m
            .constants
            .iter()
            .filter(|c| !c.name.starts_with("inventory"))
        {
            assert!(
                c.source.as_deref().is_some_and(|x| !x.trim().is_empty()),
                "{}: {} has no source",
                info.name,
                c.name
            );
            assert!(c.label_given, "{}: {} has no label", info.name, c.name);
        }
    }
}

#[test]
fn no_nominal_sits_at_a_range_bound_without_a_note() {
    let mut at_bound = Vec::new();
    for info in catalogue().unwrap() {
        let s = parse(&scenario_with(&tables_with(info.kind, &info.name)));
        let m = model::compile(&s).unwrap();
        for f in every_factor(&m) {
            let FactorKind::Scalar(d) = &f.kind else {
                continue;
            };
            let (lo, hi) = d.support();
            if lo < hi && (f.nominal == lo || f.nominal == hi) {
                at_bound.push(f.name.clone());
                assert!(
                    f.note.as_deref().is_some_and(|n| n.contains("bound")),
                    "{}: {} has its nominal {} at a bound of [{lo}, {hi}] and no note saying why",
                    info.name,
                    f.name,
                    f.nominal
                );
            }
        }
    }
    // The one-sided grid ranges, Scaleway DC5's WUE and BLOOM's lifetime.
    assert!(at_bound.iter().any(|n| n == "electricity.gwp"));
    assert!(at_bound.iter().any(|n| n == "datacenter.wue_onsite"));
    assert!(at_bound.iter().any(|n| n.ends_with("lifetime_years")));
}

#[test]
fn new_grid_nominals_are_the_cited_source_values() {
    // (zone, gwp, pe, adp, water L/kWh): KOR as the rule at the top of
    // presets/electricity.toml (OWID 0.41427 via EcoLogits; BoaviztAPI
    // v2.4.1 pe 10.199, adpe 5.18017e-08, adpf 9.91356, wu 0.001887679
    // m3/kWh; Ember 2020 0.444); SGP BoaviztAPI (Ember 2020 0.489, pe
    // 10.477, adpe 1.98459e-08, adpf 10.3089), water Malaysia's 1.6778
    // (EcoLogits) as proxy; USA-IA OLMo's Iowa figures, pe and adp USA's.
    let cases = [
        ("KOR", 0.41427, 10.199, 5.18017e-08, 1.887679, 9.91356),
        ("SGP", 0.489, 10.477, 1.98459e-08, 1.6778, 10.3089),
        ("USA-IA", 0.351, 11.358, 9.8555e-08, 3.10, 9.68839),
    ];
    for (zone, g, p, a, w, fossil) in cases {
        let [gwp, pe, adp, water] = electricity(zone);
        assert_rel(&format!("{zone} gwp"), nominal_range(&gwp).0, g, 1e-9);
        let (pn, plo, phi) = nominal_range(&pe);
        assert_rel(&format!("{zone} pe"), pn, p, 1e-9);
        assert_rel(&format!("{zone} pe min"), plo, fossil, 1e-9);
        assert!(phi > pn);
        assert_rel(&format!("{zone} adp"), nominal_range(&adp).0, a, 1e-4);
        let (wn, wlo, whi) = nominal_range(&water);
        assert_rel(&format!("{zone} water"), wn, w, 1e-4);
        assert!(wlo < wn && wn < whi, "{zone} water range");
    }
    // KOR's range spans its two sources.
    let (_, lo, hi) = nominal_range(&electricity("KOR")[0]);
    assert_eq!((lo, hi), (0.41427, 0.444));
}

#[test]
fn new_node_totals_are_boaviztas_recomputation() {
    // Through the whole pipeline, as for dgx-h100: the nodes' embodied
    // impacts at the presets' nominal values equal BoaviztAPI's server
    // model (src/presets/boavizta.rs), to the 5 digits the presets write.
    for (preset, server) in [
        ("a100-sxm-8", boavizta::DGX_A100),
        ("h100-pcie-8", boavizta::H100_PCIE_8),
    ] {
        let [gwp, pe, adp] = node_embodied(&format!("[profiles.node]\npreset = \"{preset}\""));
        let expected = boavizta::server(&server).total();
        assert_rel(&format!("{preset} gwp"), gwp, expected.gwp, 1e-5);
        assert_rel(&format!("{preset} pe"), pe, expected.pe, 1e-5);
        assert_rel(&format!("{preset} adp"), adp, expected.adp, 1e-5);
    }
    // The GPUs' nominal factors are the formula's on their rows.
    let [g, e, a] = factors(&profile("a100-sxm-8"), "gpu");
    let gpu = boavizta::gpu(&boavizta::A100_SXM4_40GB);
    assert_rel("a100 gwp", g, gpu.gwp, 1e-4);
    assert_rel("a100 pe", e, gpu.pe, 1e-4);
    assert_rel("a100 adp", a, gpu.adp, 1e-4);
    let (_, _, max) = nominal_range(
        component(&profile("a100-sxm-8"), "gpu").factors[0]
            .as_ref()
            .unwrap(),
    );
    assert_rel(
        "a100 80GB",
        max,
        boavizta::gpu(&boavizta::A100_SXM4_80GB_VARIANT).gwp,
        1e-4,
    );
    let [g, e, a] = factors(&profile("h100-pcie-8"), "gpu");
    let gpu = boavizta::gpu(&boavizta::H100_PCIE_80GB_PROXY);
    assert_rel("h100 pcie gwp", g, gpu.gwp, 1e-4);
    assert_rel("h100 pcie pe", e, gpu.pe, 1e-4);
    assert_rel("h100 pcie adp", a, gpu.adp, 1e-4);
    // CPU: EPYC 7742 by die area.
    let cpu = boavizta::cpu(boavizta::EPYC_7742_DIE_MM2);
    let [g, e, a] = factors(&profile("a100-sxm-8"), "cpu");
    assert_rel("epyc gwp", g, cpu.gwp, 1e-6);
    assert_rel("epyc pe", e, cpu.pe, 1e-6);
    assert_rel("epyc adp", a, cpu.adp, 1e-5);
}
