//! Parameter checks shared by every constructor.
//!
//! Each check returns a [`DistError`] whose message names the distribution,
//! the offending parameter and its value, and states what is allowed, so the
//! caller only has to prefix a location (file, line) to get a complete,
//! actionable error.

use super::DistError;

/// Formats a number for messages and descriptions.
///
/// `f64`'s `Display` never switches to exponent notation, so `1e-300` would
/// print as three hundred digits; very small or very large magnitudes use the
/// shortest round-trip exponent form instead.
pub(crate) fn num(x: f64) -> String {
    let a = x.abs();
    if x.is_finite() && (a == 0.0 || (1e-4..1e15).contains(&a)) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// "a uniform", "an empirical": messages read as English sentences.
fn article(kind: &str) -> &'static str {
    // "uniform" starts with a vowel letter but a consonant sound.
    if kind.starts_with(['a', 'e', 'i', 'o']) {
        "an"
    } else {
        "a"
    }
}

/// Builds an error stating what was wrong and what `kind` needs.
pub(crate) fn refuse(kind: &str, problem: &str, need: &str) -> DistError {
    DistError(format!(
        "{kind} {problem}; {} {kind} needs {need}",
        article(kind)
    ))
}

/// Refuses NaN and infinities, which would silently poison every sample.
pub(crate) fn finite(kind: &str, name: &str, x: f64) -> Result<f64, DistError> {
    if x.is_finite() {
        Ok(x)
    } else {
        let what = if x.is_nan() {
            "NaN".to_string()
        } else {
            format!("infinite ({x})")
        };
        Err(refuse(
            kind,
            &format!("{name} is {what}"),
            &format!("a finite {name}"),
        ))
    }
}

/// Requires a finite, strictly positive value (scales, spreads, weights' sum).
pub(crate) fn positive(kind: &str, name: &str, x: f64) -> Result<f64, DistError> {
    finite(kind, name, x)?;
    if x > 0.0 {
        Ok(x)
    } else {
        Err(refuse(
            kind,
            &format!("{name} ({}) is not positive", num(x)),
            &format!("{name} > 0"),
        ))
    }
}

/// Requires finite `min < max` with a finite width. An empty range is refused rather than read
/// as a constant, because a zero-width range is almost always a typo; the
/// message points to the constant for the deliberate case.
pub(crate) fn range(kind: &str, min: f64, max: f64) -> Result<(), DistError> {
    finite(kind, "min", min)?;
    finite(kind, "max", max)?;
    if min > max {
        Err(refuse(
            kind,
            &format!("min ({}) is greater than max ({})", num(min), num(max)),
            "min < max",
        ))
    } else if min == max {
        Err(refuse(
            kind,
            &format!("min and max are both {}", num(min)),
            "min < max (use a constant for a fixed value)",
        ))
    } else if !(max - min).is_finite() {
        Err(refuse(
            kind,
            &format!(
                "range [{}, {}] is wider than the largest double",
                num(min),
                num(max)
            ),
            "max - min to be finite",
        ))
    } else {
        Ok(())
    }
}

/// Requires a finite `min < max` and `min <= mode <= max` (triangular, PERT).
pub(crate) fn mode_range(kind: &str, min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    range(kind, min, max)?;
    finite(kind, "mode", mode)?;
    if (min..=max).contains(&mode) {
        Ok(())
    } else {
        Err(refuse(
            kind,
            &format!(
                "mode ({}) is outside [min {}, max {}]",
                num(mode),
                num(min),
                num(max)
            ),
            "min <= mode <= max",
        ))
    }
}

/// Checks optional truncation bounds and returns them with missing bounds
/// replaced by infinities, so the samplers need no `Option` on the hot path.
pub(crate) fn bounds(
    kind: &str,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(f64, f64), DistError> {
    let lo = match min {
        Some(v) => finite(kind, "min", v)?,
        None => f64::NEG_INFINITY,
    };
    let hi = match max {
        Some(v) => finite(kind, "max", v)?,
        None => f64::INFINITY,
    };
    if let (Some(a), Some(b)) = (min, max) {
        range(kind, a, b)?;
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_short() {
        assert_eq!(num(1.16), "1.16");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(1e-300), "1e-300");
        assert_eq!(num(2.5e20), "2.5e20");
        assert_eq!(num(f64::NAN), "NaN");
    }

    #[test]
    fn messages_say_what_and_what_is_allowed() {
        let e = range("uniform", 5.0, 3.0).unwrap_err();
        assert_eq!(
            e.0,
            "uniform min (5) is greater than max (3); a uniform needs min < max"
        );
        let e = positive("empirical", "x", -1.0).unwrap_err();
        assert_eq!(
            e.0,
            "empirical x (-1) is not positive; an empirical needs x > 0"
        );
        let e = finite("normal", "mean", f64::NAN).unwrap_err();
        assert_eq!(e.0, "normal mean is NaN; a normal needs a finite mean");
        let e = finite("normal", "sd", f64::NEG_INFINITY).unwrap_err();
        assert_eq!(
            e.0,
            "normal sd is infinite (-inf); a normal needs a finite sd"
        );
    }

    #[test]
    fn bounds_default_to_infinities() {
        assert_eq!(
            bounds("normal", None, None),
            Ok((f64::NEG_INFINITY, f64::INFINITY))
        );
        assert_eq!(bounds("normal", Some(1.0), None), Ok((1.0, f64::INFINITY)));
        assert!(bounds("normal", Some(1.0), Some(1.0)).is_err());
        assert!(bounds("normal", Some(f64::INFINITY), None).is_err());
    }
}
