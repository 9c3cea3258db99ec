//! Integration tests for `ecoband::dist`: moments, quantiles, inverse-CDF
//! consistency, truncation, parameterisations, nominal values, refusals and
//! the Dirichlet sampler.
//!
//! Tolerances are stated where they are used. Statistical checks use a
//! fixed seed, so they are deterministic; the 4-standard-error bands are
//! wide enough that a correct implementation passes for essentially any
//! seed (two-sided 4 SE: p = 6e-5) and narrow enough that a wrong formula
//! (e.g. a variance off by a few percent) fails.

use ecoband::dist::{
    Dirichlet, DistError, Distribution, LogNormalParams, mu_sigma_from_mean_sd,
    mu_sigma_from_median_gsd, standard_normal_cdf, standard_normal_inverse_cdf, standard_normal_sf,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

/// Seeded uniforms in (0, 1): SplitMix64 outputs mapped to odd multiples of
/// 2^-54, so 0 and 1 never occur.
fn uniforms(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        })
        .collect()
}

/// Sample mean, variance (divisor n) and fourth central moment.
fn sample_moments(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let m4 = x.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    (mean, var, m4)
}

const DRAWS: usize = 200_000;

/// Draws 200,000 values by inverse CDF and checks the closed-form mean and
/// variance against the sample's, each within 4 standard errors. The SE of
/// the mean is sqrt(var/n); the SE of the sample variance is
/// sqrt((m4 - var^2)/n), with the fourth central moment m4 estimated from
/// the same sample (its estimation error is second order here).
fn check_moments(d: &Distribution, seed: u64) {
    let x: Vec<f64> = uniforms(DRAWS, seed)
        .iter()
        .map(|&u| d.inverse_cdf(u))
        .collect();
    let (mean_hat, var_hat, m4) = sample_moments(&x);
    let n = DRAWS as f64;
    let se_mean = (d.variance() / n).sqrt();
    let se_var = ((m4 - var_hat * var_hat) / n).sqrt();
    assert!(
        (mean_hat - d.mean()).abs() < 4.0 * se_mean,
        "{}: sample mean {mean_hat} vs closed form {} (SE {se_mean})",
        d.describe(),
        d.mean()
    );
    assert!(
        (var_hat - d.variance()).abs() < 4.0 * se_var,
        "{}: sample variance {var_hat} vs closed form {} (SE {se_var})",
        d.describe(),
        d.variance()
    );
}

/// Relative closeness, with an absolute floor for values at zero.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}

fn lognormal(median: f64, gsd: f64) -> Distribution {
    Distribution::lognormal(LogNormalParams::MedianGsd { median, gsd }, None, None).unwrap()
}

/// Exact standard normal quantiles of the doubles 0.025, 0.5 and 0.975
/// (mpmath, 40 digits). 0.025 and 0.975 are not exact complements in binary,
/// hence the different last digits.
const Z025: f64 = -1.959_963_984_540_054_2;
const Z975: f64 = 1.959_963_984_540_053_9;
const QUANTILE_US: [f64; 3] = [0.025, 0.5, 0.975];
const QUANTILE_ZS: [f64; 3] = [Z025, 0.0, Z975];

/// Quantiles against closed forms: 1e-12 relative is ~10^4 ulps, loose
/// enough for the few roundings in each formula and tight enough to catch
/// any wrong constant or formula.
const QUANTILE_TOL: f64 = 1e-12;

fn check_quantiles(d: &Distribution, expected: [f64; 3]) {
    for (u, want) in QUANTILE_US.into_iter().zip(expected) {
        let got = d.inverse_cdf(u);
        assert!(
            close(got, want, QUANTILE_TOL),
            "{} at u = {u}: {got} vs {want}",
            d.describe()
        );
    }
}

// ------------------------------------------------ moments, one per family

#[test]
fn moments_uniform() {
    check_moments(&Distribution::uniform(1.0, 3.0).unwrap(), 1);
}

#[test]
fn moments_triangular() {
    check_moments(&Distribution::triangular(1.1, 1.16, 1.58).unwrap(), 2);
    // Mode at an end: one side of the inverse CDF is never used.
    check_moments(&Distribution::triangular(0.0, 0.0, 2.0).unwrap(), 3);
    check_moments(&Distribution::triangular(0.0, 2.0, 2.0).unwrap(), 4);
}

#[test]
fn moments_normal() {
    check_moments(&Distribution::normal(5.0, 2.0, None, None).unwrap(), 5);
    // Truncated on one side, on both sides, and deep in the upper tail
    // (where the survival-function path is taken).
    check_moments(&Distribution::normal(0.0, 1.0, Some(0.0), None).unwrap(), 6);
    check_moments(
        &Distribution::normal(1.0, 2.0, Some(0.0), Some(3.0)).unwrap(),
        7,
    );
    check_moments(&Distribution::normal(0.0, 1.0, Some(3.0), None).unwrap(), 8);
    check_moments(
        &Distribution::normal(0.0, 1.0, None, Some(-3.0)).unwrap(),
        9,
    );
}

#[test]
fn moments_lognormal() {
    check_moments(&lognormal(2.0, 1.5), 10);
    let mean_sd = LogNormalParams::MeanSd { mean: 3.0, sd: 1.0 };
    check_moments(&Distribution::lognormal(mean_sd, None, None).unwrap(), 11);
    let wide = LogNormalParams::MedianGsd {
        median: 1.0,
        gsd: 3.0,
    };
    check_moments(
        &Distribution::lognormal(wide, Some(0.5), Some(4.0)).unwrap(),
        12,
    );
    check_moments(&Distribution::lognormal(wide, Some(5.0), None).unwrap(), 13);
    check_moments(
        &Distribution::lognormal(wide, Some(0.0), Some(0.2)).unwrap(),
        14,
    );
}

#[test]
fn moments_pert() {
    check_moments(&Distribution::pert(0.0, 1.0, 10.0, 4.0).unwrap(), 15);
    check_moments(&Distribution::pert(2.0, 5.0, 5.0, 4.0).unwrap(), 16);
    check_moments(&Distribution::pert(-1.0, 0.2, 1.0, 0.5).unwrap(), 17);
}

