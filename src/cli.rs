//! Command-line definitions (clap) and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::tornado::Baseline;

#[derive(Debug, Parser)]
#[command(
    name = "ecoband",
    version,
    about = "Uncertainty bands for the environmental footprint of AI research compute",
    long_about = "ecoband treats every life-cycle-assessment input of a research-compute footprint \
(GPU-hours, power at load, PUE, water, grid mix, embodied impacts, lifetime) as a distribution, \
propagates millions of samples in parallel, and reports confidence intervals for global warming, \
primary energy, water and abiotic depletion, split by scope and by research phase."
)]
pub struct Cli {
    /// Print nothing on stdout and draw no progress bar; errors still go to stderr, files are still written
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Monte Carlo run: statistics and intervals for every impact, scope and tag
    #[command(
        after_help = "Examples:\n  ecoband run scenarios/moshi.toml\n  ecoband run scenarios/moshi.toml --samples 10000000 --seed 7 --out moshi.json\n  ecoband run scenarios/bloom.toml --level 0.9 --threads 1\n  ecoband run scenarios/bloom.toml --exceed gwp=60t --quantiles 0.01,0.99\n  ecoband run scenarios/moshi.toml --sampler sobol --replicates 16\n  ecoband run scenarios/moshi.toml --precision 0.001\n  ecoband run scenarios/moshi.toml --samples-out moshi.npy --keep 50000"
    )]
    Run(RunArgs),
    /// Validate a scenario and list every uncertain factor with its source
    #[command(after_help = "Example:\n  ecoband check scenarios/moshi.toml")]
    Check(ScenarioArg),
    /// Sobol' first- and total-order sensitivity indices with confidence intervals
    #[command(
        after_help = "Examples:\n  ecoband sobol scenarios/moshi.toml\n  ecoband sobol scenarios/moshi.toml --n-base 65536 --seed 3 --out sobol.json\n  ecoband sobol scenarios/test-functions/ishigami.toml --second-order --replicates 16\n  ecoband sobol scenarios/moshi.toml --sampler mc --target-width 0.01"
    )]
    Sobol(SobolArgs),
    /// One-at-a-time tornado data: each factor at its low and high quantile, the others at baseline
    #[command(
        after_help = "Examples:\n  ecoband tornado scenarios/moshi.toml\n  ecoband tornado scenarios/moshi.toml --low 0.1 --high 0.9 --baseline median --out tornado.json"
    )]
    Tornado(TornadoArgs),
    /// Deterministic point estimate (every input at its nominal value) with its breakdown
    #[command(
        after_help = "Examples:\n  ecoband baseline scenarios/bloom.toml\n  ecoband baseline scenarios/olmo2-7b.toml --out olmo-baseline.json"
    )]
    Baseline(BaselineArgs),
    /// Paired comparison of two scenarios (or one and its what-if) on common random numbers
    #[command(
        after_help = "Examples:\n  ecoband compare scenarios/moshi.toml --set-b datacenter.pue=1.2\n  ecoband compare scenarios/moshi.toml --set-b electricity.preset=DEU --out deu.json\n  ecoband compare scenarios/moshi.toml --set-b electricity.preset=DEU --set-b datacenter.pue=1.4 --tornado\n  ecoband compare scenarios/olmo2-7b.toml scenarios/examples/my-project.toml\n\nFactors with the same name draw the same random numbers on both sides, so B − A is what changed, not Monte Carlo noise. --set applies to both sides, --set-b to B only."
    )]
    Compare(CompareArgs),
    /// Where a published figure sits in the scenario's distribution: its percentile with an interval
    #[command(
        after_help = "Examples:\n  ecoband claim scenarios/bloom.toml --impact gwp --value 50.5 --unit t\n  ecoband claim scenarios/moshi.toml --impact gwp --value 40t --set datacenter.pue=1.4\n  ecoband claim scenarios/bloom.toml --impact gwp --value 50.5t --fail-outside 0.05,0.95 || echo 'outside the central 90 %'\n\nExit status 3 when --fail-outside is given and the figure's percentile lies outside it."
    )]
    Claim(ClaimArgs),
    /// Run a scenario at every point of a sweep file (a grid and/or listed points of --set overrides), on common random numbers
    #[command(
        after_help = "Examples:\n  ecoband sweep scenarios/sweeps/moshi-by-location.toml --out sweep/\n  ecoband sweep scenarios/sweeps/moshi-lifetime-pue.toml --samples 100000\n\nWrites DIR/sweep.csv and DIR/sweep.json (a row per point and impact) and DIR/points/NAME.json (each point's full result). Format: docs/sweeps.md."
    )]
    Sweep(SweepArgs),
    /// Run a sharded `run` or `sobol`, or a sweep, as a Slurm job array with a merge job; status and resume
    #[command(
        after_help = "Examples (options of `slurm` before the command's own arguments):\n  ecoband slurm run --shards 16 --out-dir runs/moshi --partition cpu --time 01:00:00 --submit scenarios/moshi.toml -n 100000000\n  ecoband slurm sobol --shards 8 --out-dir runs/moshi-sobol --submit scenarios/moshi.toml --n-base 65536\n  ecoband slurm sweep --out-dir runs/by-location --submit scenarios/sweeps/moshi-by-location.toml\n  ecoband slurm status runs/moshi\n  ecoband slurm resume runs/moshi --submit\n\nWrites DIR/array.sbatch, DIR/merge.sbatch and DIR/slurm.json; the merged result goes to DIR/result.json (a sweep's to DIR/sweep.json and DIR/sweep.csv). Guide: docs/cluster.md."
    )]
    Slurm(SlurmArgs),
    /// Merge the part files of a sharded run into the JSON a single run gives, byte for byte
    #[command(
        after_help = "Example:\n  for i in 0 1 2 3; do ecoband run scenarios/moshi.toml -n 10000000 --shard $i/4 --out part-$i.json; done\n  ecoband merge part-*.json --out moshi.json\n  (the same with `ecoband sobol … --shard I/N` for Sobol' indices)\n\nRefused (exit 2): parts of different scenarios, overrides, settings or versions; a missing or duplicate shard; a truncated or corrupted part."
    )]
    Merge(MergeArgs),
    /// Tables, sentences, figures and a one-file HTML report from saved results, recomputing nothing
    #[command(
        after_help = "Examples:\n  ecoband run scenarios/moshi.toml --out m.json\n  ecoband sobol scenarios/moshi.toml --out s.json\n  ecoband tornado scenarios/moshi.toml --out t.json\n  ecoband report m.json s.json t.json --html report.html --latex report.tex --markdown report.md --csv out/ --svg-dir fig/\n\nReads run, sobol, tornado, compare and baseline results (any mix, one scenario unless --allow-mixed). Guide: docs/report.md."
    )]
    Report(ReportArgs),
    /// Inventory rows in scenario syntax from cluster job logs: a Slurm accounting export, or a CSV of jobs
    #[command(
        after_help = "Examples:\n  sacct --allusers --parsable2 -S 2025-01-01 -E 2025-06-30 -o JobID,JobName,Partition,Elapsed,AllocTRES,State,Start,End > jobs.txt\n  ecoband inventory sacct jobs.txt --tag-by 'phase=pretraining:^pt-' --tag-by 'phase=ablation:^abl-' --out rows.toml\n  ecoband inventory sacct jobs.txt --tag-by 'module=^[a-z]+-([a-z]+)-' --tag-by 'queue@partition=^(.*)$'\n  ecoband inventory csv jobs.csv --out rows.toml\n\nOne [[inventory]] row per distinct combination of tags, GPU-hours summed, to paste into a scenario. Guide: docs/inventory.md."
    )]
    Inventory(InventoryArgs),
    /// List the bundled presets (grid mixes, data centres, hardware), or show one with every value and source
    #[command(
        after_help = "Examples:\n  ecoband presets\n  ecoband presets FRA\n  ecoband presets dgx-h100\n\nA scenario names a preset with `preset = \"NAME\"` in [electricity], [datacenter] or [profiles.NAME] (docs/scenario-format.md, Presets)."
    )]
    Presets(PresetsArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  ecoband completions bash > ~/.local/share/bash-completion/completions/ecoband\n  ecoband completions zsh > ~/.zfunc/_ecoband\n  ecoband completions fish > ~/.config/fish/completions/ecoband.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), of ecoband or of one command
    #[command(
        after_help = "Examples:\n  ecoband man | man -l -\n  ecoband man run > ecoband-run.1"
    )]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print; without it, the page of ecoband
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct PresetsArgs {
    /// The preset to show; without it, every preset is listed
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScenarioArg {
    /// Scenario file (TOML; see docs/scenario-format.md)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
}

/// What-if overrides of a scenario's values, on every command that reads one.
#[derive(Debug, Clone, Default, Args)]
pub struct OverrideArgs {
    /// Override a value: KEY as `ecoband check` lists it (datacenter.pue, profiles.NAME.lifetime_years, inventory."row name".gpu_hours, a parameter's name …) or SECTION.preset=NAME to swap a preset; VALUE in the scenario's own syntax (1.4, { dist = "triangular", min = 1.1, mode = 1.2, max = 1.6 }, { value = 3, unit = "yr" }). Repeatable
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Accept an override that changes no output (refused by default, with the reason)
    #[arg(long)]
    pub allow_no_effect: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML; see docs/scenario-format.md)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Probability that an output exceeds a threshold, counted exactly: OUTPUT=VALUE[UNIT], e.g. gwp=60t, water=30m3, gwp.embodied=5t. Repeatable
    #[arg(long, value_name = "OUTPUT=VALUE")]
    pub exceed: Vec<String>,
    /// Quantiles to report besides 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975 (comma-separated probabilities)
    #[arg(long, value_delimiter = ',', value_name = "Q,…")]
    pub quantiles: Vec<f64>,
    /// Double the sample count (reusing every sample) until every impact total's mean and interval bounds have a relative MC error below this, e.g. 0.001. The starting --samples is rounded up to 4096 × 2^k (whole blocks of the engine's chunks)
    #[arg(long)]
    pub precision: Option<f64>,
    /// Largest sample count --precision may reach
    #[arg(long, default_value_t = 1 << 28, requires = "precision")]
    pub max_samples: u64,
    /// Evaluate only shard I of N (0-based) and write its part file to --out; `ecoband merge` joins the parts into the run's JSON, byte for byte
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Write the full result as JSON to this file (atomically)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Write the run's first --keep samples (every factor value and each impact's total and scopes) as a 2-D float64 NumPy array to this file, its columns named in the sidecar FILE.npy.json (the name given plus .json; docs/output-format.md)
    #[arg(long, value_name = "FILE.npy")]
    pub samples_out: Option<PathBuf>,
    /// Rows of --samples-out: the run's first M samples (capped at its sample count; at most 10000000) [default: 100000]
    #[arg(long, value_name = "M", requires = "samples_out")]
    pub keep: Option<u64>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Part files written by `ecoband run|sobol … --shard I/N --out FILE`, every shard once, in any order
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Write the merged result (the JSON a single run gives) to this file (atomically)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Also show, in a merged sobol table, factors with no effect on an output (the JSON always has them)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Result files written by `ecoband run|sobol|tornado|compare|baseline --out FILE`
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// Write a self-contained HTML report (inline figures and style, no external request)
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the report as Markdown (figures linked from --svg-dir when given)
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write the report as a LaTeX document of booktabs tables (compiles with pdflatex)
    #[arg(long, value_name = "FILE")]
    pub latex: Option<PathBuf>,
    /// Write tidy CSV tables of the raw values (impacts.csv, sobol.csv, tornado.csv …) into this folder
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Write every figure as an SVG file into this folder
    #[arg(long, value_name = "DIR")]
    pub svg_dir: Option<PathBuf>,
    /// Accept results of different scenarios (or overrides) in one report, each section labelled by its scenario
    #[arg(long)]
    pub allow_mixed: bool,
    /// The scenario file to list the factors from, when it is not at the path the results recorded
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// How a run draws its samples; shared by `run` and `claim`.
#[derive(Debug, Clone, Args)]
pub struct SamplingArgs {
    /// Number of samples, over all replicates [default: the scenario's, else 1000000]
    #[arg(long, short = 'n')]
    pub samples: Option<u64>,
    /// Random seed; same scenario and seed give byte-identical JSON [default: the scenario's, else 42]
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores); does not change the result
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// Probability of the central interval [default: the scenario's, else 0.95]
    #[arg(long)]
    pub level: Option<f64>,
    /// Plain Monte Carlo, or randomised QMC: scrambled Sobol' points or Latin hypercubes, in R independent replicates whose spread gives the errors
    #[arg(long, value_enum, default_value_t = SamplerKind::Mc)]
    pub sampler: SamplerKind,
    /// Independent randomisations R of a sobol or lhs design (≥ 2) [default: 8]
    #[arg(long, short = 'r')]
    pub replicates: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// Scenario file (TOML; see docs/scenario-format.md)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// The output the claim is about: a category (gwp, pe, water, adp, energy_kwh), optionally with a scope (gwp.embodied) or a tag value (gwp.phase.pre-training)
    #[arg(long)]
    pub impact: String,
    /// The published figure, in --unit (or with its unit glued on: 50.5t)
    #[arg(long, allow_negative_numbers = true)]
    pub value: String,
    /// Unit of --value (t, tCO2e, kg, MWh, GJ, m3 …) [default: the output's own unit]
    #[arg(long)]
    pub unit: Option<String>,
    /// Exit with status 3 when the figure's percentile is outside [LOW, HIGH] (probabilities), e.g. 0.05,0.95
    #[arg(long, value_delimiter = ',', num_args = 1, value_name = "LOW,HIGH")]
    pub fail_outside: Vec<f64>,
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Write the claim check (and the run it rests on) as JSON to this file (atomically)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario A (TOML; see docs/scenario-format.md)
    pub a: PathBuf,
    /// Scenario B [default: A, changed by --set-b]
    pub b: Option<PathBuf>,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Override a value of B only (same syntax as --set). Repeatable
    #[arg(long = "set-b", value_name = "KEY=VALUE")]
    pub set_b: Vec<String>,
    /// Number of paired samples [default: A's scenario's, else 1000000]
    #[arg(long, short = 'n')]
    pub samples: Option<u64>,
    /// Random seed [default: A's scenario's, else 42]
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores); does not change the result
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// Probability of the central intervals [default: A's scenario's, else 0.95]
    #[arg(long)]
    pub level: Option<f64>,
    /// Also split the difference by change: each --set-b override applied to A alone
    #[arg(long)]
    pub tornado: bool,
    /// Write the full comparison as JSON to this file (atomically)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep file (TOML; see docs/sweeps.md)
    pub sweep: PathBuf,
    /// Folder for sweep.csv, sweep.json and points/NAME.json (created if missing)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Samples per point [default: the sweep's, else the scenario's, else 1000000]
    #[arg(long, short = 'n')]
    pub samples: Option<u64>,
    /// Random seed [default: the sweep's, else the scenario's, else 42]
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Probability of the central intervals [default: the sweep's, else the scenario's, else 0.95]
    #[arg(long)]
    pub level: Option<f64>,
    /// Worker threads (0 = all cores); does not change the result
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// --set applies to the base scenario, before each point's overrides; --allow-no-effect accepts points that change nothing
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Compute only point I (0-based, in the sweep's order) and write its points/NAME.json into --out; `--collect` joins the points (one Slurm array task per point)
    #[arg(long, value_name = "I", requires = "out", conflicts_with = "collect")]
    pub point: Option<usize>,
    /// Compute nothing: read every points/NAME.json in --out (written by --point) and write sweep.csv and sweep.json, byte for byte those of an unsplit sweep
    #[arg(long, requires = "out")]
    pub collect: bool,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Scenario file (TOML; see docs/scenario-format.md)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Write the baseline as JSON to this file (atomically)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TornadoArgs {
    /// Scenario file (TOML; see docs/scenario-format.md)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Probability of each factor's low value
    #[arg(long, default_value_t = 0.05)]
    pub low: f64,
    /// Probability of each factor's high value
    #[arg(long, default_value_t = 0.95)]
    pub high: f64,
    /// What the other factors are held at
    #[arg(long, value_enum, default_value_t = Baseline::Nominal)]
    pub baseline: Baseline,
    /// Show each factor's key path (as --set and [groups] name it) beside its label
    #[arg(long)]
    pub key_paths: bool,
    /// Also show, in the table, factors with no effect on an output (equal outputs at both ends; the JSON always has them)
    #[arg(long)]
    pub all: bool,
    /// Write the tornado data as JSON to this file (atomically)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SobolArgs {
    /// Scenario file (TOML; see docs/scenario-format.md)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Base sample count N per replicate (a power of two ≥ 64; others are rounded up); R·N (k + 2) model evaluations
    #[arg(long, default_value_t = 8192)]
    pub n_base: u64,
    /// How base samples are drawn: scrambled Sobol' (randomised QMC), Latin hypercube, or plain Monte Carlo
    #[arg(long, value_enum, default_value_t = SamplerKind::Sobol)]
    pub sampler: SamplerKind,
    /// Independent randomisations R of the sobol or lhs design (≥ 2); the intervals are Student-t over them [default: 8]
    #[arg(long, short = 'r')]
    pub replicates: Option<u32>,
    /// Random seed [default: the scenario's, else 42]
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores); does not change the result
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// Confidence level of the intervals
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    /// Also estimate second-order indices (Saltelli 2002): N (2k + 2) evaluations
    #[arg(long)]
    pub second_order: bool,
    /// Double N (reusing every evaluation; sobol and mc samplers) until every ST interval half-width is below this
    #[arg(long)]
    pub target_width: Option<f64>,
    /// Largest N that --target-width may reach
    #[arg(long, default_value_t = 1 << 20)]
    pub max_n_base: u64,
    /// Show each factor's key path (as --set and [groups] name it) beside its label
    #[arg(long)]
    pub key_paths: bool,
    /// Evaluate only shard I of N (0-based) and write its part file to --out; `ecoband merge` joins the parts into the indices' JSON, byte for byte
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Also show, in the table, factors with no effect on an output (ST interval includes 0 and ST < 0.001; the JSON always has them)
    #[arg(long)]
    pub all: bool,
    /// Write the indices as JSON to this file (atomically)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

/// The samplers of `ecoband sobol` and `ecoband run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplerKind {
    /// Sobol' points (Joe–Kuo directions), random linear scrambling + digital shift, R replicates
    Sobol,
    /// Latin hypercube, R replicates
    Lhs,
    /// Plain Monte Carlo (in `sobol`, intervals from 32 batch means)
    Mc,
}

