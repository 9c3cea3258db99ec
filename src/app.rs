//! What each command does, as library calls; `main.rs` only prints and maps
//! errors to exit codes.

use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use indicatif::ProgressBar;
use serde::Serialize;

use crate::analyze::diagnostics::{WIDE_HALF_WIDTH, index_flags, series_flags};
use crate::cli::{BaselineArgs, Command, RunArgs, SamplerKind, SobolArgs, TornadoArgs};
use crate::engine;
use crate::model::{self, Model, Series};
use crate::report::{
    progress, table,
    write::{check_writable, write_atomically},
};
use crate::result::{
    RunResult, RunSettings, ScenarioInfo, SecondOrderIndex, SobolIndex, SobolResult, SobolSeries,
    SobolSettings, impacts,
};
use crate::sample::{LatinHypercube, MonteCarlo, PointSource, ScrambledSobol};
use crate::scenario::{Scenario, ScenarioError};

pub const DEFAULT_SAMPLES: u64 = 1_000_000;
pub const DEFAULT_SEED: u64 = 42;
pub const DEFAULT_LEVEL: f64 = 0.95;

#[derive(Debug)]
pub enum AppError {
    /// A scenario file is wrong (exit 2).
    Scenario(ScenarioError),
    /// A command-line value is wrong (exit 2).
    Input(String),
    /// The machine failed us: a file could not be written (exit 1).
    Io(String),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Scenario(e) => write!(f, "{e}"),
            AppError::Input(m) | AppError::Io(m) => write!(f, "{m}"),
        }
    }
}

impl From<ScenarioError> for AppError {
    fn from(e: ScenarioError) -> Self {
        AppError::Scenario(e)
    }
}

pub fn execute(command: Command) -> Result<String, AppError> {
    match command {
        Command::Run(args) => run(&args),
        Command::Check(args) => {
            let (_, model) = load(&args.scenario)?;
            Ok(table::factor_table(&model))
        }
        Command::Baseline(args) => baseline(&args),
        Command::Tornado(args) => tornado(&args),
        Command::Sobol(args) => sobol(&args),
        Command::Presets(args) => presets(args.name.as_deref()),
        Command::Completions(args) => crate::commands::completions::completions(&args),
        Command::Man(args) => crate::commands::man::man(&args),
    }
}

/// Refuses every output target that cannot be written before anything is
/// computed (exit 2: the path given is wrong, and nothing was run).
pub fn check_outputs(targets: &[(&str, Option<&Path>)]) -> Result<(), AppError> {
    for (option, path) in targets {
        if let Some(path) = path {
            check_writable(path).map_err(|why| {
                AppError::Input(format!(
                    "{option} {}: {why} (nothing was computed)",
                    path.display()
                ))
            })?;
        }
    }
    Ok(())
}

/// `ecoband presets [NAME]`: the catalogue, or one preset in full.
pub fn presets(name: Option<&str>) -> Result<String, AppError> {
    use crate::scenario::preset;
    let catalogue = preset::catalogue()?;
    let Some(name) = name else {
        return Ok(crate::report::presets::catalogue_table(&catalogue));
    };
    match preset::detail(name)? {
        Some(detail) => Ok(crate::report::presets::detail_table(&detail)),
        None => {
            let known: Vec<&str> = catalogue.iter().map(|p| p.name.as_str()).collect();
            Err(AppError::Input(format!(
                "unknown preset `{name}`; known presets: {} (`ecoband presets` lists them with their kind and description)",
                known.join(", ")
            )))
        }
    }
}

/// Loads, checks and compiles a scenario; refuses one whose deterministic
/// baseline is not a finite number (an overflow or 0/0 in the model).
pub fn load(path: &Path) -> Result<(Scenario, Model), AppError> {
    let scenario = Scenario::load(path)?;
    let model = model::compile(&scenario)?;
    let (baseline, _) = model.baseline();
    if let Some(j) = baseline.iter().position(|x| !x.is_finite()) {
        return Err(AppError::Input(format!(
            "{}: the baseline of {} is {} (an overflow or 0/0 in the model); check the magnitudes of the inputs",
            scenario.path,
            model.layout().series_name(j),
            baseline[j]
        )));
    }
    Ok((scenario, model))
}

