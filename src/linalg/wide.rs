//! The training products natively on x86 hosts with wide vectors: AVX-512
//! (16 lanes, `F32x16`) or else AVX2 + FMA (8 lanes, `F32x8`). C = start +
//! A·B in register tiles of 6 rows by 4 or 2 vectors (24 or 12
//! accumulators: the registers less room for B's vectors and A's
//! broadcast), A read in place at any strides, B row-major. The layers'
//! matrices fit in L2, so unlike matrixmultiply nothing is packed: packing
//! was 13% of a native training step, about half as long as the
//! multiply-adds themselves.
//!
//! Each element of C is one fused multiply-add chain over k in order, from
//! its start value: the same number whichever tile, panel or half of a
//! split it falls in.

// Tiles are indexed by row and column on purpose: with constant bounds the
// compiler keeps every accumulator in a register.
#![allow(clippy::needless_range_loop)]

use crate::linalg::kernel;
use crate::linalg::simd::{F32x16, F32x8, Lanes};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static OFF: AtomicBool = AtomicBool::new(false);

/// Whether the native passes use AVX-512: the host has it (checked once),
/// `AELAB_NO_AVX512` is not set, and `use_wide(false)` was not called.
pub fn avx512() -> bool {
    static YES: OnceLock<bool> = OnceLock::new();
    let yes = *YES.get_or_init(|| {
        is_x86_feature_detected!("avx512f") && std::env::var_os("AELAB_NO_AVX512").is_none()
    });
    yes && !OFF.load(Ordering::Relaxed)
}

/// Whether the products run on the 8-lane tiles instead: AVX-512 is not in
/// use, the host has AVX2 and FMA, `AELAB_NO_AVX2` is not set, and
/// `use_wide(false)` was not called.
pub fn avx2() -> bool {
    static YES: OnceLock<bool> = OnceLock::new();
    let yes = *YES.get_or_init(|| {
        is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
            && std::env::var_os("AELAB_NO_AVX2").is_none()
    });
    yes && !OFF.load(Ordering::Relaxed) && !avx512()
}

/// The wide vectors in use, by name, for benchmark output.
pub fn name() -> &'static str {
    match (avx512(), avx2()) {
        (true, _) => "AVX-512 tiles and 16 lanes",
        (_, true) => "AVX2 tiles and 4 lanes",
        _ => "matrixmultiply and 4 lanes",
    }
}

/// Turns the wide paths off (or back on, where the host has them), for
/// `aelab bench`'s side-by-side with matrixmultiply in one process. Results
/// differ between the two in the last bits, so never while a model trains.
pub fn use_wide(on: bool) {
    OFF.store(!on, Ordering::Relaxed);
}

/// A strided read-only operand: element (i, j) at `ptr + i*rs + j*cs`.
#[derive(Clone, Copy)]
pub struct Strided {
    pub ptr: *const f32,
    pub rs: usize,
    pub cs: usize,
}

/// One vector width's tiles: the shapes, and the entry points compiled for
/// its instruction set (into which `kernel::tile` and `dot_tile` inline).
pub trait Wide: Lanes {
    /// Vectors of C per tile row (a tile is 6 rows).
    const NV: usize;
    /// Rows and columns of a tile of dot products.
    const DOTS: usize;
    /// The shortest k the dot products take: below it matrixmultiply,
    /// which packs, was faster (measured per layer shape in `aelab bench`).
    const MIN_DOT_K: usize;
    /// Whether the tiles take an A whose rows are not contiguous (Xᵀ in
    /// Xᵀ·dZ); where not, matrixmultiply's packing of A was faster.
    const STRIDED_A: bool;
    /// # Safety
    /// As `tile`, on a host with this instruction set.
    #[allow(clippy::too_many_arguments)]
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
    );
    /// # Safety
    /// As `dot_tile`, on a host with this instruction set.
    #[allow(clippy::too_many_arguments)]
    unsafe fn dot_tile<const R: usize, const C: usize>(
        k: usize,
        a: *const f32,
        lda: usize,
        b: *const f32,
        ldb: usize,
        c: *mut f32,
        ldc: usize,
    );
    /// The first `n` (< N) values at `p`, the other lanes zero.
    ///
    /// # Safety
    /// `p..p+n` must be readable, on a host with this instruction set.
    unsafe fn load_first(p: *const f32, n: usize) -> Self;
}

