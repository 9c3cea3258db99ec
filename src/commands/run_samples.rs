//! `ecoband run --samples-out FILE.npy [--keep M]`: the run's first M
//! samples, every factor value and each impact's total and scopes, as a
//! 2-D float64 NumPy array for notebooks, with a JSON sidecar
//! (`FILE.npy.json`) naming each column.
//!
//! The rows are recomputed after the run, in a second pass over the run's
//! first M sample indices with the run's own design. Every point source is
//! counter-based (a sample's point depends only on the seed, the replicate
//! and its index) and the model's block API gives each sample the same bits
//! whatever block it is evaluated in, so the rows are exactly the samples
//! the statistics were folded from. Keeping them during the run instead
//! would put a store into the engine's hot loop of every run, for the few
//! runs that ask for samples.

use std::io;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use ndarray_npy::WriteNpyExt;
use rayon::prelude::*;
use serde::Serialize;

use crate::app::{AppError, check_outputs, write_json};
use crate::cli::RunArgs;
use crate::engine::CHUNK;
use crate::model::{FactorKind, Model, Series, ValueBlock};
use crate::report::write::write_atomically_with;
use crate::result::{RunResult, ScenarioInfo};
use crate::scenario::Scenario;

use super::run::{Design, RunOptions, design};

/// Rows kept when `--keep` is not given: enough for scatter plots and
/// histograms, a few tens of MB for a footprint scenario.
pub const DEFAULT_KEEP: u64 = 100_000;

/// Most rows `--keep` may ask for: the whole array is held in memory
/// while it is written (M × columns × 8 bytes; 10^7 rows of the Moshi
/// scenario's 48 columns are 3.8 GB).
pub const MAX_ROWS: u64 = 10_000_000;

/// Most bytes the array may take, whatever the row count: a scenario with
/// hundreds of factors reaches it well below `MAX_ROWS`.
pub const MAX_BYTES: u64 = 4 << 30;

/// Samples evaluated together, as the engine does: the model's block API
/// gives any block size the same bits per sample, and a block of this size
/// keeps its buffers in cache.
const BLOCK: usize = 64;

/// What `--samples-out` and `--keep` ask for, checked before the run.
#[derive(Debug, Clone)]
pub struct Request {
    npy: PathBuf,
    sidecar: PathBuf,
    /// `--keep` as given (`None`: the default, capped at N without a note).
    keep: Option<u64>,
}

