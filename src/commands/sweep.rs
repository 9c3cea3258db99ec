//! `ecoband sweep SWEEP.toml [--out DIR]`: the base scenario run at every
//! point of a sweep file, all points on common random numbers (each
//! factor draws the uniforms of the base scenario's factor of the same
//! name), so that differences between points are the changes, not Monte
//! Carlo noise. One combined table (terminal, CSV, JSON) and each point's
//! full result.

use std::fmt::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyze::{Summary, summarize};
use crate::app::{
    AppError, DEFAULT_LEVEL, DEFAULT_SAMPLES, DEFAULT_SEED, overridden, progress_bar,
    refuse_no_effect, write_json,
};
use crate::cli::SweepArgs;
use crate::engine;
use crate::model::{Model, format_number};
use crate::paired::pair;
use crate::report::table::render_aligned;
use crate::report::write::write_atomically;
use crate::result::{RunResult, RunSettings, ScenarioInfo, impacts};
use crate::sample::KeyedMonteCarlo;
use crate::scenario::Scenario;
use crate::sweep::{Point, Sweep};

/// What the combined table keeps of each point and category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointImpact {
    pub unit: String,
    pub baseline: f64,
    pub mean: f64,
    pub median: f64,
    pub low: f64,
    pub high: f64,
    pub mc_se_mean: f64,
    pub mc_se_interval: [f64; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    pub name: String,
    pub overrides: Vec<String>,
    /// Each axis's label at this point (empty for a listed point).
    pub axes: indexmap::IndexMap<String, String>,
    /// The point's full result, relative to the output folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub impacts: indexmap::IndexMap<String, PointImpact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepInfo {
    pub name: String,
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSettings {
    pub samples: u64,
    pub seed: u64,
    pub sampler: String,
    pub level: f64,
    /// `--set` overrides of the base scenario, applied before each point's.
    pub overrides: Vec<String>,
    pub common_random_numbers: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    pub kind: String,
    pub ecoband_version: String,
    pub sweep: SweepInfo,
    pub scenario: ScenarioInfo,
    pub settings: SweepSettings,
    pub points: Vec<PointResult>,
}

/// The sampler of every point: Monte Carlo whose streams are keyed by the
/// base scenario's factor names (a point's statistics are those of
/// `compare`'s side B, not of `run` on the point's scenario).
pub const KEYED_MC: &str = "mc-keyed";

/// A point's name as a file name: letters, digits and `=,.-_` kept, any
/// other character replaced by `_`.
pub fn file_name(point: &str) -> String {
    let clean: String = point
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "=,.-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{clean}.json")
}

fn in_point(sweep: &Sweep, p: &Point, e: AppError) -> AppError {
    AppError::Input(format!("{}: point `{}`: {e}", sweep.path, p.name))
}

