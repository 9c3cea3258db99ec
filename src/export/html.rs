//! HTML: one self-contained file (inline CSS and SVG, no script, no
//! external request of any kind), from a minijinja template that escapes
//! every text it is given.

use minijinja::{Environment, context};

use super::document::Report;
use super::{Exporter, Output};

pub struct Html;

const TEMPLATE: &str = include_str!("report.html");

/// An SVG made for a file, ready to sit inside HTML: the XML declaration
/// removed (HTML does not take one mid-document).
fn inline(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    };
    body.to_string()
}

impl Exporter for Html {
    fn export(&self, report: &Report) -> Result<Output, String> {
        let mut env = Environment::new();
        env.add_filter("inline_svg", |svg: String| {
            minijinja::Value::from_safe_string(inline(&svg))
        });
        env.add_template("report.html", TEMPLATE)
            .map_err(|e| format!("the report template: {e}"))?;
        let template = env
            .get_template("report.html")
            .map_err(|e| format!("the report template: {e}"))?;
        let text = template
            .render(context! {
                title => &report.title,
                versions => report.versions.join(", "),
                scenarios => &report.scenarios,
                sections => &report.sections,
                tool_version => env!("CARGO_PKG_VERSION"),
            })
            .map_err(|e| format!("cannot render the HTML report: {e}"))?;
        Ok(Output::File(text.into_bytes()))
    }
}
