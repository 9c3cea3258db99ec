//! Exporters: they format results, they never compute statistics.

pub mod presets;
pub mod table;
pub mod write;