/// Creates `DIR/points` and checks `DIR` takes files, before anything is
/// computed (exit 2: the path given is wrong).
fn prepare_out(dir: &Path) -> Result<(), AppError> {
    let refuse = |why: String| {
        AppError::Input(format!(
            "--out {}: {why} (nothing was computed)",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir.join("points"))
        .map_err(|e| refuse(format!("cannot create the output folder: {e}")))?;
    crate::report::write::check_writable(&dir.join("sweep.json")).map_err(refuse)
}

/// Point file names, refused when two points' names clean to one file.
pub fn point_files(sweep: &Sweep) -> Result<Vec<String>, AppError> {
    let mut files: Vec<String> = Vec::new();
    for (i, p) in sweep.points.iter().enumerate() {
        let file = file_name(&p.name);
        if let Some(j) = files.iter().position(|f| *f == file) {
            return Err(AppError::Input(format!(
                "{}: points `{}` and `{}` would both be written to points/{file}; give them names that differ in letters or digits",
                sweep.path, sweep.points[j].name, sweep.points[i].name
            )));
        }
        files.push(file);
    }
    Ok(files)
}

/// A sweep checked and compiled: the base scenario and every point's
/// scenario and model, with the settings every point runs with.
pub struct Prepared {
    pub sweep: Sweep,
    /// Each point's file under `points/`.
    pub files: Vec<String>,
    base: Scenario,
    base_model: Model,
    points: Vec<(Scenario, Model)>,
    samples: u64,
    seed: u64,
    level: f64,
}

/// Loads the sweep and its scenario, applies `--set` to the base and each
/// point's overrides after it, and refuses anything wrong before anything
/// runs or is written.
pub fn prepare(args: &SweepArgs) -> Result<Prepared, AppError> {
    let sweep = Sweep::load(&args.sweep)?;
    let files = point_files(&sweep)?;
    let file = Scenario::load(&sweep.scenario)
        .map_err(|e| AppError::Input(format!("{}: the sweep's scenario: {e}", sweep.path)))?;
    // `--set` changes the base: every point starts from it.
    let base_sets = crate::app::parse_overrides(&args.overrides.set)?;
    let (base, base_model, notes) = overridden(&file, &base_sets)?;
    for note in notes {
        eprintln!("note: {note}");
    }
    let samples = args
        .samples
        .or(sweep.samples)
        .or(base.settings.samples)
        .unwrap_or(DEFAULT_SAMPLES);
    let seed = args
        .seed
        .or(sweep.seed)
        .or(base.settings.seed)
        .unwrap_or(DEFAULT_SEED);
    let level = args
        .level
        .or(sweep.level)
        .or(base.settings.level)
        .unwrap_or(DEFAULT_LEVEL);
    if samples < 2 || !(level > 0.0 && level < 1.0) {
        return Err(AppError::Input(format!(
            "samples {samples} and level {level}: a sweep needs at least 2 samples per point and a level strictly between 0 and 1"
        )));
    }
    let mut compiled = Vec::with_capacity(sweep.points.len());
    let mut no_effect = Vec::new();
    for p in &sweep.points {
        let all: Vec<_> = base_sets.iter().chain(&p.overrides).cloned().collect();
        let (s, m, _) = overridden(&file, &all).map_err(|e| in_point(&sweep, p, e))?;
        if !args.overrides.allow_no_effect
            && let Err(e) = refuse_no_effect(&base, &p.overrides, &m)
        {
            no_effect.push((p, e));
        }
        compiled.push((s, m));
    }
    // A grid axis usually passes through the base scenario's own value;
    // that point is the reference, not a mistake. A grid all of whose
    // points change nothing, or a listed point that does not, is refused.
    let grid_points = sweep.points.iter().filter(|p| !p.labels.is_empty()).count();
    let grid_refused = no_effect
        .iter()
        .filter(|(p, _)| !p.labels.is_empty())
        .count();
    if let Some((p, e)) = no_effect
        .into_iter()
        .find(|(p, _)| p.labels.is_empty() || grid_refused == grid_points)
    {
        return Err(in_point(&sweep, p, e));
    }
    Ok(Prepared {
        sweep,
        files,
        base,
        base_model,
        points: compiled,
        samples,
        seed,
        level,
    })
}

pub fn sweep(args: &SweepArgs) -> Result<String, AppError> {
    let prepared = prepare(args)?;
    if let Some(i) = args.point {
        return one_point(&prepared, i, args);
    }
    let dir = args.out.as_deref();
    if let Some(dir) = dir {
        prepare_out(dir)?;
    }
    let points = if args.collect {
        let dir = dir.expect("clap requires --out with --collect");
        collect_points(&prepared, dir)?
    } else {
        run_points(&prepared, args)?
    };
    let result = combined(&prepared, points);
    if let Some(dir) = dir {
        write_csv(&dir.join("sweep.csv"), &prepared.sweep, &result)?;
        write_json(&dir.join("sweep.json"), &result)?;
    }
    Ok(sweep_table(&result))
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, AppError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| AppError::Io(format!("cannot start {threads} worker threads: {e}")))
}

/// Point `i` on common random numbers: its full result.
fn point_run(
    prepared: &Prepared,
    i: usize,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, AppError> {
    let (scenario, model) = &prepared.points[i];
    let keys = pair(&prepared.base_model, model).keys_b;
    let source = KeyedMonteCarlo::new(prepared.seed, keys);
    let acc = engine::run_in(pool, model, &source, prepared.samples, progress);
    point_result(
        scenario,
        model,
        &acc,
        (prepared.samples, prepared.seed, prepared.level),
    )
    .map_err(|e| in_point(&prepared.sweep, &prepared.sweep.points[i], e))
}

/// What the combined table keeps of point `i`'s result.
fn point_row(
    prepared: &Prepared,
    i: usize,
    result: &RunResult,
    file: Option<String>,
) -> PointResult {
    let p = &prepared.sweep.points[i];
    PointResult {
        name: p.name.clone(),
        overrides: prepared.points[i].0.overrides.clone(),
        axes: p.labels.iter().cloned().collect(),
        file,
        impacts: result
            .impacts
            .iter()
            .map(|(cat, i)| (cat.clone(), point_impact(&i.unit, &i.total)))
            .collect(),
    }
}

fn run_points(prepared: &Prepared, args: &SweepArgs) -> Result<Vec<PointResult>, AppError> {
    let pool = pool(args.threads)?;
    let samples = prepared.samples;
    let bar = progress_bar(samples * prepared.points.len() as u64);
    let mut points = Vec::with_capacity(prepared.points.len());
    for i in 0..prepared.points.len() {
        let done_before = i as u64 * samples;
        let result = point_run(prepared, i, &pool, &|done| {
            bar.set_position(done_before + done)
        })?;
        let file = match &args.out {
            None => None,
            Some(dir) => {
                let name = format!("points/{}", prepared.files[i]);
                write_json(&dir.join(&name), &result)?;
                Some(name)
            }
        };
        points.push(point_row(prepared, i, &result, file));
    }
    bar.finish_and_clear();
    Ok(points)
}

/// `--point I`: one point's full result, written where the whole sweep
/// writes it.
fn one_point(prepared: &Prepared, i: usize, args: &SweepArgs) -> Result<String, AppError> {
    let n = prepared.points.len();
    if i >= n {
        return Err(AppError::Input(format!(
            "--point {i} is not allowed; {} has {n} points, numbered 0 to {}",
            prepared.sweep.path,
            n - 1
        )));
    }
    let dir = args
        .out
        .as_deref()
        .expect("clap requires --out with --point");
    prepare_out(dir)?;
    let bar = progress_bar(prepared.samples);
    let result = point_run(prepared, i, &pool(args.threads)?, &|done| {
        bar.set_position(done)
    })?;
    bar.finish_and_clear();
    let name = format!("points/{}", prepared.files[i]);
    write_json(&dir.join(&name), &result)?;
    Ok(format!(
        "{}: point {i} of {n} (`{}`) written to {}\n",
        prepared.sweep.name,
        prepared.sweep.points[i].name,
        dir.join(&name).display()
    ))
}

/// `--collect`: every point's result read back from `DIR/points/`, each
/// checked to be that point of this sweep with these settings.
fn collect_points(prepared: &Prepared, dir: &Path) -> Result<Vec<PointResult>, AppError> {
    let mut points = Vec::with_capacity(prepared.points.len());
    let mut missing = Vec::new();
    for (i, (scenario, _)) in prepared.points.iter().enumerate() {
        let name = format!("points/{}", prepared.files[i]);
        let path = dir.join(&name);
        let refuse = |why: String| {
            AppError::Input(format!(
                "--collect: {}: {why}; rerun it with `ecoband sweep {} --point {i} --out {}` and the options the other points were computed with (-n, --seed, --level, --set) (nothing was written)",
                path.display(),
                prepared.sweep.path,
                dir.display()
            ))
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(i.to_string());
                continue;
            }
            Err(e) => return Err(refuse(format!("cannot read it: {e}"))),
        };
        let result: RunResult = serde_json::from_str(&text).map_err(|e| {
            refuse(format!(
                "not a point's result (truncated or corrupted: {e})"
            ))
        })?;
        let s = &result.settings;
        if result.kind != "run"
            || result.scenario != ScenarioInfo::of(scenario)
            || s.overrides != scenario.overrides
            || (s.samples, s.seed, s.level) != (prepared.samples, prepared.seed, prepared.level)
            || s.sampler != KEYED_MC
            || result.ecoband_version != env!("CARGO_PKG_VERSION")
        {
            return Err(refuse(format!(
                "it is not point `{}` of this sweep with these settings (scenario, overrides, samples, seed, level or ecoband version differ)",
                prepared.sweep.points[i].name
            )));
        }
        points.push(point_row(prepared, i, &result, Some(name)));
    }
    if !missing.is_empty() {
        let (what, how) = if missing.len() == 1 {
            ("point", format!("--point {}", missing[0]))
        } else {
            ("points", "--point I".to_string())
        };
        return Err(AppError::Input(format!(
            "--collect: {}: {what} {} missing (nothing was written); compute {} with `ecoband sweep {} {how} --out {}` and the options the other points were computed with (-n, --seed, --level, --set)",
            dir.join("points").display(),
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "each" },
            prepared.sweep.path,
            dir.display()
        )));
    }
    Ok(points)
}

