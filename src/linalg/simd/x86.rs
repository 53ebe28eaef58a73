//! F32x4 on x86_64 SSE (always present there).

use core::arch::x86_64::*;

#[derive(Clone, Copy)]
pub struct F32x4(__m128);

// SSE is part of x86_64, so these intrinsics are always available.
impl F32x4 {
    #[inline(always)]
    pub fn zero() -> Self {
        F32x4(unsafe { _mm_setzero_ps() })
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub unsafe fn load(p: *const f32) -> Self {
        F32x4(_mm_loadu_ps(p))
    }
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    pub unsafe fn splat_from(p: *const f32) -> Self {
        F32x4(_mm_set1_ps(*p))
    }
    /// # Safety
    /// `p..p+4` must be writable.
    #[inline(always)]
    pub unsafe fn store(self, p: *mut f32) {
        _mm_storeu_ps(p, self.0)
    }
    /// self + a·b (separate multiply and add, as in wasm: same rounding).
    #[inline(always)]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        F32x4(unsafe { _mm_add_ps(self.0, _mm_mul_ps(a.0, b.0)) })
    }
    #[inline(always)]
    pub fn add(self, o: Self) -> Self {
        F32x4(unsafe { _mm_add_ps(self.0, o.0) })
    }
    #[inline(always)]
    pub fn splat(v: f32) -> Self {
        F32x4(unsafe { _mm_set1_ps(v) })
    }
    #[inline(always)]
    pub fn sub(self, o: Self) -> Self {
        F32x4(unsafe { _mm_sub_ps(self.0, o.0) })
    }
    #[inline(always)]
    pub fn mul(self, o: Self) -> Self {
        F32x4(unsafe { _mm_mul_ps(self.0, o.0) })
    }
    #[inline(always)]
    pub fn div(self, o: Self) -> Self {
        F32x4(unsafe { _mm_div_ps(self.0, o.0) })
    }
    /// Lane-wise min/max with wasm's pmin/pmax semantics (b < a ? b : a).
    #[inline(always)]
    pub fn min(self, o: Self) -> Self {
        F32x4(unsafe { _mm_min_ps(o.0, self.0) })
    }
    #[inline(always)]
    pub fn max(self, o: Self) -> Self {
        F32x4(unsafe { _mm_max_ps(o.0, self.0) })
    }
    /// 2^n for lanes holding integers n in -126..=127.
    #[inline(always)]
    pub fn pow2i(self) -> Self {
        unsafe {
            let n = _mm_cvttps_epi32(self.0);
            F32x4(_mm_castsi128_ps(_mm_slli_epi32(
                _mm_add_epi32(n, _mm_set1_epi32(127)),
                23,
            )))
        }
    }
    /// (m, e) with self = m·2^e and m in [0.5, 1), for normal positive lanes.
    #[inline(always)]
    pub fn frexp(self) -> (Self, Self) {
        unsafe {
            let bits = _mm_castps_si128(self.0);
            let e = _mm_sub_epi32(_mm_srli_epi32(bits, 23), _mm_set1_epi32(126));
            let m = _mm_or_si128(
                _mm_and_si128(bits, _mm_set1_epi32(0x007f_ffff)),
                _mm_set1_epi32(0x3f00_0000),
            );
            (F32x4(_mm_castsi128_ps(m)), F32x4(_mm_cvtepi32_ps(e)))
        }
    }
    #[inline(always)]
    pub fn sqrt(self) -> Self {
        F32x4(unsafe { _mm_sqrt_ps(self.0) })
    }
    /// 0 in the lanes whose magnitude is below `limit`'s, the lane itself
    /// elsewhere (NaN included).
    #[inline(always)]
    pub fn zero_if_below(self, limit: Self) -> Self {
        unsafe {
            let abs = _mm_andnot_ps(_mm_set1_ps(-0.0), self.0);
            F32x4(_mm_andnot_ps(_mm_cmplt_ps(abs, limit.0), self.0))
        }
    }
    #[inline(always)]
    pub fn to_array(self) -> [f32; 4] {
        let mut a = [0.0; 4];
        // SAFETY: `a` has room for four lanes.
        unsafe { self.store(a.as_mut_ptr()) };
        a
    }
}
