//! Jobs of any scheduler as a plain CSV: a header naming `job`, `gpus`,
//! `hours` and optionally `tags` (in any order), one job per record, tags
//! written `phase=pretraining;outcome=failed`. Read with the `csv` crate, so
//! quoted fields may hold commas, quotes and line breaks.

use super::{Inventory, Job, line_error};

/// Jobs that lack a tag key other jobs have get this value, so the split by
/// that key still adds up to the whole.
pub const UNTAGGED: &str = "untagged";

const FORMAT: &str = "a header `job,gpus,hours,tags` (tags optional, columns in any order) and one job per line, e.g. `run-17,8,12.5,phase=pretraining;outcome=failed`";

/// A finite number ≥ 0 in a cell.
fn amount(column: &str, cell: &str) -> Result<f64, String> {
    match cell.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!(
            "{column} `{cell}` is not a number ≥ 0; allowed: e.g. 8, 12.5, 0.25"
        )),
    }
}

/// `phase=pretraining;outcome=failed` → pairs; empty → none.
fn tag_list(cell: &str) -> Result<Vec<(String, String)>, String> {
    let allowed = "allowed: KEY=VALUE pairs separated by `;`, e.g. phase=pretraining;outcome=failed, or empty";
    let mut out: Vec<(String, String)> = Vec::new();
    for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("tags `{cell}`: `{part}` has no `=`; {allowed}"));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || v.is_empty() {
            return Err(format!(
                "tags `{cell}`: `{part}` has an empty key or value; {allowed}"
            ));
        }
        if out.iter().any(|(seen, _)| seen == k) {
            return Err(format!(
                "tags `{cell}`: the key `{k}` is given twice; {allowed}"
            ));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// Reads a jobs CSV; `file` names it in messages and sources.
pub fn read(file: &str, text: &str) -> Result<Inventory, String> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let csv_error = |e: ::csv::Error| {
        let line = e.position().map_or(0, |p| p.line() as usize);
        let what = match e.kind() {
            ::csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields, the header has {expected_len}; allowed: {FORMAT}"),
            _ => format!("{e}; allowed: {FORMAT}"),
        };
        if line == 0 {
            format!("{file}: {what}")
        } else {
            line_error(file, line, what)
        }
    };
    let header = reader.headers().map_err(csv_error)?.clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(format!("{file}: the file is empty; expected {FORMAT}"));
    }
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let required = |name: &str| {
        find(name).ok_or_else(|| {
            line_error(
                file,
                1,
                format!(
                    "the header has no column `{name}`; its columns: {}; expected {FORMAT}",
                    header.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    };
    let (job_col, gpus_col, hours_col) = (required("job")?, required("gpus")?, required("hours")?);
    let tags_col = find("tags");
    let ignored: Vec<&str> = header
        .iter()
        .filter(|h| {
            !["job", "gpus", "hours", "tags"].contains(&h.trim().to_ascii_lowercase().as_str())
        })
        .collect();

    let mut parsed = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0usize;
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let at = |m: String| line_error(file, line, m);
        let job = record[job_col].trim();
        if job.is_empty() {
            return Err(at(format!("the job name is empty; allowed: {FORMAT}")));
        }
        if !seen.insert(job.to_string()) {
            duplicates += 1;
        }
        let gpus = amount("gpus", &record[gpus_col]).map_err(at)?;
        let hours = amount("hours", &record[hours_col]).map_err(at)?;
        let tags = match tags_col {
            Some(c) => tag_list(&record[c]).map_err(at)?,
            None => Vec::new(),
        };
        parsed.push((gpus, hours, tags));
    }

    // Every job gets every key, in the order keys first appear.
    let mut keys: Vec<String> = Vec::new();
    for (_, _, tags) in &parsed {
        for (k, _) in tags {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let jobs = parsed
        .into_iter()
        .map(|(gpus, hours, tags)| Job {
            gpus,
            gpu_hours: gpus * hours,
            tags: keys
                .iter()
                .map(|k| {
                    let v = tags.iter().find(|(t, _)| t == k).map(|(_, v)| v.clone());
                    (k.clone(), v.unwrap_or_else(|| UNTAGGED.to_string()))
                })
                .collect(),
            start: None,
            end: None,
        })
        .collect();
    let mut notes = Vec::new();
    if !ignored.is_empty() {
        notes.push(format!("columns not read: {}", ignored.join(", ")));
    }
    if duplicates > 0 {
        notes.push(format!(
            "{duplicates} line(s) repeat a job name seen before: each is counted"
        ));
    }
    Ok(Inventory {
        file: file.to_string(),
        kind: "jobs CSV",
        jobs,
        keys,
        fallback: UNTAGGED,
        missed: "without the tag",
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_missing_keys() {
        let text = "hours,job,gpus,tags\n\
            2,\"run, first\",8,phase=pt;outcome=failed\n\
            1.5,b,4,\"phase=ft\"\n\
            3,c,0,\n";
        let inv = read("j.csv", text).unwrap();
        assert_eq!(inv.keys, ["phase", "outcome"]);
        assert_eq!(inv.jobs[1].tags[1], ("outcome".into(), UNTAGGED.into()));
        assert_eq!(inv.zero_gpu_jobs(), 1);
        assert_eq!(inv.rows().iter().map(|r| r.gpu_hours).sum::<f64>(), 22.0);
    }

    #[test]
    fn refusals_name_their_line() {
        for (text, place, fragment) in [
            ("job,gpus\nx,1\n", "j.csv:1:", "no column `hours`"),
            (
                "job,gpus,hours\nx,1,2\ny,1\n",
                "j.csv:3:",
                "2 fields, the header has 3",
            ),
            ("job,gpus,hours\nx,-1,2\n", "j.csv:2:", "gpus `-1`"),
            ("job,gpus,hours\nx,1,NaN\n", "j.csv:2:", "hours `NaN`"),
            (
                "job,gpus,hours,tags\nx,1,2,phase\n",
                "j.csv:2:",
                "has no `=`",
            ),
            (
                "job,gpus,hours,tags\nx,1,2,a=1;a=2\n",
                "j.csv:2:",
                "given twice",
            ),
            ("job,gpus,hours\n,1,2\n", "j.csv:2:", "job name is empty"),
        ] {
            let e = read("j.csv", text).unwrap_err();
            assert!(e.starts_with(place) && e.contains(fragment), "{e}");
        }
    }
}
