//! The part file a shard writes (`run|sobol --shard I/N --out
//! part-I.json`): versioned, checksummed, and enough to rebuild the run's
//! accumulators exactly. Documented in docs/cluster.md.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyze::sketch::SketchState;
use crate::analyze::sobol::SobolSums;
use crate::analyze::{Moments, QuantileSketch, Tally};
use crate::engine::{Accumulated, CHUNK};
use crate::result::ScenarioInfo;

use super::ShardAccumulated;

/// The format's name and version: a merge refuses any other.
pub const FORMAT: &str = "ecoband-part/1";

/// What was asked of the whole run; identical in every part of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartSettings {
    /// `-n` as asked (before a randomised design's rounding).
    pub samples: u64,
    pub seed: u64,
    pub level: f64,
    pub sampler: String,
    pub replicates: u32,
    pub extra_quantiles: Vec<f64>,
    /// `--exceed` arguments as given.
    pub exceed: Vec<String>,
    /// Samples each source (the run, or each replicate) draws.
    pub per_source: u64,
}

/// What a sobol shard was asked; identical in every part of one analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolPartSettings {
    /// Base samples per design (a power of two).
    pub n_base: u64,
    pub seed: u64,
    pub level: f64,
    pub second_order: bool,
    pub sampler: String,
    pub replicates: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub index: u64,
    pub count: u64,
}

/// One aligned block of a sobol design part: its chunks' merged sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolBlock {
    pub first_chunk: u64,
    pub chunks: u64,
    pub sums: SobolSums,
}

/// What the shard computed, by command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// `run --shard`: each source's (the run's, or each replicate's)
    /// accumulators.
    Run {
        settings: PartSettings,
        sources: Vec<SourcePart>,
    },
    /// `sobol --shard`: the blocks of each design part (a batch's base
    /// samples from one point source), in design order.
    Sobol {
        settings: SobolPartSettings,
        parts: Vec<Vec<SobolBlock>>,
    },
}

/// One aligned block's moments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockMoments {
    pub first_chunk: u64,
    pub chunks: u64,
    pub count: u64,
    pub mean: Vec<f64>,
    pub m2: Vec<f64>,
}

impl BlockMoments {
    fn of(first_chunk: u64, chunks: u64, m: &Moments) -> Self {
        BlockMoments {
            first_chunk,
            chunks,
            count: m.count,
            mean: m.mean.clone(),
            m2: m.m2.clone(),
        }
    }

    fn moments(&self) -> Moments {
        Moments {
            count: self.count,
            mean: self.mean.clone(),
            m2: self.m2.clone(),
        }
    }
}

/// What one source (the run, or one replicate) accumulated in this shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcePart {
    pub blocks: Vec<BlockMoments>,
    /// The convergence checkpoints inside this shard's first block, when
    /// it starts at chunk 0 (the later ones the merge rebuilds from the
    /// blocks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<BlockMoments>,
    pub sketches: Vec<SketchState>,
    pub at_most: Vec<u64>,
    pub below: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub ecoband_version: String,
    /// The first 16 hex digits of the SHA-256 of the ecoband binary that
    /// computed it: two builds of one version (a `cargo build` during a
    /// long job) do not merge.
    pub ecoband_build: String,
    /// [`crate::cpu::math_fingerprint`] of the machine that computed it:
    /// parts whose math library rounds differently do not merge.
    pub math_library: String,
    pub scenario: ScenarioInfo,
    pub overrides: Vec<String>,
    pub shard: ShardInfo,
    pub work: Work,
}

impl Part {
    /// Shard `shard` of `scenario`'s run or analysis, computed here by this
    /// binary.
    pub fn new(scenario: &crate::scenario::Scenario, shard: super::ShardSpec, work: Work) -> Part {
        Part {
            ecoband_version: env!("CARGO_PKG_VERSION").to_string(),
            ecoband_build: build_id(),
            math_library: crate::cpu::math_fingerprint(),
            scenario: ScenarioInfo::of(scenario),
            overrides: scenario.overrides.clone(),
            shard: ShardInfo {
                index: shard.index,
                count: shard.count,
            },
            work,
        }
    }

    /// Writes it to `out`, the error naming the file.
    pub fn write_to(&self, out: &Path) -> Result<(), crate::app::AppError> {
        write(out, self).map_err(|e| {
            crate::app::AppError::Io(format!("{}: cannot write the part: {e}", out.display()))
        })
    }

    /// Whether `other` was asked the same (command and settings).
    pub fn same_settings(&self, other: &Part) -> bool {
        match (&self.work, &other.work) {
            (Work::Run { settings: a, .. }, Work::Run { settings: b, .. }) => a == b,
            (Work::Sobol { settings: a, .. }, Work::Sobol { settings: b, .. }) => a == b,
            _ => false,
        }
    }

