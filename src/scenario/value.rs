//! A numeric input as written in a scenario: a constant, a distribution, a
//! reference to a named parameter, or a value that depends on a categorical
//! choice. Parsing checks the distribution's parameters (through the `dist`
//! constructors) so that the error points at the line that is wrong.

use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::DeValue;

use super::doc::{Doc, TableNode, as_array, as_f64, as_table};
use super::error::ScenarioError;
use super::expr::{Expr, pointed};
use super::preset::PresetUse;
use super::unit_algebra::{self, Unit};
use crate::dist::{DistError, Distribution, LogNormalParams};

/// Provenance, unit and readable name carried by a number, shown by
/// `ecoband check`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub unit: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// The name tables and figures show (`label = "…"`); None: derived
    /// from the key path (`crate::model::label`).
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    Const(f64),
    Dist {
        dist: Distribution,
        nominal: f64,
    },
    Ref(String),
    Choice {
        choice: String,
        options: Vec<(String, ValueSpec)>,
    },
    /// A formula over named parameters (`{ expr = "…", unit = "…" }`),
    /// with its declared unit parsed (`meta.unit` keeps the text).
    Expr {
        expr: Arc<Expr>,
        unit: Option<Unit>,
    },
}

/// A value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueSpec {
    pub kind: ValueKind,
    pub meta: Meta,
    /// The key path in the scenario (for a preset value, where the preset
    /// puts it, e.g. `electricity.gwp`).
    pub path: String,
    /// Byte range in the scenario text, or in the preset text if `origin`.
    pub span: Range<usize>,
    /// The preset the value comes from (None: written in the scenario).
    pub origin: Option<Arc<PresetUse>>,
}

impl ValueSpec {
    /// The value of `option` of this choice-dependent value as it is used:
    /// a `unit` or `label` written on the choice-dependent value applies to
    /// the options that give none of their own (the label as
    /// "LABEL (option)", so that each option's factor stays distinct).
    pub fn option_value(&self, option: &str, value: &ValueSpec) -> ValueSpec {
        let mut v = value.clone();
        if v.meta.unit.is_none() {
            v.meta.unit.clone_from(&self.meta.unit);
        }
        if v.meta.label.is_none() {
            v.meta.label = self.meta.label.as_ref().map(|l| format!("{l} ({option})"));
        }
        v
    }
}

const META_KEYS: [&str; 4] = ["unit", "source", "note", "label"];

pub const DIST_NAMES: &str = "uniform, triangular, normal, lognormal, pert, discrete, empirical";

pub fn parse_value(
    doc: &Doc<'_>,
    value: &Spanned<DeValue<'_>>,
    path: &str,
) -> Result<ValueSpec, ScenarioError> {
    let span = value.span();
    let spec = |kind, meta| ValueSpec {
        kind,
        meta,
        path: path.to_string(),
        span: span.clone(),
        origin: doc.origin.clone(),
    };
    match value.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => Ok(spec(
            ValueKind::Const(as_f64(doc, value, path)?),
            Meta::default(),
        )),
        DeValue::String(name) => Ok(spec(ValueKind::Ref(name.to_string()), Meta::default())),
        DeValue::Table(_) => {
            let table = as_table(doc, value, path.to_string())?;
            let meta = parse_meta(&table)?;
            let kind = parse_table_kind(&table)?;
            Ok(spec(kind, meta))
        }
        other => Err(doc.error_at(
            &span,
            path,
            format!(
                "expected a number, a parameter name, or a table such as \
                 {{ dist = \"triangular\", min = …, mode = …, max = … }}; found {}",
                other.type_str()
            ),
        )),
    }
}

/// The `unit`, `source`, `note` and `label` of a table (a value, a choice,
/// a share set).
pub fn parse_meta(table: &TableNode<'_, '_>) -> Result<Meta, ScenarioError> {
    Ok(Meta {
        unit: table.opt_str("unit")?,
        source: table.opt_str("source")?,
        note: table.opt_str("note")?,
        label: parse_label(table)?,
    })
}

