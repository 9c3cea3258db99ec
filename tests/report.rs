//! `ecoband report` end to end: every exporter's output parsed back (CSV
//! values against the JSON to the bit, Markdown table shape, LaTeX through
//! pdflatex, HTML self-containment, SVG well-formedness), a constant
//! scenario, every refusal, and a closed stdout pipe.
//!
//! Figures may be absent (no figure code yet) or many: every figure check
//! counts what the output holds (each `<figure>` has an `<svg>`; one SVG
//! file per `<figure>`), so it holds for zero and bites for more.
//!
//! pdflatex is optional locally (the LaTeX tests print a note and pass);
//! CI installs it and sets `ECOBAND_REQUIRE_TOOLS=1`, where its absence
//! fails.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::sync::OnceLock;

use assert_cmd::Command;
use common::{MINIMAL, repo_file, write_scenario};
use predicates::str::contains;
use regex::Regex;
use serde_json::Value;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

/// Whether `tool` runs here; when not, panics if CI requires tools, else
/// says the test is skipped.
fn have_tool(tool: &str, test: &str) -> bool {
    let found = Process::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("ECOBAND_REQUIRE_TOOLS").is_none(),
            "{tool} is required (ECOBAND_REQUIRE_TOOLS is set)"
        );
        eprintln!("{tool} not installed: {test} skipped");
    }
    found
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every output of one report of Moshi's run, sobol and tornado results,
/// computed once for all the tests of this file.
struct Moshi {
    dir: PathBuf,
    run: Value,
    sobol: Value,
    tornado: Value,
    stdout: String,
    /// The scenario's name, as the results record it.
    name: String,
}

impl Moshi {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn text(&self, name: &str) -> String {
        read_text(&self.path(name))
    }
}

fn moshi() -> &'static Moshi {
    static FIXTURE: OnceLock<Moshi> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-moshi");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let scenario = repo_file("scenarios/moshi.toml");
        for (command, extra, out) in [
            ("run", &["-n", "20000"][..], "m.json"),
            ("sobol", &["--n-base", "512"][..], "s.json"),
            ("tornado", &[][..], "t.json"),
        ] {
            ecoband()
                .args(["-q", command])
                .arg(&scenario)
                .args(extra)
                .arg("--out")
                .arg(dir.join(out))
                .assert()
                .success();
        }
        let output = ecoband()
            .current_dir(&dir)
            .args(["report", "m.json", "s.json", "t.json"])
            .args(["--html", "r.html", "--markdown", "r.md", "--latex", "r.tex"])
            .args(["--csv", "out/", "--svg-dir", "fig/"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "report failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Moshi {
            run: read_json(&dir.join("m.json")),
            sobol: read_json(&dir.join("s.json")),
            tornado: read_json(&dir.join("t.json")),
            stdout: String::from_utf8(output.stdout).unwrap(),
            name: read_json(&dir.join("m.json"))["scenario"]["name"]
                .as_str()
                .unwrap()
                .to_string(),
            dir,
        }
    })
}

// ---------------------------------------------------------------- CSV

/// A CSV file as its header and records, read with the `csv` crate.
fn read_csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len(), "{}: ragged row", path.display());
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

/// A CSV cell that must be the JSON number `expected` to the bit.
fn assert_same_f64(cell: &str, expected: &Value, what: &str) {
    let expected = expected
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: JSON value {expected} is not a number"));
    let got: f64 = cell
        .parse()
        .unwrap_or_else(|e| panic!("{what}: `{cell}` is not a number: {e}"));
    assert_eq!(
        got.to_bits(),
        expected.to_bits(),
        "{what}: CSV {cell} vs JSON {expected}"
    );
}

/// The statistics the CSV promises for one summary, by CSV name, with the
/// JSON value each must equal.
fn expected_statistics(summary: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for key in [
        "baseline",
        "mean",
        "sd",
        "median",
        "min",
        "max",
        "mc_se_mean",
    ] {
        out.push((key.to_string(), summary[key].clone()));
    }
    let pairs = [
        ("interval_low", &summary["interval"]["low"]),
        ("interval_high", &summary["interval"]["high"]),
        ("interval_level", &summary["interval"]["level"]),
        ("mean_ci_low", &summary["mean_ci"][0]),
        ("mean_ci_high", &summary["mean_ci"][1]),
        ("mc_se_interval_low", &summary["mc_se_interval"][0]),
        ("mc_se_interval_high", &summary["mc_se_interval"][1]),
    ];
    for (name, v) in pairs {
        out.push((name.to_string(), v.clone()));
    }
    for (q, v) in summary["quantiles"].as_object().unwrap() {
        out.push((format!("q{q}"), v.clone()));
    }
    if let Some(p) = summary.get("baseline_percentile") {
        out.push(("baseline_percentile".into(), p.clone()));
    }
    out
}

