//! F32x16 on x86_64 AVX-512: the same lane operations as `F32x4`, sixteen
//! at a time, for the native passes that run on AVX-512 hosts.
//!
//! Its methods are plain `#[inline(always)]` functions: they are only
//! reached from functions compiled with `#[target_feature(enable =
//! "avx512f")]` (called after `linalg::wide::avx512()`), into which
//! they and the intrinsics inline.

use super::Lanes;
use core::arch::x86_64::*;

#[derive(Clone, Copy)]
pub struct F32x16(__m512);

// SAFETY (every method): reached only on AVX-512 hosts, as above.
impl Lanes for F32x16 {
    const N: usize = 16;
    #[inline(always)]
    fn zero() -> Self {
        F32x16(unsafe { _mm512_setzero_ps() })
    }
    #[inline(always)]
    fn splat(v: f32) -> Self {
        F32x16(unsafe { _mm512_set1_ps(v) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        F32x16(_mm512_loadu_ps(p))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        _mm512_storeu_ps(p, self.0)
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        F32x16(unsafe { _mm512_add_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        F32x16(unsafe { _mm512_sub_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        F32x16(unsafe { _mm512_mul_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        F32x16(unsafe { _mm512_div_ps(self.0, o.0) })
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        F32x16(unsafe { _mm512_add_ps(self.0, _mm512_mul_ps(a.0, b.0)) })
    }
    #[inline(always)]
    fn fma(self, a: Self, b: Self) -> Self {
        F32x16(unsafe { _mm512_fmadd_ps(a.0, b.0, self.0) })
    }
    /// As `F32x4::min`: b < a ? b : a.
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        F32x16(unsafe { _mm512_min_ps(o.0, self.0) })
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        F32x16(unsafe { _mm512_max_ps(o.0, self.0) })
    }
    #[inline(always)]
    fn pow2i(self) -> Self {
        unsafe {
            let n = _mm512_cvttps_epi32(self.0);
            F32x16(_mm512_castsi512_ps(_mm512_slli_epi32::<23>(
                _mm512_add_epi32(n, _mm512_set1_epi32(127)),
            )))
        }
    }
    #[inline(always)]
    fn frexp(self) -> (Self, Self) {
        unsafe {
            let bits = _mm512_castps_si512(self.0);
            let e = _mm512_sub_epi32(_mm512_srli_epi32::<23>(bits), _mm512_set1_epi32(126));
            let m = _mm512_or_si512(
                _mm512_and_si512(bits, _mm512_set1_epi32(0x007f_ffff)),
                _mm512_set1_epi32(0x3f00_0000),
            );
            (
                F32x16(_mm512_castsi512_ps(m)),
                F32x16(_mm512_cvtepi32_ps(e)),
            )
        }
    }
    #[inline(always)]
    fn sum(self) -> f32 {
        unsafe { _mm512_reduce_add_ps(self.0) }
    }
}

impl F32x16 {
    /// The first `n` (< 16) values at `p`, the other lanes zero; the masked
    /// lanes are not read.
    ///
    /// # Safety
    /// `p..p+n` must be readable.
    #[inline(always)]
    pub unsafe fn load_first(p: *const f32, n: usize) -> Self {
        F32x16(_mm512_maskz_loadu_ps((1u16 << n) - 1, p))
    }
}
