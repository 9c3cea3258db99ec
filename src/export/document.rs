//! The report's content, built once from the loaded results: per result a
//! section with its settings, sentences, tables and figures, and the
//! scenario's uncertain factors. Every exporter renders this one model.

use std::path::Path;

use serde::Serialize;

use super::figures;
use super::load::{Loaded, Result as Kind, ScenarioKey};
use super::numbers::{Magnitude, figures as sig, level as level_text, ordinal, with_error};
use crate::analyze::Summary;
use crate::result::{RunResult, SobolIndex, SobolResult, TornadoResult};

/// A table: built once, rendered by every text exporter.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// A short name, unique in the report (file and anchor names).
    pub id: String,
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    /// Right-aligned (numbers) rather than left-aligned (text).
    pub numeric: bool,
}

impl Column {
    pub fn text(name: &str) -> Column {
        Column {
            name: name.into(),
            numeric: false,
        }
    }

    pub fn number(name: &str) -> Column {
        Column {
            name: name.into(),
            numeric: true,
        }
    }
}

/// A figure as SVG text, with the words that go around it.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// A short name, unique in the report: the SVG file's stem.
    pub id: String,
    pub title: String,
    pub caption: String,
    pub svg: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Unique in the report, for anchors.
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    /// The result file it renders.
    pub file: String,
    /// With `--allow-mixed`: the scenario it belongs to.
    pub scenario: Option<String>,
    pub settings: Vec<(String, String)>,
    pub sentences: Vec<String>,
    pub tables: Vec<Table>,
    pub figures: Vec<Figure>,
    /// Diagnostics and caveats a reader must see.
    pub notes: Vec<String>,
}

