//! A blocked f32 GEMM on strided matrices: C = start + A·B, computed in
//! 4×8 register tiles of `F32x4` lanes (2×16 for Xᵀ·dZ on whole 16-column
//! panels). Strides let one kernel serve X·W and Xᵀ·dZ without copying A; B
//! is copied into a reused buffer only when its width is not a multiple of 8. dZ·Wᵀ, where A's rows and B's columns both
//! run contiguously along k, goes to a dot-product kernel (`dots`) instead of
//! transposing W every step.

// Register tiles are indexed by row and column on purpose: with constant
// bounds the compiler keeps every accumulator in a register.
#![allow(clippy::needless_range_loop)]

use crate::linalg::simd::{F32x4, Lanes};
use std::cell::RefCell;

/// Rows of C per tile.
const MR: usize = 4;
/// Columns of C per tile: two vectors.
const NR: usize = 8;
/// Rows of A per cache block.
const MC: usize = 128;

/// A read-only strided matrix: element (i, j) is `data[i*rs + j*cs]`.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major matrix with `cols` elements per row.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        MatRef {
            data,
            rows,
            cols,
            rs: cols,
            cs: 1,
        }
    }

    /// The transpose, without copying.
    pub fn t(self) -> Self {
        MatRef {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }

    fn fits(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.rs + (self.cols - 1) * self.cs < self.data.len()
    }
}

/// What C starts from before A·B is added.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a> {
    Zero,
    /// A row added to every row of C (a layer's bias).
    Row(&'a [f32]),
}

thread_local! {
    /// Packed B, grown to the largest size seen and then reused: no
    /// allocation per training step.
    static PACKED: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// C (m × n, row-major with row stride `ldc`) = start + A (m × k) · B (k × n).
///
/// # Panics
/// On shapes that do not fit together or slices too short for them: callers
/// size every buffer from the model, so this is a bug, never bad user input.
pub fn gemm(a: MatRef, b: MatRef, start: Start, c: &mut [f32], ldc: usize) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(b.rows, k, "gemm: inner dimensions differ");
    assert!(a.fits() && b.fits(), "gemm: operand slice too short");
    assert!(
        m == 0 || (ldc >= n && (m - 1) * ldc + n <= c.len()),
        "gemm: output slice too short"
    );
    if let Start::Row(r) = start {
        assert_eq!(r.len(), n, "gemm: start row has the wrong length");
    }
    if m == 0 || n == 0 {
        return;
    }
    // Dot products need k to fill their vectors; short ones go to the tiles.
    if a.cs == 1 && b.rs == 1 && b.cs != 1 && k >= 32 {
        super::dots::dots(a, b, start, c, ldc);
    } else if b.cs == 1 && n % NR == 0 {
        tiles(a, b.data, b.rs, n, start, c, ldc);
    } else {
        PACKED.with(|p| {
            let mut packed = p.borrow_mut();
            let ldb = n.div_ceil(NR) * NR;
            pack(b, ldb, &mut packed);
            tiles(a, &packed, ldb, n, start, c, ldc);
        });
    }
}

/// Copies B row-major into `out` with row stride `ldb`, zero padding.
fn pack(b: MatRef, ldb: usize, out: &mut Vec<f32>) {
    out.clear();
    out.resize(b.rows * ldb, 0.0);
    for (p, row) in out.chunks_exact_mut(ldb).enumerate() {
        for (j, v) in row[..b.cols].iter_mut().enumerate() {
            *v = b.data[p * b.rs + j * b.cs];
        }
    }
}

