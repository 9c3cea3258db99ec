//! Presets shipped with ecoband: named electricity mixes, data centres and
//! hardware nodes that a scenario uses by name (`[electricity] preset =
//! "FRA"`) instead of repeating their numbers. They are TOML files in
//! `presets/`, written in the scenario value syntax with a source for every
//! number, and embedded in the binary so that it works anywhere.
//! `crate::scenario::preset` reads them; `boavizta` recomputes the embodied
//! factors of the hardware presets from BoaviztAPI's formulas.

pub mod boavizta;

/// What a preset describes, and so where a scenario may name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresetKind {
    Electricity,
    Datacenter,
    Hardware,
}

pub const KINDS: [PresetKind; 3] = [
    PresetKind::Electricity,
    PresetKind::Datacenter,
    PresetKind::Hardware,
];

impl PresetKind {
    pub fn name(self) -> &'static str {
        match self {
            PresetKind::Electricity => "electricity",
            PresetKind::Datacenter => "datacenter",
            PresetKind::Hardware => "hardware",
        }
    }

    /// The scenario table in which a preset of this kind is named.
    pub fn section(self) -> &'static str {
        match self {
            PresetKind::Electricity => "[electricity]",
            PresetKind::Datacenter => "[datacenter]",
            PresetKind::Hardware => "[profiles.NAME]",
        }
    }

    /// The file, as shown in messages (relative to the repository root).
    pub fn file(self) -> &'static str {
        match self {
            PresetKind::Electricity => "presets/electricity.toml",
            PresetKind::Datacenter => "presets/datacenters.toml",
            PresetKind::Hardware => "presets/hardware.toml",
        }
    }

    /// The file's text, embedded at build time.
    pub fn text(self) -> &'static str {
        match self {
            PresetKind::Electricity => include_str!("../../presets/electricity.toml"),
            PresetKind::Datacenter => include_str!("../../presets/datacenters.toml"),
            PresetKind::Hardware => include_str!("../../presets/hardware.toml"),
        }
    }
}
