//! Diagnostics of Sobol' estimates, shown rather than hidden: what a reader
//! of the indices should not miss.

use crate::sensitivity::Estimate;

/// Half-width of an ST interval above which the table advises a larger N.
pub const WIDE_HALF_WIDTH: f64 = 0.05;

/// Largest total-order index a table calls "no effect" when its interval
/// also includes 0: a factor explaining under 0.1 % of the variance,
/// indistinguishable from none.
pub const NO_EFFECT_ST: f64 = 1e-3;

/// Whether an index is zero within error: its ST interval includes 0 and
/// ST is tiny. Tables hide such factors (unless `--all`); results keep
/// them. A factor that does not move the output at all has ST exactly 0
/// (Jansen's estimator is a mean of squared differences that all vanish).
pub fn has_no_effect(index: &crate::result::SobolIndex) -> bool {
    let [low, high] = index.st_ci;
    low <= 0.0 && high >= 0.0 && index.st.abs() < NO_EFFECT_ST
}

/// Flags of one factor's indices.
pub fn index_flags(s1: &Estimate, st: &Estimate) -> Vec<String> {
    let mut flags = Vec::new();
    // ST ≥ S1 always holds for the true indices; beyond both intervals the
    // estimates are unreliable (too small N, or a dependent input).
    if s1.low > st.high {
        flags.push("S1 > ST beyond their intervals".to_string());
    }
    // A first-order index is ≥ 0; a negative estimate is noise around a
    // value near 0, unless its whole interval is negative.
    if s1.value < 0.0 {
        flags.push(if s1.high >= 0.0 {
            "S1 ≈ 0".to_string()
        } else {
            "S1 < 0 beyond its interval: increase N".to_string()
        });
    }
    flags
}

/// Flags of a series: zero variance, ΣS1 > 1 beyond error, and ST intervals
/// wider than `wide` (half-width) with the N that would narrow them: the
/// half-width shrinks as 1/√N for Monte Carlo.
pub fn series_flags(
    variance: f64,
    first: &[Estimate],
    total: &[Estimate],
    n_base: u64,
    wide: f64,
) -> Vec<String> {
    if variance == 0.0 {
        return vec!["zero variance: no factor moves this output".to_string()];
    }
    let mut flags = Vec::new();
    let sum: f64 = first.iter().map(|e| e.value).sum();
    let error = first
        .iter()
        .map(|e| ((e.high - e.low) / 2.0).powi(2))
        .sum::<f64>()
        .sqrt();
    if sum - error > 1.0 {
        flags.push(format!(
            "sum of S1 = {sum:.3} > 1 beyond its error (±{error:.3})"
        ));
    }
    let widest = total
        .iter()
        .map(|e| (e.high - e.low) / 2.0)
        .fold(0.0, f64::max);
    if widest > wide {
        let needed = (n_base as f64 * (widest / wide).powi(2)).ceil() as u64;
        flags.push(format!(
            "widest ST interval ±{widest:.3} exceeds ±{wide}: increase N to about {}",
            needed.next_power_of_two()
        ));
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(value: f64, half: f64) -> Estimate {
        Estimate {
            value,
            low: value - half,
            high: value + half,
        }
    }

    #[test]
    fn flags_each_condition() {
        assert_eq!(
            index_flags(&e(0.5, 0.01), &e(0.3, 0.01)),
            ["S1 > ST beyond their intervals"]
        );
        assert!(index_flags(&e(0.31, 0.05), &e(0.3, 0.05)).is_empty());
        assert_eq!(index_flags(&e(-0.01, 0.02), &e(0.01, 0.01)), ["S1 ≈ 0"]);
        assert_eq!(
            index_flags(&e(-0.05, 0.02), &e(0.01, 0.01)),
            ["S1 < 0 beyond its interval: increase N"]
        );
        assert_eq!(series_flags(0.0, &[], &[], 64, 0.05).len(), 1);
        let over = series_flags(
            1.0,
            &[e(0.7, 0.01), e(0.6, 0.01)],
            &[e(0.7, 0.01), e(0.6, 0.01)],
            1024,
            0.05,
        );
        assert!(over[0].starts_with("sum of S1 = 1.300 > 1"), "{over:?}");
        // Half-width 0.1 against 0.05: four times N.
        let wide = series_flags(1.0, &[e(0.5, 0.1)], &[e(0.5, 0.1)], 1024, 0.05);
        assert!(wide[0].ends_with("increase N to about 4096"), "{wide:?}");
    }
}
