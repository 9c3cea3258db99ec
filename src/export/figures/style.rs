//! What every figure shares: size, fonts, the Okabe–Ito palette, text
//! measurement, axes with readable ticks, legends, and a canvas over
//! plotters' SVG backend.
//!
//! Axes are drawn here rather than by plotters' chart builder because the
//! figures need exact control of what the chart builder decides alone:
//! margins sized from the longest factor name, tick labels in plain digits
//! ("100000", not "1.0e5"), ticks thinned until their labels cannot touch,
//! dash patterns, and names wrapped over two lines.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Fits a paper's column (or a text width at 60 %) without rescaling the
/// 12 px text below legibility.
pub const WIDTH: f64 = 680.0;
/// Tick labels, legend entries and row names.
pub const SMALL: f64 = 12.0;
/// Axis titles.
pub const LABEL: f64 = 13.0;
/// Space around the whole figure.
pub const PAD: f64 = 10.0;
/// A line of text, baseline to baseline.
pub fn line_height(px: f64) -> f64 {
    (px * 1.3).ceil()
}

/// Okabe & Ito's palette, distinguishable with every common colour-vision
/// deficiency.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const INK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Grid lines and bar outlines: light enough not to read as data.
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
pub const AXIS: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// Dash patterns (on, off, … in px); distinct in grey-scale print too.
pub const SOLID: &[f64] = &[];
pub const DASHED: &[f64] = &[7.0, 4.0];
pub const DOTTED: &[f64] = &[2.0, 3.0];
pub const DASH_DOT: &[f64] = &[9.0, 3.0, 2.0, 3.0];

/// Width of `text` at `px`: the viewer's font is unknown (the SVG names a
/// generic family), so this is an upper-side estimate for sans-serif
/// glyphs, 0.6 em per character.
pub fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * 0.6
}

