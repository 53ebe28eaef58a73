//! Linear algebra: the 4-lane vector type and its maths (`simd`), the blocked
//! f32x4 GEMM (`kernel`), and the three products of a layer (`gemm`).
#[cfg(target_arch = "x86_64")]
pub mod avx512;
mod dots;
pub mod gemm;
pub mod kernel;
pub mod par;
pub mod reference;
pub mod simd;

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
