//! The losses a sigmoid output takes on its logits, the sigmoid fused in:
//! binary cross-entropy and MSE. Each is one pass over a row of the
//! decoder's output in lanes (BCE's row in `bce_row`), writing y = σ(z) over z and the
//! gradient w.r.t. z; the rows are taken in two halves (`Fused::whole`), or
//! in any parts a caller chooses (`Fused::rows`, `Fused::finish`).

use crate::linalg::par;
use crate::linalg::simd::F32x4;
use crate::nn::bce_row::bce_row;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};

/// Binary cross-entropy of sigmoid outputs against targets in [0, 1], summed
/// over columns and averaged over rows, and the outputs' mean squared error
/// per pixel (the training figure), measured in the same pass. `out` comes
/// in holding the pre-activations z and leaves holding y = σ(z); the
/// gradient is w.r.t. z, (y − t)/rows, which never divides by a saturated y.
///
/// Fused because with e = exp(−z), y = 1/(1+e) and
/// t·ln y + (1−t)·ln(1−y) = −ln(1+e) − (1−t)·z: the sigmoid's exp serves
/// the loss too, and the loss stays exact where y would round to 0 or 1.
pub fn bce_logits_sq(
    out: &mut Array2<f32>,
    target: ArrayView2<f32>,
    grad: &mut Array2<f32>,
) -> (f32, f64) {
    Fused::Bce.whole(out, target, grad)
}

/// Mean squared error of sigmoid outputs, the sigmoid and its derivative
/// fused in: `out` comes in holding the pre-activations z and leaves
/// holding y = σ(z); the gradient is w.r.t. z, (y − t)·(2/n)·y(1 − y).
///
/// Bit for bit what `Activation::Sigmoid`, `mse` and the sigmoid's backprop
/// compute one after the other (the same lane operations in the same
/// order), in one pass over the decoder's output instead of three, and with
/// the cost summed in f32 lanes rather than a serial chain of f64 adds.
pub fn mse_sigmoid(out: &mut Array2<f32>, target: ArrayView2<f32>, grad: &mut Array2<f32>) -> f32 {
    Fused::MseSigmoid.whole(out, target, grad).0
}

/// A loss on a sigmoid output's logits, the sigmoid fused in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fused {
    /// `bce_logits_sq`.
    Bce,
    /// `mse_sigmoid`.
    MseSigmoid,
}

impl Fused {
    /// The loss on a whole batch: (cost, mean squared error per value).
    /// The rows are taken in two halves (on two cores natively when there
    /// are enough of them), each summed in order and the two sums added:
    /// the same figure whether or not they ran at once, and the same as
    /// `rows` on the two halves of `par::cut` and `finish` on their sums.
    pub fn whole(
        self,
        out: &mut Array2<f32>,
        target: ArrayView2<f32>,
        grad: &mut Array2<f32>,
    ) -> (f32, f64) {
        assert_eq!(out.dim(), target.dim(), "output and target shapes differ");
        assert_eq!(out.dim(), grad.dim(), "output and gradient shapes differ");
        for a in [&mut *out, &mut *grad] {
            if !a.is_standard_layout() {
                *a = a.as_standard_layout().into_owned();
            }
        }
        let (rows, cols) = out.dim();
        let cut = par::cut(rows);
        let (z0, z1) = out.view_mut().split_at(Axis(0), cut);
        let (t0, t1) = target.split_at(Axis(0), cut);
        let (g0, g1) = grad.view_mut().split_at(Axis(0), cut);
        let halves = (
            || self.rows(z0, t0, g0, rows),
            || self.rows(z1, t1, g1, rows),
        );
        let ([a0, b0], [a1, b1]) = if rows * cols >= par::MIN_SPLIT_PASS {
            par::join(halves.0, halves.1)
        } else {
            (halves.0(), halves.1())
        };
        self.finish([a0 + a1, b0 + b1], rows, cols)
    }

