//! The convergence of an impact total's mean: its estimate and confidence
//! interval after 4096·2^k samples, on a log axis, against the final mean.

use super::style::{self, Entry, Frame, Key, Scale};
use super::{axis_title, category_name, count, figure_id, finish};
use crate::export::document::Figure;
use crate::export::numbers::{Magnitude, level as level_text};
use crate::result::{Checkpoint, Impact};

const PLOT_HEIGHT: f64 = 260.0;

pub fn figure(id: &str, impact: &Impact, level: f64) -> Option<Figure> {
    let points: Vec<&Checkpoint> = impact
        .convergence
        .iter()
        .filter(|c| c.samples > 0 && c.mean.is_finite())
        .collect();
    let last = points.last()?;
    let m = Magnitude::for_value(&impact.unit, impact.total.mean);
    let final_mean = m.of(last.mean);
    let first = points[0].samples as f64;
    let end = last.samples as f64;
    // A little room either side on the log axis; a single checkpoint gets a
    // window of a factor 2 around it.
    let (x_lo, x_hi) = if end > first {
        (first / 1.25, end * 1.25)
    } else {
        (first / 2.0, first * 2.0)
    };
    let (y_lo, y_hi) = style::range(
        points
            .iter()
            .flat_map(|c| [c.mean, c.mean_ci[0], c.mean_ci[1]])
            .map(|v| m.of(v)),
        0.06,
    );
    let level = level_text(level);
    let legend = vec![
        Entry {
            key: Key::Dot(style::BLUE),
            text: "mean after N samples".into(),
        },
        Entry {
            key: Key::Box(style::SKY, 0.35),
            text: format!("its {level} confidence interval"),
        },
        Entry {
            key: Key::Line(style::INK, style::DASHED, 1.0),
            text: "final mean".into(),
        },
    ];
    let y_ticks = style::axis_ticks(y_lo, y_hi, PLOT_HEIGHT, false);
    let left = style::PAD + style::line_height(style::LABEL) + 6.0 + style::y_tick_room(&y_ticks);
    let (legend_x, legend_width) = style::legend_place(&legend, left);
    let top = style::PAD + style::legend_height(&legend, legend_width) + 10.0;
    let frame = Frame {
        left,
        top,
        right: style::WIDTH - style::PAD - 30.0,
        bottom: top + PLOT_HEIGHT,
    };
    let xs = Scale::across(&frame, (x_lo, x_hi), true);
    let ys = Scale {
        lo: y_lo,
        hi: y_hi,
        from: frame.bottom,
        to: frame.top,
        log: false,
    };
    let mut tick_values = style::log_ticks(x_lo, x_hi);
    if tick_values.len() < 2 {
        tick_values = points.iter().map(|c| c.samples as f64).collect();
    }
    let x_ticks: Vec<(f64, String)> = tick_values
        .into_iter()
        .map(|v| (v, style::group(&format!("{v:.0}"))))
        .collect();
    let height = frame.bottom + style::X_AXIS + style::PAD;
    let y_title = format!("mean {}", axis_title(id, &m.unit));
    let svg = style::svg(style::WIDTH, height, |c| {
        c.y_axis(&frame, &ys, &y_ticks, &y_title, style::PAD)?;
        let at = |p: &Checkpoint, v: f64| (xs.px(p.samples as f64), ys.px(m.of(v)));
        if points.len() > 1 {
            let band: Vec<(f64, f64)> = points
                .iter()
                .map(|p| at(p, p.mean_ci[1]))
                .chain(points.iter().rev().map(|p| at(p, p.mean_ci[0])))
                .collect();
            c.polygon(&band, style::SKY, 0.35)?;
        } else {
            let (x, _) = at(last, last.mean);
            c.rect(
                (x - 6.0, ys.px(m.of(last.mean_ci[1]))),
                (x + 6.0, ys.px(m.of(last.mean_ci[0]))),
                style::SKY,
                0.35,
            )?;
        }
        let y_final = ys.px(final_mean);
        c.line(
            &[(frame.left, y_final), (frame.right, y_final)],
            style::INK,
            1.0,
            style::DASHED,
        )?;
        let line: Vec<(f64, f64)> = points.iter().map(|p| at(p, p.mean)).collect();
        c.line(&line, style::BLUE, 2.0, style::SOLID)?;
        for p in &line {
            c.dot(*p, 3.5, style::BLUE)?;
        }
        c.x_axis(&frame, &xs, &x_ticks, "samples N (log scale)", false)?;
        c.legend(&legend, (legend_x, style::PAD), legend_width)
    });
    let name = category_name(id);
    let caption = format!(
        "{name} total: the mean's estimate after the first N samples (N = 4,096·2^k, then the run's {}), with its {level} confidence interval (band); the dashed line is the final mean.",
        count(last.samples)
    );
    Some(finish(
        figure_id(id, "convergence"),
        format!("{name}: convergence of the mean"),
        caption,
        svg,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::figures::tests::impact;

    fn checkpoint(samples: u64, mean: f64) -> Checkpoint {
        Checkpoint {
            samples,
            mean,
            mean_ci: [mean - 1.0, mean + 1.0],
            sd: 3.0,
        }
    }

    #[test]
    fn a_single_checkpoint_is_drawn() {
        let mut i = impact(500.0);
        i.convergence = vec![checkpoint(1000, 500.0)];
        let f = figure("gwp", &i, 0.95).unwrap();
        assert!(f.svg.contains("1000"), "the checkpoint's own tick");
    }

    #[test]
    fn none_or_nan_checkpoints_give_no_figure() {
        assert!(figure("gwp", &impact(1.0), 0.95).is_none());
        let mut i = impact(1.0);
        i.convergence = vec![checkpoint(4096, f64::NAN)];
        assert!(figure("gwp", &i, 0.95).is_none());
    }
}
