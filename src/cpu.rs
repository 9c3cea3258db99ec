//! Runtime CPU-feature dispatch for the hot loops. The default build
//! targets baseline x86-64, so one binary runs on every node of a mixed
//! cluster; each hot loop is also compiled for x86-64-v3 (AVX2, FMA, BMI1/2,
//! LZCNT, MOVBE, F16C) and that copy runs where the CPU has them. Both copies compute the same bits: Rust
//! never fuses or reorders floating-point operations unasked, so wider
//! vectors change speed, not results (tests/dispatch.rs forces each path).
//!
//! `ECOBAND_SIMD=baseline` forces the baseline path (for that test, or to
//! rule the dispatch out when chasing a problem).

use std::sync::atomic::{AtomicU8, Ordering};

const UNKNOWN: u8 = 0;
const BASELINE: u8 = 1;
const AVX2: u8 = 2;

static LEVEL: AtomicU8 = AtomicU8::new(UNKNOWN);

fn detect() -> u8 {
    if std::env::var("ECOBAND_SIMD").as_deref() == Ok("baseline") {
        return BASELINE;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        return AVX2;
    }
    BASELINE
}

#[inline(always)]
fn level() -> u8 {
    match LEVEL.load(Ordering::Relaxed) {
        UNKNOWN => {
            let level = detect();
            LEVEL.store(level, Ordering::Relaxed);
            level
        }
        level => level,
    }
}

/// Whether the hot loops take the AVX2 path (hand-vectorised loops check
/// it before calling their AVX2 version).
#[inline(always)]
pub fn wide() -> bool {
    level() == AVX2
}

/// Runs `body` (an `#[inline(always)]` closure holding a hot loop) from a
/// copy compiled for AVX2 + FMA when the CPU has them, else as compiled.
#[inline(always)]
pub fn dispatch<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if wide() {
        // SAFETY: the CPU was checked to have AVX2 and FMA.
        return unsafe { with_avx2(body) };
    }
    body()
}

/// `body` inlined into a function compiled with AVX2 and FMA enabled.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,avx2,fma,bmi1,bmi2,lzcnt,popcnt,movbe,f16c")]
unsafe fn with_avx2<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// A fingerprint of how this machine's math library rounds: the bits of
/// `exp`, `ln` and `powf` (glibc's, which the distributions and the gamma
/// sampler call) at 16,384 fixed arguments, hashed. glibc picks an FMA or a
/// non-FMA version of these functions by CPU, and the two differ in the
/// last bit for a few arguments in ten thousand; shards computed on such
/// different nodes would not merge into the single run's bytes, so a part
/// records this and `merge` compares it.
pub fn math_fingerprint() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut state: u64 = 0;
    for _ in 0..16_384 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let u = (z >> 11) as f64 / (1u64 << 53) as f64;
        let x = (u - 0.5) * 40.0;
        let values = [
            std::hint::black_box(x).exp(),
            std::hint::black_box(u + 1e-3).ln(),
            std::hint::black_box(u * 10.0).powf(std::hint::black_box(x / 7.0)),
        ];
        for v in values {
            hash = (hash ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