/// `label = "…"`: a label names a factor in every table and figure, so an
/// empty or blank one (a factor without a name) is refused like a number
/// of the wrong type.
fn parse_label(table: &TableNode<'_, '_>) -> Result<Option<String>, ScenarioError> {
    let Some(value) = table.get("label") else {
        return Ok(None);
    };
    const ALLOWED: &str = "`label` is a non-empty text naming the value in tables and figures, e.g. label = \"Grid carbon intensity, France\"";
    let error = |found: String| {
        table.doc.error_at(
            &value.span(),
            &table.child_path("label"),
            format!("{ALLOWED}; found {found}"),
        )
    };
    match value.get_ref() {
        DeValue::String(s) if s.trim().is_empty() => Err(error("an empty text".into())),
        DeValue::String(s) => Ok(Some(s.trim().to_string())),
        other => Err(error(other.type_str().to_string())),
    }
}

fn parse_table_kind(table: &TableNode<'_, '_>) -> Result<ValueKind, ScenarioError> {
    if table.contains("value") {
        table.deny_unknown(&["value", "unit", "source", "note", "label"], "a constant")?;
        return Ok(ValueKind::Const(field(table, "value", "a constant")?));
    }
    if table.contains("choice") {
        return parse_choice(table);
    }
    if table.contains("expr") {
        return parse_expr(table);
    }
    let Some(name) = table.opt_str("dist")? else {
        return Err(table.error(
            "a table value needs `dist = \"…\"` (one of: ".to_string()
                + DIST_NAMES
                + "), `value = …` for a constant, `expr = \"…\"` for a formula over parameters, or `choice = \"…\"` for a value that depends on a choice",
        ));
    };
    let dist = parse_dist(table, &name)?;
    let nominal = match table.opt_f64("nominal")? {
        None => dist.default_nominal(),
        Some(n) => {
            let (lo, hi) = dist.support();
            if n < lo || n > hi {
                return Err(table.doc.error_at(
                    &table.span_of("nominal"),
                    &table.child_path("nominal"),
                    format!("nominal {n} lies outside the distribution's range [{lo}, {hi}]"),
                ));
            }
            n
        }
    };
    Ok(ValueKind::Dist { dist, nominal })
}

fn allowed_with_meta<'a>(own: &[&'a str]) -> Vec<&'a str> {
    let mut keys = vec!["dist"];
    keys.extend_from_slice(own);
    keys.push("nominal");
    keys.extend_from_slice(&META_KEYS);
    keys
}

fn field(table: &TableNode<'_, '_>, key: &str, what: &str) -> Result<f64, ScenarioError> {
    let value = table.require(key, what)?;
    as_f64(table.doc, value, &table.child_path(key))
}

fn opt_field(table: &TableNode<'_, '_>, key: &str) -> Result<Option<f64>, ScenarioError> {
    table.opt_f64(key)
}

fn number_list(
    table: &TableNode<'_, '_>,
    key: &str,
    what: &str,
) -> Result<Vec<f64>, ScenarioError> {
    let path = table.child_path(key);
    let items = as_array(table.doc, table.require(key, what)?, &path)?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| as_f64(table.doc, v, &format!("{path}[{i}]")))
        .collect()
}

fn parse_dist(table: &TableNode<'_, '_>, name: &str) -> Result<Distribution, ScenarioError> {
    let what = format!("a {name} distribution");
    let built: Result<Distribution, DistError> = match name {
        "uniform" => {
            table.deny_unknown(&allowed_with_meta(&["min", "max"]), &what)?;
            Distribution::uniform(field(table, "min", &what)?, field(table, "max", &what)?)
        }
        "triangular" => {
            table.deny_unknown(&allowed_with_meta(&["min", "mode", "max"]), &what)?;
            Distribution::triangular(
                field(table, "min", &what)?,
                field(table, "mode", &what)?,
                field(table, "max", &what)?,
            )
        }
        "pert" => {
            table.deny_unknown(&allowed_with_meta(&["min", "mode", "max", "lambda"]), &what)?;
            Distribution::pert(
                field(table, "min", &what)?,
                field(table, "mode", &what)?,
                field(table, "max", &what)?,
                opt_field(table, "lambda")?.unwrap_or(4.0),
            )
        }
        "normal" => {
            table.deny_unknown(&allowed_with_meta(&["mean", "sd", "min", "max"]), &what)?;
            Distribution::normal(
                field(table, "mean", &what)?,
                field(table, "sd", &what)?,
                opt_field(table, "min")?,
                opt_field(table, "max")?,
            )
        }
        "lognormal" => {
            let keys = ["median", "gsd", "mean", "sd", "mu", "sigma", "min", "max"];
            table.deny_unknown(&allowed_with_meta(&keys), &what)?;
            let params = lognormal_params(table)?;
            Distribution::lognormal(params, opt_field(table, "min")?, opt_field(table, "max")?)
        }
        "discrete" => {
            table.deny_unknown(&allowed_with_meta(&["values", "weights"]), &what)?;
            let values = number_list(table, "values", &what)?;
            let weights = match table.get("weights") {
                Some(_) => number_list(table, "weights", &what)?,
                None => vec![1.0; values.len()],
            };
            Distribution::discrete(values, weights)
        }
        "empirical" => {
            table.deny_unknown(&allowed_with_meta(&["values"]), &what)?;
            Distribution::empirical(number_list(table, "values", &what)?)
        }
        other => {
            return Err(table.doc.error_at(
                &table.span_of("dist"),
                &table.child_path("dist"),
                format!("unknown distribution `{other}`; allowed: {DIST_NAMES}"),
            ));
        }
    };
    built.map_err(|e| table.error(e.0))
}

