//! Exporters: they format results, they never compute statistics.

pub mod presets;
pub mod progress;
pub mod table;
pub mod write;