#[test]
fn csv_impacts_hold_every_statistic_of_every_series_once_to_the_bit() {
    let m = moshi();
    let (header, rows) = read_csv(&m.path("out/impacts.csv"));
    assert_eq!(
        header,
        [
            "result",
            "scenario",
            "impact",
            "unit",
            "series_kind",
            "series",
            "statistic",
            "value"
        ]
    );
    let mut seen: BTreeMap<(String, String, String, String), &BTreeMap<String, String>> =
        BTreeMap::new();
    for row in &rows {
        assert_eq!(row["result"], "run-1");
        assert_eq!(row["scenario"], m.name);
        let key = (
            row["impact"].clone(),
            row["series_kind"].clone(),
            row["series"].clone(),
            row["statistic"].clone(),
        );
        assert!(seen.insert(key.clone(), row).is_none(), "twice: {key:?}");
    }
    let mut expected_rows = 0;
    let impacts = m.run["impacts"].as_object().unwrap();
    assert_eq!(impacts.len(), 5);
    for (impact, i) in impacts {
        let mut series = vec![("total".to_string(), "total".to_string(), i)];
        for (scope, s) in i["by_scope"].as_object().unwrap() {
            series.push(("scope".into(), scope.clone(), s));
        }
        for (tag, values) in i["by_tag"].as_object().unwrap() {
            for (value, s) in values.as_object().unwrap() {
                series.push(("tag".into(), format!("{tag}={value}"), s));
            }
        }
        assert!(series.len() > 4, "{impact}: Moshi has scopes and tags");
        for (kind, name, summary) in series {
            for (stat, value) in expected_statistics(summary) {
                let key = (impact.clone(), kind.clone(), name.clone(), stat.clone());
                let row = seen
                    .get(&key)
                    .unwrap_or_else(|| panic!("impacts.csv lacks {key:?}"));
                assert_eq!(row["unit"], i["unit"].as_str().unwrap(), "{key:?}");
                assert_same_f64(&row["value"], &value, &format!("{key:?}"));
                expected_rows += 1;
            }
        }
    }
    assert_eq!(
        rows.len(),
        expected_rows,
        "impacts.csv has rows the JSON lacks"
    );
}

#[test]
fn csv_histograms_count_every_sample_and_convergence_matches_the_json() {
    let m = moshi();
    let samples = m.run["settings"]["samples"].as_u64().unwrap();
    let (header, rows) = read_csv(&m.path("out/histograms.csv"));
    assert_eq!(
        header,
        [
            "result", "scenario", "impact", "unit", "series", "region", "bin", "bin_low",
            "bin_high", "count"
        ]
    );
    let mut by_series: BTreeMap<(String, String), Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for row in &rows {
        by_series
            .entry((row["impact"].clone(), row["series"].clone()))
            .or_default()
            .push(row);
    }
    for (impact, i) in m.run["impacts"].as_object().unwrap() {
        let d = &i["distribution"];
        let mut histograms = vec![("total".to_string(), &d["total"], i)];
        for (scope, h) in d["by_scope"].as_object().unwrap() {
            histograms.push((scope.clone(), h, &i["by_scope"][scope]));
        }
        for (name, h, summary) in histograms {
            let what = format!("{impact} {name}");
            let rows = by_series
                .remove(&(impact.clone(), name.clone()))
                .unwrap_or_else(|| panic!("histograms.csv lacks {what}"));
            let counts = h["counts"].as_array().unwrap();
            let edges = h["edges"].as_array().unwrap();
            // The tail below, the bins in order, the tail above.
            assert_eq!(rows.len(), counts.len() + 2, "{what}");
            let (below, above) = (rows[0], rows[rows.len() - 1]);
            assert_eq!(
                (below["region"].as_str(), below["bin"].as_str()),
                ("below", "")
            );
            assert_eq!(
                (above["region"].as_str(), above["bin"].as_str()),
                ("above", "")
            );
            assert_same_f64(&below["bin_low"], &summary["min"], &what);
            assert_same_f64(&below["bin_high"], &edges[0], &what);
            assert_same_f64(&above["bin_low"], &edges[counts.len()], &what);
            assert_same_f64(&above["bin_high"], &summary["max"], &what);
            assert_eq!(below["count"], h["below"].to_string(), "{what}");
            assert_eq!(above["count"], h["above"].to_string(), "{what}");
            let mut total = 0;
            for (k, row) in rows.iter().enumerate() {
                let count: u64 = row["count"].parse().unwrap();
                total += count;
                if k == 0 || k == rows.len() - 1 {
                    continue;
                }
                let b = k - 1;
                assert_eq!(row["region"], "bin", "{what}");
                assert_eq!(row["bin"], b.to_string(), "{what}: bins in order");
                assert_same_f64(&row["bin_low"], &edges[b], &what);
                assert_same_f64(&row["bin_high"], &edges[b + 1], &what);
                assert_eq!(count, counts[b].as_u64().unwrap(), "{what} bin {b}");
            }
            assert_eq!(total, samples, "{what}: counts sum to the samples");
        }
    }
    assert!(by_series.is_empty(), "series the JSON lacks: {by_series:?}");

    let (header, rows) = read_csv(&m.path("out/convergence.csv"));
    assert_eq!(
        &header[4..],
        ["samples", "mean", "mean_ci_low", "mean_ci_high", "sd"]
    );
    let mut by_impact: BTreeMap<&str, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for row in &rows {
        by_impact.entry(&row["impact"]).or_default().push(row);
    }
    for (impact, i) in m.run["impacts"].as_object().unwrap() {
        let checkpoints = i["convergence"].as_array().unwrap();
        assert!(!checkpoints.is_empty(), "{impact}: no checkpoints");
        let rows = by_impact
            .remove(impact.as_str())
            .unwrap_or_else(|| panic!("convergence.csv lacks {impact}"));
        assert_eq!(rows.len(), checkpoints.len(), "{impact}");
        for (row, c) in rows.iter().zip(checkpoints) {
            assert_eq!(row["samples"], c["samples"].to_string());
            assert_same_f64(&row["mean"], &c["mean"], impact);
            assert_same_f64(&row["mean_ci_low"], &c["mean_ci"][0], impact);
            assert_same_f64(&row["mean_ci_high"], &c["mean_ci"][1], impact);
            assert_same_f64(&row["sd"], &c["sd"], impact);
        }
    }
    assert!(by_impact.is_empty(), "{by_impact:?}");
}