/// The uncertain factors of one scenario, as `ecoband check` lists them.
#[derive(Debug, Clone, Serialize)]
pub enum Factors {
    Listed(Table),
    /// Why the list is missing (the scenario file is not where the result
    /// says, or has changed since).
    Unavailable(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioPart {
    pub key: ScenarioKey,
    pub path: String,
    pub factors: Factors,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    /// The version(s) of ecoband that wrote the results.
    pub versions: Vec<String>,
    pub scenarios: Vec<ScenarioPart>,
    pub sections: Vec<Section>,
    /// The results themselves (for exporters of raw values).
    pub results: Vec<Loaded>,
}

/// Readable names of the model's impact categories.
pub fn category_name(id: &str) -> String {
    match id {
        "gwp" => "GWP".into(),
        "pe" => "Primary energy".into(),
        "water" => "Water consumption".into(),
        "adp" => "ADPe".into(),
        "energy_kwh" => "Facility energy".into(),
        other => other.to_string(),
    }
}

/// Builds the report of `results`; with `mixed`, results of several
/// scenarios (each section names its scenario). `scenario_file`, when
/// given, is read for the factor list instead of the path the results
/// recorded.
pub fn build(
    results: Vec<Loaded>,
    mixed: bool,
    scenario_file: Option<&Path>,
) -> std::result::Result<Report, String> {
    let mut scenarios: Vec<ScenarioPart> = Vec::new();
    for r in &results {
        let key = r.scenario();
        if scenarios.iter().any(|s| s.key == key) {
            continue;
        }
        if let Some(first) = scenarios.first()
            && !mixed
        {
            return Err(format!(
                "{} is a result of {}, but {} is of {}: one report covers one scenario with the same overrides; give --allow-mixed to put results of several scenarios in one report, each section labelled by its scenario",
                r.path.display(),
                key.describe(),
                results[0].path.display(),
                first.key.describe()
            ));
        }
        let path = r.scenario_path().to_string();
        let factors = factor_list(r, &key, scenario_file);
        scenarios.push(ScenarioPart { key, path, factors });
    }
    let mut sections = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let mut section = match &r.result {
            Kind::Run(run) => run_section(run),
            Kind::Sobol(s) => sobol_section(s),
            Kind::Tornado(t) => tornado_section(t),
            Kind::Compare(c) => compare_section(c),
            Kind::Baseline(b) => baseline_section(b),
        };
        section.file = r.path.display().to_string();
        section.id = format!("{}-{}", section.kind, i + 1);
        for t in &mut section.tables {
            t.id = format!("{}-{}", section.id, t.id);
        }
        for f in &mut section.figures {
            f.id = format!("{}-{}", section.id, f.id);
        }
        if mixed {
            section.scenario = Some(r.scenario().describe());
        }
        sections.push(section);
    }
    let mut versions: Vec<String> = results.iter().map(|r| r.version().to_string()).collect();
    versions.dedup();
    let title = if scenarios.len() == 1 {
        format!("ecoband report — {}", scenarios[0].key.name)
    } else {
        "ecoband report".to_string()
    };
    Ok(Report {
        title,
        versions,
        scenarios,
        sections,
        results,
    })
}

/// The scenario's factors, when its file is where the result says (or
/// at `--scenario`) and unchanged (same SHA-256); the overrides recorded
/// in the result are applied again, as `check --set` would.
fn factor_list(r: &Loaded, key: &ScenarioKey, scenario_file: Option<&Path>) -> Factors {
    if matches!(r.result, Kind::Compare(_)) {
        return Factors::Unavailable(
            "a comparison has two scenarios: run `ecoband check` on each".into(),
        );
    }
    let path = scenario_file.map_or_else(
        || Path::new(r.scenario_path()).to_path_buf(),
        Path::to_path_buf,
    );
    let Ok(scenario) = crate::scenario::Scenario::load(&path) else {
        return Factors::Unavailable(format!(
            "the scenario file {} could not be read here (give its copy with --scenario FILE)",
            path.display()
        ));
    };
    if scenario.sha256 != key.sha256 {
        return Factors::Unavailable(format!(
            "the scenario file {} has changed since the result was computed (its SHA-256 differs), so its factors are not listed",
            path.display()
        ));
    }
    let args = crate::cli::OverrideArgs {
        set: key.overrides.clone(),
        allow_no_effect: true,
    };
    match crate::app::load_with(&path, &args) {
        Ok((_, model)) => Factors::Listed(factor_table(&model)),
        Err(e) => Factors::Unavailable(format!("the scenario could not be compiled here: {e}")),
    }
}

fn factor_table(model: &crate::model::Model) -> Table {
    let rows = model
        .factors
        .iter()
        .map(|f| {
            vec![
                f.label.clone(),
                f.name.clone(),
                f.describe(),
                f.describe_nominal(),
                f.unit.clone().unwrap_or_else(|| "-".into()),
                crate::report::table::source_text(f),
            ]
        })
        .collect();
    Table {
        id: "factors".into(),
        caption: format!(
            "The {} uncertain factors of {}",
            model.factors.len(),
            model.name
        ),
        columns: vec![
            Column::text("factor"),
            Column::text("key path"),
            Column::text("distribution"),
            // An option's name or a share vector as often as a number.
            Column::text("nominal"),
            Column::text("unit"),
            Column::text("source"),
        ],
        rows,
    }
}

/// A summary's numbers in one display unit: mean ± its MC error, the
/// interval bounds each to their own MC error, the baseline to the mean's.
struct Shown {
    mean: String,
    se: String,
    low: String,
    high: String,
    baseline: String,
    sd: String,
}

fn shown(s: &Summary, m: &Magnitude) -> Shown {
    let se = m.of(s.mc_se_mean);
    Shown {
        mean: with_error(m.of(s.mean), se),
        se: sig(se, 2),
        low: with_error(m.of(s.interval.low), m.of(s.mc_se_interval[0])),
        high: with_error(m.of(s.interval.high), m.of(s.mc_se_interval[1])),
        baseline: with_error(m.of(s.baseline), se),
        sd: with_error(m.of(s.sd), se),
    }
}

/// "at the 23rd percentile of the distribution".
fn percentile_phrase(p: f64) -> String {
    let pct = 100.0 * p;
    if pct < 0.5 {
        "below the 1st percentile of the distribution".into()
    } else if pct > 99.5 {
        "above the 99th percentile of the distribution".into()
    } else {
        format!(
            "at the {} percentile of the distribution",
            ordinal(pct.round() as u64)
        )
    }
}

fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// The sentence a paper can use for one impact category.
pub fn run_sentence(id: &str, s: &Summary, m: &Magnitude) -> String {
    let v = shown(s, m);
    let u = unit_suffix(&m.unit);
    let mut text = format!(
        "{} {}{u} (mean; {} interval {}–{}{u}; deterministic baseline {}{u}",
        category_name(id),
        v.mean,
        level_text(s.interval.level),
        v.low,
        v.high,
        v.baseline
    );
    if let Some(p) = s.baseline_percentile {
        text.push_str(", ");
        text.push_str(&percentile_phrase(p));
    }
    text.push_str(").");
    text
}

fn settings_of_run(r: &RunResult) -> Vec<(String, String)> {
    let s = &r.settings;
    let mut out = vec![
        ("samples".to_string(), s.samples.to_string()),
        ("seed".into(), s.seed.to_string()),
        (
            "sampler".into(),
            match s.replicates {
                Some(n) => format!("{} ({n} replicates)", s.sampler),
                None => s.sampler.clone(),
            },
        ),
        ("interval level".into(), level_text(s.level)),
    ];
    if !s.overrides.is_empty() {
        out.push(("overrides".into(), s.overrides.join("; ")));
    }
    out
}

fn run_section(r: &RunResult) -> Section {
    let mut sentences = Vec::new();
    let level = level_text(r.settings.level);
    let mut totals = Vec::new();
    let mut breakdown = Vec::new();
    for (id, impact) in &r.impacts {
        let m = Magnitude::for_value(&impact.unit, impact.total.mean);
        sentences.push(run_sentence(id, &impact.total, &m));
        let v = shown(&impact.total, &m);
        totals.push(vec![
            category_name(id),
            m.unit.clone(),
            v.mean,
            v.se,
            format!("{}–{}", v.low, v.high),
            v.baseline,
            impact
                .total
                .baseline_percentile
                .map_or("-".into(), |p| format!("{:.0}", 100.0 * p)),
            v.sd,
        ]);
        let share = |x: f64| {
            if impact.total.mean == 0.0 {
                "-".to_string()
            } else {
                format!("{:.1}", 100.0 * x / impact.total.mean)
            }
        };
        let mut series: Vec<(String, &Summary)> = impact
            .by_scope
            .iter()
            .map(|(scope, s)| (format!("scope: {scope}"), s))
            .collect();
        for (tag, values) in &impact.by_tag {
            for (value, s) in values {
                series.push((format!("{tag}: {value}"), s));
            }
        }
        for (name, s) in series {
            let v = shown(s, &m);
            breakdown.push(vec![
                category_name(id),
                name,
                m.unit.clone(),
                v.mean,
                format!("{}–{}", v.low, v.high),
                share(s.mean),
            ]);
        }
    }
    let mut tables = vec![
        Table {
            id: "impacts".into(),
            caption: format!(
                "Impact totals: mean with its Monte Carlo standard error, {level} interval, deterministic baseline and its percentile in the distribution"
            ),
            columns: vec![
                Column::text("impact"),
                Column::text("unit"),
                Column::number("mean"),
                Column::number("MC se"),
                Column::number(&format!("{level} interval")),
                Column::number("baseline"),
                Column::number("baseline percentile"),
                Column::number("sd"),
            ],
            rows: totals,
        },
        Table {
            id: "breakdown".into(),
            caption: format!(
                "Breakdown by scope and tag: mean, {level} interval and share of the total's mean"
            ),
            columns: vec![
                Column::text("impact"),
                Column::text("part"),
                Column::text("unit"),
                Column::number("mean"),
                Column::number(&format!("{level} interval")),
                Column::number("% of total"),
            ],
            rows: breakdown,
        },
    ];
    if !r.exceedances.is_empty() {
        tables.push(Table {
            id: "exceedances".into(),
            caption: "Probability of exceeding a threshold, counted exactly during the run".into(),
            columns: vec![
                Column::text("output"),
                Column::number("threshold"),
                Column::number("P(above)"),
                Column::number("interval"),
                Column::text("method"),
            ],
            rows: r
                .exceedances
                .iter()
                .map(|e| {
                    let p = &e.probability;
                    vec![
                        format!("{} {}", category_name(&e.impact), e.series),
                        format!("{}{}", sig(e.threshold, 6), unit_suffix(&e.unit)),
                        with_error(p.p, p.mc_se),
                        format!(
                            "{}–{}",
                            with_error(p.interval[0], p.mc_se),
                            with_error(p.interval[1], p.mc_se)
                        ),
                        e.interval_method.clone(),
                    ]
                })
                .collect(),
        });
    }
    let mut notes = vec![format!(
        "Digits stop where the Monte Carlo error starts: each number is rounded to the leading digit of its own standard error (interval bounds to theirs, the baseline to the mean's). Quantiles are read from a sketch within {:.2} % of the exact order statistic.",
        100.0 * r.settings.quantile_relative_error
    )];
    if let Some(p) = &r.settings.precision {
        notes.push(format!(
            "--precision {}: {} after {} samples (worst relative error {} at {}).",
            p.target,
            if p.reached { "reached" } else { "NOT reached" },
            r.settings.samples,
            sig(p.worst_relative_error, 2),
            p.worst
        ));
    }
    Section {
        id: String::new(),
        title: format!(
            "Uncertainty of the footprint ({} samples)",
            r.settings.samples
        ),
        kind: "run",
        file: String::new(),
        scenario: None,
        settings: settings_of_run(r),
        sentences,
        tables,
        figures: figures::run(r),
        notes,
    }
}

/// An index and its interval, rounded to the interval's precision (at
/// most 3 decimals: an index is a fraction of the variance).
fn index_text(x: f64, ci: [f64; 2]) -> (String, String) {
    let se = ((ci[1] - ci[0]) / 4.0).max(5e-4);
    (
        with_error(x, se),
        format!("{} to {}", with_error(ci[0], se), with_error(ci[1], se)),
    )
}

/// A factor's readable label; its key path for results written before
/// labels existed.
pub fn readable(label: &str, key: &str) -> String {
    if label.is_empty() {
        key.to_string()
    } else {
        label.to_string()
    }
}

fn factor_label(i: &SobolIndex) -> String {
    readable(&i.label, &i.factor)
}

fn sobol_section(r: &SobolResult) -> Section {
    let s = &r.settings;
    let level = level_text(s.level);
    let mut settings = vec![
        ("base samples N".to_string(), s.n_base.to_string()),
        ("model evaluations".into(), s.evaluations.to_string()),
        (
            "sampler".into(),
            match s.replicates {
                Some(n) => format!("{} ({n} replicates)", s.sampler),
                None => s.sampler.clone(),
            },
        ),
        ("seed".into(), s.seed.to_string()),
        (
            "estimators".into(),
            format!("S1 {}, ST {}", s.first_order, s.total_order),
        ),
        ("intervals".into(), format!("{level}, {}", s.ci_method)),
    ];
    if !s.overrides.is_empty() {
        settings.push(("overrides".into(), s.overrides.join("; ")));
    }
    let mut sentences = Vec::new();
    let mut tables = Vec::new();
    let mut notes: Vec<String> = r.correlated.iter().map(|c| c.note.clone()).collect();
    for (id, series) in &r.sobol {
        let Some(total) = series.get("total") else {
            continue;
        };
        for flag in &total.flags {
            notes.push(format!("{} total: {flag}", category_name(id)));
        }
        if total.variance == 0.0 {
            sentences.push(format!(
                "{}: no factor moves this output (zero variance).",
                category_name(id)
            ));
            continue;
        }
        let mut order: Vec<&SobolIndex> = total.indices.iter().collect();
        order.sort_by(|a, b| b.st.total_cmp(&a.st));
        let top: Vec<String> = order
            .iter()
            .take(3)
            .map(|i| {
                let (st, ci) = index_text(i.st, i.st_ci);
                format!("{} (ST {st}, {level} interval {ci})", factor_label(i))
            })
            .collect();
        sentences.push(format!(
            "{}: the largest total-order Sobol' indices are {}.",
            category_name(id),
            top.join(", ")
        ));
        let mut rows = Vec::new();
        for i in &order {
            let (s1, s1_ci) = index_text(i.s1, i.s1_ci);
            let (st, st_ci) = index_text(i.st, i.st_ci);
            rows.push(vec![
                factor_label(i),
                s1,
                s1_ci,
                st,
                st_ci,
                i.flags.join("; "),
            ]);
            for flag in &i.flags {
                notes.push(format!(
                    "{} total, {}: {flag}",
                    category_name(id),
                    factor_label(i)
                ));
            }
        }
        for g in &total.groups {
            let (s1, s1_ci) = index_text(g.s1, g.s1_ci);
            let (st, st_ci) = index_text(g.st, g.st_ci);
            rows.push(vec![
                format!("group {}", g.factor),
                s1,
                s1_ci,
                st,
                st_ci,
                g.flags.join("; "),
            ]);
        }
        tables.push(Table {
            id: format!("sobol-{id}"),
            caption: format!(
                "{}: first-order (S1) and total-order (ST) Sobol' indices of the total, with {level} intervals, largest ST first",
                category_name(id)
            ),
            columns: vec![
                Column::text("factor"),
                Column::number("S1"),
                Column::number("S1 interval"),
                Column::number("ST"),
                Column::number("ST interval"),
                Column::text("flags"),
            ],
            rows,
        });
    }
    Section {
        id: String::new(),
        title: "Sensitivity: Sobol' indices".into(),
        kind: "sobol",
        file: String::new(),
        scenario: None,
        settings,
        sentences,
        tables,
        figures: figures::sobol(r),
        notes,
    }
}

fn input_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), |x| sig(x, 4)),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn tornado_section(r: &TornadoResult) -> Section {
    let s = &r.settings;
    let mut settings = vec![
        (
            "inputs varied".to_string(),
            format!("each factor to its {} and {} quantile", s.low, s.high),
        ),
        ("others held at".into(), s.baseline.clone()),
    ];
    if !s.overrides.is_empty() {
        settings.push(("overrides".into(), s.overrides.join("; ")));
    }
    let mut sentences = Vec::new();
    let mut tables = Vec::new();
    for (id, t) in &r.tornado {
        let m = Magnitude::for_value(&t.unit, t.baseline_output);
        let u = unit_suffix(&m.unit);
        let out = |x: f64| sig(m.of(x), 3);
        if let Some(b) = t.factors.first() {
            sentences.push(format!(
                "{}: the largest swing comes from {} ({} to {}{u} around a baseline of {}{u}).",
                category_name(id),
                readable(&b.label, &b.factor),
                out(b.output_low),
                out(b.output_high),
                out(t.baseline_output)
            ));
        }
        let row = |b: &crate::tornado::Bar, name: String| {
            vec![
                name,
                input_text(&b.low_input),
                input_text(&b.high_input),
                out(b.output_low),
                out(b.output_high),
                out(b.swing),
            ]
        };
        let mut rows: Vec<Vec<String>> =
            t.factors.iter().map(|b| row(b, b.factor.clone())).collect();
        rows.extend(
            t.groups
                .iter()
                .map(|b| row(b, format!("group {}", b.factor))),
        );
        tables.push(Table {
            id: format!("tornado-{id}"),
            caption: format!(
                "{} ({}): output with each factor at its low and high input, the others at {}; largest swing first",
                category_name(id),
                m.unit,
                s.baseline
            ),
            columns: vec![
                Column::text("factor"),
                Column::number("low input"),
                Column::number("high input"),
                Column::number("output low"),
                Column::number("output high"),
                Column::number("swing"),
            ],
            rows,
        });
    }
    Section {
        id: String::new(),
        title: "One factor at a time: tornado".into(),
        kind: "tornado",
        file: String::new(),
        scenario: None,
        settings,
        sentences,
        tables,
        figures: figures::tornado(r),
        notes: vec![
            "A tornado moves one factor at a time: it shows reach, not interactions; the Sobol' indices apportion the variance.".into(),
        ],
    }
}

