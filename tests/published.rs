//! Published studies reproduced by the deterministic baseline of their
//! bundled scenario (the README's validation table). Tolerances: 0.5 % for
//! BLOOM, whose inputs are all published (only rounding of the published
//! tonnes remains); 2 % for BLOOM's "30 t" with PUE, published to two
//! digits; 1 % for OLMo 2 7B, whose published figures are rounded to 2–3
//! digits; 0.5 % for the OLMo 2 7B inference benchmark, published to 3–4
//! digits. The inference benchmark's water (0.533 L) is not reproduced by
//! the inputs we have (0.462 L): see the README.
//!
//! The same figures, with their units and sources, are the table of
//! `notebooks/published.csv`, which `notebooks/published-studies.ipynb`
//! reads: the last test checks that the table holds exactly the figures and
//! tolerances asserted here and that each reproduced row holds.

mod common;

use ecoband::app::load;
use ecoband::model::{
    Model, Series,
    outputs::{CATEGORIES, ENERGY, GWP, SCOPES, WATER},
};
use ecoband::scenario::Scenario;

fn baseline(path: &str) -> (Model, Vec<f64>) {
    let (_, model) = load(&common::repo_file(path)).unwrap();
    let (out, _) = model.baseline();
    (model, out)
}

/// The baseline of a bundled scenario's text after one edit.
fn edited_baseline(path: &str, from: &str, to: &str) -> (Model, Vec<f64>) {
    let text = std::fs::read_to_string(common::repo_file(path)).unwrap();
    assert!(text.contains(from), "test bug: `{from}` not in {path}");
    let scenario = Scenario::parse(path, &text.replacen(from, to, 1)).unwrap();
    let model = ecoband::model::compile(&scenario).unwrap();
    let (out, _) = model.baseline();
    (model, out)
}

fn assert_within(what: &str, value: f64, published: f64, tolerance: f64) {
    let rel = (value - published).abs() / published;
    assert!(
        rel <= tolerance,
        "{what}: ecoband {value}, published {published}, off by {:.3} %",
        100.0 * rel
    );
}

#[test]
fn bloom_final_training_luccioni_2023() {
    let (model, out) = baseline("scenarios/bloom.toml");
    let l = model.layout();
    // Luccioni et al.: dynamic 24.69 t, idle 14.6 t, embodied 11.2 t, total 50.5 t.
    assert_within(
        "dynamic",
        out[l.index(GWP, Series::Scope(0))],
        24_690.0,
        0.005,
    );
    assert_within("idle", out[l.index(GWP, Series::Scope(1))], 14_600.0, 0.005);
    assert_within(
        "embodied",
        out[l.index(GWP, Series::Scope(2))],
        11_200.0,
        0.005,
    );
    assert_within("total", out[l.index(GWP, Series::Total)], 50_500.0, 0.005);
    // GENCI: 433 MWh of dynamic energy (no PUE in BLOOM's dynamic term).
    assert_within(
        "dynamic energy",
        out[l.index(ENERGY, Series::Scope(0))],
        433_196.0,
        0.005,
    );
}

#[test]
fn olmo2_7b_final_run_morrison_2025() {
    let (model, out) = baseline("scenarios/olmo2-7b.toml");
    let l = model.layout();
    // Morrison et al.: 157 MWh → 52 tCO2e and 202 kL of water.
    assert_within(
        "energy",
        out[l.index(ENERGY, Series::Total)],
        157_000.0,
        0.01,
    );
    assert_within("gwp", out[l.index(GWP, Series::Total)], 52_000.0, 0.01);
    assert_within("water", out[l.index(WATER, Series::Total)], 202_000.0, 0.01);
}

#[test]
fn bloom_with_pue_luccioni_2023() {
    // Luccioni et al. Table 4 (via notes [S]): "CO2eq × PUE" = 30 t with
    // Jean Zay's PUE 1.2 (24.69 × 1.2 = 29.6 t).
    let (model, out) = edited_baseline(
        "scenarios/bloom.toml",
        "apply_pue = false",
        "apply_pue = true",
    );
    let l = model.layout();
    assert_within(
        "dynamic with PUE",
        out[l.index(GWP, Series::Scope(0))],
        30_000.0,
        0.02,
    );
}