/// `name` cut into lines of at most `max_chars`, after separators (`.`,
/// `_`, `-`, space, `/`) where possible, so a dotted factor path breaks
/// between its parts. Concatenating the lines gives `name` back.
pub fn wrap(name: &str, max_chars: usize) -> Vec<String> {
    let max_chars = max_chars.max(4);
    let mut pieces: Vec<String> = Vec::new();
    let mut piece = String::new();
    for c in name.chars() {
        piece.push(c);
        if matches!(c, '.' | '_' | '-' | ' ' | '/') {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        if !line.is_empty() && line.chars().count() + piece.chars().count() > max_chars {
            lines.push(std::mem::take(&mut line));
        }
        line.push_str(&piece);
        // A piece longer than a line on its own is cut where it must be.
        while line.chars().count() > max_chars {
            let head: String = line.chars().take(max_chars).collect();
            let tail: String = line.chars().skip(max_chars).collect();
            lines.push(head);
            line = tail;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A text's look and which of its points sits at the given position.
#[derive(Clone, Copy)]
pub struct Font {
    pub px: f64,
    pub h: HPos,
    pub v: VPos,
    pub bold: bool,
    pub vertical: bool,
    pub color: RGBColor,
}

impl Font {
    pub fn new(px: f64) -> Font {
        Font {
            px,
            h: HPos::Left,
            v: VPos::Center,
            bold: false,
            vertical: false,
            color: INK,
        }
    }

    pub fn anchor(self, h: HPos, v: VPos) -> Font {
        Font { h, v, ..self }
    }

    pub fn bold(self) -> Font {
        Font { bold: true, ..self }
    }

    /// Read bottom to top (a y-axis title).
    pub fn vertical(self) -> Font {
        Font {
            vertical: true,
            ..self
        }
    }

    pub fn color(self, color: RGBColor) -> Font {
        Font { color, ..self }
    }
}

fn px(x: f64) -> i32 {
    // `as` saturates and maps NaN to 0: a bad value draws in the wrong
    // place rather than panicking; callers skip non-finite data first.
    x.round() as i32
}

fn failed<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw the figure: {e}")
}

/// A figure being drawn, in pixels from the top-left corner.
pub struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
}

pub type Drawn = Result<(), String>;

/// An SVG of `width` × `height` px drawn by `draw` on a white ground.
pub fn svg(width: f64, height: f64, draw: impl FnOnce(&Canvas) -> Drawn) -> Result<String, String> {
    let mut out = String::new();
    {
        let size = (width.ceil().max(1.0) as u32, height.ceil().max(1.0) as u32);
        let area = SVGBackend::with_string(&mut out, size).into_drawing_area();
        area.fill(&WHITE).map_err(failed)?;
        let canvas = Canvas { area };
        draw(&canvas)?;
        canvas.area.present().map_err(failed)?;
    }
    Ok(out)
}

impl Canvas<'_> {
    pub fn text(&self, text: &str, (x, y): (f64, f64), font: Font) -> Drawn {
        if text.is_empty() {
            return Ok(());
        }
        // plotters' SVG backend writes font-size as size / 1.24.
        let style = if font.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        let mut desc = FontDesc::new(FontFamily::SansSerif, font.px * 1.24, style);
        if font.vertical {
            desc = desc.transform(FontTransform::Rotate270);
        }
        let style = desc.color(&font.color).pos(Pos::new(font.h, font.v));
        self.area
            .draw(&Text::new(text.to_string(), (px(x), px(y)), style))
            .map_err(failed)
    }

    /// Lines of text centred vertically on `y`.
    pub fn lines(&self, lines: &[String], (x, y): (f64, f64), font: Font) -> Drawn {
        let lh = line_height(font.px);
        let first = y - lh * (lines.len() as f64 - 1.0) / 2.0;
        for (i, line) in lines.iter().enumerate() {
            self.text(line, (x, first + lh * i as f64), font)?;
        }
        Ok(())
    }

    /// A polyline, solid or dashed with `pattern`.
    pub fn line(
        &self,
        points: &[(f64, f64)],
        color: RGBColor,
        width: f64,
        pattern: &[f64],
    ) -> Drawn {
        if points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
            return Ok(());
        }
        let style = color.stroke_width(width.round().max(1.0) as u32);
        if pattern.is_empty() {
            let pts: Vec<(i32, i32)> = points.iter().map(|&(x, y)| (px(x), px(y))).collect();
            return self
                .area
                .draw(&PathElement::new(pts, style))
                .map_err(failed);
        }
        // The pattern runs on across the polyline's corners.
        let (mut k, mut left, mut on) = (0, pattern[0], true);
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let length = (x1 - x0).hypot(y1 - y0);
            let mut at = 0.0;
            while at < length {
                let step = left.min(length - at);
                if on {
                    let (t0, t1) = (at / length, (at + step) / length);
                    let a = (x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0);
                    let b = (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1);
                    self.area
                        .draw(&PathElement::new(
                            vec![(px(a.0), px(a.1)), (px(b.0), px(b.1))],
                            style,
                        ))
                        .map_err(failed)?;
                }
                at += step;
                left -= step;
                if left <= 1e-9 {
                    k = (k + 1) % pattern.len();
                    left = pattern[k];
                    on = !on;
                }
            }
        }
        Ok(())
    }

    /// A filled rectangle between two corners.
    pub fn rect(
        &self,
        (x0, y0): (f64, f64),
        (x1, y1): (f64, f64),
        color: RGBColor,
        alpha: f64,
    ) -> Drawn {
        if ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
            return Ok(());
        }
        self.area
            .draw(&Rectangle::new(
                [(px(x0), px(y0)), (px(x1), px(y1))],
                color.mix(alpha).filled(),
            ))
            .map_err(failed)
    }

    pub fn dot(&self, (x, y): (f64, f64), radius: f64, color: RGBColor) -> Drawn {
        if !x.is_finite() || !y.is_finite() {
            return Ok(());
        }
        self.area
            .draw(&Circle::new((px(x), px(y)), px(radius), color.filled()))
            .map_err(failed)
    }

    pub fn polygon(&self, points: &[(f64, f64)], color: RGBColor, alpha: f64) -> Drawn {
        if points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
            return Ok(());
        }
        let pts: Vec<(i32, i32)> = points.iter().map(|&(x, y)| (px(x), px(y))).collect();
        self.area
            .draw(&Polygon::new(pts, color.mix(alpha).filled()))
            .map_err(failed)
    }
}