#[test]
fn csv_sobol_and_tornado_match_the_json() {
    let m = moshi();
    let (header, rows) = read_csv(&m.path("out/sobol.csv"));
    assert_eq!(
        &header[4..],
        [
            "series", "kind", "factor", "label", "factor2", "label2", "index", "estimate",
            "ci_low", "ci_high", "level", "flags"
        ]
    );
    let mut index: BTreeMap<(String, String, String, String), &BTreeMap<String, String>> =
        BTreeMap::new();
    for row in &rows {
        assert_eq!(row["result"], "sobol-2");
        assert_same_f64(&row["level"], &m.sobol["settings"]["level"], "level");
        let key = (
            row["impact"].clone(),
            row["series"].clone(),
            row["factor"].clone(),
            row["index"].clone(),
        );
        assert!(index.insert(key.clone(), row).is_none(), "twice: {key:?}");
    }
    let mut expected = 0;
    for (impact, by_series) in m.sobol["sobol"].as_object().unwrap() {
        for (series, s) in by_series.as_object().unwrap() {
            let all = s["indices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| ("factor", i))
                .chain(s["groups"].as_array().unwrap().iter().map(|g| ("group", g)));
            for (kind, i) in all {
                for (name, est, ci) in [("S1", "s1", "s1_ci"), ("ST", "st", "st_ci")] {
                    let key = (
                        impact.clone(),
                        series.clone(),
                        i["factor"].as_str().unwrap().to_string(),
                        name.to_string(),
                    );
                    let row = index
                        .get(&key)
                        .unwrap_or_else(|| panic!("sobol.csv lacks {key:?}"));
                    let what = format!("{key:?}");
                    assert_eq!(row["kind"], kind, "{what}");
                    assert_same_f64(&row["estimate"], &i[est], &what);
                    assert_same_f64(&row["ci_low"], &i[ci][0], &what);
                    assert_same_f64(&row["ci_high"], &i[ci][1], &what);
                    expected += 1;
                }
            }
        }
    }
    assert_eq!(rows.len(), expected);

    let (header, rows) = read_csv(&m.path("out/tornado.csv"));
    assert_eq!(
        &header[4..],
        [
            "kind",
            "factor",
            "label",
            "low_input",
            "high_input",
            "output_low",
            "output_high",
            "swing",
            "baseline_output"
        ]
    );
    let mut by_impact: BTreeMap<&str, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for row in &rows {
        assert_eq!(row["result"], "tornado-3");
        by_impact.entry(&row["impact"]).or_default().push(row);
    }
    for (impact, t) in m.tornado["tornado"].as_object().unwrap() {
        let bars: Vec<(&str, &Value)> = t["factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| ("factor", b))
            .chain(t["groups"].as_array().unwrap().iter().map(|b| ("group", b)))
            .collect();
        let rows = by_impact
            .remove(impact.as_str())
            .unwrap_or_else(|| panic!("tornado.csv lacks {impact}"));
        assert_eq!(rows.len(), bars.len(), "{impact}");
        assert!(bars.len() > 5, "Moshi's tornado has many bars");
        for (row, (kind, b)) in rows.iter().zip(bars) {
            let what = format!("{impact} {}", b["factor"]);
            assert_eq!(row["unit"], t["unit"].as_str().unwrap());
            assert_eq!(row["kind"], kind, "{what}");
            assert_eq!(row["factor"], b["factor"].as_str().unwrap());
            for key in ["low_input", "high_input"] {
                match &b[key] {
                    Value::String(s) => assert_eq!(&row[key], s, "{what}"),
                    v => assert_same_f64(&row[key], v, &what),
                }
            }
            for key in ["output_low", "output_high", "swing"] {
                assert_same_f64(&row[key], &b[key], &what);
            }
            assert_same_f64(&row["baseline_output"], &t["baseline_output"], &what);
        }
    }
    assert!(by_impact.is_empty(), "{by_impact:?}");
}

/// A scenario whose names need care in every format: a tag value with a
/// comma, quotes and markup, a scenario name with every LaTeX special
/// character, and a factor whose source has them too.
const AWKWARD: &str = r#"[scenario]
name = 'odd: 50% a_b & c #1 $2 ~3 ^4 \5 {6} <i>x</i> "q"'

[datacenter]
pue = { dist = "triangular", min = 1.1, mode = 1.2, max = 1.4, source = '100% made up: a_b & c #1 $2 ~3 ^4 \5 {6} [7] |8| <9>' }
wue_onsite = 0.5

[electricity]
gwp = 0.1
pe = 10.0
adp = 1e-8
water = 2.0

[profiles.node]
gpus_per_node = 8
gpu_power_w = 400
lifetime_years = 5

[profiles.node.embodied.server]
count = 1
gwp = 2000

[[inventory]]
name = "run"
gpu_hours = 1000
tags = { category = 'final, "big" & <b>bold</b> 50% a_b #1 $2 ~3 ^4 \5 [x] |y|' }

[[inventory]]
name = "other"
gpu_hours = 100
tags = { category = "plain" }
"#;

const AWKWARD_TAG: &str = r#"final, "big" & <b>bold</b> 50% a_b #1 $2 ~3 ^4 \5 [x] |y|"#;

/// Run, sobol and tornado of [`AWKWARD`] (file name with specials too) in
/// `dir`, with an override whose value has braces and quotes; returns the
/// result paths.
fn awkward_results(dir: &Path) -> Vec<PathBuf> {
    let scenario = write_scenario(dir, "odd 50% a_b&c#d$e~f^g.toml", AWKWARD);
    let set =
        r#"electricity.gwp={ dist = "uniform", min = 0.05, max = 0.15, source = "50% & more_#" }"#;
    let mut out = Vec::new();
    for (command, extra) in [
        ("run", &["-n", "4000"][..]),
        ("sobol", &["--n-base", "64"][..]),
        ("tornado", &[][..]),
    ] {
        let path = dir.join(format!("{command}.json"));
        ecoband()
            .args(["-q", command])
            .arg(&scenario)
            .args(extra)
            .args(["--set", set])
            .arg("--out")
            .arg(&path)
            .assert()
            .success();
        out.push(path);
    }
    out
}

#[test]
fn csv_quotes_a_series_name_with_a_comma_and_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let results = awkward_results(dir.path());
    let csv_dir = dir.path().join("csv");
    ecoband()
        .arg("report")
        .args(&results)
        .arg("--csv")
        .arg(&csv_dir)
        .assert()
        .success();
    let raw = read_text(&csv_dir.join("impacts.csv"));
    let quoted = format!("\"category={}\"", AWKWARD_TAG.replace('"', "\"\""));
    assert!(raw.contains(&quoted), "no {quoted} in impacts.csv");
    let (_, rows) = read_csv(&csv_dir.join("impacts.csv"));
    let name = format!("category={AWKWARD_TAG}");
    let means: Vec<_> = rows
        .iter()
        .filter(|r| r["series"] == name && r["statistic"] == "mean")
        .collect();
    assert_eq!(means.len(), 5, "one mean per impact category");
    let run = read_json(&results[0]);
    for row in means {
        let json = &run["impacts"][&row["impact"]]["by_tag"]["category"][AWKWARD_TAG]["mean"];
        assert_same_f64(&row["value"], json, &name);
        assert!(row["scenario"].starts_with("odd: 50% a_b & c"));
    }
}

// ------------------------------------------------------------ Markdown

/// The cells of a Markdown table row (`\|` is a pipe inside a cell).
fn markdown_cells(line: &str) -> Vec<String> {
    let inner = line
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .unwrap_or_else(|| panic!("a table row must start and end with |: {line}"));
    let mut cells = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cells.last_mut().unwrap().push(c);
                if let Some(next) = chars.next() {
                    cells.last_mut().unwrap().push(next);
                }
            }
            '|' => cells.push(String::new()),
            _ => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

/// Checks every pipe table of `md`: a header, then a separator row, then
/// rows of the header's width. Returns the tables' headers.
fn markdown_tables(md: &str) -> Vec<Vec<String>> {
    let separator = Regex::new(r"^\|(\s*:?-+:?\s*\|)+$").unwrap();
    let lines: Vec<&str> = md.lines().collect();
    let mut headers = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with('|') {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].starts_with('|') {
            i += 1;
        }
        let block = &lines[start..i];
        assert!(
            start == 0 || lines[start - 1].trim().is_empty(),
            "a table must follow a blank line: line {}",
            start + 1
        );
        assert!(block.len() >= 2, "a table without separator: {block:?}");
        let header = markdown_cells(block[0]);
        assert!(
            separator.is_match(block[1]),
            "line {}: no separator row after the header: {}",
            start + 2,
            block[1]
        );
        assert_eq!(
            markdown_cells(block[1]).len(),
            header.len(),
            "line {}",
            start + 2
        );
        for (k, row) in block.iter().enumerate().skip(2) {
            assert_eq!(
                markdown_cells(row).len(),
                header.len(),
                "line {}: {row}",
                start + k + 1
            );
        }
        headers.push(header.iter().map(|c| c.trim().to_string()).collect());
    }
    headers
}