    /// The loss's two sums over some rows of a batch of `batch_rows`, in row
    /// order, each row's in f64: `out` comes in holding z and leaves
    /// holding σ(z), and `grad` gets the gradient w.r.t. z, scaled for the
    /// whole batch. Every row's outputs depend on that row alone.
    pub fn rows(
        self,
        mut out: ArrayViewMut2<f32>,
        target: ArrayView2<f32>,
        mut grad: ArrayViewMut2<f32>,
        batch_rows: usize,
    ) -> [f64; 2] {
        assert_eq!(out.dim(), target.dim(), "output and target shapes differ");
        assert_eq!(out.dim(), grad.dim(), "output and gradient shapes differ");
        let cols = out.ncols().max(1);
        let target = target.as_standard_layout();
        let (Some(z), Some(t), Some(g)) =
            (out.as_slice_mut(), target.as_slice(), grad.as_slice_mut())
        else {
            unreachable!("the training buffers and a standard-layout target are contiguous")
        };
        let inv_rows = 1.0 / batch_rows as f32;
        let mse_scale = F32x4::splat(2.0 / (batch_rows * cols) as f32);
        z.chunks_mut(cols)
            .zip(t.chunks(cols))
            .zip(g.chunks_mut(cols))
            .fold([0.0f64; 2], |[a, b], ((z, t), g)| {
                let [x, y] = match self {
                    Fused::Bce => bce_row(z, t, g, inv_rows),
                    Fused::MseSigmoid => mse_sigmoid_row(z, t, g, mse_scale),
                };
                [a + x as f64, b + y as f64]
            })
    }

    /// (cost, mean squared error per value) from `rows`' sums over the
    /// whole batch.
    pub fn finish(self, sums: [f64; 2], batch_rows: usize, cols: usize) -> (f32, f64) {
        let n = (batch_rows * cols).max(1) as f64;
        match self {
            Fused::Bce => ((-sums[0] / batch_rows as f64) as f32, sums[1] / n),
            Fused::MseSigmoid => {
                let cost = (sums[0] / n) as f32;
                (cost, cost as f64)
            }
        }
    }
}

