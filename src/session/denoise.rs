//! What the current autoencoder makes of damaged test digits: corrupt the
//! first n test inputs (`data::noise`), reconstruct them, and measure the
//! error against the clean inputs, beside the error of the noisy input itself
//! (what doing nothing would score).

use super::queries::unit_pixels;
use super::Session;
use crate::data::noise::{corrupt, Noise};
use crate::data::PIXELS;
use crate::error::Result;
use crate::rng::Rng;
use ndarray::{s, Array2};
use serde::Serialize;

/// At most this many test digits per call: a page task stays short.
pub const MAX_DIGITS: usize = 1000;

#[derive(Clone, Debug, Serialize)]
pub struct Denoised {
    pub digits: usize,
    /// Per-pixel MSE (0..1 scale) of the reconstructions against the clean
    /// inputs, and of the noisy inputs against them.
    pub mse: f64,
    pub noisy_mse: f64,
    /// The first `show` digits, noisy and reconstructed (show × 784 each;
    /// the clean ones are `Session::inputs`).
    pub noisy: Vec<f32>,
    pub recon: Vec<f32>,
}

#[inline(never)]
fn mse(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&p, &q)| ((p - q) as f64).powi(2))
        .sum::<f64>()
        / a.len().max(1) as f64
}

impl Session {
    /// The first `n` test digits under `noise` at `level`; the noise is drawn
    /// from `seed`, so the same call gives the same digits.
    pub fn denoise(
        &self,
        noise: Noise,
        level: f32,
        n: usize,
        show: usize,
        seed: u32,
    ) -> Result<Denoised> {
        let t = self.run()?;
        if t.model().decoder.is_none() {
            crate::bail!(
                "this model has no decoder: train an autoencoder to see what it makes of noise"
            );
        }
        let n = n.min(t.x_test().nrows()).min(MAX_DIGITS);
        if n == 0 {
            crate::bail!("the run has no test digits yet");
        }
        let scale = t.config().scale;
        let test = t.x_test();
        let rows = test.slice(s![..n, ..]);
        let clean: Vec<f32> = rows
            .as_slice()
            .unwrap_or(&[])
            .iter()
            .map(|&v| scale.to_unit(v))
            .collect();
        let mut noisy = clean.clone();
        corrupt(
            &mut noisy,
            noise,
            level,
            &mut Rng::new(seed as u64).fork(0xD3_0153),
        )?;
        let x = Array2::from_shape_vec(
            (n, PIXELS),
            noisy.iter().map(|&v| scale.from_unit(v)).collect(),
        )
        .map_err(|_| crate::Error::new("the noisy digits do not form a matrix"))?;
        let recon: Vec<f32> = t
            .model()
            .reconstruct(x.view())
            .map(|r| unit_pixels(&r, scale))
            .unwrap_or_default();
        let shown = show.min(n) * PIXELS;
        Ok(Denoised {
            digits: n,
            mse: mse(&recon, &clean),
            noisy_mse: mse(&noisy, &clean),
            noisy: noisy[..shown].to_vec(),
            recon: recon[..shown].to_vec(),
        })
    }
}
