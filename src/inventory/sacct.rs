//! A Slurm accounting export, `sacct --parsable2 -o JobID,JobName,…`:
//! `|`-separated, a header line first, columns found by their header name
//! in any order. Only allocation lines count: a step (`1234.batch`,
//! `1234.0`, `1234.extern`) runs inside its job's allocation, so adding it
//! would count the same GPUs twice.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use super::tags::{self, Tagger};
use super::{Inventory, Job, line_error};

/// The export the error messages suggest when a column is missing.
pub const SACCT_COMMAND: &str =
    "sacct --allusers --parsable2 -o JobID,JobName,Partition,Elapsed,AllocTRES,State,Start,End";

/// Where a job's GPU count is read from.
#[derive(Debug, PartialEq)]
pub enum GpuField {
    /// A TRES list (`cpu=64,gres/gpu=8,mem=500G`) and the key to read.
    Tres { column: String, key: String },
    /// A column holding the GPU count itself.
    Count { column: String },
}

impl Default for GpuField {
    fn default() -> Self {
        GpuField::Tres {
            column: "AllocTRES".into(),
            key: "gres/gpu".into(),
        }
    }
}

const GPU_FIELD_SYNTAX: &str = "expected a TRES key (gres/gpu, gres/gpu:a100: read from AllocTRES), COLUMN:KEY (ReqTRES:gres/gpu), or the name of a column holding GPU counts";

impl GpuField {
    /// `gres/gpu:a100` (a TRES key: it has a `/`), `ReqTRES:gres/gpu`, or
    /// `NGPUS` (a column of counts).
    pub fn parse(spec: &str) -> Result<GpuField, String> {
        let refuse = |why: &str| format!("--gpu-field {spec}: {why}; {GPU_FIELD_SYNTAX}");
        let is_column = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        if !spec.contains('/') {
            return if is_column(spec) {
                Ok(GpuField::Count {
                    column: spec.to_string(),
                })
            } else {
                Err(refuse("not a column name"))
            };
        }
        let (column, key) = match spec.split_once(':') {
            Some((column, key)) if !column.contains('/') => (column, key),
            _ => ("AllocTRES", spec),
        };
        if !is_column(column) {
            return Err(refuse(&format!("`{column}` is not a column name")));
        }
        if key.is_empty() || key.contains(['=', ',']) || key.ends_with(['/', ':']) {
            return Err(refuse(&format!("`{key}` is not a TRES key")));
        }
        Ok(GpuField::Tres {
            column: column.to_string(),
            key: key.to_string(),
        })
    }

    fn column(&self) -> &str {
        match self {
            GpuField::Tres { column, .. } | GpuField::Count { column } => column,
        }
    }

    /// The GPUs of one cell. An empty cell (a job that never started) is 0.
    fn gpus(&self, cell: &str) -> Result<u64, String> {
        let cell = cell.trim();
        if cell.is_empty() {
            return Ok(0);
        }
        match self {
            GpuField::Count { column } => cell.parse::<u64>().map_err(|_| {
                format!("{column} `{cell}` is not a GPU count; allowed: a whole number ≥ 0, or empty for none")
            }),
            GpuField::Tres { column, key } => tres_gpus(column, key, cell),
        }
    }
}

/// The count of `key` in a TRES list. An untyped key (`gres/gpu`) reads the
/// untyped entry, which Slurm writes beside the typed ones as their total;
/// without it, the typed entries (`gres/gpu:a100=4,gres/gpu:v100=2`) add up.
fn tres_gpus(column: &str, key: &str, cell: &str) -> Result<u64, String> {
    let allowed = "allowed: comma-separated NAME=COUNT entries such as cpu=64,gres/gpu=8,mem=500G or gres/gpu:a100=8";
    let typed_prefix = format!("{key}:");
    let mut exact = None;
    let mut typed = 0u64;
    for entry in cell.split(',') {
        let Some((name, value)) = entry.split_once('=') else {
            return Err(format!(
                "{column} `{cell}`: the entry `{entry}` has no `=`; {allowed}"
            ));
        };
        if name.is_empty() {
            return Err(format!(
                "{column} `{cell}`: the entry `{entry}` has no name; {allowed}"
            ));
        }
        let is_exact = name == key;
        if !is_exact && !name.starts_with(&typed_prefix) {
            continue;
        }
        let count: u64 = value.parse().map_err(|_| {
            format!("{column} `{cell}`: `{entry}` does not give a whole number of GPUs; {allowed}")
        })?;
        if is_exact {
            exact = Some(count);
        } else {
            typed = typed
                .checked_add(count)
                .ok_or_else(|| format!("{column} `{cell}`: the GPU counts overflow; {allowed}"))?;
        }
    }
    Ok(exact.unwrap_or(typed))
}

