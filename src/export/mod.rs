//! `ecoband report`: saved results turned into what a paper or a review
//! needs, recomputing nothing.
//!
//! The flow is one-way: [`load`] reads result JSONs into their own types,
//! [`document`] builds each result's tables, sentences and figures once,
//! and one exporter per format renders that one [`document::Report`]
//! (the terminal, Markdown, LaTeX and HTML render the same tables; CSV
//! writes tidy tables of the raw values; SVG writes the figures).

pub mod csv;
pub mod document;
pub mod figures;
pub mod html;
pub mod latex;
pub mod load;
pub mod markdown;
pub mod numbers;
pub mod svg;
pub mod terminal;

use document::Report;

/// What an exporter makes of a report: one file's bytes, or several files
/// named relative to an output folder.
pub enum Output {
    File(Vec<u8>),
    Folder(Vec<(String, Vec<u8>)>),
}

/// One output format.
pub trait Exporter {
    fn export(&self, report: &Report) -> Result<Output, String>;
}
