//! `ecoband run`: a Monte Carlo or randomised-QMC run of a scenario, with
//! exact exceedance counts, extra quantiles, the baseline's percentile and
//! an optional precision target.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::analyze::proportion::Proportion;
use crate::analyze::summary::{quantile_list, summarize_with};
use crate::analyze::{Summary, Threshold, ThresholdPlan};
use crate::app::{
    AppError, DEFAULT_LEVEL, DEFAULT_SAMPLES, DEFAULT_SEED, check_outputs, load_with, progress_bar,
    write_json,
};
use crate::cli::{RunArgs, SamplerKind, SamplingArgs};
use crate::engine::{self, Accumulated, CHUNK};
use crate::model::outputs::split_quantity;
use crate::model::{Model, Series};
use crate::report::table;
use crate::result::{
    Checkpoint, Exceedance, PrecisionOutcome, RunResult, RunSettings, ScenarioInfo, impacts,
};
use crate::sample::{LatinHypercube, MonteCarlo, PointSource, ScrambledSobol};
use crate::scenario::Scenario;

use super::run_samples;
use super::sobol::DEFAULT_REPLICATES;

/// Everything a run is asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Samples over all replicates (a randomised design rounds its
    /// per-replicate count up to a power of two).
    pub samples: u64,
    pub seed: u64,
    pub level: f64,
    /// Worker threads (0 = all cores); does not change the result.
    pub threads: usize,
    pub sampler: SamplerKind,
    /// Independent randomisations of a sobol or lhs design (ignored by mc).
    pub replicates: u32,
    /// Quantiles reported besides the default ones.
    pub extra_quantiles: Vec<f64>,
    pub exceed: Vec<ExceedSpec>,
    pub precision: Option<RelativePrecision>,
    /// Output series, besides the category totals, whose baseline
    /// percentile is counted (`claim` on a scope or tag value).
    pub percentile_of: Vec<usize>,
}

impl RunOptions {
    /// Plain Monte Carlo with the default statistics.
    pub fn monte_carlo(samples: u64, seed: u64, level: f64, threads: usize) -> Self {
        RunOptions {
            samples,
            seed,
            level,
            threads,
            sampler: SamplerKind::Mc,
            replicates: 1,
            extra_quantiles: Vec::new(),
            exceed: Vec::new(),
            precision: None,
            percentile_of: Vec::new(),
        }
    }
}

/// `--precision`: double N until every impact total's mean and interval
/// bounds have a relative MC error below `target`, or N would pass
/// `max_samples`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelativePrecision {
    pub target: f64,
    pub max_samples: u64,
}

/// One `--exceed OUTPUT=VALUE`: output series and threshold in its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedSpec {
    pub given: String,
    pub series: usize,
    pub threshold: f64,
}

/// Reads `OUTPUT=VALUE[UNIT]` against the model's outputs.
pub fn parse_exceed(model: &Model, text: &str) -> Result<ExceedSpec, AppError> {
    let fail = |why: String| AppError::Input(format!("--exceed {text}: {why}"));
    let (key, value) = text.split_once('=').ok_or_else(|| {
        fail("expected OUTPUT=VALUE, e.g. gwp=60t or water=30m3 (units accepted)".into())
    })?;
    let series = model.layout().find_series(key.trim()).map_err(fail)?;
    let threshold = quantity(model, series, value, None).map_err(fail)?;
    Ok(ExceedSpec {
        given: text.to_string(),
        series,
        threshold,
    })
}

/// A value with its unit glued on (`60t`) or given apart (`unit`),
/// converted to output `series`' unit.
pub fn quantity(
    model: &Model,
    series: usize,
    value: &str,
    unit: Option<&str>,
) -> Result<f64, String> {
    let (x, glued) = split_quantity(value).ok_or_else(|| {
        format!("`{value}` is not a number with an optional unit, e.g. 60t, 30m3 or 1.5e5")
    })?;
    let unit = match (unit, glued) {
        (Some(u), "") => u,
        (Some(u), g) if u != g => {
            return Err(format!(
                "`{value}` carries the unit `{g}` but --unit says `{u}`; give one"
            ));
        }
        (_, g) => g,
    };
    if x < 0.0 {
        return Err(format!(
            "`{value}` is negative; impacts are never below 0, so give a value of 0 or more"
        ));
    }
    let layout = model.layout();
    let (category, _) = layout.category_and_series(series);
    Ok(x * category.unit_factor(unit)?)
}

