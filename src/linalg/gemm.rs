//! The three matrix products a dense layer needs, written into caller-owned
//! buffers so a training step allocates nothing. In the browser they run on
//! our f32x4 kernel (`kernel`); natively on our wide tiles (`wide`, AVX-512
//! or AVX2) where the layout suits them, else on ndarray's matrixmultiply,
//! whose FMA kernels are faster there than 4-lane SSE. Plus `matmul`, for
//! the few small products elsewhere.

#[cfg(target_arch = "wasm32")]
use crate::linalg::kernel::{self, MatRef, Start};
#[cfg(not(target_arch = "wasm32"))]
use crate::linalg::par;
#[cfg(target_arch = "x86_64")]
use crate::linalg::simd::{F32x16, F32x8};
#[cfg(target_arch = "x86_64")]
use crate::linalg::wide::{self, Wide};
#[cfg(not(target_arch = "wasm32"))]
use ndarray::{linalg::general_mat_mul, Axis};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, LinalgScalar};

/// A row-major view of `x`, copied only if its layout is anything else (the
/// layer buffers never are).
#[cfg(target_arch = "wasm32")]
fn with_mat<R>(x: ArrayView2<f32>, f: impl FnOnce(MatRef) -> R) -> R {
    let x = x.as_standard_layout();
    let s = x.as_slice().expect("standard layout is contiguous");
    f(MatRef::row_major(s, x.nrows(), x.ncols()))
}

