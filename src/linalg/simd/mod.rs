//! Four f32 lanes, the one vector type the GEMM kernel is written in.
//! wasm32 + simd128 uses `v128`, x86_64 uses SSE (always present there), and
//! anything else falls back to a plain array, so the same kernel is tested
//! natively and runs at full width in the browser.

// Named methods (`a.add(b)`) rather than operator traits: the kernels read
// as the instruction sequence they compile to.
#![allow(clippy::should_implement_trait)]

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[path = "wasm.rs"]
mod imp;

#[cfg(target_arch = "x86_64")]
#[path = "x86.rs"]
mod imp;

#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
#[path = "scalar.rs"]
mod imp;

pub use imp::F32x4;

mod passes;
pub use passes::{all_finite, column_sums, map_in_place};

#[cfg(target_arch = "x86_64")]
mod x86_avx512;
#[cfg(target_arch = "x86_64")]
pub use x86_avx512::F32x16;
#[cfg(target_arch = "x86_64")]
mod x86_avx2;
#[cfg(target_arch = "x86_64")]
pub use x86_avx2::F32x8;

/// The largest argument `F32x4::exp` takes; larger ones are lowered to it.
pub const EXP_MAX_ARG: f32 = 88.3;

/// The lane operations the maths below and the fused passes are written
/// in: `F32x4` everywhere, and natively on AVX-512 hosts `F32x16`
/// (`x86_avx512`), so one source serves both widths. Each is the same
/// IEEE operation in every lane, so a value's result does not depend on
/// the width it went through.
pub trait Lanes: Copy {
    /// Values per vector.
    const N: usize;
    fn zero() -> Self;
    fn splat(v: f32) -> Self;
    /// # Safety
    /// `p..p+N` must be readable.
    unsafe fn load(p: *const f32) -> Self;
    /// # Safety
    /// `p..p+N` must be writable.
    unsafe fn store(self, p: *mut f32);
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    /// self + a·b, multiply and add rounded apart.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// self + a·b as the GEMM kernels take it: `mul_add` in `F32x4` (so
    /// the browser's SIMD build and native SSE agree), one fused rounding
    /// in `F32x16` (twice the rate, and matrixmultiply fuses too).
    fn fma(self, a: Self, b: Self) -> Self;
    /// All lanes set to `*p`.
    ///
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    unsafe fn splat_from(p: *const f32) -> Self {
        Self::splat(*p)
    }
    fn min(self, o: Self) -> Self;
    fn max(self, o: Self) -> Self;
    /// 2^n for lanes holding integers n in -126..=127.
    fn pow2i(self) -> Self;
    /// (m, e) with self = m·2^e and m in [0.5, 1), for normal positive lanes.
    fn frexp(self) -> (Self, Self);
    /// The lanes' sum, in a fixed order.
    fn sum(self) -> f32;
}

impl Lanes for F32x4 {
    const N: usize = 4;
    #[inline(always)]
    fn zero() -> Self {
        F32x4::zero()
    }
    #[inline(always)]
    fn splat(v: f32) -> Self {
        F32x4::splat(v)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        F32x4::load(p)
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        F32x4::store(self, p)
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        F32x4::add(self, o)
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        F32x4::sub(self, o)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        F32x4::mul(self, o)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        F32x4::div(self, o)
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        F32x4::mul_add(self, a, b)
    }
    #[inline(always)]
    fn fma(self, a: Self, b: Self) -> Self {
        F32x4::mul_add(self, a, b)
    }
    #[inline(always)]
    unsafe fn splat_from(p: *const f32) -> Self {
        F32x4::splat_from(p)
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        F32x4::min(self, o)
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        F32x4::max(self, o)
    }
    #[inline(always)]
    fn pow2i(self) -> Self {
        F32x4::pow2i(self)
    }
    #[inline(always)]
    fn frexp(self) -> (Self, Self) {
        F32x4::frexp(self)
    }
    #[inline(always)]
    fn sum(self) -> f32 {
        F32x4::sum(self)
    }
}

