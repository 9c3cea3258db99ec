//! Reading the presets of `presets/*.toml` for a scenario that names one.
//!
//! A preset is a table of one preset file (`[FRA]`, `[scaleway-dc5]`,
//! `[dgx-h100]`) written with the keys of the scenario table it stands for.
//! It is parsed with the same section parsers as a scenario, with the key
//! paths the scenario gives it (`electricity.gwp`) so that factor names do
//! not depend on whether a value came from a preset, and every value keeps
//! its origin: errors inside a preset name the preset file and line, and
//! `ecoband check` shows the preset next to each value's source.

use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::doc::{Doc, TableNode, as_table};
use super::error::ScenarioError;
use super::value::{ValueKind, ValueSpec, parse_value};
use super::{Meta, NameRef};
use crate::presets::{KINDS, PresetKind};

/// One use of a preset by a scenario.
#[derive(Debug, PartialEq)]
pub struct PresetUse {
    pub kind: PresetKind,
    pub name: String,
    pub file: &'static str,
    pub text: &'static str,
    /// The key path under which the scenario uses the preset's values,
    /// e.g. `profiles.h100`.
    pub scenario_prefix: String,
    /// Where the scenario names the preset.
    pub reference_file: String,
    pub reference_line: usize,
    pub reference_path: String,
}

impl PresetUse {
    /// A scenario key path as the key path inside the preset file
    /// (`profiles.h100.lifetime_years` → `dgx-h100.lifetime_years`).
    pub fn preset_path(&self, path: &str) -> String {
        match path.strip_prefix(self.scenario_prefix.as_str()) {
            Some(rest) => format!("{}{rest}", self.name),
            None => path.to_string(),
        }
    }

    /// "preset `FRA`, named at moshi.toml:54 `electricity.preset`"
    pub fn named_at(&self) -> String {
        format!(
            "{} preset `{}`, named at {}:{} `{}`",
            self.kind.name(),
            self.name,
            self.reference_file,
            self.reference_line,
            self.reference_path
        )
    }

    /// 1-based line of `span` in the preset file.
    pub fn line(&self, span: &Range<usize>) -> usize {
        Doc::new(self.file, self.text).line_col(span.start).0
    }

    /// A source as `ecoband check` shows it: the preset and its line first.
    pub fn describe_source(&self, span: &Range<usize>, source: &str) -> String {
        format!(
            "preset `{}` ({}:{}): {source}",
            self.name,
            self.file,
            self.line(span)
        )
    }
}

impl ValueSpec {
    /// An error about this value, in the file it was written in: the
    /// scenario (`scenario`) or the preset it comes from.
    pub fn error(&self, scenario: &Doc<'_>, message: String) -> ScenarioError {
        match &self.origin {
            None => scenario.error_at(&self.span, &self.path, message),
            Some(o) => Doc::preset(o.clone()).error_at(&self.span, &self.path, message),
        }
    }

    /// The value's line: in the scenario, or where the scenario names the
    /// preset it comes from.
    pub fn line(&self, scenario: &Doc<'_>) -> usize {
        match &self.origin {
            None => scenario.line_col(self.span.start).0,
            Some(o) => o.reference_line,
        }
    }

    /// The value's source, prefixed with the preset and its line if it
    /// comes from one; None if no source is given.
    pub fn source(&self) -> Option<String> {
        let source = self.meta.source.as_deref()?;
        Some(match &self.origin {
            None => source.to_string(),
            Some(o) => o.describe_source(&self.span, source),
        })
    }
}

fn parse_file(
    kind: PresetKind,
) -> Result<(Doc<'static>, Spanned<DeTable<'static>>), ScenarioError> {
    let doc = Doc::new(kind.file(), kind.text());
    let parsed = doc.parse()?;
    Ok((doc, parsed))
}

/// The names of the presets of one kind, in file order.
pub fn names(kind: PresetKind) -> Result<Vec<String>, ScenarioError> {
    let (_, parsed) = parse_file(kind)?;
    Ok(parsed
        .get_ref()
        .iter()
        .map(|(k, _)| k.get_ref().to_string())
        .collect())
}

