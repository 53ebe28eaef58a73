//! Trivial bars, computed on exactly the split and labels a run uses:
//! softmax regression on pixels, 1-nearest-neighbour in pixel space, PCA-10
//! coordinates + softmax regression (all with the run's labelled part), and
//! PCA-k reconstruction error (k = the autoencoder's code width). Pixels on
//! the 0..1 scale, not deskewed: what anyone would try first.

pub mod knn;
pub mod logreg;
pub mod pca;

use crate::data::{self, Digits, PixelScale, Protocol, PIXELS};
use crate::error::Result;
use logreg::{accuracy, LogReg};
use ndarray::{s, Array2};
use serde::Serialize;

/// PCA coordinates the PCA + softmax regression bar classifies.
pub const PCA_FEATURES: usize = 10;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Bars {
    pub labelled: usize,
    pub logreg: f64,
    pub nearest: f64,
    pub pca_logreg: f64,
    /// (k, per-pixel test MSE of the PCA-k reconstruction, 0..1 scale).
    pub pca_mse: Vec<(usize, f64)>,
}

fn pixels(d: &Digits) -> Array2<f32> {
    let mut x = Array2::zeros((d.len(), PIXELS));
    d.features_into(0, PixelScale::Unit, false, x.view_mut());
    x
}

/// The bars for one split: `protocol`, `label_fraction` and `seed` as a
/// run's config gives them; `ks` the PCA reconstruction widths wanted.
pub fn bars(
    source: &Digits,
    protocol: Protocol,
    label_fraction: f64,
    seed: u32,
    ks: &[usize],
) -> Result<Bars> {
    let split = data::split(source, protocol, label_fraction, seed as u64)?;
    let (train, test) = (pixels(&split.train), pixels(&split.test));
    let n = split.labelled;
    let xl = train.slice(s![..n, ..]);
    let yl = &split.train.labels[..n];
    let yt = &split.test.labels;
    let logreg = LogReg::fit(xl, yl, seed as u64).accuracy(test.view(), yt);
    let nearest = accuracy(&knn::nearest_labels(xl, yl, test.view()), yt);
    // PCA is unsupervised: fitted on every training image, as the
    // autoencoders see every training image.
    let k_max = ks
        .iter()
        .copied()
        .chain([PCA_FEATURES])
        .max()
        .unwrap_or(PCA_FEATURES);
    let p = pca::Pca::fit(train.view(), k_max);
    let proj = p.project(train.view());
    let features = proj.slice(s![..n, ..PCA_FEATURES]);
    let test_features = p.project(test.view());
    let pca_logreg = LogReg::fit(features, yl, seed as u64)
        .accuracy(test_features.slice(s![.., ..PCA_FEATURES]), yt);
    let pca_mse = ks
        .iter()
        .map(|&k| (k, p.recon_mse(test.view(), k, 1.0)))
        .collect();
    Ok(Bars {
        labelled: n,
        logreg,
        nearest,
        pca_logreg,
        pca_mse,
    })
}

/// Mean and sample standard deviation (0 for a single value).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nearest_neighbour_by_hand() {
        let train = array![[0.0f32, 0.0], [1.0, 1.0], [5.0, 5.0]];
        let test = array![[0.2f32, 0.1], [4.0, 4.5], [0.9, 1.2], [2.9, 3.0]];
        let got = knn::nearest_labels(train.view(), &[0, 1, 2], test.view());
        // (2.9, 3): 1.9² + 2² = 7.61 to (1, 1) vs 2.1² + 2² = 8.41 to (5, 5).
        assert_eq!(got, vec![0, 2, 1, 1]);
    }

    #[test]
    fn pca_finds_the_axis_of_a_line_and_reconstructs_it() {
        // Points on the line t·(3, 4)/5 plus a small orthogonal wobble.
        let x = Array2::from_shape_fn((200, 2), |(i, j)| {
            let t = i as f32 / 10.0 - 10.0;
            let w = if i % 2 == 0 { 0.01 } else { -0.01 };
            if j == 0 {
                0.6 * t - 0.8 * w
            } else {
                0.8 * t + 0.6 * w
            }
        });
        let p = pca::Pca::fit(x.view(), 2);
        let a = p.axes.column(0);
        assert!(
            (a[0].abs() - 0.6).abs() < 1e-4 && (a[1].abs() - 0.8).abs() < 1e-4,
            "{a}"
        );
        // One axis leaves only the wobble (0.01²), two leave nothing.
        assert!((p.recon_mse(x.view(), 1, 1.0) - 0.5 * 1e-4).abs() < 1e-6);
        assert!(p.recon_mse(x.view(), 2, 1.0) < 1e-9);
    }

    #[test]
    fn softmax_regression_separates_separable_classes() {
        // Class c sits at corner c of a 10-D cube, with jitter.
        let mut r = crate::rng::Rng::new(3);
        let y: Vec<u8> = (0..500).map(|i| (i % 10) as u8).collect();
        let x = Array2::from_shape_fn((500, 10), |(i, j)| {
            f32::from(u8::from(i % 10 == j)) + 0.2 * r.normal() as f32
        });
        let m = LogReg::fit(x.view(), &y, 1);
        assert!(
            m.accuracy(x.view(), &y) > 0.95,
            "{}",
            m.accuracy(x.view(), &y)
        );
        assert_eq!(mean_sd(&[1.0, 2.0, 3.0]), (2.0, 1.0));
    }
}