/// A lognormal takes exactly one of three parameterisations; mixing them is
/// the classic LCA-tool bug (a GSD read as an SD), so it is refused.
fn lognormal_params(table: &TableNode<'_, '_>) -> Result<LogNormalParams, ScenarioError> {
    let pairs = [("median", "gsd"), ("mean", "sd"), ("mu", "sigma")];
    let present: Vec<&(&str, &str)> = pairs
        .iter()
        .filter(|(a, b)| table.contains(a) || table.contains(b))
        .collect();
    let usage = "a lognormal takes exactly one pair: (median, gsd), (mean, sd) or (mu, sigma)";
    let [(a, b)] = present.as_slice() else {
        return Err(table.error(usage.to_string()));
    };
    let what = format!("{usage}; this one");
    let first = field(table, a, &what)?;
    let second = field(table, b, &what)?;
    Ok(match *a {
        "median" => LogNormalParams::MedianGsd {
            median: first,
            gsd: second,
        },
        "mean" => LogNormalParams::MeanSd {
            mean: first,
            sd: second,
        },
        _ => LogNormalParams::MuSigma {
            mu: first,
            sigma: second,
        },
    })
}

fn parse_choice(table: &TableNode<'_, '_>) -> Result<ValueKind, ScenarioError> {
    let what = "a value that depends on a choice";
    table.deny_unknown(
        &["choice", "values", "unit", "source", "note", "label"],
        what,
    )?;
    let choice = table.opt_str("choice")?.unwrap_or_default();
    let Some(values) = table.sub_table("values")? else {
        return Err(table.error(format!(
            "{what} needs `values = {{ option = value, … }}` giving the value for each option of choice `{choice}`"
        )));
    };
    let mut options = Vec::new();
    for (key, value) in values.entries() {
        let spec = parse_value(table.doc, value, &values.child_path(key))?;
        if matches!(spec.kind, ValueKind::Choice { .. }) {
            return Err(table.doc.error_at(
                &spec.span,
                &spec.path,
                "a choice-dependent value cannot nest another choice".to_string(),
            ));
        }
        options.push((key.to_string(), spec));
    }
    Ok(ValueKind::Choice { choice, options })
}

/// `{ expr = "…", unit = "…" }`: the formula parsed now, so that a syntax
/// error points at its column; names and units are checked when the model
/// is compiled.
fn parse_expr(table: &TableNode<'_, '_>) -> Result<ValueKind, ScenarioError> {
    table.deny_unknown(&["expr", "unit", "source", "note", "label"], "a formula")?;
    let path = table.child_path("expr");
    let span = table.span_of("expr");
    let Some(text) = table.opt_str("expr")? else {
        return Err(table.error("`expr` is the formula's text".into()));
    };
    let expr = Expr::parse(&text).map_err(|e| {
        table.doc.error_at(
            &span,
            &path,
            pointed(
                &text,
                &e.at,
                &format!("syntax error in the formula: {}", e.message),
            ),
        )
    })?;
    let unit = match table.opt_str("unit")? {
        None => None,
        Some(u) => Some(unit_algebra::parse(&u).map_err(|m| {
            table
                .doc
                .error_at(&table.span_of("unit"), &table.child_path("unit"), m)
        })?),
    };
    Ok(ValueKind::Expr {
        expr: Arc::new(expr),
        unit,
    })
}
