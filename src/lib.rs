//! ecoband: uncertainty bands for the environmental footprint of AI research
//! compute.
//!
//! The flow is one-way: `scenario` (file → typed specs) → `model::compile`
//! (factors + equations) → `sample` (points of the unit cube) → `engine`
//! (chunked, parallel, deterministic accumulation) → `analyze` (statistics)
//! → `result` / `report` (JSON and tables) → `export` (`ecoband report`:
//! Markdown, LaTeX, CSV, SVG and HTML from saved results).

pub mod analyze;
pub mod app;
pub mod cli;
pub mod commands;
pub mod cpu;
pub mod dist;
pub mod engine;
pub mod export;
pub mod inventory;
pub mod model;
pub mod paired;
pub mod presets;
pub mod report;
pub mod result;
pub mod sample;
pub mod scenario;
pub mod sensitivity;
pub mod shard;
pub mod sweep;
pub mod test_functions;
pub mod tornado;