/// Refuses a run in which some sample gave a non-finite output: the
/// statistics would silently be wrong.
fn check_finite(
    scenario: &Scenario,
    model: &Model,
    acc: &engine::Accumulated,
) -> Result<(), AppError> {
    let moments = &acc.moments;
    match (0..moments.mean.len())
        .find(|&j| !(moments.mean[j].is_finite() && moments.m2[j].is_finite()))
    {
        None => Ok(()),
        Some(j) => Err(AppError::Input(format!(
            "{}: some samples of {} are not finite numbers (an overflow or 0/0 in the model at extreme input values); check the ranges of the inputs",
            scenario.path,
            model.layout().series_name(j)
        ))),
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), AppError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| AppError::Io(format!("cannot serialise the result: {e}")))?;
    text.push('\n');
    write_atomically(path, text.as_bytes())
        .map_err(|e| AppError::Io(format!("{}: cannot write the result: {e}", path.display())))
}

/// Settings of a run: command line first, then the scenario, then defaults.
pub fn run_settings(args: &RunArgs, scenario: &Scenario) -> Result<(u64, u64, f64), AppError> {
    let samples = args
        .samples
        .or(scenario.settings.samples)
        .unwrap_or(DEFAULT_SAMPLES);
    let seed = args.seed.or(scenario.settings.seed).unwrap_or(DEFAULT_SEED);
    let level = args
        .level
        .or(scenario.settings.level)
        .unwrap_or(DEFAULT_LEVEL);
    if samples < 2 {
        return Err(AppError::Input(format!(
            "--samples {samples} is too few; a run needs at least 2 samples (1000000 is a good start)"
        )));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(AppError::Input(format!(
            "--level {level} is not allowed; it is a probability strictly between 0 and 1, e.g. 0.95"
        )));
    }
    Ok((samples, seed, level))
}

/// Runs long enough to be worth a progress bar: about a second and more.
const PROGRESS_FROM_SAMPLES: u64 = 2_000_000;

/// A progress bar on stderr for long runs at a terminal; hidden otherwise
/// (short runs, pipes, CI, tests, `--quiet`), so that output stays clean.
fn progress_bar(samples: u64) -> ProgressBar {
    if samples < PROGRESS_FROM_SAMPLES {
        return ProgressBar::hidden();
    }
    progress::bar(samples, "samples")
}

/// Runs the Monte Carlo simulation and builds the result.
pub fn simulate(
    scenario: &Scenario,
    model: &Model,
    samples: u64,
    seed: u64,
    level: f64,
    threads: usize,
) -> Result<RunResult, AppError> {
    let points = MonteCarlo::new(seed);
    let bar = progress_bar(samples);
    let acc = engine::run_with_progress(model, &points, samples, threads, &|done| {
        bar.set_position(done)
    })
    .map_err(|e| AppError::Io(format!("cannot start {threads} worker threads: {e}")))?;
    bar.finish_and_clear();
    check_finite(scenario, model, &acc)?;
    Ok(RunResult {
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(scenario),
        settings: RunSettings {
            samples,
            seed,
            sampler: points.name().to_string(),
            level,
            quantile_relative_error: crate::analyze::sketch::RELATIVE_ERROR,
        },
        impacts: impacts(model, &acc, level),
    })
}

fn run(args: &RunArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model) = load(&args.scenario)?;
    let (samples, seed, level) = run_settings(args, &scenario)?;
    let result = simulate(&scenario, &model, samples, seed, level, args.threads)?;
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::run_table(&result))
}

#[derive(Debug, Serialize)]
struct BaselineImpact {
    unit: String,
    total: f64,
    by_scope: IndexMap<String, f64>,
    by_tag: IndexMap<String, IndexMap<String, f64>>,
}

#[derive(Debug, Serialize)]
struct EnergyJson {
    it_kwh: f64,
    facility_kwh: f64,
    idle_kwh: f64,
}