const ELAPSED_ALLOWED: &str = "allowed: [D-]HH:MM:SS, MM:SS or MM:SS.mmm, with minutes and seconds below 60 (and hours below 24 after a day count)";

/// Milliseconds of an Elapsed cell: `2-03:04:05`, `03:04:05`, `04:05`,
/// `04:05.250`.
pub fn elapsed_ms(cell: &str) -> Result<u64, String> {
    let refuse = || format!("Elapsed `{cell}` is not a duration; {ELAPSED_ALLOWED}");
    let digits = |s: &str| -> Result<u64, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse());
        }
        s.parse().map_err(|_| refuse())
    };
    let (days, clock) = match cell.split_once('-') {
        Some((d, rest)) => (Some(digits(d)?), rest),
        None => (None, cell),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, s) = match (parts.as_slice(), days) {
        ([h, m, s], _) => (digits(h)?, *m, *s),
        ([m, s], None) => (0, *m, *s),
        _ => return Err(refuse()),
    };
    let m = digits(m)?;
    let (s, ms) = match s.split_once('.') {
        Some((s, frac)) if (1..=3).contains(&frac.len()) => {
            // `.5` is 500 ms, `.05` is 50 ms.
            let scale = 10u64.pow(3 - frac.len() as u32);
            (digits(s)?, digits(frac)? * scale)
        }
        Some(_) => return Err(refuse()),
        None => (digits(s)?, 0),
    };
    if m >= 60 || s >= 60 || (days.is_some() && h >= 24) {
        return Err(refuse());
    }
    days.unwrap_or(0)
        .checked_mul(24)
        .and_then(|x| x.checked_add(h))
        .and_then(|x| x.checked_mul(60))
        .and_then(|x| x.checked_add(m))
        .and_then(|x| x.checked_mul(60))
        .and_then(|x| x.checked_add(s))
        .and_then(|x| x.checked_mul(1000))
        .and_then(|x| x.checked_add(ms))
        .ok_or_else(refuse)
}

/// The day of a Start/End cell (`2025-01-03T10:00:00` → `2025-01-03`);
/// `Unknown`, `None` and other non-dates give none (a job not yet ended).
fn day(cell: &str) -> Option<String> {
    let d = cell.get(..10)?;
    let b = d.as_bytes();
    let shape = b.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    shape.then(|| d.to_string())
}