#[test]
fn moments_discrete_and_empirical() {
    let d = Distribution::discrete(vec![3.0, 1.0, 2.0], vec![0.2, 0.5, 0.3]).unwrap();
    check_moments(&d, 18);
    // mean 0.5*1 + 0.3*2 + 0.2*3 = 1.7; E X^2 = 0.5 + 1.2 + 1.8 = 3.5.
    assert!(close(d.mean(), 1.7, 1e-15));
    assert!(close(d.variance(), 3.5 - 1.7 * 1.7, 1e-14));
    let e = Distribution::empirical(vec![4.0, 1.0, 7.0, 2.0, 2.0]).unwrap();
    check_moments(&e, 19);
    // mean 16/5 = 3.2; variance (0.64 + 4.84 + 14.44 + 1.44 + 1.44)/5 = 4.56.
    assert!(close(e.mean(), 3.2, 1e-15));
    assert!(close(e.variance(), 4.56, 1e-14));
}

#[test]
fn moments_constant() {
    let c = Distribution::constant(2.5).unwrap();
    assert_eq!((c.mean(), c.variance()), (2.5, 0.0));
    assert_eq!(c.inverse_cdf(0.3), 2.5);
    assert_eq!(c.median(), 2.5);
}

/// The moment check must be able to fail: a distribution whose closed-form
/// mean is compared against draws from a slightly different one is caught.
#[test]
#[should_panic(expected = "sample mean")]
fn moment_check_detects_a_wrong_mean() {
    let drawn = Distribution::normal(0.0, 1.0, None, None).unwrap();
    let claimed = Distribution::normal(0.02, 1.0, None, None).unwrap();
    // 0.02 is 9 SE at n = 200,000; the check must reject it.
    let x: Vec<f64> = uniforms(DRAWS, 42)
        .iter()
        .map(|&u| drawn.inverse_cdf(u))
        .collect();
    let (mean_hat, _, _) = sample_moments(&x);
    let se = (claimed.variance() / DRAWS as f64).sqrt();
    assert!(
        (mean_hat - claimed.mean()).abs() < 4.0 * se,
        "sample mean {mean_hat} vs {}",
        claimed.mean()
    );
}

// ------------------------------------------------ quantiles, closed forms

#[test]
fn quantiles_uniform() {
    check_quantiles(
        &Distribution::uniform(1.0, 3.0).unwrap(),
        [1.0 + 0.025 * 2.0, 2.0, 1.0 + 0.975 * 2.0],
    );
}

#[test]
fn quantiles_triangular() {
    let (a, c, b) = (1.1_f64, 1.16_f64, 1.58_f64);
    let fc = (c - a) / (b - a);
    let q = |u: f64| {
        if u < fc {
            a + (u * (b - a) * (c - a)).sqrt()
        } else {
            b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
        }
    };
    let d = Distribution::triangular(a, c, b).unwrap();
    check_quantiles(&d, [q(0.025), q(0.5), q(0.975)]);
    // Symmetric triangular on [0, 2]: median 1, and 0.025 -> sqrt(0.05).
    let s = Distribution::triangular(0.0, 1.0, 2.0).unwrap();
    check_quantiles(&s, [0.05_f64.sqrt(), 1.0, 2.0 - 0.05_f64.sqrt()]);
}

#[test]
fn quantiles_normal_and_lognormal() {
    let n = Distribution::normal(5.0, 2.0, None, None).unwrap();
    check_quantiles(&n, QUANTILE_ZS.map(|z| 5.0 + 2.0 * z));
    let (mu, sigma) = (2.0_f64.ln(), 1.5_f64.ln());
    check_quantiles(
        &lognormal(2.0, 1.5),
        QUANTILE_ZS.map(|z| (mu + sigma * z).exp()),
    );
    // Half-normal: quantile(u) = Phi^-1((1 + u)/2); its median is
    // Phi^-1(0.75) = 0.6744897501960817 (mpmath).
    let half = Distribution::normal(0.0, 1.0, Some(0.0), None).unwrap();
    assert!(close(half.median(), 0.674_489_750_196_081_7, QUANTILE_TOL));
    assert!(close(
        half.inverse_cdf(0.95),
        standard_normal_inverse_cdf(0.975),
        QUANTILE_TOL
    ));
}

#[test]
fn quantiles_pert_special_cases() {
    // mode = min, lambda 4: Beta(1, 5), F(x) = 1 - (1 - x)^5, so
    // x = 1 - (1 - u)^(1/5); mode = max: Beta(5, 1), x = u^(1/5).
    let low = Distribution::pert(0.0, 0.0, 1.0, 4.0).unwrap();
    check_quantiles(&low, QUANTILE_US.map(|u| 1.0 - (1.0 - u).powf(0.2)));
    let high = Distribution::pert(2.0, 4.0, 4.0, 4.0).unwrap();
    check_quantiles(&high, QUANTILE_US.map(|u| 2.0 + 2.0 * u.powf(0.2)));
    // Symmetric: the median is the mode.
    let sym = Distribution::pert(1.0, 2.0, 3.0, 4.0).unwrap();
    assert!(close(sym.median(), 2.0, QUANTILE_TOL));
}

