//! Designs: where in the unit cube each sample lies. The samplers know
//! nothing about LCA; they fill a point of (0, 1)^d for a sample index.
//! Plain Monte Carlo, scrambled Sobol' points (randomised QMC with
//! independent replicates) and Latin hypercubes.

mod counter;
mod lhs;
mod sobol_points;

pub use counter::{KeyedMonteCarlo, MonteCarlo};
pub use lhs::{LatinHypercube, LhsError, MAX_LHS_POINTS};
pub use sobol_points::{MAX_DIMS, MAX_POINTS, ScrambledSobol, SobolError};

/// A source of points of the open unit cube, addressed by sample index, so
/// that any chunk of samples can be generated anywhere (any thread, any
/// machine) and give the same numbers.
pub trait PointSource: Sync {
    /// Short name recorded in results, e.g. "mc".
    fn name(&self) -> &'static str;
    /// Writes the point of sample `index` into `u` (length = dimension).
    fn point(&self, index: u64, u: &mut [f64]);

    /// Writes the points of samples `first..first + n` dimension-major:
    /// coordinate `d` of sample `first + s` at `u[d * stride + s]`, for
    /// `d < row.len()`; `row` is scratch of one point's length. The same
    /// numbers as [`PointSource::point`]; a design may override it to
    /// generate a coordinate for many samples in one vectorised loop.
    fn points_block(&self, first: u64, n: usize, u: &mut [f64], stride: usize, row: &mut [f64]) {
        for s in 0..n {
            self.point(first + s as u64, row);
            for (d, x) in row.iter().enumerate() {
                u[d * stride + s] = *x;
            }
        }
    }
}
