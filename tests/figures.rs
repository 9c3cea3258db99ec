//! `ecoband report --svg-dir`: the figures of Moshi's run, Sobol' and
//! tornado results, written by the real binary, are well-formed SVG with
//! their axes labelled in units and one row per factor.

mod common;

use std::path::Path;

use assert_cmd::Command;

fn ecoband(dir: &Path, args: &[&str]) {
    Command::cargo_bin("ecoband")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .assert()
        .success();
}

/// Every `<text>`'s content, in document order, trimmed.
fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// Filled rectangles of one colour.
fn rects(doc: &roxmltree::Document, fill: &str) -> usize {
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill))
        .count()
}

#[test]
fn moshi_figures_are_well_formed_labelled_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = common::repo_file("scenarios/moshi.toml");
    let scenario = scenario.to_str().unwrap();
    ecoband(
        d,
        &["run", scenario, "-n", "20000", "-q", "--out", "m.json"],
    );
    ecoband(
        d,
        &[
            "sobol", scenario, "--n-base", "512", "-q", "--out", "s.json",
        ],
    );
    ecoband(d, &["tornado", scenario, "-q", "--out", "t.json"]);
    ecoband(
        d,
        &["report", "m.json", "s.json", "t.json", "--svg-dir", "fig"],
    );
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join(name)).unwrap()).unwrap()
    };
    let (sobol, tornado) = (json("s.json"), json("t.json"));

    let mut names: Vec<String> = std::fs::read_dir(d.join("fig"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec!["run-1-scopes.svg".to_string()];
    for cat in ["adp", "energy_kwh", "gwp", "pe", "water"] {
        for kind in ["convergence", "distribution", "forest"] {
            expected.push(format!("run-1-{cat}-{kind}.svg"));
        }
        expected.push(format!("sobol-2-{cat}-sobol.svg"));
        expected.push(format!("tornado-3-{cat}-tornado.svg"));
    }
    expected.sort();
    assert_eq!(names, expected);

    for name in &names {
        let text = std::fs::read_to_string(d.join("fig").join(name)).unwrap();
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
        assert!(doc.root_element().has_tag_name("svg"), "{name}");
        // No request of any kind: the only address is the SVG namespace.
        assert_eq!(text.matches("http").count(), 1, "{name}");
        let texts = texts(&doc);
        let all = texts.concat();
        // Font sizes readable at a column's width.
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let size: f64 = n.attribute("font-size").unwrap().parse().unwrap();
            assert!(size >= 11.99, "{name}: font-size {size}");
        }
        if name.contains("gwp-") && !name.contains("sobol") {
            assert!(all.contains("GWP (tCO2e)"), "{name}: {texts:?}");
        }
        if name.contains("adp-") && !name.contains("sobol") {
            assert!(all.contains("ADPe (kg Sb eq)"), "{name}: {texts:?}");
        }
        if name.contains("distribution") {
            assert!(texts.iter().any(|t| t == "share of samples (%)"), "{name}");
        }
        if name.contains("convergence") {
            assert!(all.contains("samples N (log scale)"), "{name}");
        }
        if name.ends_with("scopes.svg") {
            assert!(all.contains("share of the mean (%)"));
            for scope in ["usage", "idle", "embodied"] {
                assert!(texts.iter().any(|t| t == scope), "{scope}");
            }
        }
        let category = name.split('-').nth(2).unwrap_or_default();
        if name.ends_with("-sobol.svg") {
            assert!(all.contains("Sobol' index (share of the variance)"));
            let indices = sobol["sobol"][category]["total"]["indices"]
                .as_array()
                .unwrap();
            assert!(indices.len() >= 20, "Moshi has many factors");
            // One S1 bar (orange) and one ST bar (blue) per factor, plus
            // each colour's legend key.
            assert_eq!(rects(&doc, "#E69F00"), indices.len() + 1, "{name}");
            assert_eq!(rects(&doc, "#0072B2"), indices.len() + 1, "{name}");
            for i in indices {
                // A long name wraps over lines that follow each other.
                // Figures name factors by their labels.
                let factor = i["label"].as_str().unwrap();
                assert!(all.contains(factor), "{name}: {factor} missing");
            }
        }
        if name.ends_with("-tornado.svg") {
            let bars = tornado["tornado"][category]["factors"].as_array().unwrap();
            for b in bars {
                let factor = b["label"].as_str().unwrap();
                assert!(all.contains(factor), "{name}: {factor} missing");
            }
            // Every bar's two parts (some of zero width) and the legend.
            assert_eq!(rects(&doc, "#0072B2"), bars.len() + 1, "{name}");
            assert_eq!(rects(&doc, "#E69F00"), bars.len() + 1, "{name}");
        }
    }
}

#[test]
fn an_unitless_test_function_has_figures_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = common::repo_file("scenarios/test-functions/ishigami.toml");
    let scenario = scenario.to_str().unwrap();
    ecoband(d, &["run", scenario, "-n", "5000", "-q", "--out", "m.json"]);
    ecoband(d, &["tornado", scenario, "-q", "--out", "t.json"]);
    ecoband(d, &["report", "m.json", "t.json", "--svg-dir", "fig"]);
    let mut names: Vec<String> = std::fs::read_dir(d.join("fig"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // No scopes and no tags: no scope split and no forest plot.
    assert_eq!(
        names,
        [
            "run-1-y-convergence.svg",
            "run-1-y-distribution.svg",
            "tornado-2-y-tornado.svg"
        ]
    );
    for name in &names {
        let text = std::fs::read_to_string(d.join("fig").join(name)).unwrap();
        roxmltree::Document::parse(&text).unwrap();
    }
}
