//! The `[correlations]` table: Spearman rank correlations between named
//! uncertain factors, imposed by a Gaussian copula (`model::correlation`).
//! Here only what one entry can get wrong on its own is checked; what needs
//! the compiled factors (names, kinds, positive definiteness) is checked
//! when the model is compiled.

use std::ops::Range;

use super::NameRef;
use super::doc::{TableNode, as_array, as_str, as_table, index_path};
use super::error::ScenarioError;
use toml::de::DeValue;

/// One `[correlations]` entry: the rank correlation of two factors.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationSpec {
    pub name: String,
    /// The two factors, as `ecoband check` names them.
    pub factors: [NameRef; 2],
    /// Spearman's ρ, strictly between −1 and 1.
    pub spearman: f64,
    pub source: Option<String>,
    pub note: Option<String>,
    /// `correlations.NAME` and the entry's place.
    pub path: String,
    pub span: Range<usize>,
    /// Key path and place of `spearman`.
    pub spearman_path: String,
    pub spearman_span: Range<usize>,
}

const WHAT: &str =
    "a correlation (`NAME = { factors = [\"a\", \"b\"], spearman = 0.6, source = \"…\" }`)";

pub fn parse_correlations(root: &TableNode<'_, '_>) -> Result<Vec<CorrelationSpec>, ScenarioError> {
    let Some(t) = root.sub_table("correlations")? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<CorrelationSpec> = Vec::new();
    for (name, value) in t.entries() {
        let c = as_table(t.doc, value, t.child_path(name))?;
        c.deny_unknown(&["factors", "spearman", "source", "note"], WHAT)?;
        let factors_value = c.require("factors", WHAT)?;
        let factors_path = c.child_path("factors");
        let items = as_array(c.doc, factors_value, &factors_path)?;
        if items.len() != 2 {
            return Err(c.doc.error_at(
                &factors_value.span(),
                &factors_path,
                format!(
                    "a correlation names exactly two factors, found {}; correlate more factors with one entry per pair",
                    items.len()
                ),
            ));
        }
        let refs: Vec<NameRef> = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let path = index_path(&factors_path, i);
                Ok(NameRef {
                    name: as_str(c.doc, v, &path)?,
                    path,
                    span: v.span(),
                })
            })
            .collect::<Result<_, ScenarioError>>()?;
        if refs[0].name == refs[1].name {
            return Err(c.doc.error_at(
                &refs[1].span,
                &refs[1].path,
                format!(
                    "names `{}` twice; a correlation is between two different factors (a factor's correlation with itself is 1)",
                    refs[1].name
                ),
            ));
        }
        let spearman_value = c.require("spearman", WHAT)?;
        let spearman_path = c.child_path("spearman");
        let spearman = match spearman_value.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                super::doc::as_f64(c.doc, spearman_value, &spearman_path)?
            }
            other => {
                return Err(c.doc.error_at(
                    &spearman_value.span(),
                    &spearman_path,
                    format!(
                        "expected a number (Spearman's rank correlation, strictly between -1 and 1), found {}",
                        other.type_str()
                    ),
                ));
            }
        };
        if !(spearman > -1.0 && spearman < 1.0) {
            return Err(c.doc.error_at(
                &spearman_value.span(),
                &spearman_path,
                format!(
                    "spearman = {spearman} is not allowed; a rank correlation lies strictly between -1 and 1 (±1 would make one factor a function of the other: model it as one factor)"
                ),
            ));
        }
        let [a, b] = [refs[0].clone(), refs[1].clone()];
        if let Some(previous) = out.iter().find(|p| {
            (p.factors[0].name == a.name && p.factors[1].name == b.name)
                || (p.factors[0].name == b.name && p.factors[1].name == a.name)
        }) {
            return Err(c.doc.error_at(
                &factors_value.span(),
                &factors_path,
                format!(
                    "the pair `{}`, `{}` is already correlated by `{}`; give each pair one correlation",
                    a.name, b.name, previous.path
                ),
            ));
        }
        out.push(CorrelationSpec {
            name: name.to_string(),
            factors: [a, b],
            spearman,
            source: c.opt_str("source")?,
            note: c.opt_str("note")?,
            path: c.path.clone(),
            span: c.span.clone(),
            spearman_path,
            spearman_span: spearman_value.span(),
        });
    }
    Ok(out)
}