#[test]
fn quantiles_discrete_and_empirical() {
    // Sorted values 1, 2, 3 with probabilities 0.5, 0.3, 0.2: cumulative
    // 0.5, 0.8, 1.0; the first cumulative exceeding u is picked.
    let d = Distribution::discrete(vec![3.0, 1.0, 2.0], vec![0.2, 0.5, 0.3]).unwrap();
    assert_eq!(
        [0.025, 0.4999, 0.5, 0.79, 0.8, 0.975].map(|u| d.inverse_cdf(u)),
        [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    );
    // Empirical: index floor(u n) of the sorted sample [1, 2, 2, 4, 7].
    let e = Distribution::empirical(vec![4.0, 1.0, 7.0, 2.0, 2.0]).unwrap();
    assert_eq!(
        [0.025, 0.2, 0.5, 0.79, 0.8, 0.975].map(|u| e.inverse_cdf(u)),
        [1.0, 2.0, 2.0, 4.0, 7.0, 7.0]
    );
}

// ------------------------------------------- standard normal special functions

/// Exact quantiles of the given doubles (mpmath, 40 digits), spanning all
/// three AS241 regions.
const KNOWN_QUANTILES: [(f64, f64); 16] = [
    (1e-300, -37.047_096_299_361_2),
    (1e-100, -21.273_453_560_965_324),
    (1e-20, -9.262_340_089_798_408),
    (1e-10, -6.361_340_902_404_056),
    (1e-5, -4.264_890_793_922_825),
    (0.001, -3.090_232_306_167_813_5),
    (0.025, -1.959_963_984_540_054_2),
    (0.075, -1.439_531_470_938_456),
    (0.1, -1.281_551_565_544_600_4),
    (0.3, -0.524_400_512_708_040_8),
    (0.6, 0.253_347_103_135_799_7),
    (0.9, 1.281_551_565_544_600_6),
    (0.925, 1.439_531_470_938_456_2),
    (0.975, 1.959_963_984_540_054),
    (0.999, 3.090_232_306_167_813),
    (1.0 - 1e-10, 6.361_340_889_697_422),
];

#[test]
fn standard_normal_quantile_known_values() {
    // 1e-14 relative: AS241 is good to ~1e-16; this leaves room for the
    // last-digit rounding of the references and of the rational pieces.
    for (p, want) in KNOWN_QUANTILES {
        let got = standard_normal_inverse_cdf(p);
        assert!(close(got, want, 1e-14), "p {p}: {got} vs {want}");
    }
    assert_eq!(standard_normal_inverse_cdf(0.5), 0.0);
}

#[test]
fn standard_normal_quantile_matches_statrs() {
    use statrs::distribution::{ContinuousCDF, Normal};
    let reference = Normal::new(0.0, 1.0).unwrap();
    // statrs goes through erfc_inv, an independent algorithm. Over the
    // central and moderate-tail range both agree to 1e-14 relative.
    for i in 1..2000 {
        let p = i as f64 / 2000.0;
        let (a, b) = (standard_normal_inverse_cdf(p), reference.inverse_cdf(p));
        assert!(
            close(a, b, 1e-14) || (a - b).abs() < 1e-15,
            "p {p}: {a} vs statrs {b}"
        );
    }
    for k in 2..60 {
        let p = 10f64.powi(-k);
        let (a, b) = (standard_normal_inverse_cdf(p), reference.inverse_cdf(p));
        assert!(close(a, b, 1e-14), "p {p}: {a} vs statrs {b}");
    }
}

#[test]
fn standard_normal_quantile_is_antisymmetric() {
    // For dyadic p, 1 - p is exact, so the symmetry must hold bit for bit.
    for i in 1..1024 {
        let p = i as f64 / 1024.0;
        assert_eq!(
            standard_normal_inverse_cdf(p),
            -standard_normal_inverse_cdf(1.0 - p),
            "p {p}"
        );
    }
}

#[test]
fn standard_normal_cdf_both_tails() {
    // P(Z <= -1) = 0.15865525393145705 and P(Z <= 1) = 0.8413447460685429,
    // P(Z <= -20) = 2.7536241186062337e-89 (mpmath). Relative 1e-14 in the
    // tail, where the argument's rounding error is amplified by x^2.
    assert!(close(
        standard_normal_cdf(-1.0),
        0.158_655_253_931_457_05,
        1e-15
    ));
    assert!(close(
        standard_normal_cdf(1.0),
        0.841_344_746_068_542_9,
        1e-15
    ));
    assert!(close(
        standard_normal_cdf(-20.0),
        2.753_624_118_606_233_7e-89,
        1e-13
    ));
    assert!(close(
        standard_normal_sf(20.0),
        2.753_624_118_606_233_7e-89,
        1e-13
    ));
    // Round trip: Phi(z) has condition number ~z^2 (d ln Phi / d ln z), so
    // a quantile correct to a few ulps maps back to within ~z^2 * 1e-16;
    // allow 1e-14 * max(1, z^2) (1.4e-11 at p = 1e-300, z = -37).
    for p in [1e-300, 1e-100, 1e-20, 0.01, 0.3] {
        let z = standard_normal_inverse_cdf(p);
        let tol = 1e-14 * z.powi(2).max(1.0);
        assert!(close(standard_normal_cdf(z), p, tol), "p {p:e}");
        assert!(close(standard_normal_sf(-z), p, tol), "p {p:e}");
    }
}

// ------------------------------------------------------------- truncation

#[test]
fn truncated_normal_closed_forms() {
    let pi = std::f64::consts::PI;
    // Standard normal on [0, inf): mean sqrt(2/pi), variance 1 - 2/pi.
    // 1e-14: both are a handful of roundings from the closed form.
    let half = Distribution::normal(0.0, 1.0, Some(0.0), None).unwrap();
    assert!(close(half.mean(), (2.0 / pi).sqrt(), 1e-14));
    assert!(close(half.variance(), 1.0 - 2.0 / pi, 1e-14));
    // Scaled and shifted: normal(3, 2) on [3, inf) has mean 3 + 2 sqrt(2/pi).
    let shifted = Distribution::normal(3.0, 2.0, Some(3.0), None).unwrap();
    assert!(close(shifted.mean(), 3.0 + 2.0 * (2.0 / pi).sqrt(), 1e-14));
    assert!(close(shifted.variance(), 4.0 * (1.0 - 2.0 / pi), 1e-14));
    // Symmetric window: mean stays at the centre.
    let sym = Distribution::normal(1.0, 1.0, Some(-1.0), Some(3.0)).unwrap();
    assert!(close(sym.mean(), 1.0, 1e-14));
    assert!(close(sym.median(), 1.0, 1e-14));
}

#[test]
fn truncated_normal_far_tail_uses_the_survival_function() {
    // Z | Z > 7 has mass 1.28e-12, below the CDF's resolution near 1
    // (1.1e-16 steps would leave ~10^4 distinct values), yet the draws must
    // be spread smoothly over the window and the mean must be the inverse
    // Mills ratio phi(7)/Q(7) = 7.137545613226503 (mpmath).
    let d = Distribution::normal(0.0, 1.0, Some(7.0), None).unwrap();
    let lo = d.inverse_cdf(1e-9);
    let med = d.median();
    let hi = d.inverse_cdf(1.0 - 1e-9);
    assert!(7.0 <= lo && lo < med && med < hi, "{lo} {med} {hi}");
    assert!(close(d.cdf(med), 0.5, 1e-12));
    assert!(close(d.cdf(d.inverse_cdf(0.123_456)), 0.123_456, 1e-12));
    // 1e-12: the tail variance formula cancels ~2 digits at 7 sd.
    assert!(close(d.mean(), 7.137_545_613_226_503, 1e-12));
}

#[test]
fn truncated_lognormal_closed_form() {
    // mu 0, sigma 1 on [1, inf) (i.e. Z > 0): E X = e^(1/2) Phi(1) / (1/2)
    // = 2 sqrt(e) Phi(1) = 2.7742859576700096 (mpmath).
    let params = LogNormalParams::MuSigma {
        mu: 0.0,
        sigma: 1.0,
    };
    let d = Distribution::lognormal(params, Some(1.0), None).unwrap();
    assert!(close(d.mean(), 2.774_285_957_670_009_5, 1e-13));
    assert_eq!(d.support(), (1.0, f64::INFINITY));
    assert!(close(d.median(), 0.674_489_750_196_081_7_f64.exp(), 1e-13));
}

#[test]
fn truncation_refuses_windows_without_mass() {
    let e = Distribution::normal(0.0, 1.0, Some(10.0), None).unwrap_err();
    assert!(e.0.contains("keeps only") && e.0.contains("1e-12"), "{e}");
    let tiny = Distribution::normal(0.0, 1.0, Some(0.0), Some(1e-13)).unwrap_err();
    assert!(tiny.0.contains("keeps only"), "{tiny}");
    let params = LogNormalParams::MedianGsd {
        median: 1.0,
        gsd: 1.1,
    };
    let e = Distribution::lognormal(params, Some(1000.0), None).unwrap_err();
    assert!(e.0.contains("same scale"), "{e}");
    // The 1e-12 threshold sits between 7 sd (mass 1.3e-12, kept) and
    // 7.1 sd (mass 6.2e-13, refused), in either tail.
    assert!(Distribution::normal(0.0, 1.0, Some(7.0), None).is_ok());
    assert!(Distribution::normal(0.0, 1.0, None, Some(-7.0)).is_ok());
    assert!(Distribution::normal(0.0, 1.0, Some(7.1), None).is_err());
    assert!(Distribution::normal(0.0, 1.0, None, Some(-7.1)).is_err());
}

// ----------------------------------------------------------- lognormal forms

#[test]
fn lognormal_parameterisations_agree() {
    let (mu, sigma) = (2.0_f64.ln(), 1.5_f64.ln());
    let mean = 2.0 * (0.5 * sigma * sigma).exp();
    let sd = mean * (sigma * sigma).exp_m1().sqrt();
    let forms = [
        LogNormalParams::MedianGsd {
            median: 2.0,
            gsd: 1.5,
        },
        LogNormalParams::MuSigma { mu, sigma },
        LogNormalParams::MeanSd { mean, sd },
    ];
    let dists = forms.map(|p| Distribution::lognormal(p, None, None).unwrap());
    // 1e-13: the mean/sd route goes through exp, ln and sqrt once more.
    for d in &dists[1..] {
        for u in [1e-9, 0.025, 0.3, 0.5, 0.975, 1.0 - 1e-9] {
            assert!(
                close(d.inverse_cdf(u), dists[0].inverse_cdf(u), 1e-13),
                "{}",
                d.describe()
            );
        }
        assert!(close(d.mean(), mean, 1e-13));
        assert!(close(d.variance().sqrt(), sd, 1e-13));
        assert!(close(d.median(), 2.0, 1e-13));
    }
}

#[test]
fn lognormal_mean_sd_round_trip() {
    for (mean, sd) in [(3.0, 1.0), (1e-3, 5e-3), (250.0, 0.1), (1.0, 20.0)] {
        let (mu, sigma) = mu_sigma_from_mean_sd(mean, sd);
        let d =
            Distribution::lognormal(LogNormalParams::MuSigma { mu, sigma }, None, None).unwrap();
        // 1e-13 relative: a few roundings through ln/exp/sqrt.
        assert!(close(d.mean(), mean, 1e-13), "{mean} -> {}", d.mean());
        assert!(
            close(d.variance().sqrt(), sd, 1e-13),
            "{sd} -> {}",
            d.variance().sqrt()
        );
    }
    // The conversions themselves, against hand values: ln 2 and ln 1.5; for
    // mean 1, sd 1: sigma^2 = ln 2 and mu = -ln(2)/2.
    let (mu, sigma) = mu_sigma_from_median_gsd(2.0, 1.5);
    assert!(close(mu, std::f64::consts::LN_2, 1e-15));
    assert!(close(sigma, 0.405_465_108_108_164_4, 1e-15));
    let (mu, sigma) = mu_sigma_from_mean_sd(1.0, 1.0);
    assert!(close(sigma * sigma, std::f64::consts::LN_2, 1e-15));
    assert!(close(mu, -0.5 * std::f64::consts::LN_2, 1e-15));
}

// --------------------------------------------------------------- nominals

#[test]
fn nominal_values_follow_the_convention() {
    let nominal = |d: Result<Distribution, DistError>| d.unwrap().default_nominal();
    // Mode for triangular, PERT, normal.
    assert_eq!(nominal(Distribution::triangular(1.1, 1.16, 1.58)), 1.16);
    assert_eq!(nominal(Distribution::pert(0.0, 1.0, 10.0, 4.0)), 1.0);
    assert_eq!(nominal(Distribution::normal(5.0, 2.0, None, None)), 5.0);
    // Truncated normal: the mean clamped into the bounds (its mode).
    assert_eq!(
        nominal(Distribution::normal(5.0, 2.0, Some(0.0), Some(4.0))),
        4.0
    );
    assert_eq!(
        nominal(Distribution::normal(5.0, 2.0, Some(0.0), Some(9.0))),
        5.0
    );
    // Median for uniform and lognormal (not the lognormal's mean, 2.17).
    assert_eq!(nominal(Distribution::uniform(1.0, 3.0)), 2.0);
    assert!(close(nominal(Ok(lognormal(2.0, 1.5))), 2.0, 1e-15));
    let mean_sd = LogNormalParams::MeanSd { mean: 3.0, sd: 1.0 };
    // median = mean / sqrt(1 + cv^2) = 3 / sqrt(10/9).
    assert!(close(
        nominal(Distribution::lognormal(mean_sd, None, None)),
        3.0 / (10.0_f64 / 9.0).sqrt(),
        1e-14
    ));
    let params = LogNormalParams::MedianGsd {
        median: 2.0,
        gsd: 1.5,
    };
    assert_eq!(
        nominal(Distribution::lognormal(params, None, Some(1.5))),
        1.5
    );
    // Discrete: the largest weight, first on ties (in the given order).
    assert_eq!(
        nominal(Distribution::discrete(
            vec![5.0, 1.0, 3.0],
            vec![0.4, 0.2, 0.4]
        )),
        5.0
    );
    assert_eq!(
        nominal(Distribution::discrete(
            vec![1.0, 3.0, 5.0],
            vec![0.2, 0.4, 0.4]
        )),
        3.0
    );
    // Empirical: the conventional median; constant: its value.
    assert_eq!(
        nominal(Distribution::empirical(vec![4.0, 1.0, 7.0, 2.0])),
        3.0
    );
    assert_eq!(nominal(Distribution::constant(-2.0)), -2.0);
}

// ------------------------------------------------- discrete and empirical

#[test]
fn discrete_behaviour() {
    let d = Distribution::discrete(vec![3.0, 1.0, 2.0, 9.0], vec![2.0, 5.0, 3.0, 0.0]).unwrap();
    // Weights are normalised; zero-weight values are dropped from support.
    assert_eq!(d.support(), (1.0, 3.0));
    assert!(close(d.cdf(1.0), 0.5, 1e-15));
    assert!(close(d.cdf(2.5), 0.8, 1e-15));
    assert_eq!(d.cdf(0.9), 0.0);
    assert_eq!(d.cdf(9.0), 1.0);
    // P(X <= 1) = 1/2 exactly: every point of [1, 2] is a median; the
    // conventional midpoint is reported.
    assert_eq!(d.median(), 1.5);
    assert!(!d.is_constant());
    assert_eq!(d.kind(), "discrete");
    assert_eq!(d.describe(), "discrete(1: 0.5, 2: 0.3, 3: 0.2)");
    // Equal weights give the same median as the empirical of the values.
    let eq = Distribution::discrete((0..10).map(f64::from).collect(), vec![0.1; 10]).unwrap();
    let emp = Distribution::empirical((0..10).map(f64::from).collect()).unwrap();
    assert_eq!(eq.median(), emp.median());
    // A single value is a constant.
    let one = Distribution::discrete(vec![4.0, 5.0], vec![1.0, 0.0]).unwrap();
    assert!(one.is_constant());
    assert_eq!(one.inverse_cdf(0.99), 4.0);
}

#[test]
fn empirical_behaviour() {
    let e = Distribution::empirical(vec![4.0, 1.0, 7.0, 2.0]).unwrap();
    assert_eq!(e.median(), 3.0);
    assert_eq!(e.support(), (1.0, 7.0));
    assert_eq!(e.cdf(2.0), 0.5);
    assert_eq!(e.cdf(0.0), 0.0);
    assert_eq!(e.cdf(7.0), 1.0);
    // Every observation is drawn with probability 1/n: u in [k/n, (k+1)/n)
    // picks the k-th smallest.
    assert_eq!(
        [0.1, 0.3, 0.6, 0.9].map(|u| e.inverse_cdf(u)),
        [1.0, 2.0, 4.0, 7.0]
    );
    assert_eq!(
        Distribution::empirical(vec![3.0, 1.0, 2.0])
            .unwrap()
            .median(),
        2.0
    );
    assert!(
        Distribution::empirical(vec![2.0, 2.0])
            .unwrap()
            .is_constant()
    );
    assert!(!e.is_constant());
    assert_eq!(e.describe(), "empirical(4 values, median 3, range [1, 7])");
}

#[test]
fn kinds_supports_and_descriptions() {
    let params = LogNormalParams::MedianGsd {
        median: 2.0,
        gsd: 1.5,
    };
    let cases = [
        (
            Distribution::constant(1.5),
            "constant",
            "constant(1.5)",
            (1.5, 1.5),
        ),
        (
            Distribution::uniform(1.0, 3.0),
            "uniform",
            "uniform(min 1, max 3)",
            (1.0, 3.0),
        ),
        (
            Distribution::triangular(1.1, 1.16, 1.58),
            "triangular",
            "triangular(min 1.1, mode 1.16, max 1.58)",
            (1.1, 1.58),
        ),
        (
            Distribution::normal(5.0, 2.0, None, None),
            "normal",
            "normal(mean 5, sd 2)",
            (f64::NEG_INFINITY, f64::INFINITY),
        ),
        (
            Distribution::normal(5.0, 2.0, Some(0.0), None),
            "normal",
            "normal(mean 5, sd 2, truncated to [0, inf))",
            (0.0, f64::INFINITY),
        ),
        (
            Distribution::lognormal(params, None, None),
            "lognormal",
            "lognormal(median 2, gsd 1.5)",
            (0.0, f64::INFINITY),
        ),
        (
            Distribution::lognormal(params, Some(1.0), Some(10.0)),
            "lognormal",
            "lognormal(median 2, gsd 1.5, truncated to [1, 10])",
            (1.0, 10.0),
        ),
        (
            Distribution::pert(0.0, 1.0, 10.0, 4.0),
            "pert",
            "pert(min 0, mode 1, max 10, lambda 4)",
            (0.0, 10.0),
        ),
    ];
    for (d, kind, text, support) in cases {
        let d = d.unwrap();
        assert_eq!(d.kind(), kind);
        assert_eq!(d.describe(), text);
        assert_eq!(d.support(), support);
        assert_eq!(d.is_constant(), kind == "constant");
    }
}

// --------------------------------------------------------------- refusals

/// Every refusal names the problem and what is allowed ("needs").
fn refused(r: Result<Distribution, DistError>, what: &str) {
    match r {
        Ok(d) => panic!("accepted {} but should refuse ({what})", d.describe()),
        Err(e) => {
            assert!(e.0.contains(what), "message {e:?} should mention {what:?}");
            assert!(
                e.0.contains("needs"),
                "message {e:?} should say what is allowed"
            );
        }
    }
}

#[test]
fn constructors_refuse_bad_parameters() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    refused(Distribution::constant(nan), "NaN");
    refused(Distribution::constant(inf), "infinite");
    refused(
        Distribution::uniform(5.0, 3.0),
        "min (5) is greater than max (3)",
    );
    refused(Distribution::uniform(3.0, 3.0), "use a constant");
    refused(Distribution::uniform(nan, 3.0), "min is NaN");
    refused(Distribution::uniform(0.0, inf), "max is infinite");
    refused(Distribution::uniform(-1e308, 1e308), "wider than");
    refused(
        Distribution::triangular(1.0, 7.0, 5.0),
        "mode (7) is outside",
    );
    refused(
        Distribution::triangular(1.0, 0.0, 5.0),
        "min <= mode <= max",
    );
    refused(Distribution::triangular(5.0, 5.0, 1.0), "greater than max");
    refused(Distribution::triangular(1.0, nan, 5.0), "mode is NaN");
    refused(
        Distribution::normal(0.0, -1.0, None, None),
        "sd (-1) is not positive",
    );
    refused(Distribution::normal(0.0, 0.0, None, None), "sd > 0");
    refused(Distribution::normal(nan, 1.0, None, None), "mean is NaN");
    refused(Distribution::normal(0.0, inf, None, None), "sd is infinite");
    refused(
        Distribution::normal(0.0, 1.0, Some(2.0), Some(1.0)),
        "greater than max",
    );
    refused(
        Distribution::normal(0.0, 1.0, Some(nan), None),
        "min is NaN",
    );
    refused(
        Distribution::normal(0.0, 1.0, None, Some(-inf)),
        "max is infinite",
    );
    let ln = |p| Distribution::lognormal(p, None, None);
    use LogNormalParams::{MeanSd, MedianGsd, MuSigma};
    refused(
        ln(MedianGsd {
            median: 2.0,
            gsd: 0.5,
        }),
        "gsd (0.5) must be > 1",
    );
    refused(
        ln(MedianGsd {
            median: 2.0,
            gsd: 1.0,
        }),
        "use a constant",
    );
    refused(
        ln(MedianGsd {
            median: 0.0,
            gsd: 1.5,
        }),
        "median (0) is not positive",
    );
    refused(
        ln(MedianGsd {
            median: nan,
            gsd: 1.5,
        }),
        "median is NaN",
    );
    refused(
        ln(MeanSd {
            mean: -1.0,
            sd: 1.0,
        }),
        "mean (-1) is not positive",
    );
    refused(ln(MeanSd { mean: 1.0, sd: 0.0 }), "sd (0) is not positive");
    refused(
        ln(MuSigma {
            mu: inf,
            sigma: 1.0,
        }),
        "mu is infinite",
    );
    refused(
        ln(MuSigma {
            mu: 0.0,
            sigma: -0.1,
        }),
        "sigma (-0.1) is not positive",
    );
    refused(
        ln(MuSigma {
            mu: 0.0,
            sigma: 40.0,
        }),
        "beyond double range",
    );
    let p = MedianGsd {
        median: 2.0,
        gsd: 1.5,
    };
    refused(
        Distribution::lognormal(p, Some(-1.0), None),
        "min (-1) is negative",
    );
    refused(
        Distribution::lognormal(p, None, Some(0.0)),
        "max (0) is not positive",
    );
    refused(
        Distribution::pert(0.0, 1.0, 10.0, 0.0),
        "lambda (0) is not positive",
    );
    refused(Distribution::pert(0.0, 1.0, 10.0, -4.0), "lambda > 0");
    refused(
        Distribution::pert(0.0, 11.0, 10.0, 4.0),
        "mode (11) is outside",
    );
    refused(Distribution::pert(0.0, 1.0, 10.0, nan), "lambda is NaN");
    refused(Distribution::discrete(vec![], vec![]), "no values");
    refused(
        Distribution::discrete(vec![1.0, 2.0], vec![1.0]),
        "2 values but 1 weights",
    );
    refused(
        Distribution::discrete(vec![1.0, 2.0], vec![1.0, -1.0]),
        "weight 2 of 2 (-1) is negative",
    );
    refused(
        Distribution::discrete(vec![1.0, 2.0], vec![0.0, 0.0]),
        "weights sum to 0",
    );
    refused(
        Distribution::discrete(vec![1.0, nan], vec![1.0, 1.0]),
        "value 2 of 2 is NaN",
    );
    refused(
        Distribution::discrete(vec![1.0, 2.0], vec![inf, 1.0]),
        "weight 1 of 2 is infinite",
    );
    refused(Distribution::empirical(vec![]), "no values");
    refused(
        Distribution::empirical(vec![1.0, inf]),
        "value 2 of 2 is infinite",
    );
}