/// Settings from the command line, then the scenario, then the defaults;
/// each checked.
pub fn options(args: &SamplingArgs, scenario: &Scenario) -> Result<RunOptions, AppError> {
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
    let replicates = match (args.sampler, args.replicates) {
        (SamplerKind::Mc, Some(r)) => {
            return Err(AppError::Input(format!(
                "--replicates {r} applies to --sampler sobol or lhs; plain Monte Carlo's errors come from its N independent samples"
            )));
        }
        (SamplerKind::Mc, None) => 1,
        (_, Some(r)) if r < 2 => {
            return Err(AppError::Input(format!(
                "--replicates {r} is too few; at least 2 independent randomisations give an error estimate (8 is the default, 16 or more give tighter intervals)"
            )));
        }
        (_, r) => r.unwrap_or(DEFAULT_REPLICATES),
    };
    if samples < u64::from(replicates) {
        return Err(AppError::Input(format!(
            "--samples {samples} is fewer than the {replicates} replicates; give at least one sample per replicate"
        )));
    }
    Ok(RunOptions {
        samples,
        seed,
        level,
        threads: args.threads,
        sampler: args.sampler,
        replicates,
        extra_quantiles: Vec::new(),
        exceed: Vec::new(),
        precision: None,
        percentile_of: Vec::new(),
    })
}

pub fn run(args: &RunArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let samples_out = run_samples::request(args)?;
    let (scenario, model, opts) = prepare(args)?;
    if let Some(shard) = &args.shard {
        return run_shard(&scenario, &model, &opts, shard, args);
    }
    if let Some(request) = &samples_out {
        request.check_size(&model, run_samples::most_samples(&model, &opts)?)?;
    }
    let result = simulate(&scenario, &model, &opts)?;
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    let mut text = table::with_overrides(table::run_table(&result), &scenario.overrides);
    if let Some(request) = &samples_out {
        text.push_str(&run_samples::write(
            request, &scenario, &model, &opts, &result,
        )?);
    }
    Ok(text)
}

/// Everything `run` checks before it computes: the scenario with its
/// overrides, and every option (`slurm run` checks a job's arguments with
/// it on the login node).
pub fn prepare(args: &RunArgs) -> Result<(Scenario, Model, RunOptions), AppError> {
    for q in &args.quantiles {
        if !(*q > 0.0 && *q < 1.0) {
            return Err(AppError::Input(format!(
                "--quantiles {q} is not allowed; each is a probability strictly between 0 and 1, e.g. 0.01,0.99"
            )));
        }
    }
    let (scenario, model) = load_with(&args.scenario, &args.overrides)?;
    let mut opts = options(&args.sampling, &scenario)?;
    opts.extra_quantiles = args.quantiles.clone();
    opts.exceed = args
        .exceed
        .iter()
        .map(|e| parse_exceed(&model, e))
        .collect::<Result<_, _>>()?;
    if let Some(target) = args.precision {
        opts.precision = Some(precision(target, args.max_samples, &opts)?);
    }
    Ok((scenario, model, opts))
}

fn precision(
    target: f64,
    max_samples: u64,
    opts: &RunOptions,
) -> Result<RelativePrecision, AppError> {
    // Below twice the sketch's resolution the interval bounds' errors are
    // read off neighbouring bins and the target means nothing.
    let finest = 2.0 * crate::analyze::sketch::RELATIVE_ERROR;
    if !(target >= finest && target < 1.0) {
        return Err(AppError::Input(format!(
            "--precision {target} is not allowed; it is a relative error from {finest:.6} (twice the quantile sketch's resolution) to below 1, e.g. 0.001"
        )));
    }
    if opts.sampler == SamplerKind::Lhs {
        return Err(AppError::Input(
            "--precision cannot extend a Latin hypercube (a hypercube of 2N points is not one of N points and N more); use --sampler sobol or mc"
                .into(),
        ));
    }
    if max_samples < opts.samples {
        return Err(AppError::Input(format!(
            "--max-samples {max_samples} is below --samples {}; it is the largest count --precision may reach",
            opts.samples
        )));
    }
    Ok(RelativePrecision {
        target,
        max_samples,
    })
}

