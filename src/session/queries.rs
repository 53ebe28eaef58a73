//! Questions asked of the current run's model: reconstructions, codes,
//! hash lookups, bucket occupancy, and the analysis of one drawn image. Each
//! refuses, with a reason, a model that lacks the part it needs or an index
//! out of range.

use super::Session;
use crate::data::{self, Digits, PixelScale, PIXELS};
use crate::error::{Error, Result};
use crate::nn::loss::argmax_rows;
use crate::retrieval::hash::Hit;
use crate::train::Trainer;
use ndarray::{s, Array2};
use serde::Serialize;

/// What the model makes of one image.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Analysis {
    /// Class probabilities, when the model has a classifier.
    pub probs: Option<Vec<f32>>,
    pub predicted: Option<u8>,
    /// The code; empty for a model without an encoder.
    pub code: Vec<f32>,
    /// Hash key bits, when the model is a hash model: each code unit against
    /// the index's threshold for it (0.5 before the index exists).
    pub bits: Option<Vec<u8>>,
    /// The reconstruction on the 0..1 scale, when the model has a decoder.
    pub reconstruction: Option<Vec<f32>>,
    /// The training digits in the image's bucket and within the radius.
    pub neighbours: Vec<Hit>,
    /// The 784 values (0..1) the network saw, after any deskewing.
    pub input: Vec<f32>,
}

fn digit(part: &Digits, i: usize, what: &str) -> Result<Vec<u8>> {
    if i >= part.len() {
        crate::bail!("{what} digit {i} does not exist; there are {}", part.len());
    }
    Ok(part.image(i).to_vec())
}

/// One image (784 values on the 0..1 scale, e.g. from the drawing pad) as
/// the network sees it: clamped, deskewed if the run deskews, then on the
/// run's pixel scale. Returns the 0..1 image too.
pub(super) fn network_input(t: &Trainer, pixels: &[f32]) -> Result<(Vec<f32>, Array2<f32>)> {
    if pixels.len() != PIXELS {
        crate::bail!("an image has 784 pixels; got {}", pixels.len());
    }
    if pixels.iter().any(|p| !p.is_finite()) {
        crate::bail!("the image contains a value that is not a finite number");
    }
    let c = t.config();
    let clamped: Vec<f32> = pixels.iter().map(|p| p.clamp(0.0, 1.0)).collect();
    let seen: Vec<f32> = if c.deskew {
        data::deskew(&clamped).to_vec()
    } else {
        clamped
    };
    let x = Array2::from_shape_vec(
        (1, PIXELS),
        seen.iter().map(|&p| c.scale.from_unit(p)).collect(),
    )
    .map_err(|e| Error::new(e.to_string()))?;
    Ok((seen, x))
}

/// Network outputs (a decoder's, on the run's pixel scale) as 0..1 images:
/// one copy of this loop for every query that shows pixels.
#[inline(never)]
pub(super) fn unit_pixels(a: &Array2<f32>, scale: PixelScale) -> Vec<f32> {
    a.as_slice()
        .unwrap_or(&[])
        .iter()
        .map(|&v| scale.to_unit(v).clamp(0.0, 1.0))
        .collect()
}

/// Rows `idx` of the run's test inputs (network scale).
pub(super) fn test_rows(t: &Trainer, idx: &[usize]) -> Result<Array2<f32>> {
    let n = t.x_test().nrows();
    if let Some(&bad) = idx.iter().find(|&&i| i >= n) {
        crate::bail!("test digit {bad} does not exist; there are {n}");
    }
    Ok(crate::linalg::gather_rows(t.x_test(), idx))
}

impl Session {
    /// Digit `i` of the loaded data, 784 bytes.
    pub fn image(&self, i: usize) -> Result<Vec<u8>> {
        digit(&self.data, i, "loaded")
    }

    pub fn label(&self, i: usize) -> Result<u8> {
        self.data.labels.get(i).copied().ok_or_else(|| {
            Error::new(format!(
                "digit {i} does not exist; there are {}",
                self.data.len()
            ))
        })
    }

    /// Training digit `i` of the current run's split.
    pub fn train_digit(&self, i: usize) -> Result<Vec<u8>> {
        digit(&self.run()?.split().train, i, "training")
    }

