//! The training products natively on AVX-512 hosts: C = start + A·B in
//! 6 × 64 register tiles (24 accumulators of 16 lanes), A read in place at
//! any strides, B row-major. The layers' matrices fit in L2, so unlike
//! matrixmultiply nothing is packed: packing was 13% of a native training
//! step, about half as long as the multiply-adds themselves.
//!
//! Each element of C is one fused multiply-add chain over k in order, from
//! its start value: the same number whichever tile, panel or half of a
//! split it falls in.

// Tiles are indexed by row and column on purpose: with constant bounds the
// compiler keeps every accumulator in a register.
#![allow(clippy::needless_range_loop)]

use crate::linalg::kernel;
use crate::linalg::simd::{F32x16, Lanes};
use std::arch::x86_64::{
    __mmask16, _mm512_fmadd_ps, _mm512_maskz_loadu_ps, _mm512_reduce_add_ps, _mm512_setzero_ps,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Lanes of a vector.
const L: usize = 16;
/// Rows of C per tile.
const MR: usize = 6;
/// Vectors of C per tile row.
const NV: usize = 4;

static OFF: AtomicBool = AtomicBool::new(false);

/// Whether the native passes use AVX-512: the host has it (checked once),
/// `AELAB_NO_AVX512` is not set, and `use_avx512(false)` was not called.
pub fn available() -> bool {
    static YES: OnceLock<bool> = OnceLock::new();
    let yes = *YES.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::env::var_os("AELAB_NO_AVX512").is_none()
    });
    yes && !OFF.load(Ordering::Relaxed)
}

/// Turns the AVX-512 paths off (or back on, where the host has them), for
/// `aelab bench`'s side-by-side of the two in one process. Results differ
/// between the two in the last bits, so never while a model trains.
pub fn use_avx512(on: bool) {
    OFF.store(!on, Ordering::Relaxed);
}

/// A strided read-only operand: element (i, j) at `ptr + i*rs + j*cs`.
#[derive(Clone, Copy)]
pub struct Strided {
    pub ptr: *const f32,
    pub rs: usize,
    pub cs: usize,
}

/// C (m × n at row stride `ldc`) = start + A (m × k) · B (k × n, row-major
/// at row stride `ldb`). `start`: n values added to every row, or None for
/// zero. n must be a multiple of 16.
///
/// # Safety
/// `available()` is true; A, B and C are valid for those shapes and
/// strides, `start` for n values, and C overlaps none of them.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: Strided,
    b: *const f32,
    ldb: usize,
    start: Option<*const f32>,
    c: *mut f32,
    ldc: usize,
) {
    debug_assert!(n.is_multiple_of(L));
    let zero = [0.0f32; L * NV];
    for j0 in (0..n).step_by(L * NV) {
        let v = NV.min((n - j0) / L);
        let init = start.map_or(zero.as_ptr(), |s| s.add(j0));
        for i0 in (0..m).step_by(MR) {
            let r = MR.min(m - i0);
            let ap = a.ptr.add(i0 * a.rs);
            let (bp, cp) = (b.add(j0), c.add(i0 * ldc + j0));
            macro_rules! go {
                ($($rr:literal, $vv:literal);*) => {
                    match (r, v) {
                        $(($rr, $vv) => tile::<$rr, $vv>(k, ap, a.rs, a.cs, bp, ldb, init, cp, ldc),)*
                        _ => unreachable!("a tile is 1..=6 rows and 1..=4 vectors"),
                    }
                };
            }
            go!(6, 4; 6, 3; 6, 2; 6, 1; 5, 4; 5, 3; 5, 2; 5, 1; 4, 4; 4, 3; 4, 2; 4, 1;
                3, 4; 3, 3; 3, 2; 3, 1; 2, 4; 2, 3; 2, 2; 2, 1; 1, 4; 1, 3; 1, 2; 1, 1);
        }
    }
}

/// One R × 16V tile of C: `kernel::tile` in 16 lanes, stored.
///
/// # Safety
/// As `gemm`, for rows 0..R of A and C and columns 0..16V of B, C and init.
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx512f")]
unsafe fn tile<const R: usize, const V: usize>(
    k: usize,
    a: *const f32,
    ars: usize,
    acs: usize,
    b: *const f32,
    ldb: usize,
    init: *const f32,
    c: *mut f32,
    ldc: usize,
) {
    let acc = kernel::tile::<F32x16, R, V>(k, a, ars, acs, b, ldb, init);
    for r in 0..R {
        for j in 0..V {
            acc[r][j].store(c.add(r * ldc + L * j));
        }
    }
}

/// C (m × n at row stride `ldc`) = A·B where A's rows and B's columns both
/// run contiguously along k (dZ·Wᵀ): 4 × 4 tiles of dot products in 16
/// lanes, the lanes summed at the end, so W is never transposed.
///
/// # Safety
/// `available()` is true; A (rows at stride `lda`), B (columns at stride
/// `ldb`) and C are valid for those shapes, and C overlaps neither.
#[allow(clippy::too_many_arguments)]
pub unsafe fn dots(
    m: usize,
    k: usize,
    n: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
) {
    for j0 in (0..n).step_by(4) {
        let cols = 4.min(n - j0);
        for i0 in (0..m).step_by(4) {
            let rows = 4.min(m - i0);
            let (ap, bp, cp) = (a.add(i0 * lda), b.add(j0 * ldb), c.add(i0 * ldc + j0));
            macro_rules! go {
                ($($rr:literal, $cc:literal);*) => {
                    match (rows, cols) {
                        $(($rr, $cc) => dot_tile::<$rr, $cc>(k, ap, lda, bp, ldb, cp, ldc),)*
                        _ => unreachable!("a dot tile is 1..=4 by 1..=4"),
                    }
                };
            }
            go!(4, 4; 4, 3; 4, 2; 4, 1; 3, 4; 3, 3; 3, 2; 3, 1;
                2, 4; 2, 3; 2, 2; 2, 1; 1, 4; 1, 3; 1, 2; 1, 1);
        }
    }
}

/// R rows of A against C columns of B, each a dot product over k in 16
/// lanes (the last partial vector masked), then summed across the lanes.
///
/// # Safety
/// As `dots`, for rows 0..R of A and C and columns 0..C of B and C.
#[target_feature(enable = "avx512f")]
unsafe fn dot_tile<const R: usize, const C: usize>(
    k: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
) {
    let mut acc = [[_mm512_setzero_ps(); C]; R];
    let mut step = |p: usize, mask: __mmask16| {
        let mut bv = [_mm512_setzero_ps(); C];
        for j in 0..C {
            bv[j] = _mm512_maskz_loadu_ps(mask, b.add(j * ldb + p));
        }
        for r in 0..R {
            let x = _mm512_maskz_loadu_ps(mask, a.add(r * lda + p));
            for j in 0..C {
                acc[r][j] = _mm512_fmadd_ps(x, bv[j], acc[r][j]);
            }
        }
    };
    let whole = k / L * L;
    for p in (0..whole).step_by(L) {
        step(p, !0);
    }
    if whole < k {
        step(whole, (1u16 << (k - whole)) - 1);
    }
    for r in 0..R {
        for j in 0..C {
            *c.add(r * ldc + j) = _mm512_reduce_add_ps(acc[r][j]);
        }
    }
}
