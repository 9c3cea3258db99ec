//! Designs: where in the unit cube each sample lies. The samplers know
//! nothing about LCA; they fill a point of (0, 1)^d for a sample index.

mod counter;

pub use counter::MonteCarlo;

/// A source of points of the open unit cube, addressed by sample index, so
/// that any chunk of samples can be generated anywhere (any thread, any
/// machine) and give the same numbers.
pub trait PointSource: Sync {
    /// Short name recorded in results, e.g. "mc".
    fn name(&self) -> &'static str;
    /// Writes the point of sample `index` into `u` (length = dimension).
    fn point(&self, index: u64, u: &mut [f64]);
}
