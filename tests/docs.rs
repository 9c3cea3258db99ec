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
    let r = simulate(&scenario, &model, 10_000, 1, 0.95, 0).unwrap();
    assert!(r.impacts["gwp"].total.mean > 0.0);
    assert_eq!(r.impacts["gwp"].by_tag["category"].len(), 3);
}
