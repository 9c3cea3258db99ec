//! Numbers as a paper prints them: in a readable magnitude of their unit,
//! with no more significant figures than their Monte Carlo error supports.

/// A display unit: values in the canonical unit are divided by `scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct Magnitude {
    pub unit: String,
    pub scale: f64,
}

/// The display units of each canonical unit, smallest first: (unit, size
/// in canonical units). A value is shown in the largest unit it reaches
/// at least 1 of.
fn ladder(canonical: &str) -> &'static [(&'static str, f64)] {
    match canonical {
        "kgCO2e" => &[
            ("gCO2e", 1e-3),
            ("kgCO2e", 1.0),
            ("tCO2e", 1e3),
            ("ktCO2e", 1e6),
        ],
        "MJ" => &[("MJ", 1.0), ("GJ", 1e3), ("TJ", 1e6), ("PJ", 1e9)],
        "L" => &[("L", 1.0), ("m³", 1e3), ("ML", 1e6), ("GL", 1e9)],
        "kgSbeq" => &[
            ("mg Sb eq", 1e-6),
            ("g Sb eq", 1e-3),
            ("kg Sb eq", 1.0),
            ("t Sb eq", 1e3),
        ],
        "kWh" => &[("kWh", 1.0), ("MWh", 1e3), ("GWh", 1e6), ("TWh", 1e9)],
        _ => &[],
    }
}

impl Magnitude {
    /// The unit a table of values around `typical` (canonical unit) reads
    /// best in; an unknown or empty unit is kept as it is.
    pub fn for_value(canonical: &str, typical: f64) -> Magnitude {
        let steps = ladder(canonical);
        let a = typical.abs();
        let chosen = steps
            .iter()
            .rev()
            .find(|(_, size)| a >= *size)
            .or(steps.first());
        match chosen {
            Some((unit, scale)) => Magnitude {
                unit: (*unit).to_string(),
                scale: *scale,
            },
            None => Magnitude {
                unit: canonical.to_string(),
                scale: 1.0,
            },
        }
    }

    pub fn of(&self, x: f64) -> f64 {
        x / self.scale
    }
}

/// Most significant figures ever shown: beyond this, digits say more about
/// floating point than about the footprint.
const MAX_FIGURES: i32 = 6;

/// Decimal exponent of the leading digit of `x` (x ≠ 0).
fn leading(x: f64) -> i32 {
    x.abs().log10().floor() as i32
}

/// `x` rounded to the decimal place of the leading digit of its standard
/// error `se`: a digit finer than the error is noise. At least one
/// significant figure of `x` is kept (an error larger than the value still
/// shows the value's order of magnitude, e.g. "3" ± 20), at most
/// `MAX_FIGURES`; `se` = 0 (an exact value) shows `MAX_FIGURES` and drops
/// trailing zeros. Values from 10^-4 to below 10^7 are written in fixed
/// notation, others in scientific notation ("1.23e12").
pub fn with_error(x: f64, se: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    let lead = leading(x);
    let figures = if se > 0.0 && se.is_finite() {
        (lead - leading(se) + 1).clamp(1, MAX_FIGURES)
    } else {
        MAX_FIGURES
    };
    let trim = !(se > 0.0 && se.is_finite());
    format_figures(x, figures, trim)
}

/// `x` with `figures` significant figures.
pub fn figures(x: f64, figures: i32) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    format_figures(x, figures.clamp(1, MAX_FIGURES), false)
}

fn format_figures(x: f64, figures: i32, trim: bool) -> String {
    // The last digit shown stays at this decimal place even when rounding
    // carries into a new leading digit (9.96 ± 0.1 is "10.0").
    let place = leading(x) - figures + 1;
    let rounded = round_to(x, place);
    let lead = if rounded == 0.0 {
        leading(x)
    } else {
        leading(rounded)
    };
    let (text, exponent) = if (-4..7).contains(&lead) {
        let decimals = (-place).max(0) as usize;
        (format!("{rounded:.decimals$}"), None)
    } else {
        let mantissa = rounded / 10f64.powi(lead);
        let decimals = (lead - place).max(0) as usize;
        (format!("{mantissa:.decimals$}"), Some(lead))
    };
    let text = if trim { trim_zeros(&text) } else { text };
    match exponent {
        Some(e) => format!("{text}e{e}"),
        None => text,
    }
}

fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

/// `x` rounded to a multiple of 10^place.
fn round_to(x: f64, place: i32) -> f64 {
    if place >= 0 {
        let p = 10f64.powi(place);
        (x / p).round() * p
    } else {
        let p = 10f64.powi(-place);
        (x * p).round() / p
    }
}

/// "1st", "2nd", "23rd", "11th".
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A percentage such as a confidence level: "95 %".
pub fn level(level: f64) -> String {
    format!("{} %", trim_zeros(&format!("{:.1}", 100.0 * level)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_stop_at_the_error() {
        assert_eq!(with_error(559.34, 2.4), "559");
        assert_eq!(with_error(559.34, 0.24), "559.3");
        assert_eq!(with_error(559.34, 24.0), "560");
        assert_eq!(with_error(0.012345, 0.0001), "0.0123");
    }

    #[test]
    fn edge_cases() {
        // Zero, whatever its error.
        assert_eq!(with_error(0.0, 1.0), "0");
        assert_eq!(with_error(0.0, 0.0), "0");
        // Negative values round like positive ones.
        assert_eq!(with_error(-559.34, 2.4), "-559");
        // Tiny and huge values in scientific notation.
        assert_eq!(with_error(1.2344e-9, 1e-12), "1.234e-9");
        assert_eq!(with_error(1.2344e12, 1e9), "1.234e12");
        // An error larger than the value keeps one figure.
        assert_eq!(with_error(3.2, 20.0), "3");
        assert_eq!(with_error(0.032, 20.0), "0.03");
        // An exact value: six figures, trailing zeros dropped.
        assert_eq!(with_error(432.0, 0.0), "432");
        assert_eq!(with_error(1.0 / 3.0, 0.0), "0.333333");
        assert_eq!(with_error(1e12, 0.0), "1e12");
        // Rounding that carries into a new leading digit.
        assert_eq!(with_error(9.96, 0.1), "10.0");
        assert_eq!(with_error(99_960.0, 100.0), "100000");
        // Not a number stays visible, not silently 0.
        assert_eq!(with_error(f64::NAN, 1.0), "NaN");
    }

    #[test]
    fn magnitudes() {
        let m = Magnitude::for_value("kgCO2e", 559_000.0);
        assert_eq!((m.unit.as_str(), m.scale), ("tCO2e", 1e3));
        assert_eq!(Magnitude::for_value("kgCO2e", 0.5).unit, "gCO2e");
        assert_eq!(Magnitude::for_value("kgCO2e", 5e-7).unit, "gCO2e");
        assert_eq!(Magnitude::for_value("L", 2.5e6).unit, "ML");
        assert_eq!(Magnitude::for_value("kWh", -3e4).unit, "MWh");
        assert_eq!(Magnitude::for_value("kgSbeq", 0.004).unit, "g Sb eq");
        let unknown = Magnitude::for_value("", 1e12);
        assert_eq!((unknown.unit.as_str(), unknown.scale), ("", 1.0));
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111]
            .iter()
            .map(|n| ordinal(*n))
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th"
            ]
        );
    }
}
