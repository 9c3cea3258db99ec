//! Latin hypercube sampling (McKay, Beckman & Conover 1979) addressed by
//! sample index: with n points, every coordinate has exactly one point in
//! each of the n strata [k/n, (k + 1)/n).
//!
//! Coordinate `d` of point `i` is `(π_d(i) + jitter) / n`, where `π_d` is a
//! keyed pseudo-random permutation of 0..n and the jitter a uniform in
//! (0, 1), both pure functions of (seed, replicate, i, d). The permutation is
//! never stored: it is a balanced Feistel network whose round function is a
//! 64-bit mixer, evaluated on demand, so memory does not depend on n and any
//! point can be generated on any thread.
//!
//! A Feistel network permutes words of an even number of bits. When log2 n
//! is odd it runs on one bit more, over 0..2n, and values that land in n..2n
//! are sent through the network again until they fall below n ("cycle
//! walking", Black & Rogaway 2002). Following the permutation's cycle from
//! a value below n reaches the next value below n on the same cycle, so this
//! is still a bijection of 0..n; on average it takes at most two passes.

use super::PointSource;
use super::counter::mix64;

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// Keeps this design's random choices unrelated to those of other designs
/// built from the same seed.
const SALT: u64 = 0x6c61_7469_6e48_7970; // "latinHyp"

/// Feistel rounds. Four rounds with random round functions already give a
/// strong pseudo-random permutation (Luby & Rackoff 1988); two more cost
/// little and help the small half-widths of small designs.
const ROUNDS: usize = 6;

/// The largest design, 2^32 points. Coordinates carry 53 bits, log2 n of
/// them for the stratum, so this leaves at least 20 bits of jitter.
pub const MAX_LHS_POINTS: u64 = 1 << 32;

/// Why a Latin hypercube could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LhsError {
    #[error("a Latin hypercube needs at least one dimension")]
    NoDimensions,
    #[error(
        "a Latin hypercube needs a number of points that is a power of two and at least 2, got {0}"
    )]
    NotPowerOfTwo(u64),
    #[error("a Latin hypercube supports at most {max} points, got {n}")]
    TooManyPoints { n: u64, max: u64 },
}

/// An n-point Latin hypercube of fixed dimension. Memory is O(dims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatinHypercube {
    n: u64,
    /// log2 n: the stratum's bits in a coordinate.
    log2_n: u32,
    /// Bits in each half of the Feistel word (log2 n rounded up to even,
    /// halved).
    half: u32,
    /// Round keys of each dimension's permutation.
    round_keys: Vec<[u64; ROUNDS]>,
    /// Key of the jitters.
    jitter_key: u64,
}

impl LatinHypercube {
    /// Replicate `replicate` of the `n`-point design seeded by `seed`; `n`
    /// must be a power of two, from 2 to [`MAX_LHS_POINTS`].
    pub fn new(dims: usize, n: u64, seed: u64, replicate: u32) -> Result<Self, LhsError> {
        if dims == 0 {
            return Err(LhsError::NoDimensions);
        }
        if n < 2 || !n.is_power_of_two() {
            return Err(LhsError::NotPowerOfTwo(n));
        }
        if n > MAX_LHS_POINTS {
            return Err(LhsError::TooManyPoints {
                n,
                max: MAX_LHS_POINTS,
            });
        }
        let log2_n = n.trailing_zeros();
        let replicate_key = mix64(mix64(seed ^ SALT) ^ mix64(u64::from(replicate) + GOLDEN_GAMMA));
        let round_keys = (0..dims as u64)
            .map(|d| {
                let mut state = mix64(replicate_key ^ mix64(d.wrapping_add(GOLDEN_GAMMA)));
                std::array::from_fn(|_| {
                    state = state.wrapping_add(GOLDEN_GAMMA);
                    mix64(state)
                })
            })
            .collect();
        Ok(LatinHypercube {
            n,
            log2_n,
            half: log2_n.div_ceil(2),
            round_keys,
            jitter_key: mix64(replicate_key ^ SALT),
        })
    }

    pub fn dims(&self) -> usize {
        self.round_keys.len()
    }

