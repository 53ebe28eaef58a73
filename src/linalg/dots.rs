//! The dot-product kernel for C = start + A·B when A's rows and B's columns
//! both run contiguously along k (dZ·Wᵀ): no transposed copy of W a step.

// Register tiles are indexed by row and column on purpose: with constant
// bounds the compiler keeps every accumulator in a register.
#![allow(clippy::needless_range_loop)]

use super::kernel::{MatRef, Start};
use crate::linalg::simd::F32x4;

/// C = start + A·B where A(i, ·) and B(·, j) are contiguous: 4 × 2 tiles of
/// dot products vectorised along k, summed across lanes at the end.
pub(crate) fn dots(a: MatRef, b: MatRef, start: Start, c: &mut [f32], ldc: usize) {
    let (m, n, k) = (a.rows, b.cols, a.cols);
    // Columns outer: each pair of B's columns is read once while A's rows,
    // the smaller side in every use (a batch, a chunk of rows), stay in cache.
    for j0 in (0..n).step_by(2) {
        let init = match start {
            Start::Zero => [0.0; 2],
            Start::Row(r) => [r[j0], r.get(j0 + 1).copied().unwrap_or(0.0)],
        };
        let whole = if n - j0 >= 2 { m / 4 * 4 } else { 0 };
        // SAFETY: `gemm` checked the operands and C against their slices;
        // every tile covers rows i0..i0+R ≤ m and columns j0..j0+C ≤ n.
        unsafe {
            let (bp, c0) = (b.data.as_ptr().add(j0 * b.cs), c.as_mut_ptr().add(j0));
            let at = |i: usize| (a.data.as_ptr().add(i * a.rs), c0.add(i * ldc));
            let (ap, cp) = at(0);
            dot_panel(k, ap, whole / 4, a.rs, bp, b.cs, init, cp, ldc);
            for i0 in (whole..m).step_by(4) {
                let (ap, cp) = at(i0);
                match (m - i0, n - j0) {
                    (1, 1) => dot_tile::<1, 1>(k, ap, a.rs, bp, b.cs, init, cp, ldc),
                    (2, 1) => dot_tile::<2, 1>(k, ap, a.rs, bp, b.cs, init, cp, ldc),
                    (3, 1) => dot_tile::<3, 1>(k, ap, a.rs, bp, b.cs, init, cp, ldc),
                    (_, 1) => dot_tile::<4, 1>(k, ap, a.rs, bp, b.cs, init, cp, ldc),
                    (1, _) => dot_tile::<1, 2>(k, ap, a.rs, bp, b.cs, init, cp, ldc),
                    (2, _) => dot_tile::<2, 2>(k, ap, a.rs, bp, b.cs, init, cp, ldc),
                    _ => dot_tile::<3, 2>(k, ap, a.rs, bp, b.cs, init, cp, ldc),
                }
            }
        }
    }
}

/// `groups` whole 4 × 2 dot tiles down one pair of B's columns, on its own
/// for the reason `panel` is.
///
/// # Safety
/// As `dot_tile::<4, 2>` for rows 0..4·groups.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn dot_panel(
    k: usize,
    a: *const f32,
    groups: usize,
    ars: usize,
    b: *const f32,
    bcs: usize,
    init: [f32; 2],
    c: *mut f32,
    ldc: usize,
) {
    for g in 0..groups {
        dot_tile::<4, 2>(
            k,
            a.add(4 * g * ars),
            ars,
            b,
            bcs,
            init,
            c.add(4 * g * ldc),
            ldc,
        );
    }
}

/// R rows of A against C columns of B, each a dot product over k.
///
/// # Safety
/// A: rows 0..R at stride `ars`, k contiguous values each; B: columns 0..C at
/// stride `bcs`, k contiguous values each; C: rows 0..R at stride `ldc`, C columns.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn dot_tile<const R: usize, const C: usize>(
    k: usize,
    a: *const f32,
    ars: usize,
    b: *const f32,
    bcs: usize,
    init: [f32; 2],
    c: *mut f32,
    ldc: usize,
) {
    let mut acc = [[F32x4::zero(); C]; R];
    let k4 = k / 4 * 4;
    for p in (0..k4).step_by(4) {
        let bv: [F32x4; C] = std::array::from_fn(|j| F32x4::load(b.add(j * bcs + p)));
        for r in 0..R {
            let av = F32x4::load(a.add(r * ars + p));
            for j in 0..C {
                acc[r][j] = acc[r][j].mul_add(av, bv[j]);
            }
        }
    }
    for r in 0..R {
        for j in 0..C {
            let l = acc[r][j].to_array();
            let mut s = (l[0] + l[1]) + (l[2] + l[3]);
            for p in k4..k {
                s += *a.add(r * ars + p) * *b.add(j * bcs + p);
            }
            *c.add(r * ldc + j) = init[j] + s;
        }
    }
}