/// The point sources of a run (one for Monte Carlo, one per replicate for a
/// randomised design) and the samples each draws.
pub(crate) struct Design {
    pub sources: Vec<Box<dyn PointSource>>,
    pub per_source: u64,
    pub name: &'static str,
}

pub(crate) fn design(model: &Model, opts: &RunOptions) -> Result<Design, AppError> {
    let dims = model.n_dims;
    let r = u64::from(opts.replicates);
    // `--precision` doubles whole power-of-two blocks of chunks, which the
    // merge tree of a single run of the final size also has as subtrees.
    let whole_chunks = |n: u64| {
        if opts.precision.is_some() {
            n.div_ceil(CHUNK).next_power_of_two() * CHUNK
        } else {
            n
        }
    };
    let invalid = |e: String| AppError::Input(e);
    Ok(match opts.sampler {
        SamplerKind::Mc => Design {
            sources: vec![Box::new(MonteCarlo::new(opts.seed))],
            per_source: whole_chunks(opts.samples),
            name: "mc",
        },
        // Sobol' points balance best in power-of-two blocks; a Latin
        // hypercube here takes a power-of-two size.
        SamplerKind::Sobol => {
            let n = whole_chunks(opts.samples.div_ceil(r).next_power_of_two());
            Design {
                sources: (0..opts.replicates)
                    .map(|i| {
                        ScrambledSobol::new(dims, opts.seed, i)
                            .map(|s| Box::new(s) as Box<dyn PointSource>)
                            .map_err(|e| invalid(e.to_string()))
                    })
                    .collect::<Result<_, _>>()?,
                per_source: n,
                name: "sobol",
            }
        }
        SamplerKind::Lhs => {
            let n = opts.samples.div_ceil(r).next_power_of_two();
            Design {
                sources: (0..opts.replicates)
                    .map(|i| {
                        LatinHypercube::new(dims, n, opts.seed, i)
                            .map(|s| Box::new(s) as Box<dyn PointSource>)
                            .map_err(|e| invalid(e.to_string()))
                    })
                    .collect::<Result<_, _>>()?,
                per_source: n,
                name: "lhs",
            }
        }
    })
}

/// The outputs whose baseline percentile a run counts: each category's
/// total (counting every scope and tag value too would cost several per
/// cent of a Moshi run for numbers nobody quotes).
fn percentile_series(model: &Model, opts: &RunOptions) -> Vec<usize> {
    let layout = model.layout();
    let mut series: Vec<usize> = (0..layout.categories.len())
        .map(|c| layout.index(c, Series::Total))
        .collect();
    for j in &opts.percentile_of {
        if !series.contains(j) {
            series.push(*j);
        }
    }
    series
}

/// The thresholds counted during a run: each category total's baseline
/// (for its percentile), then each `--exceed`.
pub(crate) fn thresholds(model: &Model, opts: &RunOptions) -> ThresholdPlan {
    let (baseline, _) = model.baseline();
    let mut all: Vec<Threshold> = percentile_series(model, opts)
        .into_iter()
        .map(|series| Threshold {
            series,
            value: baseline[series],
        })
        .collect();
    all.extend(opts.exceed.iter().map(|e| Threshold {
        series: e.series,
        value: e.threshold,
    }));
    ThresholdPlan::new(all, model.n_outputs())
}

