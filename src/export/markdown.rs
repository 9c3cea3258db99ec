//! Markdown: headings, sentences, pipe tables (GitHub-flavoured) and the
//! figures as images when they are written next to it.

use std::fmt::Write;

use comfy_table::presets;

use super::document::{Factors, Report};
use super::terminal::comfy;
use super::{Exporter, Output};

pub struct Markdown {
    /// Where the figures are, relative to the Markdown file (`--svg-dir`),
    /// if they are written.
    pub figure_dir: Option<String>,
}

/// A cell's text with the characters Markdown would read as markup
/// escaped (a `|` would end the cell).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '|' | '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Exporter for Markdown {
    fn export(&self, report: &Report) -> Result<Output, String> {
        let mut out = format!("# {}\n\n", escape(&report.title));
        let _ = writeln!(
            out,
            "Results written by ecoband {}.\n",
            report.versions.join(", ")
        );
        for s in &report.scenarios {
            let _ = writeln!(
                out,
                "- Scenario **{}**: `{}`, SHA-256 `{}`{}",
                escape(&s.key.name),
                s.path,
                s.key.sha256,
                if s.key.overrides.is_empty() {
                    String::new()
                } else {
                    format!(", overrides `{}`", s.key.overrides.join("`, `"))
                }
            );
        }
        for section in &report.sections {
            let _ = write!(out, "\n## {}\n\n", escape(&section.title));
            let _ = writeln!(out, "From `{}`.\n", section.file);
            if let Some(s) = &section.scenario {
                let _ = writeln!(out, "Scenario: {}\n", escape(s));
            }
            for (k, v) in &section.settings {
                let _ = writeln!(out, "- {}: {}", escape(k), escape(v));
            }
            out.push('\n');
            for s in &section.sentences {
                let _ = writeln!(out, "{}\n", escape(s));
            }
            for t in &section.tables {
                let _ = write!(
                    out,
                    "**{}**\n\n{}\n\n",
                    escape(&t.caption),
                    comfy(t, presets::ASCII_MARKDOWN, escape)
                );
            }
            if let Some(dir) = &self.figure_dir {
                for f in &section.figures {
                    let _ = write!(
                        out,
                        "![{}]({dir}/{}.svg)\n\n*{}*\n\n",
                        escape(&f.title),
                        f.id,
                        escape(&f.caption)
                    );
                }
            }
            for n in &section.notes {
                let _ = writeln!(out, "> {}\n", escape(n));
            }
        }
        for s in &report.scenarios {
            let _ = write!(out, "\n## Uncertain factors of {}\n\n", escape(&s.key.name));
            match &s.factors {
                Factors::Listed(t) => {
                    let _ = writeln!(out, "{}\n", comfy(t, presets::ASCII_MARKDOWN, escape));
                }
                Factors::Unavailable(why) => {
                    let _ = writeln!(out, "Not listed: {}\n", escape(why));
                }
            }
        }
        Ok(Output::File(out.into_bytes()))
    }
}
