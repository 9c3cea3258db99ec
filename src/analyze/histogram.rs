//! A fixed-size histogram of an output's distribution, read from its
//! quantile sketch after the run.
//!
//! The sketch already holds every sample's value to within
//! `sketch::RELATIVE_ERROR` in integer counts that merge exactly across
//! threads and shards, so a histogram built from it needs no work in the
//! hot loop and is byte-identical however the run was split. A sample
//! lands in the bin holding its sketch value, so a sample within 0.05 %
//! of a bin edge may be counted in the neighbouring bin.

use serde::{Deserialize, Serialize};

use super::QuantileSketch;

/// Bins between the `TAIL` and 1 − `TAIL` quantiles: wide enough to show
/// the whole interval and its tails, narrow enough that one extreme sample
/// does not squash the shape into a few bins.
pub const BINS: usize = 100;
pub const TAIL: f64 = 0.001;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// `counts.len() + 1` increasing edges; bin i is [edges[i], edges[i+1])
    /// (the last one closed). A constant output has one bin of zero width.
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
    /// Samples below the first edge and above the last.
    pub below: u64,
    pub above: u64,
}

impl Histogram {
    /// `BINS` equal bins between the sketch's `TAIL` quantiles.
    pub fn of(sketch: &QuantileSketch) -> Histogram {
        let (low, high) = (sketch.quantile(TAIL), sketch.quantile(1.0 - TAIL));
        let bins = if high > low { BINS } else { 1 };
        let width = (high - low) / bins as f64;
        let edges: Vec<f64> = (0..=bins)
            .map(|i| {
                if i == bins {
                    high
                } else {
                    low + width * i as f64
                }
            })
            .collect();
        let mut histogram = Histogram {
            edges,
            counts: vec![0; bins],
            below: 0,
            above: 0,
        };
        for (value, count) in sketch.bins() {
            if value < low {
                histogram.below += count;
            } else if value > high {
                histogram.above += count;
            } else {
                let i = if width > 0.0 {
                    (((value - low) / width) as usize).min(bins - 1)
                } else {
                    0
                };
                histogram.counts[i] += count;
            }
        }
        histogram
    }

    /// Every sample counted: in a bin, below or above.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum::<u64>() + self.below + self.above
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_sample_once_in_the_right_bin() {
        let mut sketch = QuantileSketch::new();
        // 0, 1, …, 9999: uniform, so bins between the 0.1 % quantiles hold
        // about 100 each; the 10 smallest and 10 largest fall outside.
        for i in 0..10_000 {
            sketch.add(f64::from(i));
        }
        let h = Histogram::of(&sketch);
        assert_eq!(h.total(), 10_000);
        assert_eq!(h.counts.len(), BINS);
        assert_eq!(h.edges.len(), BINS + 1);
        assert!(h.edges.windows(2).all(|w| w[0] < w[1]));
        assert!(h.below <= 11 && h.above <= 11, "{} {}", h.below, h.above);
        // Each bin is 99.8 wide; sketch rounding (≤ 0.05 %, i.e. ≤ 5 here)
        // moves at most a few samples across each edge.
        for c in &h.counts {
            assert!((90..=110).contains(c), "{c}");
        }
    }

    #[test]
    fn a_constant_output_has_one_bin() {
        let mut sketch = QuantileSketch::new();
        for _ in 0..100 {
            sketch.add(3.5);
        }
        let h = Histogram::of(&sketch);
        assert_eq!(h.edges, vec![3.5, 3.5]);
        assert_eq!(h.counts, vec![100]);
    }

    #[test]
    fn negative_zero_and_positive_values_in_order() {
        let mut sketch = QuantileSketch::new();
        for x in [-2.0, -1.0, 0.0, 0.0, 1.0, 2.0] {
            sketch.add(x);
        }
        let h = Histogram::of(&sketch);
        assert_eq!(h.total(), 6);
        assert_eq!(h.counts.first(), Some(&1));
        assert_eq!(h.counts.last(), Some(&1));
        assert_eq!(h.counts[50], 2, "zeros sit in the middle bin");
    }
}