/// Reads an export; `file` names it in messages and sources.
pub fn read(file: &str, text: &str, gpu: &GpuField, tagger: &Tagger) -> Result<Inventory, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(format!(
            "{file}: the file is empty; expected a header line and one line per job, as {SACCT_COMMAND} writes"
        ));
    };
    // `--parsable` (not `--parsable2`) ends every line with a `|`.
    let trailing = header.ends_with('|');
    let split = |l: &'_ str| -> Vec<String> {
        let l = if trailing {
            l.strip_suffix('|').unwrap_or(l)
        } else {
            l
        };
        l.split('|').map(str::to_string).collect()
    };
    let names = split(header);
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if index.insert(name.trim().to_ascii_lowercase(), i).is_some() {
            return Err(line_error(
                file,
                header_line,
                format!("the column `{}` appears twice in the header", name.trim()),
            ));
        }
    }
    let column = |name: &str, why: &str| -> Result<usize, String> {
        index.get(&name.to_ascii_lowercase()).copied().ok_or_else(|| {
            line_error(
                file,
                header_line,
                format!(
                    "the header has no column `{name}` ({why}); its columns: {}; export with {SACCT_COMMAND}",
                    names.join(", ")
                ),
            )
        })
    };
    let id_col = column("JobID", "each line's job")?;
    let elapsed_col = column("Elapsed", "how long each job held its GPUs")?;
    let state_col = column("State", "the `outcome` tag")?;
    let gpu_col = column(gpu.column(), "the GPU count, see --gpu-field")?;
    let mut rule_cols = HashMap::new();
    for rule in tagger.fields() {
        let why = format!("read by --tag-by {}", rule.text);
        rule_cols.insert(rule.field.clone(), column(&rule.field, &why)?);
    }
    let start_col = index.get("start").copied();
    let end_col = index.get("end").copied();

    // JobID: JOB[_TASK|_[RANGE]][+COMPONENT][.STEP].
    let id_shape = Regex::new(r"^\d+(?:_(?:\d+|\[[^\]]*\]))?(?:\+\d+)?(?:\.([A-Za-z0-9_+\-]+))?$")
        .map_err(|e| format!("internal: the job id pattern: {e}"))?;
    let mut jobs = Vec::new();
    let mut steps = 0usize;
    let mut seen = HashSet::new();
    let mut duplicates = 0usize;
    for (number, line) in lines {
        let at = |message: String| line_error(file, number, message);
        let cells = split(line);
        if cells.len() != names.len() {
            return Err(at(format!(
                "{} fields, the header has {}; allowed: one `|`-separated field per column (a `|` inside a job name breaks the line: export with --delimiter)",
                cells.len(),
                names.len()
            )));
        }
        let id = cells[id_col].trim();
        let Some(shape) = id_shape.captures(id) else {
            return Err(at(format!(
                "JobID `{id}` is not a Slurm job id; allowed: JOB, JOB_TASK (array), JOB+N (heterogeneous component), each optionally with .STEP"
            )));
        };
        if shape.get(1).is_some() {
            steps += 1;
            continue;
        }
        if !seen.insert(id.to_string()) {
            duplicates += 1;
        }
        let ms = elapsed_ms(cells[elapsed_col].trim()).map_err(at)?;
        let outcome = tags::outcome(cells[state_col].trim()).map_err(at)?;
        let gpus = gpu.gpus(&cells[gpu_col]).map_err(at)?;
        let gpu_ms = gpus
            .checked_mul(ms)
            .ok_or_else(|| at(format!("{gpus} GPUs × {ms} ms overflows")))?;
        let mut job_tags = tagger.tag(|field| cells[rule_cols[field]].as_str());
        job_tags.push((tags::OUTCOME.to_string(), outcome));
        jobs.push(Job {
            gpus: gpus as f64,
            // GPU-milliseconds are exact integers: one rounding per job.
            gpu_hours: gpu_ms as f64 / 3_600_000.0,
            tags: job_tags,
            start: start_col.and_then(|c| day(&cells[c])),
            end: end_col.and_then(|c| day(&cells[c])),
        });
    }
    let mut notes = Vec::new();
    if steps > 0 {
        notes.push(format!(
            "{steps} job-step line{} (JobID with .batch, .extern, .N) not added: their GPUs are their job's",
            if steps == 1 { "" } else { "s" }
        ));
    }
    if duplicates > 0 {
        notes.push(format!(
            "{duplicates} job line(s) repeat a JobID seen before (requeued runs from sacct --duplicates, or exports joined twice?): each is counted"
        ));
    }
    let mut keys: Vec<String> = tagger.keys.iter().map(|(k, _)| k.clone()).collect();
    keys.push(tags::OUTCOME.to_string());
    Ok(Inventory {
        file: file.to_string(),
        kind: "sacct export",
        jobs,
        keys,
        fallback: tags::UNMATCHED,
        missed: "matched no --tag-by rule of",
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::tags::TagRule;

    #[test]
    fn elapsed_forms() {
        assert_eq!(elapsed_ms("00:00:01").unwrap(), 1000);
        assert_eq!(
            elapsed_ms("2-03:04:05").unwrap(),
            ((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000
        );
        assert_eq!(elapsed_ms("04:05").unwrap(), 245_000);
        assert_eq!(elapsed_ms("04:05.25").unwrap(), 245_250);
        assert_eq!(elapsed_ms("04:05.005").unwrap(), 245_005);
        assert_eq!(elapsed_ms("30:00:00").unwrap(), 30 * 3_600_000);
        for bad in [
            "",
            "5",
            "1-02:03",
            "1-25:00:00",
            "00:60:00",
            "a:b:c",
            "01:02.3456",
            "1:2:3:4",
            "-01:02:03",
            "01:02.",
        ] {
            let e = elapsed_ms(bad).unwrap_err();
            assert!(e.contains("[D-]HH:MM:SS"), "{bad}: {e}");
        }
    }

    #[test]
    fn gpu_fields() {
        let d = GpuField::default();
        assert_eq!(
            d.gpus("billing=8,cpu=64,gres/gpu=8,mem=1T,node=1").unwrap(),
            8
        );
        assert_eq!(d.gpus("cpu=8,gres/gpu:a100=4,gres/gpu=4").unwrap(), 4);
        assert_eq!(d.gpus("gres/gpu:a100=2,gres/gpu:v100=2").unwrap(), 4);
        assert_eq!(d.gpus("cpu=2,mem=4G").unwrap(), 0);
        assert_eq!(d.gpus("").unwrap(), 0);
        assert!(
            d.gpus("cpu=2,gres/gpu=eight")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(d.gpus("cpu=2,gres/gpu").unwrap_err().contains("no `=`"));
        let typed = GpuField::parse("gres/gpu:a100").unwrap();
        assert_eq!(
            typed
                .gpus("gres/gpu:a100=2,gres/gpu:v100=3,gres/gpu=5")
                .unwrap(),
            2
        );
        assert_eq!(
            GpuField::parse("ReqTRES:gres/gpu").unwrap(),
            GpuField::Tres {
                column: "ReqTRES".into(),
                key: "gres/gpu".into()
            }
        );
        let count = GpuField::parse("NGPUS").unwrap();
        assert_eq!(count.gpus("3").unwrap(), 3);
        assert!(count.gpus("x").is_err());
        for bad in ["", "a b", "gres/gpu=8", "X:gres/"] {
            assert!(GpuField::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn steps_are_not_counted_and_columns_may_come_in_any_order() {
        let text = "State|Elapsed|JobName|AllocTRES|JobID|Start\n\
            COMPLETED|01:00:00|pt-a|gres/gpu=8|10|2025-01-02T00:00:00\n\
            COMPLETED|01:00:00|batch|gres/gpu=8|10.batch|2025-01-02T00:00:00\n\
            COMPLETED|00:59:00|step|gres/gpu=8|10.0|2025-01-02T00:00:00\n\
            CANCELLED by 7|30:00|pt-b|gres/gpu=2|11_3|Unknown\n\
            FAILED|1-00:00:00|x|cpu=4|12+0|2025-01-01T00:00:00\n\
            FAILED|1-00:00:00|x|gres/gpu=1|12+1|2025-01-01T00:00:00\n";
        let tagger = Tagger::new(vec![TagRule::parse("phase=pt:^pt-").unwrap()]);
        let inv = read("x.txt", text, &GpuField::default(), &tagger).unwrap();
        assert_eq!(inv.jobs.len(), 4);
        assert_eq!(inv.zero_gpu_jobs(), 1);
        let rows = inv.rows();
        let total: f64 = rows.iter().map(|r| r.gpu_hours).sum();
        assert_eq!(total, 8.0 + 1.0 + 24.0);
        assert!(
            inv.notes[0].starts_with("2 job-step lines"),
            "{:?}",
            inv.notes
        );
        assert_eq!(rows[0].tags[1].1, "cancelled");
    }

    #[test]
    fn malformed_lines_name_their_line() {
        let tagger = Tagger::default();
        let gpu = GpuField::default();
        let head = "JobID|Elapsed|State|AllocTRES\n1|01:00:00|COMPLETED|gres/gpu=1\n";
        for (line, fragment) in [
            ("2|01:00|COMPLETED\n", "3 fields, the header has 4"),
            ("x2|01:00|COMPLETED|gres/gpu=1\n", "JobID `x2`"),
            ("2|1:00:61|COMPLETED|gres/gpu=1\n", "Elapsed `1:00:61`"),
            ("2|01:00|DONE|gres/gpu=1\n", "State `DONE`"),
            ("2|01:00|COMPLETED|gres/gpu=-1\n", "AllocTRES `gres/gpu=-1`"),
        ] {
            let e = read("f.txt", &format!("{head}{line}"), &gpu, &tagger).unwrap_err();
            assert!(e.starts_with("f.txt:3: "), "{e}");
            assert!(e.contains(fragment), "{e}");
        }
        let e = read("f.txt", "JobID|State|AllocTRES\n", &gpu, &tagger).unwrap_err();
        assert!(
            e.starts_with("f.txt:1: the header has no column `Elapsed`"),
            "{e}"
        );
    }
}
