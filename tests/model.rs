//! One inventory row through every equation of `docs/model.md`,
//! checked against hand computation (exact up to floating-point rounding,
//! hence the 1e-12 relative tolerance).

mod common;

use ecoband::model::{
    self, Series,
    outputs::{ADP, ENERGY, GWP, PE, WATER},
};
use ecoband::scenario::Scenario;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

const ROW: &str = r#"[scenario]
name = "hand computed"

[conventions]
water_formula = "ecologits"

[datacenter]
pue = 1.25
wue_onsite = 0.4

[electricity]
gwp = 0.2
pe = 11.0
adp = 5e-8
water = 3.0

[idle]
ratio = 0.1

[shares.category]
total = 2000
shares = { final = 0.25, failed = 0.75 }

[profiles.node]
gpus_per_node = 4
gpu_power_curve = [ { load = 0.0, watts = 100 }, { load = 0.5, watts = 300 }, { load = 1.0, watts = 700 } ]
power_scale = 1.1
rest_of_node_w = { value = 0.8, unit = "kW" }
lifetime_years = 5
lifetime_utilisation = 0.8

[profiles.node.embodied.gpu]
count = 4
gwp = 500
pe = 7000
adp = 0.005
water = 100

[profiles.node.embodied.chassis]
count = 1
gwp = { value = 1, unit = "tCO2e" }

[[inventory]]
name = "final"
gpu_hours = 2000
share = "category.final"
load = 0.75
tags = { category = "final" }
"#;

#[test]
fn hand_computed_row_through_every_equation() {
    let scenario = Scenario::parse("row.toml", ROW).unwrap();
    let model = model::compile(&scenario).unwrap();
    let (out, split) = model.baseline();
    let split = split.expect("a footprint model has an energy split");
    let l = model.layout();

    let hours = 2000.0 * 0.25; // share of the row's own hours
    let gpu_w = (300.0 + 0.5 * (700.0 - 300.0)) * 1.1; // curve at 0.75, scaled: 550 W
    let per_gpu_w = gpu_w + 800.0 / 4.0; // rest of node per GPU
    let it = hours * per_gpu_w / 1000.0;
    let fac = it * 1.25;
    let idle = 0.1 * fac;
    assert!(
        close(split.it_kwh, it) && close(split.facility_kwh, fac) && close(split.idle_kwh, idle)
    );

    let life_gpu_hours = 4.0 * 5.0 * 8760.0 * 0.8;
    let emb = |node: f64| hours * node / life_gpu_hours;
    let expect = [
        (GWP, fac * 0.2, idle * 0.2, emb(4.0 * 500.0 + 1000.0)),
        (PE, fac * 11.0, idle * 11.0, emb(4.0 * 7000.0)),
        (ADP, fac * 5e-8, idle * 5e-8, emb(4.0 * 0.005)),
        (WATER, it * 0.4 + fac * 3.0, idle * 3.0, emb(4.0 * 100.0)),
        (ENERGY, fac, idle, 0.0),
    ];
    for (cat, usage, idle_c, embodied) in expect {
        assert!(
            close(out[l.index(cat, Series::Scope(0))], usage),
            "usage {cat}"
        );
        assert!(
            close(out[l.index(cat, Series::Scope(1))], idle_c),
            "idle {cat}"
        );
        assert!(
            close(out[l.index(cat, Series::Scope(2))], embodied),
            "embodied {cat}"
        );
        let total = usage + idle_c + embodied;
        assert!(
            close(out[l.index(cat, Series::Total)], total),
            "total {cat}"
        );
        // The only row carries every impact to its tag.
        assert!(close(out[l.index(cat, Series::Tag(0))], total), "tag {cat}");
    }
}

#[test]
fn olmo_water_convention_and_pue_switch() {
    let text = ROW.replace(
        "water_formula = \"ecologits\"",
        "water_formula = \"olmo\"\napply_pue = false",
    );
    let model = model::compile(&Scenario::parse("row.toml", &text).unwrap()).unwrap();
    let (out, split) = model.baseline();
    let split = split.expect("a footprint model has an energy split");
    let l = model.layout();
    // Without PUE, facility energy = IT energy; OLMo water = E_fac (wue + off-site).
    assert!(close(split.facility_kwh, split.it_kwh));
    assert!(close(
        out[l.index(WATER, Series::Scope(0))],
        split.it_kwh * (0.4 + 3.0)
    ));
    assert!(close(
        out[l.index(WATER, Series::Scope(1))],
        split.idle_kwh * (0.4 + 3.0)
    ));
}

