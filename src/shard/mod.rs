//! Beyond one machine: a run split into shards that any machine can compute
//! without coordination, and merged into exactly the bytes a single run
//! gives.
//!
//! A run's samples fall in fixed chunks whose moments are merged by a tree
//! of fixed shape (`analyze::tree`): an aligned block of 2^k chunks is
//! always one subtree. A shard covers a contiguous range of chunks, which
//! it splits into maximal aligned blocks and keeps each block's merged
//! moments apart; `merge` pushes every block, in chunk order, into the same
//! tree a single run builds. Sketches and threshold counts are integers and
//! merge in any order.

pub mod part;
pub mod queue;
pub mod slurm;

use std::ops::Range;

use crate::analyze::tree::Mergeable;
use crate::analyze::{Moments, PairwiseMerger};
use crate::engine::{self, Accumulated, CHUNK};
use crate::model::Model;
use crate::sample::PointSource;

/// The most shards a run may be cut into (a merge keeps one entry per
/// shard; Slurm arrays are far smaller).
pub const MAX_SHARDS: u64 = 1_000_000;

/// `--shard I/N`: the I-th of N shards (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: u64,
    pub count: u64,
}

impl ShardSpec {
    pub fn parse(text: &str) -> Result<ShardSpec, String> {
        let bad = || {
            format!(
                "--shard {text}: expected I/N with 0 ≤ I < N, e.g. --shard 0/4 … --shard 3/4 for four shards"
            )
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        if count > MAX_SHARDS {
            return Err(format!(
                "--shard {text}: at most {MAX_SHARDS} shards (the merge reads every part)"
            ));
        }
        Ok(ShardSpec { index, count })
    }

    /// The chunks of `samples` samples this shard evaluates.
    pub fn chunks(&self, samples: u64) -> Range<u64> {
        self.slice(samples.div_ceil(CHUNK))
    }

    /// This shard's contiguous share of `total` chunks.
    pub fn slice(&self, total: u64) -> Range<u64> {
        // u128: chunk counts times shard counts may pass u64.
        let at = |i: u64| (u128::from(total) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// `--shard I/N` with the `--out` part file it needs.
pub fn target<'a>(
    shard: &str,
    out: Option<&'a std::path::Path>,
) -> Result<(ShardSpec, &'a std::path::Path), String> {
    let spec = ShardSpec::parse(shard)?;
    let out = out.ok_or_else(|| {
        "--shard writes a part file: give it with --out, e.g. --shard 0/4 --out part-0.json"
            .to_string()
    })?;
    Ok((spec, out))
}

/// The maximal aligned blocks of a chunk range: (first chunk, chunks), each
/// a power of two starting at a multiple of itself.
pub fn aligned_blocks(chunks: Range<u64>) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut at = chunks.start;
    while at < chunks.end {
        let mut size = if at == 0 {
            1u64 << 62
        } else {
            1u64 << at.trailing_zeros().min(62)
        };
        while at + size > chunks.end {
            size /= 2;
        }
        out.push((at, size));
        at += size;
    }
    out
}

/// What one source of a shard accumulated: each aligned block's moments,
/// and the sketches and counts of all its samples (with, for the shard
/// holding chunk 0, the convergence checkpoints inside its first block).
#[derive(Debug, Clone)]
pub struct ShardAccumulated {
    pub blocks: Vec<(u64, u64, Moments)>,
    pub rest: Accumulated,
}

/// Evaluates the chunks of `chunks` (of a run of `samples` samples).
pub fn run_chunks(
    pool: &rayon::ThreadPool,
    model: &Model,
    points: &dyn PointSource,
    samples: u64,
    chunks: Range<u64>,
    plan: &crate::analyze::ThresholdPlan,
) -> Option<ShardAccumulated> {
    let mut blocks = Vec::new();
    let mut rest: Option<Accumulated> = None;
    for (first, size) in aligned_blocks(chunks) {
        let range = first * CHUNK..((first + size) * CHUNK).min(samples);
        let acc = engine::run_range_in(pool, model, points, range, plan, &|_| {});
        blocks.push((first, size, acc.moments.clone()));
        rest = Some(match rest {
            None => acc,
            Some(r) => r.merge(&acc),
        });
    }
    rest.map(|rest| ShardAccumulated { blocks, rest })
}

/// One source's blocks from every shard, pushed in chunk order into the
/// tree of a single run: its accumulators, bit for bit. `on_prefix` sees
/// the merged first 2^k chunks whenever the blocks pushed so far make one
/// (fewer than all): a single run's convergence checkpoints. `Err` names
/// the first chunk missing or covered twice.
pub fn merge_blocks<T: Mergeable>(
    mut blocks: Vec<(u64, u64, T)>,
    total_chunks: u64,
    mut on_prefix: impl FnMut(&T),
) -> Result<Option<T>, String> {
    blocks.sort_by_key(|(first, _, _)| *first);
    let mut merger = PairwiseMerger::default();
    let mut next = 0;
    for (first, size, moments) in blocks {
        if first != next {
            return Err(if first < next {
                format!("chunk {first} is covered twice")
            } else {
                format!("chunks {next} to {} are missing", first - 1)
            });
        }
        merger.push_block(size, moments);
        next = first + size;
        if next.is_power_of_two()
            && next < total_chunks
            && let Some(prefix) = merger.whole()
        {
            on_prefix(prefix);
        }
    }
    if next != total_chunks {
        return Err(format!("chunks {next} to {} are missing", total_chunks - 1));
    }
    Ok(merger.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_maximal_and_tile_the_range() {
        assert_eq!(aligned_blocks(0..8), vec![(0, 8)]);
        assert_eq!(aligned_blocks(3..13), vec![(3, 1), (4, 4), (8, 4), (12, 1)]);
        assert_eq!(aligned_blocks(0..5), vec![(0, 4), (4, 1)]);
        assert!(aligned_blocks(7..7).is_empty());
        for (a, b) in [(0, 1000), (17, 999), (255, 257)] {
            let blocks = aligned_blocks(a..b);
            let mut at = a;
            for (first, size) in blocks {
                assert_eq!(first, at);
                assert!(size.is_power_of_two() && first % size == 0);
                at += size;
            }
            assert_eq!(at, b);
        }
    }

    #[test]
    fn shards_split_the_chunks_without_gap_or_overlap() {
        for n in [1, 3, 8, 64, 1000] {
            let mut at = 0;
            for i in 0..n {
                let c = ShardSpec { index: i, count: n }.chunks(1_000_000);
                assert_eq!(c.start, at);
                at = c.end;
            }
            assert_eq!(at, 1_000_000u64.div_ceil(CHUNK));
        }
        assert!(ShardSpec::parse("4/4").is_err());
        assert!(ShardSpec::parse("0/0").is_err());
        assert!(ShardSpec::parse("x").is_err());
        assert_eq!(ShardSpec::parse(" 2/5").unwrap().index, 2);
    }

    #[test]
    fn blocks_pushed_in_order_give_the_single_runs_moments() {
        // Moments of one value per chunk: the merger over chunks one by one
        // against blocks of a shard split, compared bit for bit.
        let chunk = |c: u64| {
            let mut m = Moments::empty(1);
            m.count = 1;
            m.mean[0] = (c as f64 * 0.37).sin() * 1e3 + 1e6;
            m
        };
        let total = 37;
        let mut direct = PairwiseMerger::default();
        // The prefixes a single run records as convergence checkpoints.
        let mut direct_prefixes = Vec::new();
        for c in 0..total {
            direct.push(chunk(c));
            if (c + 1).is_power_of_two() && c + 1 < total {
                direct_prefixes.push(direct.whole().unwrap().clone());
            }
        }
        let direct = direct.finish().unwrap();
        for n in [1, 3, 8, 64] {
            let mut blocks = Vec::new();
            for i in 0..n {
                let range = {
                    let at = |i: u64| total * i / n;
                    at(i)..at(i + 1)
                };
                for (first, size) in aligned_blocks(range) {
                    let mut m = PairwiseMerger::default();
                    for c in first..first + size {
                        m.push(chunk(c));
                    }
                    blocks.push((first, size, m.finish().unwrap()));
                }
            }
            let first_block = blocks[0].1;
            blocks.reverse();
            let mut prefixes = Vec::new();
            let merged = merge_blocks(blocks, total, |p| prefixes.push(p.clone()))
                .unwrap()
                .unwrap();
            assert_eq!(merged, direct, "{n} shards");
            // Those inside the first block are the shard's to record.
            let inside = first_block.trailing_zeros() as usize;
            assert_eq!(prefixes, direct_prefixes[inside..], "{n} shards");
        }
        let err = merge_blocks(vec![(0, 1, chunk(0)), (2, 1, chunk(2))], 3, |_| {}).unwrap_err();
        assert_eq!(err, "chunks 1 to 1 are missing");
    }
}
