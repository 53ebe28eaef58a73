//! F32x4 on wasm32 simd128 (`v128`), with relaxed SIMD's fused multiply-add
//! where the build enables it.

use core::arch::wasm32::*;

#[derive(Clone, Copy)]
pub struct F32x4(v128);

impl F32x4 {
    #[inline(always)]
    pub fn zero() -> Self {
        F32x4(f32x4_splat(0.0))
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub unsafe fn load(p: *const f32) -> Self {
        F32x4(v128_load(p as *const v128))
    }
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    pub unsafe fn splat_from(p: *const f32) -> Self {
        F32x4(v128_load32_splat(p as *const u32))
    }
    /// # Safety
    /// `p..p+4` must be writable.
    #[inline(always)]
    pub unsafe fn store(self, p: *mut f32) {
        v128_store(p as *mut v128, self.0)
    }
    /// self + a·b
    #[cfg(not(target_feature = "relaxed-simd"))]
    #[inline(always)]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        F32x4(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
    }
    /// self + a·b, fused where the hardware has FMA (relaxed SIMD).
    #[cfg(target_feature = "relaxed-simd")]
    #[inline(always)]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        F32x4(f32x4_relaxed_madd(a.0, b.0, self.0))
    }
    #[inline(always)]
    pub fn add(self, o: Self) -> Self {
        F32x4(f32x4_add(self.0, o.0))
    }
    #[inline(always)]
    pub fn splat(v: f32) -> Self {
        F32x4(f32x4_splat(v))
    }
    #[inline(always)]
    pub fn sub(self, o: Self) -> Self {
        F32x4(f32x4_sub(self.0, o.0))
    }
    #[inline(always)]
    pub fn mul(self, o: Self) -> Self {
        F32x4(f32x4_mul(self.0, o.0))
    }
    #[inline(always)]
    pub fn div(self, o: Self) -> Self {
        F32x4(f32x4_div(self.0, o.0))
    }
    /// Lane-wise min/max, NaN-propagating in neither argument order
    /// that matters here (inputs are clamped finite values).
    #[inline(always)]
    pub fn min(self, o: Self) -> Self {
        F32x4(f32x4_pmin(self.0, o.0))
    }
    #[inline(always)]
    pub fn max(self, o: Self) -> Self {
        F32x4(f32x4_pmax(self.0, o.0))
    }
    /// 2^n for lanes holding integers n in -126..=127.
    #[inline(always)]
    pub fn pow2i(self) -> Self {
        let n = i32x4_trunc_sat_f32x4(self.0);
        F32x4(i32x4_shl(i32x4_add(n, i32x4_splat(127)), 23))
    }
    /// (m, e) with self = m·2^e and m in [0.5, 1), for normal positive lanes.
    #[inline(always)]
    pub fn frexp(self) -> (Self, Self) {
        let e = i32x4_sub(u32x4_shr(self.0, 23), i32x4_splat(126));
        let m = v128_or(
            v128_and(self.0, i32x4_splat(0x007f_ffff)),
            i32x4_splat(0x3f00_0000),
        );
        (F32x4(m), F32x4(f32x4_convert_i32x4(e)))
    }
    #[inline(always)]
    pub fn sqrt(self) -> Self {
        F32x4(f32x4_sqrt(self.0))
    }
    /// 0 in the lanes whose magnitude is below `limit`'s, the lane itself
    /// elsewhere (NaN included).
    #[inline(always)]
    pub fn zero_if_below(self, limit: Self) -> Self {
        F32x4(v128_andnot(self.0, f32x4_lt(f32x4_abs(self.0), limit.0)))
    }
    #[inline(always)]
    pub fn to_array(self) -> [f32; 4] {
        let mut a = [0.0; 4];
        // SAFETY: `a` has room for four lanes.
        unsafe { self.store(a.as_mut_ptr()) };
        a
    }
}