/// `mse_sigmoid` on one row: Σ (y − t)² in f32 lanes, and 0.
fn mse_sigmoid_row(z: &mut [f32], t: &[f32], g: &mut [f32], scale: F32x4) -> [f32; 2] {
    let one = F32x4::splat(1.0);
    let lanes = |z: F32x4, t: F32x4| {
        let y = z.sigmoid();
        let d = y.sub(t);
        (y, d, d.mul(scale).mul(y.mul(one.sub(y))))
    };
    let mut acc = F32x4::zero();
    let n4 = z.len() / 4 * 4;
    for j in (0..n4).step_by(4) {
        let (y, d, gv) = lanes(F32x4::first4(&z[j..]), F32x4::first4(&t[j..]));
        acc = acc.mul_add(d, d);
        y.write4(&mut z[j..]);
        gv.write4(&mut g[j..]);
    }
    let tail = z.len() - n4;
    let mut rest = 0.0f32;
    if tail > 0 {
        let (mut zb, mut tb) = ([0.0f32; 4], [0.0f32; 4]);
        zb[..tail].copy_from_slice(&z[n4..]);
        tb[..tail].copy_from_slice(&t[n4..]);
        let (y, d, gv) = lanes(F32x4::from(zb), F32x4::from(tb));
        rest = d.to_array()[..tail].iter().map(|d| d * d).sum();
        z[n4..].copy_from_slice(&y.to_array()[..tail]);
        g[n4..].copy_from_slice(&gv.to_array()[..tail]);
    }
    [acc.sum() + rest, 0.0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::activation::Activation;
    use crate::nn::loss::{mean_sq_err, mse};
    use crate::rng::Rng;

    /// t·ln σ(z) + (1−t)·ln(1−σ(z)) in f64, as −softplus(−z) − (1−t)·z.
    fn exact(z: f64, t: f64) -> f64 {
        let softplus = |x: f64| x.max(0.0) + (-x.abs()).exp().ln_1p();
        -softplus(-z) - (1.0 - t) * z
    }

    /// The fused loss is the three passes it replaces, bit for bit, on
    /// rows with and without a tail of fewer than four.
    #[test]
    fn mse_sigmoid_is_sigmoid_then_mse_then_backprop() {
        let mut r = Rng::new(9);
        for cols in [1, 3, 4, 5, 9, 784] {
            let rows = 3;
            let z0 = Array2::from_shape_simple_fn((rows, cols), || {
                ((r.uniform() * 2.0 - 1.0) * 12.0) as f32
            });
            let t = Array2::from_shape_simple_fn((rows, cols), || r.uniform() as f32);
            let mut y = z0.clone();
            Activation::Sigmoid.apply(y.view_mut());
            let mut want_g = Array2::zeros((rows, cols));
            let want = mse(&y, t.view(), &mut want_g);
            Activation::Sigmoid.backprop(y.view(), want_g.view_mut());
            let (mut z, mut g) = (z0.clone(), Array2::zeros((rows, cols)));
            let got = mse_sigmoid(&mut z, t.view(), &mut g);
            assert_eq!(z, y, "cols {cols}: outputs");
            assert_eq!(g, want_g, "cols {cols}: gradients");
            assert!(
                (got - want).abs() <= 1e-6 * want,
                "cols {cols}: cost {got} vs {want}"
            );
        }
    }

    /// A batch big enough to be taken in two halves on two cores gives
    /// each row what the row alone gives, and the squared error the same
    /// pass measures is `mean_sq_err` of its outputs.
    #[test]
    fn bce_in_halves_is_row_by_row_and_measures_the_error() {
        let mut r = Rng::new(11);
        let (rows, cols) = (96, 784);
        assert!(rows * cols >= par::MIN_SPLIT_PASS && par::cut(rows) > 0);
        let z0 = Array2::from_shape_simple_fn((rows, cols), || ((r.uniform() - 0.5) * 16.0) as f32);
        let t = Array2::from_shape_simple_fn((rows, cols), || r.uniform() as f32);
        let (mut z, mut g) = (z0.clone(), Array2::zeros((rows, cols)));
        let (cost, sq) = bce_logits_sq(&mut z, t.view(), &mut g);
        let mut want = 0.0f64;
        for i in 0..rows {
            let rowz = z0.slice(ndarray::s![i..i + 1, ..]);
            let (mut zi, mut gi) = (rowz.to_owned(), Array2::zeros((1, cols)));
            want += bce_logits_sq(&mut zi, t.slice(ndarray::s![i..i + 1, ..]), &mut gi).0 as f64;
            assert_eq!(zi.row(0), z.row(i), "row {i}: outputs");
            // One row alone is its own batch: its gradient is y − t
            // unscaled; the batch's is (y − t)·(1/rows).
            let k = 1.0 / rows as f32;
            let gi = gi.mapv(|d| d * k);
            assert_eq!(gi.row(0), g.row(i), "row {i}: gradients");
        }
        let want = want / rows as f64;
        assert!(
            ((cost as f64) - want).abs() <= 1e-6 * want,
            "{cost} vs {want}"
        );
        let mse = mean_sq_err(z.view(), t.view());
        assert!((sq - mse).abs() <= 1e-6 * mse, "{sq} vs {mse}");
    }

    #[test]
    fn bce_logits_matches_f64_on_every_row_length_and_range() {
        let mut r = Rng::new(5);
        for cols in [1, 3, 4, 5, 9, 784] {
            for spread in [0.1, 8.0, 300.0] {
                let rows = 3;
                let z0 = Array2::from_shape_simple_fn((rows, cols), || {
                    ((r.uniform() * 2.0 - 1.0) * spread) as f32
                });
                let t = Array2::from_shape_simple_fn((rows, cols), || match r.below(3) {
                    0 => 0.0,
                    1 => 1.0,
                    _ => r.uniform() as f32,
                });
                let (mut z, mut g) = (z0.clone(), Array2::zeros((rows, cols)));
                let got = bce_logits_sq(&mut z, t.view(), &mut g).0 as f64;
                let want: f64 = z0
                    .iter()
                    .zip(t.iter())
                    .map(|(&z, &t)| -exact(z as f64, t as f64))
                    .sum::<f64>()
                    / rows as f64;
                let tol = 1e-5 * want.abs() + 1e-5 * cols as f64;
                assert!(
                    (got - want).abs() <= tol,
                    "cols {cols} spread {spread}: {got} vs {want}"
                );
                for ((&y, &z0), (&g, &t)) in z.iter().zip(&z0).zip(g.iter().zip(&t)) {
                    let sig = 1.0 / (1.0 + (-z0 as f64).exp());
                    assert!((y as f64 - sig).abs() < 1e-6, "σ({z0}) = {y}, not {sig}");
                    assert!((g - (y - t) / rows as f32).abs() < 1e-7);
                }
            }
        }
    }
}