#[test]
fn olmo2_7b_inference_morrison_2025() {
    let (model, out) = baseline("scenarios/olmo2-7b-inference.toml");
    let l = model.layout();
    // Morrison et al. Table 3 (via summary [S]): 0.358 kWh → 118.9 gCO2e.
    assert_within("energy", out[l.index(ENERGY, Series::Total)], 0.358, 0.005);
    assert_within("gwp", out[l.index(GWP, Series::Total)], 0.1189, 0.005);
}

/// Every figure asserted above: (scenario, `--set`, output, published value
/// in ecoband's unit, tolerance), in the order of notebooks/published.csv.
const FIGURES: [(&str, &str, &str, f64, Option<f64>); 12] = [
    ("bloom.toml", "", "gwp.usage", 24_690.0, Some(0.005)),
    ("bloom.toml", "", "gwp.idle", 14_600.0, Some(0.005)),
    ("bloom.toml", "", "gwp.embodied", 11_200.0, Some(0.005)),
    ("bloom.toml", "", "gwp", 50_500.0, Some(0.005)),
    ("bloom.toml", "", "energy_kwh.usage", 433_196.0, Some(0.005)),
    (
        "bloom.toml",
        "conventions.apply_pue=true",
        "gwp.usage",
        30_000.0,
        Some(0.02),
    ),
    ("olmo2-7b.toml", "", "energy_kwh", 157_000.0, Some(0.01)),
    ("olmo2-7b.toml", "", "gwp", 52_000.0, Some(0.01)),
    ("olmo2-7b.toml", "", "water", 202_000.0, Some(0.01)),
    (
        "olmo2-7b-inference.toml",
        "",
        "energy_kwh",
        0.358,
        Some(0.005),
    ),
    ("olmo2-7b-inference.toml", "", "gwp", 0.1189, Some(0.005)),
    // Not reproduced (see the module comment): listed, not checked.
    ("olmo2-7b-inference.toml", "", "water", 0.533, None),
];

#[test]
fn notebook_table_holds_these_figures() {
    let path = common::repo_file("notebooks/published.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (scenario, set, output) = (column("scenario"), column("set"), column("output"));
    let (value, tolerance) = (column("value_ecoband"), column("tolerance"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), FIGURES.len(), "rows of {}", path.display());
    for (row, &(file, change, out, published, tol)) in rows.iter().zip(&FIGURES) {
        assert_eq!(
            (&row[scenario], &row[set], &row[output]),
            (file, change, out),
            "{row:?}"
        );
        assert_eq!(row[value].parse::<f64>().unwrap(), published, "{row:?}");
        let row_tol = Some(&row[tolerance])
            .filter(|t| !t.is_empty())
            .map(|t| t.parse::<f64>().unwrap());
        assert_eq!(row_tol, tol, "{row:?}");
        let Some(tol) = tol else { continue };
        // The row holds: the scenario (with its override) reproduces it.
        let base = Scenario::load(&common::repo_file(&format!("scenarios/{file}"))).unwrap();
        let overrides = if change.is_empty() {
            Vec::new()
        } else {
            ecoband::app::parse_overrides(&[change.to_string()]).unwrap()
        };
        let (_, model, _) = ecoband::app::overridden(&base, &overrides).unwrap();
        let (out_values, _) = model.baseline();
        let (category, scope) = out
            .split_once('.')
            .map_or((out, None), |(c, s)| (c, Some(s)));
        let category = CATEGORIES.iter().position(|c| c.id == category).unwrap();
        let series = scope.map_or(Series::Total, |s| {
            Series::Scope(SCOPES.iter().position(|x| *x == s).unwrap())
        });
        let computed = out_values[model.layout().index(category, series)];
        assert_within(&format!("{file} {out} {change}"), computed, published, tol);
    }
}