/// The sidecar's path: the array's path with `.json` appended, so that it
/// never collides with a run JSON named after the same stem
/// (`--out moshi.json --samples-out moshi.npy`).
pub fn sidecar_path(npy: &Path) -> PathBuf {
    let mut name = npy.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

/// Checks `--samples-out` and `--keep` before anything is loaded or
/// computed: both files writable, a row count within the cap, and no
/// `--shard` (a shard evaluates only some chunks of the run).
pub fn request(args: &RunArgs) -> Result<Option<Request>, AppError> {
    let Some(npy) = &args.samples_out else {
        return Ok(None);
    };
    if args.shard.is_some() {
        return Err(AppError::Input(
            "--samples-out cannot be written by a shard, which evaluates only some chunks of the run; write it from an unsharded `ecoband run` with the same scenario, -n, --seed and --sampler: its first M samples are the sharded run's"
                .into(),
        ));
    }
    match args.keep {
        Some(0) => {
            return Err(AppError::Input(
                "--keep 0 keeps no sample; give the number of rows to write, e.g. --keep 100000"
                    .into(),
            ));
        }
        Some(k) if k > MAX_ROWS => {
            return Err(AppError::Input(format!(
                "--keep {k} is above the cap of {MAX_ROWS} rows: the whole array is held in memory while it is written (rows × columns × 8 bytes); keep fewer rows"
            )));
        }
        _ => {}
    }
    let sidecar = sidecar_path(npy);
    if let Some(out) = &args.out
        && (out == npy || *out == sidecar)
    {
        return Err(AppError::Input(format!(
            "--out {} would be overwritten by --samples-out (the array {}, its columns {}); give them different names",
            out.display(),
            npy.display(),
            sidecar.display()
        )));
    }
    check_outputs(&[
        ("--samples-out", Some(npy.as_path())),
        ("--samples-out (its sidecar)", Some(sidecar.as_path())),
    ])?;
    Ok(Some(Request {
        npy: npy.clone(),
        sidecar,
        keep: args.keep,
    }))
}

impl Request {
    fn keep(&self) -> u64 {
        self.keep.unwrap_or(DEFAULT_KEEP)
    }

    /// Refuses, before the run, an array above `MAX_BYTES`; `most_samples`
    /// bounds the run's N (rows beyond it would be capped anyway).
    pub fn check_size(&self, model: &Model, most_samples: u64) -> Result<(), AppError> {
        let rows = self.keep().min(most_samples);
        let width = columns(model).len() as u64;
        let bytes = rows.saturating_mul(width).saturating_mul(8);
        if bytes > MAX_BYTES {
            return Err(AppError::Input(format!(
                "--samples-out: {rows} rows × {width} columns × 8 bytes is {:.1} GB, above the cap of {:.1} GB held in memory while the file is written; lower --keep to {} or fewer",
                bytes as f64 / 1e9,
                MAX_BYTES as f64 / 1e9,
                MAX_BYTES / 8 / width
            )));
        }
        Ok(())
    }
}

/// The most samples a run with `opts` may evaluate (`--precision` may
/// double N up to `--max-samples`).
pub fn most_samples(model: &Model, opts: &RunOptions) -> Result<u64, AppError> {
    Ok(match opts.precision {
        Some(p) => p.max_samples,
        None => {
            let d = design(model, opts)?;
            d.per_source * d.sources.len() as u64
        }
    })
}

/// Recomputes the first rows of the run that gave `result` and writes the
/// array and its sidecar (each atomically); returns the line `run` prints.
pub fn write(
    request: &Request,
    scenario: &Scenario,
    model: &Model,
    opts: &RunOptions,
    result: &RunResult,
) -> Result<String, AppError> {
    // The run's final design: `--precision` may have doubled N, and the
    // row → (replicate, point) map depends on the points per replicate.
    let samples = result.settings.samples;
    let run_design = design(
        model,
        &RunOptions {
            samples,
            precision: None,
            ..opts.clone()
        },
    )?;
    let rows = request.keep().min(samples);
    if let Some(k) = request.keep
        && k > samples
    {
        eprintln!(
            "note: --keep {k} is more than the run's {samples} samples; keeping all {samples}"
        );
    }
    let columns = columns(model);
    let values = evaluate_rows(model, &run_design, rows, opts.threads, &columns)?;
    let array = Array2::from_shape_vec((rows as usize, columns.len()), values)
        .map_err(|e| AppError::Io(format!("cannot shape the samples' array: {e}")))?;
    write_atomically_with(&request.npy, |out| {
        array.write_npy(out).map_err(io::Error::other)
    })
    .map_err(|e| {
        AppError::Io(format!(
            "{}: cannot write the samples: {e}",
            request.npy.display()
        ))
    })?;
    let sidecar = Sidecar {
        kind: "samples",
        ecoband_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioInfo::of(scenario),
        settings: Settings {
            samples,
            seed: result.settings.seed,
            sampler: &result.settings.sampler,
            replicates: result.settings.replicates,
            overrides: &scenario.overrides,
        },
        array: ArrayInfo {
            file: request
                .npy
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dtype: "<f8",
            order: "C",
            shape: [rows, columns.len() as u64],
        },
        rows: row_ranges(rows, run_design.per_source),
        columns: columns.iter().map(|c| c.meta.clone()).collect(),
    };
    write_json(&request.sidecar, &sidecar)?;
    Ok(format!(
        "samples: the first {rows} of {samples} ({} columns) written to {}, columns named in {}\n",
        columns.len(),
        request.npy.display(),
        request.sidecar.display()
    ))
}

/// Where a column's values come from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// A factor-value slot of the model.
    Slot(usize),
    /// An output series of the model.
    Output(usize),
}

#[derive(Debug, Clone)]
struct Column {
    source: Source,
    meta: ColumnMeta,
}