#[test]
fn rest_of_node_as_a_ratio_of_gpu_power() {
    let text = ROW.replace(
        "rest_of_node_w = { value = 0.8, unit = \"kW\" }",
        "rest_of_node_ratio = 0.5",
    );
    let model = model::compile(&Scenario::parse("row.toml", &text).unwrap()).unwrap();
    let (_, split) = model.baseline();
    let split = split.expect("a footprint model has an energy split");
    // 500 GPU-h × 550 W × (1 + 0.5) = 412.5 kWh.
    assert!(
        close(split.it_kwh, 500.0 * 550.0 * 1.5 / 1000.0),
        "{}",
        split.it_kwh
    );
    let both = ROW.replace(
        "power_scale = 1.1",
        "power_scale = 1.1\nrest_of_node_ratio = 0.5",
    );
    let err = Scenario::parse("row.toml", &both).unwrap_err();
    assert!(err.message.contains("not both"), "{err}");
}

#[test]
fn a_unit_on_a_choice_applies_to_options_without_their_own() {
    let text = ROW.replace(
        "gwp = { value = 1, unit = \"tCO2e\" }",
        "gwp = { choice = \"src\", unit = \"tCO2e\", values = { a = 1, b = { value = 1000, unit = \"kgCO2e\" } } }",
    ) + "\n[choices.src]\noptions = [\"a\", \"b\"]\n";
    let model = model::compile(&Scenario::parse("row.toml", &text).unwrap()).unwrap();
    let (out, _) = model.baseline();
    let reference = model::compile(&Scenario::parse("row.toml", ROW).unwrap()).unwrap();
    let (expected, _) = reference.baseline();
    // Option a (nominal: first of equal weights) is 1 tCO2e, as in ROW.
    let l = model.layout();
    assert!(close(
        out[l.index(GWP, Series::Scope(2))],
        expected[l.index(GWP, Series::Scope(2))]
    ));
}

/// The engine transforms factor values a block of samples at a time,
/// distribution by distribution; `values_from_uniforms` is the one-sample
/// reference. They must give the same bits for every kind of factor
/// (scalars of every distribution in the scenarios, Dirichlet shares, a
/// categorical choice, a correlated set, formulas) and for a partly filled
/// block. Tolerance: none.
#[test]
fn block_transform_equals_the_per_sample_transform() {
    for path in [
        "scenarios/moshi.toml",
        "scenarios/bloom.toml",
        "scenarios/test-functions/fleet40.toml",
        "scenarios/examples/mixed-lab.toml",
        "bench/formulas/moshi-formulas.toml",
    ] {
        let (_, m) = ecoband::app::load(&common::repo_file(path)).unwrap();
        common::assert_block_equals_single(&m, path);
    }
}

