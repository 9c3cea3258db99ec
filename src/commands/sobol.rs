//! `ecoband sobol`: Sobol' indices from a pick-freeze design, with
//! intervals from replicated randomised designs or batch means.

use indexmap::IndexMap;

use crate::analyze::diagnostics::{WIDE_HALF_WIDTH, index_flags, series_flags};
use crate::app::{AppError, DEFAULT_SEED, check_outputs, load_with, write_json};
use crate::cli::{SamplerKind, SobolArgs};
use crate::model::{Model, Series};
use crate::report::table;
use crate::result::{
    CorrelatedGroup, ScenarioInfo, SecondOrderIndex, SobolIndex, SobolResult, SobolSeries,
    SobolSettings,
};
use crate::sample::{LatinHypercube, MonteCarlo, PointSource, ScrambledSobol};
use crate::scenario::Scenario;

/// The smallest power of two ≥ max(n, the minimum base count).
pub fn base_count(n: u64) -> u64 {
    n.max(crate::sensitivity::MIN_BASE).next_power_of_two()
}

/// Second-order entries for unit pairs i < j (factors, or correlated
/// sets), in row order.
fn second_order_entries(
    units: &[crate::model::Unit],
    second: &[crate::sensitivity::Estimate],
) -> Vec<SecondOrderIndex> {
    let k = units.len();
    let pairs = (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j)));
    pairs
        .zip(second)
        .map(|((i, j), e)| SecondOrderIndex {
            factors: [units[i].name.clone(), units[j].name.clone()],
            labels: [units[i].label.clone(), units[j].label.clone()],
            s2: e.value,
            s2_ci: [e.low, e.high],
        })
        .collect()
}

/// What the result says of each correlated set.
fn correlated_groups(model: &Model) -> Vec<CorrelatedGroup> {
    model
        .correlated
        .iter()
        .map(|set| {
            let factors: Vec<String> = set
                .factors
                .iter()
                .map(|&f| model.factors[f].name.clone())
                .collect();
            CorrelatedGroup {
                group: set.name.clone(),
                note: correlated_note(&factors, &set.entries),
                factors,
                correlations: set.entries.clone(),
            }
        })
        .collect()
}

