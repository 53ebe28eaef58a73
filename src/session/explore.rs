//! Touching the code space of a model with an encoder and a decoder: the
//! codes the decoder reads (`Model::decoder_code`) of any images or of the
//! training digits, and decoding any code. The page builds its traversals,
//! blends and map probes from these (mixing codes is a few additions; the
//! networks run here).

use super::queries::{network_input, unit_pixels};
use super::Session;
use crate::data::PIXELS;
use crate::error::{Error, Result};
use crate::train::Trainer;
use ndarray::{s, ArrayView2};

/// The run, if its model has both an encoder and a decoder.
fn autoencoder(s: &Session) -> Result<&Trainer> {
    let t = s.run()?;
    if t.model().encoder.is_none() || t.model().decoder.is_none() {
        crate::bail!("this model has no encoder and decoder: train an autoencoder (mnist_auto_*, mnist_hash_*) to explore its code space");
    }
    Ok(t)
}

impl Session {
    /// Decodes codes (row-major, n × the code's width) to 0..1 images.
    pub fn decode(&self, codes: &[f32]) -> Result<Vec<f32>> {
        let t = autoencoder(self)?;
        let width = t.config().code_width();
        if codes.is_empty() || !codes.len().is_multiple_of(width) {
            crate::bail!("codes have {width} values each; got {} values", codes.len());
        }
        if codes.iter().any(|v| !v.is_finite()) {
            crate::bail!("a code contains a value that is not a finite number");
        }
        let x = ArrayView2::from_shape((codes.len() / width, width), codes)
            .map_err(|_| Error::new("the codes do not form a matrix"))?;
        Ok(t.model()
            .decode(x)
            .map(|r| unit_pixels(&r, t.config().scale))
            .unwrap_or_default())
    }

    /// The codes of images (n × 784 values on the 0..1 scale, as `analyse`
    /// takes one), row-major.
    pub fn encode(&self, images: &[f32]) -> Result<Vec<f32>> {
        let t = autoencoder(self)?;
        if images.is_empty() || !images.len().is_multiple_of(PIXELS) {
            crate::bail!("images have 784 pixels each; got {} values", images.len());
        }
        let mut out = Vec::new();
        for img in images.chunks(PIXELS) {
            let (_, x) = network_input(t, img)?;
            out.extend(t.model().decoder_code(x.view()));
        }
        Ok(out)
    }

    /// The codes of the first `n` training digits, row-major: the ranges a
    /// traversal sweeps.
    pub fn train_codes(&self, n: usize) -> Result<Vec<f32>> {
        let t = autoencoder(self)?;
        let n = n.min(t.x_train().nrows());
        if n == 0 {
            crate::bail!("the run has no training codes yet");
        }
        Ok(t.model()
            .decoder_code(t.x_train().slice(s![..n, ..]))
            .into_iter()
            .collect())
    }
}