#[derive(Debug, Serialize)]
struct BaselineResult {
    ecoband_version: String,
    scenario: ScenarioInfo,
    /// The footprint model's energy split (absent for a test function).
    #[serde(skip_serializing_if = "Option::is_none")]
    energy: Option<EnergyJson>,
    baseline: IndexMap<String, BaselineImpact>,
}

fn baseline(args: &BaselineArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model) = load(&args.scenario)?;
    let (outputs, split) = model.baseline();
    if let Some(out) = &args.out {
        let layout = model.layout();
        let mut baseline = IndexMap::new();
        for (c, cat) in layout.categories.iter().enumerate() {
            let mut by_tag: IndexMap<String, IndexMap<String, f64>> = IndexMap::new();
            for (t, (name, value)) in layout.tag_values.iter().enumerate() {
                by_tag
                    .entry(name.clone())
                    .or_default()
                    .insert(value.clone(), outputs[layout.index(c, Series::Tag(t))]);
            }
            baseline.insert(
                cat.id.to_string(),
                BaselineImpact {
                    unit: cat.unit.to_string(),
                    total: outputs[layout.index(c, Series::Total)],
                    by_scope: layout
                        .scopes
                        .iter()
                        .enumerate()
                        .map(|(s, name)| {
                            (name.to_string(), outputs[layout.index(c, Series::Scope(s))])
                        })
                        .collect(),
                    by_tag,
                },
            );
        }
        let result = BaselineResult {
            ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: ScenarioInfo::of(&scenario),
            energy: split.as_ref().map(|split| EnergyJson {
                it_kwh: split.it_kwh,
                facility_kwh: split.facility_kwh,
                idle_kwh: split.idle_kwh,
            }),
            baseline,
        };
        write_json(out, &result)?;
    }
    Ok(table::baseline_table(&model, &outputs, split.as_ref()))
}

#[derive(Debug, Serialize)]
struct TornadoSettings {
    low: f64,
    high: f64,
    baseline: String,
}

#[derive(Debug, Serialize)]
struct TornadoResult {
    ecoband_version: String,
    scenario: ScenarioInfo,
    settings: TornadoSettings,
    tornado: IndexMap<String, crate::tornado::CategoryTornado>,
}

fn tornado(args: &TornadoArgs) -> Result<String, AppError> {
    if !(args.low > 0.0 && args.low < args.high && args.high < 1.0) {
        return Err(AppError::Input(format!(
            "--low {} and --high {} are not allowed; they are probabilities with 0 < low < high < 1, e.g. 0.05 and 0.95",
            args.low, args.high
        )));
    }
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model) = load(&args.scenario)?;
    let bars = crate::tornado::tornado(&model, args.low, args.high, args.baseline);
    let result = TornadoResult {
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&scenario),
        settings: TornadoSettings {
            low: args.low,
            high: args.high,
            baseline: format!("{:?}", args.baseline).to_lowercase(),
        },
        tornado: model
            .layout()
            .categories
            .iter()
            .zip(bars)
            .map(|(c, t)| (c.id.to_string(), t))
            .collect(),
    };
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::tornado_table(
        &model.name,
        &result.tornado,
        args.low,
        args.high,
    ))
}

/// The smallest power of two ≥ max(n, the minimum base count).
pub fn base_count(n: u64) -> u64 {
    n.max(crate::sensitivity::MIN_BASE).next_power_of_two()
}

/// Second-order entries for factor pairs i < j, in row order.
fn second_order_entries(
    model: &Model,
    second: &[crate::sensitivity::Estimate],
) -> Vec<SecondOrderIndex> {
    let k = model.factors.len();
    let pairs = (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j)));
    pairs
        .zip(second)
        .map(|((i, j), e)| SecondOrderIndex {
            factors: [model.factors[i].name.clone(), model.factors[j].name.clone()],
            s2: e.value,
            s2_ci: [e.low, e.high],
        })
        .collect()
}

/// What a Sobol' analysis is asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolOptions {
    /// Base sample count: a power of two ≥ `sensitivity::MIN_BASE`.
    pub n_base: u64,
    pub seed: u64,
    pub level: f64,
    /// Worker threads (0 = all cores); does not change the result.
    pub threads: usize,
    pub second_order: bool,
    pub target: Option<PrecisionTarget>,
    pub sampler: SamplerKind,
    /// Independent randomisations of a sobol or lhs design (ignored by mc).
    pub replicates: u32,
}

