//! F32x4 as a plain array, for every other target.

#[derive(Clone, Copy)]
pub struct F32x4([f32; 4]);

impl F32x4 {
    #[inline(always)]
    pub fn zero() -> Self {
        F32x4([0.0; 4])
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub unsafe fn load(p: *const f32) -> Self {
        F32x4(core::ptr::read_unaligned(p as *const [f32; 4]))
    }
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    pub unsafe fn splat_from(p: *const f32) -> Self {
        F32x4([*p; 4])
    }
    /// # Safety
    /// `p..p+4` must be writable.
    #[inline(always)]
    pub unsafe fn store(self, p: *mut f32) {
        core::ptr::write_unaligned(p as *mut [f32; 4], self.0)
    }
    #[inline(always)]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        F32x4(core::array::from_fn(|i| self.0[i] + a.0[i] * b.0[i]))
    }
    #[inline(always)]
    pub fn add(self, o: Self) -> Self {
        F32x4(core::array::from_fn(|i| self.0[i] + o.0[i]))
    }
    #[inline(always)]
    pub fn splat(v: f32) -> Self {
        F32x4([v; 4])
    }
    #[inline(always)]
    pub fn sub(self, o: Self) -> Self {
        F32x4(core::array::from_fn(|i| self.0[i] - o.0[i]))
    }
    #[inline(always)]
    pub fn mul(self, o: Self) -> Self {
        F32x4(core::array::from_fn(|i| self.0[i] * o.0[i]))
    }
    #[inline(always)]
    pub fn div(self, o: Self) -> Self {
        F32x4(core::array::from_fn(|i| self.0[i] / o.0[i]))
    }
    #[inline(always)]
    pub fn min(self, o: Self) -> Self {
        F32x4(core::array::from_fn(|i| {
            if o.0[i] < self.0[i] {
                o.0[i]
            } else {
                self.0[i]
            }
        }))
    }
    #[inline(always)]
    pub fn max(self, o: Self) -> Self {
        F32x4(core::array::from_fn(|i| {
            if self.0[i] < o.0[i] {
                o.0[i]
            } else {
                self.0[i]
            }
        }))
    }
    /// 2^n for lanes holding integers n in -126..=127.
    #[inline(always)]
    pub fn pow2i(self) -> Self {
        F32x4(
            self.0
                .map(|n| f32::from_bits(((n as i32 + 127) as u32) << 23)),
        )
    }
    /// (m, e) with self = m·2^e and m in [0.5, 1), for normal positive lanes.
    #[inline(always)]
    pub fn frexp(self) -> (Self, Self) {
        let m = self
            .0
            .map(|v| f32::from_bits((v.to_bits() & 0x007f_ffff) | 0x3f00_0000));
        let e = self.0.map(|v| ((v.to_bits() >> 23) as i32 - 126) as f32);
        (F32x4(m), F32x4(e))
    }
    #[inline(always)]
    pub fn sqrt(self) -> Self {
        F32x4(core::array::from_fn(|i| self.0[i].sqrt()))
    }
    /// 0 in the lanes whose magnitude is below `limit`'s, the lane itself
    /// elsewhere (NaN included).
    #[inline(always)]
    pub fn zero_if_below(self, limit: Self) -> Self {
        F32x4(core::array::from_fn(|i| {
            if self.0[i].abs() < limit.0[i] {
                0.0
            } else {
                self.0[i]
            }
        }))
    }
    #[inline(always)]
    pub fn to_array(self) -> [f32; 4] {
        let mut a = [0.0; 4];
        // SAFETY: `a` has room for four lanes.
        unsafe { self.store(a.as_mut_ptr()) };
        a
    }
}
