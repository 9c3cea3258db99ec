//! One file per command: each turns its parsed arguments into the text it
//! prints (and the files it writes), through the library's one-way flow.

pub mod baseline;
pub mod check;
pub mod claim;
pub mod compare;
pub mod completions;
pub mod inventory;
pub mod man;
pub mod merge;
pub mod presets;
pub mod report;
pub mod run;
pub mod run_samples;
pub mod slurm;
pub mod sobol;
pub mod sweep;
pub mod tornado;