fn compare_section(r: &crate::paired::result::CompareResult) -> Section {
    let s = &r.settings;
    let level = level_text(s.level);
    let side = |c: &crate::paired::result::CompareSide| {
        if c.overrides.is_empty() {
            c.scenario.name.clone()
        } else {
            format!("{} with {}", c.scenario.name, c.overrides.join("; "))
        }
    };
    let settings = vec![
        ("A".to_string(), side(&r.a)),
        ("B".into(), side(&r.b)),
        ("samples".into(), s.samples.to_string()),
        ("seed".into(), s.seed.to_string()),
        ("sampler".into(), s.sampler.clone()),
        ("random numbers".into(), s.common_random_numbers.clone()),
    ];
    let mut sentences = Vec::new();
    let mut rows = Vec::new();
    for (id, p) in &r.comparison {
        let t = &p.total;
        let m = Magnitude::for_value(&p.unit, t.a.mean.abs().max(t.b.mean.abs()));
        let u = unit_suffix(&m.unit);
        let (a, b, d) = (shown(&t.a, &m), shown(&t.b, &m), shown(&t.difference, &m));
        let pb = &t.p_b_greater;
        sentences.push(format!(
            "{}: B − A = {}{u} (mean; {level} interval {}–{}{u}); B exceeds A in {} % of the paired samples.",
            category_name(id),
            d.mean,
            d.low,
            d.high,
            with_error(100.0 * pb.p, 100.0 * pb.mc_se)
        ));
        rows.push(vec![
            category_name(id),
            m.unit.clone(),
            a.mean,
            b.mean,
            d.mean,
            format!("{}–{}", d.low, d.high),
            t.ratio
                .as_ref()
                .map_or("-".into(), |r| with_error(r.mean, r.mc_se_mean)),
            with_error(pb.p, pb.mc_se),
        ]);
    }
    Section {
        id: String::new(),
        title: "Paired comparison: B against A".into(),
        kind: "compare",
        file: String::new(),
        scenario: None,
        settings,
        sentences,
        tables: vec![Table {
            id: "compare".into(),
            caption: format!(
                "Means of A and B, their paired difference with its {level} interval, mean ratio and P(B > A), from common random numbers"
            ),
            columns: vec![
                Column::text("impact"),
                Column::text("unit"),
                Column::number("A mean"),
                Column::number("B mean"),
                Column::number("B − A"),
                Column::number(&format!("{level} interval")),
                Column::number("B / A"),
                Column::number("P(B > A)"),
            ],
            rows,
        }],
        figures: Vec::new(),
        notes: Vec::new(),
    }
}