/// Rows of C per tile.
pub const MR: usize = 6;

/// C (m × n at row stride `ldc`) = start + A (m × k) · B (k × n, row-major
/// at row stride `ldb`). `start`: n values added to every row, or None for
/// zero. n must be a multiple of W::N.
///
/// # Safety
/// The host has W's instruction set; A, B and C are valid for those shapes
/// and strides, `start` for n values, and C overlaps none of them.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm<W: Wide>(
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
    debug_assert!(n.is_multiple_of(W::N));
    let zero = [0.0f32; 64];
    for j0 in (0..n).step_by(W::N * W::NV) {
        let v = W::NV.min((n - j0) / W::N);
        let init = start.map_or(zero.as_ptr(), |s| s.add(j0));
        for i0 in (0..m).step_by(MR) {
            let r = MR.min(m - i0);
            let ap = a.ptr.add(i0 * a.rs);
            let (bp, cp) = (b.add(j0), c.add(i0 * ldc + j0));
            macro_rules! go {
                ($($rr:literal, $vv:literal);*) => {
                    match (r, v) {
                        $(($rr, $vv) => W::tile::<$rr, $vv>(k, ap, a.rs, a.cs, bp, ldb, init, cp, ldc),)*
                        _ => unreachable!("a tile is 1..=6 rows and 1..=4 vectors"),
                    }
                };
            }
            go!(6, 4; 6, 3; 6, 2; 6, 1; 5, 4; 5, 3; 5, 2; 5, 1; 4, 4; 4, 3; 4, 2; 4, 1;
                3, 4; 3, 3; 3, 2; 3, 1; 2, 4; 2, 3; 2, 2; 2, 1; 1, 4; 1, 3; 1, 2; 1, 1);
        }
    }
}

/// One R × N·V tile of C: `kernel::tile`, stored.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn tile<W: Lanes, const R: usize, const V: usize>(
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
    let acc = kernel::tile::<W, R, V>(k, a, ars, acs, b, ldb, init);
    for r in 0..R {
        for j in 0..V {
            acc[r][j].store(c.add(r * ldc + W::N * j));
        }
    }
}

/// C (m × n at row stride `ldc`) = A·B where A's rows and B's columns both
/// run contiguously along k (dZ·Wᵀ): tiles of dot products, the lanes
/// summed at the end, so W is never transposed.
///
/// # Safety
/// The host has W's instruction set; A (rows at stride `lda`), B (columns
/// at stride `ldb`) and C are valid for those shapes, and C overlaps
/// neither.
#[allow(clippy::too_many_arguments)]
pub unsafe fn dots<W: Wide>(
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
    for j0 in (0..n).step_by(W::DOTS) {
        let cols = W::DOTS.min(n - j0);
        for i0 in (0..m).step_by(W::DOTS) {
            let rows = W::DOTS.min(m - i0);
            let (ap, bp, cp) = (a.add(i0 * lda), b.add(j0 * ldb), c.add(i0 * ldc + j0));
            macro_rules! go {
                ($($rr:literal, $cc:literal);*) => {
                    match (rows, cols) {
                        $(($rr, $cc) => W::dot_tile::<$rr, $cc>(k, ap, lda, bp, ldb, cp, ldc),)*
                        _ => unreachable!("a dot tile is 1..=4 by 1..=4"),
                    }
                };
            }
            go!(4, 4; 4, 3; 4, 2; 4, 1; 3, 4; 3, 3; 3, 2; 3, 1;
                2, 4; 2, 3; 2, 2; 2, 1; 1, 4; 1, 3; 1, 2; 1, 1);
        }
    }
}

