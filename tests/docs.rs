//! The documentation's examples are real: the complete example of
//! docs/scenario-format.md parses, compiles and runs.

mod common;

use ecoband::app::simulate;
use ecoband::model;
use ecoband::scenario::Scenario;

#[test]
fn scenario_format_example_is_valid() {
    let doc = std::fs::read_to_string(common::repo_file("docs/scenario-format.md")).unwrap();
    let start = doc.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let scenario = Scenario::parse("example.toml", &doc[start..end]).unwrap();
    let model = model::compile(&scenario).unwrap();
    // Factors: gpu_load, the choice, the Dirichlet, total, pue, wue, gwp,
    // idle ratio, idle watts, rest of node, lifetime, the boavizta GPU gwp.
    assert_eq!(
        model.factors.len(),
        12,
        "{:#?}",
        model.factors.iter().map(|f| &f.name).collect::<Vec<_>>()
    );
    // Its `[correlations]` entry joins the PUE and the on-site WUE.
    assert_eq!(model.correlated.len(), 1);
    let r = simulate(&scenario, &model, 10_000, 1, 0.95, 0).unwrap();
    assert!(r.impacts["gwp"].total.mean > 0.0);
    assert_eq!(r.impacts["gwp"].by_tag["category"].len(), 3);
}

#[test]
fn test_function_example_is_valid() {
    // The second TOML example of docs/scenario-format.md: the Ishigami
    // scenario, whose Sobol' indices must come out near the exact ones.
    let doc = std::fs::read_to_string(common::repo_file("docs/scenario-format.md")).unwrap();
    let blocks: Vec<&str> = doc.split("```toml\n").skip(1).collect();
    assert_eq!(blocks.len(), 3, "the page has three TOML examples");
    let text = &blocks[1][..blocks[1].find("```").unwrap()];
    let scenario = Scenario::parse("ishigami.toml", text).unwrap();
    let model = model::compile(&scenario).unwrap();
    let options = ecoband::app::SobolOptions {
        n_base: 1 << 12,
        seed: 1,
        level: 0.95,
        threads: 0,
        second_order: false,
        target: None,
        sampler: ecoband::cli::SamplerKind::Sobol,
        replicates: 8,
    };
    let r = ecoband::app::sensitivity_analysis(&scenario, &model, &options).unwrap();
    let exact = ecoband::test_functions::ishigami(7.0, 0.1);
    for (i, index) in r.sobol["y"]["total"].indices.iter().enumerate() {
        assert!((index.st - exact.total[i]).abs() < 0.01, "{index:?}");
    }
}

#[test]
fn presets_example_is_valid() {
    // The third TOML example of docs/scenario-format.md: presets with
    // overrides. Its overrides must win over the presets' values.
    let doc = std::fs::read_to_string(common::repo_file("docs/scenario-format.md")).unwrap();
    let blocks: Vec<&str> = doc.split("```toml\n").skip(1).collect();
    let text = &blocks[2][..blocks[2].find("```").unwrap()];
    let scenario = Scenario::parse("presets.toml", text).unwrap();
    let model = model::compile(&scenario).unwrap();
    let names: Vec<&str> = model.factors.iter().map(|f| f.name.as_str()).collect();
    // The lifetime is a constant here (overridden), the GPU's source a
    // choice declared by the preset, the grid factor the scenario's own.
    assert!(
        !names.contains(&"profiles.h100.lifetime_years"),
        "{names:?}"
    );
    assert!(names.contains(&"h100_embodied_source"), "{names:?}");
    let gwp = model
        .factors
        .iter()
        .find(|f| f.name == "electricity.gwp")
        .unwrap();
    assert_eq!(gwp.nominal, 0.056);
    assert!(!gwp.source.as_deref().unwrap().starts_with("preset"));
    let pe = model
        .factors
        .iter()
        .find(|f| f.name == "electricity.pe")
        .unwrap();
    assert!(pe.source.as_deref().unwrap().starts_with("preset `FRA`"));
    let r = simulate(&scenario, &model, 10_000, 1, 0.95, 0).unwrap();
    assert!(r.impacts["gwp"].by_scope["embodied"].mean > 0.0);
}