    /// Test digit `i` of the current run's split.
    pub fn test_digit(&self, i: usize) -> Result<Vec<u8>> {
        digit(&self.run()?.split().test, i, "test")
    }

    pub fn test_labels(&self) -> Result<Vec<u8>> {
        Ok(self.run()?.split().test.labels.clone())
    }

    /// Reconstructions (0..1) of the given test digits, 784 values each.
    pub fn reconstruct(&self, idx: &[usize]) -> Result<Vec<f32>> {
        let t = self.run()?;
        let x = test_rows(t, idx)?;
        let rec = t
            .model()
            .reconstruct(x.view())
            .ok_or_else(|| Error::new("this model has no decoder to reconstruct with"))?;
        Ok(unit_pixels(&rec, t.config().scale))
    }

    /// The network's inputs (0..1, after any deskewing) for the given test
    /// digits, 784 values each: what reconstructions are compared with.
    pub fn inputs(&self, idx: &[usize]) -> Result<Vec<f32>> {
        let t = self.run()?;
        let scale = t.config().scale;
        Ok(test_rows(t, idx)?
            .iter()
            .map(|&v| scale.to_unit(v))
            .collect())
    }

    /// Codes of the first `n` test digits, row-major (n × code width): the
    /// code the decoder reads (`Model::decoder_code`), so a point of the code
    /// map decodes to what lies there.
    pub fn codes(&self, n: usize) -> Result<Vec<f32>> {
        let t = self.run()?;
        if t.model().encoder.is_none() {
            crate::bail!("this model has no encoder, so no code to map");
        }
        let n = n.min(t.x_test().nrows());
        Ok(t.model()
            .decoder_code(t.x_test().slice(s![..n, ..]))
            .into_iter()
            .collect())
    }

    /// Encodes, reconstructs, classifies and looks up one image (784 values
    /// on the 0..1 scale, e.g. from the drawing pad).
    pub fn analyse(&self, pixels: &[f32], radius: u32, limit: usize) -> Result<Analysis> {
        let t = self.run()?;
        let (model, c) = (t.model(), t.config());
        let (seen, x) = network_input(t, pixels)?;
        let code = model.code(x.view());
        let probs = model.classify_code(code.view());
        let index = t.index();
        let bits = c.indexes().then(|| {
            let thresholds =
                index.map_or_else(|| vec![0.5; code.ncols()], |i| i.thresholds.clone());
            code.iter()
                .zip(&thresholds)
                .map(|(&v, &t)| u8::from(v >= t))
                .collect()
        });
        let neighbours = match (index, c.indexes()) {
            (Some(index), true) => index.search(code.row(0), radius, limit),
            _ => Vec::new(),
        };
        Ok(Analysis {
            predicted: probs.as_ref().map(|p| argmax_rows(p)[0]),
            probs: probs.map(|p| p.into_iter().collect()),
            bits,
            reconstruction: model
                .reconstruct(x.view())
                .map(|r| unit_pixels(&r, c.scale)),
            // Without an encoder the "code" would be the input itself.
            code: if model.encoder.is_some() {
                code.into_iter().collect()
            } else {
                Vec::new()
            },
            input: seen,
            neighbours,
        })
    }

    /// The training digits found for test digit `i` within Hamming `radius`.
    pub fn search(&self, test_index: usize, radius: u32, limit: usize) -> Result<Vec<Hit>> {
        let t = self.run()?;
        let index = t
            .index()
            .ok_or_else(|| Error::new("no hash index yet: train a hash model to the end first"))?;
        let x = test_rows(t, &[test_index])?;
        let code = t.model().code(x.view());
        Ok(index.search(code.row(0), radius, limit))
    }

    /// Bucket sizes, largest first, keys as bit strings (at most `top`).
    pub fn occupancy(&self, top: usize) -> Result<Vec<(String, usize)>> {
        let t = self.run()?;
        let index = t
            .index()
            .ok_or_else(|| Error::new("no hash index yet: train a hash model to the end first"))?;
        Ok(index
            .occupancy()
            .into_iter()
            .take(top)
            .map(|(k, n)| (format!("{:0w$b}", k, w = index.bits), n))
            .collect())
    }
}