/// Default number of independent randomisations of a sobol or lhs design.
pub const DEFAULT_REPLICATES: u32 = 8;

/// A precision target for `ecoband sobol --target-width`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionTarget {
    /// Largest accepted ST interval half-width.
    pub half_width: f64,
    /// Largest base sample count to double up to.
    pub max_n_base: u64,
}

/// The widest total-order interval half-width over every analysed output.
fn widest_st_half_width(run: &crate::sensitivity::SobolRun, level: f64) -> f64 {
    (0..run.outputs.len())
        .flat_map(|o| crate::sensitivity::estimates(run, o, level).total)
        .map(|e| (e.high - e.low) / 2.0)
        .fold(0.0, f64::max)
}

/// Runs a Sobol' analysis (doubling N up to the target's maximum until every
/// ST half-width is below the target, if one is given) and builds the result.
pub fn sensitivity_analysis(
    scenario: &Scenario,
    model: &Model,
    options: &SobolOptions,
) -> Result<SobolResult, AppError> {
    use crate::sensitivity::{
        BATCHES, Design, Estimate, SobolEstimates, analysed_outputs, estimates, extend, run,
    };
    let SobolOptions {
        n_base,
        seed,
        level,
        threads,
        second_order,
        target,
        sampler,
        replicates,
    } = *options;
    let dims = 2 * model.n_dims;
    let mc = MonteCarlo::new(seed);
    let replicated: Vec<Box<dyn PointSource>> = match sampler {
        SamplerKind::Mc => Vec::new(),
        SamplerKind::Sobol => (0..replicates)
            .map(|r| {
                ScrambledSobol::new(dims, seed, r)
                    .map(|s| Box::new(s) as Box<dyn PointSource>)
                    .map_err(|e| AppError::Input(e.to_string()))
            })
            .collect::<Result<_, _>>()?,
        SamplerKind::Lhs => (0..replicates)
            .map(|r| {
                LatinHypercube::new(dims, n_base, seed, r)
                    .map(|s| Box::new(s) as Box<dyn PointSource>)
                    .map_err(|e| AppError::Input(e.to_string()))
            })
            .collect::<Result<_, _>>()?,
    };
    let design = match sampler {
        SamplerKind::Mc => Design::MonteCarlo(&mc),
        _ => Design::Replicated(&replicated),
    };
    let pool_error = |e: rayon::ThreadPoolBuildError| {
        AppError::Io(format!("cannot start {threads} worker threads: {e}"))
    };
    let bar = progress::bar(0, "base samples");
    let show = |done, total| {
        if bar.length() != Some(total) {
            bar.reset();
            bar.set_length(total);
        }
        bar.set_position(done);
    };
    let mut sums = run(model, &design, n_base, second_order, threads, &show).map_err(pool_error)?;
    let mut reached = None;
    if let Some(t) = target {
        loop {
            if widest_st_half_width(&sums, level) <= t.half_width {
                reached = Some(true);
                break;
            }
            if 2 * sums.n_base > t.max_n_base {
                reached = Some(false);
                break;
            }
            sums = extend(model, &design, sums, threads, &show).map_err(pool_error)?;
        }
    }
    bar.finish_and_clear();
    let n_base = sums.n_base;
    let n_designs = match sampler {
        SamplerKind::Mc => 1,
        _ => u64::from(replicates),
    };
    let mut sobol: IndexMap<String, IndexMap<String, SobolSeries>> = IndexMap::new();
    for (o, (_, c, series)) in analysed_outputs(model).into_iter().enumerate() {
        let SobolEstimates {
            variance,
            first,
            total,
            second,
        } = estimates(&sums, o, level);
        let k = model.factors.len();
        let index = |name: &str, s1: &Estimate, st: &Estimate| SobolIndex {
            factor: name.to_string(),
            s1: s1.value,
            s1_ci: [s1.low, s1.high],
            st: st.value,
            st_ci: [st.low, st.high],
            flags: index_flags(s1, st),
        };
        let indices: Vec<SobolIndex> = model
            .factors
            .iter()
            .enumerate()
            .map(|(i, f)| index(&f.name, &first[i], &total[i]))
            .collect();
        let groups: Vec<SobolIndex> = model
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| index(&group.name, &first[k + g], &total[k + g]))
            .collect();
        let flags = series_flags(variance, &first[..k], &total[..k], n_base, WIDE_HALF_WIDTH);
        let name = match series {
            Series::Scope(s) => model.layout().scopes[s].to_string(),
            _ => "total".to_string(),
        };
        sobol
            .entry(model.layout().categories[c].id.to_string())
            .or_default()
            .insert(
                name,
                SobolSeries {
                    variance,
                    flags,
                    indices,
                    groups,
                    s2: second_order_entries(model, &second),
                },
            );
    }
    Ok(SobolResult {
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(scenario),
        settings: SobolSettings {
            n_base,
            replicates: (sampler != SamplerKind::Mc).then_some(replicates),
            evaluations: n_designs
                * n_base
                * ((model.factors.len() * (1 + usize::from(second_order)) + model.groups.len())
                    as u64
                    + 2),
            second_order,
            sampler: sampler.name().to_string(),
            seed,
            first_order: "Saltelli et al. 2010".into(),
            total_order: "Jansen 1999".into(),
            ci_method: match sampler {
                SamplerKind::Mc => {
                    format!("batch means: Student-t over {BATCHES} contiguous batches")
                }
                SamplerKind::Sobol => {
                    format!("randomised QMC: Student-t over {replicates} independent scramblings")
                }
                SamplerKind::Lhs => {
                    format!("Student-t over {replicates} independent Latin hypercubes")
                }
            },
            level,
            target_width: target.map(|t| t.half_width),
            target_reached: reached,
            widest_st_half_width: widest_st_half_width(&sums, level),
        },
        sobol,
    })
}

