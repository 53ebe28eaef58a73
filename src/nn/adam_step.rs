//! One Adam update over a layer's parameters: its constants (bias
//! corrections folded in) and the per-value arithmetic, in 16 lanes on
//! AVX-512 hosts, 8 on AVX2 hosts, 4 elsewhere, and one value at a time for
//! the tail: the same bits in every width. `optim` keeps the state and calls it.

use crate::linalg::par;
use crate::linalg::simd::F32x4;

/// One Adam step's constants, bias corrections folded in.
#[derive(Clone, Copy)]
pub(crate) struct AdamStep {
    pub beta1: f32,
    pub beta2: f32,
    pub step: f32,
    pub eps: f32,
}

impl AdamStep {
    /// `apply` on the two halves of the parameters, at once natively where
    /// there are enough of them: every element's update is the same.
    pub fn apply_halves(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        if p.len() < par::MIN_SPLIT_PASS {
            return self.apply(p, g, m, v);
        }
        let h = par::cut(p.len());
        let (p0, p1) = p.split_at_mut(h);
        let (g0, g1) = g.split_at(h);
        let (m0, m1) = m.split_at_mut(h);
        let (v0, v1) = v.split_at_mut(h);
        par::join(|| self.apply(p0, g0, m0, v0), || self.apply(p1, g1, m1, v1));
    }

    /// Updates parameters `p` and moments `m`, `v` from gradients `g`, eight
    /// values an iteration in f32x4 lanes (the tail padded): two independent
    /// square roots and divisions in flight, which the compiler's own
    /// vectorisation of the plain loop (one at a time) did not give. Every
    /// lane does what `scalar` does, so the result is the same bit for bit.
    pub fn apply(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        let n = p.len();
        assert!(g.len() >= n && m.len() >= n && v.len() >= n);
        // SAFETY: the host has the instruction set each branch asks for,
        // and the lengths are checked above.
        #[cfg(target_arch = "x86_64")]
        let j = if crate::linalg::wide::avx512() {
            unsafe { self.apply16(p, g, m, v) }
        } else if crate::linalg::wide::avx2() {
            unsafe { self.apply8(p, g, m, v) }
        } else {
            0
        };
        #[cfg(not(target_arch = "x86_64"))]
        let j = 0;
        self.apply4(p, g, m, v, j);
    }