impl SamplerKind {
    pub fn name(self) -> &'static str {
        match self {
            SamplerKind::Sobol => "sobol",
            SamplerKind::Lhs => "lhs",
            SamplerKind::Mc => "mc",
        }
    }
}

#[derive(Debug, Args)]
pub struct SlurmArgs {
    #[command(subcommand)]
    pub command: SlurmCommand,
}

#[derive(Debug, Subcommand)]
pub enum SlurmCommand {
    /// `ecoband run … --shard I/N` as an array of --shards tasks, then `ecoband merge` into DIR/result.json
    Run(SlurmJobArgs),
    /// `ecoband sobol … --shard I/N` as an array of --shards tasks, then `ecoband merge` into DIR/result.json
    Sobol(SlurmJobArgs),
    /// `ecoband sweep … --point I` as an array of one task per point, then `sweep --collect` into DIR/sweep.json and DIR/sweep.csv
    Sweep(SlurmJobArgs),
    /// Each task's state (done, running, pending, failed, not submitted) from its completion marker and squeue, and the merge's
    Status(SlurmDirArgs),
    /// Resubmit the failed and never-submitted tasks as a new array, with a new merge job after them
    Resume(SlurmResumeArgs),
}

#[derive(Debug, Args)]
pub struct SlurmJobArgs {
    /// Array tasks: shards of the run or analysis (not for sweep: one task per point)
    #[arg(long)]
    pub shards: Option<u64>,
    /// Folder for the scripts, parts, markers, logs and the merged result (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Slurm partition (sbatch --partition)
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit of each task and of the merge job, e.g. 01:00:00 (sbatch --time)
    #[arg(long)]
    pub time: Option<String>,
    /// Memory of each task, e.g. 4G (sbatch --mem)
    #[arg(long)]
    pub mem: Option<String>,
    /// Account charged (sbatch --account)
    #[arg(long)]
    pub account: Option<String>,
    /// CPUs of each task; ecoband uses that many threads (the result does not depend on it) [default: 1]
    #[arg(long)]
    pub cpus_per_task: Option<u32>,
    /// Array tasks running at once (the `%` throttle of sbatch --array)
    #[arg(long, value_name = "M")]
    pub max_running: Option<u32>,
    /// The ecoband binary the tasks run [default: this one]
    #[arg(long, value_name = "PATH")]
    pub ecoband: Option<PathBuf>,
    /// Submit the array and its merge job with sbatch and print their job ids
    #[arg(long)]
    pub submit: bool,
    /// The command's own arguments: the scenario (or sweep file) and its options, e.g. scenarios/moshi.toml -n 100000000 --set datacenter.pue=1.3
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "SCENARIO [OPTIONS]"
    )]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SlurmDirArgs {
    /// The --out-dir of `ecoband slurm run|sobol|sweep`
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SlurmResumeArgs {
    /// The --out-dir of `ecoband slurm run|sobol|sweep`
    pub dir: PathBuf,
    /// Submit with sbatch (otherwise print the commands)
    #[arg(long)]
    pub submit: bool,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(subcommand)]
    pub command: InventoryCommand,
}

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// From `sacct --parsable2` output: `|`-separated, header first; JobID, Elapsed, State and AllocTRES (or the --gpu-field column) are required, Start and End give each row's date range
    #[command(
        after_help = "Tags (--tag-by, repeatable): KEY=VALUE:REGEX gives a job KEY = VALUE when REGEX matches its JobName; KEY=REGEX gives KEY = the text REGEX matched (its first group, if it has one); KEY@COLUMN=… matches another column (KEY@partition=…, KEY@Account=…). A key's rules are tried in the order given and the first match wins; jobs no rule of a key matches get KEY = \"unmatched\" (counted on stderr and in the output's header, never dropped). Every job also gets `outcome` from its State: completed, failed, cancelled, timeout, out-of-memory, node-fail, preempted, running …\n\nOnly allocation lines count (JobID 1234, array task 1234_7, heterogeneous component 1234+0); steps (1234.batch, 1234.extern, 1234.0) run inside them. Jobs with no GPU are counted, not rows. A malformed line is refused with its file:line (exit 2, no output written).\n\nExamples:\n  ecoband inventory sacct jobs.txt --tag-by 'phase=pretraining:^pt-' --tag-by 'phase=ablation:^abl-' --out rows.toml\n  ecoband inventory sacct jobs.txt --gpu-field gres/gpu:h100 --tag-by 'queue@partition=^(.*)$'"
    )]
    Sacct(SacctArgs),
    /// From a CSV of jobs of any scheduler: header `job,gpus,hours,tags` (tags optional), tags as `phase=pretraining;outcome=failed`
    #[command(
        after_help = "GPU-hours = gpus × hours. Quoted fields may hold commas. Jobs that lack a tag key other jobs have get that key = \"untagged\" (counted on stderr and in the output's header). A malformed line is refused with its file:line (exit 2, no output written).\n\nExample:\n  ecoband inventory csv jobs.csv --out rows.toml"
    )]
    Csv(InventoryCsvArgs),
}

#[derive(Debug, Args)]
pub struct SacctArgs {
    /// The export (`sacct --parsable2 -o JobID,JobName,Partition,Elapsed,AllocTRES,State,Start,End`)
    pub file: PathBuf,
    /// Tag jobs by a pattern: KEY=VALUE:REGEX, KEY=REGEX (the value is what matched), KEY@COLUMN=… for a column other than JobName (`partition` is short for Partition). Repeatable; per key, the first rule that matches wins, in the order given
    #[arg(long, value_name = "KEY[@COLUMN]=[VALUE:]REGEX")]
    pub tag_by: Vec<String>,
    /// Where the GPU count is: a TRES key read from AllocTRES (gres/gpu counts every type; gres/gpu:a100 one type), COLUMN:KEY for another TRES column (ReqTRES:gres/gpu), or a column holding plain counts
    #[arg(
        long,
        default_value = "gres/gpu",
        value_name = "[COLUMN:]TRES_KEY|COLUMN"
    )]
    pub gpu_field: String,
    /// Write the rows to this file (atomically) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InventoryCsvArgs {
    /// The CSV of jobs
    pub file: PathBuf,
    /// Write the rows to this file (atomically) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
