//! A mergeable quantile sketch with bounded relative error.
//!
//! Values are binned by their IEEE-754 bits: the sign, the 11 exponent bits
//! and the top `MANTISSA_BITS` mantissa bits. Each bin spans a relative width
//! of at most 2^-10 of its lower edge, so the bin midpoint is within
//! 2^-11 ≈ 0.049 % of every value in the bin: a quantile read from the sketch
//! is within 0.05 % (relative) of the exact order statistic. (The issue asks
//! for ≤ 0.1 %.) Bin counts are integers, so merging sketches is exact and
//! order-independent, which keeps results bit-identical across threads.
//! A bin index costs a shift, not a logarithm, which matters in the hot loop.

use std::collections::BTreeMap;

const MANTISSA_BITS: u32 = 10;
const SHIFT: u32 = 52 - MANTISSA_BITS;

/// Relative error bound of a quantile read from the sketch.
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << (MANTISSA_BITS + 1)) as f64;

/// Counts move to a bin's carry in units of `CARRY` (2^15).
const CARRY: u16 = 1 << 15;

/// Dense counts over a contiguous range of bin indices, grown on demand.
///
/// Counts are 16-bit, a quarter of the memory of 64-bit ones: a run's 85
/// series then fit in a core's L2 cache together, where 64-bit counts
/// spilled to L3 and the increment dominated the hot loop. A count is kept
/// below `CARRY` by [`Store::sweep`], which moves multiples of `CARRY` into
/// the bin's carry; the sketch sweeps before `CARRY` values have been added
/// since the last sweep, so no count can pass 2^16 − 1 between sweeps and
/// the increment needs no overflow check.
#[derive(Debug, Clone, Default)]
struct Store {
    first: u64,
    counts: Vec<u16>,
    /// Units of `CARRY` moved out of a bin's count, by absolute bin.
    carries: BTreeMap<u64, u64>,
}

impl Store {
    /// Adds one value's bin; the common case (a bin already covered) is a
    /// single comparison.
    #[inline]
    fn add_one(&mut self, bin: u64) {
        let i = bin.wrapping_sub(self.first) as usize;
        if i < self.counts.len() {
            self.counts[i] += 1;
        } else {
            self.add(bin, 1);
        }
    }

    /// Whether bins `lo` to `hi` are all counted.
    #[inline(always)]
    fn covers(&self, lo: u64, hi: u64) -> bool {
        lo >= self.first && hi < self.first + self.counts.len() as u64
    }

    /// Adds positive values whose bins [`Store::covers`] says are counted:
    /// the hot path, a shift and an increment per value.
    #[inline(always)]
    fn add_covered(&mut self, xs: &[f64]) {
        let first = self.first;
        let counts = &mut self.counts[..];
        for x in xs {
            counts[((x.to_bits() >> SHIFT) - first) as usize] += 1;
        }
    }

    /// Adds `n` to a bin, growing the range with slack on the side that
    /// grows (half the current length, at least `MIN_SLACK` bins), so that a
    /// run that keeps finding new extremes reallocates O(log range) times
    /// instead of once per new bin. Leaves the bin's count below `CARRY`.
    fn add(&mut self, bin: u64, n: u64) {
        const MIN_SLACK: u64 = 256;
        let slack = (self.counts.len() as u64 / 2).max(MIN_SLACK);
        if self.counts.is_empty() {
            self.first = bin.saturating_sub(MIN_SLACK / 2);
            self.counts
                .resize((bin - self.first + MIN_SLACK / 2) as usize, 0);
        } else if bin < self.first {
            let new_first = bin.saturating_sub(slack);
            let grow = (self.first - new_first) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.first = new_first;
        } else if bin >= self.first + self.counts.len() as u64 {
            self.counts.resize((bin - self.first + slack) as usize, 0);
        }
        let c = &mut self.counts[(bin - self.first) as usize];
        let sum = u64::from(*c) + n;
        let unit = u64::from(CARRY);
        *c = (sum % unit) as u16;
        if sum >= unit {
            *self.carries.entry(bin).or_default() += sum / unit;
        }
    }

    /// Moves `CARRY` out of every count that reached it. Counts are
    /// checked 64 at a time with one OR (the top bit is `CARRY`), which
    /// vectorises; few groups hold a count that high.
    fn sweep(&mut self) {
        const GROUP: usize = 64;
        for (g, group) in self.counts.chunks_mut(GROUP).enumerate() {
            if group.iter().fold(0, |any, c| any | c) & CARRY == 0 {
                continue;
            }
            for (k, c) in group.iter_mut().enumerate() {
                if *c >= CARRY {
                    *c -= CARRY;
                    let bin = self.first + (g * GROUP + k) as u64;
                    *self.carries.entry(bin).or_default() += 1;
                }
            }
        }
    }