/// A linear or log10 map from data values to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from: f64,
    pub to: f64,
    pub log: bool,
}

impl Scale {
    /// `lo`..`hi` across `frame` from left to right.
    pub fn across(frame: &Frame, (lo, hi): (f64, f64), log: bool) -> Scale {
        Scale {
            lo,
            hi,
            from: frame.left,
            to: frame.right,
            log,
        }
    }

    pub fn px(&self, v: f64) -> f64 {
        let f = |x: f64| if self.log { x.log10() } else { x };
        let (a, b) = (f(self.lo), f(self.hi));
        if b == a || !(b - a).is_finite() {
            return (self.from + self.to) / 2.0;
        }
        self.from + (f(v) - a) / (b - a) * (self.to - self.from)
    }

    /// `v`'s pixel, held inside the axis (a whisker beyond the range ends
    /// at the frame).
    pub fn clamped(&self, v: f64) -> f64 {
        let (a, b) = (self.from.min(self.to), self.from.max(self.to));
        self.px(v).clamp(a, b)
    }
}

/// A data range made drawable: finite, ordered, of non-zero width, with
/// `pad` of its width added each side.
pub fn range(values: impl IntoIterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if hi == lo {
        // A constant: a window around it (or 0 to 1 around zero).
        let half = if lo == 0.0 { 0.5 } else { lo.abs() * 0.05 };
        return (lo - half, hi + half);
    }
    let w = hi - lo;
    (lo - pad * w, hi + pad * w)
}

/// At most `max` round ticks (1, 2 or 5 × 10^k apart) inside [lo, hi].
pub fn ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || !(hi - lo).is_finite() {
        return vec![lo];
    }
    let max = max.max(2) as f64;
    let raw = (hi - lo) / max;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| (hi - lo) / s <= max)
        .unwrap_or(10.0 * mag);
    // One decimal more than the step's leading digit (for 2.5 × 10^k).
    let scale = 10f64.powi((1 - (step.log10() + 1e-9).floor() as i32).max(0));
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|i| {
            // Rounded to the step's decimals (0.6000000000000001 → 0.6),
            // and -0 → 0, so a tick is the number its label shows.
            let v = (i as f64 * step * scale).round() / scale;
            if v == 0.0 { 0.0 } else { v }
        })
        .collect()
}

/// Tick labels in plain digits with as many decimals as the step needs
/// (thousands grouped by a thin space: "100 000"); scientific notation
/// only beyond 10^9 or below 10^-4, where digits stop being readable.
pub fn tick_labels(ticks: &[f64]) -> Vec<String> {
    let step = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    let largest = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    if largest >= 1e9 || (largest > 0.0 && largest < 1e-4) {
        return ticks.iter().map(|t| minus(&scientific(*t))).collect();
    }
    let decimals = if step.is_finite() && step > 0.0 {
        (-(step.log10() + 1e-9).floor()).max(0.0) as usize
    } else {
        let places = if largest > 0.0 {
            3.0 - largest.log10().floor()
        } else {
            0.0
        };
        places.clamp(0.0, 6.0) as usize
    };
    // 2.5 steps need one more decimal than their leading digit says.
    let decimals = if ticks.iter().any(|t| {
        let s = format!("{t:.decimals$}");
        s.parse::<f64>()
            .is_ok_and(|p| (p - t).abs() > 1e-9 * step.max(1e-300))
    }) {
        decimals + 1
    } else {
        decimals
    };
    ticks
        .iter()
        .map(|t| minus(&group(&format!("{t:.decimals$}"))))
        .collect()
}

/// A number as typeset: the minus sign, not a hyphen.
pub fn minus(number: &str) -> String {
    number.replace('-', "\u{2212}")
}

/// "2e9", "1.5e-5".
fn scientific(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let e = v.abs().log10().floor() as i32;
    let m = v / 10f64.powi(e);
    let m = format!("{m:.2}");
    let m = m.trim_end_matches('0').trim_end_matches('.');
    format!("{m}e{e}")
}

