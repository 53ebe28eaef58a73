//! Binary cross-entropy on one row of a sigmoid output's logits: the
//! sigmoid and the loss in one pass, in 16 lanes on AVX-512 hosts, 8 on
//! AVX2 hosts and 4 elsewhere, every output and gradient the same bits in
//! each width. `logit_loss::Fused` runs it over a batch's rows.

use crate::linalg::simd::{self, F32x4, Lanes, EXP_MAX_ARG};

/// Σ t·ln y + (1−t)·ln(1−y) over one row, turning z into y in place and
/// writing (y − t)·scale into g.
///
/// The sum is −Σ ln(1+e) − Σ(1−t)·z, and Σ ln(1+e) is taken as the log of a
/// product whose exponent is moved out at every step (1+e ≤ e^88.3 keeps the
/// product finite): one log a row instead of one an element, which was half
/// the cost of the decoder's output.
pub fn bce_row(z: &mut [f32], t: &[f32], g: &mut [f32], scale: f32) -> [f32; 2] {
    #[cfg(target_arch = "x86_64")]
    if crate::linalg::wide::avx512() {
        // SAFETY: the host has AVX-512.
        return unsafe { bce_row16(z, t, g, scale) };
    }
    #[cfg(target_arch = "x86_64")]
    if crate::linalg::wide::avx2() {
        // SAFETY: the host has AVX2 and FMA.
        return unsafe { bce_row8(z, t, g, scale) };
    }
    bce_lanes::<F32x4>(z, t, g, scale)
}

/// `bce_row16` eight values at a time on AVX2 hosts (14.7% of the native
/// autoencode phase in four lanes, by `perf` on Zen 2).
///
/// # Safety
/// The host has AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn bce_row8(z: &mut [f32], t: &[f32], g: &mut [f32], scale: f32) -> [f32; 2] {
    bce_lanes::<crate::linalg::simd::F32x8>(z, t, g, scale)
}

/// `bce_lanes` sixteen values at a time on AVX-512 hosts: every output and
/// gradient the same bits as in four lanes, the row's sums added in
/// another order.
///
/// # Safety
/// The host has AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn bce_row16(z: &mut [f32], t: &[f32], g: &mut [f32], scale: f32) -> [f32; 2] {
    bce_lanes::<crate::linalg::simd::F32x16>(z, t, g, scale)
}

/// `bce_row` in lanes of V.
#[inline(always)]
fn bce_lanes<V: Lanes>(z: &mut [f32], t: &[f32], g: &mut [f32], scale: f32) -> [f32; 2] {
    assert!(
        t.len() == z.len() && g.len() == z.len(),
        "bce_row: row lengths differ"
    );
    let k = V::splat(scale);
    let mut acc = BceSums::<V>::new();
    let whole = z.len() / V::N * V::N;
    for j in (0..whole).step_by(V::N) {
        // SAFETY: j..j+N lies inside all three rows (asserted equal above).
        unsafe {
            let (y, gv) = acc.add(V::load(z.as_ptr().add(j)), V::load(t.as_ptr().add(j)), k);
            y.store(z.as_mut_ptr().add(j));
            gv.store(g.as_mut_ptr().add(j));
        }
    }
    let tail = z.len() - whole;
    if tail > 0 {
        // Padding lanes with z = EXP_MAX_ARG, t = 1 add exactly nothing
        // (y = 1 there, so their error is 0 too).
        let (mut zb, mut tb, mut gb) = ([EXP_MAX_ARG; 16], [1.0f32; 16], [0.0f32; 16]);
        zb[..tail].copy_from_slice(&z[whole..]);
        tb[..tail].copy_from_slice(&t[whole..]);
        // SAFETY: the buffers hold 16 ≥ N values.
        unsafe {
            let (y, gv) = acc.add(V::load(zb.as_ptr()), V::load(tb.as_ptr()), k);
            y.store(zb.as_mut_ptr());
            gv.store(gb.as_mut_ptr());
        }
        z[whole..].copy_from_slice(&zb[..tail]);
        g[whole..].copy_from_slice(&gb[..tail]);
    }
    let ln_prod = simd::ln(acc.mant).add(acc.expo.mul(V::splat(std::f32::consts::LN_2)));
    [-(ln_prod.sum() + acc.rest.sum()), acc.sq.sum()]
}

