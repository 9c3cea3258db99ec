//! Mean and sum of squared deviations, mergeable (Chan, Golub & LeVeque 1979).
//!
//! Within a chunk, outputs are summed shifted by a fixed reference (the
//! deterministic baseline), which keeps the sums well conditioned without a
//! division per sample; each chunk then becomes a `Moments` and chunks are
//! merged by a fixed-shape tree (see `tree.rs`), so the result does not
//! depend on thread count.

#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    pub count: u64,
    pub mean: Vec<f64>,
    /// Sum of squared deviations from the mean.
    pub m2: Vec<f64>,
}

impl Moments {
    pub fn empty(n_outputs: usize) -> Self {
        Moments {
            count: 0,
            mean: vec![0.0; n_outputs],
            m2: vec![0.0; n_outputs],
        }
    }

    /// Combines `self` (earlier samples) with `later`.
    pub fn merge(mut self, later: &Moments) -> Moments {
        if later.count == 0 {
            return self;
        }
        if self.count == 0 {
            return later.clone();
        }
        let (na, nb) = (self.count as f64, later.count as f64);
        let n = na + nb;
        for j in 0..self.mean.len() {
            let delta = later.mean[j] - self.mean[j];
            self.mean[j] += delta * (nb / n);
            self.m2[j] += later.m2[j] + delta * delta * (na * nb / n);
        }
        self.count += later.count;
        self
    }

    pub fn variance(&self, j: usize) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            (self.m2[j] / (self.count - 1) as f64).max(0.0)
        }
    }
}

/// Shifted running sums of one chunk.
#[derive(Debug, Clone)]
pub struct ChunkSums {
    count: u64,
    shift: Vec<f64>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl ChunkSums {
    pub fn new(shift: Vec<f64>) -> Self {
        let n = shift.len();
        ChunkSums {
            count: 0,
            shift,
            sum: vec![0.0; n],
            sum_sq: vec![0.0; n],
        }
    }

    pub fn reset(&mut self) {
        self.count = 0;
        self.sum.fill(0.0);
        self.sum_sq.fill(0.0);
    }

    /// Adds a block of values of output `j`. Eight partial sums, combined
    /// in a fixed order, break the dependency chain of one running sum (the
    /// loop becomes vector adds, one register wide on AVX-512) while keeping
    /// the result independent of threads.
    #[inline]
    pub fn add_block(&mut self, j: usize, xs: &[f64]) {
        crate::cpu::dispatch(
            #[inline(always)]
            || moments_add_block(self, j, xs),
        )
    }

    /// Counts samples added through `add_block` (once per block).
    pub fn count_samples(&mut self, n: u64) {
        self.count += n;
    }

    pub fn moments(&self) -> Moments {
        let n = self.count as f64;
        let mut m = Moments::empty(self.shift.len());
        m.count = self.count;
        if self.count == 0 {
            return m;
        }
        for j in 0..self.shift.len() {
            let mean_shifted = self.sum[j] / n;
            m.mean[j] = self.shift[j] + mean_shifted;
            m.m2[j] = (self.sum_sq[j] - self.sum[j] * mean_shifted).max(0.0);
        }
        m
    }
}

/// The loop of [`ChunkSums`]'s `add_block`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn moments_add_block(this: &mut ChunkSums, j: usize, xs: &[f64]) {
    const WIDTH: usize = 8;
    let c = this.shift[j];
    let (mut s, mut s2) = ([0.0; WIDTH], [0.0; WIDTH]);
    let mut lanes = xs.chunks_exact(WIDTH);
    for lane in &mut lanes {
        for k in 0..WIDTH {
            let d = lane[k] - c;
            s[k] += d;
            s2[k] += d * d;
        }
    }
    for (k, x) in lanes.remainder().iter().enumerate() {
        let d = x - c;
        s[k] += d;
        s2[k] += d * d;
    }
    let total = |v: [f64; WIDTH]| ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
    this.sum[j] += total(s);
    this.sum_sq[j] += total(s2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_merge_equals_direct_moments() {
        // Truth: the two-pass mean and variance of a fixed sequence; merging
        // chunks is exact in real arithmetic, so only rounding (≈1e-12
        // relative here) separates them.
        let xs: Vec<f64> = (0..1000).map(|i| 1e6 + ((i * 37) % 101) as f64).collect();
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        let mut total = Moments::empty(1);
        for chunk in xs.chunks(128) {
            let mut sums = ChunkSums::new(vec![1e6]);
            sums.add_block(0, chunk);
            sums.count_samples(chunk.len() as u64);
            total = total.merge(&sums.moments());
        }
        assert_eq!(total.count, 1000);
        assert!((total.mean[0] - mean).abs() < 1e-9);
        assert!((total.variance(0) - var).abs() / var < 1e-10);
    }
}