/// One column as the sidecar names it.
#[derive(Debug, Clone, Serialize)]
struct ColumnMeta {
    index: usize,
    name: String,
    /// `input` (a factor value) or `output` (an impact's total or scope).
    kind: &'static str,
    /// `null` for a choice (its value is an option's index) and for an
    /// output without a unit (a test function's `y`).
    unit: Option<String>,
    /// Inputs: the factor as `ecoband check` lists it (a parameter's name
    /// or the key path of an inline distribution).
    #[serde(skip_serializing_if = "Option::is_none")]
    factor: Option<String>,
    /// Inputs: `scalar`, `share` (one share of a share set) or `choice`.
    #[serde(skip_serializing_if = "Option::is_none")]
    distribution: Option<&'static str>,
    /// A share column: its key in the share set.
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<String>,
    /// A choice column: the options, in the order their index counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Vec<String>>,
    /// Outputs: the impact category and the series (`total` or a scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<String>,
}

/// The array's columns: every factor-value slot in the model's order (a
/// share set one column per share), then each category's total and scopes
/// (tag values are left out: a scenario may have dozens, and they are
/// sums of inventory rows a notebook can regroup from the inputs).
fn columns(model: &Model) -> Vec<Column> {
    let mut columns = Vec::with_capacity(model.n_slots + 8);
    let mut push = |source: Source, meta: ColumnMeta| {
        let index = columns.len();
        columns.push(Column {
            source,
            meta: ColumnMeta { index, ..meta },
        });
    };
    let blank = ColumnMeta {
        index: 0,
        name: String::new(),
        kind: "input",
        unit: None,
        factor: None,
        distribution: None,
        share: None,
        options: None,
        impact: None,
        series: None,
    };
    for f in &model.factors {
        let input = ColumnMeta {
            factor: Some(f.name.clone()),
            unit: f.unit.clone(),
            ..blank.clone()
        };
        match &f.kind {
            FactorKind::Scalar(_) => push(
                Source::Slot(f.slots.start),
                ColumnMeta {
                    name: f.name.clone(),
                    distribution: Some("scalar"),
                    ..input
                },
            ),
            FactorKind::Shares { keys, .. } => {
                for (slot, key) in f.slots.clone().zip(keys) {
                    push(
                        Source::Slot(slot),
                        ColumnMeta {
                            name: format!("{}.{key}", f.name),
                            distribution: Some("share"),
                            share: Some(key.clone()),
                            ..input.clone()
                        },
                    );
                }
            }
            FactorKind::Choice { options, .. } => push(
                Source::Slot(f.slots.start),
                ColumnMeta {
                    name: f.name.clone(),
                    distribution: Some("choice"),
                    options: Some(options.clone()),
                    unit: None,
                    ..input
                },
            ),
        }
    }
    let layout = model.layout();
    for (c, category) in layout.categories.iter().enumerate() {
        let series = std::iter::once(("total", Series::Total)).chain(
            layout
                .scopes
                .iter()
                .enumerate()
                .map(|(s, scope)| (*scope, Series::Scope(s))),
        );
        for (series_name, series) in series {
            push(
                Source::Output(layout.index(c, series)),
                ColumnMeta {
                    // As `--exceed` and the run JSON name them: `gwp`,
                    // `gwp.usage`.
                    name: match series {
                        Series::Total => category.id.to_string(),
                        _ => format!("{}.{series_name}", category.id),
                    },
                    kind: "output",
                    unit: (!category.unit.is_empty()).then(|| category.unit.to_string()),
                    impact: Some(category.id.to_string()),
                    series: Some(series_name.to_string()),
                    ..blank.clone()
                },
            );
        }
    }
    columns
}

/// The sample row `k` is: row k is point `k % per_source` of replicate
/// `k / per_source`, the order in which the run's `samples` count them
/// (plain Monte Carlo has one stream, replicate 0).
fn sample_of(k: u64, per_source: u64) -> (usize, u64) {
    ((k / per_source) as usize, k % per_source)
}