fn baseline_section(r: &crate::result::BaselineResult) -> Section {
    let scopes: Vec<String> = r
        .baseline
        .values()
        .next()
        .map(|b| b.by_scope.keys().cloned().collect())
        .unwrap_or_default();
    let mut columns = vec![
        Column::text("impact"),
        Column::text("unit"),
        Column::number("total"),
    ];
    columns.extend(scopes.iter().map(|s| Column::number(s)));
    let rows = r
        .baseline
        .iter()
        .map(|(id, b)| {
            let m = Magnitude::for_value(&b.unit, b.total);
            let mut row = vec![category_name(id), m.unit.clone(), sig(m.of(b.total), 4)];
            row.extend(
                scopes
                    .iter()
                    .map(|s| b.by_scope.get(s).map_or("-".into(), |x| sig(m.of(*x), 4))),
            );
            row
        })
        .collect();
    let settings = if r.settings.overrides.is_empty() {
        Vec::new()
    } else {
        vec![("overrides".to_string(), r.settings.overrides.join("; "))]
    };
    Section {
        id: String::new(),
        title: "Deterministic baseline".into(),
        kind: "baseline",
        file: String::new(),
        scenario: None,
        settings,
        sentences: Vec::new(),
        tables: vec![Table {
            id: "baseline".into(),
            caption: "The footprint at every input's nominal value (4 significant figures)".into(),
            columns,
            rows,
        }],
        figures: Vec::new(),
        notes: Vec::new(),
    }
}