fn combined(prepared: &Prepared, points: Vec<PointResult>) -> SweepResult {
    let sweep = &prepared.sweep;
    SweepResult {
        kind: "sweep".into(),
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        sweep: SweepInfo {
            name: sweep.name.clone(),
            path: sweep.path.clone(),
            sha256: sweep.sha256.clone(),
        },
        scenario: ScenarioInfo::of(&prepared.base),
        settings: SweepSettings {
            samples: prepared.samples,
            seed: prepared.seed,
            sampler: KEYED_MC.into(),
            level: prepared.level,
            overrides: prepared.base.overrides.clone(),
            common_random_numbers: "by factor name: every point's factor takes the random numbers of the base scenario's factor of the same name".into(),
        },
        points,
    }
}

fn point_result(
    scenario: &Scenario,
    model: &Model,
    acc: &engine::Accumulated,
    (samples, seed, level): (u64, u64, f64),
) -> Result<RunResult, AppError> {
    let (baseline, _) = model.baseline();
    let m = &acc.moments;
    if let Some(j) = (0..m.mean.len()).find(|&j| !(m.mean[j].is_finite() && m.m2[j].is_finite())) {
        return Err(AppError::Input(format!(
            "some samples of {} are not finite numbers; check the ranges of the inputs",
            model.layout().series_name(j)
        )));
    }
    Ok(RunResult {
        kind: "run".into(),
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(scenario),
        settings: RunSettings {
            samples,
            seed,
            sampler: KEYED_MC.into(),
            replicates: None,
            level,
            quantile_relative_error: crate::analyze::sketch::RELATIVE_ERROR,
            overrides: scenario.overrides.clone(),
            precision: None,
        },
        impacts: impacts(
            model,
            |j| summarize(&acc.moments, j, &acc.sketches[j], baseline[j], level),
            &acc.sketches,
            |_, _| Vec::new(),
        ),
        exceedances: Vec::new(),
    })
}

