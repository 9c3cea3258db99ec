//! Randomised quasi-Monte Carlo: Sobol' points with a random linear matrix
//! scramble and a random digital shift, one independent randomisation per
//! replicate, so that R replicates give R independent, unbiased estimates
//! and a Student-t interval across them.
//!
//! Direction numbers are Joe & Kuo's `new-joe-kuo-6` set as shipped by the
//! `sobol` crate (1000 dimensions in its standard table, 21,201 in its
//! extended one). Points are in Gray-code order, as in Joe & Kuo's own
//! generator and SciPy: point `n` is the XOR of the direction numbers picked
//! by the set bits of `gray(n) = n ^ (n >> 1)`. Because that is a pure
//! function of the index, any point can be computed on its own, on any
//! thread, with no state carried from the previous one.
//!
//! The randomisation is Matoušek's (1998) linear matrix scramble plus a
//! digital shift, the one SciPy uses. Owen (2003, "Variance with alternative
//! scramblings of digital nets", ACM TOMACS 13(4)) shows it has the same
//! variance as Owen's nested uniform scramble, at the cost of one 32 × 32
//! binary matrix and one 32-bit shift per dimension. Because the matrix acts
//! linearly over GF(2), it is applied once to the direction numbers when the
//! design is built, and generating a scrambled point then costs exactly as
//! much as an unscrambled one.
//!
//! Digits are 32 bits, so a design holds at most 2^32 points. Each
//! coordinate is the midpoint of its 2^-32 cell, `(y + 0.5) / 2^32`: it is
//! never 0 or 1, so every inverse CDF stays finite, and since the digital
//! shift makes `y` exactly uniform on 0..2^32, the mean of a coordinate is
//! exactly 1/2. The price is that no coordinate lies closer than 2^-33 to 0
//! or 1: a distribution's tails beyond those quantiles are never sampled,
//! which at 2^-33 ≈ 1.2e-10 is far below anything a sample of at most 2^32
//! points could resolve.

use std::sync::OnceLock;

use sobol::Sobol;
use sobol::params::JoeKuoD6;

use super::PointSource;
use super::counter::mix64;

/// The most dimensions a design can have: the size of the extended
/// Joe–Kuo table.
pub const MAX_DIMS: usize = 21_201;

/// Dimensions covered by the standard Joe–Kuo table. Larger designs load
/// the extended table, which means decompressing about 700 KB once.
const STANDARD_DIMS: usize = 1000;

/// The number of points a design can address: digits are 32 bits wide.
pub const MAX_POINTS: u64 = 1 << 32;

/// Digits per coordinate, most significant first.
const BITS: usize = 32;

/// Dimensions handled together in `point`: a block of running XORs small
/// enough to live on the stack.
const BLOCK: usize = 64;

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// Keeps this design's random choices unrelated to those of other designs
/// built from the same seed.
const SALT: u64 = 0x736f_626f_6c4c_4d53; // "sobolLMS"

/// Why a Sobol' design could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SobolError {
    #[error("a Sobol' design needs at least one dimension")]
    NoDimensions,
    #[error(
        "a Sobol' design supports at most {max} dimensions (the Joe–Kuo \
         direction numbers stop there), but {dims} were asked for"
    )]
    TooManyDimensions { dims: usize, max: usize },
}

/// A (scrambled) Sobol' design of fixed dimension.
///
/// Memory is O(dims): 32 direction numbers and one shift per dimension,
/// whatever the number of points drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrambledSobol {
    dims: usize,
    /// Scrambled direction numbers, bit-major: entry `j * dims + d` is
    /// direction number `j` of dimension `d`, so that the numbers XORed for
    /// one bit of the index are contiguous across dimensions.
    directions: Vec<u32>,
    /// Digital shift of each dimension.
    shifts: Vec<u32>,
}

