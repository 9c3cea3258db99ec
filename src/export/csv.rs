//! CSV: tidy long tables of the raw values in canonical units (one
//! observation per row), which pandas and R read with their defaults.
//! Files: `impacts.csv`, `histograms.csv`, `convergence.csv`,
//! `exceedances.csv`, `sobol.csv`, `tornado.csv`, `compare.csv` and
//! `baseline.csv`, each written only when a result has such values.
//! Values are written in Rust's shortest round-trip form, so each parses
//! back to the JSON's number bit for bit. A histogram's rows (`region`
//! `bin`) come with its two tails (`below`, `above`: samples outside the
//! binned range), so its counts add up to the sample count.

use indexmap::IndexMap;

use super::document::Report;
use super::load::Result as Kind;
use super::{Exporter, Output};
use crate::analyze::Summary;

pub struct Csv;

/// One CSV file being filled.
struct Sheet {
    writer: csv::Writer<Vec<u8>>,
    rows: usize,
}

impl Sheet {
    fn new(header: &[&str]) -> Result<Sheet, String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(header).map_err(|e| e.to_string())?;
        Ok(Sheet { writer, rows: 0 })
    }

    fn row(&mut self, cells: &[String]) -> Result<(), String> {
        self.rows += 1;
        self.writer.write_record(cells).map_err(|e| e.to_string())
    }
}

/// Every statistic of a summary, by name.
fn statistics(s: &Summary) -> Vec<(String, f64)> {
    let mut out = vec![
        ("baseline".to_string(), s.baseline),
        ("mean".into(), s.mean),
        ("sd".into(), s.sd),
        ("median".into(), s.median),
        ("min".into(), s.min),
        ("max".into(), s.max),
        ("interval_low".into(), s.interval.low),
        ("interval_high".into(), s.interval.high),
        ("interval_level".into(), s.interval.level),
        ("mc_se_mean".into(), s.mc_se_mean),
        ("mean_ci_low".into(), s.mean_ci[0]),
        ("mean_ci_high".into(), s.mean_ci[1]),
        ("mc_se_interval_low".into(), s.mc_se_interval[0]),
        ("mc_se_interval_high".into(), s.mc_se_interval[1]),
    ];
    out.extend(s.quantiles.iter().map(|(q, v)| (format!("q{q}"), *v)));
    if let Some(p) = s.baseline_percentile {
        out.push(("baseline_percentile".into(), p));
    }
    out
}

/// (series kind, series name, summary) of a total, its scopes and tags.
fn series<'a, T>(
    total: &'a T,
    by_scope: &'a IndexMap<String, T>,
    by_tag: &'a IndexMap<String, IndexMap<String, T>>,
) -> Vec<(&'static str, String, &'a T)> {
    let mut out = vec![("total", "total".to_string(), total)];
    out.extend(by_scope.iter().map(|(s, v)| ("scope", s.clone(), v)));
    for (tag, values) in by_tag {
        out.extend(
            values
                .iter()
                .map(|(value, v)| ("tag", format!("{tag}={value}"), v)),
        );
    }
    out
}

fn num(x: f64) -> String {
    format!("{x}")
}