fn point_impact(unit: &str, s: &Summary) -> PointImpact {
    PointImpact {
        unit: unit.to_string(),
        baseline: s.baseline,
        mean: s.mean,
        median: s.median,
        low: s.interval.low,
        high: s.interval.high,
        mc_se_mean: s.mc_se_mean,
        mc_se_interval: s.mc_se_interval,
    }
}

/// One row per point and category, a column per axis (tidy: pandas and R
/// read it with their defaults and can pivot on the axes).
fn write_csv(path: &Path, sweep: &Sweep, result: &SweepResult) -> Result<(), AppError> {
    let fail =
        |e: csv::Error| AppError::Io(format!("{}: cannot write the table: {e}", path.display()));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(sweep.axes.iter().map(|a| a.name.clone()));
    header.extend(
        [
            "overrides",
            "category",
            "unit",
            "baseline",
            "mean",
            "median",
            "low",
            "high",
            "level",
            "mc_se_mean",
            "mc_se_low",
            "mc_se_high",
        ]
        .map(String::from),
    );
    w.write_record(&header).map_err(fail)?;
    for p in &result.points {
        for (cat, i) in &p.impacts {
            let mut row = vec![p.name.clone()];
            row.extend(
                sweep
                    .axes
                    .iter()
                    .map(|a| p.axes.get(&a.name).cloned().unwrap_or_default()),
            );
            // Values may hold spaces (`{ dist = … }`), not `; `.
            row.push(p.overrides.join("; "));
            row.push(cat.clone());
            row.push(i.unit.clone());
            row.extend(
                [
                    i.baseline,
                    i.mean,
                    i.median,
                    i.low,
                    i.high,
                    result.settings.level,
                    i.mc_se_mean,
                    i.mc_se_interval[0],
                    i.mc_se_interval[1],
                ]
                .map(|x| x.to_string()),
            );
            w.write_record(&row).map_err(fail)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Io(format!("{}: cannot write the table: {e}", path.display())))?;
    write_atomically(path, &bytes)
        .map_err(|e| AppError::Io(format!("{}: cannot write the table: {e}", path.display())))
}

fn sweep_table(r: &SweepResult) -> String {
    let s = &r.settings;
    let mut out = format!(
        "{} — sweep of {} ({} points × {} samples, seed {}, common random numbers), {:.0}% central intervals\n\n",
        r.sweep.name,
        r.scenario.name,
        r.points.len(),
        s.samples,
        s.seed,
        100.0 * s.level
    );
    let mut rows = vec![
        [
            "point", "impact", "unit", "baseline", "mean", "±se", "median", "interval",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in &r.points {
        for (cat, i) in &p.impacts {
            rows.push(vec![
                p.name.clone(),
                cat.clone(),
                i.unit.clone(),
                format_number(i.baseline),
                format_number(i.mean),
                format_number(i.mc_se_mean),
                format_number(i.median),
                format!("[{}, {}]", format_number(i.low), format_number(i.high)),
            ]);
        }
    }
    out.push_str(&render_aligned(&rows, false));
    let _ = writeln!(
        out,
        "\nEach point's factors draw the base scenario's random numbers by name, so differences between points are the changes, not Monte Carlo noise."
    );
    out
}