#[cfg(target_arch = "wasm32")]
fn out<'a>(y: &'a mut ArrayViewMut2<f32>) -> (&'a mut [f32], usize) {
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

/// y = x·w + b (b broadcast over rows). The outputs here and below are
/// views, so that a step can run a batch's rows in halves (`train::halves`);
/// each row's figures are the same either way.
pub fn affine(x: ArrayView2<f32>, w: &Array2<f32>, b: &Array1<f32>, y: ArrayViewMut2<f32>) {
    #[cfg(target_arch = "wasm32")]
    {
        let mut y = y;
        let bs = b.as_slice().expect("biases are contiguous");
        let (ys, ld) = out(&mut y);
        with_mat(x, |xm| {
            with_mat(w.view(), |wm| kernel::gemm(xm, wm, Start::Row(bs), ys, ld))
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Slice copies: ndarray's row-by-row `assign` went element by
        // element (7% of a native autoencoder step; measured no faster
        // when the copy was split over the two halves too).
        let bs = b.as_slice().expect("biases are contiguous");
        product(x, w.view(), Some(bs), y);
    }
}

/// dw = xᵀ·dz, db = Σ_rows dz.
pub fn weight_grads(
    x: ArrayView2<f32>,
    dz: ArrayView2<f32>,
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
        let mut dw = dw.view_mut();
        let (ws, ld) = out(&mut dw);
        with_mat(x, |xm| {
            with_mat(dz.view(), |zm| {
                kernel::gemm(xm.t(), zm, Start::Zero, ws, ld)
            })
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    product(x.t(), dz, None, dw.view_mut());
}

/// dx = dz·wᵀ (also any A·Bᵀ, e.g. the similarity of two sets of rows).
pub fn input_grad(dz: ArrayView2<f32>, w: ArrayView2<f32>, dx: ArrayViewMut2<f32>) {
    #[cfg(target_arch = "wasm32")]
    {
        let mut dx = dx;
        let (xs, ld) = out(&mut dx);
        with_mat(dz, |a| {
            with_mat(w, |b| kernel::gemm(a, b.t(), Start::Zero, xs, ld))
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    product(dz, w.t(), None, dx);
}

/// c = start + a·b natively (`start` a row added to every row of c, or
/// zero), a large product's longer side of c cut in two and the halves run
/// on two cores (`par`). Each element of c is the same sum in the same
/// order either way: both kernels below block only along k, and the cut is
/// along m or n. On AVX-512 or AVX2 hosts our own tiles (`wide`) run the
/// products whose width is a whole number of vectors; the rest go to
/// ndarray's matrixmultiply.
#[cfg(not(target_arch = "wasm32"))]
fn product(a: ArrayView2<f32>, b: ArrayView2<f32>, start: Option<&[f32]>, c: ArrayViewMut2<f32>) {
    product_split_from(a, b, start, c, par::MIN_SPLIT)
}

/// `product`, split only from `min_split` multiply-adds (the tests run
/// whole products to compare the halves with).
#[cfg(not(target_arch = "wasm32"))]
fn product_split_from(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    start: Option<&[f32]>,
    mut c: ArrayViewMut2<f32>,
    min_split: usize,
) {
    #[cfg(target_arch = "x86_64")]
    {
        let done = if wide::avx512() {
            wide_product::<F32x16>(a, b, start, &mut c, min_split)
        } else if wide::avx2() {
            wide_product::<F32x8>(a, b, start, &mut c, min_split)
        } else {
            false
        };
        if done {
            return;
        }
    }
    let beta = match start {
        Some(s) => {
            c.rows_mut().into_iter().for_each(|mut r| {
                r.as_slice_mut()
                    .expect("layer buffers are standard layout")
                    .copy_from_slice(s)
            });
            1.0
        }
        None => 0.0,
    };
    let whole = |a: ArrayView2<f32>, b: ArrayView2<f32>, mut c: ArrayViewMut2<f32>| {
        general_mat_mul(1.0, &a, &b, beta, &mut c)
    };
    split(a, b, c, min_split, [16, 16], |a, b, c, _| whole(a, b, c));
}

/// Runs `f` on all of c, or on pieces of it (cut along its longer side, in
/// whole tiles of `units` = [rows, columns]) shared out between two cores
/// (`par::map`) when the product is large enough to pay for the split;
/// `f`'s last argument is the offset of its first column.
#[cfg(not(target_arch = "wasm32"))]
fn split<F>(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    c: ArrayViewMut2<f32>,
    min_split: usize,
    units: [usize; 2],
    f: F,
) where
    F: Fn(ArrayView2<f32>, ArrayView2<f32>, ArrayViewMut2<f32>, usize) + Sync,
{
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if m * k * n < min_split || m.max(n) < 32 {
        return f(a, b, c, 0);
    }
    let rows = m >= n;
    let axis = if rows { Axis(0) } else { Axis(1) };
    let mut items = Vec::with_capacity(par::PIECES);
    let (mut rest_a, mut rest_b, mut rest_c) = (a, b, c);
    for (start, len) in par::pieces(if rows { m } else { n }, units[!rows as usize]) {
        let (c0, c1) = rest_c.split_at(axis, len);
        rest_c = c1;
        if rows {
            let (a0, a1) = rest_a.split_at(axis, len);
            rest_a = a1;
            items.push((a0, b, c0, 0));
        } else {
            let (b0, b1) = rest_b.split_at(axis, len);
            rest_b = b1;
            items.push((a, b0, c0, start));
        }
    }
    par::map(items, |(a, b, c, j0)| f(a, b, c, j0));
}

/// The products on `wide`'s kernels in W's lanes: its tiles where B's rows
/// are contiguous and C is a whole number of vectors wide, its dot products
/// where A's rows and B's columns are (dZ·Wᵀ). False, having done nothing,
/// for any other layout. The caller has checked that the host has W.
#[cfg(target_arch = "x86_64")]
fn wide_product<W: Wide>(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    start: Option<&[f32]>,
    c: &mut ArrayViewMut2<f32>,
    min_split: usize,
) -> bool {
    // Row and column strides, if both run forwards.
    let strides = |s: &[isize]| Some([usize::try_from(s[0]).ok()?, usize::try_from(s[1]).ok()?]);
    let (Some([ars, acs]), Some([brs, bcs]), Some([ldc, 1])) = (
        strides(a.strides()),
        strides(b.strides()),
        strides(c.strides()),
    ) else {
        return false;
    };
    let tiles = bcs == 1 && c.ncols().is_multiple_of(W::N) && (acs == 1 || W::STRIDED_A);
    let dots = acs == 1 && brs == 1 && start.is_none() && a.ncols() >= W::MIN_DOT_K;
    if !(tiles || dots) {
        return false;
    }
    assert_eq!((a.nrows(), b.ncols()), c.dim(), "product: output shape");
    assert_eq!(a.ncols(), b.nrows(), "product: inner sizes differ");
    if let Some(s) = start {
        assert_eq!(
            s.len(),
            c.ncols(),
            "product: start row has the wrong length"
        );
    }
    // Whole tiles: 6 rows by 64 (16 lanes) or 16 (8) columns, or the dots'.
    let units = if tiles {
        [wide::MR, W::N * W::NV]
    } else {
        [W::DOTS, W::DOTS]
    };
    split(a, b, c.view_mut(), min_split, units, |a, b, mut c, j0| {
        let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
        // SAFETY: the host has W (checked by the caller); the views' shapes agree (asserted
        // above, and `split` cuts them together), every stride is
        // non-negative and the ones the kernel assumes are 1 are (checked
        // above), and C is a mutable view, so it overlaps nothing.
        unsafe {
            if tiles {
                let at = wide::Strided {
                    ptr: a.as_ptr(),
                    rs: ars,
                    cs: acs,
                };
                let start = start.map(|s| s[j0..j0 + n].as_ptr());
                wide::gemm::<W>(m, k, n, at, b.as_ptr(), brs, start, c.as_mut_ptr(), ldc)
            } else {
                wide::dots::<W>(
                    m,
                    k,
                    n,
                    a.as_ptr(),
                    ars,
                    b.as_ptr(),
                    bcs,
                    c.as_mut_ptr(),
                    ldc,
                )
            }
        }
    });
    true
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A product cut in two halves on two cores is the whole product, bit
    /// for bit, for every layer shape of the reference's autoencoders and
    /// each of the three products of a layer (X·W + b, Xᵀ·dZ, dZ·Wᵀ); and
    /// the whole product is matrixmultiply's to within rounding.
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
            (131, 77, 90),
        ] {
            let (a, b, at, bt) = (mat(m, k), mat(k, n), mat(k, m), mat(n, k));
            let bias = mat(1, n).into_shape_with_order(n).expect("a row");
            let bias = bias.as_slice();
            let cases = [
                ("X·W + b", a.view(), b.view(), bias),
                ("Xᵀ·dZ", at.t(), b.view(), None),
                ("dZ·Wᵀ", a.view(), bt.t(), None),
            ];
            for (name, a, b, start) in cases {
                let mut halves = Array2::from_elem((m, n), f32::NAN);
                let mut whole = halves.clone();
                product(a, b, start, halves.view_mut());
                product_split_from(a, b, start, whole.view_mut(), usize::MAX);
                assert_eq!(halves, whole, "{name}, {m}×{k}×{n}");
                let mut want = Array2::zeros((m, n));
                if let Some(s) = start {
                    want.rows_mut()
                        .into_iter()
                        .for_each(|mut r| r.assign(&ndarray::aview1(s)));
                }
                general_mat_mul(1.0, &a, &b, 1.0, &mut want);
                let scale = (k as f32).sqrt();
                let worst = (&whole - &want).iter().fold(0.0f32, |w, d| w.max(d.abs()));
                assert!(worst <= 1e-5 * scale, "{name}, {m}×{k}×{n}: off by {worst}");
            }
        }
    }
}