    /// (bin, count) of the non-empty bins, lowest bin first: the content,
    /// whatever the layout.
    fn occupied(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.walk(self.counts.iter().enumerate(), self.carries.iter())
    }

    /// [`Store::occupied`], highest bin first.
    fn occupied_from_top(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.walk(
            self.counts.iter().enumerate().rev(),
            self.carries.iter().rev(),
        )
    }

    /// Counts with their carries added, walking both in the same direction:
    /// every carried bin lies in the counted range, so the carries are read
    /// alongside in one ordered walk (a map lookup per bin made reading 85
    /// sketches of 10^4 bins cost more than sampling).
    fn walk<'a>(
        &'a self,
        counts: impl Iterator<Item = (usize, &'a u16)> + 'a,
        carries: impl Iterator<Item = (&'a u64, &'a u64)> + 'a,
    ) -> impl Iterator<Item = (u64, u64)> + 'a {
        let mut carries = carries.peekable();
        counts.filter_map(move |(i, c)| {
            let bin = self.first + i as u64;
            let carried = carries.next_if(|(b, _)| **b == bin).map_or(0, |(_, k)| *k);
            let n = u64::from(*c) + carried * u64::from(CARRY);
            (n > 0).then_some((bin, n))
        })
    }

    fn merge(&mut self, other: &Store) {
        for (bin, c) in other.occupied() {
            self.add(bin, c);
        }
    }

    fn total(&self) -> u64 {
        let low: u64 = self.counts.iter().map(|c| u64::from(*c)).sum();
        low + self.carries.values().sum::<u64>() * u64::from(CARRY)
    }
}

/// A sketch's content in a layout-free form: what a shard's part file
/// stores. Reading it back gives a sketch with the same counts, extremes
/// and hence the same quantiles and merges.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SketchState {
    /// (bin, count) of the non-empty bins of negative values' magnitudes
    /// and of positive values, lowest bin first.
    pub negative: Vec<(u64, u64)>,
    pub zeros: u64,
    pub positive: Vec<(u64, u64)>,
    /// Smallest and largest value (null before any value).
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct QuantileSketch {
    negative: Store,
    zeros: u64,
    positive: Store,
    min: f64,
    max: f64,
    /// Values binned since the stores were last swept (at most `CARRY`).
    unswept: usize,
}

/// The midpoint of the magnitude bin `bin`.
fn bin_midpoint(bin: u64) -> f64 {
    let lo = f64::from_bits(bin << SHIFT);
    let hi = f64::from_bits((bin + 1) << SHIFT);
    0.5 * (lo + hi)
}

/// The smallest and largest of `xs`, except that the smallest is −1 if any
/// value is not positive (zero, negative or NaN). Eight running extremes
/// and plain comparisons, so the loop becomes vector min/max instructions
/// (one running `f64::min` is a chain the compiler may not reorder).
#[inline(always)]
fn positive_extremes(xs: &[f64]) -> (f64, f64) {
    const WIDTH: usize = 8;
    let (mut lo, mut hi) = ([f64::INFINITY; WIDTH], [f64::NEG_INFINITY; WIDTH]);
    let mut lanes = xs.chunks_exact(WIDTH);
    for lane in &mut lanes {
        for k in 0..WIDTH {
            let x = lane[k];
            let flagged = if x > 0.0 { x } else { -1.0 };
            lo[k] = if flagged < lo[k] { flagged } else { lo[k] };
            hi[k] = if x > hi[k] { x } else { hi[k] };
        }
    }
    for (k, &x) in lanes.remainder().iter().enumerate() {
        let flagged = if x > 0.0 { x } else { -1.0 };
        lo[k] = if flagged < lo[k] { flagged } else { lo[k] };
        hi[k] = if x > hi[k] { x } else { hi[k] };
    }
    let lo = lo.iter().fold(f64::INFINITY, |a, b| a.min(*b));
    let hi = hi.iter().fold(f64::NEG_INFINITY, |a, b| a.max(*b));
    (lo, hi)
}

impl QuantileSketch {
    pub fn new() -> Self {
        QuantileSketch {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            ..Default::default()
        }
    }

    pub fn add(&mut self, x: f64) {
        self.add_all(&[x]);
    }

    /// Any value: the rare path (a negative, a zero, a new bin).
    fn add_any(&mut self, x: f64) {
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x > 0.0 {
            self.positive.add_one(x.to_bits() >> SHIFT);
        } else if x < 0.0 {
            self.negative.add_one((-x).to_bits() >> SHIFT);
        } else {
            self.zeros += 1;
        }
    }

