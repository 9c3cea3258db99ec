//! A forest plot of an impact category: the total on top, then every tag's
//! values grouped under the tag's name, each as its mean (dot) and
//! interval (line).

use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, Entry, Font, Key, Scale};
use super::{axis_title, category_name, figure_id, finish};
use crate::analyze::Summary;
use crate::export::document::Figure;
use crate::export::numbers::{Magnitude, level as level_text};
use crate::result::Impact;

const ROW: f64 = 22.0;
/// Values sit under their tag's name, indented by this.
const INDENT: f64 = 14.0;

enum Line<'a> {
    Total(&'a Summary),
    Tag,
    Value(&'a Summary),
}

pub fn figure(id: &str, impact: &Impact) -> Option<Figure> {
    // Without tags the figure would repeat the distribution's interval.
    if impact.by_tag.values().all(|v| v.is_empty()) {
        return None;
    }
    let m = Magnitude::for_value(&impact.unit, impact.total.mean);
    let mut lines = vec![("total".to_string(), 0.0, Line::Total(&impact.total))];
    for (tag, values) in &impact.by_tag {
        if values.is_empty() {
            continue;
        }
        lines.push((tag.clone(), 0.0, Line::Tag));
        for (value, s) in values {
            lines.push((value.clone(), INDENT, Line::Value(s)));
        }
    }
    let names: Vec<(String, f64)> = lines.iter().map(|(n, i, _)| (n.clone(), *i)).collect();
    let rows = style::rows(&names, ROW, style::SMALL);
    let summaries = lines.iter().filter_map(|(_, _, l)| match l {
        Line::Total(s) | Line::Value(s) => Some(*s),
        Line::Tag => None,
    });
    // From zero: a tag value's size reads against the total's.
    let (lo, hi) = style::range(
        summaries
            .flat_map(|s| [s.mean, s.interval.low, s.interval.high])
            .map(|v| m.of(v))
            .chain([0.0]),
        0.03,
    );
    let level = level_text(impact.total.interval.level);
    let legend = vec![Entry {
        key: Key::Dot(style::BLUE),
        text: format!("mean and {level} interval"),
    }];
    let (frame, legend_x, legend_width) = rows.frame(&legend);
    let xs = Scale::across(&frame, (lo, hi), false);
    let ticks = style::axis_ticks(lo, hi, frame.right - frame.left, true);
    let title = axis_title(id, &m.unit);
    let height = frame.bottom + style::X_AXIS + style::PAD;
    let svg = style::svg(style::WIDTH, height, |c| {
        c.x_axis(&frame, &xs, &ticks, &title, true)?;
        for (i, ((_, indent, line), (y0, y1))) in lines.iter().zip(&rows.spans).enumerate() {
            let y = frame.top + (y0 + y1) / 2.0;
            // A rule above each tag's group separates it from the one before.
            if matches!(line, Line::Tag) && i > 0 {
                let rule = frame.top + y0;
                c.line(
                    &[(style::PAD, rule), (frame.right, rule)],
                    style::GRID,
                    1.0,
                    style::SOLID,
                )?;
            }
            let font = Font::new(style::SMALL).anchor(HPos::Left, VPos::Center);
            let (font, color) = match line {
                Line::Total(_) => (font.bold(), style::INK),
                Line::Tag => (font.bold().color(style::AXIS), style::INK),
                Line::Value(_) => (font, style::BLUE),
            };
            c.lines(&rows.names[i], (style::PAD + indent, y), font)?;
            if let Line::Total(s) | Line::Value(s) = line {
                let (a, b) = (
                    xs.clamped(m.of(s.interval.low)),
                    xs.clamped(m.of(s.interval.high)),
                );
                c.line(&[(a, y), (b, y)], color, 2.0, style::SOLID)?;
                for x in [a, b] {
                    c.line(&[(x, y - 4.0), (x, y + 4.0)], color, 2.0, style::SOLID)?;
                }
                c.dot((xs.px(m.of(s.mean)), y), 4.0, color)?;
            }
        }
        c.legend(&legend, (legend_x, style::PAD), legend_width)
    });
    let name = category_name(id);
    let caption = format!(
        "{name} by tag value{}: mean (dot) and {level} interval (line) of the total and of every value of each tag, grouped by tag.",
        if m.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", m.unit)
        }
    );
    Some(finish(
        figure_id(id, "forest"),
        format!("{name}: breakdown by tag"),
        caption,
        svg,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::figures::tests::{impact, summary};

    #[test]
    fn no_tags_no_figure() {
        assert!(figure("gwp", &impact(10.0)).is_none());
    }

    #[test]
    fn long_names_widen_the_margin_and_wrap() {
        let mut i = impact(1000.0);
        let long = "a-very-long-tag-value-name-that-would-not-fit-in-any-margin-at-all";
        i.by_tag.insert(
            "phase".into(),
            [
                (long.to_string(), summary(400.0)),
                ("b".into(), summary(f64::NAN)),
            ]
            .into_iter()
            .collect(),
        );
        let f = figure("gwp", &i).unwrap();
        assert!(f.svg.contains("a-very-long-"));
        assert!(f.svg.contains("GWP (tCO2e)"));
    }
}
