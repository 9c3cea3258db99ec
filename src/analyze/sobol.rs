//! Streaming Sobol' first- and total-order estimators over a pick-freeze
//! design: for each base sample, f(A), f(B) and f(AB_i) (A with factor i's
//! coordinates taken from B), for every output at once.
//!
//! Estimators (one pass, sums only):
//! * first order, Saltelli et al. 2010 (Table 2 b): S_i = mean(f_B (f_ABi − f_A)) / V;
//! * total order, Jansen 1999: ST_i = mean((f_A − f_ABi)²) / (2V);
//! * V, the variance of f over A ∪ B;
//! * second order (optional), Saltelli 2002 as in SALib:
//!   S_ij = mean(f_BAi f_ABj − f_A f_B) / V − S_i − S_j, with BA_i = B with
//!   factor i from A (N k more evaluations).
//!
//! Every output is shifted by a fixed reference (its deterministic baseline)
//! before summing: Saltelli's S_i is not shift-invariant for finite N, and
//! unshifted sums of squares of large LCA outputs lose digits.

/// Sums of one output and its factors over a set of base samples.
/// Serialised as is in a sobol shard's part file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SobolSums {
    n_factors: usize,
    count: u64,
    /// Per output: Σa, Σb, Σa², Σb², then per factor Σ b(ab_i − a), Σ (a − ab_i)²,
    /// with a, b, ab_i the shifted outputs.
    sums: Vec<f64>,
    /// Second order, for the first `second_order_factors` factors: per
    /// output Σ ab, then per pair i < j Σ ba_i ab_j.
    second: Vec<f64>,
    second_order_factors: usize,
}

/// Point estimates for one output.
#[derive(Debug, Clone, PartialEq)]
pub struct Indices {
    pub variance: f64,
    pub first: Vec<f64>,
    pub total: Vec<f64>,
    /// S_ij for i < j in row order (0,1), (0,2) … (1,2) …; empty unless asked.
    pub second: Vec<f64>,
}

/// Number of pairs i < j among `k` factors.
pub fn pairs(k: usize) -> usize {
    k * k.saturating_sub(1) / 2
}

impl SobolSums {
    pub fn new(n_outputs: usize, n_factors: usize) -> Self {
        Self::with_second_order(n_outputs, n_factors, 0)
    }

    /// Also accumulates second-order sums for the first
    /// `second_order_factors` factors (0 = none).
    pub fn with_second_order(
        n_outputs: usize,
        n_factors: usize,
        second_order_factors: usize,
    ) -> Self {
        let second_stride = if second_order_factors > 0 {
            1 + pairs(second_order_factors)
        } else {
            0
        };
        SobolSums {
            n_factors,
            count: 0,
            sums: vec![0.0; n_outputs * (4 + 2 * n_factors)],
            second: vec![0.0; n_outputs * second_stride],
            second_order_factors,
        }
    }