impl ScrambledSobol {
    /// Replicate `replicate` of the randomised design seeded by `seed`.
    /// Different replicates (or seeds) are independent randomisations; the
    /// same pair always gives the same points.
    pub fn new(dims: usize, seed: u64, replicate: u32) -> Result<Self, SobolError> {
        let raw = raw_directions(dims)?;
        let replicate_key = mix64(mix64(seed ^ SALT) ^ mix64(u64::from(replicate) + GOLDEN_GAMMA));
        let mut directions = vec![0; dims * BITS];
        let mut shifts = vec![0; dims];
        for (d, dirs) in raw.iter().enumerate() {
            let mut draws = Draws::new(replicate_key, d as u64);
            let matrix = lower_triangular(&mut draws);
            shifts[d] = (draws.next() >> 32) as u32;
            for (j, &v) in dirs.iter().enumerate() {
                directions[j * dims + d] = apply(&matrix, v);
            }
        }
        Ok(ScrambledSobol {
            dims,
            directions,
            shifts,
        })
    }

    /// The plain Sobol' sequence (identity matrix, no shift): a reference
    /// for tests and comparisons. Its first point is the origin, which
    /// `point` maps to the midpoint 2^-33 of the first cell.
    pub fn unscrambled(dims: usize) -> Result<Self, SobolError> {
        let raw = raw_directions(dims)?;
        let mut directions = vec![0; dims * BITS];
        for (d, dirs) in raw.iter().enumerate() {
            for (j, &v) in dirs.iter().enumerate() {
                directions[j * dims + d] = v;
            }
        }
        Ok(ScrambledSobol {
            dims,
            directions,
            shifts: vec![0; dims],
        })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The 32 digits of coordinate `dim` of point `index` (bit 31 is the
    /// most significant), before the mapping to (0, 1) that `point` applies.
    pub fn digits(&self, index: u64, dim: usize) -> u32 {
        let mut y = self.shifts[dim];
        let mut bits = gray(index);
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            y ^= self.directions[j * self.dims + dim];
            bits &= bits - 1;
        }
        y
    }
}

impl PointSource for ScrambledSobol {
    fn name(&self) -> &'static str {
        "sobol"
    }

    /// Writes the first `u.len()` coordinates (at most `dims`) of point
    /// `index`, which must be below [`MAX_POINTS`].
    #[inline]
    fn point(&self, index: u64, u: &mut [f64]) {
        let bits = gray(index);
        let mut acc = [0u32; BLOCK];
        for (block, out) in u.chunks_mut(BLOCK).enumerate() {
            let start = block * BLOCK;
            let acc = &mut acc[..out.len()];
            acc.copy_from_slice(&self.shifts[start..start + out.len()]);
            let mut rest = bits;
            while rest != 0 {
                let row = (rest.trailing_zeros() as usize) * self.dims + start;
                for (a, v) in acc.iter_mut().zip(&self.directions[row..row + out.len()]) {
                    *a ^= v;
                }
                rest &= rest - 1;
            }
            for (x, &y) in out.iter_mut().zip(acc.iter()) {
                *x = to_unit(y);
            }
        }
    }
}

/// The Gray code of `index`, which selects the direction numbers of its
/// point. Points past 2^32 would need more digits than a `u32` holds.
#[inline]
fn gray(index: u64) -> u32 {
    assert!(
        index < MAX_POINTS,
        "Sobol' point index {index} is beyond the 2^32 points of a 32-digit design"
    );
    (index ^ (index >> 1)) as u32
}

/// Midpoint of the 2^-32 cell with digits `y`: in (0, 1) and exact, since
/// `y + 0.5` needs only 33 bits.
#[inline]
fn to_unit(y: u32) -> f64 {
    (f64::from(y) + 0.5) * (1.0 / MAX_POINTS as f64)
}

/// The unscrambled direction numbers of the first `dims` dimensions.
fn raw_directions(dims: usize) -> Result<Vec<Vec<u32>>, SobolError> {
    if dims == 0 {
        return Err(SobolError::NoDimensions);
    }
    if dims > MAX_DIMS {
        return Err(SobolError::TooManyDimensions {
            dims,
            max: MAX_DIMS,
        });
    }
    Ok(Sobol::<u32>::init_direction_vals(dims, BITS, joe_kuo(dims)))
}

/// The Joe–Kuo parameters for `dims` dimensions, decompressed at most once
/// per process (per table), however many designs are built.
fn joe_kuo(dims: usize) -> &'static JoeKuoD6 {
    static STANDARD: OnceLock<JoeKuoD6> = OnceLock::new();
    static EXTENDED: OnceLock<JoeKuoD6> = OnceLock::new();
    if dims <= STANDARD_DIMS {
        STANDARD.get_or_init(JoeKuoD6::standard)
    } else {
        EXTENDED.get_or_init(JoeKuoD6::extended)
    }
}

