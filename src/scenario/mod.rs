//! Scenario files: the TOML format, parsed into typed specs with the place of
//! every value, so that later checks can point at the line that is wrong.
//! The format is documented in `docs/scenario-format.md`.

mod correlations;
pub mod doc;
pub mod error;
pub mod expr;
pub mod overrides;
pub mod preset;
mod sections;
mod test_function;
pub mod unit_algebra;
pub mod units;
pub mod value;

use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use correlations::CorrelationSpec;
pub use error::ScenarioError;
pub use sections::*;
pub use value::{Meta, ValueKind, ValueSpec};

use crate::test_functions::TestFunction;
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
    pub parameters: Vec<(String, ValueSpec)>,
    pub choices: Vec<ChoiceSpec>,
    pub share_sets: Vec<ShareSetSpec>,
    /// What is computed from the inputs.
    pub model: ModelSpec,
    /// Factor groups declared for sensitivity analysis.
    pub groups: Vec<GroupSpec>,
    /// `[correlations]`: rank correlations between factors, in file order.
    pub correlations: Vec<CorrelationSpec>,
    /// The file's text, kept so that later checks can give line numbers
    /// (with overrides: the text they produced).
    pub text: String,
    /// The `--set KEY=VALUE` overrides applied, in canonical form; `sha256`
    /// stays the file's, so results record both.
    pub overrides: Vec<String>,
}

/// The equations a scenario's inputs feed.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSpec {
    /// The research-compute footprint model (the default).
    Footprint(Box<FootprintSpec>),
    /// An analytic test function whose inputs are the `[parameters]`, in
    /// file order (`model = "ishigami"` …).
    TestFunction(TestFunction),
}

/// The sections of a footprint scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct FootprintSpec {
    pub conventions: Conventions,
    /// Where compute ran: one implicit site, or the `[sites.NAME]` tables.
    pub sites: Vec<SiteSpec>,
    /// Whether the sites are `[sites.NAME]` tables (each row then carries
    /// a `site` tag value, the per-site breakdown).
    pub named_sites: bool,
    pub defaults: DefaultsSpec,
    pub profiles: Vec<ProfileSpec>,
    pub inventory: Vec<RowSpec>,
}

/// A name written in the file (a profile, a share) with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    pub name: String,
    pub path: String,
    pub span: Range<usize>,
}

/// Top-level tables every scenario may have.
const COMMON_TABLES: [&str; 5] = [
    "scenario",
    "settings",
    "parameters",
    "groups",
    "correlations",
];

/// Top-level tables of the footprint model only.
const FOOTPRINT_TABLES: [&str; 10] = [
    "conventions",
    "sites",
    "choices",
    "shares",
    "datacenter",
    "electricity",
    "idle",
    "defaults",
    "profiles",
    "inventory",
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
        let header = sections::parse_header(&root)?;
        let model = match &header.test_function {
            None => {
                let mut allowed = COMMON_TABLES.to_vec();
                allowed.extend_from_slice(&FOOTPRINT_TABLES);
                root.deny_unknown(&allowed, "a scenario file")?;
                let conventions = sections::parse_conventions(&root)?;
                let (sites, named_sites) = sections::parse_sites(&root)?;
                ModelSpec::Footprint(Box::new(FootprintSpec {
                    conventions,
                    sites,
                    named_sites,
                    defaults: sections::parse_defaults(&root)?,
                    profiles: sections::parse_profiles(&root)?,
                    inventory: sections::parse_inventory(&root)?,
                }))
            }
            Some(id) => {
                let mut allowed = COMMON_TABLES.to_vec();
                allowed.push("model");
                let what = format!(
                    "a scenario of the `{id}` test function (its inputs are the [parameters], in order; the footprint tables do not apply)"
                );
                root.deny_unknown(&allowed, &what)?;
                ModelSpec::TestFunction(test_function::parse(&root, id)?)
            }
        };
        let mut choices = sections::parse_choices(&root)?;
        if let ModelSpec::Footprint(f) = &model {
            add_preset_choices(&mut choices, &f.profiles);
        }
        let scenario = Scenario {
            name: header.name,
            description: header.description,
            path: file.to_string(),
            sha256: hex_sha256(text.as_bytes()),
            settings: sections::parse_settings(&root)?,
            parameters: sections::parse_parameters(&root)?,
            choices,
            share_sets: sections::parse_share_sets(&root)?,
            model,
            groups: sections::parse_groups(&root)?,
            correlations: correlations::parse_correlations(&root)?,
            text: text.to_string(),
            overrides: Vec::new(),
        };
        Ok(scenario)
    }
}

impl Scenario {
    /// The inventory rows (none for a test function).
    pub fn inventory(&self) -> &[RowSpec] {
        match &self.model {
            ModelSpec::Footprint(f) => &f.inventory,
            ModelSpec::TestFunction(_) => &[],
        }
    }
}

/// The choices that hardware presets declare, unless the scenario declares
/// one of the same name (its own weights then apply), an earlier profile
/// brought it (two profiles on one preset share its choice), or the
/// scenario overrode every value that depends on it (a factor that moves
/// nothing would only add a zero to every analysis).
fn add_preset_choices(choices: &mut Vec<ChoiceSpec>, profiles: &[ProfileSpec]) {
    for p in profiles {
        for c in &p.choices {
            if p.uses_choice(&c.name) && !choices.iter().any(|d| d.name == c.name) {
                choices.push(c.clone());
            }
        }
    }
}

pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