/// "factors X, Y are correlated ([correlations].NAME): analysed as one
/// group; …"
pub fn correlated_note(factors: &[String], entries: &[String]) -> String {
    let names: Vec<String> = factors.iter().map(|f| format!("`{f}`")).collect();
    let entries: Vec<String> = entries
        .iter()
        .map(|e| format!("[correlations].{e}"))
        .collect();
    format!(
        "factors {} are correlated ({}): analysed as one group, without indices of their own; indices of dependent inputs are not the classical ones",
        names.join(", "),
        entries.join(", ")
    )
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

/// The point sources of a Sobol' design: one Monte Carlo stream, or R
/// randomisations of a scrambled Sobol' sequence or Latin hypercube.
pub struct DesignPoints {
    sampler: SamplerKind,
    mc: MonteCarlo,
    replicated: Vec<Box<dyn PointSource>>,
}

impl DesignPoints {
    pub fn new(model: &Model, options: &SobolOptions) -> Result<Self, AppError> {
        let dims = 2 * model.n_dims;
        let (seed, n_base) = (options.seed, options.n_base);
        let replicated: Vec<Box<dyn PointSource>> = match options.sampler {
            SamplerKind::Mc => Vec::new(),
            SamplerKind::Sobol => (0..options.replicates)
                .map(|r| {
                    ScrambledSobol::new(dims, seed, r)
                        .map(|s| Box::new(s) as Box<dyn PointSource>)
                        .map_err(|e| AppError::Input(e.to_string()))
                })
                .collect::<Result<_, _>>()?,
            SamplerKind::Lhs => (0..options.replicates)
                .map(|r| {
                    LatinHypercube::new(dims, n_base, seed, r)
                        .map(|s| Box::new(s) as Box<dyn PointSource>)
                        .map_err(|e| AppError::Input(e.to_string()))
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(DesignPoints {
            sampler: options.sampler,
            mc: MonteCarlo::new(seed),
            replicated,
        })
    }

    pub fn design(&self) -> crate::sensitivity::Design<'_> {
        use crate::sensitivity::Design;
        match self.sampler {
            SamplerKind::Mc => Design::MonteCarlo(&self.mc),
            _ => Design::Replicated(&self.replicated),
        }
    }
}

fn pool_error(threads: usize) -> impl Fn(rayon::ThreadPoolBuildError) -> AppError {
    move |e| AppError::Io(format!("cannot start {threads} worker threads: {e}"))
}

/// A progress bar over base samples, and the callback the engine calls.
fn base_sample_bar() -> (indicatif::ProgressBar, impl Fn(u64, u64) + Sync) {
    let bar = crate::report::progress::bar(0, "base samples");
    let shown = bar.clone();
    let show = move |done, total| {
        if shown.length() != Some(total) {
            shown.reset();
            shown.set_length(total);
        }
        shown.set_position(done);
    };
    (bar, show)
}

/// Runs a Sobol' analysis (doubling N up to the target's maximum until every
/// ST half-width is below the target, if one is given) and builds the result.
pub fn sensitivity_analysis(
    scenario: &Scenario,
    model: &Model,
    options: &SobolOptions,
) -> Result<SobolResult, AppError> {
    use crate::sensitivity::{extend, run};
    let points = DesignPoints::new(model, options)?;
    let design = points.design();
    let threads = options.threads;
    let (bar, show) = base_sample_bar();
    let mut sums = run(
        model,
        &design,
        options.n_base,
        options.second_order,
        threads,
        &show,
    )
    .map_err(pool_error(threads))?;
    let mut reached = None;
    if let Some(t) = options.target {
        loop {
            if widest_st_half_width(&sums, options.level) <= t.half_width {
                reached = Some(true);
                break;
            }
            if 2 * sums.n_base > t.max_n_base {
                reached = Some(false);
                break;
            }
            sums = extend(model, &design, sums, threads, &show).map_err(pool_error(threads))?;
        }
    }
    bar.finish_and_clear();
    Ok(build(scenario, model, &sums, options, reached))
}

/// `sobol --shard I/N`: this shard's blocks of every design part, written
/// as the part file `ecoband merge` joins.
fn sobol_shard(
    scenario: &Scenario,
    model: &Model,
    options: &SobolOptions,
    shard: &str,
    out: Option<&std::path::Path>,
) -> Result<String, AppError> {
    use crate::shard::part::{Part, SobolBlock, SobolPartSettings, Work};
    let (spec, out) = crate::shard::target(shard, out).map_err(AppError::Input)?;
    if options.target.is_some() {
        return Err(AppError::Input(
            "--target-width decides N from the whole analysis's intervals, which no shard sees: run it unsharded, or shard a fixed --n-base"
                .into(),
        ));
    }
    let points = DesignPoints::new(model, options)?;
    let (bar, show) = base_sample_bar();
    let blocks = crate::sensitivity::run_shard(
        model,
        &points.design(),
        options.n_base,
        options.second_order,
        options.threads,
        spec,
        &show,
    )
    .map_err(pool_error(options.threads))?;
    bar.finish_and_clear();
    let parts = blocks
        .into_iter()
        .map(|part| {
            part.into_iter()
                .map(|(first_chunk, chunks, sums)| SobolBlock {
                    first_chunk,
                    chunks,
                    sums,
                })
                .collect()
        })
        .collect();
    let the_part = Part::new(
        scenario,
        spec,
        Work::Sobol {
            settings: SobolPartSettings {
                n_base: options.n_base,
                seed: options.seed,
                level: options.level,
                second_order: options.second_order,
                sampler: options.sampler.name().to_string(),
                replicates: options.replicates,
            },
            parts,
        },
    );
    the_part.write_to(out)?;
    Ok(format!(
        "{}: sobol shard {}/{} (N = {} base samples, {}) written to {}\n",
        scenario.name,
        spec.index,
        spec.count,
        options.n_base,
        options.sampler.name(),
        out.display()
    ))
}

/// The result of a finished analysis: its indices with intervals for every
/// analysed output. `reached`: whether a --target-width was met.
pub fn build(
    scenario: &Scenario,
    model: &Model,
    sums: &crate::sensitivity::SobolRun,
    options: &SobolOptions,
    reached: Option<bool>,
) -> SobolResult {
    use crate::sensitivity::{BATCHES, Estimate, SobolEstimates, analysed_outputs, estimates};
    let SobolOptions {
        seed,
        level,
        second_order,
        target,
        sampler,
        replicates,
        ..
    } = *options;
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
        } = estimates(sums, o, level);
        let units = model.units();
        let k = units.len();
        let index = |(name, label): (&str, &str), s1: &Estimate, st: &Estimate| SobolIndex {
            factor: name.to_string(),
            label: label.to_string(),
            s1: s1.value,
            s1_ci: [s1.low, s1.high],
            st: st.value,
            st_ci: [st.low, st.high],
            flags: index_flags(s1, st),
        };
        // Factors alone, then correlated sets (automatic groups), then the
        // declared groups.
        let indices: Vec<SobolIndex> = units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.correlated.is_none())
            .map(|(i, u)| index((&u.name, &u.label), &first[i], &total[i]))
            .collect();
        let correlated = units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.correlated.is_some())
            .map(|(i, u)| index((&u.name, &u.label), &first[i], &total[i]));
        let declared = model.groups.iter().enumerate().map(|(g, group)| {
            let label = crate::model::label::of_name(&group.name);
            index((&group.name, &label), &first[k + g], &total[k + g])
        });
        let groups: Vec<SobolIndex> = correlated.chain(declared).collect();
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
                    s2: second_order_entries(&units, &second),
                },
            );
    }
    SobolResult {
        kind: "sobol".into(),
        ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(scenario),
        settings: SobolSettings {
            n_base,
            replicates: (sampler != SamplerKind::Mc).then_some(replicates),
            evaluations: n_designs
                * n_base
                * ((model.units().len() * (1 + usize::from(second_order)) + model.groups.len())
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
            widest_st_half_width: widest_st_half_width(sums, level),
            overrides: scenario.overrides.clone(),
        },
        correlated: correlated_groups(model),
        sobol,
    }
}

pub fn sobol(args: &SobolArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (scenario, model, options) = prepare(args)?;
    if let Some(shard) = &args.shard {
        return sobol_shard(&scenario, &model, &options, shard, args.out.as_deref());
    }
    let result = sensitivity_analysis(&scenario, &model, &options)?;
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::with_overrides(
        table::sobol_table(&model, &result, args.key_paths, args.all),
        &scenario.overrides,
    ))
}

/// Everything `sobol` checks before it computes (also used by `slurm
/// sobol` on the login node).
pub fn prepare(args: &SobolArgs) -> Result<(Scenario, Model, SobolOptions), AppError> {
    if !(args.level > 0.0 && args.level < 1.0) {
        return Err(AppError::Input(format!(
            "--level {} is not allowed; it is a probability strictly between 0 and 1, e.g. 0.95",
            args.level
        )));
    }
    let (scenario, model) = load_with(&args.scenario, &args.overrides)?;
    let n_base = base_count(args.n_base);
    if n_base != args.n_base && !crate::report::progress::quiet() {
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
    Ok((scenario, model, options))
}