#[test]
fn refusal_messages_read_well() {
    let e = Distribution::uniform(5.0, 3.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "uniform min (5) is greater than max (3); a uniform needs min < max"
    );
    let e = Distribution::empirical(vec![]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "empirical has no values; an empirical needs at least one observed value"
    );
}

#[test]
fn dirichlet_refuses_bad_parameters() {
    let msg = |r: Result<Dirichlet, DistError>| r.unwrap_err().0;
    assert!(
        msg(Dirichlet::new(&[0.5, 0.0, 0.5], 10.0)).contains("share 2 of 3 (0) is not positive")
    );
    assert!(msg(Dirichlet::new(&[0.5, -0.1, 0.6], 10.0)).contains("not positive"));
    assert!(msg(Dirichlet::new(&[0.5, 0.5], 0.0)).contains("concentration (0) is not positive"));
    assert!(msg(Dirichlet::new(&[0.5, 0.5], -3.0)).contains("concentration > 0"));
    assert!(msg(Dirichlet::new(&[0.5, 0.5], f64::NAN)).contains("concentration is NaN"));
    assert!(msg(Dirichlet::new(&[0.5, 0.4], 10.0)).contains("sum to 0.9"));
    assert!(msg(Dirichlet::new(&[], 10.0)).contains("no shares"));
    assert!(msg(Dirichlet::new(&[0.5, f64::NAN], 10.0)).contains("share 2 of 2 is NaN"));
    assert!(msg(Dirichlet::new(&[0.5, 0.5], 1e-310)).contains("out of double range"));
    // Within the 1e-9 tolerance is accepted.
    assert!(Dirichlet::new(&[0.5, 0.5 + 5e-10], 10.0).is_ok());
}