/// Rows share a computed power per GPU only when they share both profile and
/// load: rows at two loads on one profile, a row on a second profile and a
/// measured-energy row each get their own IT energy (hand computation).
#[test]
fn rows_at_different_loads_and_profiles_get_their_own_power() {
    let text = ROW.replace(
        r#"[[inventory]]
name = "final"
gpu_hours = 2000
share = "category.final"
load = 0.75
tags = { category = "final" }"#,
        r#"[defaults]
profile = "node"

[profiles.fixed]
gpus_per_node = 8
gpu_power_w = 400
rest_of_node_w = 0
lifetime_years = 5

[[inventory]]
name = "final"
gpu_hours = 2000
share = "category.final"
load = 0.75
tags = { category = "final" }

[[inventory]]
name = "failed at half load"
gpu_hours = 2000
share = "category.failed"
load = 0.5
tags = { category = "failed" }

[[inventory]]
name = "on the other node"
gpu_hours = 100
profile = "fixed"

[[inventory]]
name = "metered"
it_energy_kwh = 42
profile = "node""#,
    );
    let scenario = Scenario::parse("rows.toml", &text).unwrap();
    let m = model::compile(&scenario).unwrap();
    let (out, split) = m.baseline();
    let per_gpu = |curve_w: f64| curve_w * 1.1 + 800.0 / 4.0;
    let it = 500.0 * per_gpu(500.0) / 1000.0  // 0.75: 300 + 0.5 × 400 W
        + 1500.0 * per_gpu(300.0) / 1000.0    // 0.5: the curve's middle point
        + 100.0 * 400.0 / 1000.0
        + 42.0;
    assert!(close(split.unwrap().it_kwh, it), "{:?} vs {it}", split);

    // Each tag's series carries its own rows' energy, the idle energy in
    // proportion to it (idle 0.1 of facility energy, so 0.125 kWh per IT
    // kWh at PUE 1.25) and its own GPU-hours' embodied share. Embodied per
    // GPU-hour of `node`: (4 × 500 + 1,000) kg over 4 × 5 × 8,760 × 0.8.
    let rate = 3000.0 / (4.0 * 5.0 * 8760.0 * 0.8);
    let per_it_kwh = 1.25 * 0.2 + 0.125 * 0.2;
    let l = m.layout();
    let tag = |value: &str| {
        let t = l.tag_values.iter().position(|(_, v)| v == value).unwrap();
        out[l.index(GWP, Series::Tag(t))]
    };
    let final_gwp = 500.0 * per_gpu(500.0) / 1000.0 * per_it_kwh + 500.0 * rate;
    let failed_gwp = 1500.0 * per_gpu(300.0) / 1000.0 * per_it_kwh + 1500.0 * rate;
    assert!(
        close(tag("final"), final_gwp),
        "{} vs {final_gwp}",
        tag("final")
    );
    assert!(
        close(tag("failed"), failed_gwp),
        "{} vs {failed_gwp}",
        tag("failed")
    );
    let embodied = out[l.index(GWP, Series::Scope(2))];
    assert!(close(embodied, 2000.0 * rate), "{embodied}");
}

/// The engine evaluates the model a block of samples at a time, every
/// equation one loop over the block; `evaluate` is the one-sample form.
/// Every output of every sample must be the same bits either way, for
/// blocks of one sub-block (64), a partial one (37) and several (150), on
/// scenarios covering curves, fixed power, measured energy, several
/// profiles and loads, tags, a choice and the test functions. Tolerance:
/// none.
#[test]
fn block_evaluation_equals_the_per_sample_evaluation() {
    use ecoband::model::ValueBlock;
    use ecoband::sample::{MonteCarlo, PointSource};

    let mut models = Vec::new();
    for path in [
        "scenarios/moshi.toml",
        "scenarios/bloom.toml",
        "scenarios/olmo2-7b-inference.toml",
        "scenarios/test-functions/fleet40.toml",
        "scenarios/test-functions/ishigami.toml",
    ] {
        models.push((
            path,
            ecoband::app::load(&common::repo_file(path)).unwrap().1,
        ));
    }
    let text = ROW.replace(
        "gpu_hours = 2000\nshare",
        "gpu_hours = { dist = \"uniform\", min = 1000, max = 3000 }\nshare",
    ) + r#"
[[inventory]]
name = "metered"
it_energy_kwh = { dist = "triangular", min = 10, mode = 40, max = 90 }
gpu_hours = 50
tags = { category = "failed" }
"#;
    let scenario = Scenario::parse("mixed.toml", &text).unwrap();
    models.push(("mixed", model::compile(&scenario).unwrap()));

    for (path, m) in &models {
        let points = MonteCarlo::new(9);
        let mut block = ValueBlock::new(m, 150);
        let mut u = vec![0.0; m.n_dims];
        let mut values = vec![0.0; m.n_slots];
        let n_out = m.n_outputs();
        let (mut one, mut outs) = (vec![0.0; n_out], vec![0.0; n_out * 150]);
        let (mut scratch, mut scratch_one) = (m.scratch(), m.scratch());
        for len in [64, 37, 150] {
            for s in 0..len {
                points.point(7 * len as u64 + s as u64, &mut u);
                block.set_point(s, &u);
            }
            block.len = len;
            m.values_from_uniforms_block(&mut block);
            m.evaluate_block(block.lanes(), &mut scratch, &mut outs, 150);
            for s in 0..len {
                block.values_of(s, &mut values);
                m.evaluate(&values, &mut scratch_one, &mut one);
                for (j, x) in one.iter().enumerate() {
                    assert_eq!(
                        outs[j * 150 + s].to_bits(),
                        x.to_bits(),
                        "{path}, block of {len}, sample {s}, output {}",
                        m.layout().series_name(j)
                    );
                }
            }
        }
    }
}