    fn stride(&self) -> usize {
        4 + 2 * self.n_factors
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds one base sample. `fab` holds f(AB_i) factor by factor:
    /// `fab[i * n_outputs + j]` is output j with factor i from B; `fba`, laid
    /// out the same way, holds f(BA_i) for the second-order factors (empty
    /// without second order).
    pub fn add(&mut self, shift: &[f64], fa: &[f64], fb: &[f64], fab: &[f64], fba: &[f64]) {
        let n_out = shift.len();
        let stride = self.stride();
        self.count += 1;
        for j in 0..n_out {
            let (a, b) = (fa[j] - shift[j], fb[j] - shift[j]);
            let s = &mut self.sums[j * stride..(j + 1) * stride];
            s[0] += a;
            s[1] += b;
            s[2] += a * a;
            s[3] += b * b;
            for i in 0..self.n_factors {
                let ab = fab[i * n_out + j] - shift[j];
                s[4 + 2 * i] += b * (ab - a);
                s[5 + 2 * i] += (a - ab) * (a - ab);
            }
        }
        let k2 = self.second_order_factors;
        if k2 == 0 {
            return;
        }
        let stride2 = 1 + pairs(k2);
        for j in 0..n_out {
            let (a, b) = (fa[j] - shift[j], fb[j] - shift[j]);
            let s = &mut self.second[j * stride2..(j + 1) * stride2];
            s[0] += a * b;
            let mut p = 1;
            for i in 0..k2 {
                let ba = fba[i * n_out + j] - shift[j];
                for l in i + 1..k2 {
                    s[p] += ba * (fab[l * n_out + j] - shift[j]);
                    p += 1;
                }
            }
        }
    }

    /// Whether `other` holds the same outputs, factors and second-order
    /// pairs (a part file's sums are checked against the model's).
    pub fn same_shape(&self, other: &SobolSums) -> bool {
        self.n_factors == other.n_factors
            && self.second_order_factors == other.second_order_factors
            && self.sums.len() == other.sums.len()
            && self.second.len() == other.second.len()
    }

    /// Adds `other` (later samples) to `self`. The caller fixes the order.
    pub fn merge(&mut self, other: &SobolSums) {
        self.count += other.count;
        for (s, o) in self.sums.iter_mut().zip(&other.sums) {
            *s += o;
        }
        for (s, o) in self.second.iter_mut().zip(&other.second) {
            *s += o;
        }
    }

    /// Raw estimates for output `j`: a slightly negative S1 stays negative.
    /// A zero-variance output gives indices of 0.
    pub fn indices(&self, j: usize) -> Indices {
        let stride = self.stride();
        let s = &self.sums[j * stride..(j + 1) * stride];
        let n = self.count as f64;
        let mean = (s[0] + s[1]) / (2.0 * n);
        let variance = ((s[2] + s[3]) / (2.0 * n) - mean * mean).max(0.0);
        let ratio = |x: f64| if variance > 0.0 { x / variance } else { 0.0 };
        let first: Vec<f64> = (0..self.n_factors)
            .map(|i| ratio(s[4 + 2 * i] / n))
            .collect();
        let total = (0..self.n_factors)
            .map(|i| ratio(s[5 + 2 * i] / (2.0 * n)))
            .collect();
        let k2 = self.second_order_factors;
        let mut second = Vec::with_capacity(pairs(k2));
        if k2 > 0 {
            let stride2 = 1 + pairs(k2);
            let s2 = &self.second[j * stride2..(j + 1) * stride2];
            let mut p = 1;
            for i in 0..k2 {
                for l in i + 1..k2 {
                    second.push(ratio((s2[p] - s2[0]) / n) - first[i] - first[l]);
                    p += 1;
                }
            }
        }
        Indices {
            variance,
            first,
            total,
            second,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f = x1 + 2 x2 with x ~ U(0,1) on a tiny exhaustive-like design: the
    /// estimators are exact sums, so compare with the same sums done by hand.
    #[test]
    fn sums_match_hand_computation() {
        let f = |x: [f64; 2]| x[0] + 2.0 * x[1];
        let a = [[0.1, 0.7], [0.4, 0.2], [0.9, 0.5]];
        let b = [[0.3, 0.6], [0.8, 0.1], [0.2, 0.9]];
        let mut sums = SobolSums::new(1, 2);
        let (mut s1, mut st) = ([0.0; 2], [0.0; 2]);
        let (mut sum, mut sum2) = (0.0, 0.0);
        for (xa, xb) in a.iter().zip(&b) {
            let (fa, fb) = (f(*xa), f(*xb));
            let fab = [f([xb[0], xa[1]]), f([xa[0], xb[1]])];
            sums.add(&[0.0], &[fa], &[fb], &fab, &[]);
            for i in 0..2 {
                s1[i] += fb * (fab[i] - fa);
                st[i] += (fa - fab[i]).powi(2);
            }
            sum += fa + fb;
            sum2 += fa * fa + fb * fb;
        }
        let v = sum2 / 6.0 - (sum / 6.0).powi(2);
        let got = sums.indices(0);
        assert!((got.variance - v).abs() < 1e-12);
        for i in 0..2 {
            assert!((got.first[i] - s1[i] / 3.0 / v).abs() < 1e-12);
            assert!((got.total[i] - st[i] / 6.0 / v).abs() < 1e-12);
        }
    }

    #[test]
    fn constant_output_gives_zero_indices() {
        let mut sums = SobolSums::new(1, 2);
        for _ in 0..10 {
            sums.add(&[5.0], &[5.0], &[5.0], &[5.0, 5.0], &[]);
        }
        let got = sums.indices(0);
        assert_eq!(
            (got.variance, got.first, got.total),
            (0.0, vec![0.0; 2], vec![0.0; 2])
        );
    }
}