// ---------------------------------------------------------------- Dirichlet

/// Draws `n` share vectors and checks each share's sample mean against the
/// centre within 4 SE (SE from the closed-form marginal variance), and the
/// sample variance within 4 SE (SE from the sample's fourth moment).
fn check_dirichlet(shares: &[f64], concentration: f64, seed: u64) {
    let d = Dirichlet::new(shares, concentration).unwrap();
    let k = d.len();
    let n = 100_000;
    let u = uniforms(n * k, seed);
    let mut out = vec![0.0; k];
    let mut columns = vec![Vec::with_capacity(n); k];
    for row in u.chunks(k) {
        d.shares_from_uniforms(row, &mut out);
        // Shares sum to 1 within 1e-12: k divisions by the same sum leave
        // at most a few ulps.
        let total: f64 = out.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "sum {total}");
        assert!(out.iter().all(|s| (0.0..=1.0).contains(s)));
        for (c, &s) in columns.iter_mut().zip(&out) {
            c.push(s);
        }
    }
    for (i, (c, &centre)) in columns.iter().zip(&d.mean()).enumerate() {
        let (m, v, m4) = sample_moments(c);
        let se = (d.marginal_variance(i) / n as f64).sqrt();
        assert!(
            (m - centre).abs() < 4.0 * se,
            "share {i}: mean {m} vs {centre} (SE {se})"
        );
        let se_v = ((m4 - v * v) / n as f64).sqrt();
        let want = d.marginal_variance(i);
        assert!(
            (v - want).abs() < 4.0 * se_v,
            "share {i}: variance {v} vs {want} (SE {se_v})"
        );
    }
}