/// Digits grouped by three with a thin space from 10 000 up (4-digit
/// numbers stay whole, as style guides ask).
pub fn group(number: &str) -> String {
    let (sign, rest) = number.strip_prefix('-').map_or(("", number), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 4 {
        return number.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// Ticks and their labels for an axis `length` px long, thinned until
/// neighbouring labels keep a gap (horizontal axes) or a line apart.
pub fn axis_ticks(lo: f64, hi: f64, length: f64, horizontal: bool) -> Vec<(f64, String)> {
    let mut max = 10;
    loop {
        let t = ticks(lo, hi, max);
        let labels = tick_labels(&t);
        let room = length / t.len().max(1) as f64;
        let need = if horizontal {
            labels
                .iter()
                .map(|l| text_width(l, SMALL))
                .fold(0.0, f64::max)
                + 12.0
        } else {
            line_height(SMALL) * 2.0
        };
        if room >= need || max <= 2 {
            return t.into_iter().zip(labels).collect();
        }
        max -= 1;
    }
}

/// Decade ticks (10^k) inside a log range, with 2 and 5 × 10^k added when
/// fewer than three decades show.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return Vec::new();
    }
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let inside = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    let decades: Vec<f64> = (a..=b).map(|k| 10f64.powi(k)).filter(inside).collect();
    if decades.len() >= 3 {
        return decades;
    }
    let mut all: Vec<f64> = (a..=b)
        .flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)))
        .filter(inside)
        .collect();
    all.sort_by(f64::total_cmp);
    all
}

/// The plot area's edges in px.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// Height below the frame taken by an x axis: ticks, labels and title.
pub const X_AXIS: f64 = 48.0;

/// Width left of a frame taken by a y axis' tick labels and tick marks.
pub fn y_tick_room(labels: &[(f64, String)]) -> f64 {
    labels
        .iter()
        .map(|(_, l)| text_width(l, SMALL))
        .fold(0.0, f64::max)
        + 8.0
}

impl Canvas<'_> {
    /// The x axis under `frame`: line, ticks, labels, title, and light
    /// vertical grid lines behind the data when `grid`.
    pub fn x_axis(
        &self,
        frame: &Frame,
        scale: &Scale,
        ticks: &[(f64, String)],
        title: &str,
        grid: bool,
    ) -> Drawn {
        for (v, label) in ticks {
            let x = scale.px(*v);
            if !x.is_finite() || x < frame.left - 0.5 || x > frame.right + 0.5 {
                continue;
            }
            if grid {
                self.line(&[(x, frame.top), (x, frame.bottom)], GRID, 1.0, SOLID)?;
            }
            self.line(
                &[(x, frame.bottom), (x, frame.bottom + 5.0)],
                AXIS,
                1.0,
                SOLID,
            )?;
            self.text(
                label,
                (x, frame.bottom + 8.0),
                Font::new(SMALL).anchor(HPos::Center, VPos::Top),
            )?;
        }
        self.line(
            &[(frame.left, frame.bottom), (frame.right, frame.bottom)],
            AXIS,
            1.0,
            SOLID,
        )?;
        self.text(
            title,
            (
                (frame.left + frame.right) / 2.0,
                frame.bottom + 8.0 + line_height(SMALL) + 6.0,
            ),
            Font::new(LABEL).anchor(HPos::Center, VPos::Top),
        )
    }

    /// A numeric y axis left of `frame`, its title read bottom to top at
    /// `title_x`.
    pub fn y_axis(
        &self,
        frame: &Frame,
        scale: &Scale,
        ticks: &[(f64, String)],
        title: &str,
        title_x: f64,
    ) -> Drawn {
        for (v, label) in ticks {
            let y = scale.px(*v);
            if !y.is_finite() || y < frame.top - 0.5 || y > frame.bottom + 0.5 {
                continue;
            }
            self.line(&[(frame.left, y), (frame.right, y)], GRID, 1.0, SOLID)?;
            self.line(&[(frame.left - 5.0, y), (frame.left, y)], AXIS, 1.0, SOLID)?;
            self.text(
                label,
                (frame.left - 8.0, y),
                Font::new(SMALL).anchor(HPos::Right, VPos::Center),
            )?;
        }
        self.line(
            &[(frame.left, frame.top), (frame.left, frame.bottom)],
            AXIS,
            1.0,
            SOLID,
        )?;
        self.text(
            title,
            (title_x, (frame.top + frame.bottom) / 2.0),
            Font::new(LABEL).anchor(HPos::Center, VPos::Top).vertical(),
        )
    }
}

