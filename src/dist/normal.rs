//! Standard normal special functions: the quantile (inverse CDF), the CDF,
//! the survival function and the density.
//!
//! These sit under every normal and lognormal draw, so the quantile is a
//! branch-light rational approximation with no allocation, and the CDF and
//! survival function are written in terms of `erfc` so that both tails keep
//! full relative precision (`1 - cdf` would lose it in the upper tail).
//!
//! `erfc` comes from `libm` (the musl/FreeBSD implementation, within an ulp
//! or so) rather than statrs, whose `erfc` is only good to about 1e-10
//! relative (e.g. 1.586552539450572e-1 for P(Z > 1) = 1.5865525393145705e-1).
//! The remaining error, about `x^2 * 1e-16` relative, comes from rounding
//! `x / sqrt 2` and is the conditioning of the problem itself.

use libm::erfc;

/// 1/sqrt(2), to turn a standard normal argument into an `erfc` argument.
const FRAC_1_SQRT_2: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// 1/sqrt(2 pi), the normalising constant of the standard normal density.
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Evaluates a degree-7 polynomial with coefficients in increasing order
/// (Horner's rule), the shape of every rational piece of AS241.
#[inline(always)]
fn poly7(c: &[f64; 8], r: f64) -> f64 {
    ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0]
}

// Coefficients of Wichura's AS241 PPND16 (Applied Statistics 37 (1988),
// 477-484), lowest order first. The denominators' constant terms are 1.
// They are written with the paper's 20 significant digits, so they can be
// checked against it digit by digit; the compiler rounds each to the
// nearest double, hence the `excessive_precision` allowances.

/// Central region numerator, |p - 0.5| <= 0.425, in r = 0.180625 - q^2.
#[allow(clippy::excessive_precision)]
const A: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
/// Central region denominator.
#[allow(clippy::excessive_precision)]
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
/// Intermediate tail numerator, r = sqrt(-ln(min(p, 1-p))) - 1.6 with r <= 5.
#[allow(clippy::excessive_precision)]
const C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
/// Intermediate tail denominator.
#[allow(clippy::excessive_precision)]
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
/// Far tail numerator, r = sqrt(-ln(min(p, 1-p))) - 5.
#[allow(clippy::excessive_precision)]
const E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
/// Far tail denominator.
#[allow(clippy::excessive_precision)]
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// Quantile of the standard normal: the `z` with `P(Z <= z) = p`.
///
/// Wichura's algorithm AS241 (PPND16): three rational approximations, one
/// for the centre and two for the tails, each accurate to about 1e-16
/// relative. It is exact enough that a sample's extreme quantiles are not
/// distorted, and cheap enough (one division, and a log and a square root
/// only in the tails) for the sampling hot path.
///
/// `p` is meant to lie in the open interval (0, 1); `p = 0` and `p = 1` give
/// `-inf` and `+inf`, and anything outside `[0, 1]` (or NaN) gives NaN.
#[inline]
pub fn standard_normal_inverse_cdf(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * poly7(&A, r) / poly7(&B, r);
    }
    // Tail: work with the smaller of p and 1 - p (1 - p is exact for
    // p >= 0.5), and give the quantile the sign of q at the end.
    let tail = if q < 0.0 { p } else { 1.0 - p };
    if tail <= 0.0 || tail.is_nan() {
        // p outside [0, 1] or NaN has no quantile; p = 0 or 1 is an infinity
        // (the rational piece would compute inf/inf there).
        return if tail == 0.0 {
            q.signum() * f64::INFINITY
        } else {
            f64::NAN
        };
    }
    let r = (-tail.ln()).sqrt();
    let z = if r <= 5.0 {
        let r = r - 1.6;
        poly7(&C, r) / poly7(&D, r)
    } else {
        let r = r - 5.0;
        poly7(&E, r) / poly7(&F, r)
    };
    if q < 0.0 { -z } else { z }
}

/// CDF of the standard normal, `P(Z <= x)`, with full relative precision in
/// the lower tail (it is `erfc(-x/sqrt 2)/2`, never `1 - something`).
#[inline]
pub fn standard_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// Survival function of the standard normal, `P(Z > x)`, with full relative
/// precision in the upper tail, where `1 - standard_normal_cdf(x)` would
/// round to zero long before the true value does.
#[inline]
pub fn standard_normal_sf(x: f64) -> f64 {
    0.5 * erfc(x * FRAC_1_SQRT_2)
}

/// Density of the standard normal; zero at the infinities.
#[inline]
pub(crate) fn standard_normal_pdf(x: f64) -> f64 {
    FRAC_1_SQRT_2PI * (-0.5 * x * x).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_and_split_points() {
        assert_eq!(standard_normal_inverse_cdf(0.5), 0.0);
        // Either side of the 0.425 and r = 5 splits, the pieces must agree
        // with the CDF: a wrong coefficient shows up as a jump here.
        for p in [
            0.075,
            0.0749999,
            0.925,
            0.9250001,
            1.3887943864964e-11,
            1.38879e-11,
        ] {
            let z = standard_normal_inverse_cdf(p);
            let back = standard_normal_cdf(z);
            assert!(((back - p) / p).abs() < 1e-14, "p {p}: z {z}, cdf {back}");
        }
    }

    #[test]
    fn out_of_domain_is_nan_or_infinite() {
        assert!(standard_normal_inverse_cdf(f64::NAN).is_nan());
        assert!(standard_normal_inverse_cdf(-0.1).is_nan());
        assert!(standard_normal_inverse_cdf(1.1).is_nan());
        assert_eq!(standard_normal_inverse_cdf(0.0), f64::NEG_INFINITY);
        assert_eq!(standard_normal_inverse_cdf(1.0), f64::INFINITY);
    }

    #[test]
    fn survival_is_accurate_in_the_upper_tail() {
        // P(Z > 10) = 7.619853024160527e-24 (Abramowitz & Stegun tables,
        // extended; also pnorm(10, lower = FALSE) in R).
        let sf = standard_normal_sf(10.0);
        assert!((sf / 7.619_853_024_160_527e-24 - 1.0).abs() < 1e-14);
        assert_eq!(standard_normal_cdf(-10.0), sf);
        assert_eq!(standard_normal_pdf(f64::INFINITY), 0.0);
    }
}