    /// The number of points.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The stratum of coordinate `dim` of point `index`: π_dim(index).
    /// Panics unless `index` is below n: outside 0..n the permutation is
    /// undefined and cycle walking might never end.
    pub fn stratum(&self, index: u64, dim: usize) -> u64 {
        assert!(
            index < self.n,
            "LHS index {index} is not below n = {}",
            self.n
        );
        let keys = &self.round_keys[dim];
        let mut x = self.feistel(index, keys);
        while x >= self.n {
            x = self.feistel(x, keys);
        }
        x
    }

    /// One pass of the balanced Feistel network on 2 × `half` bits.
    #[inline]
    fn feistel(&self, x: u64, keys: &[u64; ROUNDS]) -> u64 {
        let mask = (1u64 << self.half) - 1;
        let (mut left, mut right) = (x >> self.half, x & mask);
        for &key in keys {
            (left, right) = (right, left ^ (mix64(key ^ right) & mask));
        }
        (left << self.half) | right
    }
}

impl PointSource for LatinHypercube {
    fn name(&self) -> &'static str {
        "lhs"
    }

    /// Writes the first `u.len()` coordinates (at most `dims`) of point
    /// `index`, which must be below n (else it panics).
    #[inline]
    fn point(&self, index: u64, u: &mut [f64]) {
        let mut state = mix64(self.jitter_key ^ mix64(index.wrapping_add(GOLDEN_GAMMA)));
        for (d, x) in u.iter_mut().enumerate() {
            state = state.wrapping_add(GOLDEN_GAMMA);
            *x = coordinate(self.stratum(index, d), mix64(state), self.log2_n);
        }
    }
}