#[test]
fn markdown_has_every_heading_and_well_shaped_tables() {
    let m = moshi();
    let md = m.text("r.md");
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(headings[0], format!("# ecoband report — {}", m.name));
    for h in [
        "## Uncertainty of the footprint (20000 samples)".to_string(),
        "## Sensitivity: Sobol' indices".into(),
        "## One factor at a time: tornado".into(),
        format!("## Uncertain factors of {}", m.name),
    ] {
        assert_eq!(
            headings.iter().filter(|l| **l == h).count(),
            1,
            "{h} in {headings:?}"
        );
    }
    let tables = markdown_tables(&md);
    // The same tables as the HTML.
    assert_eq!(tables.len(), m.text("r.html").matches("<table").count());
    assert!(tables.contains(&vec![
        "factor".to_string(),
        "key path".into(),
        "distribution".into(),
        "nominal".into(),
        "unit".into(),
        "source".into()
    ]));
    // Figures linked from the SVG folder: one image per file.
    let images = Regex::new(r"!\[[^\]]*\]\(fig/([^)]+\.svg)\)").unwrap();
    let linked: BTreeSet<String> = images.captures_iter(&md).map(|c| c[1].into()).collect();
    assert_eq!(linked, file_names(&m.path("fig")));
}

#[test]
fn markdown_escapes_pipes_and_markup_in_cells() {
    let dir = tempfile::tempdir().unwrap();
    let results = awkward_results(dir.path());
    let md_path = dir.path().join("r.md");
    ecoband()
        .arg("report")
        .args(&results)
        .arg("--markdown")
        .arg(&md_path)
        .assert()
        .success();
    let md = read_text(&md_path);
    let tables = markdown_tables(&md);
    assert!(tables.len() >= 4, "{tables:?}");
    assert!(md.contains(r"\|y\|"), "the tag's pipes escaped");
    assert!(!md.contains("<b>"), "raw HTML in Markdown");
}

// --------------------------------------------------------------- LaTeX