/// The error for a name that is not a preset of `kind`: lists the known
/// ones, and says so if the name is a preset of another kind.
fn unknown(doc: &Doc<'_>, r: &NameRef, kind: PresetKind) -> ScenarioError {
    let known = names(kind).map(|n| n.join(", ")).unwrap_or_default();
    let elsewhere = KINDS
        .iter()
        .filter(|k| **k != kind)
        .find(|k| names(**k).is_ok_and(|n| n.contains(&r.name)))
        .map(|k| {
            let article = if k.name().starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!(
                "; `{}` is {article} {} preset, named in {}",
                r.name,
                k.name(),
                k.section()
            )
        })
        .unwrap_or_default();
    // Names are case-sensitive (`FRA`, `dgx-h100`): point at a near miss.
    let near_miss = names(kind)
        .ok()
        .and_then(|n| n.into_iter().find(|n| n.eq_ignore_ascii_case(&r.name)))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    doc.error_at(
        &r.span,
        &r.path,
        format!(
            "unknown {} preset `{}`{near_miss}; known {} presets: {known}{elsewhere} (`ecoband presets` lists them, `ecoband presets NAME` shows one)",
            kind.name(),
            r.name,
            kind.name()
        ),
    )
}

/// Reads the preset `r` of `kind`, named in the scenario `doc`, and hands
/// its table, with key paths under `prefix`, to `parse`.
pub fn with_preset<T>(
    doc: &Doc<'_>,
    r: &NameRef,
    kind: PresetKind,
    prefix: &str,
    parse: impl FnOnce(&TableNode<'_, 'static>) -> Result<T, ScenarioError>,
) -> Result<T, ScenarioError> {
    let (_, parsed) = parse_file(kind)?;
    let Some((_, entry)) = parsed
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == r.name)
    else {
        return Err(unknown(doc, r, kind));
    };
    let origin = Arc::new(PresetUse {
        kind,
        name: r.name.clone(),
        file: kind.file(),
        text: kind.text(),
        scenario_prefix: prefix.to_string(),
        reference_file: doc.file.clone(),
        reference_line: doc.line_col(r.span.start).0,
        reference_path: r.path.clone(),
    });
    let preset_doc = Doc::preset(origin);
    let table = as_table(&preset_doc, entry, prefix.to_string())?;
    parse(&table)
}

/// A preset in the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetInfo {
    pub kind: PresetKind,
    pub name: String,
    pub description: String,
    pub line: usize,
}

/// Every preset of every kind, in file order.
pub fn catalogue() -> Result<Vec<PresetInfo>, ScenarioError> {
    let mut all = Vec::new();
    for kind in KINDS {
        let (doc, parsed) = parse_file(kind)?;
        let root = TableNode::root(&doc, &parsed);
        for (name, value) in root.entries() {
            let t = as_table(&doc, value, name.to_string())?;
            all.push(PresetInfo {
                kind,
                name: name.to_string(),
                description: t.opt_str("description")?.unwrap_or_default(),
                line: doc.line_col(value.span().start).0,
            });
        }
    }
    Ok(all)
}

/// One number of a preset as `ecoband presets NAME` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetValue {
    /// Key path inside the preset (`gwp`, `embodied.gpu.count` …).
    pub path: String,
    pub line: usize,
    /// "constant", a distribution's description, or "choice `NAME`".
    pub what: String,
    /// The nominal value (None for a choice-dependent value).
    pub nominal: Option<f64>,
    pub meta: Meta,
}

/// A preset with all its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetDetail {
    pub info: PresetInfo,
    pub file: &'static str,
    pub source: Option<String>,
    pub note: Option<String>,
    pub values: Vec<PresetValue>,
    /// Categorical choices the preset declares.
    pub choices: Vec<PresetChoice>,
}

/// A categorical choice a preset declares, with normalised weights.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetChoice {
    pub name: String,
    pub label: Option<String>,
    pub options: Vec<(String, f64)>,
    pub source: Option<String>,
}

