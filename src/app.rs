//! What each command does, as library calls; `main.rs` only prints and maps
//! errors to exit codes.

use std::fmt;
use std::path::Path;

use indicatif::ProgressBar;
use serde::Serialize;

use crate::cli::{Command, OverrideArgs};
use crate::commands;
use crate::engine;
use crate::model::{self, Model};
use crate::report::{
    progress,
    write::{check_writable, write_atomically},
};
use crate::result::RunResult;
use crate::scenario::overrides::{self, Override};
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
    /// The command ran and its answer fails the gate the user set, e.g.
    /// `claim --fail-outside` (exit 3): `report` is still printed.
    Outside { report: String, reason: String },
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Scenario(e) => write!(f, "{e}"),
            AppError::Input(m) | AppError::Io(m) => write!(f, "{m}"),
            AppError::Outside { reason, .. } => write!(f, "{reason}"),
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
        Command::Run(args) => commands::run::run(&args),
        Command::Claim(args) => commands::claim::claim(&args),
        Command::Check(args) => commands::check::check(&args),
        Command::Compare(args) => commands::compare::compare(&args),
        Command::Sweep(args) => commands::sweep::sweep(&args),
        Command::Merge(args) => commands::merge::merge(&args),
        Command::Slurm(args) => commands::slurm::slurm(&args.command),
        Command::Baseline(args) => commands::baseline::baseline(&args),
        Command::Tornado(args) => commands::tornado::tornado(&args),
        Command::Sobol(args) => commands::sobol::sobol(&args),
        Command::Report(args) => commands::report::report(&args),
        Command::Inventory(args) => commands::inventory::inventory(&args.command),
        Command::Presets(args) => commands::presets::presets(args.name.as_deref()),
        Command::Completions(args) => commands::completions::completions(&args),
        Command::Man(args) => commands::man::man(&args),
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

/// Loads, checks and compiles a scenario; refuses one whose deterministic
/// baseline is not a finite number (an overflow or 0/0 in the model).
pub fn load(path: &Path) -> Result<(Scenario, Model), AppError> {
    let scenario = Scenario::load(path)?;
    let model = model::compile(&scenario)?;
    finite_baseline(&scenario, &model)?;
    Ok((scenario, model))
}

/// `load` with the `--set` overrides of the command line applied (notes on
/// what they dropped go to stderr). An override that changes no output is
/// refused unless `--allow-no-effect`: a what-if that silently changes
/// nothing would be read as "this assumption does not matter".
pub fn load_with(path: &Path, args: &OverrideArgs) -> Result<(Scenario, Model), AppError> {
    if args.set.is_empty() {
        return load(path);
    }
    let base = Scenario::load(path)?;
    let overrides = parse_overrides(&args.set)?;
    let (scenario, model, notes) = overridden(&base, &overrides)?;
    for note in notes {
        eprintln!("note: {note}");
    }
    if !args.allow_no_effect {
        refuse_no_effect(&base, &overrides, &model)?;
    }
    Ok((scenario, model))
}

pub fn parse_overrides(args: &[String]) -> Result<Vec<Override>, AppError> {
    args.iter()
        .map(|a| Override::parse(a).map_err(AppError::Input))
        .collect()
}

/// A scenario with overrides applied and compiled; errors and factor lines
/// refer to the file as written (or to the `--set` that wrote them).
pub fn overridden(
    base: &Scenario,
    overrides: &[Override],
) -> Result<(Scenario, Model, Vec<String>), AppError> {
    if overrides.is_empty() {
        let model = model::compile(base)?;
        finite_baseline(base, &model)?;
        return Ok((base.clone(), model, Vec::new()));
    }
    let applied = overrides::apply(base, overrides)?;
    let mut model = model::compile(&applied.scenario).map_err(|e| applied.map_error(e))?;
    let no_effect = model.no_effect.iter_mut().map(|n| &mut n.factor);
    for f in model.factors.iter_mut().chain(no_effect) {
        f.line = applied.original_line(f.line).unwrap_or(0);
    }
    for c in &mut model.constants {
        c.line = applied.original_line(c.line).unwrap_or(0);
    }
    for d in &mut model.derived {
        d.line = applied.original_line(d.line).unwrap_or(0);
    }
    finite_baseline(&applied.scenario, &model)?;
    Ok((applied.scenario, model, applied.notes))
}

