//! Inventory rows from scheduler job logs: a Slurm accounting export
//! (`sacct.rs`) or a plain CSV of jobs (`csv.rs`) becomes one
//! `[[inventory]]` row per distinct combination of tags (`tags.rs`), GPU-hours
//! summed, in the scenario syntax of docs/scenario-format.md.

pub mod csv;
pub mod sacct;
pub mod tags;

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One job (an allocation, not a step) with the GPU time it held.
#[derive(Debug)]
pub struct Job {
    pub gpus: f64,
    pub gpu_hours: f64,
    /// `(key, value)` in the inventory's key order.
    pub tags: Vec<(String, String)>,
    /// First and last day it ran (`YYYY-MM-DD`), when the export says.
    pub start: Option<String>,
    pub end: Option<String>,
}

/// Everything read from one file: the jobs and what the reader must be
/// told about the ones that do not become GPU-hours of a tag.
#[derive(Debug)]
pub struct Inventory {
    /// The file's name as given, for sources and messages.
    pub file: String,
    /// What kind of file it was, for the source strings.
    pub kind: &'static str,
    pub jobs: Vec<Job>,
    /// Tag keys in output order.
    pub keys: Vec<String>,
    /// For each key, the value its misses got (`unmatched`, `untagged`).
    pub fallback: &'static str,
    /// How the summary says a job got the fallback ("matched no --tag-by
    /// rule of").
    pub missed: &'static str,
    /// Lines of facts for the header comment and stderr (step lines
    /// skipped, duplicate job ids …).
    pub notes: Vec<String>,
}

/// One row to write: a tag combination and its totals.
#[derive(Debug)]
pub struct Row {
    pub tags: Vec<(String, String)>,
    pub jobs: usize,
    pub gpu_hours: f64,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
}

/// A malformed line: where, and what was wrong and allowed.
pub fn line_error(file: &str, line: usize, message: impl std::fmt::Display) -> String {
    format!("{file}:{line}: {message}")
}

impl Inventory {
    /// Jobs that held GPUs, grouped by tag combination (sorted by the tag
    /// values, so the output does not depend on the order of the export).
    pub fn rows(&self) -> Vec<Row> {
        let mut groups: BTreeMap<Vec<String>, Row> = BTreeMap::new();
        for job in self.jobs.iter().filter(|j| j.gpus > 0.0) {
            let values = job.tags.iter().map(|(_, v)| v.clone()).collect();
            let row = groups.entry(values).or_insert_with(|| Row {
                tags: job.tags.clone(),
                jobs: 0,
                gpu_hours: 0.0,
                first_day: None,
                last_day: None,
            });
            row.jobs += 1;
            row.gpu_hours += job.gpu_hours;
            if let Some(s) = &job.start
                && row.first_day.as_ref().is_none_or(|d| s < d)
            {
                row.first_day = Some(s.clone());
            }
            // A job still running has no end: its start is its last day seen.
            if let Some(e) = job.end.as_ref().or(job.start.as_ref())
                && row.last_day.as_ref().is_none_or(|d| e > d)
            {
                row.last_day = Some(e.clone());
            }
        }
        groups.into_values().collect()
    }

    /// Jobs with no GPU (CPU-only, or never started): counted, never rows.
    pub fn zero_gpu_jobs(&self) -> usize {
        self.jobs.iter().filter(|j| j.gpus == 0.0).count()
    }

    /// The facts the user must see: how many jobs, how many without GPUs,
    /// and for each tag key how many jobs and GPU-hours no rule matched.
    pub fn summary(&self) -> Vec<String> {
        let gpu_jobs: Vec<&Job> = self.jobs.iter().filter(|j| j.gpus > 0.0).collect();
        let total: f64 = gpu_jobs.iter().map(|j| j.gpu_hours).sum();
        let mut lines = vec![format!(
            "{}: {} with GPUs, {} GPU-h in total",
            self.file,
            jobs(gpu_jobs.len()),
            hours(total)
        )];
        let zero = self.zero_gpu_jobs();
        if zero > 0 {
            lines.push(format!(
                "{}: {} held no GPU (CPU-only or never started): counted here, not rows",
                self.file,
                jobs(zero)
            ));
        }
        lines.extend(self.notes.iter().map(|n| format!("{}: {n}", self.file)));
        for key in &self.keys {
            let missed: Vec<&&Job> = gpu_jobs
                .iter()
                .filter(|j| j.tags.iter().any(|(k, v)| k == key && v == self.fallback))
                .collect();
            if !missed.is_empty() {
                let h: f64 = missed.iter().map(|j| j.gpu_hours).sum();
                lines.push(format!(
                    "{}: {} ({} GPU-h) {} `{key}`; counted in rows with {key} = \"{}\"",
                    self.file,
                    jobs(missed.len()),
                    hours(h),
                    self.missed,
                    self.fallback
                ));
            }
        }
        lines
    }

