//! Plain Monte Carlo from a counter-based random stream: the uniforms of
//! sample `i` are a pure function of (seed, i, coordinate), so results do not
//! depend on how samples are split across threads or machines.
//!
//! The stream of sample `i` is SplitMix64 (Steele, Lea & Flood 2014) started
//! from a hash of (seed, i). SplitMix64's output function is a strong 64-bit
//! mixer (it passes BigCrush as a generator), and hashing the sample index
//! through it decorrelates neighbouring samples.

use super::PointSource;

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function: a strong 64-bit mixer, shared with the
/// other designs of this module to key their random choices.
#[inline]
pub(super) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform in the open interval (0, 1): the midpoint of one of 2^52
/// cells, never 0 or 1, so every inverse CDF is finite. (With 53 bits,
/// (2^53 − 1) + 0.5 needs 54 significant bits and rounds up to 2^53, i.e.
/// u = 1.)
#[inline]
fn open_unit(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonteCarlo {
    key: u64,
}

impl MonteCarlo {
    pub fn new(seed: u64) -> Self {
        MonteCarlo {
            key: mix64(seed ^ 0x6563_6f62_616e_6421),
        }
    }
}

impl PointSource for MonteCarlo {
    fn name(&self) -> &'static str {
        "mc"
    }

    #[inline]
    fn point(&self, index: u64, u: &mut [f64]) {
        let mut state = self.stream(index);
        for x in u.iter_mut() {
            state = state.wrapping_add(GOLDEN_GAMMA);
            *x = open_unit(mix64(state));
        }
    }

    /// Coordinate by coordinate over the block, so that each step is one
    /// loop over samples of independent 64-bit mixes (vector multiplies
    /// where the CPU has them).
    fn points_block(&self, first: u64, n: usize, u: &mut [f64], stride: usize, row: &mut [f64]) {
        crate::cpu::dispatch(
            #[inline(always)]
            || monte_carlo_points_block(self, first, n, u, stride, row),
        )
    }
}

impl MonteCarlo {
    /// The SplitMix64 state of sample `index`'s stream.
    #[inline]
    fn stream(&self, index: u64) -> u64 {
        mix64(self.key ^ mix64(index.wrapping_add(GOLDEN_GAMMA)))
    }
}

/// Plain Monte Carlo whose coordinates are chosen by key instead of by
/// position: coordinate `d` of sample `i` is the value the stream of `i`
/// takes at its step `keys[d]`. With keys 1, 2, …, d it is [`MonteCarlo`]
/// bit for bit; two models whose factors of the same name are given the
/// same keys draw the same uniforms for them (common random numbers for a
/// paired comparison), whatever order or number of factors each has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedMonteCarlo {
    base: MonteCarlo,
    /// The step of the sample's stream each coordinate takes; ≥ 1.
    keys: Vec<u64>,
}

impl KeyedMonteCarlo {
    pub fn new(seed: u64, keys: Vec<u64>) -> Self {
        KeyedMonteCarlo {
            base: MonteCarlo::new(seed),
            keys,
        }
    }
}

impl PointSource for KeyedMonteCarlo {
    fn name(&self) -> &'static str {
        "mc"
    }

    #[inline]
    fn point(&self, index: u64, u: &mut [f64]) {
        let start = self.base.stream(index);
        for (x, key) in u.iter_mut().zip(&self.keys) {
            *x = open_unit(mix64(start.wrapping_add(key.wrapping_mul(GOLDEN_GAMMA))));
        }
    }

    fn points_block(&self, first: u64, n: usize, u: &mut [f64], stride: usize, _row: &mut [f64]) {
        crate::cpu::dispatch(
            #[inline(always)]
            || keyed_points_block(self, first, n, u, stride, _row),
        )
    }
}

/// The loop of [`MonteCarlo`]'s `points_block`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn monte_carlo_points_block(
    this: &MonteCarlo,
    first: u64,
    n: usize,
    u: &mut [f64],
    stride: usize,
    row: &mut [f64],
) {
    const LANES: usize = 64;
    let mut states = [0u64; LANES];
    for start in (0..n).step_by(LANES) {
        let lanes = (n - start).min(LANES);
        for (s, state) in states[..lanes].iter_mut().enumerate() {
            *state = this.stream(first + (start + s) as u64);
        }
        for d in 0..row.len() {
            let out = &mut u[d * stride + start..d * stride + start + lanes];
            for (x, state) in out.iter_mut().zip(&mut states) {
                *state = state.wrapping_add(GOLDEN_GAMMA);
                *x = open_unit(mix64(*state));
            }
        }
    }
}