/// R rows of A against C columns of B, each a dot product over k in W's
/// lanes (the last partial vector zero-filled), then summed across them.
/// No closures: one is compiled apart from the caller's instruction set
/// and would not inline.
#[inline(always)]
unsafe fn dot_tile<W: Wide, const R: usize, const C: usize>(
    k: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
) {
    let mut acc = [[W::zero(); C]; R];
    let whole = k / W::N * W::N;
    for p in (0..whole).step_by(W::N) {
        dot_step(&mut acc, a.add(p), lda, b.add(p), ldb, W::N);
    }
    if whole < k {
        dot_step(&mut acc, a.add(whole), lda, b.add(whole), ldb, k - whole);
    }
    for r in 0..R {
        for j in 0..C {
            *c.add(r * ldc + j) = acc[r][j].sum();
        }
    }
}

/// One vector's worth of k (the first `n` lanes) into `dot_tile`'s sums.
#[inline(always)]
unsafe fn dot_step<W: Wide, const R: usize, const C: usize>(
    acc: &mut [[W; C]; R],
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    n: usize,
) {
    let mut av = [W::zero(); R];
    let mut bv = [W::zero(); C];
    for r in 0..R {
        av[r] = load_n(a.add(r * lda), n);
    }
    for j in 0..C {
        bv[j] = load_n(b.add(j * ldb), n);
    }
    for r in 0..R {
        for j in 0..C {
            acc[r][j] = acc[r][j].fma(av[r], bv[j]);
        }
    }
}

/// The first `n` values at `q`, whole or zero-filled.
#[inline(always)]
unsafe fn load_n<W: Wide>(q: *const f32, n: usize) -> W {
    if n == W::N {
        W::load(q)
    } else {
        W::load_first(q, n)
    }
}

/// `Wide` for one vector type: its shapes, and `tile` and `dot_tile`
/// compiled for its instruction set.
macro_rules! wide {
    ($t:ty, $features:literal, nv: $nv:expr, dots: $dots:expr, min_dot_k: $min:expr, strided_a: $strided:expr) => {
        impl Wide for $t {
            const NV: usize = $nv;
            const DOTS: usize = $dots;
            const MIN_DOT_K: usize = $min;
            const STRIDED_A: bool = $strided;
            #[target_feature(enable = $features)]
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
                tile::<Self, R, V>(k, a, ars, acs, b, ldb, init, c, ldc)
            }
            #[target_feature(enable = $features)]
            unsafe fn dot_tile<const R: usize, const C: usize>(
                k: usize,
                a: *const f32,
                lda: usize,
                b: *const f32,
                ldb: usize,
                c: *mut f32,
                ldc: usize,
            ) {
                dot_tile::<Self, R, C>(k, a, lda, b, ldb, c, ldc)
            }
            #[inline(always)]
            unsafe fn load_first(p: *const f32, n: usize) -> Self {
                <$t>::load_first(p, n)
            }
        }
    };
}

// 24 accumulators of 32 registers; the dots and the strided A as measured on
// Zen 4 (BENCHMARKS.md, "Native AVX-512 paths"). Below k = 16 a dot is one
// partial vector and a horizontal sum per value of C: the code layer's
// dZ·Wᵀ (128 × 10 · 10 × 64) went through 8,192 of them on the training
// thread alone, and is faster on matrixmultiply (Intel, the native
// autoencode phase's best of six 1.63 → 1.58 s).
wide!(F32x16, "avx512f", nv: 4, dots: 4, min_dot_k: 16, strided_a: true);

// 12 accumulators of 16 registers; 3 × 3 dots: nine accumulators, three of B
// and one of A. On Zen 2: dZ·Wᵀ at k = 784 90 against 80-86 GFLOP/s, at
// k = 64 67-78 against 96; Xᵀ·dZ for the 784-pixel layer 87-91 against
// 113-115 on matrixmultiply.
wide!(F32x8, "avx2,fma", nv: 2, dots: 3, min_dot_k: 128, strided_a: false);