/// Runs a scenario as `opts` asks and builds its result.
pub fn simulate(
    scenario: &Scenario,
    model: &Model,
    opts: &RunOptions,
) -> Result<RunResult, AppError> {
    let design = design(model, opts)?;
    let plan = thresholds(model, opts);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| AppError::Io(format!("cannot start {} worker threads: {e}", opts.threads)))?;
    let r = design.sources.len() as u64;
    let mut n = design.per_source;
    if let Some(p) = opts.precision
        && n * r > p.max_samples
    {
        return Err(AppError::Input(format!(
            "--max-samples {} is below the first step of --precision, {} samples (-n rounded up to a power-of-two number of {CHUNK}-sample chunks{}); raise --max-samples or lower -n",
            p.max_samples,
            n * r,
            if r > 1 { " per replicate" } else { "" }
        )));
    }
    let bar = progress_bar(
        opts.precision
            .map_or(n * r, |p| p.max_samples.min(n * r * 8)),
    );
    let sample_range = |range: std::ops::Range<u64>, done: u64| -> Vec<Accumulated> {
        let width = range.end - range.start;
        design
            .sources
            .iter()
            .enumerate()
            .map(|(i, src)| {
                let before = done + i as u64 * width;
                engine::run_range_in(&pool, model, src.as_ref(), range.clone(), &plan, &|d| {
                    bar.set_position(before + d)
                })
            })
            .collect()
    };
    let mut accs = sample_range(0..n, 0);
    let mut outcome = None;
    if let Some(p) = opts.precision {
        let mut steps = vec![n * r];
        loop {
            let result = build(scenario, model, &accs, &design, opts, None)?;
            let (worst, worst_at) = worst_relative_error(&result);
            let reached = worst <= p.target;
            if reached || 2 * n * r > p.max_samples {
                outcome = Some(PrecisionOutcome {
                    target: p.target,
                    max_samples: p.max_samples,
                    reached,
                    worst_relative_error: worst,
                    worst: worst_at,
                    steps,
                });
                break;
            }
            if bar.length().is_some_and(|l| l < 2 * n * r) {
                bar.set_length(2 * n * r);
            }
            let more = sample_range(n..2 * n, n * r);
            accs = accs
                .into_iter()
                .zip(&more)
                .map(|(a, m)| a.extend(m))
                .collect();
            n *= 2;
            steps.push(n * r);
        }
    }
    bar.finish_and_clear();
    build(scenario, model, &accs, &design, opts, outcome)
}

/// The relative MC error of each impact total's mean and interval bounds:
/// the largest, and where. A bound at exactly 0 (a category that is zero
/// in some samples) is measured on the scale of the mean, since an error
/// relative to 0 could never reach any target.
fn worst_relative_error(result: &RunResult) -> (f64, String) {
    let mut worst = (0.0, String::from("-"));
    for (id, impact) in &result.impacts {
        let t = &impact.total;
        let relative = |se: f64, x: f64| {
            let scale = if x != 0.0 { x.abs() } else { t.mean.abs() };
            if se == 0.0 || scale == 0.0 {
                0.0
            } else {
                se / scale
            }
        };
        for (what, e) in [
            ("mean", relative(t.mc_se_mean, t.mean)),
            (
                "interval low",
                relative(t.mc_se_interval[0], t.interval.low),
            ),
            (
                "interval high",
                relative(t.mc_se_interval[1], t.interval.high),
            ),
        ] {
            if e > worst.0 || e.is_nan() {
                worst = (e, format!("{id} {what}"));
            }
        }
    }
    worst
}

/// Student-t quantile for a two-sided interval at `level` with `df` degrees
/// of freedom.
fn student_t(level: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .map(|d| d.inverse_cdf(0.5 + level / 2.0))
        .unwrap_or(f64::NAN)
}

/// Mean and standard error of the mean of replicate values.
fn mean_se(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let r = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / r;
    let var = values.map(|x| (x - mean).powi(2)).sum::<f64>() / (r - 1.0);
    (mean, (var / r).sqrt())
}

