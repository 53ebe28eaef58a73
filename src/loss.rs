//! Losses. Each returns the batch-mean loss and writes its gradient w.r.t. the
//! net's output into `grad` (already divided by the batch size).

use crate::simd::F32x4;
use ndarray::{Array2, ArrayView2, Zip};
use serde::{Deserialize, Serialize};

/// Reconstruction loss of an autoencoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReconLoss {
    /// Mean over every pixel of the squared error (the reference's).
    Mse,
    /// Binary cross-entropy against a sigmoid output, summed over pixels; the
    /// returned gradient is w.r.t. the pre-activation.
    Bce,
}

/// Softmax cross-entropy on logits against class labels. `grad` is w.r.t. the
/// logits. Returns (mean loss, number of correct argmax predictions).
pub fn softmax_xent(logits: &Array2<f32>, labels: &[u8], grad: &mut Array2<f32>) -> (f32, usize) {
    let n = logits.nrows();
    let inv_n = 1.0 / n as f32;
    let mut total = 0.0f64;
    let mut correct = 0;
    for (i, (row, mut g)) in logits.rows().into_iter().zip(grad.rows_mut()).enumerate() {
        let label = labels[i] as usize;
        let (mut best, mut max) = (0, f32::NEG_INFINITY);
        for (j, &v) in row.iter().enumerate() {
            if v > max {
                max = v;
                best = j;
            }
        }
        correct += usize::from(best == label);
        let mut sum = 0.0f32;
        for (gj, &v) in g.iter_mut().zip(row.iter()) {
            *gj = (v - max).exp();
            sum += *gj;
        }
        total += (sum.ln() - (row[label] - max)) as f64;
        for (j, gj) in g.iter_mut().enumerate() {
            *gj = (*gj / sum - f32::from(j == label)) * inv_n;
        }
    }
    ((total / n as f64) as f32, correct)
}

/// Mean squared error over every element; gradient w.r.t. the output.
pub fn mse(output: &Array2<f32>, target: ArrayView2<f32>, grad: &mut Array2<f32>) -> f32 {
    let scale = 2.0 / output.len() as f32;
    let mut total = 0.0f64;
    Zip::from(grad)
        .and(output)
        .and(target)
        .for_each(|g, &y, &t| {
            let d = y - t;
            total += (d * d) as f64;
            *g = d * scale;
        });
    (total / output.len() as f64) as f32
}

/// Binary cross-entropy of a sigmoid output y against targets in [0, 1],
/// summed over columns and averaged over rows; the gradient is w.r.t. the
/// sigmoid's input, (y - t)/rows, which never divides by a saturated y.
pub fn bce_sigmoid(output: &Array2<f32>, target: ArrayView2<f32>, grad: &mut Array2<f32>) -> f32 {
    let inv_n = 1.0 / output.nrows() as f32;
    let cols = output.ncols().max(1);
    let mut total = 0.0f64;
    if let (Some(y), Some(t), Some(g)) = (output.as_slice(), target.as_slice(), grad.as_slice_mut())
    {
        // Row by row in f32 lanes (a decoder's 784 logs each step would
        // otherwise cost as much as its matrix products), rows summed in f64.
        for ((y, t), g) in y.chunks(cols).zip(t.chunks(cols)).zip(g.chunks_mut(cols)) {
            total -= bce_row(y, t, g, inv_n) as f64;
        }
    } else {
        Zip::from(grad)
            .and(output)
            .and(target)
            .for_each(|g, &y, &t| {
                total -= bce_term(y, t) as f64;
                *g = (y - t) * inv_n;
            });
    }
    (total / output.nrows() as f64) as f32
}

/// Σ t·ln y + (1−t)·ln(1−y) over one row, writing (y − t)·scale into g.
fn bce_row(y: &[f32], t: &[f32], g: &mut [f32], scale: f32) -> f32 {
    let (lo, hi, one) = (
        F32x4::splat(1e-7),
        F32x4::splat(1.0 - 1e-7),
        F32x4::splat(1.0),
    );
    let k = F32x4::splat(scale);
    let mut acc = F32x4::zero();
    let n4 = y.len() / 4 * 4;
    for j in (0..n4).step_by(4) {
        let yv = F32x4::first4(&y[j..]);
        let tv = F32x4::first4(&t[j..]);
        let yc = yv.max(lo).min(hi);
        acc = acc
            .add(tv.mul(yc.ln()))
            .add(one.sub(tv).mul(one.sub(yc).ln()));
        yv.sub(tv).mul(k).write4(&mut g[j..]);
    }
    let mut total = acc.sum();
    for j in n4..y.len() {
        total += bce_term(y[j], t[j]);
        g[j] = (y[j] - t[j]) * scale;
    }
    total
}

/// t·ln y + (1−t)·ln(1−y), y kept off 0 and 1.
fn bce_term(y: f32, t: f32) -> f32 {
    let yc = y.clamp(1e-7, 1.0 - 1e-7);
    t * yc.ln() + (1.0 - t) * (1.0 - yc).ln()
}

/// Per-pixel mean squared error, no gradient (for reports).
pub fn mean_sq_err(a: ArrayView2<f32>, b: ArrayView2<f32>) -> f64 {
    let mut total = 0.0f64;
    if let (Some(x), Some(y)) = (a.as_slice(), b.as_slice()) {
        // f32 lanes within a row, f64 across rows.
        let cols = a.ncols().max(1);
        for (x, y) in x.chunks(cols).zip(y.chunks(cols)) {
            let mut acc = F32x4::zero();
            let n4 = x.len() / 4 * 4;
            for j in (0..n4).step_by(4) {
                let d = F32x4::first4(&x[j..]).sub(F32x4::first4(&y[j..]));
                acc = acc.mul_add(d, d);
            }
            total += (acc.sum() + (n4..x.len()).map(|j| (x[j] - y[j]).powi(2)).sum::<f32>()) as f64;
        }
    } else {
        Zip::from(a)
            .and(b)
            .for_each(|&x, &y| total += ((x - y) as f64).powi(2));
    }
    total / a.len().max(1) as f64
}

/// PSNR in dB for signals whose peak is `peak`, from a per-pixel MSE.
pub fn psnr(mse: f64, peak: f64) -> f64 {
    10.0 * (peak * peak / mse.max(1e-12)).log10()
}

pub fn argmax_rows(x: &Array2<f32>) -> Vec<u8> {
    x.rows()
        .into_iter()
        .map(|r| {
            let mut best = 0;
            for j in 1..r.len() {
                if r[j] > r[best] {
                    best = j;
                }
            }
            best as u8
        })
        .collect()
}
