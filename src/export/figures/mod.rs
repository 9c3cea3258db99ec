//! Figures as SVG, drawn with plotters' SVG backend (no browser, no
//! network, no font files needed to write them).

use super::document::Figure;
use crate::result::{RunResult, SobolResult, TornadoResult};

/// A run's figures.
pub fn run(_r: &RunResult) -> Vec<Figure> {
    Vec::new()
}

/// A Sobol' analysis's figures.
pub fn sobol(_r: &SobolResult) -> Vec<Figure> {
    Vec::new()
}

/// A tornado's figures.
pub fn tornado(_r: &TornadoResult) -> Vec<Figure> {
    Vec::new()
}
