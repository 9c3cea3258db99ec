//! `ecoband compare A [B] [--set-b KEY=VALUE…]`: a paired comparison on
//! common random numbers (factors keyed by name), so that B − A is the
//! effect of what changed and its Monte Carlo error is that of the change
//! alone; `--tornado` splits the difference by change.

use std::fmt::Write;

use indexmap::IndexMap;

use crate::app::{
    AppError, DEFAULT_LEVEL, DEFAULT_SAMPLES, DEFAULT_SEED, check_outputs, overridden,
    parse_overrides, progress_bar, refuse_no_effect, write_json,
};
use crate::cli::CompareArgs;
use crate::model::{Model, format_number};
use crate::paired::engine::{self, PairedRun};
use crate::paired::result::{
    CategoryContributions, CompareResult, CompareSettings, CompareSide, Contribution, Differences,
    PairedSeries, paired_impacts,
};
use crate::paired::{Pairing, pair};
use crate::report::table::render_aligned;
use crate::result::ScenarioInfo;
use crate::scenario::Scenario;
use crate::scenario::overrides::Override;

/// How a comparison is run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    pub samples: u64,
    pub seed: u64,
    pub level: f64,
    /// Worker threads (0 = all cores); does not change the result.
    pub threads: usize,
}

/// The paired statistics of A and B (without the `--tornado` split).
pub fn compare_models(
    (sa, ma): (&Scenario, &Model),
    (sb, mb): (&Scenario, &Model),
    options: &CompareOptions,
) -> Result<CompareResult, AppError> {
    let pairing = pair(ma, mb);
    if pairing.series.is_empty() {
        return Err(AppError::Input(format!(
            "{} and {} have no output series in common (a footprint scenario and a test function?); nothing to compare",
            sa.path, sb.path
        )));
    }
    let (points_a, points_b) = pairing.sources(options.seed);
    let bar = progress_bar(options.samples);
    let run = PairedRun {
        a: ma,
        b: mb,
        points_a: &points_a,
        points_b: &points_b,
        pairing: &pairing,
    };
    let acc = engine::run(&run, options.samples, options.threads, &|done| {
        bar.set_position(done)
    })
    .map_err(|e| {
        AppError::Io(format!(
            "cannot start {} worker threads: {e}",
            options.threads
        ))
    })?;
    bar.finish_and_clear();
    let m = &acc.moments;
    if let Some(k) = (0..m.mean.len()).find(|&k| !(m.mean[k].is_finite() && m.m2[k].is_finite())) {
        let (_, _, name) = &pairing.series[k % pairing.series.len()];
        return Err(AppError::Input(format!(
            "some paired samples of {name} are not finite numbers (an overflow or 0/0 at extreme input values); check the ranges of the inputs"
        )));
    }
    let shift = engine::shifts(ma, mb, &pairing);
    let side = |s: &Scenario| CompareSide {
        scenario: ScenarioInfo::of(s),
        overrides: s.overrides.clone(),
    };
    Ok(CompareResult {
        kind: "compare".into(),
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        a: side(sa),
        b: side(sb),
        settings: CompareSettings {
            samples: options.samples,
            seed: options.seed,
            sampler: "mc".into(),
            level: options.level,
            quantile_relative_error: crate::analyze::sketch::RELATIVE_ERROR,
            common_random_numbers: "by factor name: B's factor takes the random numbers of A's factor of the same name; A's are those of `ecoband run`".into(),
        },
        differences: differences(&pairing),
        comparison: paired_impacts(ma, &pairing, &acc, &shift, options.level),
        tornado: None,
    })
}

fn differences(p: &Pairing) -> Differences {
    Differences {
        factors_only_a: p.only_a.clone(),
        factors_only_b: p.only_b.clone(),
        factors_changed: p.changed.clone(),
        series_only_a: p.series_only_a.clone(),
        series_only_b: p.series_only_b.clone(),
    }
}