fn sobol(args: &SobolArgs) -> Result<String, AppError> {
    if !(args.level > 0.0 && args.level < 1.0) {
        return Err(AppError::Input(format!(
            "--level {} is not allowed; it is a probability strictly between 0 and 1, e.g. 0.95",
            args.level
        )));
    }
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model) = load(&args.scenario)?;
    let n_base = base_count(args.n_base);
    if n_base != args.n_base && !progress::quiet() {
        eprintln!(
            "note: --n-base {} rounded up to {n_base} (a power of two, at least {})",
            args.n_base,
            crate::sensitivity::MIN_BASE
        );
    }
    let seed = args.seed.or(scenario.settings.seed).unwrap_or(DEFAULT_SEED);
    let target = match args.target_width {
        None => None,
        Some(w) if w > 0.0 && w.is_finite() => Some(PrecisionTarget {
            half_width: w,
            max_n_base: base_count(args.max_n_base).max(n_base),
        }),
        Some(w) => {
            return Err(AppError::Input(format!(
                "--target-width {w} is not allowed; it is the largest accepted half-width of an ST interval, > 0 (e.g. 0.01)"
            )));
        }
    };
    let replicates = match (args.sampler, args.replicates) {
        (SamplerKind::Mc, Some(_)) => {
            return Err(AppError::Input(
                "--replicates applies to the sobol and lhs samplers; mc computes its intervals from 32 batches of one stream".into(),
            ));
        }
        (_, Some(r)) if r < 2 => {
            return Err(AppError::Input(format!(
                "--replicates {r} is not allowed; a Student-t interval needs at least 2 independent replicates (8 or more recommended)"
            )));
        }
        (_, r) => r.unwrap_or(DEFAULT_REPLICATES),
    };
    if args.sampler == SamplerKind::Lhs && target.is_some() {
        return Err(AppError::Input(
            "--target-width needs a design that can be extended: a Latin hypercube of N points is not part of one of 2N; use --sampler sobol (default) or mc".into(),
        ));
    }
    let options = SobolOptions {
        n_base,
        seed,
        level: args.level,
        threads: args.threads,
        second_order: args.second_order,
        target,
        sampler: args.sampler,
        replicates,
    };
    let result = sensitivity_analysis(&scenario, &model, &options)?;
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::sobol_table(&model.name, &result))
}
