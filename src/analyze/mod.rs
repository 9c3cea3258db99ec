//! Statistics over streamed model outputs: mergeable accumulators and the
//! summaries computed from them. Nothing here knows about files or LCA.

pub mod diagnostics;
pub mod histogram;
pub mod moments;
pub mod proportion;
pub mod sketch;
pub mod sobol;
pub mod summary;
pub mod tally;
pub mod tree;

pub use moments::{ChunkSums, Moments};
pub use sketch::QuantileSketch;
pub use summary::{Summary, summarize};
pub use tally::{Tally, Threshold, ThresholdPlan};
pub use tree::PairwiseMerger;
