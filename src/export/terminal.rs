//! The report on the terminal: the sentences and tables, widths measured
//! in display columns (comfy-table), figures named by file.

use std::fmt::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy};

use super::document::{Factors, Report, Table};
use super::{Exporter, Output};

pub struct Terminal;

/// Rules above, below and under the header only (comfy-table's preset
/// syntax: a space is no line), like a booktabs table.
const RULES: &str = "  ── ──      ──    ";

/// A table laid out by comfy-table in `preset`, numbers right-aligned.
pub fn comfy(table: &Table, preset: &str, escape: impl Fn(&str) -> String) -> String {
    let mut t = Comfy::new();
    t.load_preset(preset)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(table.columns.iter().map(|c| escape(&c.name)));
    for row in &table.rows {
        t.add_row(row.iter().map(|c| escape(c)));
    }
    for (i, c) in table.columns.iter().enumerate() {
        if c.numeric
            && let Some(column) = t.column_mut(i)
        {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    t.to_string()
}

impl Exporter for Terminal {
    fn export(&self, report: &Report) -> Result<Output, String> {
        Ok(Output::File(Terminal::render(report).into_bytes()))
    }
}

impl Terminal {
    pub fn render(report: &Report) -> String {
        let mut out = format!("{}\n", report.title);
        for section in &report.sections {
            let _ = write!(out, "\n## {}  [{}]\n", section.title, section.file);
            if let Some(s) = &section.scenario {
                let _ = writeln!(out, "scenario: {s}");
            }
            for s in &section.sentences {
                let _ = writeln!(out, "{s}");
            }
            for t in &section.tables {
                let _ = write!(
                    out,
                    "\n{}\n{}\n",
                    t.caption,
                    comfy(t, RULES, str::to_string)
                );
            }
            for n in &section.notes {
                let _ = writeln!(out, "note: {n}");
            }
        }
        for s in &report.scenarios {
            if let Factors::Unavailable(why) = &s.factors {
                let _ = writeln!(out, "\nfactors of {}: not listed: {why}", s.key.name);
            }
        }
        out
    }
}
