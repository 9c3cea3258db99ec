//! LaTeX: a document that compiles with pdflatex as it is, one `booktabs`
//! table per result table (a `longtable`, so the 35 factors of a large
//! study break across pages), each ready to copy into a paper.

use std::fmt::Write;

use super::document::{Factors, Report, Table};
use super::{Exporter, Output};

pub struct Latex;

/// Text safe in LaTeX's text mode under pdflatex: its special characters
/// escaped, and the symbols the results and sources use (±, ×, –, ², …)
/// written as commands pdflatex knows without extra packages. A symbol
/// outside that list and outside Latin-1 is written as its code point,
/// visibly, rather than breaking the build.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '%' | '_' | '&' | '#' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '–' => out.push_str("--"),
            '—' => out.push_str("---"),
            '−' => out.push_str("\\ensuremath{-}"),
            '±' => out.push_str("\\ensuremath{\\pm}"),
            '×' => out.push_str("\\ensuremath{\\times}"),
            '÷' => out.push_str("\\ensuremath{\\div}"),
            '≈' => out.push_str("\\ensuremath{\\approx}"),
            '≤' => out.push_str("\\ensuremath{\\leq}"),
            '≥' => out.push_str("\\ensuremath{\\geq}"),
            '→' => out.push_str("\\ensuremath{\\rightarrow}"),
            '·' => out.push_str("\\ensuremath{\\cdot}"),
            'µ' | 'μ' => out.push_str("\\ensuremath{\\mu}"),
            '²' => out.push_str("\\textsuperscript{2}"),
            '³' => out.push_str("\\textsuperscript{3}"),
            '°' => out.push_str("\\ensuremath{^\\circ}"),
            '§' => out.push_str("\\S{}"),
            '…' => out.push_str("\\ldots{}"),
            '‘' => out.push('`'),
            '’' | '′' => out.push('\''),
            '“' => out.push_str("``"),
            '”' => out.push_str("''"),
            '\u{a0}' | '\u{202f}' => out.push('~'),
            c if c.is_ascii() => out.push(c),
            // Latin-1 letters (é, ô, ß …) are in T1 fonts under utf8 input.
            c if (c as u32) < 0x180 && c.is_alphabetic() => out.push(c),
            c => {
                let _ = write!(out, "\\texttt{{[U+{:04X}]}}", c as u32);
            }
        }
    }
    out
}

/// Characters beyond which a cell would make its column too wide for the
/// page unless it wraps (3.8 cm of 10 pt text holds about 35).
const LONG_CELL: usize = 35;

fn table(out: &mut String, t: &Table) {
    // A free-text column that may be long (sources) wraps in a paragraph
    // column, and so does any column with a long cell (a Dirichlet's
    // shares, a choice's options): a longtable does not wrap by itself and
    // would run off the page. The others keep their natural width.
    let spec: String = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // Only text that can break at spaces is worth wrapping (a
            // factor's dotted name cannot).
            let longest = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .filter(|cell| cell.contains(' '))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0);
            match (c.numeric, c.name.as_str()) {
                // A key path has no spaces but breaks after its dots.
                (false, "key path") => ">{\\raggedright\\arraybackslash}p{4.5cm}".to_string(),
                (false, "source" | "flags") => {
                    ">{\\raggedright\\arraybackslash}p{5.5cm}".to_string()
                }
                _ if longest > LONG_CELL => {
                    let align = if c.numeric {
                        "raggedleft"
                    } else {
                        "raggedright"
                    };
                    format!(">{{\\{align}\\arraybackslash}}p{{3.8cm}}")
                }
                (true, _) => "r".to_string(),
                _ => "l".to_string(),
            }
        })
        .collect();
    let header: Vec<String> = t.columns.iter().map(|c| escape(&c.name)).collect();
    let _ = writeln!(out, "\\begin{{longtable}}{{{spec}}}");
    let _ = writeln!(
        out,
        "\\caption{{{}}}\\label{{tab:{}}}\\\\",
        escape(&t.caption),
        t.id
    );
    let _ = writeln!(
        out,
        "\\toprule\n{} \\\\\n\\midrule\n\\endfirsthead",
        header.join(" & ")
    );
    let _ = writeln!(
        out,
        "\\toprule\n{} \\\\\n\\midrule\n\\endhead",
        header.join(" & ")
    );
    let _ = writeln!(out, "\\bottomrule\n\\endfoot");
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&t.columns)
            .map(|(cell, c)| {
                if c.name == "key path" {
                    escape(cell).replace('.', ".\\allowbreak{}")
                } else {
                    escape(cell)
                }
            })
            .collect();
        let _ = writeln!(out, "{} \\\\", cells.join(" & "));
    }
    let _ = writeln!(out, "\\end{{longtable}}\n");
}

