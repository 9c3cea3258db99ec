//! SVG: every figure of the report as a file of its own, named by its id.

use super::document::Report;
use super::{Exporter, Output};

pub struct Svg;

impl Exporter for Svg {
    fn export(&self, report: &Report) -> Result<Output, String> {
        Ok(Output::Folder(
            report
                .sections
                .iter()
                .flat_map(|s| &s.figures)
                .map(|f| (format!("{}.svg", f.id), f.svg.clone().into_bytes()))
                .collect(),
        ))
    }
}
