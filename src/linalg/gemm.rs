//! The three matrix products a dense layer needs, written into caller-owned
//! buffers so a training step allocates nothing. In the browser they run on
//! our f32x4 kernel (`kernel`); natively on ndarray's matrixmultiply, whose
//! AVX-512/FMA kernels are faster there than 4-lane SSE. Plus `matmul`, for
//! the few small products elsewhere.

#[cfg(target_arch = "wasm32")]
use crate::linalg::kernel::{self, MatRef, Start};
#[cfg(not(target_arch = "wasm32"))]
use crate::linalg::par;
#[cfg(not(target_arch = "wasm32"))]
use ndarray::{linalg::general_mat_mul, ArrayViewMut2, Axis};
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
        // Slice copies: ndarray's row-by-row `assign` went element by
        // element (7% of a native autoencoder step; measured no faster
        // when the copy was split over the two halves too).
        let (bs, n) = (b.as_slice().expect("biases are contiguous"), y.ncols());
        let ys = y.as_slice_mut().expect("layer buffers are standard layout");
        ys.chunks_exact_mut(n.max(1))
            .for_each(|r| r.copy_from_slice(bs));
        product(x, w.view(), 1.0, y.view_mut());
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
    product(x.t(), dz.view(), 0.0, dw.view_mut());
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
    product(dz, w.t(), 0.0, dx.view_mut());
}

/// c = β·c + a·b natively, a large product's longer side of c cut in two
/// and the halves run on two cores (`par`). Each element of c is the same
/// sum in the same order either way: matrixmultiply blocks only along k,
/// and the cut is along m or n.
#[cfg(not(target_arch = "wasm32"))]
fn product(a: ArrayView2<f32>, b: ArrayView2<f32>, beta: f32, c: ArrayViewMut2<f32>) {
    let whole = |a: ArrayView2<f32>, b: ArrayView2<f32>, mut c: ArrayViewMut2<f32>| {
        general_mat_mul(1.0, &a, &b, beta, &mut c)
    };
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if m * k * n < par::MIN_SPLIT || m.max(n) < 32 {
        whole(a, b, c);
    } else if m >= n {
        let h = par::cut(m);
        let ((a0, a1), (c0, c1)) = (a.split_at(Axis(0), h), c.split_at(Axis(0), h));
        par::join(|| whole(a0, b, c0), || whole(a1, b, c1));
    } else {
        let h = par::cut(n);
        let ((b0, b1), (c0, c1)) = (b.split_at(Axis(1), h), c.split_at(Axis(1), h));
        par::join(|| whole(a, b0, c0), || whole(a, b1, c1));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A product cut in two halves on two cores is the whole product, bit
    /// for bit, for every layer shape of the reference's autoencoders.
    #[test]
    fn halves_are_the_whole_product() {
        let mut r = Rng::new(3);
        let mut mat = |m, n| Array2::from_shape_simple_fn((m, n), || r.normal() as f32);
        for (m, k, n) in [
            (128, 784, 64),
            (64, 128, 784),
            (784, 128, 64),
            (128, 784, 1000),
            (200, 300, 500),
        ] {
            assert!(m * k * n >= par::MIN_SPLIT, "{m}×{k}×{n} is split");
            let (a, b) = (mat(m, k), mat(k, n));
            let mut want = mat(m, n);
            let mut got = want.clone();
            general_mat_mul(1.0, &a, &b, 1.0, &mut want);
            product(a.view(), b.view(), 1.0, got.view_mut());
            assert_eq!(got, want, "{m}×{k}×{n}, β = 1");
            let mut got_t = Array2::zeros((k, n));
            let mut want_t = Array2::zeros((k, n));
            let c = mat(m, n);
            general_mat_mul(1.0, &a.t(), &c, 0.0, &mut want_t);
            product(a.t(), c.view(), 0.0, got_t.view_mut());
            assert_eq!(got_t, want_t, "{m}×{k}×{n} transposed, β = 0");
        }
    }
}