impl Exporter for Csv {
    fn export(&self, report: &Report) -> Result<Output, String> {
        let id = ["result", "scenario", "impact", "unit"];
        let with = |rest: &[&'static str]| [&id[..], rest].concat();
        let mut impacts = Sheet::new(&with(&["series_kind", "series", "statistic", "value"]))?;
        let mut histograms = Sheet::new(&with(&[
            "series", "region", "bin", "bin_low", "bin_high", "count",
        ]))?;
        let mut convergence = Sheet::new(&with(&[
            "samples",
            "mean",
            "mean_ci_low",
            "mean_ci_high",
            "sd",
        ]))?;
        let mut exceedances = Sheet::new(&with(&[
            "series",
            "threshold",
            "p",
            "mc_se",
            "ci_low",
            "ci_high",
            "level",
            "method",
        ]))?;
        let mut sobol = Sheet::new(&with(&[
            "series", "kind", "factor", "label", "factor2", "label2", "index", "estimate",
            "ci_low", "ci_high", "level", "flags",
        ]))?;
        let mut tornado = Sheet::new(&with(&[
            "kind",
            "factor",
            "label",
            "low_input",
            "high_input",
            "output_low",
            "output_high",
            "swing",
            "baseline_output",
        ]))?;
        let mut compare = Sheet::new(&with(&[
            "series_kind",
            "series",
            "quantity",
            "statistic",
            "value",
        ]))?;
        let mut baseline = Sheet::new(&with(&["series_kind", "series", "value"]))?;
        for (section, loaded) in report.sections.iter().zip(&report.results) {
            let scenario = loaded.scenario().name;
            let key = |impact: &str, unit: &str| {
                vec![
                    section.id.clone(),
                    scenario.clone(),
                    impact.to_string(),
                    unit.to_string(),
                ]
            };
            match &loaded.result {
                Kind::Run(r) => {
                    for (impact, i) in &r.impacts {
                        for (kind, name, s) in series(&i.total, &i.by_scope, &i.by_tag) {
                            for (stat, value) in statistics(s) {
                                let mut row = key(impact, &i.unit);
                                row.extend([kind.to_string(), name.clone(), stat, num(value)]);
                                impacts.row(&row)?;
                            }
                        }
                        if let Some(d) = &i.distribution {
                            let all = std::iter::once(("total".to_string(), &d.total, &i.total))
                                .chain(d.by_scope.iter().filter_map(|(s, h)| {
                                    i.by_scope.get(s).map(|summary| (s.clone(), h, summary))
                                }));
                            for (name, h, summary) in all {
                                for row in histogram_rows(h, summary) {
                                    let mut cells = key(impact, &i.unit);
                                    cells.push(name.clone());
                                    cells.extend(row);
                                    histograms.row(&cells)?;
                                }
                            }
                        }
                        for c in &i.convergence {
                            let mut row = key(impact, &i.unit);
                            row.extend([
                                c.samples.to_string(),
                                num(c.mean),
                                num(c.mean_ci[0]),
                                num(c.mean_ci[1]),
                                num(c.sd),
                            ]);
                            convergence.row(&row)?;
                        }
                    }
                    for e in &r.exceedances {
                        let p = &e.probability;
                        let mut row = key(&e.impact, &e.unit);
                        row.extend([
                            e.series.clone(),
                            num(e.threshold),
                            num(p.p),
                            num(p.mc_se),
                            num(p.interval[0]),
                            num(p.interval[1]),
                            num(p.level),
                            e.interval_method.clone(),
                        ]);
                        exceedances.row(&row)?;
                    }
                }
                Kind::Sobol(r) => {
                    let level = num(r.settings.level);
                    for (impact, by_series) in &r.sobol {
                        for (name, s) in by_series {
                            let indices = s
                                .indices
                                .iter()
                                .map(|i| ("factor", i))
                                .chain(s.groups.iter().map(|g| ("group", g)));
                            for (kind, i) in indices {
                                for (index, est, ci) in
                                    [("S1", i.s1, i.s1_ci), ("ST", i.st, i.st_ci)]
                                {
                                    let mut row = key(impact, "");
                                    row.extend([
                                        name.clone(),
                                        kind.to_string(),
                                        i.factor.clone(),
                                        i.label.clone(),
                                        String::new(),
                                        String::new(),
                                        index.to_string(),
                                        num(est),
                                        num(ci[0]),
                                        num(ci[1]),
                                        level.clone(),
                                        i.flags.join("; "),
                                    ]);
                                    sobol.row(&row)?;
                                }
                            }
                            for p in &s.s2 {
                                let mut row = key(impact, "");
                                row.extend([
                                    name.clone(),
                                    "pair".to_string(),
                                    p.factors[0].clone(),
                                    p.labels[0].clone(),
                                    p.factors[1].clone(),
                                    p.labels[1].clone(),
                                    "S2".to_string(),
                                    num(p.s2),
                                    num(p.s2_ci[0]),
                                    num(p.s2_ci[1]),
                                    level.clone(),
                                    String::new(),
                                ]);
                                sobol.row(&row)?;
                            }
                        }
                    }
                }
                Kind::Tornado(r) => {
                    for (impact, t) in &r.tornado {
                        let bars = t
                            .factors
                            .iter()
                            .map(|b| ("factor", b))
                            .chain(t.groups.iter().map(|b| ("group", b)));
                        for (kind, b) in bars {
                            let mut row = key(impact, &t.unit);
                            row.extend([
                                kind.to_string(),
                                b.factor.clone(),
                                b.label.clone(),
                                value_text(&b.low_input),
                                value_text(&b.high_input),
                                num(b.output_low),
                                num(b.output_high),
                                num(b.swing),
                                num(t.baseline_output),
                            ]);
                            tornado.row(&row)?;
                        }
                    }
                }
                Kind::Compare(r) => {
                    for (impact, p) in &r.comparison {
                        for (kind, name, s) in series(&p.total, &p.by_scope, &p.by_tag) {
                            let mut quantities =
                                vec![("a", &s.a), ("b", &s.b), ("difference", &s.difference)];
                            if let Some(ratio) = &s.ratio {
                                quantities.push(("ratio", ratio));
                            }
                            for (quantity, summary) in quantities {
                                for (stat, value) in statistics(summary) {
                                    let mut row = key(impact, &p.unit);
                                    row.extend([
                                        kind.to_string(),
                                        name.clone(),
                                        quantity.to_string(),
                                        stat,
                                        num(value),
                                    ]);
                                    compare.row(&row)?;
                                }
                            }
                            let mut row = key(impact, &p.unit);
                            row.extend([
                                kind.to_string(),
                                name.clone(),
                                "b_greater".to_string(),
                                "p".to_string(),
                                num(s.p_b_greater.p),
                            ]);
                            compare.row(&row)?;
                        }
                    }
                }
                Kind::Baseline(r) => {
                    for (impact, b) in &r.baseline {
                        let mut all = vec![("total", "total".to_string(), b.total)];
                        all.extend(b.by_scope.iter().map(|(s, v)| ("scope", s.clone(), *v)));
                        for (tag, values) in &b.by_tag {
                            all.extend(
                                values
                                    .iter()
                                    .map(|(v, x)| ("tag", format!("{tag}={v}"), *x)),
                            );
                        }
                        for (kind, name, value) in all {
                            let mut row = key(impact, &b.unit);
                            row.extend([kind.to_string(), name, num(value)]);
                            baseline.row(&row)?;
                        }
                    }
                }
            }
        }
        let mut files = Vec::new();
        for (name, sheet) in [
            ("impacts.csv", impacts),
            ("histograms.csv", histograms),
            ("convergence.csv", convergence),
            ("exceedances.csv", exceedances),
            ("sobol.csv", sobol),
            ("tornado.csv", tornado),
            ("compare.csv", compare),
            ("baseline.csv", baseline),
        ] {
            if sheet.rows > 0 {
                let bytes = sheet.writer.into_inner().map_err(|e| e.to_string())?;
                files.push((name.to_string(), bytes));
            }
        }
        Ok(Output::Folder(files))
    }
}

/// The rows of one histogram: the samples below its first edge (from the
/// series' minimum), its bins, the samples above its last edge (to the
/// maximum); every sample is in one row, so the counts add up to the
/// sample count. Region, bin number (empty for the tails), low and high
/// edge, count.
fn histogram_rows(h: &crate::analyze::histogram::Histogram, s: &Summary) -> Vec<[String; 5]> {
    let Some((first, last)) = h.edges.first().zip(h.edges.last()) else {
        return Vec::new();
    };
    let mut rows = vec![[
        "below".to_string(),
        String::new(),
        num(s.min.min(*first)),
        num(*first),
        h.below.to_string(),
    ]];
    for (b, count) in h.counts.iter().enumerate() {
        rows.push([
            "bin".to_string(),
            b.to_string(),
            num(h.edges[b]),
            num(h.edges[b + 1]),
            count.to_string(),
        ]);
    }
    rows.push([
        "above".to_string(),
        String::new(),
        num(*last),
        num(s.max.max(*last)),
        h.above.to_string(),
    ]);
    rows
}

/// A tornado input: a number as written in full, an option by name.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
