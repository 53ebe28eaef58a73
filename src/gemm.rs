//! The three matrix products a dense layer needs, written into caller-owned
//! buffers so a training step allocates nothing. One place to swap kernels.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// y = x·w + b (b broadcast over rows).
pub fn affine(x: ArrayView2<f32>, w: &Array2<f32>, b: &Array1<f32>, y: &mut Array2<f32>) {
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
    general_mat_mul(1.0, &x.t(), dz, 0.0, dw);
    db.assign(&dz.sum_axis(Axis(0)));
}

/// dx = dz·wᵀ.
pub fn input_grad(dz: &Array2<f32>, w: &Array2<f32>, dx: &mut Array2<f32>) {
    general_mat_mul(1.0, dz, &w.t(), 0.0, dx);
}
