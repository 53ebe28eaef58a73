//! Linear algebra: the 4-lane vector type and its maths (`simd`), the blocked
//! f32x4 GEMM (`kernel`), the native x86 tiles in 16 or 8 lanes (`wide`),
//! and the three products of a layer (`gemm`).
mod dots;
pub mod gemm;
pub mod kernel;
pub mod par;
pub mod reference;
pub mod simd;
#[cfg(target_arch = "x86_64")]
pub mod wide;

use ndarray::{Array2, ArrayView2};

/// Rows `idx` of `x`, in that order: ndarray's `select` for the one case the
/// engine needs, without its general code (3 KB of the download).
pub fn gather_rows(x: ArrayView2<f32>, idx: &[usize]) -> Array2<f32> {
    let mut out = Vec::with_capacity(idx.len() * x.ncols());
    for &i in idx {
        out.extend(x.row(i).iter());
    }
    Array2::from_shape_vec((idx.len(), x.ncols()), out).expect("whole rows")
}
