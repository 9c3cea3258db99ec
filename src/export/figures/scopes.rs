//! Each impact category's mean split into scopes (usage, idle, embodied):
//! stacked horizontal bars in % of the category's mean, since categories
//! are in different units.

use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, Entry, Font, Key, Scale};
use super::{category_name, finish};
use crate::export::document::Figure;
use crate::result::RunResult;

const ROW: f64 = 30.0;
const BAR: f64 = 20.0;

/// A scope's colour, and the colour of text written on it (white on the
/// dark ones, black on the light).
fn colours(i: usize) -> (RGBColor, RGBColor) {
    const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
    match i % 6 {
        0 => (style::BLUE, WHITE),
        1 => (style::ORANGE, style::INK),
        2 => (style::GREEN, WHITE),
        3 => (style::PURPLE, style::INK),
        4 => (style::SKY, style::INK),
        _ => (style::VERMILLION, WHITE),
    }
}

pub fn figure(r: &RunResult) -> Option<Figure> {
    // The model's order (use before idle before embodied) whatever order
    // the result file's keys came in; any other scope after them.
    let mut scopes: Vec<&String> = r.impacts.values().next()?.by_scope.keys().collect();
    let rank = |s: &str| ["usage", "idle", "embodied"].iter().position(|k| *k == s);
    scopes.sort_by_key(|s| rank(s).unwrap_or(usize::MAX));
    if scopes.is_empty() {
        return None;
    }
    // Each drawable category with its scopes' shares in %; one with a mean
    // of zero, or a negative or missing share, cannot be stacked.
    let mut bars: Vec<(String, Vec<f64>)> = Vec::new();
    let mut left_out = Vec::new();
    for (id, impact) in &r.impacts {
        let total = impact.total.mean;
        let shares: Option<Vec<f64>> = scopes
            .iter()
            .map(|s| {
                let share = 100.0 * impact.by_scope.get(*s)?.mean / total;
                (share.is_finite() && share >= 0.0).then_some(share)
            })
            .collect();
        match shares {
            Some(shares) if total.is_finite() && total > 0.0 => {
                bars.push((category_name(id), shares))
            }
            _ => left_out.push(category_name(id)),
        }
    }
    if bars.is_empty() {
        return None;
    }
    let names: Vec<(String, f64)> = bars.iter().map(|(n, _)| (n.clone(), 0.0)).collect();
    let rows = style::rows(&names, ROW, style::SMALL);
    let legend: Vec<Entry> = scopes
        .iter()
        .enumerate()
        .map(|(i, s)| Entry {
            key: Key::Box(colours(i).0, 1.0),
            text: (*s).clone(),
        })
        .collect();
    let (frame, legend_x, legend_width) = rows.frame(&legend);
    // Shares that add to a little over 100 % (rounding in the run) still fit.
    let hi = bars
        .iter()
        .map(|(_, s)| s.iter().sum::<f64>())
        .fold(100.0, f64::max);
    let xs = Scale::across(&frame, (0.0, hi), false);
    let ticks: Vec<(f64, String)> = (0..=5)
        .map(|i| (20.0 * i as f64, format!("{}", 20 * i)))
        .collect();
    let height = frame.bottom + style::X_AXIS + style::PAD;
    let svg = style::svg(style::WIDTH, height, |c| {
        c.x_axis(&frame, &xs, &ticks, "share of the mean (%)", true)?;
        for (i, ((_, shares), (y0, y1))) in bars.iter().zip(&rows.spans).enumerate() {
            let y = frame.top + (y0 + y1) / 2.0;
            c.lines(
                &rows.names[i],
                (style::PAD, y),
                Font::new(style::SMALL).anchor(HPos::Left, VPos::Center),
            )?;
            let mut at = 0.0;
            for (k, share) in shares.iter().enumerate() {
                let (a, b) = (xs.px(at), xs.px(at + share));
                at += share;
                if b - a < 0.5 {
                    continue;
                }
                let (fill, ink) = colours(k);
                c.rect((a, y - BAR / 2.0), (b, y + BAR / 2.0), fill, 1.0)?;
                let text = format!("{share:.0} %");
                // Written inside its segment only where it fits.
                if style::text_width(&text, style::SMALL) + 6.0 <= b - a {
                    c.text(
                        &text,
                        ((a + b) / 2.0, y),
                        Font::new(style::SMALL)
                            .anchor(HPos::Center, VPos::Center)
                            .color(ink),
                    )?;
                }
            }
        }
        c.legend(&legend, (legend_x, style::PAD), legend_width)
    });
    let mut caption = format!(
        "Each impact category's mean split into scopes ({}), in % of the category's mean.",
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !left_out.is_empty() {
        caption.push_str(&format!(
            " Not drawn (a mean of zero or a negative part): {}.",
            left_out.join(", ")
        ));
    }
    Some(finish(
        "scopes".into(),
        "Scope split of each impact's mean".into(),
        caption,
        svg,
    ))
}
