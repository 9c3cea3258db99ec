//! A Slurm job: the job-array batch script (one task per shard or sweep
//! point), the merge job's script, and the manifest `slurm.json` that
//! `slurm status` and `slurm resume` read. Slurm schedules; ecoband only
//! writes scripts and calls `sbatch`, `squeue` and `scancel`.
//!
//! Layout of the job folder (every path in the manifest is relative to it):
//! `array.sbatch`, `merge.sbatch`, `slurm.json`, `logs/`, each task's
//! output (`parts/part-I.json`, or a sweep's `points/NAME.json`) with its
//! completion marker beside it (`OUTPUT.done`, written only after the
//! output itself is in place), and the merged result.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The manifest's format: status and resume refuse any other.
pub const FORMAT: &str = "ecoband-slurm/1";

/// The manifest's file name in the job folder.
pub const MANIFEST: &str = "slurm.json";

/// What sbatch is asked for every task (and, but for memory and CPUs, the
/// merge job).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    pub partition: Option<String>,
    pub time: Option<String>,
    pub mem: Option<String>,
    pub account: Option<String>,
    pub cpus_per_task: Option<u32>,
    pub max_running: Option<u32>,
}

/// One submission: an array over some tasks and the merge job after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub array: String,
    pub tasks: Vec<u64>,
    pub merge: String,
}

/// `slurm.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub format: String,
    /// `run`, `sobol` or `sweep`.
    pub kind: String,
    pub name: String,
    pub ecoband_version: String,
    /// The folder the tasks run in (relative paths of the command resolve
    /// from it, as they did where the job was written).
    pub workdir: String,
    pub ecoband: String,
    /// The command's own arguments, as given.
    pub args: Vec<String>,
    /// Each task's output, relative to the job folder.
    pub outputs: Vec<String>,
    /// What the merge job writes, relative to the job folder.
    pub results: Vec<String>,
    pub resources: Resources,
    pub submissions: Vec<Submission>,
}

impl Job {
    pub fn tasks(&self) -> u64 {
        self.outputs.len() as u64
    }