/// Settings: the command line first, then A's scenario, then defaults.
fn options(args: &CompareArgs, a: &Scenario) -> Result<CompareOptions, AppError> {
    let samples = args
        .samples
        .or(a.settings.samples)
        .unwrap_or(DEFAULT_SAMPLES);
    let level = args.level.or(a.settings.level).unwrap_or(DEFAULT_LEVEL);
    if samples < 2 {
        return Err(AppError::Input(format!(
            "--samples {samples} is too few; a comparison needs at least 2 samples (1000000 is a good start)"
        )));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(AppError::Input(format!(
            "--level {level} is not allowed; it is a probability strictly between 0 and 1, e.g. 0.95"
        )));
    }
    Ok(CompareOptions {
        samples,
        seed: args.seed.or(a.settings.seed).unwrap_or(DEFAULT_SEED),
        level,
        threads: args.threads,
    })
}

pub fn compare(args: &CompareArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let common = parse_overrides(&args.overrides.set)?;
    let only_b: Vec<Override> = parse_overrides(&args.set_b)?
        .into_iter()
        .map(|o| o.given_as("--set-b"))
        .collect();
    if args.tornado && (args.b.is_some() || only_b.is_empty()) {
        return Err(AppError::Input(
            "--tornado splits B − A by change, each --set-b override applied to A alone: give B as A's --set-b overrides (no second file)".into(),
        ));
    }
    let base_a = Scenario::load(&args.a)?;
    let base_b = match &args.b {
        Some(path) => Scenario::load(path)?,
        None => base_a.clone(),
    };
    let b_overrides: Vec<Override> = common.iter().chain(&only_b).cloned().collect();
    let (sa, ma, notes_a) = overridden(&base_a, &common)?;
    let (sb, mb, notes_b) = overridden(&base_b, &b_overrides)?;
    let mut notes = notes_a;
    for n in notes_b {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    for note in notes {
        eprintln!("note: {note}");
    }
    if !args.overrides.allow_no_effect {
        refuse_no_effect(&base_a, &common, &ma)?;
        refuse_no_effect(&base_b, &b_overrides, &mb)?;
    }
    let options = options(args, &sa)?;
    // Each change of the tornado is applied to A alone: checked before the
    // comparison runs, so a change that is not valid alone (a key of a
    // preset that only another change brings) fails at once.
    let alone = if args.tornado {
        only_b
            .iter()
            .map(|change| {
                let with: Vec<Override> = common.iter().chain([change]).cloned().collect();
                overridden(&base_a, &with)
                    .map(|(s, m, _)| (change, s, m))
                    .map_err(|e| {
                        AppError::Input(format!(
                            "--tornado applies each --set-b change to A alone, and {change} is not valid alone: {e}"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let mut result = compare_models((&sa, &ma), (&sb, &mb), &options)?;
    if args.tornado {
        result.tornado = Some(contributions((&sa, &ma), &alone, &result, &options)?);
    }
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(compare_table(&result))
}

/// Each change applied to A alone, compared with A on the same random
/// numbers; what they do together beyond the sum is the interaction.
fn contributions(
    (sa, ma): (&Scenario, &Model),
    alone: &[(&Override, Scenario, Model)],
    total: &CompareResult,
    options: &CompareOptions,
) -> Result<IndexMap<String, CategoryContributions>, AppError> {
    let mut per_change = Vec::new();
    for (change, s, m) in alone {
        per_change.push((*change, compare_models((sa, ma), (s, m), options)?));
    }
    let mut out = IndexMap::new();
    for (cat, impact) in &total.comparison {
        let d = &impact.total.difference;
        let mut changes: Vec<Contribution> = per_change
            .iter()
            .filter_map(|(change, r)| {
                let alone = &r.comparison.get(cat)?.total.difference;
                Some(Contribution {
                    change: change.canonical(),
                    baseline_difference: alone.baseline,
                    mean_difference: alone.mean,
                    mc_se: alone.mc_se_mean,
                })
            })
            .collect();
        changes.sort_by(|x, y| y.mean_difference.abs().total_cmp(&x.mean_difference.abs()));
        let sum: f64 = changes.iter().map(|c| c.mean_difference).sum();
        out.insert(
            cat.clone(),
            CategoryContributions {
                unit: impact.unit.clone(),
                baseline_difference: d.baseline,
                mean_difference: d.mean,
                interaction: d.mean - sum,
                changes,
            },
        );
    }
    Ok(out)
}

fn side_text(s: &CompareSide) -> String {
    let mut t = s.scenario.name.clone();
    for o in &s.overrides {
        let _ = write!(t, " --set {o}");
    }
    t
}

fn interval_text(lo: f64, hi: f64) -> String {
    format!("[{}, {}]", format_number(lo), format_number(hi))
}

fn series_row(name: &str, unit: &str, s: &PairedSeries) -> Vec<String> {
    let d = &s.difference;
    vec![
        name.to_string(),
        unit.to_string(),
        format_number(s.a.mean),
        format_number(s.b.mean),
        format_number(d.mean),
        format_number(d.mc_se_mean),
        format_number(s.mc_se_difference_independent),
        interval_text(d.interval.low, d.interval.high),
        match &s.ratio {
            Some(r) => format!(
                "{} {}",
                format_number(r.median),
                interval_text(r.interval.low, r.interval.high)
            ),
            None => "-".into(),
        },
        format!("{:.4}", s.p_b_greater.p),
        match s.variance_reduction {
            Some(v) => format!("{}x", format_number(v)),
            None => "exact".into(),
        },
    ]
}

/// The terminal table: one row per category (means, the paired difference
/// with its error and the error two independent runs would have had, the
/// ratio, P(B > A)), then what differs between the sides.
pub fn compare_table(r: &CompareResult) -> String {
    let s = &r.settings;
    let mut out = format!(
        "Paired comparison — {} samples, seed {}, common random numbers by factor name, {:.0}% central intervals\nA: {}\nB: {}\n\n",
        s.samples,
        s.seed,
        100.0 * s.level,
        side_text(&r.a),
        side_text(&r.b)
    );
    let mut rows = vec![
        [
            "impact",
            "unit",
            "A mean",
            "B mean",
            "B−A mean",
            "±se",
            "±se indep.",
            "B−A interval",
            "B/A median [interval]",
            "P(B>A)",
            "var. red.",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (cat, impact) in &r.comparison {
        rows.push(series_row(cat, &impact.unit, &impact.total));
    }
    out.push_str(&render_aligned(&rows, false));
    out.push_str(
        "\n±se: Monte Carlo standard error of the mean difference, paired; ±se indep.: the same for two independent runs of this size; var. red.: how many times more samples independent runs would need.\n",
    );
    let d = &r.differences;
    let list = |label: &str, names: &[String], out: &mut String| {
        if !names.is_empty() {
            let _ = writeln!(out, "{label}: {}", names.join(", "));
        }
    };
    out.push('\n');
    list("factors only in A", &d.factors_only_a, &mut out);
    list("factors only in B", &d.factors_only_b, &mut out);
    list("factors defined differently", &d.factors_changed, &mut out);
    list(
        "series only in A (not compared)",
        &d.series_only_a,
        &mut out,
    );
    list(
        "series only in B (not compared)",
        &d.series_only_b,
        &mut out,
    );
    if let Some(t) = &r.tornado {
        for (cat, c) in t {
            let _ = writeln!(
                out,
                "\n{cat} ({}): B − A = {} (baseline {}); each change alone:",
                c.unit,
                format_number(c.mean_difference),
                format_number(c.baseline_difference)
            );
            let mut rows = vec![
                ["change", "mean Δ", "±se", "baseline Δ", "share of B − A"]
                    .map(String::from)
                    .to_vec(),
            ];
            for ch in &c.changes {
                rows.push(vec![
                    ch.change.clone(),
                    format_number(ch.mean_difference),
                    format_number(ch.mc_se),
                    format_number(ch.baseline_difference),
                    share(ch.mean_difference, c.mean_difference),
                ]);
            }
            rows.push(vec![
                "interaction".into(),
                format_number(c.interaction),
                "-".into(),
                "-".into(),
                share(c.interaction, c.mean_difference),
            ]);
            out.push_str(&render_aligned(&rows, false));
        }
    }
    out
}

fn share(part: f64, whole: f64) -> String {
    if whole == 0.0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part / whole)
    }
}
