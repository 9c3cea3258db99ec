//! Exact counts of samples at or below, and below, fixed thresholds of
//! output series: P(output > t) for `--exceed` and `claim`, and the
//! percentile of the deterministic baseline. Counting during the run
//! (rather than reading the quantile sketch) gives the exact empirical
//! probability; the counts are integers, so they merge to the same bits
//! in any order and for any number of threads.

/// A threshold on output series `series`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub series: usize,
    pub value: f64,
}

/// Counts for each threshold of a plan (same order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Samples with output ≤ threshold.
    pub at_most: Vec<u64>,
    /// Samples with output < threshold.
    pub below: Vec<u64>,
}

impl Tally {
    pub fn new(n: usize) -> Self {
        Tally {
            at_most: vec![0; n],
            below: vec![0; n],
        }
    }

    pub fn reset(&mut self) {
        self.at_most.fill(0);
        self.below.fill(0);
    }

    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.at_most.iter_mut().zip(&other.at_most) {
            *a += b;
        }
        for (a, b) in self.below.iter_mut().zip(&other.below) {
            *a += b;
        }
    }

    /// Counts a block of values of one series against threshold `k`;
    /// branch-free so that the loop vectorises.
    #[inline]
    pub fn add_block(&mut self, k: usize, threshold: f64, xs: &[f64]) {
        crate::cpu::dispatch(
            #[inline(always)]
            || tally_add_block(self, k, threshold, xs),
        )
    }
}

/// The thresholds of a run grouped by series, so the engine finds those of
/// a series in one lookup as the model hands it the series' block.
#[derive(Debug, Clone, Default)]
pub struct ThresholdPlan {
    pub thresholds: Vec<Threshold>,
    /// For each output series, the indexes into `thresholds` on it.
    by_series: Vec<Vec<usize>>,
}

impl ThresholdPlan {
    pub fn new(thresholds: Vec<Threshold>, n_outputs: usize) -> Self {
        let mut by_series = vec![Vec::new(); n_outputs];
        for (k, t) in thresholds.iter().enumerate() {
            by_series[t.series].push(k);
        }
        ThresholdPlan {
            thresholds,
            by_series,
        }
    }

    pub fn len(&self) -> usize {
        self.thresholds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.thresholds.is_empty()
    }

    /// Counts a block of series `j` against each of its thresholds.
    #[inline]
    pub fn count(&self, tally: &mut Tally, j: usize, xs: &[f64]) {
        let Some(ks) = self.by_series.get(j) else {
            return;
        };
        for &k in ks {
            tally.add_block(k, self.thresholds[k].value, xs);
        }
    }
}

/// The loop of [`Tally`]'s `add_block`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn tally_add_block(this: &mut Tally, k: usize, threshold: f64, xs: &[f64]) {
    let (mut at_most, mut below) = (0u64, 0u64);
    for x in xs {
        at_most += u64::from(*x <= threshold);
        below += u64::from(*x < threshold);
    }
    this.at_most[k] += at_most;
    this.below[k] += below;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_ties_on_both_sides_and_merges() {
        let plan = ThresholdPlan::new(
            vec![
                Threshold {
                    series: 1,
                    value: 2.0,
                },
                Threshold {
                    series: 0,
                    value: 0.5,
                },
            ],
            2,
        );
        let mut a = Tally::new(2);
        plan.count(&mut a, 1, &[1.0, 2.0, 2.0, 3.0]);
        plan.count(&mut a, 0, &[0.0, 1.0]);
        assert_eq!(a.at_most, vec![3, 1]);
        assert_eq!(a.below, vec![1, 1]);
        let mut b = Tally::new(2);
        plan.count(&mut b, 1, &[5.0]);
        a.merge(&b);
        assert_eq!(a.at_most, vec![3, 1]);
        // NaN is neither at most nor below: it counts as exceeding.
        let mut c = Tally::new(2);
        plan.count(&mut c, 1, &[f64::NAN]);
        assert_eq!(c.at_most[0], 0);
    }
}