    /// Adds a block of values of this output (the engine's hot path).
    pub fn add_all(&mut self, xs: &[f64]) {
        crate::cpu::dispatch(
            #[inline(always)]
            || sketch_add_all(self, xs),
        )
    }

    #[inline(always)]
    fn add_part(&mut self, xs: &[f64]) {
        let (lo, hi) = positive_extremes(xs);
        // The usual block: every value positive, in bins already counted
        // (the bits of positive doubles grow with their values, so the bins
        // of the block's extremes bound the others').
        if lo > 0.0
            && self
                .positive
                .covers(lo.to_bits() >> SHIFT, hi.to_bits() >> SHIFT)
        {
            self.min = self.min.min(lo);
            self.max = self.max.max(hi);
            self.positive.add_covered(xs);
        } else if hi == 0.0 && xs.iter().all(|x| *x == 0.0) {
            // A series that is zero in every sample (e.g. the embodied part
            // of facility energy).
            self.zeros += xs.len() as u64;
            for x in xs {
                // ±0: keep the sign, as the per-value path does.
                self.min = self.min.min(*x);
                self.max = self.max.max(*x);
            }
        } else {
            for x in xs {
                self.add_any(*x);
            }
        }
    }

    pub fn merge(&mut self, other: &QuantileSketch) {
        self.negative.merge(&other.negative);
        self.positive.merge(&other.positive);
        self.zeros += other.zeros;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.negative.total() + self.zeros + self.positive.total()
    }

    pub fn state(&self) -> SketchState {
        let finite = |x: f64| x.is_finite().then_some(x);
        SketchState {
            negative: self.negative.occupied().collect(),
            zeros: self.zeros,
            positive: self.positive.occupied().collect(),
            min: finite(self.min),
            max: finite(self.max),
        }
    }

    pub fn from_state(state: &SketchState) -> Self {
        let mut sketch = QuantileSketch::new();
        for &(bin, n) in &state.negative {
            sketch.negative.add(bin, n);
        }
        for &(bin, n) in &state.positive {
            sketch.positive.add(bin, n);
        }
        sketch.zeros = state.zeros;
        sketch.min = state.min.unwrap_or(f64::INFINITY);
        sketch.max = state.max.unwrap_or(f64::NEG_INFINITY);
        sketch
    }

    pub fn min(&self) -> f64 {
        self.min
    }

    pub fn max(&self) -> f64 {
        self.max
    }

    /// The `q`-quantile: the order statistic of rank ⌈q·n⌉ (at least 1), the
    /// inverse of the empirical CDF, within `RELATIVE_ERROR`; clamped to the
    /// observed [min, max] so that a constant output gives itself exactly.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0u64;
        // Most negative first: the negative store is indexed by magnitude.
        for (bin, c) in self.negative.occupied_from_top() {
            seen += c;
            if seen >= rank {
                return self.clamp(-bin_midpoint(bin));
            }
        }
        seen += self.zeros;
        if seen >= rank {
            return 0.0;
        }
        for (bin, c) in self.positive.occupied() {
            seen += c;
            if seen >= rank {
                return self.clamp(bin_midpoint(bin));
            }
        }
        self.max
    }

    /// Every counted value class in increasing order: a bin's value (its
    /// midpoint clamped to [min, max], as `quantile` reads it) and count.
    pub fn bins(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let negative = self
            .negative
            .occupied_from_top()
            .map(|(bin, c)| (self.clamp(-bin_midpoint(bin)), c));
        let zeros = (self.zeros > 0).then_some((0.0, self.zeros));
        let positive = self
            .positive
            .occupied()
            .map(|(bin, c)| (self.clamp(bin_midpoint(bin)), c));
        negative.chain(zeros).chain(positive)
    }

    fn clamp(&self, x: f64) -> f64 {
        x.clamp(self.min, self.max)
    }
}

