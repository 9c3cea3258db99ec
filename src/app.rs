//! What each command does, as library calls; `main.rs` only prints and maps
//! errors to exit codes.

use std::fmt;
use std::path::Path;

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::cli::{Command, RunArgs};
use crate::commands;
use crate::engine;
use crate::model::{self, Model};
use crate::report::{table, write::write_atomically};
use crate::result::{RunResult, RunSettings, ScenarioInfo, impacts};
use crate::sample::{MonteCarlo, PointSource};
use crate::scenario::{Scenario, ScenarioError};

pub use commands::sobol::{
    DEFAULT_REPLICATES, PrecisionTarget, SobolOptions, base_count, sensitivity_analysis,
};

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
        Command::Check(args) => commands::check::check(&args),
        Command::Baseline(args) => commands::baseline::baseline(&args),
        Command::Tornado(args) => commands::tornado::tornado(&args),
        Command::Sobol(args) => commands::sobol::sobol(&args),
        Command::Presets(args) => commands::presets::presets(args.name.as_deref()),
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

pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), AppError> {
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
/// (pipes, CI, tests), so that output stays clean.
fn progress_bar(samples: u64) -> ProgressBar {
    if samples < PROGRESS_FROM_SAMPLES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(samples);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} samples, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
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
    let (scenario, model) = load(&args.scenario)?;
    let (samples, seed, level) = run_settings(args, &scenario)?;
    let result = simulate(&scenario, &model, samples, seed, level, args.threads)?;
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::run_table(&result))
}