/// Compiles `tex` with pdflatex in a fresh folder; panics with the log's
/// end if it does not compile.
fn assert_compiles(tex: &Path) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(tex, dir.path().join("r.tex")).unwrap();
    let output = Process::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "r.tex"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let log = std::fs::read_to_string(dir.path().join("r.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>();
    assert!(
        output.status.success(),
        "{} does not compile:\n{}",
        tex.display(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    let pdf = std::fs::read(dir.path().join("r.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "no PDF");
    assert!(!log.contains("\n! "), "errors in the log");
    // A table that runs off the page (a long cell in a column that does
    // not wrap) shows as an overfull box; a few points are typesetting.
    let overfull = Regex::new(r"Overfull \\hbox \(([0-9.]+)pt too wide\)").unwrap();
    for c in overfull.captures_iter(&log) {
        let points: f64 = c[1].parse().unwrap();
        assert!(
            points < 10.0,
            "{} runs off the page: {}",
            tex.display(),
            &c[0]
        );
    }
}

#[test]
fn latex_compiles_with_pdflatex() {
    let m = moshi();
    let tex = m.text("r.tex");
    assert!(tex.contains("\\begin{longtable}"));
    // One longtable per table of the HTML.
    assert_eq!(
        tex.matches("\\begin{longtable}").count(),
        m.text("r.html").matches("<table").count()
    );
    if have_tool("pdflatex", "latex_compiles_with_pdflatex") {
        assert_compiles(&m.path("r.tex"));
    }
}

#[test]
fn latex_with_special_characters_in_names_sources_and_overrides_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let results = awkward_results(dir.path());
    let tex_path = dir.path().join("r.tex");
    ecoband()
        .arg("report")
        .args(&results)
        .arg("--latex")
        .arg(&tex_path)
        .assert()
        .success();
    let tex = read_text(&tex_path);
    // The specials reach the document, escaped.
    assert!(tex.contains(r"odd: 50\% a\_b \& c \#1 \$2 \textasciitilde{}3 \textasciicircum{}4 \textbackslash{}5 \{6\}"), "{tex}");
    assert!(tex.contains(r"100\% made up"), "the factor's source");
    assert!(tex.contains(r"50\% \& more\_\#"), "the override's value");
    if have_tool("pdflatex", "latex_with_special_characters…") {
        assert_compiles(&tex_path);
    }
}

// ---------------------------------------------------------------- HTML

/// Checks that the HTML's tags nest (void elements aside) and that no
/// `<` or `>` is left in text; returns (element name, attributes) of
/// every start tag in order.
fn html_elements(html: &str) -> Vec<(String, String)> {
    const VOID: [&str; 6] = ["meta", "br", "img", "hr", "input", "link"];
    let body = html
        .strip_prefix("<!DOCTYPE html>")
        .expect("starts with <!DOCTYPE html>");
    let comments = Regex::new(r"(?s)<!--.*?-->").unwrap();
    let body = comments.replace_all(body, "");
    let tag = Regex::new(r#"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*(/?)>"#).unwrap();
    let mut stack: Vec<String> = Vec::new();
    let mut elements = Vec::new();
    let mut last = 0;
    let mut in_style = false;
    for c in tag.captures_iter(&body) {
        let whole = c.get(0).unwrap();
        let text = &body[last..whole.start()];
        if !in_style {
            assert!(
                !text.contains('<') && !text.contains('>'),
                "unescaped < or > in text: {text:?}"
            );
        }
        last = whole.end();
        let name = c[2].to_ascii_lowercase();
        if &c[1] == "/" {
            let open = stack.pop();
            assert_eq!(
                open.as_deref(),
                Some(name.as_str()),
                "</{name}> closes {open:?}"
            );
            in_style = false;
        } else {
            elements.push((name.clone(), c[3].to_string()));
            if c[4].is_empty() && !VOID.contains(&name.as_str()) {
                in_style = name == "style";
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "never closed: {stack:?}");
    assert!(body[last..].trim().is_empty());
    elements
}

/// The value of attribute `name` in a start tag's attribute text.
fn attribute(attributes: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(r#"(?:^|\s){name}\s*=\s*"([^"]*)""#)).unwrap();
    re.captures(attributes).map(|c| c[1].to_string())
}

/// Every `<svg>…</svg>` of `html` (figures' SVGs do not nest).
fn inline_svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("unclosed <svg>") + start + 6;
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// Checks what makes a report self-contained and safe to open: no
/// script, no external resource of any kind, links only to anchors.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script", "<link", "<iframe", "<object", "<embed", "<img", "<base", "@import",
    ] {
        assert!(!lower.contains(banned), "{banned} in the HTML");
    }
    // CSS and SVG may refer to their own definitions (url(#id)) only.
    let url = Regex::new(r"url\(\s*([^)]*)\)").unwrap();
    for c in url.captures_iter(&lower) {
        let target = c[1].trim_matches(['"', '\'', ' ']);
        assert!(target.starts_with('#'), "url({target}) points outside");
    }
    let linking = Regex::new(
        r#"(?:^|\s)(src|href|xlink:href|srcset|action|poster|data|formaction)\s*=\s*"([^"]*)""#,
    )
    .unwrap();
    let handler = Regex::new(r"(?:^|\s)on[a-z]+\s*=").unwrap();
    for (name, attributes) in html_elements(html) {
        let attributes = attributes.to_ascii_lowercase();
        assert!(
            !handler.is_match(&attributes),
            "an event handler on <{name}>"
        );
        for c in linking.captures_iter(&attributes) {
            let target = &c[2];
            assert!(
                target.starts_with('#') && !target.contains("http"),
                "<{name} {}=\"{target}\">",
                &c[1]
            );
        }
    }
}

#[test]
fn html_is_self_contained_with_every_section_table_and_figure() {
    let m = moshi();
    let html = m.text("r.html");
    assert_self_contained(&html);
    let elements = html_elements(&html);
    let with = |name: &str| {
        elements
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, a)| a.as_str())
            .collect::<Vec<_>>()
    };
    let sections: Vec<String> = with("section")
        .iter()
        .map(|a| attribute(a, "id").expect("a section without id"))
        .collect();
    assert_eq!(sections, ["run-1", "sobol-2", "tornado-3", "factors"]);
    // Every table the model has: 2 of the run, one per impact of sobol
    // and tornado, the factor list.
    let tables: Vec<String> = with("table")
        .iter()
        .map(|a| attribute(a, "id").expect("a table without id"))
        .collect();
    let mut expected = vec!["run-1-impacts".to_string(), "run-1-breakdown".into()];
    for impact in m.sobol["sobol"].as_object().unwrap().keys() {
        expected.push(format!("sobol-2-sobol-{impact}"));
    }
    for impact in m.tornado["tornado"].as_object().unwrap().keys() {
        expected.push(format!("tornado-3-tornado-{impact}"));
    }
    expected.push("factors-1".into());
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(tables.clone()), sorted(expected));
    assert_eq!(tables.first().unwrap(), "run-1-impacts");
    assert_eq!(tables.last().unwrap(), "factors-1");
    // Each table's rows have its header's width.
    let row = Regex::new(r"(?s)<tr>(.*?)</tr>").unwrap();
    let table = Regex::new(r"(?s)<table[^>]*>.*?</table>").unwrap();
    for t in table.find_iter(&html) {
        let widths: BTreeSet<usize> = row
            .captures_iter(t.as_str())
            .map(|r| r[1].matches("<th").count() + r[1].matches("<td").count())
            .collect();
        assert_eq!(widths.len(), 1, "ragged table {}", &t.as_str()[..80]);
    }
    // Navigation anchors point at sections that exist.
    for a in with("a") {
        let href = attribute(a, "href").unwrap();
        let id = href.strip_prefix('#').unwrap();
        assert!(sections.iter().any(|s| s == id), "dangling #{id}");
    }
    // Every figure holds an SVG, and every inline SVG is well-formed XML.
    let figure = Regex::new(r"(?s)<figure[^>]*>(.*?)</figure>").unwrap();
    let figures: Vec<&str> = figure
        .captures_iter(&html)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(figures.len(), with("figure").len());
    for f in &figures {
        assert!(
            f.trim_start().starts_with("<svg"),
            "a figure without SVG: {f:.200}"
        );
        assert!(f.contains("<figcaption>"));
    }
    let svgs = inline_svgs(&html);
    assert_eq!(svgs.len(), figures.len(), "an SVG outside a figure");
    for svg in svgs {
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("an inline SVG is not well-formed: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
    }
    // Sentences and numbers: nothing a reader should not see.
    let nan = Regex::new(r"(?i)\bnan\b|\binf(inity)?\b").unwrap();
    assert!(!nan.is_match(&html), "{:?} in the HTML", nan.find(&html));
    assert!(
        !html.contains("{{") && !html.contains("{%"),
        "template code left"
    );
}

#[test]
fn html_escapes_names_and_sources() {
    let dir = tempfile::tempdir().unwrap();
    let results = awkward_results(dir.path());
    let path = dir.path().join("r.html");
    ecoband()
        .arg("report")
        .args(&results)
        .arg("--html")
        .arg(&path)
        .assert()
        .success();
    let html = read_text(&path);
    assert_self_contained(&html);
    html_elements(&html);
    assert!(!html.contains("<b>bold</b>") && !html.contains("<i>x</i>"));
    assert!(
        html.contains("&lt;b&gt;bold&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;bold&lt;/b&gt;")
    );
}

// ----------------------------------------------------------------- SVG

fn file_names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

#[test]
fn every_svg_file_is_well_formed_xml_one_per_figure() {
    let m = moshi();
    let files = file_names(&m.path("fig"));
    let html = m.text("r.html");
    let figure_ids: BTreeSet<String> = html_elements(&html)
        .iter()
        .filter(|(n, _)| n == "figure")
        .map(|(_, a)| format!("{}.svg", attribute(a, "id").unwrap()))
        .collect();
    assert_eq!(
        files, figure_ids,
        "one SVG file per <figure>, named by its id"
    );
    for name in &files {
        assert!(name.ends_with(".svg"), "{name} in --svg-dir");
        let text = m.text(&format!("fig/{name}"));
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg", "{name}");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg"),
            "{name}"
        );
    }
}

// ---------------------------------------------------- constant outputs

#[test]
fn a_constant_scenario_gives_a_report_without_nan() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), "constant.toml", MINIMAL);
    let mut results = Vec::new();
    for (command, extra) in [("run", &["-n", "2000"][..]), ("baseline", &[][..])] {
        let path = dir.path().join(format!("{command}.json"));
        ecoband()
            .args(["-q", command])
            .arg(&scenario)
            .args(extra)
            .arg("--out")
            .arg(&path)
            .assert()
            .success();
        results.push(path);
    }
    let output = ecoband()
        .current_dir(dir.path())
        .arg("report")
        .args(&results)
        .args(["--html", "r.html", "--markdown", "r.md", "--latex", "r.tex"])
        .args(["--csv", "csv", "--svg-dir", "fig"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let nan = Regex::new(r"(?i)\bnan\b|\binf(inity)?\b").unwrap();
    for (name, text) in [
        ("stdout", stdout.clone()),
        ("r.html", read_text(&dir.path().join("r.html"))),
        ("r.md", read_text(&dir.path().join("r.md"))),
        ("r.tex", read_text(&dir.path().join("r.tex"))),
        (
            "impacts.csv",
            read_text(&dir.path().join("csv/impacts.csv")),
        ),
    ] {
        assert!(!nan.is_match(&text), "{name}: {:?}", nan.find(&text));
    }
    // 1000 GPU-h × 400 W × PUE 1.2 = 480 kWh, exactly, with no error.
    assert!(stdout.contains("480"), "{stdout}");
    if have_tool("pdflatex", "a_constant_scenario…") {
        assert_compiles(&dir.path().join("r.tex"));
    }
}

// ------------------------------------------------------------ refusals

/// `report` on `args` exits 2 with each fragment on stderr, prints nothing
/// on stdout and leaves `dir` as it was.
fn assert_refused(dir: &Path, args: &[&str], fragments: &[&str]) {
    let before = file_names(dir);
    let output = ecoband()
        .current_dir(dir)
        .arg("report")
        .args(args)
        .args(["--html", "r.html", "--latex", "r.tex", "--markdown", "r.md"])
        .args(["--csv", "csv", "--svg-dir", "fig"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty(), "{args:?} printed on stdout");
    for f in fragments {
        assert!(stderr.contains(f), "{args:?}: expected `{f}` in: {stderr}");
    }
    assert_eq!(file_names(dir), before, "{args:?} left files behind");
}

#[test]
fn files_that_are_not_results_are_refused_by_name() {
    let m = moshi();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = read_text(&m.path("m.json"));
    std::fs::write(d.join("truncated.json"), &run[..run.len() / 2]).unwrap();
    std::fs::write(d.join("foo.json"), r#"{"foo": 1}"#).unwrap();
    std::fs::write(
        d.join("package.json"),
        r#"{"name": "x", "version": "1.0.0", "scripts": {"test": "jest"}, "dependencies": {}}"#,
    )
    .unwrap();
    std::fs::write(d.join("array.json"), "[1, 2, 3]").unwrap();
    std::fs::write(d.join("empty.json"), "").unwrap();
    let mut edited: Value = m.run.clone();
    edited["impacts"] = Value::from("none");
    std::fs::write(d.join("edited.json"), edited.to_string()).unwrap();
    std::fs::copy(m.path("m.json"), d.join("m.json")).unwrap();
    for (file, fragments) in [
        (
            "truncated.json",
            &["truncated.json", "not a complete JSON"][..],
        ),
        ("foo.json", &["foo.json", "not an ecoband result"][..]),
        (
            "package.json",
            &["package.json", "not an ecoband result"][..],
        ),
        ("array.json", &["array.json", "not an ecoband result"][..]),
        ("empty.json", &["empty.json", "not a complete JSON"][..]),
        (
            "edited.json",
            &["edited.json", "`run` result", "cannot read"][..],
        ),
        ("missing.json", &["missing.json", "cannot read it"][..]),
    ] {
        // Alone, and after a good result: the bad one is named.
        assert_refused(d, &[file], fragments);
        assert_refused(d, &["m.json", file], fragments);
    }
}

#[test]
fn other_ecoband_files_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let moshi = repo_file("scenarios/moshi.toml");
    let moshi = moshi.to_str().unwrap();
    let write = |args: &[&str]| ecoband().current_dir(d).args(args).assert().success();
    write(&[
        "-q",
        "run",
        moshi,
        "-n",
        "20000",
        "--shard",
        "0/2",
        "--out",
        "part-0.json",
    ]);
    write(&[
        "-q",
        "claim",
        moshi,
        "--impact",
        "gwp",
        "--value",
        "500",
        "--unit",
        "t",
        "-n",
        "4000",
        "--out",
        "claim.json",
    ]);
    let sweep = repo_file("scenarios/sweeps/moshi-lifetime-pue.toml");
    write(&[
        "-q",
        "sweep",
        sweep.to_str().unwrap(),
        "-n",
        "2000",
        "--out",
        "sweep",
    ]);
    assert_refused(
        d,
        &["part-0.json"],
        &["part-0.json", "a part file", "ecoband merge"],
    );
    assert_refused(
        d,
        &["claim.json"],
        &["claim.json", "a `claim` result", "report renders run"],
    );
    assert_refused(
        d,
        &["sweep/sweep.json"],
        &["sweep/sweep.json", "a `sweep` result", "points/"],
    );
    // A sweep's point is a run result, and reports.
    let point = std::fs::read_dir(d.join("sweep/points"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .expect("the sweep wrote its points");
    ecoband().arg("report").arg(point).assert().success();
}

#[test]
fn results_of_two_scenarios_need_allow_mixed_which_labels_sections() {
    let m = moshi();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(m.path("m.json"), d.join("m.json")).unwrap();
    ecoband()
        .arg("-q")
        .arg("baseline")
        .arg(repo_file("scenarios/bloom.toml"))
        .arg("--out")
        .arg(d.join("b.json"))
        .assert()
        .success();
    let bloom = read_json(&d.join("b.json"))["scenario"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_refused(
        d,
        &["m.json", "b.json"],
        &[
            &format!("b.json is a result of {bloom} (sha256"),
            &format!("m.json is of {} (sha256", m.name),
            "--allow-mixed",
        ],
    );
    // The same scenario with an override is another scenario too.
    ecoband()
        .arg("-q")
        .arg("tornado")
        .arg(repo_file("scenarios/moshi.toml"))
        .args(["--set", "datacenter.pue=1.4"])
        .arg("--out")
        .arg(d.join("t14.json"))
        .assert()
        .success();
    assert_refused(
        d,
        &["m.json", "t14.json"],
        &["t14.json", "datacenter.pue=1.4"],
    );

    ecoband()
        .current_dir(d)
        .args(["report", "m.json", "b.json", "t14.json", "--allow-mixed"])
        .args(["--html", "r.html", "--markdown", "r.md", "--latex", "r.tex"])
        .assert()
        .success()
        .stdout(contains(format!("scenario: {} (sha256", m.name)))
        .stdout(contains(format!("scenario: {bloom} (sha256")));
    let html = read_text(&d.join("r.html"));
    assert_self_contained(&html);
    // Each section names its scenario (the override, where there is one).
    let section = Regex::new(r#"(?s)<section id="([a-z]+-\d)".*?</section>"#).unwrap();
    let label =
        Regex::new(r"; scenario ([^<]+?) \(sha256 [0-9a-f]+…(, --set ([^)<]+))?\)").unwrap();
    let labels: Vec<(String, String, String)> = section
        .captures_iter(&html)
        .map(|c| {
            let named = label
                .captures(&c[0])
                .unwrap_or_else(|| panic!("section {} not labelled", &c[1]));
            (
                c[1].to_string(),
                named[1].to_string(),
                named.get(3).map_or("", |o| o.as_str()).to_string(),
            )
        })
        .collect();
    let escaped = |s: &str| s.replace('\'', "&#x27;");
    assert_eq!(
        labels,
        [
            ("run-1".to_string(), escaped(&m.name), String::new()),
            ("baseline-2".into(), escaped(&bloom), String::new()),
            (
                "tornado-3".into(),
                escaped(&m.name),
                "datacenter.pue=1.4".into()
            )
        ]
    );
    let md = read_text(&d.join("r.md"));
    let md_moshi = format!("Scenario: {} (sha256", m.name);
    let md_bloom = format!("Scenario: {bloom} (sha256");
    assert_eq!(md.matches(&md_moshi).count(), 2, "{md_moshi}");
    assert_eq!(md.matches(&md_bloom).count(), 1, "{md_bloom}");
    markdown_tables(&md);
    if have_tool("pdflatex", "results_of_two_scenarios…") {
        assert_compiles(&d.join("r.tex"));
    }
}

#[test]
fn unwritable_outputs_are_refused_before_any_result_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for (option, target) in [
        ("--html", "/missing/dir/r.html"),
        ("--markdown", "/missing/dir/r.md"),
        ("--latex", "/missing/dir/r.tex"),
        ("--csv", "/missing/dir/csv"),
        ("--svg-dir", "/missing/dir/fig"),
    ] {
        let output = ecoband()
            .current_dir(dir.path())
            .args(["report", "does-not-exist.json", option, target])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{option}: {stderr}");
        assert!(stderr.contains(option), "{option}: {stderr}");
        assert!(stderr.contains("/missing/dir"), "{option}: {stderr}");
        assert!(
            !stderr.contains("does-not-exist.json"),
            "{option}: the result was read first: {stderr}"
        );
    }
    // A folder option given a file, an HTML target that is a folder.
    std::fs::write(dir.path().join("plain"), "").unwrap();
    let output = ecoband()
        .current_dir(dir.path())
        .args(["report", "does-not-exist.json", "--csv", "plain"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--csv plain: is a file"), "{stderr}");
    std::fs::create_dir(dir.path().join("folder.html")).unwrap();
    let output = ecoband()
        .current_dir(dir.path())
        .args(["report", "does-not-exist.json", "--html", "folder.html"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is a folder"));
    assert_eq!(
        file_names(dir.path()),
        BTreeSet::from(["folder.html".to_string(), "plain".into()])
    );
}

#[test]
fn a_failed_report_leaves_no_output_behind() {
    let m = moshi();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(m.path("m.json"), d.join("m.json")).unwrap();
    std::fs::write(d.join("bad.json"), "{").unwrap();
    // assert_refused asks for every format, folders included, and checks
    // the folder is as it was: no report file, no CSV or SVG folder, no
    // temporary.
    assert_refused(d, &["m.json", "bad.json"], &["bad.json"]);
    // Existing output folders keep only what they had.
    std::fs::create_dir(d.join("csv")).unwrap();
    std::fs::write(d.join("csv/mine.txt"), "keep").unwrap();
    assert_refused(d, &["m.json", "bad.json"], &["bad.json"]);
    assert_eq!(
        file_names(&d.join("csv")),
        BTreeSet::from(["mine.txt".to_string()])
    );
}

// --------------------------------------------------------- the terminal

#[test]
fn the_terminal_report_lists_what_was_written() {
    let m = moshi();
    assert!(
        m.stdout
            .starts_with(&format!("ecoband report — {}\n", m.name))
    );
    assert!(m.stdout.contains("GWP "), "{}", m.stdout);
    assert!(
        m.stdout
            .trim_end()
            .ends_with("written: r.html, r.md, r.tex, out/, fig/"),
        "{}",
        m.stdout
    );
}

#[test]
fn a_closed_stdout_pipe_ends_report_quietly_with_success() {
    let m = moshi();
    // The reading end closed before anything is written.
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("ecoband"))
        .current_dir(&m.dir)
        .args(["report", "m.json", "s.json", "t.json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And as a shell does it: `| head -1`, the pipeline's status that of
    // ecoband.
    let bin = assert_cmd::cargo::cargo_bin("ecoband");
    let scenario = repo_file("scenarios/moshi.toml");
    for args in [
        "report m.json s.json t.json".to_string(),
        format!("check '{}'", scenario.display()),
    ] {
        let out = Process::new("bash")
            .current_dir(&m.dir)
            .arg("-c")
            .arg(format!(
                "set -o pipefail; '{}' {args} | head -1",
                bin.display()
            ))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
        assert!(
            out.stderr.is_empty(),
            "{args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