/// Walks C in tiles. B is row-major with stride `ldb` and at least
/// round_up(n, NR) readable columns per row.
fn tiles(a: MatRef, b: &[f32], ldb: usize, n: usize, start: Start, c: &mut [f32], ldc: usize) {
    let (m, k) = (a.rows, a.cols);
    debug_assert!(k == 0 || (k - 1) * ldb + n.div_ceil(NR) * NR <= b.len());
    // Xᵀ·dZ (A's rows adjacent) on whole 16-column panels runs 2 × 16 tiles,
    // which write each 64-byte line of C at once: with 4 × 8 tiles the two
    // halves of a line of dW₁ (784 × 64) were written a block apart, and the
    // product ran 8% slower.
    let wide = a.rs == 1 && n.is_multiple_of(2 * NR);
    let (width, tile_rows) = if wide { (2 * NR, 2) } else { (NR, MR) };
    // Blocks of MC rows of A stay in L2 while every panel of B passes; one
    // panel (k × width) stays in L1 while the block's tiles use it.
    for i_blk in (0..m).step_by(MC) {
        let i_end = (i_blk + MC).min(m);
        for j0 in (0..n).step_by(width) {
            let cols = width.min(n - j0);
            let mut init = [0.0f32; 2 * NR];
            if let Start::Row(r) = start {
                init[..cols].copy_from_slice(&r[j0..j0 + cols]);
            }
            // Whole tiles take the fast path; the last rows and a narrow
            // last panel take `edge`, 8 columns at a time.
            let whole = if cols == width {
                (i_end - i_blk) / tile_rows * tile_rows
            } else {
                0
            };
            // SAFETY: `gemm` checked that A's rows i_blk..i_end and columns
            // 0..k, B's rows 0..k and padded columns j0..j0+width, and C's
            // rows i_blk..i_end and columns j0..j0+cols lie inside their
            // slices.
            unsafe {
                let (bp, ip, c0) = (b.as_ptr().add(j0), init.as_ptr(), c.as_mut_ptr().add(j0));
                let at = |i: usize| (a.data.as_ptr().add(i * a.rs), c0.add(i * ldc));
                let (ap, cp) = at(i_blk);
                let groups = whole / tile_rows;
                match (wide, a.rs == 1) {
                    (true, _) => panel::<true, 2, 4>(k, ap, groups, 1, a.cs, bp, ldb, ip, cp, ldc),
                    (false, true) => {
                        panel::<true, MR, 2>(k, ap, groups, 1, a.cs, bp, ldb, ip, cp, ldc)
                    }
                    (false, false) => {
                        panel::<false, MR, 2>(k, ap, groups, a.rs, a.cs, bp, ldb, ip, cp, ldc)
                    }
                }
                let rest = i_end - i_blk - whole;
                if rest > 0 {
                    let (ap, cp) = at(i_blk + whole);
                    for h in (0..cols).step_by(NR) {
                        let init = init[h..h + NR].try_into().expect("NR values");
                        let cols = NR.min(cols - h);
                        edge(
                            k,
                            ap,
                            rest,
                            a.rs,
                            a.cs,
                            bp.add(h),
                            ldb,
                            init,
                            cp.add(h),
                            ldc,
                            cols,
                        );
                    }
                }
            }
        }
    }
}

/// `groups` whole R × 4V tiles down one panel of B: the hot loop of every
/// tiled product, kept small and on its own so that V8 holds all its values
/// in registers (inlined into the walk above, or sharing a function with
/// the edge cases, it spilled the loop counter and ran 5-10% slower).
/// `UNIT_ARS` fixes A's row stride at 1 (Xᵀ·dZ), so a tile's loads of A
/// sit at constant offsets.
///
/// # Safety
/// A: rows 0..groups·R at stride `ars`, columns 0..k at stride `acs`; B:
/// rows 0..k at stride `ldb`, 4V columns; `init`: 4V values; C: rows
/// 0..groups·R at stride `ldc`, 4V columns.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn panel<const UNIT_ARS: bool, const R: usize, const V: usize>(
    k: usize,
    a: *const f32,
    groups: usize,
    ars: usize,
    acs: usize,
    b: *const f32,
    ldb: usize,
    init: *const f32,
    c: *mut f32,
    ldc: usize,
) {
    let ars = if UNIT_ARS { 1 } else { ars };
    for g in 0..groups {
        let acc = tile::<F32x4, R, V>(k, a.add(g * R * ars), ars, acs, b, ldb, init);
        let cp = c.add(g * R * ldc);
        for r in 0..R {
            for j in 0..V {
                acc[r][j].store(cp.add(r * ldc + 4 * j));
            }
        }
    }
}