    /// The rows in scenario syntax, after a header comment with the summary
    /// and the command that wrote them.
    pub fn to_toml(&self, command: &str) -> String {
        let mut header = vec![
            format!(
                "[[inventory]] rows written by ecoband {} from {}",
                env!("CARGO_PKG_VERSION"),
                self.file
            ),
            command.to_string(),
        ];
        header.extend(self.summary());
        header.push(
            "Paste below a scenario's other tables; rows use the default profile (docs/inventory.md)."
                .to_string(),
        );
        let mut out = String::new();
        for line in header {
            // A line break (in a file name) would end the comment and leave
            // the rest of the line as broken TOML.
            let _ = writeln!(out, "# {}", line.replace(['\n', '\r'], " "));
        }
        for row in self.rows() {
            let label: Vec<String> = row.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let label = if label.is_empty() {
                "all jobs".to_string()
            } else {
                label.join(", ")
            };
            let mut source = format!("{} {}: {}", self.kind, self.file, jobs(row.jobs));
            match (&row.first_day, &row.last_day) {
                (Some(first), Some(last)) if first == last => {
                    let _ = write!(source, ", on {first}");
                }
                (Some(first), Some(last)) => {
                    let _ = write!(source, ", {first} to {last}");
                }
                _ => {}
            }
            let _ = writeln!(out, "\n[[inventory]]");
            let _ = writeln!(out, "name = {}", quoted(&label));
            let _ = writeln!(
                out,
                "gpu_hours = {{ value = {}, unit = \"GPU-h\", source = {} }}",
                toml_float(row.gpu_hours),
                quoted(&source)
            );
            if !row.tags.is_empty() {
                let tags: Vec<String> = row
                    .tags
                    .iter()
                    .map(|(k, v)| format!("{} = {}", toml_key(k), quoted(v)))
                    .collect();
                let _ = writeln!(out, "tags = {{ {} }}", tags.join(", "));
            }
        }
        out
    }
}

/// A TOML basic string with every character that needs it escaped.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A bare key when the key allows it (as `--tag-by` keys always do), else
/// quoted: CSV tag keys may hold anything.
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quoted(k)
    }
}

/// The shortest text that reads back to the same double, always with a
/// decimal point: a whole number of hours written as `12` would be a TOML
/// integer, which overflows past 2^63.
fn toml_float(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// GPU-hours for messages: enough digits to compare, no more.
fn hours(h: f64) -> String {
    format!("{h:.2}")
}

/// "1 job", "2 jobs".
fn jobs(n: usize) -> String {
    if n == 1 {
        "1 job".to_string()
    } else {
        format!("{n} jobs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(gpus: f64, h: f64, tags: &[(&str, &str)], start: Option<&str>) -> Job {
        Job {
            gpus,
            gpu_hours: gpus * h,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            start: start.map(str::to_string),
            end: None,
        }
    }

    #[test]
    fn groups_by_tags_and_skips_jobs_without_gpus() {
        let inv = Inventory {
            file: "x".into(),
            kind: "test",
            jobs: vec![
                job(8.0, 2.0, &[("p", "a")], Some("2025-01-02")),
                job(4.0, 1.0, &[("p", "b")], None),
                job(2.0, 0.5, &[("p", "a")], Some("2025-01-01")),
                job(0.0, 9.0, &[("p", "a")], None),
            ],
            keys: vec!["p".into()],
            fallback: tags::UNMATCHED,
            missed: "",
            notes: vec![],
        };
        let rows = inv.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].jobs, rows[0].gpu_hours), (2, 17.0));
        assert_eq!(rows[0].first_day.as_deref(), Some("2025-01-01"));
        assert_eq!(rows[0].last_day.as_deref(), Some("2025-01-02"));
        assert_eq!(inv.zero_gpu_jobs(), 1);
        let text = inv.to_toml("cmd\nwith a line break");
        assert!(toml::from_str::<toml::Table>(&text).is_ok(), "{text}");
        assert!(text.contains("value = 17.0,"), "{text}");
        assert!(text.contains("tags = { p = \"b\" }"), "{text}");
    }

    #[test]
    fn strings_are_escaped() {
        for s in ["a\"b\\c", "it's \"x\"", "line\nbreak", "plain"] {
            let doc: toml::Table = toml::from_str(&format!("x = {}", quoted(s))).unwrap();
            assert_eq!(doc["x"].as_str(), Some(s));
        }
        assert_eq!(toml_key("a b"), "\"a b\"");
        assert_eq!(toml_float(1e22), "10000000000000000000000.0");
        assert_eq!(toml_float(0.1), "0.1");
    }
}
