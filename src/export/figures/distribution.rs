//! The distribution of an impact total: the run's histogram as bars, with
//! the baseline, mean, median and interval bounds as vertical lines.

use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, Entry, Font, Frame, Key, Scale};
use super::{axis_title, category_name, count, figure_id, finish};
use crate::analyze::histogram::TAIL;
use crate::export::document::Figure;
use crate::export::numbers::{Magnitude, figures, level as level_text};
use crate::result::Impact;

const PLOT_HEIGHT: f64 = 300.0;

struct Marker {
    value: f64,
    color: RGBColor,
    pattern: &'static [f64],
    width: f64,
}

pub fn figure(id: &str, impact: &Impact, level: f64) -> Option<Figure> {
    let h = &impact.distribution.as_ref()?.total;
    let bins = h.counts.len();
    let total = h.total();
    if bins == 0 || h.edges.len() != bins + 1 || total == 0 {
        return None;
    }
    let s = &impact.total;
    let m = Magnitude::for_value(&impact.unit, s.mean);
    let edges: Vec<f64> = h.edges.iter().map(|e| m.of(*e)).collect();
    let shares: Vec<f64> = h
        .counts
        .iter()
        .map(|c| 100.0 * *c as f64 / total as f64)
        .collect();
    let shown = |x: f64| style::minus(&figures(m.of(x), 3));
    let level = level_text(level);
    let markers = [
        Marker {
            value: m.of(s.mean),
            color: style::VERMILLION,
            pattern: style::SOLID,
            // Wider than the rest: it shows through the median's dashes
            // when the two coincide (a symmetric output).
            width: 3.0,
        },
        Marker {
            value: m.of(s.median),
            color: style::INK,
            pattern: style::DASHED,
            width: 2.0,
        },
        Marker {
            value: m.of(s.interval.low),
            color: style::PURPLE,
            pattern: style::DOTTED,
            width: 2.0,
        },
        Marker {
            value: m.of(s.interval.high),
            color: style::PURPLE,
            pattern: style::DOTTED,
            width: 2.0,
        },
        Marker {
            value: m.of(s.baseline),
            color: style::GREEN,
            pattern: style::DASH_DOT,
            width: 2.0,
        },
    ];
    let legend = vec![
        Entry {
            key: Key::Line(style::VERMILLION, style::SOLID, 3.0),
            text: format!("mean {}", shown(s.mean)),
        },
        Entry {
            key: Key::Line(style::INK, style::DASHED, 2.0),
            text: format!("median {}", shown(s.median)),
        },
        Entry {
            key: Key::Line(style::PURPLE, style::DOTTED, 2.0),
            // "−4.03–11.0" would read as a subtraction.
            text: format!(
                "{level} interval {}{}{}",
                shown(s.interval.low),
                if s.interval.low < 0.0 { " to " } else { "–" },
                shown(s.interval.high)
            ),
        },
        Entry {
            key: Key::Line(style::GREEN, style::DASH_DOT, 2.0),
            text: format!("baseline {}", shown(s.baseline)),
        },
    ];
    // A constant output has one bin of zero width: it is drawn as a thin
    // bar in a window around its value.
    let constant = edges[0] == edges[bins];
    let (x_lo, x_hi) = style::range(
        edges.iter().copied().chain(markers.iter().map(|k| k.value)),
        0.03,
    );
    let y_hi = shares
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        * 1.08;
    let y_hi = if y_hi > 0.0 { y_hi } else { 1.0 };

    let y_ticks = style::axis_ticks(0.0, y_hi, PLOT_HEIGHT, false);
    let left = style::PAD + style::line_height(style::LABEL) + 6.0 + style::y_tick_room(&y_ticks);
    let (legend_x, legend_width) = style::legend_place(&legend, left);
    let top = style::PAD + style::legend_height(&legend, legend_width) + 10.0;
    let frame = Frame {
        left,
        top,
        right: style::WIDTH - style::PAD - 16.0,
        bottom: top + PLOT_HEIGHT,
    };
    let height = frame.bottom + style::X_AXIS + style::PAD;
    let xs = Scale::across(&frame, (x_lo, x_hi), false);
    let ys = Scale {
        lo: 0.0,
        hi: y_hi,
        from: frame.bottom,
        to: frame.top,
        log: false,
    };
    let x_ticks = style::axis_ticks(x_lo, x_hi, frame.right - frame.left, true);
    let title = axis_title(id, &m.unit);
    let svg = style::svg(style::WIDTH, height, |c| {
        c.y_axis(&frame, &ys, &y_ticks, "share of samples (%)", style::PAD)?;
        for (i, share) in shares.iter().enumerate() {
            let (a, b) = if constant {
                let x = xs.px(edges[0]);
                (x - 3.0, x + 3.0)
            } else {
                (xs.px(edges[i]), xs.px(edges[i + 1]))
            };
            c.rect((a, ys.px(*share)), (b, ys.px(0.0)), style::SKY, 0.75)?;
        }
        for k in &markers {
            if k.value.is_finite() {
                let x = xs.px(k.value);
                c.line(
                    &[(x, frame.top), (x, frame.bottom)],
                    k.color,
                    k.width,
                    k.pattern,
                )?;
            }
        }
        c.x_axis(&frame, &xs, &x_ticks, &title, false)?;
        c.legend(&legend, (legend_x, style::PAD), legend_width)?;
        // A frame's label for the y axis' unit of a bin: its width.
        if !constant {
            let width = figures(edges[1] - edges[0], 2);
            c.text(
                &format!("bin width {width}"),
                (frame.right, frame.top + 4.0),
                Font::new(style::SMALL)
                    .anchor(HPos::Right, VPos::Top)
                    .color(style::AXIS),
            )?;
        }
        Ok(())
    });
    let name = category_name(id);
    let unit = if m.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.unit)
    };
    let what = if constant {
        format!(
            "all {} samples equal {}",
            count(total),
            figures(edges[0], 6)
        )
    } else {
        format!(
            "histogram of {} samples in {bins} equal bins between the {} and {} quantiles ({} below and {} above are not drawn)",
            count(total),
            level_text(TAIL),
            level_text(1.0 - TAIL),
            count(h.below),
            count(h.above)
        )
    };
    let caption = format!(
        "{name} total{unit}: {what}; vertical lines mark the mean, the median, the {level} interval and the deterministic baseline."
    );
    Some(finish(
        figure_id(id, "distribution"),
        format!("{name}: distribution of the total"),
        caption,
        svg,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::histogram::Histogram;
    use crate::export::figures::tests::impact;
    use crate::result::Distribution;

    fn with(h: Histogram) -> Impact {
        let mut i = impact(5.0);
        i.distribution = Some(Distribution {
            total: h,
            by_scope: Default::default(),
        });
        i
    }

    #[test]
    fn a_constant_output_is_one_thin_bar() {
        let i = with(Histogram {
            edges: vec![5.0, 5.0],
            counts: vec![100],
            below: 0,
            above: 0,
        });
        let f = figure("gwp", &i, 0.95).unwrap();
        assert!(
            f.caption.contains("all 100 samples equal 5"),
            "{}",
            f.caption
        );
        assert!(f.svg.contains("<svg"));
    }

    #[test]
    fn old_results_and_empty_histograms_have_no_figure() {
        let mut i = impact(5.0);
        i.distribution = None;
        assert!(figure("gwp", &i, 0.95).is_none());
        let empty = with(Histogram {
            edges: vec![1.0],
            counts: vec![],
            below: 0,
            above: 0,
        });
        assert!(figure("gwp", &empty, 0.95).is_none());
    }

    #[test]
    fn nan_values_draw_without_panicking() {
        let mut i = with(Histogram {
            edges: vec![1.0, 2.0, 3.0],
            counts: vec![3, 4],
            below: 1,
            above: 0,
        });
        i.total.mean = f64::NAN;
        i.total.baseline = f64::INFINITY;
        let f = figure("gwp", &i, 0.95).unwrap();
        assert!(f.svg.contains("</svg>"));
    }
}
