//! The triangular distribution: the usual expert-judgement shape when a
//! low, a most likely and a high value are given.

use super::check::{mode_range, num};
use super::{DistError, Shape, clamp};

/// Triangular on `[min, max]` with peak at `mode`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triangular {
    min: f64,
    mode: f64,
    max: f64,
    /// CDF at the mode, `(mode - min) / (max - min)`: where the inverse CDF
    /// switches from the rising to the falling side.
    f_mode: f64,
    /// `(max - min)(mode - min)`: `x = min + sqrt(u * left)` below the mode.
    left: f64,
    /// `(max - min)(max - mode)`: `x = max - sqrt((1 - u) * right)` above.
    right: f64,
}

impl Triangular {
    pub(crate) fn new(min: f64, mode: f64, max: f64) -> Result<Self, DistError> {
        mode_range("triangular", min, mode, max)?;
        let width = max - min;
        // The inverse CDF squares the width; beyond ~1e154 that overflows
        // and every draw would silently collapse onto `min`.
        if !(width * width).is_finite() {
            return Err(DistError(format!(
                "triangular range [{}, {}] is too wide to sample in double precision; rescale the unit (e.g. tCO2e instead of kgCO2e)",
                num(min),
                num(max)
            )));
        }
        Ok(Triangular {
            min,
            mode,
            max,
            f_mode: (mode - min) / width,
            left: width * (mode - min),
            right: width * (max - mode),
        })
    }
}

impl Triangular {
    /// `inverse_cdf` over a block, four draws per AVX2 vector: the same
    /// operations lane by lane, with the selects as blends and the clamp as
    /// compares, so the same bits. LLVM vectorises the scalar loop itself
    /// in a build for an AVX2 CPU, but not in the AVX2 copy of the portable
    /// build (its cost model keeps the generic x86-64 tuning), where the
    /// square roots then run one at a time.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub(crate) fn inverse_cdf_block_avx2(&self, u: &[f64], out: &mut [f64]) {
        use std::arch::x86_64::*;
        let n = u.len().min(out.len());
        let (f_mode, left, right) = (
            _mm256_set1_pd(self.f_mode),
            _mm256_set1_pd(self.left),
            _mm256_set1_pd(self.right),
        );
        let (min, max, one) = (
            _mm256_set1_pd(self.min),
            _mm256_set1_pd(self.max),
            _mm256_set1_pd(1.0),
        );
        let whole = n - n % 4;
        for i in (0..whole).step_by(4) {
            // SAFETY: i + 4 <= n, the length of both slices.
            let v = unsafe { _mm256_loadu_pd(u.as_ptr().add(i)) };
            let rising = _mm256_cmp_pd::<_CMP_LT_OQ>(v, f_mode);
            let below = _mm256_mul_pd(v, left);
            let above = _mm256_mul_pd(_mm256_sub_pd(one, v), right);
            let root = _mm256_sqrt_pd(_mm256_blendv_pd(above, below, rising));
            let x = _mm256_blendv_pd(_mm256_sub_pd(max, root), _mm256_add_pd(min, root), rising);
            // `clamp`: below min → min, then above max → max.
            let x = _mm256_blendv_pd(x, min, _mm256_cmp_pd::<_CMP_LT_OQ>(x, min));
            let x = _mm256_blendv_pd(x, max, _mm256_cmp_pd::<_CMP_GT_OQ>(x, max));
            // SAFETY: as the load.
            unsafe { _mm256_storeu_pd(out.as_mut_ptr().add(i), x) };
        }
        for (o, u) in out[whole..n].iter_mut().zip(&u[whole..n]) {
            *o = self.inverse_cdf(*u);
        }
    }
}

impl Shape for Triangular {
    #[inline]
    fn inverse_cdf(&self, u: f64) -> f64 {
        // Selects, not branches: which side of the mode `u` falls on is a
        // coin toss the branch predictor loses, and one square root on the
        // selected argument lets a block of draws vectorise.
        let rising = u < self.f_mode;
        let root = if rising {
            u * self.left
        } else {
            (1.0 - u) * self.right
        }
        .sqrt();
        let x = if rising {
            self.min + root
        } else {
            self.max - root
        };
        clamp(x, self.min, self.max)
    }
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.min {
            0.0
        } else if x >= self.max {
            1.0
        } else if x <= self.mode {
            (x - self.min) * (x - self.min) / self.left
        } else {
            1.0 - (self.max - x) * (self.max - x) / self.right
        }
    }
    fn median(&self) -> f64 {
        self.inverse_cdf(0.5)
    }
    fn mean(&self) -> f64 {
        (self.min + self.mode + self.max) / 3.0
    }
    fn variance(&self) -> f64 {
        // (a^2 + b^2 + c^2 - ab - ac - bc) / 18, shifted to min = 0 so that
        // values far from zero do not cancel catastrophically.
        let (p, q) = (self.mode - self.min, self.max - self.min);
        (p * p + q * q - p * q) / 18.0
    }
    /// The mode: the "most likely" value the expert gave.
    fn nominal(&self) -> f64 {
        self.mode
    }
    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }
    fn describe(&self) -> String {
        format!(
            "triangular(min {}, mode {}, max {})",
            num(self.min),
            num(self.mode),
            num(self.max)
        )
    }
}