/// The preset named `name` (of any kind) with every number in it.
pub fn detail(name: &str) -> Result<Option<PresetDetail>, ScenarioError> {
    let Some(info) = catalogue()?.into_iter().find(|p| p.name == name) else {
        return Ok(None);
    };
    let (doc, parsed) = parse_file(info.kind)?;
    let root = TableNode::root(&doc, &parsed);
    let entry = root.get(name).expect("listed by the catalogue");
    let table = as_table(&doc, entry, String::new())?;
    let mut values = Vec::new();
    let mut choices = Vec::new();
    for (key, value) in table.entries() {
        if key == "choices" {
            let ct = as_table(&doc, value, key.to_string())?;
            for choice in super::sections::parse_choice_table(&ct)? {
                let total: f64 = choice.weights.iter().sum();
                let options = choice
                    .options
                    .iter()
                    .cloned()
                    .zip(choice.weights.iter().map(|w| w / total))
                    .collect();
                choices.push(PresetChoice {
                    name: choice.name,
                    label: choice.meta.label,
                    options,
                    source: choice.meta.source,
                });
            }
            continue;
        }
        collect_values(&doc, key, value, &mut values)?;
    }
    Ok(Some(PresetDetail {
        file: info.kind.file(),
        source: table.opt_str("source")?,
        note: table.opt_str("note")?,
        info,
        values,
        choices,
    }))
}

/// Keys that hold text, not numbers.
const TEXT_KEYS: [&str; 5] = ["description", "source", "note", "unit", "label"];

/// Every number under `value` (a value, a table of values, an array of
/// curve points), depth first.
fn collect_values(
    doc: &Doc<'_>,
    path: &str,
    value: &Spanned<DeValue<'_>>,
    out: &mut Vec<PresetValue>,
) -> Result<(), ScenarioError> {
    let is_value = match value.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => true,
        DeValue::Table(t) => t
            .iter()
            .any(|(k, _)| matches!(k.get_ref().as_ref(), "dist" | "value" | "choice" | "expr")),
        _ => false,
    };
    if is_value {
        let spec = parse_value(doc, value, path)?;
        let line = doc.line_col(spec.span.start).0;
        match &spec.kind {
            ValueKind::Choice { choice, options } => {
                out.push(PresetValue {
                    path: path.to_string(),
                    line,
                    what: format!("choice `{choice}`"),
                    nominal: None,
                    meta: spec.meta.clone(),
                });
                for (option, v) in options {
                    let v = spec.option_value(option, v);
                    // The key path the scenario and `check` use.
                    push_plain(doc, &format!("{path}.values.{option}"), &v, out);
                }
            }
            _ => push_plain(doc, path, &spec, out),
        }
        return Ok(());
    }
    match value.get_ref() {
        DeValue::Table(t) => {
            for (k, v) in t.iter() {
                let key = k.get_ref().as_ref();
                // A curve point's `load` is a coordinate, not a sourced number.
                let coordinate = key == "load" && path.ends_with(']');
                if !TEXT_KEYS.contains(&key) && !coordinate {
                    collect_values(doc, &format!("{path}.{key}"), v, out)?;
                }
            }
        }
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_values(doc, &format!("{path}[{i}]"), item, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn push_plain(doc: &Doc<'_>, path: &str, spec: &ValueSpec, out: &mut Vec<PresetValue>) {
    let (what, nominal) = match &spec.kind {
        ValueKind::Const(x) => ("constant".to_string(), Some(*x)),
        ValueKind::Dist { dist, nominal } => (dist.describe(), Some(*nominal)),
        ValueKind::Ref(name) => (format!("parameter `{name}`"), None),
        ValueKind::Choice { choice, .. } => (format!("choice `{choice}`"), None),
        ValueKind::Expr { expr, .. } => (format!("formula `{}`", expr.text), None),
    };
    out.push(PresetValue {
        path: path.to_string(),
        line: doc.line_col(spec.span.start).0,
        what,
        nominal,
        meta: spec.meta.clone(),
    });
}
