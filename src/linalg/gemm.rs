//! The three matrix products a dense layer needs, written into caller-owned
//! buffers so a training step allocates nothing. In the browser they run on
//! our f32x4 kernel (`kernel`); natively on ndarray's matrixmultiply, whose
//! AVX-512/FMA kernels are faster there than 4-lane SSE. Plus `matmul`, for
//! the few small products elsewhere.

#[cfg(target_arch = "wasm32")]
use crate::linalg::kernel::{self, MatRef, Start};
#[cfg(not(target_arch = "wasm32"))]
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, LinalgScalar};

/// A row-major view of `x`, copied only if its layout is anything else (the
/// layer buffers never are).
#[cfg(target_arch = "wasm32")]
fn with_mat<R>(x: ArrayView2<f32>, f: impl FnOnce(MatRef) -> R) -> R {
    let x = x.as_standard_layout();
    let s = x.as_slice().expect("standard layout is contiguous");
    f(MatRef::row_major(s, x.nrows(), x.ncols()))
}

#[cfg(target_arch = "wasm32")]
fn out(y: &mut Array2<f32>) -> (&mut [f32], usize) {
    let ld = y.ncols();
    (
        y.as_slice_mut().expect("layer buffers are standard layout"),
        ld,
    )
}

/// A·B for the small products off the training path (ITQ's rotations, and
/// folding one into the weights): a plain loop, the same arithmetic on every
/// platform, and no second GEMM library in the browser's download.
pub fn matmul<A: LinalgScalar>(a: ArrayView2<A>, b: ArrayView2<A>) -> Array2<A> {
    assert_eq!(a.ncols(), b.nrows(), "matmul: inner sizes differ");
    let b = b.as_standard_layout();
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    let (Some(bs), Some(cs)) = (b.as_slice(), c.as_slice_mut()) else {
        unreachable!("standard layout is contiguous")
    };
    let n = b.ncols().max(1);
    for (arow, crow) in a.rows().into_iter().zip(cs.chunks_mut(n)) {
        for (&x, brow) in arow.iter().zip(bs.chunks(n)) {
            for (cj, &bj) in crow.iter_mut().zip(brow) {
                *cj = *cj + x * bj;
            }
        }
    }
    c
}

/// y = x·w + b (b broadcast over rows).
pub fn affine(x: ArrayView2<f32>, w: &Array2<f32>, b: &Array1<f32>, y: &mut Array2<f32>) {
    #[cfg(target_arch = "wasm32")]
    {
        let bs = b.as_slice().expect("biases are contiguous");
        let (ys, ld) = out(y);
        with_mat(x, |xm| {
            with_mat(w.view(), |wm| kernel::gemm(xm, wm, Start::Row(bs), ys, ld))
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        for mut row in y.rows_mut() {
            row.assign(b);
        }
        general_mat_mul(1.0, &x, w, 1.0, y);
    }
}

/// dw = xᵀ·dz, db = Σ_rows dz.
pub fn weight_grads(
    x: ArrayView2<f32>,
    dz: &Array2<f32>,
    dw: &mut Array2<f32>,
    db: &mut Array1<f32>,
) {
    match (db.as_slice_mut(), dz.as_slice()) {
        (Some(d), Some(z)) => crate::linalg::simd::column_sums(z, d),
        _ => {
            db.fill(0.0);
            for row in dz.rows() {
                *db += &row;
            }
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let (ws, ld) = out(dw);
        with_mat(x, |xm| {
            with_mat(dz.view(), |zm| {
                kernel::gemm(xm.t(), zm, Start::Zero, ws, ld)
            })
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    general_mat_mul(1.0, &x.t(), dz, 0.0, dw);
}

/// dx = dz·wᵀ (also any A·Bᵀ, e.g. the similarity of two sets of rows).
pub fn input_grad(dz: ArrayView2<f32>, w: ArrayView2<f32>, dx: &mut Array2<f32>) {
    #[cfg(target_arch = "wasm32")]
    {
        let (xs, ld) = out(dx);
        with_mat(dz, |a| {
            with_mat(w, |b| kernel::gemm(a, b.t(), Start::Zero, xs, ld))
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    general_mat_mul(1.0, &dz, &w.t(), 0.0, dx);
}
