//! Scenario files: the TOML format, parsed into typed specs with the place of
//! every value, so that later checks can point at the line that is wrong.
//! The format is documented in `docs/scenario-format.md`.

pub mod doc;
pub mod error;
mod sections;
pub mod units;
pub mod value;

use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use error::ScenarioError;
pub use sections::*;
pub use value::{Meta, ValueKind, ValueSpec};

use doc::{Doc, TableNode};

/// How water is counted; published studies differ (see `docs/scenario-format.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaterFormula {
    /// EcoLogits: on-site WUE on IT energy, off-site water on facility energy.
    Ecologits,
    /// OLMo (Morrison et al. 2025): both intensities on facility energy.
    Olmo,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conventions {
    pub water_formula: WaterFormula,
    /// BLOOM's 24.7 t has no PUE: `apply_pue = false` reproduces it.
    pub apply_pue: bool,
}

/// Run settings a scenario may set; the command line overrides them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub samples: Option<u64>,
    pub seed: Option<u64>,
    pub level: Option<f64>,
}

/// A parsed, cross-checked scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub path: String,
    pub sha256: String,
    pub settings: Settings,
    pub conventions: Conventions,
    pub parameters: Vec<(String, ValueSpec)>,
    pub choices: Vec<ChoiceSpec>,
    pub share_sets: Vec<ShareSetSpec>,
    pub datacenter: DatacenterSpec,
    pub electricity: ElectricitySpec,
    pub idle: Option<IdleSpec>,
    pub defaults: DefaultsSpec,
    pub profiles: Vec<ProfileSpec>,
    pub inventory: Vec<RowSpec>,
    /// Factor groups declared for sensitivity analysis.
    pub groups: Vec<GroupSpec>,
    /// The file's text, kept so that later checks can give line numbers.
    pub text: String,
}

/// A name written in the file (a profile, a share) with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    pub name: String,
    pub path: String,
    pub span: Range<usize>,
}

/// Top-level tables and what each is for.
const TOP_LEVEL: [&str; 12] = [
    "scenario",
    "settings",
    "conventions",
    "parameters",
    "choices",
    "shares",
    "datacenter",
    "electricity",
    "idle",
    "defaults",
    "profiles",
    "groups",
];

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ScenarioError {
            file: shown.clone(),
            line: 0,
            column: 0,
            key_path: String::new(),
            message: format!("cannot read the scenario file: {e}"),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ScenarioError {
            file: shown.clone(),
            line: 0,
            column: 0,
            key_path: String::new(),
            message: "the file is not UTF-8 text; a scenario is a TOML text file".into(),
        })?;
        Scenario::parse(&shown, &text)
    }

    /// Parses scenario text; `file` is the name used in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let doc = Doc::new(file, text);
        let parsed = doc.parse()?;
        let root = TableNode::root(&doc, &parsed);
        let mut allowed = TOP_LEVEL.to_vec();
        allowed.push("inventory");
        root.deny_unknown(&allowed, "a scenario file")?;

        let (name, description) = sections::parse_header(&root)?;
        let scenario = Scenario {
            name,
            description,
            path: file.to_string(),
            sha256: hex_sha256(text.as_bytes()),
            settings: sections::parse_settings(&root)?,
            conventions: sections::parse_conventions(&root)?,
            parameters: sections::parse_parameters(&root)?,
            choices: sections::parse_choices(&root)?,
            share_sets: sections::parse_share_sets(&root)?,
            datacenter: sections::parse_datacenter(&root)?,
            electricity: sections::parse_electricity(&root)?,
            idle: sections::parse_idle(&root)?,
            defaults: sections::parse_defaults(&root)?,
            profiles: sections::parse_profiles(&root)?,
            inventory: sections::parse_inventory(&root)?,
            groups: sections::parse_groups(&root)?,
            text: text.to_string(),
        };
        Ok(scenario)
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