#[test]
fn dirichlet_moments() {
    check_dirichlet(&[0.5, 0.3, 0.2], 20.0, 100);
    // alpha < 1 for every share: the boosted (log-space) gamma path.
    check_dirichlet(&[0.6, 0.25, 0.15], 1.5, 101);
    // Very concentrated.
    check_dirichlet(&[0.7, 0.3], 5000.0, 102);
}

/// The engine draws a share set for a block of samples at once; it must
/// give the bits of one sample at a time, on the direct path (every alpha at
/// least 1), the boosted one (some alpha below 1) and across the block's
/// 64-sample normalisation lanes (n = 150, stride 160).
#[test]
fn dirichlet_block_equals_one_sample_at_a_time() {
    for (shares, concentration) in [(&[0.5, 0.3, 0.2][..], 20.0), (&[0.6, 0.25, 0.15], 1.5)] {
        let d = Dirichlet::new(shares, concentration).unwrap();
        let (k, n, stride) = (d.len(), 150, 160);
        let u = uniforms(k * stride, 7);
        let mut block = vec![-1.0; k * stride];
        let (mut row_u, mut row) = (vec![0.0; k], vec![0.0; k]);
        d.shares_block((&u, &mut block), (n, stride), &mut row_u, &mut row);
        let mut one = vec![0.0; k];
        for s in 0..n {
            let column: Vec<f64> = (0..k).map(|i| u[i * stride + s]).collect();
            d.shares_from_uniforms(&column, &mut one);
            for i in 0..k {
                assert_eq!(
                    block[i * stride + s].to_bits(),
                    one[i].to_bits(),
                    "{shares:?} sample {s}"
                );
            }
        }
        assert!((0..k).all(|i| {
            block[i * stride + n..(i + 1) * stride]
                .iter()
                .all(|x| *x == -1.0)
        }));
    }
}

