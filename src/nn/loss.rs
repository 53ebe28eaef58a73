//! Losses. Each returns the batch-mean loss and writes its gradient w.r.t. the
//! net's output into `grad` (already divided by the batch size); the ones a
//! sigmoid output takes on its logits are in `logit_loss`. Plus the report
//! figures (squared error, PSNR, argmax).

use crate::linalg::simd::F32x4;
use crate::nn::activation::Activation;
use crate::nn::logit_loss::Fused;
use crate::nn::net::Net;
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

/// What a decoder's reconstruction loss gives back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recon {
    pub cost: f32,
    /// Mean squared error per pixel of the output (the training figure):
    /// MSE's cost, or measured in binary cross-entropy's own pass.
    pub sq_err: f64,
    /// Whether the gradient is already w.r.t. the last pre-activation.
    pub grad_is_dz: bool,
}

/// A decoder's forward pass and reconstruction loss against `target`: its
/// output and the loss's gradient are left in the net's buffers for
/// `Net::backward`. A sigmoid output takes the fused losses, which apply the
/// sigmoid themselves.
pub fn reconstruct(
    dec: &mut Net,
    code: ArrayView2<f32>,
    target: ArrayView2<f32>,
    recon: ReconLoss,
) -> Recon {
    match fused(dec, recon) {
        Some(f) => {
            let (z, g) = dec.forward_logits(code, None);
            let (cost, sq_err) = f.whole(z, target, g);
            Recon {
                cost,
                sq_err,
                grad_is_dz: true,
            }
        }
        None => {
            dec.forward(code, None);
            let (y, g) = dec.output_and_grad();
            let cost = mse(y, target, g);
            Recon {
                cost,
                sq_err: cost as f64,
                grad_is_dz: false,
            }
        }
    }
}

/// The fused loss on logits a decoder's reconstruction takes, if any:
/// binary cross-entropy always applies the sigmoid itself, MSE does when
/// the output is a sigmoid.
pub fn fused(dec: &Net, recon: ReconLoss) -> Option<Fused> {
    let sigmoid_out = dec.layers.last().map(|l| l.act) == Some(Activation::Sigmoid);
    match (recon, sigmoid_out) {
        (ReconLoss::Bce, _) => Some(Fused::Bce),
        (ReconLoss::Mse, true) => Some(Fused::MseSigmoid),
        (ReconLoss::Mse, false) => None,
    }
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

/// Each row of logits turned into class probabilities, in place.
pub fn softmax_rows(x: &mut Array2<f32>) {
    for mut row in x.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let s = row.sum();
        row /= s;
    }
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