/// Rows `0..rows` of the run's design, row-major (the `.npy` C order):
/// chunks of rows in parallel, each row the same bits whoever computes it.
fn evaluate_rows(
    model: &Model,
    design: &Design,
    rows: u64,
    threads: usize,
    columns: &[Column],
) -> Result<Vec<f64>, AppError> {
    let width = columns.len();
    // Output series → column, for the series the array keeps.
    let mut output_column = vec![None; model.n_outputs()];
    let mut slot_columns = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        match c.source {
            Source::Output(j) => output_column[j] = Some(i),
            Source::Slot(v) => slot_columns.push((v, i)),
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| AppError::Io(format!("cannot start {threads} worker threads: {e}")))?;
    let mut values = vec![0.0; rows as usize * width];
    let rows_per_chunk = CHUNK as usize;
    pool.install(|| {
        values
            .par_chunks_mut(rows_per_chunk * width)
            .enumerate()
            .for_each_init(
                || {
                    (
                        ValueBlock::new(model, BLOCK),
                        model.scratch(),
                        vec![0.0; model.n_dims],
                    )
                },
                |(block, scratch, point), (c, out)| {
                    let first_row = (c * rows_per_chunk) as u64;
                    let n_rows = out.len() / width;
                    let mut r = 0;
                    while r < n_rows {
                        let (source, index) = sample_of(first_row + r as u64, design.per_source);
                        // A block never spans two replicates.
                        let n = (n_rows - r)
                            .min(BLOCK)
                            .min((design.per_source - index) as usize);
                        design.sources[source].points_block(
                            index,
                            n,
                            &mut block.u,
                            block.stride,
                            point,
                        );
                        block.len = n;
                        model.values_from_uniforms_block(block);
                        for &(slot, col) in &slot_columns {
                            let from = &block.values[slot * block.stride..][..n];
                            for (s, x) in from.iter().enumerate() {
                                out[(r + s) * width + col] = *x;
                            }
                        }
                        model.evaluate_series(block.lanes(), scratch, &mut |j, first, x| {
                            if let Some(col) = output_column[j] {
                                for (s, x) in x.iter().enumerate() {
                                    out[(r + first + s) * width + col] = *x;
                                }
                            }
                        });
                        r += n;
                    }
                },
            );
    });
    Ok(values)
}

/// The rows as runs of consecutive points of one replicate.
fn row_ranges(rows: u64, per_source: u64) -> Vec<RowRange> {
    let mut ranges = Vec::new();
    let mut first = 0;
    while first < rows {
        let (replicate, point) = sample_of(first, per_source);
        let n = (rows - first).min(per_source - point);
        ranges.push(RowRange {
            rows: [first, first + n],
            replicate,
            points: [point, point + n],
        });
        first += n;
    }
    ranges
}

#[derive(Debug, Serialize)]
struct Sidecar<'a> {
    kind: &'static str,
    ecoband_version: &'static str,
    scenario: ScenarioInfo,
    settings: Settings<'a>,
    array: ArrayInfo,
    rows: Vec<RowRange>,
    columns: Vec<ColumnMeta>,
}

/// The run the rows come from, as its JSON records it.
#[derive(Debug, Serialize)]
struct Settings<'a> {
    samples: u64,
    seed: u64,
    sampler: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    replicates: Option<u32>,
    overrides: &'a [String],
}

#[derive(Debug, Serialize)]
struct ArrayInfo {
    /// The `.npy` file's name (the sidecar sits beside it).
    file: String,
    dtype: &'static str,
    order: &'static str,
    shape: [u64; 2],
}

/// Rows `rows[0]..rows[1]` (half-open) are points `points[0]..points[1]`
/// of `replicate`.
#[derive(Debug, Serialize)]
struct RowRange {
    rows: [u64; 2],
    replicate: usize,
    points: [u64; 2],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_ranges_follow_the_run_order_of_replicates() {
        let r = row_ranges(10, 4);
        let got: Vec<_> = r.iter().map(|r| (r.rows, r.replicate, r.points)).collect();
        assert_eq!(
            got,
            vec![
                ([0, 4], 0, [0, 4]),
                ([4, 8], 1, [0, 4]),
                ([8, 10], 2, [0, 2])
            ]
        );
        let one = row_ranges(3, 100);
        assert_eq!(one.len(), 1);
        assert_eq!((one[0].rows, one[0].points), ([0, 3], [0, 3]));
    }

    #[test]
    fn sidecar_appends_json() {
        assert_eq!(
            sidecar_path(Path::new("out/moshi.npy")),
            PathBuf::from("out/moshi.npy.json")
        );
    }
}
