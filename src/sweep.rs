//! Sweep files: a base scenario and the points to run it at, each point a
//! set of `--set` overrides written in the scenario's own value syntax.
//!
//! ```toml
//! [sweep]
//! name = "Moshi by location"
//! scenario = "../moshi.toml"        # relative to this file
//!
//! [[axis]]                          # a grid: every combination is a point
//! name = "country"
//! key = "electricity.preset"
//! values = ["FRA", "DEU"]
//!
//! [[point]]                         # and/or points given one by one
//! name = "efficient"
//! set = { "datacenter.pue" = 1.1 }
//! ```
//!
//! Grid points are named `axis=label,axis=label` (a value's label is the
//! value as written, a string without its quotes, unless `labels` gives
//! one per value). The format is documented in `docs/sweeps.md`.

use std::path::{Path, PathBuf};

use toml::de::DeValue;

use crate::scenario::ScenarioError;
use crate::scenario::doc::{Doc, TableNode, as_array, as_str, as_table, index_path};
use crate::scenario::overrides::Override;

/// One axis of the grid: a key and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub name: String,
    pub key: String,
    /// Each value as written in the sweep file, and its label.
    pub values: Vec<(String, String)>,
}

/// One point of the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub name: String,
    pub overrides: Vec<Override>,
    /// The label of each axis at this point (empty for a listed point).
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    pub name: String,
    pub path: String,
    pub sha256: String,
    /// The base scenario, resolved against the sweep file's folder.
    pub scenario: PathBuf,
    pub samples: Option<u64>,
    pub seed: Option<u64>,
    pub level: Option<f64>,
    pub axes: Vec<Axis>,
    pub points: Vec<Point>,
}

/// The most points a sweep may expand to (a typo in a grid should not
/// start a run of millions of points).
pub const MAX_POINTS: usize = 10_000;

impl Sweep {
    pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            file: shown.clone(),
            line: 0,
            column: 0,
            key_path: String::new(),
            message: format!("cannot read the sweep file: {e}"),
        })?;
        let mut sweep = Sweep::parse(&shown, &text)?;
        let folder = path.parent().unwrap_or(Path::new(""));
        sweep.scenario = folder.join(&sweep.scenario);
        Ok(sweep)
    }

    /// Parses sweep text; `file` names it in errors. `scenario` is left as
    /// written (relative to the file's folder).
    pub fn parse(file: &str, text: &str) -> Result<Sweep, ScenarioError> {
        let doc = Doc::new(file, text);
        let parsed = doc.parse()?;
        let root = TableNode::root(&doc, &parsed);
        root.deny_unknown(&["sweep", "axis", "point"], "a sweep file")?;
        let head = root.sub_table("sweep")?.ok_or_else(|| {
            root.error("a sweep file needs a [sweep] table with `scenario = \"FILE.toml\"`".into())
        })?;
        head.deny_unknown(
            &[
                "name",
                "description",
                "scenario",
                "samples",
                "seed",
                "level",
            ],
            "[sweep]",
        )?;
        let scenario = head
            .opt_str("scenario")?
            .ok_or_else(|| head.error("[sweep] needs `scenario = \"FILE.toml\"`, the base scenario (relative to the sweep file)".into()))?;
        let count = |key: &str| -> Result<Option<u64>, ScenarioError> {
            match head.opt_f64(key)? {
                None => Ok(None),
                Some(x) if x >= 1.0 && x.fract() == 0.0 && x < 2f64.powi(53) => Ok(Some(x as u64)),
                Some(x) => Err(doc.error_at(
                    &head.span_of(key),
                    &head.child_path(key),
                    format!("{key} {x} is not allowed; it is a whole number ≥ 1"),
                )),
            }
        };
        let axes = parse_axes(&root, text)?;
        let mut points = grid(&axes);
        points.extend(parse_points(&root, text)?);
        if points.is_empty() {
            return Err(root.error(
                "a sweep needs points: [[axis]] tables (a grid) and/or [[point]] tables".into(),
            ));
        }
        if points.len() > MAX_POINTS {
            return Err(root.error(format!(
                "the sweep has {} points, more than {MAX_POINTS}; split it into several sweeps",
                points.len()
            )));
        }
        for (i, p) in points.iter().enumerate() {
            if points[..i].iter().any(|q| q.name == p.name) {
                return Err(root.error(format!(
                    "two points are named `{}`; names must be unique (give `labels` to the axis or `name` to the point)",
                    p.name
                )));
            }
        }
        Ok(Sweep {
            name: head.opt_str("name")?.unwrap_or_else(|| file.to_string()),
            path: file.to_string(),
            sha256: crate::scenario::hex_sha256(text.as_bytes()),
            scenario: PathBuf::from(scenario),
            samples: count("samples")?,
            seed: count("seed")?,
            level: head.opt_f64("level")?,
            axes,
            points,
        })
    }
}

