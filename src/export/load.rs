//! Reads saved results back into their own types, by their `kind`.

use std::path::{Path, PathBuf};

use crate::paired::result::CompareResult;
use crate::result::{BaselineResult, RunResult, SobolResult, TornadoResult};

/// The kinds `report` renders.
pub const KINDS: &str = "run, sobol, tornado, compare and baseline";

#[derive(Debug, Clone)]
pub enum Result {
    Run(RunResult),
    Sobol(SobolResult),
    Tornado(TornadoResult),
    Compare(CompareResult),
    Baseline(BaselineResult),
}

/// A result and the file it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub result: Result,
}

/// What makes two results "of the same scenario": its file's hash and the
/// overrides applied to it (a compare result: both sides').
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScenarioKey {
    pub name: String,
    pub sha256: String,
    pub overrides: Vec<String>,
}

impl ScenarioKey {
    /// "moshi (sha256 1a2b3c4d…, --set a=b)".
    pub fn describe(&self) -> String {
        let hash = &self.sha256[..self.sha256.len().min(12)];
        if self.overrides.is_empty() {
            format!("{} (sha256 {hash}…)", self.name)
        } else {
            format!(
                "{} (sha256 {hash}…, --set {})",
                self.name,
                self.overrides.join(" --set ")
            )
        }
    }
}

impl Loaded {
    pub fn kind(&self) -> &'static str {
        match self.result {
            Result::Run(_) => "run",
            Result::Sobol(_) => "sobol",
            Result::Tornado(_) => "tornado",
            Result::Compare(_) => "compare",
            Result::Baseline(_) => "baseline",
        }
    }

    pub fn version(&self) -> &str {
        match &self.result {
            Result::Run(r) => &r.ecoband_version,
            Result::Sobol(r) => &r.ecoband_version,
            Result::Tornado(r) => &r.ecoband_version,
            Result::Compare(r) => &r.ecoband_version,
            Result::Baseline(r) => &r.ecoband_version,
        }
    }

    pub fn scenario(&self) -> ScenarioKey {
        let key = |s: &crate::result::ScenarioInfo, overrides: &[String]| ScenarioKey {
            name: s.name.clone(),
            sha256: s.sha256.clone(),
            overrides: overrides.to_vec(),
        };
        match &self.result {
            Result::Run(r) => key(&r.scenario, &r.settings.overrides),
            Result::Sobol(r) => key(&r.scenario, &r.settings.overrides),
            Result::Tornado(r) => key(&r.scenario, &r.settings.overrides),
            Result::Baseline(r) => key(&r.scenario, &r.settings.overrides),
            Result::Compare(r) => ScenarioKey {
                name: format!("{} vs {}", r.a.scenario.name, r.b.scenario.name),
                sha256: format!("{}+{}", r.a.scenario.sha256, r.b.scenario.sha256),
                overrides: r
                    .a
                    .overrides
                    .iter()
                    .map(|o| format!("A:{o}"))
                    .chain(r.b.overrides.iter().map(|o| format!("B:{o}")))
                    .collect(),
            },
        }
    }

    /// The scenario file's path as the result recorded it (the A side of
    /// a comparison).
    pub fn scenario_path(&self) -> &str {
        match &self.result {
            Result::Run(r) => &r.scenario.path,
            Result::Sobol(r) => &r.scenario.path,
            Result::Tornado(r) => &r.scenario.path,
            Result::Baseline(r) => &r.scenario.path,
            Result::Compare(r) => &r.a.scenario.path,
        }
    }
}

/// Reads one result file, with a sentence saying what is wrong if it is
/// not a whole ecoband result of a kind `report` renders.
pub fn read(path: &Path) -> std::result::Result<Loaded, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read it: {e}"))?;
    // The JSON is checked whole first (to say what a file that is not a
    // result is), then parsed straight from the text into each kind's own
    // types: a `serde_json::Value`'s maps sort their keys, so categories,
    // tags and factors would lose the order the result was written in.
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{name}: not a complete JSON file (truncated or corrupted? {e})"))?;
    if let Some(format) = value.get("format").and_then(|f| f.as_str())
        && format.starts_with("ecoband-part/")
    {
        return Err(format!(
            "{name}: a part file of a sharded run or sobol ({format}), not a result; join every shard's part with `ecoband merge PART… --out FILE`, then report FILE"
        ));
    }
    let kind = value.get("kind").and_then(|k| k.as_str()).ok_or_else(|| {
        format!(
            "{name}: not an ecoband result (no `kind` field); report reads the JSON that `ecoband run|sobol|tornado|compare|baseline --out FILE` writes"
        )
    })?;
    let malformed = |e: serde_json::Error| {
        format!(
            "{name}: a `{kind}` result that this ecoband cannot read ({e}); was it written by another version or edited?"
        )
    };
    let result = match kind {
        "run" => Result::Run(serde_json::from_str(&text).map_err(malformed)?),
        "sobol" => Result::Sobol(serde_json::from_str(&text).map_err(malformed)?),
        "tornado" => Result::Tornado(serde_json::from_str(&text).map_err(malformed)?),
        "compare" => Result::Compare(serde_json::from_str(&text).map_err(malformed)?),
        "baseline" => Result::Baseline(serde_json::from_str(&text).map_err(malformed)?),
        "sweep" => {
            return Err(format!(
                "{name}: a `sweep` result; report renders {KINDS} results (each point of a sweep is a `run` result in the sweep's points/ folder)"
            ));
        }
        other => {
            return Err(format!(
                "{name}: a `{other}` result; report renders {KINDS} results"
            ));
        }
    };
    Ok(Loaded {
        path: path.to_path_buf(),
        result,
    })
}