/// e^x within 2 ulp on -87.3..88.3 (inputs are clamped there), the
/// Cephes polynomial; the same operations on every platform and width.
#[inline(always)]
pub fn exp<V: Lanes>(x: V) -> V {
    let x = x.max(V::splat(-87.3)).min(V::splat(EXP_MAX_ARG));
    // Round to nearest by the 1.5·2^23 trick: only adds, so it is the
    // same on SSE2, wasm and the fallback.
    let magic = V::splat(12_582_912.0);
    let n = x
        .mul(V::splat(std::f32::consts::LOG2_E))
        .add(magic)
        .sub(magic);
    let r = x
        .sub(n.mul(V::splat(0.693_359_4)))
        .sub(n.mul(V::splat(-2.121_944_4e-4)));
    let mut p = V::splat(1.987_569_1e-4);
    for c in [
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        0.166_666_65,
        0.5,
    ] {
        p = p.mul(r).add(V::splat(c));
    }
    let y = p.mul(r.mul(r)).add(r).add(V::splat(1.0));
    y.mul(n.pow2i())
}

/// ln x for x ≥ 1e-30 (smaller lanes are raised to it), within 2e-7:
/// x = m·2^e with m in [0.5, 1); ln(m·√2) by the Cephes polynomial on
/// [√½ − 1, √2 − 1] (no division, no branch).
#[inline(always)]
pub fn ln<V: Lanes>(x: V) -> V {
    let (m, e) = x.max(V::splat(1e-30)).frexp();
    let x = m.mul(V::splat(std::f32::consts::SQRT_2)).sub(V::splat(1.0));
    let z = x.mul(x);
    let mut p = V::splat(7.037_683_6e-2);
    for c in [
        -1.151_461e-1,
        1.167_699_9e-1,
        -1.242_014_1e-1,
        1.424_932_3e-1,
        -1.666_805_8e-1,
        2.000_071_4e-1,
        -2.499_999_4e-1,
        3.333_333e-1,
    ] {
        p = p.mul(x).add(V::splat(c));
    }
    let ln_1px = x.add(p.mul(x).mul(z)).sub(V::splat(0.5).mul(z));
    // ln x = ln(m√2) + (e − ½)·ln 2
    ln_1px.add(e.sub(V::splat(0.5)).mul(V::splat(std::f32::consts::LN_2)))
}

impl F32x4 {
    /// `exp` on four lanes.
    #[inline(always)]
    pub fn exp(self) -> Self {
        exp(self)
    }

    /// `ln` on four lanes.
    #[inline(always)]
    pub fn ln(self) -> Self {
        ln(self)
    }

    /// The four lanes' sum.
    #[inline(always)]
    pub fn sum(self) -> f32 {
        let l = self.to_array();
        (l[0] + l[1]) + (l[2] + l[3])
    }

    /// 1 / (1 + e^-x).
    #[inline(always)]
    pub fn sigmoid(self) -> Self {
        let one = Self::splat(1.0);
        one.div(one.add(Self::zero().sub(self).exp()))
    }
}

impl F32x4 {
    /// The first four values of `v`.
    ///
    /// # Panics
    /// If `v` holds fewer than four.
    #[inline(always)]
    pub fn first4(v: &[f32]) -> Self {
        assert!(v.len() >= 4);
        // SAFETY: checked just above.
        unsafe { F32x4::load(v.as_ptr()) }
    }

    /// Writes the four lanes into `v[..4]`.
    ///
    /// # Panics
    /// If `v` holds fewer than four.
    #[inline(always)]
    pub fn write4(self, v: &mut [f32]) {
        assert!(v.len() >= 4);
        // SAFETY: checked just above.
        unsafe { self.store(v.as_mut_ptr()) }
    }
}

impl From<[f32; 4]> for F32x4 {
    fn from(a: [f32; 4]) -> Self {
        // SAFETY: `a` holds four values.
        unsafe { F32x4::load(a.as_ptr()) }
    }
}