/// Refuses each override without which the outputs are bit-identical.
pub(crate) fn refuse_no_effect(
    base: &Scenario,
    overrides: &[Override],
    model: &Model,
) -> Result<(), AppError> {
    for (i, o) in overrides.iter().enumerate() {
        // `[settings]` (samples, seed, level) change how a scenario is run,
        // not its outputs' distribution: never "no effect".
        if o.canonical().starts_with("settings.") {
            continue;
        }
        let others: Vec<Override> = overrides
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| o.clone())
            .collect();
        // Without it the scenario may not even be valid: then it counts.
        let Ok((_, without, _)) = overridden(base, &others) else {
            continue;
        };
        if crate::paired::same_outputs(&without, model, DEFAULT_SEED) {
            return Err(AppError::Input(no_effect_message(
                base,
                o,
                &overrides[i + 1..],
            )));
        }
    }
    Ok(())
}

fn no_effect_message(base: &Scenario, o: &Override, later: &[Override]) -> String {
    // A later preset swap of the same section drops what was set before it.
    let canonical = o.canonical();
    if let Some(swap) = later.iter().find(|l| {
        let c = l.canonical();
        c.split_once('=').is_some_and(|(k, _)| {
            k.strip_suffix(".preset")
                .is_some_and(|section| canonical.starts_with(&format!("{section}.")))
        })
    }) {
        return format!(
            "{o} changes no output: the later {swap} replaces the whole section and drops it; give the preset swap first, then the values to change"
        );
    }
    let applies_pue = match &base.model {
        crate::scenario::ModelSpec::Footprint(f) => f.conventions.apply_pue,
        crate::scenario::ModelSpec::TestFunction(_) => true,
    };
    let reason = if o.canonical().starts_with("datacenter.") && !applies_pue {
        "the scenario sets `[conventions] apply_pue = false` (its energy is IT energy, as the study counted it), so no output is multiplied by the PUE; add `--set conventions.apply_pue=true` to count it".to_string()
    } else {
        format!(
            "no output depends on this value here: every impact is bit-identical without it, at the nominal values and on {} paired samples (a value the model does not use, such as a `load` on a profile with a fixed `gpu_power_w`, or the value the scenario already has)",
            crate::paired::EFFECT_SAMPLES
        )
    };
    format!("{o} changes no output: {reason}; pass --allow-no-effect to run it anyway")
}

fn finite_baseline(scenario: &Scenario, model: &Model) -> Result<(), AppError> {
    let (baseline, _) = model.baseline();
    if let Some(j) = baseline.iter().position(|x| !x.is_finite()) {
        return Err(AppError::Input(format!(
            "{}: the baseline of {} is {} (an overflow or 0/0 in the model); check the magnitudes of the inputs",
            scenario.path,
            model.layout().series_name(j),
            baseline[j]
        )));
    }
    Ok(())
}

/// Refuses a run in which some sample gave a non-finite output: the
/// statistics would silently be wrong.
pub(crate) fn check_finite(
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

/// Runs long enough to be worth a progress bar: about a second and more.
const PROGRESS_FROM_SAMPLES: u64 = 2_000_000;

/// A progress bar on stderr for long runs at a terminal; hidden otherwise
/// (short runs, pipes, CI, tests, `--quiet`), so that output stays clean.
pub(crate) fn progress_bar(samples: u64) -> ProgressBar {
    if samples < PROGRESS_FROM_SAMPLES {
        return ProgressBar::hidden();
    }
    progress::bar(samples, "samples")
}

/// Runs the Monte Carlo simulation with the default statistics and builds
/// the result (`commands::run::simulate` takes every option).
pub fn simulate(
    scenario: &Scenario,
    model: &Model,
    samples: u64,
    seed: u64,
    level: f64,
    threads: usize,
) -> Result<RunResult, AppError> {
    commands::run::simulate(
        scenario,
        model,
        &commands::run::RunOptions::monte_carlo(samples, seed, level, threads),
    )
}
