//! Commands about ecoband itself rather than a scenario, one file each.

pub mod completions;
pub mod man;