    /// The manifest of the job folder `dir`.
    pub fn read(dir: &Path) -> Result<Job, String> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: cannot read it ({e}); give the --out-dir of `ecoband slurm run|sobol|sweep`",
                path.display()
            )
        })?;
        let head: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a complete JSON file ({e})", path.display()))?;
        match head.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            other => {
                return Err(format!(
                    "{}: format {other:?}, but this ecoband reads `{FORMAT}`",
                    path.display()
                ));
            }
        }
        serde_json::from_value(head).map_err(|e| format!("{}: malformed: {e}", path.display()))
    }

    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        crate::report::write::write_atomically(&dir.join(MANIFEST), text.as_bytes())
            .map_err(|e| format!("{}: {e}", dir.join(MANIFEST).display()))
    }

    /// Task `i`'s completion marker, relative to the job folder.
    pub fn marker(&self, i: u64) -> String {
        format!("{}.done", self.outputs[i as usize])
    }

    /// The job-array script: task `$SLURM_ARRAY_TASK_ID` runs the command
    /// on its shard or point, then writes its marker.
    pub fn array_script(&self, dir: &Path) -> String {
        let mut s = self.header("", dir);
        let last = self.tasks() - 1;
        let throttle = self
            .resources
            .max_running
            .map_or(String::new(), |m| format!("%{m}"));
        let _ = writeln!(s, "#SBATCH --array=0-{last}{throttle}");
        let _ = writeln!(
            s,
            "#SBATCH --output={}",
            directive(&dir.join("logs").join("task-%A_%a.out"))
        );
        if let Some(m) = &self.resources.mem {
            let _ = writeln!(s, "#SBATCH --mem={}", directive_text(m));
        }
        if let Some(c) = self.resources.cpus_per_task {
            let _ = writeln!(s, "#SBATCH --cpus-per-task={c}");
        }
        s.push_str(&self.body(dir));
        s.push_str(&self.outputs_line());
        let task =
            "task=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch (it is a job array)}";
        let _ = writeln!(s, "{task}");
        let _ = writeln!(s, "out=\"$dir/${{outputs[$task]}}\"");
        let _ = writeln!(s, "rm -f \"$out.done\"");
        let threads = "--threads \"${SLURM_CPUS_PER_TASK:-1}\"";
        let which = match self.kind.as_str() {
            "sweep" => "--point \"$task\" --out \"$dir\"".to_string(),
            _ => format!("--shard \"$task/{}\" --out \"$out\"", self.tasks()),
        };
        let _ = writeln!(
            s,
            "{} {} {} {threads} {which}",
            quote(&self.ecoband),
            self.kind,
            self.quoted_args()
        );
        let _ = writeln!(
            s,
            "# The marker says the output is whole: it is written after it.\nprintf 'task %s of job %s on %s\\n' \"$task\" \"${{SLURM_ARRAY_JOB_ID:-}}\" \"$(hostname)\" > \"$out.done\""
        );
        s
    }

    /// The merge job's script: every task's output joined into the
    /// result.
    pub fn merge_script(&self, dir: &Path) -> String {
        let mut s = self.header("-merge", dir);
        let _ = writeln!(
            s,
            "#SBATCH --output={}",
            directive(&dir.join("logs").join("merge-%j.out"))
        );
        s.push_str(&self.body(dir));
        match self.kind.as_str() {
            "sweep" => {
                let _ = writeln!(
                    s,
                    "{} sweep {} --collect --out \"$dir\"",
                    quote(&self.ecoband),
                    self.quoted_args()
                );
            }
            _ => {
                s.push_str(&self.outputs_line());
                let _ = writeln!(s, "parts=()");
                let _ = writeln!(
                    s,
                    "for o in \"${{outputs[@]}}\"; do parts+=(\"$dir/$o\"); done"
                );
                let _ = writeln!(
                    s,
                    "{} merge \"${{parts[@]}}\" --out \"$dir/{}\"",
                    quote(&self.ecoband),
                    self.results[0]
                );
            }
        }
        s
    }

    fn header(&self, suffix: &str, dir: &Path) -> String {
        let mut s = String::from("#!/bin/bash\n");
        let _ = writeln!(
            s,
            "# Written by `ecoband slurm {}` (ecoband {}); submit with\n# `ecoband slurm resume {} --submit`. Job folder guide: docs/cluster.md.",
            self.kind,
            self.ecoband_version,
            quote(&dir.display().to_string())
        );
        let _ = writeln!(
            s,
            "#SBATCH --job-name={}",
            directive_text(&format!("{}{suffix}", self.name))
        );
        let r = &self.resources;
        for (option, value) in [
            ("partition", &r.partition),
            ("account", &r.account),
            ("time", &r.time),
        ] {
            if let Some(v) = value {
                let _ = writeln!(s, "#SBATCH --{option}={}", directive_text(v));
            }
        }
        s
    }

    /// Shell lines shared by both scripts: strict mode, the job folder and
    /// the working folder.
    fn body(&self, dir: &Path) -> String {
        let mut s = String::from("set -euo pipefail\n");
        let _ = writeln!(s, "dir={}", quote(&dir.display().to_string()));
        let _ = writeln!(s, "cd {}", quote(&self.workdir));
        s
    }

    /// Every task's output, relative to the job folder, as a bash array.
    fn outputs_line(&self) -> String {
        let outputs: Vec<String> = self.outputs.iter().map(|o| quote(o)).collect();
        format!("outputs=({})\n", outputs.join(" "))
    }

    fn quoted_args(&self) -> String {
        self.args
            .iter()
            .map(|a| quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `text` as one shell word: bare when it holds only characters no shell
/// treats specially, else single-quoted (a `'` inside as `'\''`).
pub fn quote(text: &str) -> String {
    // `,` is safe to bash but not inside an array's parentheses to
    // shellcheck (SC2054): quoted too.
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./=:+@%".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// A path in an `#SBATCH` line: sbatch splits directives at blanks but
/// keeps a double-quoted argument whole.
fn directive(path: &Path) -> String {
    directive_text(&path.display().to_string())
}

fn directive_text(text: &str) -> String {
    if text.contains([' ', '\t']) {
        format!("\"{text}\"")
    } else {
        text.to_string()
    }
}

/// `dir` made absolute against the current folder (scripts run elsewhere).
pub fn absolute(dir: &Path) -> Result<PathBuf, String> {
    std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_every_word_whole() {
        assert_eq!(quote("scenarios/moshi.toml"), "scenarios/moshi.toml");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(
            quote("inventory.\"all runs\".gpu_hours=3000"),
            "'inventory.\"all runs\".gpu_hours=3000'"
        );
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(quote("points/a=1,b=2.json"), "'points/a=1,b=2.json'");
    }
}