#[test]
fn dirichlet_is_a_pure_function_of_u() {
    let d = Dirichlet::new(&[0.5, 0.3, 0.2], 20.0).unwrap();
    let u = [0.1, 0.7, 0.4];
    let mut a = [0.0; 3];
    let mut b = [9.0; 3];
    d.shares_from_uniforms(&u, &mut a);
    d.shares_from_uniforms(&u, &mut b);
    assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
    // A different uniform for one share changes the draw.
    d.shares_from_uniforms(&[0.1, 0.7, 0.41], &mut b);
    assert_ne!(a, b);
    assert_eq!(d.len(), 3);
    assert!(!d.is_empty());
    assert_eq!(d.mean(), vec![0.5, 0.3, 0.2]);
    // a0 = 20: Var(X_0) = 10 * 10 / (400 * 21).
    assert!(close(d.marginal_variance(0), 100.0 / 8400.0, 1e-15));
}

#[test]
fn dirichlet_tiny_concentration_stays_finite() {
    // alpha = 1e-4: linear-space gamma draws underflow to 0 for every share
    // at once; the log-space draw must still give a valid share vector,
    // almost always a vertex.
    let d = Dirichlet::new(&[0.5, 0.5], 2e-4).unwrap();
    let mut out = [0.0; 2];
    for row in uniforms(2000, 7).chunks(2) {
        d.shares_from_uniforms(row, &mut out);
        assert!(out.iter().all(|s| s.is_finite()));
        assert!((out[0] + out[1] - 1.0).abs() < 1e-12);
    }
}

// ---------------------------------------------------------------- proptest