pub(crate) fn build(
    scenario: &Scenario,
    model: &Model,
    accs: &[Accumulated],
    design: &Design,
    opts: &RunOptions,
    precision: Option<PrecisionOutcome>,
) -> Result<RunResult, AppError> {
    let pooled_merge;
    let pooled = if let [only] = accs {
        only
    } else {
        pooled_merge = accs[1..]
            .iter()
            .fold(accs[0].clone(), |all, next| all.merge(next));
        &pooled_merge
    };
    crate::app::check_finite(scenario, model, pooled)?;
    let (baseline, _) = model.baseline();
    let quantiles = quantile_list(&opts.extra_quantiles);
    let level = opts.level;
    let samples = pooled.moments.count;
    let replicated = design.name != "mc";
    let t = student_t(level, accs.len() as f64 - 1.0);
    let counted = percentile_series(model, opts);
    let stat = |j: usize| {
        let mut s = summarize_with(
            &pooled.moments,
            j,
            &pooled.sketches[j],
            baseline[j],
            level,
            &quantiles,
        );
        if let Some(k) = counted.iter().position(|&c| c == j) {
            let tally = &pooled.tally;
            s.baseline_percentile =
                Some((tally.below[k] + tally.at_most[k]) as f64 / (2.0 * samples as f64));
        }
        if replicated {
            replicate_errors(&mut s, accs, j, baseline[j], level, t);
        }
        s
    };
    let exceedances =
        opts.exceed
            .iter()
            .enumerate()
            .map(|(e, spec)| {
                let k = counted.len() + e;
                let above = samples - pooled.tally.at_most[k];
                let (_, se) = mean_se(accs.iter().map(|a| {
                    (a.moments.count - a.tally.at_most[k]) as f64 / a.moments.count as f64
                }));
                // Replicates that all agree (every one 0, or every one 1) give
                // no spread: that is no evidence of certainty, so the binomial
                // Wilson interval of the pooled count speaks instead.
                let from_replicates = replicated && se > 0.0;
                let probability = if from_replicates {
                    let p = above as f64 / samples as f64;
                    Proportion {
                        count: above,
                        samples,
                        p,
                        mc_se: se,
                        interval: [(p - t * se).max(0.0), (p + t * se).min(1.0)],
                        level,
                    }
                } else {
                    Proportion::new(above, samples, level)
                };
                let layout = model.layout();
                let (category, series) = layout.category_and_series(spec.series);
                Exceedance {
                    given: spec.given.clone(),
                    impact: category.id.to_string(),
                    series,
                    threshold: spec.threshold,
                    unit: category.unit.to_string(),
                    probability,
                    interval_method: if from_replicates {
                        format!("student-t over {} replicates", accs.len())
                    } else if replicated {
                        "wilson (the replicates all agree)".into()
                    } else {
                        "wilson".into()
                    },
                }
            })
            .collect();
    Ok(RunResult {
        kind: "run".into(),
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(scenario),
        settings: RunSettings {
            samples,
            seed: opts.seed,
            sampler: design.name.to_string(),
            replicates: replicated.then_some(accs.len() as u32),
            level,
            quantile_relative_error: crate::analyze::sketch::RELATIVE_ERROR,
            overrides: scenario.overrides.clone(),
            precision,
        },
        impacts: impacts(model, stat, &pooled.sketches, |j, summary| {
            convergence(accs, j, summary, level, t)
        }),
        exceedances,
    })
}