/// A row's running sums in lanes: Σ ln(1+e) as a mantissa product and its
/// exponents, the rest of the loss, and the squared error. (A struct with
/// inlined methods rather than a closure: a closure is a function of its
/// own, compiled without the caller's AVX-512, and was not inlined.)
struct BceSums<V> {
    mant: V,
    expo: V,
    rest: V,
    sq: V,
}

impl<V: Lanes> BceSums<V> {
    #[inline(always)]
    fn new() -> Self {
        BceSums {
            mant: V::splat(1.0),
            expo: V::zero(),
            rest: V::zero(),
            sq: V::zero(),
        }
    }

    /// Adds lanes of logits z and targets t; returns (σ(z), (σ(z) − t)·k).
    #[inline(always)]
    fn add(&mut self, z: V, t: V, k: V) -> (V, V) {
        let (zero, one) = (V::zero(), V::splat(1.0));
        let minus_z = zero.sub(z);
        let one_e = one.add(simd::exp(minus_z));
        let (m, e) = self.mant.mul(one_e).frexp();
        self.mant = m;
        self.expo = self.expo.add(e);
        // Past exp's clamp ln(1+e^−z) is −z to within f32: add what was cut.
        let cut = minus_z.sub(V::splat(EXP_MAX_ARG)).max(zero);
        self.rest = self.rest.add(cut).add(one.sub(t).mul(z));
        let y = one.div(one_e);
        let d = y.sub(t);
        self.sq = self.sq.mul_add(d, d);
        (y, d.mul(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// In sixteen lanes (AVX-512 hosts) and eight (AVX2) every output and
    /// gradient is the four-lane bits, and the row's sums agree to rounding, on rows with
    /// every tail length and with logits past exp's clamp.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sixteen_and_eight_lanes_are_four_lanes() {
        let (sixteen, eight) = (
            std::arch::is_x86_feature_detected!("avx512f"),
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma"),
        );
        let mut r = Rng::new(12);
        for cols in (1..=33).chain([784]) {
            let z0: Vec<f32> = (0..cols)
                .map(|i| match i % 7 {
                    0 => -100.0,
                    1 => 95.0,
                    _ => ((r.uniform() * 2.0 - 1.0) * 20.0) as f32,
                })
                .collect();
            let t: Vec<f32> = (0..cols).map(|_| r.uniform() as f32).collect();
            let (mut z4, mut g4) = (z0.clone(), vec![0.0; cols]);
            let s4 = bce_lanes::<F32x4>(&mut z4, &t, &mut g4, 0.5);
            let wide: [(bool, WideRow, &str); 2] =
                [(sixteen, bce_row16, "16"), (eight, bce_row8, "8")];
            for (_, wide_row, lanes) in wide.into_iter().filter(|w| w.0) {
                let (mut zw, mut gw) = (z0.clone(), vec![0.0; cols]);
                // SAFETY: the host has the instruction set (checked above).
                let sw = unsafe { wide_row(&mut zw, &t, &mut gw, 0.5) };
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&zw), bits(&z4), "{lanes} lanes, cols {cols}: outputs");
                assert_eq!(
                    bits(&gw),
                    bits(&g4),
                    "{lanes} lanes, cols {cols}: gradients"
                );
                for (a, b) in sw.iter().zip(s4) {
                    assert!(
                        (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                        "{lanes} lanes, cols {cols}: {sw:?} vs {s4:?}"
                    );
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    type WideRow = unsafe fn(&mut [f32], &[f32], &mut [f32], f32) -> [f32; 2];
}