/// The loop of [`KeyedMonteCarlo`]'s `points_block`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn keyed_points_block(
    this: &KeyedMonteCarlo,
    first: u64,
    n: usize,
    u: &mut [f64],
    stride: usize,
    _row: &mut [f64],
) {
    const LANES: usize = 64;
    let mut starts = [0u64; LANES];
    for start in (0..n).step_by(LANES) {
        let lanes = (n - start).min(LANES);
        for (s, state) in starts[..lanes].iter_mut().enumerate() {
            *state = this.base.stream(first + (start + s) as u64);
        }
        for (d, key) in this.keys.iter().enumerate() {
            let step = key.wrapping_mul(GOLDEN_GAMMA);
            let out = &mut u[d * stride + start..d * stride + start + lanes];
            for (x, state) in out.iter_mut().zip(&starts) {
                *x = open_unit(mix64(state.wrapping_add(step)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_stream_with_positional_keys_is_the_plain_stream() {
        let (dims, n, stride) = (6, 100, 100);
        let plain = MonteCarlo::new(9);
        let keyed = KeyedMonteCarlo::new(9, (1..=dims as u64).collect());
        let (mut a, mut b) = (vec![0.0; dims * stride], vec![0.0; dims * stride]);
        let mut row = vec![0.0; dims];
        plain.points_block(500, n, &mut a, stride, &mut row);
        keyed.points_block(500, n, &mut b, stride, &mut row);
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        let (mut p, mut q) = (vec![0.0; dims], vec![0.0; dims]);
        plain.point(77, &mut p);
        keyed.point(77, &mut q);
        assert_eq!(p, q);
        // Reordered keys give the same coordinates, reordered.
        let swapped = KeyedMonteCarlo::new(9, vec![3, 1, 2, 4, 5, 6]);
        swapped.point(77, &mut q);
        assert_eq!((q[0], q[1], q[2]), (p[2], p[0], p[1]));
    }

    #[test]
    fn same_index_same_point_and_in_open_interval() {
        let mc = MonteCarlo::new(7);
        let (mut a, mut b) = ([0.0; 5], [0.0; 5]);
        mc.point(123, &mut a);
        mc.point(123, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().all(|x| *x > 0.0 && *x < 1.0));
        mc.point(124, &mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn block_points_equal_single_points() {
        // 150 samples cross the generator's 64-sample lanes; stride 160
        // leaves room that must stay untouched.
        let mc = MonteCarlo::new(3);
        let (dims, n, stride) = (7, 150, 160);
        let mut u = vec![-1.0; dims * stride];
        let mut row = vec![0.0; dims];
        mc.points_block(1_000, n, &mut u, stride, &mut row);
        let mut one = vec![0.0; dims];
        for s in 0..n {
            mc.point(1_000 + s as u64, &mut one);
            for d in 0..dims {
                assert_eq!(
                    u[d * stride + s].to_bits(),
                    one[d].to_bits(),
                    "sample {s} dim {d}"
                );
            }
        }
        for d in 0..dims {
            assert!(
                u[d * stride + n..(d + 1) * stride]
                    .iter()
                    .all(|x| *x == -1.0)
            );
        }
    }

    #[test]
    fn extreme_bits_stay_inside_the_open_interval() {
        assert!(open_unit(u64::MAX) < 1.0);
        assert!(open_unit(0) > 0.0);
    }

    #[test]
    fn uniform_moments() {
        // Mean 1/2 and variance 1/12: over 10^6 draws the SE of the mean is
        // 0.000289, so 4 SE = 0.00116.
        let mc = MonteCarlo::new(1);
        let mut u = [0.0; 4];
        let (mut s, mut s2) = (0.0, 0.0);
        let n = 250_000u64;
        for i in 0..n {
            mc.point(i, &mut u);
            for x in u {
                s += x;
                s2 += x * x;
            }
        }
        let m = s / (4 * n) as f64;
        let v = s2 / (4 * n) as f64 - m * m;
        assert!((m - 0.5).abs() < 0.00116, "mean {m}");
        assert!((v - 1.0 / 12.0).abs() < 0.001, "variance {v}");
    }
}