    /// The command that wrote it: `run` or `sobol`.
    pub fn kind(&self) -> &'static str {
        match self.work {
            Work::Run { .. } => "run",
            Work::Sobol { .. } => "sobol",
        }
    }
}

/// The file: format, the SHA-256 of the part's compact JSON, the part.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PartFile {
    format: String,
    sha256: String,
    part: Part,
}

fn checksum(part: &Part) -> Result<String, String> {
    let text = serde_json::to_string(part).map_err(|e| e.to_string())?;
    Ok(crate::scenario::hex_sha256(text.as_bytes()))
}

impl SourcePart {
    /// A shard's accumulators (None: the shard has no chunks) in file form.
    pub fn of(acc: Option<&ShardAccumulated>, n_outputs: usize, thresholds: usize) -> Self {
        match acc {
            None => SourcePart {
                blocks: Vec::new(),
                checkpoints: Vec::new(),
                sketches: vec![QuantileSketch::new().state(); n_outputs],
                at_most: vec![0; thresholds],
                below: vec![0; thresholds],
            },
            Some(a) => SourcePart {
                blocks: a
                    .blocks
                    .iter()
                    .map(|(first, chunks, m)| BlockMoments::of(*first, *chunks, m))
                    .collect(),
                checkpoints: a
                    .rest
                    .checkpoints
                    .iter()
                    .map(|m| BlockMoments::of(0, m.count.div_ceil(CHUNK), m))
                    .collect(),
                sketches: a.rest.sketches.iter().map(QuantileSketch::state).collect(),
                at_most: a.rest.tally.at_most.clone(),
                below: a.rest.tally.below.clone(),
            },
        }
    }
}

/// Every part's share of one source, merged: the accumulators of the
/// single run. `Err` says which chunks are missing or doubled.
pub fn merge_source(parts: &[&SourcePart], total_chunks: u64) -> Result<Accumulated, String> {
    let blocks = parts
        .iter()
        .flat_map(|p| &p.blocks)
        .map(|b| (b.first_chunk, b.chunks, b.moments()))
        .collect();
    let n_out = parts.first().map_or(0, |p| p.sketches.len());
    let mut checkpoints: Vec<Moments> = parts
        .iter()
        .flat_map(|p| &p.checkpoints)
        .map(BlockMoments::moments)
        .collect();
    let moments = super::merge_blocks(blocks, total_chunks, |prefix| {
        checkpoints.push(prefix.clone())
    })?
    .unwrap_or(Moments::empty(n_out));
    checkpoints.sort_by_key(|m| m.count);
    let mut sketches = vec![QuantileSketch::new(); n_out];
    let mut tally = Tally::new(parts.first().map_or(0, |p| p.at_most.len()));
    for p in parts {
        for (s, state) in sketches.iter_mut().zip(&p.sketches) {
            s.merge(&QuantileSketch::from_state(state));
        }
        tally.merge(&Tally {
            at_most: p.at_most.clone(),
            below: p.below.clone(),
        });
    }
    Ok(Accumulated {
        moments,
        sketches,
        tally,
        checkpoints,
    })
}

/// Writes a part atomically (a shard killed midway leaves no file).
pub fn write(path: &Path, part: &Part) -> Result<(), String> {
    let file = PartFile {
        format: FORMAT.into(),
        sha256: checksum(part)?,
        part: part.clone(),
    };
    let mut text = serde_json::to_string(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    crate::report::write::write_atomically(path, text.as_bytes()).map_err(|e| e.to_string())
}

/// Reads a part, refusing anything that is not a whole, unaltered part of
/// this format.
pub fn read(path: &Path) -> Result<Part, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let head: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("not a complete JSON file (truncated or corrupted: {e})"))?;
    match head.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(format!(
                "part format `{other}`, but this ecoband reads `{FORMAT}`: merge with the version that wrote it"
            ));
        }
        None => {
            return Err(format!(
                "not an ecoband part file (no `format`; parts are written by `ecoband run|sobol … --shard I/N --out FILE`, format `{FORMAT}`)"
            ));
        }
    }
    let file: PartFile =
        serde_json::from_value(head).map_err(|e| format!("a malformed part (corrupted: {e})"))?;
    if checksum(&file.part)? != file.sha256 {
        return Err("its checksum does not match its content (the file was altered or corrupted); rerun this shard".into());
    }
    Ok(file.part)
}

/// The running binary's [`Part::ecoband_build`] ("unknown" where it cannot
/// be read).
pub fn build_id() -> String {
    std::env::current_exe().and_then(std::fs::read).map_or_else(
        |_| "unknown".to_string(),
        |bytes| crate::scenario::hex_sha256(&bytes)[..16].to_string(),
    )
}