/// What a legend entry shows before its text.
#[derive(Clone, Copy)]
pub enum Key {
    Line(RGBColor, &'static [f64], f64),
    Box(RGBColor, f64),
    Dot(RGBColor),
}

pub struct Entry {
    pub key: Key,
    pub text: String,
}

const KEY_WIDTH: f64 = 28.0;
const ENTRY_GAP: f64 = 18.0;

/// Each entry's top-left corner: left to right, wrapping to a new row
/// when the next would pass `width`.
fn legend_layout(entries: &[Entry], width: f64) -> (Vec<(f64, f64)>, f64) {
    let lh = line_height(SMALL) + 4.0;
    let (mut x, mut y) = (0.0, 0.0);
    let mut at = Vec::new();
    for e in entries {
        let w = KEY_WIDTH + 6.0 + text_width(&e.text, SMALL);
        if x > 0.0 && x + w > width {
            x = 0.0;
            y += lh;
        }
        at.push((x, y));
        x += w + ENTRY_GAP;
    }
    let height = if entries.is_empty() { 0.0 } else { y + lh };
    (at, height)
}

/// Where a legend starts and how wide it may run: over the plot from
/// `left` when it fits there on one row, else across the whole figure.
pub fn legend_place(entries: &[Entry], left: f64) -> (f64, f64) {
    let over_plot = WIDTH - PAD - left;
    if legend_height(entries, over_plot) <= legend_height(entries, f64::INFINITY) {
        (left, over_plot)
    } else {
        (PAD, WIDTH - 2.0 * PAD)
    }
}

/// Height a legend of `entries` takes in `width` px.
pub fn legend_height(entries: &[Entry], width: f64) -> f64 {
    legend_layout(entries, width).1
}

impl Canvas<'_> {
    /// A legend whose top-left corner is (x, y), at most `width` px wide.
    pub fn legend(&self, entries: &[Entry], (x, y): (f64, f64), width: f64) -> Drawn {
        let (at, _) = legend_layout(entries, width);
        let mid = line_height(SMALL) / 2.0;
        for (e, (dx, dy)) in entries.iter().zip(at) {
            let (x0, yc) = (x + dx, y + dy + mid);
            match e.key {
                Key::Line(color, pattern, w) => {
                    self.line(&[(x0, yc), (x0 + KEY_WIDTH, yc)], color, w, pattern)?
                }
                Key::Box(color, alpha) => self.rect(
                    (x0 + 4.0, yc - 6.0),
                    (x0 + KEY_WIDTH - 4.0, yc + 6.0),
                    color,
                    alpha,
                )?,
                Key::Dot(color) => {
                    self.line(&[(x0, yc), (x0 + KEY_WIDTH, yc)], color, 2.0, SOLID)?;
                    self.dot((x0 + KEY_WIDTH / 2.0, yc), 4.0, color)?
                }
            }
            self.text(
                &e.text,
                (x0 + KEY_WIDTH + 6.0, yc),
                Font::new(SMALL).anchor(HPos::Left, VPos::Center),
            )?;
        }
        Ok(())
    }
}

/// Rows of a chart with names on the left (forest, Sobol', tornado,
/// scopes): each name wrapped to fit the left margin, each row tall
/// enough for its lines.
pub struct Rows {
    pub names: Vec<Vec<String>>,
    /// Each row's top and bottom, from 0 at the first row's top.
    pub spans: Vec<(f64, f64)>,
    /// Width of the widest name line: the left margin's text.
    pub name_width: f64,
}

/// Names wider than this share of the figure wrap over several lines.
const NAME_SHARE: f64 = 0.42;