/// The text of a value as written in the file: an override's VALUE.
fn written(text: &str, span: std::ops::Range<usize>) -> &str {
    text[span].trim()
}

fn parse_axes(root: &TableNode<'_, '_>, text: &str) -> Result<Vec<Axis>, ScenarioError> {
    let Some(value) = root.get("axis") else {
        return Ok(Vec::new());
    };
    let mut axes = Vec::new();
    for (i, item) in as_array(root.doc, value, "axis")?.iter().enumerate() {
        let t = as_table(root.doc, item, index_path("axis", i))?;
        t.deny_unknown(&["name", "key", "values", "labels"], "an [[axis]]")?;
        let key = t
            .opt_str("key")?
            .ok_or_else(|| t.error("an [[axis]] needs `key`, the value it varies, as `ecoband check` lists it (or SECTION.preset)".into()))?;
        let name = t.opt_str("name")?.unwrap_or_else(|| key.clone());
        let values_path = t.child_path("values");
        let values = as_array(t.doc, t.require("values", "an [[axis]]")?, &values_path)?;
        if values.is_empty() {
            return Err(t.error("an [[axis]] needs at least one value".into()));
        }
        let labels: Option<Vec<String>> = match t.get("labels") {
            None => None,
            Some(l) => {
                let lp = t.child_path("labels");
                let labels: Vec<String> = as_array(t.doc, l, &lp)?
                    .iter()
                    .enumerate()
                    .map(|(j, v)| as_str(t.doc, v, &index_path(&lp, j)))
                    .collect::<Result<_, _>>()?;
                if labels.len() != values.len() {
                    return Err(t.doc.error_at(
                        &l.span(),
                        &lp,
                        format!(
                            "{} labels for {} values; give one label per value",
                            labels.len(),
                            values.len()
                        ),
                    ));
                }
                Some(labels)
            }
        };
        let mut entries = Vec::new();
        for (j, v) in values.iter().enumerate() {
            let raw = written(text, v.span()).to_string();
            let label = match &labels {
                Some(l) => l[j].clone(),
                None => as_str(t.doc, v, "").unwrap_or_else(|_| raw.clone()),
            };
            check_override(t.doc, &v.span(), &index_path(&values_path, j), &key, &raw)?;
            entries.push((raw, label));
        }
        axes.push(Axis {
            name,
            key,
            values: entries,
        });
    }
    Ok(axes)
}

/// An override built from the sweep file, checked for its form here (its
/// key and value are checked against the scenario when the sweep runs).
fn check_override(
    doc: &Doc<'_>,
    span: &std::ops::Range<usize>,
    path: &str,
    key: &str,
    value: &str,
) -> Result<Override, ScenarioError> {
    Override::parse(&format!("{key}={value}")).map_err(|m| doc.error_at(span, path, m))
}

/// Every combination of the axes' values, the first axis varying slowest.
fn grid(axes: &[Axis]) -> Vec<Point> {
    if axes.is_empty() {
        return Vec::new();
    }
    let mut points = vec![Point {
        name: String::new(),
        overrides: Vec::new(),
        labels: Vec::new(),
    }];
    for axis in axes {
        let mut next = Vec::with_capacity(points.len() * axis.values.len());
        for p in &points {
            for (value, label) in &axis.values {
                let mut q = p.clone();
                let o = Override::parse(&format!("{}={value}", axis.key))
                    .expect("checked when the axis was parsed");
                q.overrides.push(o);
                q.labels.push((axis.name.clone(), label.clone()));
                next.push(q);
            }
        }
        points = next;
    }
    for p in &mut points {
        p.name = p
            .labels
            .iter()
            .map(|(a, l)| format!("{a}={l}"))
            .collect::<Vec<_>>()
            .join(",");
    }
    points
}

