//! Readable names of factors and fixed inputs.
//!
//! A factor is known to `--set` and `[groups]` by its key path
//! (`profiles.h100.embodied.gpu.gwp.values.boavizta`), which is exact but
//! unreadable in a figure. A value may carry `label = "…"`; where it does
//! not, a label is derived from the key path by one fixed rule
//! (docs/scenario-format.md, "Labels"), so that two runs of one scenario
//! always name a factor alike:
//!
//! * the words that only say which table a value sits in are dropped:
//!   `parameters`, `choices`, `shares`, `profiles`, `sites`, `inventory`, `values`;
//! * the name of a profile, a site or an inventory row (`row N` for a row whose
//!   name is not unique) goes last, after a comma, as written;
//! * the option of a choice-dependent value goes in parentheses after the
//!   value's words, as written;
//! * a point of a power curve is `point N` (from 1);
//! * every other key is humanised: `_` and `-` become spaces, the known
//!   abbreviations are upper-cased (`ABBREVIATIONS`), a word holding both
//!   letters and digits (`h100`) is upper-cased, and the label starts with
//!   a capital.
//!
//! `datacenter.pue` → "Datacenter PUE";
//! `profiles.h100.embodied.gpu.gwp.values.boavizta` →
//! "Embodied GPU GWP (boavizta), h100";
//! `inventory."all runs".gpu_hours` → "GPU hours, all runs".

use crate::scenario::RowSpec;

/// Words written in upper case (or their own case) in a derived label.
const ABBREVIATIONS: [(&str, &str); 14] = [
    ("pue", "PUE"),
    ("wue", "WUE"),
    ("gwp", "GWP"),
    ("adp", "ADP"),
    ("pe", "PE"),
    ("gpu", "GPU"),
    ("gpus", "GPUs"),
    ("cpu", "CPU"),
    ("ram", "RAM"),
    ("ssd", "SSD"),
    ("psu", "PSU"),
    ("it", "IT"),
    ("kwh", "kWh"),
    ("w", "W"),
];

/// Keys that only say which table a value sits in.
const TABLE_WORDS: [&str; 3] = ["parameters", "choices", "shares"];

/// The label of a named factor (a parameter, a choice, a share set) or a
/// group: its name, humanised.
pub fn of_name(name: &str) -> String {
    capitalised(&humanised(name))
}

/// The label derived from a value's key path; `rows` name the inventory
/// rows a path such as `inventory[3].gpu_hours` refers to.
pub fn of_path(path: &str, rows: &[RowSpec]) -> String {
    let segments = segments(path);
    let mut words: Vec<String> = Vec::new();
    let mut option = None;
    let mut owner = None;
    let mut i = 0;
    while i < segments.len() {
        let next = segments.get(i + 1);
        match (&segments[i], next) {
            (Segment::Key(k), Some(Segment::Key(name))) if k == "profiles" || k == "sites" => {
                owner = Some(name.clone());
                i += 1;
            }
            (Segment::Key(k), Some(Segment::Key(name) | Segment::Quoted(name)))
                if k == "inventory" =>
            {
                owner = Some(name.clone());
                i += 1;
            }
            (Segment::Key(k), Some(Segment::Index(r))) if k == "inventory" => {
                owner = Some(row_name(rows, *r));
                i += 1;
            }
            (Segment::Key(k), Some(Segment::Key(o))) if k == "values" => {
                option = Some(o.clone());
                i += 1;
            }
            (Segment::Key(k), _) if TABLE_WORDS.contains(&k.as_str()) => {}
            (Segment::Key(k) | Segment::Quoted(k), _) => words.push(humanised(k)),
            (Segment::Index(p), _) => words.push(format!("point {}", p + 1)),
        }
        i += 1;
    }
    let mut label = capitalised(&words.join(" "));
    if let Some(o) = option {
        label = format!("{label} ({o})");
    }
    if let Some(o) = owner {
        label = format!("{label}, {o}");
    }
    label
}

/// Row `index`'s name if no other row has it, else `row N` (from 1).
fn row_name(rows: &[RowSpec], index: usize) -> String {
    match rows.get(index) {
        Some(row) if rows.iter().filter(|r| r.name == row.name).count() == 1 => row.name.clone(),
        _ => format!("row {}", index + 1),
    }
}

/// `inventory[i].KEY` → `inventory."NAME".KEY` where row i's name is
/// unique: the name survives reordering, adding or removing rows.
pub fn by_row_name(path: &str, rows: &[RowSpec]) -> Option<String> {
    let (i, rest) = path.strip_prefix("inventory[")?.split_once(']')?;
    let row = rows.get(i.parse::<usize>().ok()?)?;
    (rows.iter().filter(|r| r.name == row.name).count() == 1)
        .then(|| format!("inventory.{:?}{rest}", row.name))
}

enum Segment {
    Key(String),
    /// A quoted key (an inventory row's name), kept as written.
    Quoted(String),
    Index(usize),
}

/// A key path's segments: `a.b[2]."c d".e` → a, b, [2], "c d", e.
fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut chars = path.chars().peekable();
    let mut key = String::new();
    let flush = |key: &mut String, out: &mut Vec<Segment>| {
        if !key.is_empty() {
            out.push(Segment::Key(std::mem::take(key)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '.' => flush(&mut key, &mut out),
            '"' if key.is_empty() => {
                let mut quoted = String::new();
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => quoted.extend(chars.next()),
                        other => quoted.push(other),
                    }
                }
                out.push(Segment::Quoted(quoted));
            }
            '[' => {
                flush(&mut key, &mut out);
                let digits: String = chars.by_ref().take_while(|d| *d != ']').collect();
                match digits.parse() {
                    Ok(i) => out.push(Segment::Index(i)),
                    Err(_) => out.push(Segment::Key(digits)),
                }
            }
            other => key.push(other),
        }
    }
    flush(&mut key, &mut out);
    out
}

/// `wue_onsite` → "WUE onsite", `h100_embodied_source` → "H100 embodied
/// source".
fn humanised(key: &str) -> String {
    key.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            if let Some((_, a)) = ABBREVIATIONS.iter().find(|(k, _)| *k == lower) {
                a.to_string()
            } else if w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic) {
                w.to_uppercase()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_labels() {
        let cases = [
            ("datacenter.pue", "Datacenter PUE"),
            ("datacenter.wue_onsite", "Datacenter WUE onsite"),
            ("electricity.gwp", "Electricity GWP"),
            ("idle.energy_kwh", "Idle energy kWh"),
            (
                "profiles.dgx_h100.lifetime_years",
                "Lifetime years, dgx_h100",
            ),
            (
                "profiles.h100.embodied.gpu.gwp.values.boavizta",
                "Embodied GPU GWP (boavizta), h100",
            ),
            (
                "profiles.n.gpu_power_curve[0].watts",
                "GPU power curve point 1 watts, n",
            ),
            ("profiles.n.rest_of_node_w", "Rest of node W, n"),
            ("inventory[2].it_energy_kwh", "IT energy kWh, row 3"),
            ("inventory.\"all runs\".gpu_hours", "GPU hours, all runs"),
            ("shares.phase.total", "Phase total"),
            ("parameters.gpu_load", "GPU load"),
        ];
        for (path, label) in cases {
            assert_eq!(of_path(path, &[]), label, "{path}");
        }
        assert_eq!(of_name("h100_embodied_source"), "H100 embodied source");
        assert_eq!(of_name("x1"), "X1");
        assert_eq!(of_name("grid"), "Grid");
    }
}