/// The point of stratum `stratum` (of 2^`log2_n`) jittered by the random
/// word `bits`, as one 53-bit odd fraction: the stratum in the top log2 n
/// bits, the top 52 − log2 n bits of `bits` below it, and a final 1. It is
/// exact, the midpoint of a fine cell, and strictly inside its stratum;
/// adding a float jitter in (0, 1) to the stratum instead could round up
/// onto the next stratum, or onto 1.
#[inline]
fn coordinate(stratum: u64, bits: u64, log2_n: u32) -> f64 {
    let jitter_bits = 52 - log2_n;
    let fraction = (stratum << jitter_bits) | (bits >> (64 - jitter_bits));
    ((fraction << 1) | 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(lhs: &LatinHypercube, dim: usize) -> Vec<u64> {
        (0..lhs.n()).map(|i| lhs.stratum(i, dim)).collect()
    }

    #[test]
    fn one_point_per_stratum_in_every_dimension() {
        // 2^10 (even width) and 2^9 (odd: cycle walking), plus every small
        // size down to 2.
        for log2_n in [10, 9, 1, 2, 3, 4, 5, 6, 7, 8, 11] {
            let n = 1u64 << log2_n;
            let dims = 5;
            let lhs = LatinHypercube::new(dims, n, 17, 2).unwrap();
            let mut seen = vec![vec![false; n as usize]; dims];
            let mut u = vec![0.0; dims];
            for i in 0..n {
                lhs.point(i, &mut u);
                for (d, &x) in u.iter().enumerate() {
                    assert!(x > 0.0 && x < 1.0, "n {n} point {i} dim {d}: {x}");
                    let k = (x * n as f64).floor() as u64;
                    assert_eq!(k, lhs.stratum(i, d));
                    assert!(!seen[d][k as usize], "n {n} dim {d}: stratum {k} twice");
                    seen[d][k as usize] = true;
                }
            }
            assert!(seen.iter().all(|s| s.iter().all(|&b| b)));
        }
    }

    #[test]
    fn coordinates_stay_inside_their_strata_at_the_extremes() {
        for log2_n in [1, 9, 10, 32] {
            let n = 1u64 << log2_n;
            for stratum in [0, 1, n / 2, n - 1] {
                for bits in [0, 1 << 63, u64::MAX] {
                    let x = coordinate(stratum, bits, log2_n);
                    assert!(x > 0.0 && x < 1.0, "{x}");
                    assert_eq!(
                        (x * n as f64).floor() as u64,
                        stratum,
                        "n {n} bits {bits:x}"
                    );
                }
            }
        }
        // 2^32 strata leave 20 bits of jitter, from 2^-53 to 1 - 2^-53 of
        // the first and last cells.
        assert_eq!(coordinate(0, 0, 32), 2f64.powi(-53));
        assert_eq!(
            coordinate(u32::MAX.into(), u64::MAX, 32),
            1.0 - 2f64.powi(-53)
        );
    }

    #[test]
    fn permutations_differ_by_dimension_and_replicate_and_repeat() {
        let (n, dims) = (1024, 6);
        let a = LatinHypercube::new(dims, n, 5, 0).unwrap();
        let again = LatinHypercube::new(dims, n, 5, 0).unwrap();
        let b = LatinHypercube::new(dims, n, 5, 1).unwrap();
        let c = LatinHypercube::new(dims, n, 6, 0).unwrap();
        let cols: Vec<_> = (0..dims).map(|d| column(&a, d)).collect();
        for d in 0..dims {
            assert_eq!(cols[d], column(&again, d));
            assert_ne!(cols[d], column(&b, d), "dim {d}");
            assert_ne!(cols[d], column(&c, d), "dim {d}");
            for e in 0..d {
                assert_ne!(cols[d], cols[e], "dims {e} and {d}");
            }
        }
        let (mut u, mut v) = (vec![0.0; dims], vec![0.0; dims]);
        a.point(77, &mut u);
        again.point(77, &mut v);
        assert_eq!(u, v);
        b.point(77, &mut v);
        assert!(u.iter().zip(&v).all(|(x, y)| x != y));
    }

    #[test]
    fn permutations_look_random() {
        // Rank correlation of each permutation with the identity and with
        // the other dimensions: for random permutations about N(0, 1/(n-1)),
        // so |r| < 4/sqrt(n - 1) unless the Feistel network is weak.
        for n in [1024u64, 2048] {
            let dims = 6;
            let lhs = LatinHypercube::new(dims, n, 123, 0).unwrap();
            let mut cols: Vec<Vec<u64>> = (0..dims).map(|d| column(&lhs, d)).collect();
            cols.push((0..n).collect());
            let nf = n as f64;
            let mean = (nf - 1.0) / 2.0;
            let var = (nf * nf - 1.0) / 12.0;
            let bound = 4.0 / (nf - 1.0).sqrt();
            for d in 0..dims {
                for e in d + 1..=dims {
                    let cov: f64 = cols[d]
                        .iter()
                        .zip(&cols[e])
                        .map(|(&x, &y)| (x as f64 - mean) * (y as f64 - mean))
                        .sum::<f64>()
                        / nf;
                    let r = cov / var;
                    assert!(r.abs() < bound, "n {n}, dims {d} and {e}: r = {r}");
                }
            }
        }
    }

    #[test]
    fn jitter_is_uniform_within_strata() {
        // Position within the stratum: mean 1/2 within 4 SE over 2^14 × 4.
        let (n, dims) = (1u64 << 14, 4);
        let lhs = LatinHypercube::new(dims, n, 9, 0).unwrap();
        let mut u = vec![0.0; dims];
        let mut sum = 0.0;
        for i in 0..n {
            lhs.point(i, &mut u);
            sum += u
                .iter()
                .map(|&x| x * n as f64 - (x * n as f64).floor())
                .sum::<f64>();
        }
        let count = (n * dims as u64) as f64;
        let mean = sum / count;
        assert!(
            (mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / count).sqrt(),
            "mean {mean}"
        );
    }

    #[test]
    #[should_panic(expected = "is not below n = 8")]
    fn index_past_the_last_point_panics() {
        LatinHypercube::new(2, 8, 0, 0)
            .unwrap()
            .point(8, &mut [0.0; 2]);
    }

    #[test]
    fn rejects_bad_sizes() {
        for n in [0, 1, 3, 6, 1000, (1 << 20) + 1] {
            assert_eq!(
                LatinHypercube::new(2, n, 0, 0),
                Err(LhsError::NotPowerOfTwo(n))
            );
        }
        assert_eq!(
            LatinHypercube::new(2, 1 << 33, 0, 0),
            Err(LhsError::TooManyPoints {
                n: 1 << 33,
                max: MAX_LHS_POINTS
            })
        );
        assert_eq!(LatinHypercube::new(0, 8, 0, 0), Err(LhsError::NoDimensions));
        let message = LatinHypercube::new(2, 1000, 0, 0).unwrap_err().to_string();
        assert!(
            message.contains("power of two") && message.contains("1000"),
            "{message}"
        );
        assert_eq!(LatinHypercube::new(3, 2, 0, 0).unwrap().n(), 2);
    }
}