/// Lays out rows named `names` (with an indent in px each), each at least
/// `min_height` px tall.
pub fn rows(names: &[(String, f64)], min_height: f64, px: f64) -> Rows {
    let max_chars = ((WIDTH * NAME_SHARE) / (px * 0.6)).floor() as usize;
    let lh = line_height(px);
    let mut spans = Vec::new();
    let mut wrapped = Vec::new();
    let mut name_width: f64 = 0.0;
    let mut y = 0.0;
    for (name, indent) in names {
        let lines = wrap(name, max_chars);
        for l in &lines {
            name_width = name_width.max(indent + text_width(l, px));
        }
        let h = min_height.max(lh * lines.len() as f64 + 6.0);
        spans.push((y, y + h));
        y += h;
        wrapped.push(lines);
    }
    Rows {
        names: wrapped,
        spans,
        name_width,
    }
}

impl Rows {
    /// The layout of a chart with one row per name (forest, scopes,
    /// Sobol', tornado): the names on the left, `legend` above, the plot
    /// frame to the right of the names. Returns the frame and the legend's
    /// x and width.
    pub fn frame(&self, legend: &[Entry]) -> (Frame, f64, f64) {
        let left = PAD + self.name_width + 12.0;
        let (legend_x, legend_width) = legend_place(legend, left);
        let top = PAD + legend_height(legend, legend_width) + 8.0;
        let frame = Frame {
            left,
            top,
            right: WIDTH - PAD - 16.0,
            bottom: top + self.height(),
        };
        (frame, legend_x, legend_width)
    }

    pub fn height(&self) -> f64 {
        self.spans.last().map_or(0.0, |s| s.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_after_separators_and_loses_nothing() {
        let name = "profiles.dgx_h100.embodied.gpu.gwp.values.boavizta";
        let lines = wrap(name, 30);
        assert!(lines.len() == 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 30));
        assert_eq!(lines.concat(), name);
        assert_eq!(wrap("short", 30), vec!["short"]);
        assert_eq!(wrap("", 30), vec![""]);
        let long = "x".repeat(70);
        assert_eq!(wrap(&long, 30).concat(), long);
    }

    #[test]
    fn ticks_are_round_and_plain() {
        assert_eq!(ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(tick_labels(&[0.0, 0.2, 0.4]), vec!["0.0", "0.2", "0.4"]);
        assert_eq!(
            tick_labels(&[0.0, 50_000.0, 100_000.0])[2],
            "100\u{2009}000"
        );
        assert_eq!(tick_labels(&[0.0, 2.5, 5.0]), vec!["0.0", "2.5", "5.0"]);
        assert_eq!(tick_labels(&[1000.0, 2000.0]), vec!["1000", "2000"]);
        assert_eq!(
            tick_labels(&[-10.0, 0.0, 10.0]),
            vec!["\u{2212}10", "0", "10"]
        );
        assert_eq!(tick_labels(&[1e9, 2e9]), vec!["1e9", "2e9"]);
        // Degenerate ranges give one tick, not a panic or an endless loop.
        assert_eq!(ticks(3.0, 3.0, 5), vec![3.0]);
        assert_eq!(ticks(f64::NAN, 1.0, 5).len(), 1);
        assert!(!axis_ticks(f64::NAN, f64::NAN, 500.0, true).is_empty());
    }

    #[test]
    fn log_ticks_show_decades() {
        assert_eq!(log_ticks(1000.0, 2e6), vec![1e3, 1e4, 1e5, 1e6]);
        assert_eq!(log_ticks(3000.0, 20_000.0), vec![5e3, 1e4, 2e4]);
        assert!(log_ticks(0.0, 10.0).is_empty());
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(range([], 0.1), (0.0, 1.0));
        assert_eq!(range([f64::NAN], 0.1), (0.0, 1.0));
        let (lo, hi) = range([2.0, 2.0], 0.1);
        assert!(lo < 2.0 && hi > 2.0);
        let (lo, hi) = range([0.0], 0.1);
        assert!(lo < 0.0 && hi > 0.0);
    }
}