/// A continuous distribution with random valid parameters.
fn continuous() -> impl Strategy<Value = Distribution> {
    let uniform = (-1e3..1e3f64, 1e-3..1e3f64).prop_map(|(a, w)| Distribution::uniform(a, a + w));
    let triangular = (-1e3..1e3f64, 1e-3..1e3f64, 0.0..=1.0f64)
        .prop_map(|(a, w, f)| Distribution::triangular(a, a + f * w, a + w));
    let normal =
        (-1e3..1e3f64, 1e-3..1e3f64).prop_map(|(m, s)| Distribution::normal(m, s, None, None));
    let truncated =
        (-1e3..1e3f64, 1e-3..1e3f64, -6.0..6.0f64, 0.01..6.0f64).prop_map(|(m, s, a, w)| {
            Distribution::normal(m, s, Some(m + a * s), Some(m + (a + w) * s))
        });
    let one_sided =
        (-1e3..1e3f64, 1e-3..1e3f64, -6.0..6.0f64, any::<bool>()).prop_map(|(m, s, a, up)| {
            let bound = Some(m + a * s);
            if up {
                Distribution::normal(m, s, bound, None)
            } else {
                Distribution::normal(m, s, None, bound)
            }
        });
    let lognormal = (1e-3..1e3f64, 1.01..5.0f64).prop_map(|(median, gsd)| {
        Distribution::lognormal(LogNormalParams::MedianGsd { median, gsd }, None, None)
    });
    let truncated_lognormal =
        (1e-3..1e3f64, 1.01..5.0f64, 0.0..3.0f64, 1.1..10.0f64).prop_map(|(median, gsd, a, r)| {
            let min = median * a / 2.0;
            Distribution::lognormal(
                LogNormalParams::MedianGsd { median, gsd },
                Some(min),
                Some(min.max(median / 10.0) * r),
            )
        });
    let pert = (-1e3..1e3f64, 1e-3..1e3f64, 0.0..=1.0f64, 0.05..50.0f64)
        .prop_map(|(a, w, f, l)| Distribution::pert(a, a + f * w, a + w, l));
    prop_oneof![
        uniform,
        triangular,
        normal,
        truncated,
        one_sided,
        lognormal,
        truncated_lognormal,
        pert
    ]
    .prop_filter_map("refused parameters", Result::ok)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// cdf(inverse_cdf(u)) = u to 1e-9 absolute: the inverse CDF is a true
    /// inverse. 1e-9 allows for a window normalisation and the ~1e-10 loss
    /// of the cdf's own divisions in narrow truncations; a wrong branch or
    /// constant is off by far more.
    #[test]
    fn cdf_inverts_inverse_cdf(d in continuous(), u in 1e-12..(1.0 - 1e-12)) {
        let x = d.inverse_cdf(u);
        prop_assert!((d.cdf(x) - u).abs() < 1e-9, "{}: u {} -> x {} -> cdf {}", d.describe(), u, x, d.cdf(x));
    }

    /// Non-decreasing in u, and always inside the support.
    #[test]
    fn inverse_cdf_is_monotone_and_in_support(d in continuous(), a in 1e-12..(1.0 - 1e-12), b in 1e-12..(1.0 - 1e-12)) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (x, y) = (d.inverse_cdf(lo), d.inverse_cdf(hi));
        prop_assert!(x <= y, "{}: q({}) = {} > q({}) = {}", d.describe(), lo, x, hi, y);
        let (s0, s1) = d.support();
        prop_assert!(s0 <= x && y <= s1, "{}: {} {} outside {:?}", d.describe(), x, y, d.support());
    }

    /// Truncated normals and lognormals never leave [min, max], for any u
    /// including the extremes of (0, 1).
    #[test]
    fn truncation_stays_in_bounds(m in -1e3..1e3f64, s in 1e-3..1e3f64, a in -8.0..7.0f64, w in 1e-3..8.0f64,
                                  u in prop_oneof![Just(f64::MIN_POSITIVE), Just(1.0 - f64::EPSILON / 2.0), 0.0..1.0f64]) {
        let (min, max) = (m + a * s, m + (a + w) * s);
        if let Ok(d) = Distribution::normal(m, s, Some(min), Some(max)) {
            let x = d.inverse_cdf(u);
            prop_assert!(min <= x && x <= max, "{}: {} -> {}", d.describe(), u, x);
        }
        let params = LogNormalParams::MuSigma { mu: m / 100.0, sigma: s / 100.0 + 0.01 };
        let (lmin, lmax) = (min.abs() / 100.0, min.abs() / 100.0 + w);
        if let Ok(d) = Distribution::lognormal(params, Some(lmin), Some(lmax)) {
            let x = d.inverse_cdf(u);
            prop_assert!(lmin <= x && x <= lmax, "{}: {} -> {}", d.describe(), u, x);
        }
    }

    /// Discrete and empirical inverse CDFs are monotone and pick listed values.
    #[test]
    fn discrete_and_empirical_pick_listed_values(values in prop::collection::vec(-1e3..1e3f64, 1..12),
                                                 u in 1e-12..(1.0 - 1e-12), v in 1e-12..(1.0 - 1e-12)) {
        let weights: Vec<f64> = values.iter().enumerate().map(|(i, _)| (i % 3) as f64 + 0.5).collect();
        let d = Distribution::discrete(values.clone(), weights).unwrap();
        let e = Distribution::empirical(values.clone()).unwrap();
        let (lo, hi) = if u <= v { (u, v) } else { (v, u) };
        for dist in [&d, &e] {
            prop_assert!(values.contains(&dist.inverse_cdf(u)));
            prop_assert!(dist.inverse_cdf(lo) <= dist.inverse_cdf(hi));
            // P(X <= q(u)) >= u: the defining property of the quantile.
            prop_assert!(dist.cdf(dist.inverse_cdf(u)) >= u - 1e-12);
        }
    }
}

/// Marginal variances of Dirichlet draws against a_i (a0 − a_i) / (a0² (a0 + 1)),
/// on both sampling paths: every alpha ≥ 1 (direct normalisation) and some
/// alpha < 1 (log-space). With 100,000 draws the relative standard error of a
/// sample variance is about 0.5 %; 5 % leaves room for the shape's kurtosis.
#[test]
fn dirichlet_marginal_variances_match_closed_form() {
    for (shares, concentration) in [
        (vec![0.75, 0.08, 0.11, 0.024, 0.036], 100.0),
        (vec![0.6, 0.3, 0.1], 4.0),
    ] {
        let d = Dirichlet::new(&shares, concentration).unwrap();
        let n = 100_000u64;
        let k = shares.len();
        let (mut s, mut s2) = (vec![0.0; k], vec![0.0; k]);
        let mut u = vec![0.0; k];
        let mut out = vec![0.0; k];
        for i in 0..n {
            for (j, x) in u.iter_mut().enumerate() {
                // Distinct, well-mixed uniforms per (draw, share).
                let h = (i * k as u64 + j as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                *x = ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            }
            d.shares_from_uniforms(&u, &mut out);
            for j in 0..k {
                s[j] += out[j];
                s2[j] += out[j] * out[j];
            }
        }
        for j in 0..k {
            let mean = s[j] / n as f64;
            let var = s2[j] / n as f64 - mean * mean;
            let exact = d.marginal_variance(j);
            assert!(
                (var / exact - 1.0).abs() < 0.05,
                "share {j}: variance {var} vs {exact}"
            );
        }
    }
}