/// The loop of [`QuantileSketch`]'s `add_all`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn sketch_add_all(this: &mut QuantileSketch, xs: &[f64]) {
    let most = usize::from(CARRY);
    for part in xs.chunks(most) {
        // Counts are < CARRY after a sweep, so < 2^16 until `most` more
        // values are binned.
        if this.unswept + part.len() > most {
            this.positive.sweep();
            this.negative.sweep();
            this.unswept = 0;
        }
        this.add_part(part);
        this.unswept += part.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact order statistic of rank ⌈q·n⌉.
    fn exact(sorted: &[f64], q: f64) -> f64 {
        let n = sorted.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        sorted[rank - 1]
    }

    #[test]
    fn quantiles_within_relative_error_of_exact() {
        // Values spanning negative, zero and positive over many binades.
        let mut xs: Vec<f64> = (0..20_000)
            .map(|i| {
                let t = (i as f64 * 0.618_033_988_75).fract();
                (t - 0.3) * 10f64.powf(3.0 * t)
            })
            .collect();
        xs.push(0.0);
        let mut a = QuantileSketch::new();
        let mut b = QuantileSketch::new();
        for (i, x) in xs.iter().enumerate() {
            if i % 3 == 0 { a.add(*x) } else { b.add(*x) }
        }
        a.merge(&b);
        xs.sort_by(f64::total_cmp);
        for q in [0.001, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.999] {
            let (est, truth) = (a.quantile(q), exact(&xs, q));
            assert!(
                (est - truth).abs() <= RELATIVE_ERROR * truth.abs() + 1e-300,
                "q {q}: {est} vs {truth}"
            );
        }
        const { assert!(RELATIVE_ERROR < 0.001) };
    }

    #[test]
    fn constant_output_is_exact() {
        let mut s = QuantileSketch::new();
        for _ in 0..10 {
            s.add(12_345.678);
        }
        assert_eq!(s.quantile(0.025), 12_345.678);
        assert_eq!(s.quantile(0.975), 12_345.678);
        // A block of zeros (its own path), then a positive value.
        let mut z = QuantileSketch::new();
        z.add_all(&[0.0; 64]);
        z.add(2.0);
        assert_eq!((z.count(), z.zeros, z.min(), z.max()), (65, 64, 0.0, 2.0));
        assert_eq!(z.quantile(0.5), 0.0);
        assert_eq!(z.quantile(1.0), 2.0);
    }

    #[test]
    fn merge_order_does_not_matter() {
        let xs: Vec<f64> = (1..500).map(|i| (i as f64).sqrt() * 3.3).collect();
        let (mut a, mut b, mut c) = (
            QuantileSketch::new(),
            QuantileSketch::new(),
            QuantileSketch::new(),
        );
        for (i, x) in xs.iter().enumerate() {
            [&mut a, &mut b, &mut c][i % 3].add(*x);
        }
        let mut ab_c = a.clone();
        ab_c.merge(&b);
        ab_c.merge(&c);
        let mut c_ba = c.clone();
        c_ba.merge(&b);
        c_ba.merge(&a);
        assert!(ab_c.positive.occupied().eq(c_ba.positive.occupied()));
        assert_eq!(
            (ab_c.min, ab_c.max, ab_c.count()),
            (c_ba.min, c_ba.max, c_ba.count())
        );
    }

    #[test]
    fn counts_carry_past_sixteen_bits() {
        // 270,000 values in one bin, added one by one and through a merge,
        // carry out of its 16-bit count eight times (8 × 2^15 = 262,144):
        // the counts must stay exact, and the quantiles see every value.
        let mut a = QuantileSketch::new();
        for _ in 0..3124 {
            a.add_all(&[3.0; 64]);
        }
        for _ in 0..64 {
            a.add(3.0);
        }
        for _ in 0..100 {
            a.add(-2.0);
        }
        // The negative store carries too, and is read from its top bin.
        let mut neg = QuantileSketch::new();
        for _ in 0..70_000 {
            neg.add(-1.0);
        }
        neg.add(-8.0);
        assert!(
            neg.negative.occupied_from_top().eq(neg
                .negative
                .occupied()
                .collect::<Vec<_>>()
                .into_iter()
                .rev())
        );
        assert_eq!(neg.quantile(0.0), -8.0);
        assert!((neg.quantile(2.0 / 70_001.0) + 1.0).abs() <= RELATIVE_ERROR);
        let mut b = QuantileSketch::new();
        for _ in 0..70_000 {
            b.add(3.0);
        }
        b.add(5.0);
        a.merge(&b);
        assert_eq!(a.count(), 270_101);
        assert_eq!(a.positive.carries.get(&(3f64.to_bits() >> SHIFT)), Some(&8));
        // Rank 100 is the last −2 (clamped to the minimum, so exact); ranks
        // 101 to 270,100 are 3, read as its bin's midpoint; the top is 5.
        assert_eq!(a.quantile(100.0 / 270_101.0), -2.0);
        let near_3 = |x: f64| (x - 3.0).abs() <= RELATIVE_ERROR * 3.0;
        assert!(near_3(a.quantile(101.0 / 270_101.0)));
        assert!(near_3(a.quantile(270_100.0 / 270_101.0)));
        assert_eq!(a.quantile(1.0), 5.0);
    }
}
