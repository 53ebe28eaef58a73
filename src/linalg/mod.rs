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

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};

/// Rows `idx` of `x`, in that order: ndarray's `select` for the one case the
/// engine needs, without its general code (3 KB of the download).
pub fn gather_rows(x: ArrayView2<f32>, idx: &[usize]) -> Array2<f32> {
    let mut out = Array2::zeros((idx.len(), x.ncols()));
    gather_rows_into(x, idx, out.view_mut());
    out
}

/// `gather_rows` into the first rows of `out` (a batch buffer), the two
/// halves at once natively when there are enough: rows scattered over a
/// training set wait on memory (5% of a native autoencode phase's samples,
/// on one core while the other spun), and two cores keep twice as many
/// reads in flight. A copy: the same bytes either way.
pub fn gather_rows_into(x: ArrayView2<f32>, idx: &[usize], mut out: ArrayViewMut2<f32>) {
    let copy = |idx: &[usize], mut out: ArrayViewMut2<f32>| {
        // Slice copies where the rows are contiguous (they always are in
        // the engine): ndarray's `assign` goes element by element.
        for (&i, mut row) in idx.iter().zip(out.rows_mut()) {
            match (row.as_slice_mut(), x.row(i).to_slice()) {
                (Some(d), Some(s)) => d.copy_from_slice(s),
                _ => row.assign(&x.row(i)),
            }
        }
    };
    let h = idx.len() / 2;
    let (i0, i1) = idx.split_at(h);
    let (o0, o1) = out.view_mut().split_at(Axis(0), h);
    if idx.len() * x.ncols() < par::MIN_SPLIT_PASS {
        copy(i0, o0);
        copy(i1, o1);
    } else {
        par::join(|| copy(i0, o0), || copy(i1, o1));
    }
}
