//! A classic tornado: per factor, a bar from the output at its low input
//! to the output at its high input around the baseline output, largest
//! swing on top, the inputs written at the bar ends.

use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};
use serde_json::Value;

use super::style::{self, Entry, Font, Key, Scale};
use super::{axis_title, category_name, factor_name, figure_id, finish};
use crate::export::document::Figure;
use crate::export::numbers::{Magnitude, figures, level as level_text};
use crate::result::TornadoSettings;
use crate::tornado::{Bar, CategoryTornado};

const ROW: f64 = 22.0;
const BAR: f64 = 14.0;
/// Between a bar's end and the input written there.
const GAP: f64 = 5.0;

/// One end of a bar (display units) and the input written there, if any.
type End = (f64, Option<String>);

/// Inputs longer than this are not written at a bar's end: a share set's
/// "share-set output quantile 0.05" describes no input value.
const LONGEST_INPUT: usize = 16;

/// An input as written at a bar's end: a number to 3 significant figures,
/// a categorical option by name.
fn input_text(v: &Value) -> Option<String> {
    let text = match v {
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |x| style::minus(&figures(x, 3))),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    (text.chars().count() <= LONGEST_INPUT).then_some(text)
}

pub fn figure(id: &str, t: &CategoryTornado, settings: &TornadoSettings) -> Option<Figure> {
    let mut bars: Vec<&Bar> = t.factors.iter().collect();
    if bars.is_empty() {
        return None;
    }
    // Sorted already by the tornado; sorted again so the figure holds
    // even for a hand-edited result (NaN swings last).
    bars.sort_by(|a, b| {
        b.swing
            .is_finite()
            .cmp(&a.swing.is_finite())
            .then(b.swing.total_cmp(&a.swing))
    });
    let m = Magnitude::for_value(&t.unit, t.baseline_output);
    let base = m.of(t.baseline_output);
    let names: Vec<(String, f64)> = bars
        .iter()
        .map(|b| (factor_name(&b.label, &b.factor), 0.0))
        .collect();
    let rows = style::rows(&names, ROW, style::SMALL);
    let low_q = level_text(settings.low);
    let high_q = level_text(settings.high);
    let legend = vec![
        Entry {
            key: Key::Box(style::BLUE, 1.0),
            text: format!("factor at its {low_q} quantile"),
        },
        Entry {
            key: Key::Box(style::ORANGE, 1.0),
            text: format!("at its {high_q} quantile"),
        },
        Entry {
            key: Key::Line(style::INK, style::SOLID, 1.5),
            text: format!("baseline output {}", style::minus(&figures(base, 3))),
        },
    ];
    let (frame, legend_x, legend_width) = rows.frame(&legend);
    let width = frame.right - frame.left;
    // Each bar's ends in display units, the left one first, with the text
    // of the input that gives each end.
    let ends: Vec<Option<[End; 2]>> = bars
        .iter()
        .map(|b| {
            let (lo, hi) = (m.of(b.output_low), m.of(b.output_high));
            if !lo.is_finite() || !hi.is_finite() {
                return None;
            }
            let (lo_text, hi_text) = (input_text(&b.low_input), input_text(&b.high_input));
            Some(if lo <= hi {
                [(lo.min(base), lo_text), (hi.max(base), hi_text)]
            } else {
                [(hi.min(base), hi_text), (lo.max(base), lo_text)]
            })
        })
        .collect();
    let (d_lo, d_hi) = style::range(
        ends.iter()
            .flatten()
            .flat_map(|e| [e[0].0, e[1].0])
            .chain([base]),
        0.0,
    );
    // Room for the inputs beyond the widest bar's ends: the axis is
    // stretched so the longest input on each side fits, up to a fifth of
    // the width; an input that still does not fit in the frame is left
    // out (the table has every one).
    let longest = |side: usize| {
        ends.iter()
            .flatten()
            .filter_map(|e| e[side].1.as_ref())
            .map(|t| style::text_width(t, style::SMALL) + GAP + 2.0)
            .fold(width * 0.03, f64::max)
            .min(width * 0.2)
    };
    let (room_l, room_r) = (longest(0), longest(1));
    let per_px = (d_hi - d_lo) / (width - room_l - room_r);
    let xs = Scale {
        lo: d_lo - room_l * per_px,
        hi: d_hi + room_r * per_px,
        from: frame.left,
        to: frame.right,
        log: false,
    };
    let ticks = style::axis_ticks(xs.lo, xs.hi, width, true);
    let height = frame.bottom + style::X_AXIS + style::PAD;
    let title = axis_title(id, &m.unit);
    let svg = style::svg(style::WIDTH, height, |c| {
        c.x_axis(&frame, &xs, &ticks, &title, true)?;
        let xb = xs.px(base);
        for (i, (b, (y0, y1))) in bars.iter().zip(&rows.spans).enumerate() {
            let y = frame.top + (y0 + y1) / 2.0;
            c.lines(
                &rows.names[i],
                (style::PAD, y),
                Font::new(style::SMALL).anchor(HPos::Left, VPos::Center),
            )?;
            let mut parts: [(f64, RGBColor); 2] = [
                (m.of(b.output_low), style::BLUE),
                (m.of(b.output_high), style::ORANGE),
            ];
            // Both ends on one side of the baseline: the longer part first,
            // so the shorter stays visible on top of it.
            parts.sort_by(|p, q| (q.0 - base).abs().total_cmp(&(p.0 - base).abs()));
            for (value, color) in parts {
                if value.is_finite() {
                    c.rect(
                        (xb, y - BAR / 2.0),
                        (xs.clamped(value), y + BAR / 2.0),
                        color,
                        1.0,
                    )?;
                }
            }
            if let Some([(l, l_text), (r, r_text)]) = &ends[i] {
                let font = Font::new(style::SMALL).color(style::AXIS);
                if let Some(t) = l_text {
                    let x = xs.px(*l) - GAP;
                    if x - style::text_width(t, style::SMALL) >= frame.left {
                        c.text(t, (x, y), font.anchor(HPos::Right, VPos::Center))?;
                    }
                }
                if let Some(t) = r_text {
                    let x = xs.px(*r) + GAP;
                    if x + style::text_width(t, style::SMALL) <= frame.right {
                        c.text(t, (x, y), font.anchor(HPos::Left, VPos::Center))?;
                    }
                }
            }
        }
        c.line(
            &[(xb, frame.top), (xb, frame.bottom)],
            style::INK,
            1.5,
            style::SOLID,
        )?;
        c.legend(&legend, (legend_x, style::PAD), legend_width)
    });
    let name = category_name(id);
    let unit = if m.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.unit)
    };
    let mut caption = format!(
        "{name}{unit}: the output with each factor moved alone to its {low_q} (blue) and {high_q} (orange) quantile, the others at {}; the vertical line is the baseline output; largest swing on top; the inputs are written at the bar ends where there is room.",
        settings.baseline,
    );
    if !t.groups.is_empty() {
        caption.push_str(" Declared groups are in the table.");
    }
    Some(finish(
        figure_id(id, "tornado"),
        format!("{name}: tornado"),
        caption,
        svg,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(factor: &str, low: f64, high: f64) -> Bar {
        Bar {
            factor: factor.into(),
            label: String::new(),
            low_input: Value::from(1.0),
            high_input: Value::from("option"),
            output_low: low,
            output_high: high,
            swing: (high - low).abs(),
        }
    }

    fn settings() -> TornadoSettings {
        TornadoSettings {
            low: 0.05,
            high: 0.95,
            baseline: "nominal".into(),
            overrides: Vec::new(),
        }
    }

    fn tornado(factors: Vec<Bar>) -> CategoryTornado {
        CategoryTornado {
            unit: "kgCO2e".into(),
            baseline_output: 100.0,
            factors,
            groups: Vec::new(),
        }
    }

    #[test]
    fn no_factors_no_figure() {
        assert!(figure("gwp", &tornado(Vec::new()), &settings()).is_none());
    }

    #[test]
    fn degenerate_bars_draw_without_panicking() {
        let t = tornado(vec![
            bar("zero", 100.0, 100.0),
            bar("nan", f64::NAN, 120.0),
            bar("same side", 110.0, 130.0),
            bar("reversed", 130.0, 90.0),
        ]);
        let f = figure("gwp", &t, &settings()).unwrap();
        assert!(f.svg.contains("same side"));
        let constant = tornado(vec![bar("flat", 100.0, 100.0)]);
        assert!(figure("gwp", &constant, &settings()).is_some());
    }
}
