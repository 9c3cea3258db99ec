//! Human-readable tables for the terminal.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::analyze::diagnostics::has_no_effect;
use crate::model::{Factor, Model, Series, format_number};
use crate::result::RunResult;

/// Left-aligned first column, right-aligned others, two spaces apart.
fn render(rows: &[Vec<String>]) -> String {
    render_aligned(rows, false)
}

/// As `render`; with `text_last`, the last column (free text such as a
/// source) is left-aligned too.
pub(crate) fn render_aligned(rows: &[Vec<String>], text_last: bool) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    render_columns(rows, |c| c == 0 || (text_last && c + 1 == cols))
}

/// Rows as columns two spaces apart, each column as wide as its widest cell
/// on screen (labels may hold accents, `×`, or CJK text two columns wide):
/// text columns (`left(c)`) left-aligned, numbers right-aligned.
fn render_columns(rows: &[Vec<String>], left: impl Fn(usize) -> bool) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.width();
            if c > 0 {
                line.push_str("  ");
            }
            if left(c) {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn percent(part: f64, whole: f64) -> String {
    if whole == 0.0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part / whole)
    }
}

/// "gwp (kgCO2e)", or just the id for a unitless output.
fn with_unit(id: &str, unit: &str) -> String {
    if unit.is_empty() {
        id.to_string()
    } else {
        format!("{id} ({unit})")
    }
}

/// A percentile as a table cell: "23.4", or "-" when not counted.
fn percentile(p: Option<f64>) -> String {
    p.map_or("-".into(), |p| format!("{:.1}", 100.0 * p))
}