impl Exporter for Latex {
    fn export(&self, report: &Report) -> Result<Output, String> {
        let mut out = String::from(
            "% Written by ecoband report; compiles with pdflatex. Each longtable\n\
             % uses booktabs rules and can be copied into a paper.\n\
             \\documentclass[10pt]{article}\n\
             \\usepackage[utf8]{inputenc}\n\
             \\usepackage[T1]{fontenc}\n\
             \\usepackage{lmodern}\n\
             \\usepackage[a4paper,landscape,margin=2cm]{geometry}\n\
             \\usepackage{booktabs}\n\
             \\usepackage{longtable}\n\
             \\usepackage{array}\n\
             \\begin{document}\n",
        );
        let _ = writeln!(out, "\\section*{{{}}}", escape(&report.title));
        let _ = writeln!(
            out,
            "Results written by ecoband {}.\n",
            escape(&report.versions.join(", "))
        );
        for s in &report.scenarios {
            let _ = writeln!(
                out,
                "Scenario \\textbf{{{}}}: \\texttt{{{}}}, SHA-256 \\texttt{{{}}}.\n",
                escape(&s.key.name),
                escape(&s.path),
                &s.key.sha256[..s.key.sha256.len().min(16)]
            );
        }
        for section in &report.sections {
            let _ = writeln!(out, "\\subsection*{{{}}}", escape(&section.title));
            if let Some(s) = &section.scenario {
                let _ = writeln!(out, "Scenario: {}.\n", escape(s));
            }
            if !section.settings.is_empty() {
                let settings: Vec<String> = section
                    .settings
                    .iter()
                    .map(|(k, v)| format!("{}: {}", escape(k), escape(v)))
                    .collect();
                let _ = writeln!(out, "{}.\n", settings.join("; "));
            }
            for s in &section.sentences {
                let _ = writeln!(out, "{}\n", escape(s));
            }
            for t in &section.tables {
                table(&mut out, t);
            }
            for n in &section.notes {
                let _ = writeln!(out, "\\emph{{Note:}} {}\n", escape(n));
            }
        }
        for s in &report.scenarios {
            match &s.factors {
                Factors::Listed(t) => table(&mut out, t),
                Factors::Unavailable(why) => {
                    let _ = writeln!(out, "Factors not listed: {}\n", escape(why));
                }
            }
        }
        out.push_str("\\end{document}\n");
        Ok(Output::File(out.into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(escape("50 % of a_b & c"), "50 \\% of a\\_b \\& c");
        assert_eq!(escape("#1 {x} $5"), "\\#1 \\{x\\} \\$5");
        assert_eq!(
            escape("a\\b ~ ^"),
            "a\\textbackslash{}b \\textasciitilde{} \\textasciicircum{}"
        );
        assert_eq!(escape("320–884 m³"), "320--884 m\\textsuperscript{3}");
        assert_eq!(
            escape("±5 ×2"),
            "\\ensuremath{\\pm}5 \\ensuremath{\\times}2"
        );
        assert_eq!(escape("café"), "café");
        assert_eq!(escape("α"), "\\texttt{[U+03B1]}");
    }
}
