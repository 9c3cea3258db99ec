//! Sobol' indices of an impact total: per factor, the first-order (S1) and
//! total-order (ST) index as horizontal bars with interval whiskers,
//! largest ST on top.

use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, Entry, Font, Key, Scale};
use super::{category_name, factor_name, figure_id, finish};
use crate::export::document::Figure;
use crate::export::numbers::level as level_text;
use crate::result::{SobolIndex, SobolSeries};

const ROW: f64 = 26.0;
const BAR: f64 = 8.0;

pub fn figure(id: &str, series: &SobolSeries, level: f64) -> Option<Figure> {
    // Zero variance: no factor moves the output and every index is 0/0.
    if series.variance.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        || series.indices.is_empty()
    {
        return None;
    }
    let mut order: Vec<&SobolIndex> = series.indices.iter().collect();
    // NaN last, then largest ST first.
    order.sort_by(|a, b| {
        b.st.is_finite()
            .cmp(&a.st.is_finite())
            .then(b.st.total_cmp(&a.st))
    });
    let names: Vec<(String, f64)> = order
        .iter()
        .map(|i| (factor_name(&i.label, &i.factor), 0.0))
        .collect();
    let rows = style::rows(&names, ROW, style::SMALL);
    let values = order
        .iter()
        .flat_map(|i| [i.s1, i.st, i.s1_ci[0], i.s1_ci[1], i.st_ci[0], i.st_ci[1]]);
    let (lo, hi) = style::range(values.chain([0.0]), 0.02);
    // An index is a share of the variance; a wild interval of a small
    // sample must not squash the bars, so whiskers past these stop at the
    // frame.
    let (lo, hi) = (lo.max(-0.25), hi.clamp(0.05, 1.25));
    let level = level_text(level);
    let legend = vec![
        Entry {
            key: Key::Box(style::ORANGE, 1.0),
            text: "first order S1".into(),
        },
        Entry {
            key: Key::Box(style::BLUE, 1.0),
            text: "total order ST".into(),
        },
        Entry {
            key: Key::Line(style::INK, style::SOLID, 1.0),
            text: format!("{level} interval"),
        },
    ];
    let (frame, legend_x, legend_width) = rows.frame(&legend);
    let xs = Scale::across(&frame, (lo, hi), false);
    let ticks = style::axis_ticks(lo, hi, frame.right - frame.left, true);
    let height = frame.bottom + style::X_AXIS + style::PAD;
    let svg = style::svg(style::WIDTH, height, |c| {
        c.x_axis(
            &frame,
            &xs,
            &ticks,
            "Sobol' index (share of the variance)",
            true,
        )?;
        let zero = xs.clamped(0.0);
        for (i, (index, (y0, y1))) in order.iter().zip(&rows.spans).enumerate() {
            let y = frame.top + (y0 + y1) / 2.0;
            c.lines(
                &rows.names[i],
                (style::PAD, y),
                Font::new(style::SMALL).anchor(HPos::Left, VPos::Center),
            )?;
            let bars: [(f64, [f64; 2], RGBColor, f64); 2] = [
                (index.s1, index.s1_ci, style::ORANGE, y - BAR / 2.0 - 1.0),
                (index.st, index.st_ci, style::BLUE, y + BAR / 2.0 + 1.0),
            ];
            for (value, ci, color, yc) in bars {
                if !value.is_finite() {
                    continue;
                }
                c.rect(
                    (zero, yc - BAR / 2.0),
                    (xs.clamped(value), yc + BAR / 2.0),
                    color,
                    1.0,
                )?;
                if ci.iter().all(|v| v.is_finite()) {
                    let (a, b) = (xs.clamped(ci[0]), xs.clamped(ci[1]));
                    c.line(&[(a, yc), (b, yc)], style::INK, 1.0, style::SOLID)?;
                    for x in [a, b] {
                        c.line(
                            &[(x, yc - 3.0), (x, yc + 3.0)],
                            style::INK,
                            1.0,
                            style::SOLID,
                        )?;
                    }
                }
            }
        }
        c.line(
            &[(zero, frame.top), (zero, frame.bottom)],
            style::AXIS,
            1.0,
            style::SOLID,
        )?;
        c.legend(&legend, (legend_x, style::PAD), legend_width)
    });
    let name = category_name(id);
    let mut caption = format!(
        "{name} total: first-order (S1) and total-order (ST) Sobol' indices of the {} factors with their {level} intervals (whiskers), largest ST on top.",
        order.len()
    );
    if !series.groups.is_empty() {
        caption.push_str(" Declared groups are in the table.");
    }
    Some(finish(
        figure_id(id, "sobol"),
        format!("{name}: Sobol' indices"),
        caption,
        svg,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(factor: &str, s1: f64, st: f64) -> SobolIndex {
        SobolIndex {
            factor: factor.into(),
            label: String::new(),
            s1,
            s1_ci: [s1 - 0.01, s1 + 0.01],
            st,
            st_ci: [st - 0.01, st + 0.01],
            flags: Vec::new(),
        }
    }

    fn series(variance: f64, indices: Vec<SobolIndex>) -> SobolSeries {
        SobolSeries {
            variance,
            flags: Vec::new(),
            indices,
            groups: Vec::new(),
            s2: Vec::new(),
        }
    }

    #[test]
    fn zero_variance_has_no_figure() {
        let s = series(0.0, vec![index("a", f64::NAN, f64::NAN)]);
        assert!(figure("gwp", &s, 0.95).is_none());
        assert!(figure("gwp", &series(1.0, Vec::new()), 0.95).is_none());
    }

    #[test]
    fn nan_indices_are_listed_last_without_bars() {
        let s = series(
            2.0,
            vec![
                index("nan", f64::NAN, f64::NAN),
                index("big", 0.5, 0.7),
                index("small", -0.01, 0.02),
            ],
        );
        let f = figure("gwp", &s, 0.95).unwrap();
        let (big, small, nan) = (
            f.svg.find("\nbig\n").unwrap(),
            f.svg.find("\nsmall\n").unwrap(),
            f.svg.find("\nnan\n").unwrap(),
        );
        assert!(big < small && small < nan);
    }
}