    /// `apply` from value `j` on, in four lanes.
    fn apply4(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], from: usize) {
        let n = p.len();
        assert!(g.len() >= n && m.len() >= n && v.len() >= n);
        let mut j = from;
        while j + 8 <= n {
            // SAFETY: j..j+8 lies inside all four slices (checked above).
            unsafe {
                self.lanes(p, g, m, v, j);
                self.lanes(p, g, m, v, j + 4);
            }
            j += 8;
        }
        while j + 4 <= n {
            // SAFETY: as above, for j..j+4.
            unsafe { self.lanes(p, g, m, v, j) };
            j += 4;
        }
        for j in j..n {
            let (pj, mj, vj) = self.scalar(p[j], g[j], m[j], v[j]);
            (p[j], m[j], v[j]) = (pj, mj, vj);
        }
    }

    /// `lanes` sixteen values at a time on AVX-512 hosts, bit for bit the
    /// same operations; returns how many values it updated (a multiple of
    /// 16), leaving the rest to `apply`.
    ///
    /// # Safety
    /// The host has AVX-512, and `g`, `m` and `v` are at least as long as `p`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn apply16(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) -> usize {
        use std::arch::x86_64::*;
        let s = _mm512_set1_ps;
        let zero_if_below = |x: __m512, limit: f32| {
            let abs = _mm512_abs_ps(x);
            _mm512_maskz_mov_ps(_mm512_cmp_ps_mask::<_CMP_NLT_UQ>(abs, s(limit)), x)
        };
        let n = p.len() / 16 * 16;
        for j in (0..n).step_by(16) {
            let gj = zero_if_below(_mm512_loadu_ps(g.as_ptr().add(j)), 1e-15);
            let mj = _mm512_add_ps(
                _mm512_mul_ps(s(self.beta1), _mm512_loadu_ps(m.as_ptr().add(j))),
                _mm512_mul_ps(s(1.0 - self.beta1), gj),
            );
            let vj = _mm512_add_ps(
                _mm512_mul_ps(s(self.beta2), _mm512_loadu_ps(v.as_ptr().add(j))),
                _mm512_mul_ps(_mm512_mul_ps(s(1.0 - self.beta2), gj), gj),
            );
            let (mj, vj) = (zero_if_below(mj, 1e-20), zero_if_below(vj, 1e-30));
            let step = _mm512_div_ps(
                _mm512_mul_ps(s(self.step), mj),
                _mm512_add_ps(_mm512_sqrt_ps(vj), s(self.eps)),
            );
            let pj = _mm512_sub_ps(_mm512_loadu_ps(p.as_ptr().add(j)), step);
            _mm512_storeu_ps(m.as_mut_ptr().add(j), mj);
            _mm512_storeu_ps(v.as_mut_ptr().add(j), vj);
            _mm512_storeu_ps(p.as_mut_ptr().add(j), pj);
        }
        n
    }

    /// `apply16` eight values at a time on AVX2 hosts, the same operations;
    /// returns how many values it updated (a multiple of 8).
    ///
    /// # Safety
    /// The host has AVX2 and FMA, and `g`, `m` and `v` are at least as long
    /// as `p`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn apply8(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) -> usize {
        use std::arch::x86_64::*;
        let s = _mm256_set1_ps;
        let zero_if_below = |x: __m256, limit: f32| {
            let abs = _mm256_andnot_ps(s(-0.0), x);
            _mm256_and_ps(_mm256_cmp_ps::<_CMP_NLT_UQ>(abs, s(limit)), x)
        };
        let n = p.len() / 8 * 8;
        for j in (0..n).step_by(8) {
            let gj = zero_if_below(_mm256_loadu_ps(g.as_ptr().add(j)), 1e-15);
            let mj = _mm256_add_ps(
                _mm256_mul_ps(s(self.beta1), _mm256_loadu_ps(m.as_ptr().add(j))),
                _mm256_mul_ps(s(1.0 - self.beta1), gj),
            );
            let vj = _mm256_add_ps(
                _mm256_mul_ps(s(self.beta2), _mm256_loadu_ps(v.as_ptr().add(j))),
                _mm256_mul_ps(_mm256_mul_ps(s(1.0 - self.beta2), gj), gj),
            );
            let (mj, vj) = (zero_if_below(mj, 1e-20), zero_if_below(vj, 1e-30));
            let step = _mm256_div_ps(
                _mm256_mul_ps(s(self.step), mj),
                _mm256_add_ps(_mm256_sqrt_ps(vj), s(self.eps)),
            );
            let pj = _mm256_sub_ps(_mm256_loadu_ps(p.as_ptr().add(j)), step);
            _mm256_storeu_ps(m.as_mut_ptr().add(j), mj);
            _mm256_storeu_ps(v.as_mut_ptr().add(j), vj);
            _mm256_storeu_ps(p.as_mut_ptr().add(j), pj);
        }
        n
    }

    /// # Safety
    /// j..j+4 must lie inside all four slices.
    #[inline(always)]
    unsafe fn lanes(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], j: usize) {
        let s = F32x4::splat;
        let gj = F32x4::load(g.as_ptr().add(j)).zero_if_below(s(1e-15));
        let mj = s(self.beta1)
            .mul(F32x4::load(m.as_ptr().add(j)))
            .add(s(1.0 - self.beta1).mul(gj));
        let vj = s(self.beta2)
            .mul(F32x4::load(v.as_ptr().add(j)))
            .add(s(1.0 - self.beta2).mul(gj).mul(gj));
        let (mj, vj) = (mj.zero_if_below(s(1e-20)), vj.zero_if_below(s(1e-30)));
        let pj = F32x4::load(p.as_ptr().add(j));
        let pj = pj.sub(s(self.step).mul(mj).div(vj.sqrt().add(s(self.eps))));
        mj.store(m.as_mut_ptr().add(j));
        vj.store(v.as_mut_ptr().add(j));
        pj.store(p.as_mut_ptr().add(j));
    }

    /// One value's update: (p, m, v) after gradient g.
    fn scalar(self, p: f32, g: f32, m: f32, v: f32) -> (f32, f32, f32) {
        // Values this small are flushed to zero: their squares and decaying
        // moments would otherwise turn subnormal, which x86 (native or under
        // wasm) computes ~100× slower; their updates are below eps's reach
        // anyway.
        let g = if g.abs() < 1e-15 { 0.0 } else { g };
        let m = self.beta1 * m + (1.0 - self.beta1) * g;
        let v = self.beta2 * v + (1.0 - self.beta2) * g * g;
        let m = if m.abs() < 1e-20 { 0.0 } else { m };
        let v = if v < 1e-30 { 0.0 } else { v };
        (p - self.step * m / (v.sqrt() + self.eps), m, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The lanes are the one-value update, bit for bit, on every length's
    /// tail and on values small enough to be flushed.
    #[test]
    fn adam_lanes_match_the_scalar_update() {
        let k = AdamStep {
            beta1: 0.9,
            beta2: 0.999,
            step: 1e-3,
            eps: 1e-8,
        };
        let mut r = Rng::new(4);
        let value = |r: &mut Rng| {
            let x = (r.uniform() * 2.0 - 1.0) as f32;
            match r.below(4) {
                0 => x * 1e-16,
                1 => x * 1e-22,
                _ => x,
            }
        };
        for n in [1, 3, 4, 7, 8, 13, 37, 64] {
            let g: Vec<f32> = (0..n).map(|_| value(&mut r)).collect();
            let m0: Vec<f32> = (0..n).map(|_| value(&mut r)).collect();
            let v0: Vec<f32> = (0..n).map(|_| value(&mut r).abs()).collect();
            let p0: Vec<f32> = (0..n).map(|_| value(&mut r)).collect();
            // As the host runs it (in 16 lanes on AVX-512, 8 on AVX2), and in 4.
            let (mut p, mut m, mut v) = (p0.clone(), m0.clone(), v0.clone());
            k.apply(&mut p, &g, &mut m, &mut v);
            let (mut p4, mut m4, mut v4) = (p0.clone(), m0.clone(), v0.clone());
            k.apply4(&mut p4, &g, &mut m4, &mut v4, 0);
            assert_eq!(
                [&p, &m, &v].map(|x| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
                [&p4, &m4, &v4].map(|x| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
                "n {n}: the lanes differ"
            );
            for j in 0..n {
                let want = k.scalar(p0[j], g[j], m0[j], v0[j]);
                let got = (p[j], m[j], v[j]);
                assert_eq!(
                    (got.0.to_bits(), got.1.to_bits(), got.2.to_bits()),
                    (want.0.to_bits(), want.1.to_bits(), want.2.to_bits()),
                    "n {n} value {j}: {got:?} vs {want:?}"
                );
            }
        }
    }
}
