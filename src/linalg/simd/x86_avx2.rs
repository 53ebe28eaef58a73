//! F32x8 on x86_64 AVX2 + FMA: the same lane operations as `F32x16`, eight
//! at a time, for the training products on hosts without AVX-512 (AMD's
//! Zen 2 and 3, Intel's client cores).
//!
//! As with `F32x16`, its methods are plain `#[inline(always)]` functions
//! reached only from functions compiled with `#[target_feature(enable =
//! "avx2,fma")]` (called after `linalg::wide::isa()` found both).

use super::Lanes;
use core::arch::x86_64::*;

#[derive(Clone, Copy)]
pub struct F32x8(__m256);

// SAFETY (every method): reached only on AVX2 + FMA hosts, as above.
impl Lanes for F32x8 {
    const N: usize = 8;
    #[inline(always)]
    fn zero() -> Self {
        F32x8(unsafe { _mm256_setzero_ps() })
    }
    #[inline(always)]
    fn splat(v: f32) -> Self {
        F32x8(unsafe { _mm256_set1_ps(v) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        F32x8(_mm256_loadu_ps(p))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        _mm256_storeu_ps(p, self.0)
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        F32x8(unsafe { _mm256_add_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        F32x8(unsafe { _mm256_sub_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        F32x8(unsafe { _mm256_mul_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        F32x8(unsafe { _mm256_div_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        F32x8(unsafe { _mm256_add_ps(self.0, _mm256_mul_ps(a.0, b.0)) })
    }
    #[inline(always)]
    fn fma(self, a: Self, b: Self) -> Self {
        F32x8(unsafe { _mm256_fmadd_ps(a.0, b.0, self.0) })
    }
    /// As `F32x4::min`: b < a ? b : a.
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        F32x8(unsafe { _mm256_min_ps(o.0, self.0) })
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        F32x8(unsafe { _mm256_max_ps(o.0, self.0) })
    }
    #[inline(always)]
    fn pow2i(self) -> Self {
        unsafe {
            let n = _mm256_cvttps_epi32(self.0);
            F32x8(_mm256_castsi256_ps(_mm256_slli_epi32::<23>(
                _mm256_add_epi32(n, _mm256_set1_epi32(127)),
            )))
        }
    }
    #[inline(always)]
    fn frexp(self) -> (Self, Self) {
        unsafe {
            let bits = _mm256_castps_si256(self.0);
            let e = _mm256_sub_epi32(_mm256_srli_epi32::<23>(bits), _mm256_set1_epi32(126));
            let m = _mm256_or_si256(
                _mm256_and_si256(bits, _mm256_set1_epi32(0x007f_ffff)),
                _mm256_set1_epi32(0x3f00_0000),
            );
            (F32x8(_mm256_castsi256_ps(m)), F32x8(_mm256_cvtepi32_ps(e)))
        }
    }
    /// The halves added lane by lane, then those four as `F32x4::sum`.
    #[inline(always)]
    fn sum(self) -> f32 {
        let mut l = [0.0f32; 4];
        unsafe {
            let h = _mm_add_ps(
                _mm256_castps256_ps128(self.0),
                _mm256_extractf128_ps::<1>(self.0),
            );
            _mm_storeu_ps(l.as_mut_ptr(), h);
        }
        (l[0] + l[1]) + (l[2] + l[3])
    }
}

impl F32x8 {
    /// The first `n` (< 8) values at `p`, the other lanes zero; the masked
    /// lanes are not read.
    ///
    /// # Safety
    /// `p..p+n` must be readable.
    #[inline(always)]
    pub unsafe fn load_first(p: *const f32, n: usize) -> Self {
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), lanes);
        F32x8(_mm256_maskload_ps(p, mask))
    }
}
