//! The three matrix products a dense layer needs, written into caller-owned
//! buffers so a training step allocates nothing. In the browser they run on
//! our f32x4 kernel (`kernel`); natively on ndarray's matrixmultiply, whose
//! AVX/FMA kernels are faster there than 4-lane SSE.

use crate::kernel::{self, MatRef, Start};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2};

/// Whether the products go through `kernel` (wasm) or matrixmultiply (native).
pub const OWN_KERNEL: bool = cfg!(target_arch = "wasm32");

fn as_mat<'a>(x: &'a ArrayView2<'a, f32>) -> Option<MatRef<'a>> {
    x.as_slice()
        .map(|s| MatRef::row_major(s, x.nrows(), x.ncols()))
}

fn owned(x: &Array2<f32>) -> MatRef<'_> {
    let s = x.as_slice().expect("layer buffers are standard layout");
    MatRef::row_major(s, x.nrows(), x.ncols())
}

fn out(y: &mut Array2<f32>) -> (&mut [f32], usize) {
    let ld = y.ncols();
    (
        y.as_slice_mut().expect("layer buffers are standard layout"),
        ld,
    )
}

/// y = x·w + b (b broadcast over rows).
pub fn affine(x: ArrayView2<f32>, w: &Array2<f32>, b: &Array1<f32>, y: &mut Array2<f32>) {
    if let (true, Some(xm), Some(bs)) = (OWN_KERNEL, as_mat(&x), b.as_slice()) {
        let (ys, ld) = out(y);
        return kernel::gemm(xm, owned(w), Start::Row(bs), ys, ld);
    }
    for mut row in y.rows_mut() {
        row.assign(b);
    }
    general_mat_mul(1.0, &x, w, 1.0, y);
}

/// dw = xᵀ·dz, db = Σ_rows dz.
pub fn weight_grads(
    x: ArrayView2<f32>,
    dz: &Array2<f32>,
    dw: &mut Array2<f32>,
    db: &mut Array1<f32>,
) {
    db.fill(0.0);
    match (db.as_slice_mut(), dz.as_slice()) {
        // Column sums as plain slice loops, which vectorise.
        (Some(d), Some(z)) if !d.is_empty() => {
            for row in z.chunks_exact(d.len()) {
                for (s, v) in d.iter_mut().zip(row) {
                    *s += v;
                }
            }
        }
        _ => {
            for row in dz.rows() {
                *db += &row;
            }
        }
    }
    if let (true, Some(xm)) = (OWN_KERNEL, as_mat(&x)) {
        let (ws, ld) = out(dw);
        return kernel::gemm(xm.t(), owned(dz), Start::Zero, ws, ld);
    }
    general_mat_mul(1.0, &x.t(), dz, 0.0, dw);
}

/// dx = dz·wᵀ (also any A·Bᵀ, e.g. the similarity of two sets of rows).
pub fn input_grad(dz: ArrayView2<f32>, w: ArrayView2<f32>, dx: &mut Array2<f32>) {
    if let (true, Some(a), Some(b)) = (OWN_KERNEL, as_mat(&dz), as_mat(&w)) {
        let (xs, ld) = out(dx);
        return kernel::gemm(a, b.t(), Start::Zero, xs, ld);
    }
    general_mat_mul(1.0, &dz, &w.t(), 0.0, dx);
}