/// The tiles `panel` leaves, 8 columns wide: fewer rows than a tile, or
/// fewer than 8 columns.
///
/// # Safety
/// As `panel`, for `rows` rows and `cols` ≤ 8 columns of C.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn edge(
    k: usize,
    a: *const f32,
    rows: usize,
    ars: usize,
    acs: usize,
    b: *const f32,
    ldb: usize,
    init: &[f32; NR],
    c: *mut f32,
    ldc: usize,
    cols: usize,
) {
    for i0 in (0..rows).step_by(MR) {
        let (ap, init) = (a.add(i0 * ars), init.as_ptr());
        let r_n = MR.min(rows - i0);
        // A last panel at most 4 wide (the 10-wide layers) needs one vector.
        let acc = match (r_n, cols <= 4) {
            (1, false) => widen(tile::<F32x4, 1, 2>(k, ap, ars, acs, b, ldb, init)),
            (2, false) => widen(tile::<F32x4, 2, 2>(k, ap, ars, acs, b, ldb, init)),
            (3, false) => widen(tile::<F32x4, 3, 2>(k, ap, ars, acs, b, ldb, init)),
            (_, false) => tile::<F32x4, MR, 2>(k, ap, ars, acs, b, ldb, init),
            (1, true) => widen(tile::<F32x4, 1, 1>(k, ap, ars, acs, b, ldb, init)),
            (2, true) => widen(tile::<F32x4, 2, 1>(k, ap, ars, acs, b, ldb, init)),
            (3, true) => widen(tile::<F32x4, 3, 1>(k, ap, ars, acs, b, ldb, init)),
            (_, true) => widen(tile::<F32x4, MR, 1>(k, ap, ars, acs, b, ldb, init)),
        };
        for (r, [lo, hi]) in acc.iter().enumerate().take(r_n) {
            let mut out = [0.0f32; NR];
            lo.store(out.as_mut_ptr());
            hi.store(out.as_mut_ptr().add(4));
            std::ptr::copy_nonoverlapping(out.as_ptr(), c.add((i0 + r) * ldc), cols);
        }
    }
}

/// An R × 4V tile padded to MR × 8.
fn widen<const R: usize, const V: usize>(acc: [[F32x4; V]; R]) -> [[F32x4; 2]; MR] {
    let mut out = [[F32x4::zero(); 2]; MR];
    for (o, a) in out.iter_mut().zip(acc) {
        o[..V].copy_from_slice(&a);
    }
    out
}

/// One R × V-vector tile of A·B plus `init` on every row: the accumulators
/// stay in registers over all of k. Generic over the lanes so the native
/// AVX-512 tiles (`avx512`) are this loop too. Plain loops, no
/// `array::from_fn`: a closure is compiled apart from an AVX-512 caller
/// and would not inline.
///
/// # Safety
/// A: rows 0..R at stride `ars`, columns 0..k at stride `acs`; B: rows 0..k at
/// stride `ldb`, V·N columns; `init`: V·N values.
#[inline(always)]
pub(super) unsafe fn tile<L: Lanes, const R: usize, const V: usize>(
    k: usize,
    a: *const f32,
    ars: usize,
    acs: usize,
    b: *const f32,
    ldb: usize,
    init: *const f32,
) -> [[L; V]; R] {
    // Starting from the bias row saves adding it at the end.
    let mut row = [L::zero(); V];
    for j in 0..V {
        row[j] = L::load(init.add(L::N * j));
    }
    let mut acc = [row; R];
    for p in 0..k {
        let mut bv = [L::zero(); V];
        for j in 0..V {
            bv[j] = L::load(b.add(p * ldb + L::N * j));
        }
        let ap = a.add(p * acs);
        for r in 0..R {
            let x = L::splat_from(ap.add(r * ars));
            for j in 0..V {
                acc[r][j] = acc[r][j].fma(x, bv[j]);
            }
        }
    }
    acc
}
