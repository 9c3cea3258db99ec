//! Figures as SVG, drawn with plotters' SVG backend (no browser, no
//! network, no font files needed to write them): text stays `<text>` in a
//! generic sans-serif family, so the reader's viewer sets it.
//!
//! One file per figure kind; `style` holds what they share. A figure the
//! data cannot support (an old result without histograms, a series with
//! zero variance, no tags) is left out rather than drawn empty, and the
//! builders never panic on NaN or degenerate ranges.

mod convergence;
mod distribution;
mod forest;
mod scopes;
mod sobol;
mod style;
mod tornado;

use super::document::{Figure, category_name};
use crate::result::{RunResult, SobolResult, TornadoResult};

/// A run's figures: the scope split, then per impact category its
/// distribution, its breakdown by tag and the convergence of its mean.
pub fn run(r: &RunResult) -> Vec<Figure> {
    let mut out: Vec<Figure> = scopes::figure(r).into_iter().collect();
    for (id, impact) in &r.impacts {
        out.extend(distribution::figure(id, impact, r.settings.level));
        out.extend(forest::figure(id, impact));
        out.extend(convergence::figure(id, impact, r.settings.level));
    }
    out
}

/// A Sobol' analysis's figures: per category, the indices of the total.
pub fn sobol(r: &SobolResult) -> Vec<Figure> {
    r.sobol
        .iter()
        .filter_map(|(id, series)| {
            let total = series.get("total")?;
            sobol::figure(id, total, r.settings.level)
        })
        .collect()
}

/// A tornado's figures: one per category.
pub fn tornado(r: &TornadoResult) -> Vec<Figure> {
    r.tornado
        .iter()
        .filter_map(|(id, t)| tornado::figure(id, t, &r.settings))
        .collect()
}

/// The name a figure shows for a factor: its label (its key path in
/// results written before labels).
fn factor_name(label: &str, key: &str) -> String {
    super::document::readable(label, key)
}

/// `category-kind`, kept to characters every file system accepts.
fn figure_id(category: &str, kind: &str) -> String {
    let safe: String = category
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{safe}-{kind}")
}

/// "GWP (tCO2e)", or the bare name of a unitless output.
fn axis_title(category: &str, unit: &str) -> String {
    if unit.is_empty() {
        category_name(category)
    } else {
        format!("{} ({unit})", category_name(category))
    }
}

/// "1,000,000": counts in captions, grouped as prose prints them.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A figure from its drawing; a drawing that failed becomes a figure
/// whose SVG and caption say so, so the report still shows where it was.
fn finish(id: String, title: String, caption: String, svg: Result<String, String>) -> Figure {
    match svg {
        Ok(svg) => Figure {
            id,
            title,
            caption,
            svg,
        },
        Err(e) => Figure {
            svg: format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"40\"><text x=\"10\" y=\"25\" font-family=\"sans-serif\" font-size=\"13\">{}</text></svg>",
                escape(&e),
                w = style::WIDTH
            ),
            caption: format!("{caption} (Not drawn: {e}.)"),
            id,
            title,
        },
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analyze::Summary;
    use crate::analyze::summary::Interval;
    use crate::result::Impact;

    /// A summary of mean `mean` with a ±20 % interval.
    pub fn summary(mean: f64) -> Summary {
        Summary {
            baseline: mean * 0.9,
            mean,
            sd: mean * 0.1,
            median: mean,
            min: mean * 0.5,
            max: mean * 1.5,
            quantiles: Vec::new(),
            interval: Interval {
                level: 0.95,
                low: mean * 0.8,
                high: mean * 1.2,
            },
            mc_se_mean: mean * 0.001,
            mean_ci: [mean * 0.99, mean * 1.01],
            mc_se_interval: [mean * 0.002; 2],
            baseline_percentile: None,
        }
    }

    /// An impact in kgCO2e with no scopes, tags, histogram or checkpoints.
    pub fn impact(mean: f64) -> Impact {
        Impact {
            unit: "kgCO2e".into(),
            total: summary(mean),
            by_scope: Default::default(),
            by_tag: Default::default(),
            distribution: None,
            convergence: Vec::new(),
        }
    }

    #[test]
    fn ids_are_file_name_safe() {
        assert_eq!(figure_id("gwp", "forest"), "gwp-forest");
        assert_eq!(figure_id("a b/c", "sobol"), "a-b-c-sobol");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(999), "999");
        assert_eq!(count(0), "0");
    }

    #[test]
    fn a_failed_drawing_still_gives_well_formed_svg() {
        let f = finish(
            "x".into(),
            "X".into(),
            "Caption.".into(),
            Err("a <bad> & thing".into()),
        );
        assert!(f.svg.contains("a &lt;bad&gt; &amp; thing"));
        assert!(f.caption.contains("Not drawn"));
    }
}