pub fn run_table(result: &RunResult) -> String {
    let s = &result.settings;
    let sampler = match s.replicates {
        Some(r) => format!("{} ({r} replicates)", s.sampler),
        None => s.sampler.clone(),
    };
    let mut out = format!(
        "{} — {} samples, seed {}, sampler {sampler}, {:.0}% central intervals\n\n",
        result.scenario.name,
        s.samples,
        s.seed,
        100.0 * s.level
    );
    let mut rows = vec![vec![
        "impact".to_string(),
        "unit".into(),
        "baseline".into(),
        "pct".into(),
        "mean".into(),
        "±se".into(),
        "median".into(),
        "interval".into(),
    ]];
    let scopes: Vec<String> = result
        .impacts
        .values()
        .next()
        .map(|i| i.by_scope.keys().cloned().collect())
        .unwrap_or_default();
    rows[0].extend(scopes.iter().cloned());
    if scopes.is_empty() {
        // A test function: one output, not an impact category.
        rows[0][0] = "output".into();
    }
    for (id, impact) in &result.impacts {
        let t = &impact.total;
        let mut row = vec![
            id.clone(),
            impact.unit.clone(),
            format_number(t.baseline),
            percentile(t.baseline_percentile),
            format_number(t.mean),
            format_number(t.mc_se_mean),
            format_number(t.median),
            format!(
                "[{}, {}]",
                format_number(t.interval.low),
                format_number(t.interval.high)
            ),
        ];
        for scope in &scopes {
            row.push(percent(impact.by_scope[scope].mean, t.mean));
        }
        rows.push(row);
    }
    out.push_str(&render(&rows));
    if !scopes.is_empty() {
        let _ = write!(out, "({}: share of the mean) ", scopes.join("/"));
    }
    out.push_str("(pct: the baseline's percentile in the distribution; ±se: Monte Carlo standard error of the mean)\n");
    // Quantiles asked for with --quantiles, beside the seven defaults.
    let defaults: Vec<String> = crate::analyze::summary::QUANTILES
        .iter()
        .map(|q| format!("{q}"))
        .collect();
    for (id, impact) in &result.impacts {
        let extra: Vec<String> = impact
            .total
            .quantiles
            .iter()
            .filter(|(q, _)| !defaults.contains(q))
            .map(|(q, v)| format!("q{q} {}", format_number(*v)))
            .collect();
        if !extra.is_empty() {
            let _ = writeln!(out, "{id} quantiles: {}", extra.join(", "));
        }
    }
    if let Some(p) = &s.precision {
        let _ = writeln!(
            out,
            "precision {}: {} at {} samples (largest relative MC error {:.2e}, {}; tried {})",
            p.target,
            if p.reached {
                "reached"
            } else {
                "NOT reached (stopped by --max-samples)"
            },
            s.samples,
            p.worst_relative_error,
            p.worst,
            p.steps
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !result.exceedances.is_empty() {
        out.push('\n');
        let mut rows = vec![vec![
            "exceedance".to_string(),
            "P".into(),
            "±se".into(),
            format!("{:.0}% interval", 100.0 * s.level),
            "samples above".into(),
        ]];
        for e in &result.exceedances {
            let p = &e.probability;
            let series = if e.series == "total" {
                e.impact.clone()
            } else {
                format!("{}.{}", e.impact, e.series)
            };
            // The threshold as the user wrote it (`60t`), its unit kept.
            let given = e
                .given
                .split_once('=')
                .map_or(e.given.as_str(), |(_, v)| v.trim());
            rows.push(vec![
                format!("P({series} > {given})"),
                format!("{:.4}", p.p),
                format!("{:.4}", p.mc_se),
                format!("[{:.4}, {:.4}]", p.interval[0], p.interval[1]),
                format!("{} of {}", p.count, p.samples),
            ]);
        }
        out.push_str(&render(&rows));
        out.push_str(&format!(
            "(counted exactly during the run; interval: {})\n",
            result.exceedances[0].interval_method
        ));
    }
    if let Some(gwp) = result.impacts.get("gwp") {
        for (tag, values) in &gwp.by_tag {
            let _ = write!(out, "\ngwp by {tag} ({}):\n", gwp.unit);
            let mut rows = vec![vec![
                tag.clone(),
                "baseline".into(),
                "mean".into(),
                "interval".into(),
                "share".into(),
            ]];
            for (value, s) in values {
                rows.push(vec![
                    value.clone(),
                    format_number(s.baseline),
                    format_number(s.mean),
                    format!(
                        "[{}, {}]",
                        format_number(s.interval.low),
                        format_number(s.interval.high)
                    ),
                    percent(s.mean, gwp.total.mean),
                ]);
            }
            out.push_str(&render(&rows));
        }
    }
    out
}

pub fn baseline_table(
    model: &Model,
    outputs: &[f64],
    split: Option<&crate::model::EnergySplit>,
) -> String {
    let layout = model.layout();
    let mut out = format!(
        "{} — deterministic baseline (every input at its nominal value)\n\n",
        model.name
    );
    let first = if model.footprint().is_some() {
        "impact"
    } else {
        "output"
    };
    let mut header = vec![first.to_string(), "unit".into(), "total".into()];
    header.extend(layout.scopes.iter().map(|s| s.to_string()));
    let mut rows = vec![header];
    for (c, cat) in layout.categories.iter().enumerate() {
        let mut row = vec![cat.id.to_string(), cat.unit.to_string()];
        row.push(format_number(outputs[layout.index(c, Series::Total)]));
        for s in 0..layout.scopes.len() {
            row.push(format_number(outputs[layout.index(c, Series::Scope(s))]));
        }
        rows.push(row);
    }
    out.push_str(&render(&rows));
    if let Some(split) = split {
        let _ = writeln!(
            out,
            "\nenergy: IT {} kWh, facility {} kWh, idle {} kWh",
            format_number(split.it_kwh),
            format_number(split.facility_kwh),
            format_number(split.idle_kwh)
        );
    }
    for tag in layout.tag_names() {
        let _ = write!(out, "\nby {tag}:\n");
        let mut rows = vec![vec![tag.to_string()]];
        rows[0].extend(layout.categories.iter().map(|c| with_unit(c.id, c.unit)));
        for (t, (name, value)) in layout.tag_values.iter().enumerate() {
            if name != tag {
                continue;
            }
            let mut row = vec![value.clone()];
            for c in 0..layout.categories.len() {
                row.push(format_number(outputs[layout.index(c, Series::Tag(t))]));
            }
            rows.push(row);
        }
        out.push_str(&render(&rows));
    }
    out
}

/// A table whose first line (the title) is followed by the overrides
/// applied, so that a what-if result is never read as the scenario's own.
pub fn with_overrides(table: String, overrides: &[String]) -> String {
    if overrides.is_empty() {
        return table;
    }
    let shown: Vec<String> = overrides.iter().map(|o| format!("--set {o}")).collect();
    match table.split_once('\n') {
        Some((title, rest)) => format!("{title}\nwith {}\n{rest}", shown.join(" ")),
        None => format!("{table}\nwith {}\n", shown.join(" ")),
    }
}

/// A declaration's line, or `--set` for a value an override wrote.
fn line_or_set(line: usize) -> String {
    if line == 0 {
        "--set".into()
    } else {
        line.to_string()
    }
}

/// A label as `check` shows it: marked when derived from the key path, so
/// that a scenario's author sees which values still need one.
fn shown_label(label: &str, given: bool) -> String {
    if given {
        label.to_string()
    } else {
        format!("{label} *")
    }
}

pub fn factor_table(model: &Model) -> String {
    let unused = if model.no_effect.is_empty() {
        String::new()
    } else {
        format!(
            "; {} factor(s) without effect, listed at the end",
            model.no_effect.len()
        )
    };
    let mut out = format!(
        "{} — {} uncertain factor(s), {} sampled dimension(s){unused}\n\n",
        model.name,
        model.factors.len(),
        model.factors.iter().map(|f| f.dims.len()).sum::<usize>()
    );
    if let crate::model::Equations::TestFunction(t) = &model.equations {
        let _ = writeln!(
            out,
            "model: {} (`{}`), {}; inputs = the parameters in file order\n",
            t.function.title(),
            t.function.id(),
            t.function.describe()
        );
    }
    let mut rows = vec![vec![
        "label".to_string(),
        "factor".into(),
        "line".into(),
        "distribution".into(),
        "nominal".into(),
        "unit".into(),
    ]];
    for f in &model.factors {
        rows.push(vec![
            shown_label(&f.label, f.label_given),
            f.name.clone(),
            line_or_set(f.line),
            f.describe(),
            f.describe_nominal(),
            f.unit.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    out.push_str(&render_columns(&rows, |c| c < 2));
    out.push_str("\nsources:\n");
    for f in &model.factors {
        let _ = writeln!(out, "  {}: {}", f.name, source_text(f));
    }
    out.push_str(&correlations_text(model));
    if !model.no_effect.is_empty() {
        let _ = write!(
            out,
            "\nno effect: {} factor(s) no output depends on (held at their nominal value, not sampled, not in sobol or tornado):\n",
            model.no_effect.len()
        );
        let mut rows = vec![vec![
            "factor".to_string(),
            "line".into(),
            "distribution".into(),
            "reason".into(),
        ]];
        for n in &model.no_effect {
            rows.push(vec![
                n.factor.name.clone(),
                line_or_set(n.factor.line),
                n.factor.describe(),
                n.reason.clone(),
            ]);
        }
        out.push_str(&render_aligned(&rows, true));
    }
    if model.constants.is_empty() {
        out.push_str("\nno fixed inputs\n");
    } else {
        let _ = write!(out, "\n{} fixed input(s):\n", model.constants.len());
        let mut rows = vec![vec![
            "label".to_string(),
            "input".into(),
            "line".into(),
            "value".into(),
            "unit".into(),
            "source".into(),
        ]];
        for c in &model.constants {
            rows.push(vec![
                shown_label(&c.label, c.label_given),
                c.name.clone(),
                line_or_set(c.line),
                match &c.expr {
                    None => format_number(c.value),
                    Some(e) => format!("{} = {e}", format_number(c.value)),
                },
                c.unit.clone().unwrap_or_else(|| "-".into()),
                c.source
                    .clone()
                    .unwrap_or_else(|| "(no source given)".into()),
            ]);
        }
        out.push_str(&render_columns(&rows, |c| c < 2 || c == 5));
    }
    if !model.derived.is_empty() {
        let _ = write!(
            out,
            "\nderived: {} value(s) computed by formulas from the factors (not factors themselves: sensitivity stays on the parameters):\n",
            model.derived.len()
        );
        let mut rows = vec![vec![
            "label".to_string(),
            "input".into(),
            "line".into(),
            "formula".into(),
            "nominal".into(),
            "unit".into(),
        ]];
        for d in &model.derived {
            rows.push(vec![
                shown_label(&d.label, d.label_given),
                d.name.clone(),
                line_or_set(d.line),
                d.expr.clone(),
                format_number(d.nominal),
                d.unit.clone(),
            ]);
        }
        out.push_str(&render_columns(&rows, |c| c < 2 || c == 3));
    }
    let derived = model.factors.iter().any(|f| !f.label_given)
        || model.constants.iter().any(|c| !c.label_given)
        || model.derived.iter().any(|d| !d.label_given);
    if derived {
        out.push_str(
            "\n* label derived from the key path; give the value `label = \"…\"` to name it in tables and figures\n",
        );
    }
    out
}

/// The `[correlations]` entries, set by set, as `check` lists them.
fn correlations_text(model: &Model) -> String {
    if model.correlated.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\ncorrelations (Gaussian copula: marginals unchanged; `sobol` analyses each set as one group, `tornado` varies each factor alone):\n",
    );
    for set in &model.correlated {
        let _ = writeln!(out, "  {}:", set.name);
        for p in &set.pairs {
            let [a, b] = p.factors.map(|f| model.factors[f].name.as_str());
            let source = match (&p.source, &p.note) {
                (Some(s), Some(n)) => format!("{s} ({n})"),
                (Some(s), None) => s.clone(),
                (None, Some(n)) => format!("(no source given) ({n})"),
                (None, None) => "(no source given)".into(),
            };
            let _ = writeln!(
                out,
                "    {}: {a} ~ {b}, Spearman {} (normals' Pearson {:.4}); {source}",
                p.name,
                format_number(p.spearman),
                crate::model::correlation::pearson_of_spearman(p.spearman)
            );
        }
    }
    out
}

/// A factor's source with its note, as `check` and the report list it.
pub(crate) fn source_text(f: &Factor) -> String {
    let mut s = f
        .source
        .clone()
        .unwrap_or_else(|| "(no source given)".into());
    if let Some(note) = &f.note {
        s.push_str(" — ");
        s.push_str(note);
    }
    s
}

fn input_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), format_number),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first columns naming a factor in `sobol` and `tornado` tables: its
/// label, and with `--key-paths` its key path.
fn name_cells(label: &str, key_path: &str, key_paths: bool) -> Vec<String> {
    let mut cells = vec![label.to_string()];
    if key_paths {
        cells.push(key_path.to_string());
    }
    cells
}

/// The header cells of `name_cells`.
fn name_header(key_paths: bool) -> Vec<String> {
    name_cells("factor", "key path", key_paths)
}

/// "3 factors and 1 group with no effect hidden; --all shows them", or
/// nothing when none is hidden.
fn hidden_note(factors: usize, groups: usize) -> String {
    let count = |n: usize, what: &str| {
        let s = if n == 1 { "" } else { "s" };
        format!("{n} {what}{s}")
    };
    let what = match (factors, groups) {
        (0, 0) => return String::new(),
        (f, 0) => count(f, "factor"),
        (0, g) => count(g, "group"),
        (f, g) => format!("{} and {}", count(f, "factor"), count(g, "group")),
    };
    format!("{what} with no effect hidden; --all shows them\n")
}

/// The model's factors without effect on any output, which `tornado` and
/// `sobol` leave out: named, so that a reader looking for one knows why.
fn not_analysed(model: &Model) -> String {
    if model.no_effect.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = model
        .no_effect
        .iter()
        .map(|n| n.factor.name.as_str())
        .collect();
    format!(
        "\nnot analysed, no output depends on them (`ecoband check` says why): {}\n",
        names.join(", ")
    )
}

/// Per impact category, the bars sorted by swing; bars with no effect on
/// that category are hidden unless `all`.
pub fn tornado_table(
    model: &Model,
    tornado: &indexmap::IndexMap<String, crate::tornado::CategoryTornado>,
    (low, high): (f64, f64),
    key_paths: bool,
    all: bool,
) -> String {
    let mut out = format!(
        "{} — tornado: each factor at its {low} and {high} quantile (a choice: its options giving the lowest and highest output), the others at baseline\n",
        model.name
    );
    out.push_str(&correlated_tornado_note(model));
    for (id, t) in tornado {
        let _ = write!(
            out,
            "\n{}, baseline {}:\n",
            with_unit(id, &t.unit),
            format_number(t.baseline_output)
        );
        let mut header = name_header(key_paths);
        header.extend([
            "low input".into(),
            "high input".into(),
            "output low".into(),
            "output high".into(),
            "swing".into(),
        ]);
        let mut rows = vec![header];
        let bar_row = |b: &crate::tornado::Bar, label: String, key_path: String| {
            let mut row = name_cells(&label, &key_path, key_paths);
            row.extend([
                input_text(&b.low_input),
                input_text(&b.high_input),
                format_number(b.output_low),
                format_number(b.output_high),
                format_number(b.swing),
            ]);
            row
        };
        let shown = |b: &&crate::tornado::Bar| all || !b.has_no_effect();
        for b in t.factors.iter().filter(shown) {
            rows.push(bar_row(b, b.label.clone(), b.factor.clone()));
        }
        for b in t.groups.iter().filter(shown) {
            rows.push(bar_row(
                b,
                format!("group {}", b.label),
                format!("group {}", b.factor),
            ));
        }
        out.push_str(&render_columns(&rows, |c| c == 0 || (key_paths && c == 1)));
        let hidden = |bars: &[crate::tornado::Bar]| bars.iter().filter(|b| !shown(b)).count();
        out.push_str(&hidden_note(hidden(&t.factors), hidden(&t.groups)));
    }
    out.push_str(&not_analysed(model));
    out
}

/// What a tornado does with correlated factors: varies each alone.
fn correlated_tornado_note(model: &Model) -> String {
    let mut out = String::new();
    for set in &model.correlated {
        let names: Vec<String> = set
            .factors
            .iter()
            .map(|&f| format!("`{}`", model.factors[f].name))
            .collect();
        let entries: Vec<String> = set
            .entries
            .iter()
            .map(|e| format!("[correlations].{e}"))
            .collect();
        let _ = writeln!(
            out,
            "note: factors {} are correlated ({}): one at a time, each is varied alone, its partners held at baseline (`sobol` analyses them as one group)",
            names.join(", "),
            entries.join(", ")
        );
    }
    out
}

fn interval_text(ci: [f64; 2]) -> String {
    format!("[{:.4}, {:.4}]", ci[0], ci[1])
}

/// Per impact category (total), factors sorted by total-order index;
/// factors with no effect on that total are hidden unless `all`.
pub fn sobol_table(
    model: &Model,
    result: &crate::result::SobolResult,
    key_paths: bool,
    all: bool,
) -> String {
    let name = &model.name;
    let s = &result.settings;
    let design = match s.replicates {
        Some(r) => format!("{r} replicates × N = {}", s.n_base),
        None => format!("N = {}", s.n_base),
    };
    let mut out = format!(
        "{name} — Sobol' indices, {design} ({} evaluations), sampler {}, {:.0}% intervals ({})\n",
        s.evaluations,
        s.sampler,
        100.0 * s.level,
        s.ci_method
    );
    match (s.target_width, s.target_reached) {
        (Some(w), Some(true)) => {
            let _ = writeln!(
                out,
                "target reached: every ST half-width ≤ {w} (widest {:.4}) at N = {}",
                s.widest_st_half_width, s.n_base
            );
        }
        (Some(w), Some(false)) => {
            let _ = writeln!(
                out,
                "target NOT reached: widest ST half-width {:.4} > {w} at N = {} (--max-n-base); increase --max-n-base",
                s.widest_st_half_width, s.n_base
            );
        }
        _ => {}
    }
    for c in &result.correlated {
        let _ = writeln!(out, "note: {}", c.note);
    }
    for (id, series) in &result.sobol {
        let Some(total) = series.get("total") else {
            continue;
        };
        let _ = write!(out, "\n{id} (total):\n");
        if total.variance == 0.0 {
            out.push_str("  zero variance: no factor moves this output\n");
            continue;
        }
        for flag in &total.flags {
            let _ = writeln!(out, "  note: {flag}");
        }
        let mut order: Vec<&crate::result::SobolIndex> = total.indices.iter().collect();
        order.sort_by(|a, b| b.st.total_cmp(&a.st));
        let mut header = name_header(key_paths);
        header.extend([
            "S1".into(),
            "S1 interval".into(),
            "ST".into(),
            "ST interval".into(),
            "flags".into(),
        ]);
        let mut rows = vec![header];
        let shown = |i: &&crate::result::SobolIndex| all || !has_no_effect(i);
        let groups = total.groups.iter().filter(shown).map(|g| {
            (
                format!("group {}", g.label),
                format!("group {}", g.factor),
                g,
            )
        });
        let factors = order
            .into_iter()
            .filter(shown)
            .map(|i| (i.label.clone(), i.factor.clone(), i));
        for (label, key_path, i) in factors.chain(groups) {
            let mut row = name_cells(&label, &key_path, key_paths);
            row.extend([
                format!("{:.4}", i.s1),
                interval_text(i.s1_ci),
                format!("{:.4}", i.st),
                interval_text(i.st_ci),
                i.flags.join("; "),
            ]);
            rows.push(row);
        }
        let cols = rows[0].len();
        out.push_str(&render_columns(&rows, |c| {
            c == 0 || (key_paths && c == 1) || c + 1 == cols
        }));
        let hidden =
            |indices: &[crate::result::SobolIndex]| indices.iter().filter(|i| !shown(i)).count();
        out.push_str(&hidden_note(hidden(&total.indices), hidden(&total.groups)));
    }
    out.push_str(&not_analysed(model));
    out
}
