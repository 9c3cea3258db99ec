//! Exporters: they format results, they never compute statistics.

pub mod table;
pub mod write;