fn parse_points(root: &TableNode<'_, '_>, text: &str) -> Result<Vec<Point>, ScenarioError> {
    let Some(value) = root.get("point") else {
        return Ok(Vec::new());
    };
    let mut points = Vec::new();
    for (i, item) in as_array(root.doc, value, "point")?.iter().enumerate() {
        let t = as_table(root.doc, item, index_path("point", i))?;
        t.deny_unknown(&["name", "set"], "a [[point]]")?;
        let set = t.sub_table("set")?.ok_or_else(|| {
            t.error("a [[point]] needs `set = { \"KEY\" = VALUE, … }`, its overrides".into())
        })?;
        let mut overrides = Vec::new();
        for (key, v) in set.entries() {
            // `{ datacenter.pue = 1.4 }` is, in TOML, a table `datacenter`
            // holding `pue`: not a value a scenario takes.
            // A quoted key keeps its dots; an unquoted dotted one lost them.
            if let DeValue::Table(inner) = v.get_ref()
                && !key.contains('.')
                && !["dist", "value", "choice"]
                    .iter()
                    .any(|k| inner.iter().any(|(ik, _)| ik.get_ref().as_ref() == *k))
            {
                let inner_key = inner
                    .iter()
                    .next()
                    .map_or(String::from("KEY"), |(k, _)| k.get_ref().to_string());
                return Err(set.doc.error_at(
                    &v.span(),
                    &set.child_path(key),
                    format!(
                        "`{key}` holds a table, not a value: a dotted key in an inline table nests tables in TOML; quote the whole key, e.g. set = {{ \"{key}.{inner_key}\" = … }}"
                    ),
                ));
            }
            let raw = written(text, v.span());
            let o = check_override(set.doc, &v.span(), &set.child_path(key), key, raw)?;
            overrides.push(o);
        }
        let name = t.opt_str("name")?.unwrap_or_else(|| {
            overrides
                .iter()
                .map(Override::canonical)
                .collect::<Vec<_>>()
                .join(",")
        });
        points.push(Point {
            name,
            overrides,
            labels: Vec::new(),
        });
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = r#"
[sweep]
scenario = "base.toml"
[[axis]]
name = "country"
key = "electricity.preset"
values = ["FRA", "DEU", "POL"]
[[axis]]
name = "pue"
key = "datacenter.pue"
values = [1.1, { dist = "uniform", min = 1.2, max = 1.6 }]
labels = ["1.1", "1.2-1.6"]
[[point]]
name = "mine"
set = { "datacenter.pue" = 1.3, "electricity.gwp" = 0.2 }
"#;

    #[test]
    fn a_grid_expands_first_axis_slowest_then_listed_points() {
        let s = Sweep::parse("s.toml", GRID).unwrap();
        assert_eq!(s.points.len(), 3 * 2 + 1);
        let names: Vec<&str> = s.points.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names[..3],
            [
                "country=FRA,pue=1.1",
                "country=FRA,pue=1.2-1.6",
                "country=DEU,pue=1.1"
            ]
        );
        assert_eq!(names[6], "mine");
        let second = &s.points[1].overrides;
        assert_eq!(second[0].canonical(), "electricity.preset=\"FRA\"");
        assert_eq!(
            second[1].canonical(),
            "datacenter.pue={ dist = \"uniform\", min = 1.2, max = 1.6 }"
        );
        assert_eq!(s.points[6].overrides.len(), 2);
    }

    #[test]
    fn bad_sweeps_name_the_line() {
        let dup = GRID.replace("labels = [\"1.1\", \"1.2-1.6\"]", "labels = [\"x\", \"x\"]");
        let e = Sweep::parse("s.toml", &dup).unwrap_err();
        assert!(e.message.contains("two points are named"), "{e}");
        let e = Sweep::parse("s.toml", "[sweep]\nscenario = \"b.toml\"\n").unwrap_err();
        assert!(e.message.contains("needs points"), "{e}");
        let e = Sweep::parse("s.toml", "[sweep]\nscenario = \"b.toml\"\n[[axis]]\nkey = \"a\"\nvalues = [1]\nlabels = [\"a\", \"b\"]\n").unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        let e = Sweep::parse(
            "s.toml",
            "[sweep]\nscenario = \"b.toml\"\nsamples = 0.5\n[[point]]\nset = { a = 1 }\n",
        )
        .unwrap_err();
        assert!(e.message.contains("whole number"), "{e}");
        let e = Sweep::parse(
            "s.toml",
            "[sweep]\nscenario = \"b.toml\"\n[[point]]\nset = { \"a..b\" = 1 }\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }
}