/// The random bits of one dimension of one replicate: a SplitMix64 stream
/// started from a hash of (seed, replicate, dimension), so that a dimension's
/// scramble does not depend on how many dimensions the design has.
struct Draws {
    state: u64,
}

impl Draws {
    fn new(replicate_key: u64, dim: u64) -> Self {
        Draws {
            state: mix64(replicate_key ^ mix64(dim.wrapping_add(GOLDEN_GAMMA))),
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }
}

/// A random lower-triangular binary matrix with unit diagonal, one row per
/// output digit: row `p` (bit `p` of the output, bit 31 most significant)
/// has bit `p` set and random bits above it, so output digit k depends on
/// input digits 1..=k only and the matrix is invertible.
fn lower_triangular(draws: &mut Draws) -> [u32; BITS] {
    let mut rows = [0u32; BITS];
    for (p, row) in rows.iter_mut().enumerate() {
        let above = u32::MAX.checked_shl(p as u32 + 1).unwrap_or(0);
        *row = (1 << p) | ((draws.next() >> 32) as u32 & above);
    }
    rows
}

/// The matrix–vector product over GF(2): output bit `p` is the parity of
/// row `p` AND the input.
fn apply(rows: &[u32; BITS], v: u32) -> u32 {
    rows.iter()
        .enumerate()
        .fold(0, |y, (p, row)| y | ((row & v).count_ones() & 1) << p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coordinates of the first 8 points of the first three dimensions,
    /// Gray-code order (Joe & Kuo; SciPy `scramble=False`).
    const FIRST: [[f64; 8]; 3] = [
        [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125],
        [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625],
        [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375],
    ];

    fn raw_unit(y: u32) -> f64 {
        f64::from(y) / MAX_POINTS as f64
    }

    #[test]
    fn unscrambled_matches_known_points_and_the_sobol_crate() {
        let s = ScrambledSobol::unscrambled(3).unwrap();
        for (d, expected) in FIRST.iter().enumerate() {
            for (i, &x) in expected.iter().enumerate() {
                assert_eq!(raw_unit(s.digits(i as u64, d)), x, "point {i} dim {d}");
            }
        }
        // The crate's f64 iterator (53-bit digits, Gray code, starting at
        // the origin) gives the same first eight points.
        let params = JoeKuoD6::minimal();
        for (i, p) in Sobol::<f64>::new(3, &params).take(8).enumerate() {
            for d in 0..3 {
                assert_eq!(p[d], FIRST[d][i], "crate f64 point {i} dim {d}");
            }
        }
        // Its u32 iterator computes point n from point n - 1, independently
        // of our random access; all 32 digits must agree.
        let dims = 40;
        let s = ScrambledSobol::unscrambled(dims).unwrap();
        let params = JoeKuoD6::standard();
        let mut seen = 0;
        for (i, p) in Sobol::<u32>::new(dims, &params).take(4096).enumerate() {
            for (d, &y) in p.iter().enumerate() {
                assert_eq!(s.digits(i as u64, d), y, "point {i} dim {d}");
            }
            seen += 1;
        }
        assert_eq!(seen, 4096);
    }

    #[test]
    fn point_is_the_midpoint_of_the_digits_cell() {
        let s = ScrambledSobol::new(70, 3, 1).unwrap();
        let mut u = vec![0.0; 70];
        for i in [0, 1, 2, 1000, 123_456, MAX_POINTS - 1] {
            s.point(i, &mut u);
            for (d, &x) in u.iter().enumerate() {
                assert_eq!(x, (f64::from(s.digits(i, d)) + 0.5) / MAX_POINTS as f64);
                assert!(x > 0.0 && x < 1.0);
            }
        }
        // A prefix of the coordinates is allowed.
        let mut short = [0.0; 5];
        s.point(1000, &mut short);
        s.point(1000, &mut u);
        assert_eq!(short, u[..5]);
        let origin = ScrambledSobol::unscrambled(2).unwrap();
        let mut p = [1.0; 2];
        origin.point(0, &mut p);
        assert_eq!(p, [0.5 / MAX_POINTS as f64; 2]);
    }

    /// For each split (a, b) with a + b = k: how many of the first 2^m
    /// points fall in each box of 2^-a × 2^-b, sorted.
    fn box_counts(s: &ScrambledSobol, m: u32, k: u32, d1: usize, d2: usize) -> Vec<Vec<u32>> {
        (0..=k)
            .map(|a| {
                let b = k - a;
                let mut counts = vec![0u32; 1 << k];
                for i in 0..1u64 << m {
                    let hi = u64::from(s.digits(i, d1)).checked_shr(32 - a).unwrap_or(0);
                    let lo = u64::from(s.digits(i, d2)).checked_shr(32 - b).unwrap_or(0);
                    counts[((hi << b) | lo) as usize] += 1;
                }
                counts.sort_unstable();
                counts
            })
            .collect()
    }

    /// The t-value of a 2-D projection of the first 2^m points: the
    /// smallest t such that every elementary box of volume 2^(t - m) holds
    /// exactly 2^t points.
    fn t_value(s: &ScrambledSobol, m: u32, d1: usize, d2: usize) -> u32 {
        (0..=m)
            .find(|&t| {
                box_counts(s, m, m - t, d1, d2)
                    .iter()
                    .all(|c| c.iter().all(|&k| k == 1 << t))
            })
            .unwrap()
    }

    #[test]
    fn scrambling_preserves_the_net_structure() {
        let (m, dims) = (10u32, 8);
        let plain = ScrambledSobol::unscrambled(dims).unwrap();
        let mut t_values = vec![];
        for d1 in 0..dims {
            for d2 in d1 + 1..dims {
                t_values.push(((d1, d2), t_value(&plain, m, d1, d2)));
            }
        }
        println!("t-values of the 2-D projections, unscrambled, m = {m}: {t_values:?}");
        // Dimensions 1 and 2 form a (0, m, 2)-net; some other pair does not.
        assert_eq!(t_values[0], ((0, 1), 0));
        assert!(t_values.iter().any(|&(_, t)| t > 0));
        let plain_counts: Vec<_> = t_values
            .iter()
            .map(|&((d1, d2), _)| box_counts(&plain, m, m, d1, d2))
            .collect();

        for (seed, replicate) in [(1, 0), (1, 1), (2024, 0), (u64::MAX, 7)] {
            let s = ScrambledSobol::new(dims, seed, replicate).unwrap();
            // One point per interval of width 2^-m in every coordinate.
            for d in 0..dims {
                let mut strata: Vec<u32> =
                    (0..1u64 << m).map(|i| s.digits(i, d) >> (32 - m)).collect();
                strata.sort_unstable();
                assert!(strata.iter().enumerate().all(|(k, &x)| x == k as u32));
            }
            // The scramble maps the boxes of each split one-to-one onto
            // themselves, so every box count is preserved, and with it the
            // t-value of every pair: for dims 1 & 2 one point per box of
            // every shape, including the 32 × 32 squares.
            for (&((d1, d2), t), counts) in t_values.iter().zip(&plain_counts) {
                assert_eq!(
                    &box_counts(&s, m, m, d1, d2),
                    counts,
                    "pair {d1},{d2} seed {seed}"
                );
                assert_eq!(t_value(&s, m, d1, d2), t, "pair {d1},{d2} seed {seed}");
            }
        }
    }

    #[test]
    fn replicates_are_deterministic_and_distinct() {
        let dims = 16;
        let a = ScrambledSobol::new(dims, 42, 0).unwrap();
        assert_eq!(a, ScrambledSobol::new(dims, 42, 0).unwrap());
        let others = [
            ScrambledSobol::new(dims, 42, 1).unwrap(),
            ScrambledSobol::new(dims, 43, 0).unwrap(),
        ];
        for b in &others {
            for d in 0..dims {
                let differs = (0..8).filter(|&i| a.digits(i, d) != b.digits(i, d)).count();
                assert_eq!(differs, 8, "dim {d}");
            }
        }
        // Dimensions are scrambled independently of each other and of how
        // many dimensions the design has (even across the two tables).
        let wide = ScrambledSobol::new(1200, 42, 0).unwrap();
        for d in 0..dims {
            for i in 0..64 {
                assert_eq!(a.digits(i, d), wide.digits(i, d));
            }
        }
        let shifts: std::collections::HashSet<_> = a.shifts.iter().collect();
        assert_eq!(shifts.len(), dims);
    }

    #[test]
    fn sample_means_are_unbiased() {
        let (m, dims) = (12u32, 16);
        let n = 1u64 << m;
        for (seed, replicate) in [(5, 0), (5, 1), (99, 3)] {
            let s = ScrambledSobol::new(dims, seed, replicate).unwrap();
            let (mut s1, mut s2) = (vec![0.0; dims], vec![0.0; dims]);
            let mut u = vec![0.0; dims];
            for i in 0..n {
                s.point(i, &mut u);
                for d in 0..dims {
                    s1[d] += u[d];
                    s2[d] += u[d] * u[d];
                }
            }
            // One point in each interval [k, k + 1) / n: the mean of u is
            // within 1/(2n) of 1/2, and that of u² within (3n + 1)/(6n²) of
            // 1/3.
            let nf = n as f64;
            for d in 0..dims {
                let (m1, m2) = (s1[d] / nf, s2[d] / nf);
                assert!((m1 - 0.5).abs() <= 0.5 / nf + 1e-12, "dim {d}: mean {m1}");
                assert!(
                    (m2 - 1.0 / 3.0).abs() <= (3.0 * nf + 1.0) / (6.0 * nf * nf) + 1e-12,
                    "dim {d}: mean of u² {m2}"
                );
            }
        }
        // Across replicates the first point is uniform: mean 1/2 within 4
        // standard errors, SE = sqrt(1/12 / 200).
        let (reps, dims) = (200u32, 8);
        let mut sum = vec![0.0; dims];
        let mut u = vec![0.0; dims];
        for r in 0..reps {
            ScrambledSobol::new(dims, 11, r).unwrap().point(0, &mut u);
            for d in 0..dims {
                sum[d] += u[d];
            }
        }
        let se = (1.0 / 12.0 / f64::from(reps)).sqrt();
        let means: Vec<f64> = sum.iter().map(|s| s / f64::from(reps)).collect();
        println!(
            "first point over {reps} replicates: means {means:?}, 4 SE = {}",
            4.0 * se
        );
        for (d, m) in means.iter().enumerate() {
            assert!((m - 0.5).abs() < 4.0 * se, "dim {d}: mean {m}");
        }
    }

    #[test]
    fn dimension_limits() {
        assert_eq!(ScrambledSobol::new(0, 1, 0), Err(SobolError::NoDimensions));
        let err = ScrambledSobol::unscrambled(MAX_DIMS + 1).unwrap_err();
        assert_eq!(
            err,
            SobolError::TooManyDimensions {
                dims: MAX_DIMS + 1,
                max: MAX_DIMS
            }
        );
        let message = err.to_string();
        assert!(
            message.contains("21201") && message.contains("21202"),
            "{message}"
        );
        assert_eq!(JoeKuoD6::standard().max_dims, STANDARD_DIMS);
        assert_eq!(joe_kuo(MAX_DIMS).max_dims, MAX_DIMS);

        let s = ScrambledSobol::new(1200, 8, 2).unwrap();
        let mut u = vec![0.0; 1200];
        s.point(777, &mut u);
        assert!(u.iter().all(|&x| x > 0.0 && x < 1.0));
        // The extended table continues the standard one: dims 1001..=1200
        // are still a (0, 10, 1)-net each.
        for d in 1000..1200 {
            let mut strata: Vec<u32> = (0..1024).map(|i| s.digits(i, d) >> 22).collect();
            strata.sort_unstable();
            assert!(
                strata.iter().enumerate().all(|(k, &x)| x == k as u32),
                "dim {d}"
            );
        }
        assert_eq!(
            ScrambledSobol::unscrambled(MAX_DIMS).unwrap().dims(),
            MAX_DIMS
        );
    }

    #[test]
    #[should_panic(expected = "beyond the 2^32 points")]
    fn index_past_the_last_point_panics() {
        let s = ScrambledSobol::unscrambled(2).unwrap();
        s.point(MAX_POINTS, &mut [0.0; 2]);
    }
}