/// Total `j`'s mean at each checkpoint every source recorded, then its
/// final `summary`. One source (Monte Carlo): a normal interval from its
/// sd; several (randomised QMC): the mean of the replicates' means with a
/// Student-t interval from their spread (`t`), as for the final mean.
fn convergence(
    accs: &[Accumulated],
    j: usize,
    summary: &Summary,
    level: f64,
    t: f64,
) -> Vec<Checkpoint> {
    let depth = accs.iter().map(|a| a.checkpoints.len()).min().unwrap_or(0);
    let z = crate::analyze::proportion::two_sided_z(level);
    let mut out: Vec<Checkpoint> = (0..depth)
        .map(|k| {
            let at: Vec<&crate::analyze::Moments> =
                accs.iter().map(|a| &a.checkpoints[k]).collect();
            let samples = at.iter().map(|m| m.count).sum();
            if let [m] = at.as_slice() {
                let sd = m.variance(j).sqrt();
                let half = z * sd / (m.count as f64).sqrt();
                Checkpoint {
                    samples,
                    mean: m.mean[j],
                    mean_ci: [m.mean[j] - half, m.mean[j] + half],
                    sd,
                }
            } else {
                let (mean, se) = mean_se(at.iter().map(|m| m.mean[j]));
                let pooled = at[1..].iter().fold(at[0].clone(), |all, m| all.merge(m));
                Checkpoint {
                    samples,
                    mean,
                    mean_ci: [mean - t * se, mean + t * se],
                    sd: pooled.variance(j).sqrt(),
                }
            }
        })
        .collect();
    out.push(Checkpoint {
        samples: accs.iter().map(|a| a.moments.count).sum(),
        mean: summary.mean,
        mean_ci: summary.mean_ci,
        sd: summary.sd,
    });
    out
}

/// For randomised QMC the samples are not independent, so sd/√N says
/// nothing: the errors come from the spread of the independent replicates'
/// own estimates (Student-t with R − 1 degrees of freedom).
fn replicate_errors(
    s: &mut Summary,
    accs: &[Accumulated],
    j: usize,
    baseline: f64,
    level: f64,
    t: f64,
) {
    let per: Vec<Summary> = accs
        .iter()
        .map(|a| summarize_with(&a.moments, j, &a.sketches[j], baseline, level, &[]))
        .collect();
    let (_, se_mean) = mean_se(per.iter().map(|p| p.mean));
    s.mc_se_mean = se_mean;
    s.mean_ci = [s.mean - t * se_mean, s.mean + t * se_mean];
    s.mc_se_interval = [
        mean_se(per.iter().map(|p| p.interval.low)).1,
        mean_se(per.iter().map(|p| p.interval.high)).1,
    ];
}

/// `run --shard I/N`: evaluates this shard's chunks of every source and
/// writes the part file `ecoband merge` joins.
fn run_shard(
    scenario: &Scenario,
    model: &Model,
    opts: &RunOptions,
    shard: &str,
    args: &RunArgs,
) -> Result<String, AppError> {
    use crate::shard::part::{Part, PartSettings, SourcePart, Work};
    let (spec, out) = crate::shard::target(shard, args.out.as_deref()).map_err(AppError::Input)?;
    if opts.precision.is_some() {
        return Err(AppError::Input(
            "--precision decides N from the whole run's errors, which no shard sees: run it unsharded, or shard a fixed -n"
                .into(),
        ));
    }
    let design = design(model, opts)?;
    let plan = thresholds(model, opts);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| AppError::Io(format!("cannot start {} worker threads: {e}", opts.threads)))?;
    let chunks = spec.chunks(design.per_source);
    let sources = design
        .sources
        .iter()
        .map(|src| {
            let acc = crate::shard::run_chunks(
                &pool,
                model,
                src.as_ref(),
                design.per_source,
                chunks.clone(),
                &plan,
            );
            SourcePart::of(acc.as_ref(), model.n_outputs(), plan.len())
        })
        .collect();
    let the_part = Part::new(
        scenario,
        spec,
        Work::Run {
            settings: PartSettings {
                samples: opts.samples,
                seed: opts.seed,
                level: opts.level,
                sampler: design.name.to_string(),
                replicates: opts.replicates,
                extra_quantiles: opts.extra_quantiles.clone(),
                exceed: opts.exceed.iter().map(|e| e.given.clone()).collect(),
                per_source: design.per_source,
            },
            sources,
        },
    );
    the_part.write_to(out)?;
    Ok(format!(
        "{}: shard {}/{} (chunks {}..{} of {} per source, {} source{}) written to {}\n",
        scenario.name,
        spec.index,
        spec.count,
        chunks.start,
        chunks.end,
        design.per_source.div_ceil(CHUNK),
        design.sources.len(),
        if design.sources.len() == 1 { "" } else { "s" },
        out.display()
    ))
}
