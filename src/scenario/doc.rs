//! A spanned view of a TOML document: every value knows its key path and its
//! line, so that every validation error can say *where* as well as *what*.
//!
//! We walk `toml::de::DeTable` ourselves instead of deriving serde structs:
//! serde's messages cannot name the key path, and many of our checks
//! (min > max, shares summing to 1, undefined references) need both the path
//! and the line of the offending value.

use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::ScenarioError;
use super::preset::PresetUse;

/// The text of one scenario file (or of a preset file that a scenario
/// names) and the name it is shown under.
pub struct Doc<'t> {
    pub file: String,
    text: &'t str,
    /// Set when this is a preset file read for a scenario: every value
    /// parsed from it carries it, and errors name the preset and the place
    /// in the scenario that named it.
    pub origin: Option<Arc<PresetUse>>,
}

impl<'t> Doc<'t> {
    pub fn new(file: impl Into<String>, text: &'t str) -> Self {
        Doc {
            file: file.into(),
            text,
            origin: None,
        }
    }

    /// A preset file's text, read for the scenario use `origin`.
    pub fn preset(origin: Arc<PresetUse>) -> Doc<'static> {
        Doc {
            file: origin.file.to_string(),
            text: origin.text,
            origin: Some(origin),
        }
    }

    /// Parses the document; a syntax error is reported with its line.
    pub fn parse(&self) -> Result<Spanned<DeTable<'t>>, ScenarioError> {
        DeTable::parse(self.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            self.error_at(&span, "", format!("malformed TOML: {}", e.message().trim()))
        })
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rfind('\n').map_or(offset, |p| offset - p - 1) + 1;
        (line, col)
    }

    /// An error at `span`; `path` is the key path as the scenario sees it
    /// (for a preset, it is shown as the key path inside the preset file,
    /// and the message says which scenario line named the preset).
    pub fn error_at(&self, span: &Range<usize>, path: &str, message: String) -> ScenarioError {
        let (line, column) = self.line_col(span.start);
        let (key_path, message) = match &self.origin {
            None => (path.to_string(), message),
            Some(o) => (o.preset_path(path), format!("{message} ({})", o.named_at())),
        };
        ScenarioError {
            file: self.file.clone(),
            line,
            column,
            key_path,
            message,
        }
    }
}

/// One value of the document with its key path.
#[derive(Clone, Copy)]
pub struct Node<'d, 't> {
    pub doc: &'d Doc<'t>,
    pub value: &'d Spanned<DeValue<'t>>,
    pub path: &'d str,
}

/// A table of the document with its key path.
pub struct TableNode<'d, 't> {
    pub doc: &'d Doc<'t>,
    pub table: &'d DeTable<'t>,
    pub span: Range<usize>,
    pub path: String,
}

impl<'d, 't> TableNode<'d, 't> {
    pub fn root(doc: &'d Doc<'t>, table: &'d Spanned<DeTable<'t>>) -> Self {
        TableNode {
            doc,
            table: table.get_ref(),
            span: table.span(),
            path: String::new(),
        }
    }

    /// The key path of a child of this table.
    pub fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn error(&self, message: String) -> ScenarioError {
        self.doc.error_at(&self.span, &self.path, message)
    }

    /// Entries in file order: (key, value).
    pub fn entries(&self) -> impl Iterator<Item = (&'d str, &'d Spanned<DeValue<'t>>)> {
        self.table.iter().map(|(k, v)| (k.get_ref().as_ref(), v))
    }

    pub fn get(&self, key: &str) -> Option<&'d Spanned<DeValue<'t>>> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Refuses any key not in `allowed`, naming the allowed ones.
    pub fn deny_unknown(&self, allowed: &[&str], what: &str) -> Result<(), ScenarioError> {
        for (k, _) in self.table.iter() {
            let key = k.get_ref().as_ref();
            if !allowed.contains(&key) {
                return Err(self.doc.error_at(
                    &k.span(),
                    &self.child_path(key),
                    format!(
                        "unknown key `{key}` in {what}; allowed keys: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn require(
        &self,
        key: &str,
        what: &str,
    ) -> Result<&'d Spanned<DeValue<'t>>, ScenarioError> {
        self.get(key)
            .ok_or_else(|| self.error(format!("{what} needs the key `{key}`, which is missing")))
    }

    pub fn sub_table(&self, key: &str) -> Result<Option<TableNode<'d, 't>>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => as_table(self.doc, v, self.child_path(key)).map(Some),
        }
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<String>, ScenarioError> {
        self.get(key)
            .map(|v| as_str(self.doc, v, &self.child_path(key)))
            .transpose()
    }

    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, ScenarioError> {
        self.get(key)
            .map(|v| as_f64(self.doc, v, &self.child_path(key)))
            .transpose()
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Ok(Some(*b)),
                other => Err(self.doc.error_at(
                    &v.span(),
                    &self.child_path(key),
                    format!("expected true or false, found {}", other.type_str()),
                )),
            },
        }
    }

    pub fn span_of(&self, key: &str) -> Range<usize> {
        self.get(key).map_or(self.span.clone(), |v| v.span())
    }
}

pub fn as_table<'d, 't>(
    doc: &'d Doc<'t>,
    value: &'d Spanned<DeValue<'t>>,
    path: String,
) -> Result<TableNode<'d, 't>, ScenarioError> {
    match value.get_ref() {
        DeValue::Table(t) => Ok(TableNode {
            doc,
            table: t,
            span: value.span(),
            path,
        }),
        other => Err(doc.error_at(
            &value.span(),
            &path,
            format!("expected a table, found {}", other.type_str()),
        )),
    }
}

pub fn as_array<'d, 't>(
    doc: &Doc<'t>,
    value: &'d Spanned<DeValue<'t>>,
    path: &str,
) -> Result<&'d [Spanned<DeValue<'t>>], ScenarioError> {
    match value.get_ref() {
        DeValue::Array(a) => Ok(a.as_ref()),
        other => Err(doc.error_at(
            &value.span(),
            path,
            format!("expected an array, found {}", other.type_str()),
        )),
    }
}

pub fn as_str(
    doc: &Doc<'_>,
    value: &Spanned<DeValue<'_>>,
    path: &str,
) -> Result<String, ScenarioError> {
    match value.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        other => Err(doc.error_at(
            &value.span(),
            path,
            format!("expected a string, found {}", other.type_str()),
        )),
    }
}

/// A finite number (integer or float). NaN and infinities are refused: no
/// LCA input is infinite, and a NaN would poison every statistic silently.
pub fn as_f64(
    doc: &Doc<'_>,
    value: &Spanned<DeValue<'_>>,
    path: &str,
) -> Result<f64, ScenarioError> {
    let parsed = match value.get_ref() {
        DeValue::Integer(i) => parse_integer(i.as_str(), i.radix()),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        other => {
            return Err(doc.error_at(
                &value.span(),
                path,
                format!("expected a number, found {}", other.type_str()),
            ));
        }
    };
    match parsed {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err(doc.error_at(
            &value.span(),
            path,
            "is not a finite number; NaN and infinities are not allowed".to_string(),
        )),
    }
}

fn parse_integer(text: &str, radix: u32) -> Option<f64> {
    let clean = text.replace('_', "");
    let (negative, digits) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, clean.trim_start_matches('+').to_string()),
    };
    let digits = digits
        .trim_start_matches("0x")
        .trim_start_matches("0o")
        .trim_start_matches("0b");
    let magnitude = i64::from_str_radix(digits, radix).ok()? as f64;
    Some(if negative { -magnitude } else { magnitude })
}

/// The key path of the `index`-th element of an array at `path`.
pub fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}
