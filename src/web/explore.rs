//! The code-space and denoising queries of `session::explore` and
//! `session::denoise`, converted for JS.

use super::{err, to_js, Lab, Res};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Lab {
    /// Decodes codes (n × the code's width, row-major) to 0..1 images.
    pub fn decode(&self, codes: &[f32]) -> Res<Vec<f32>> {
        self.0.decode(codes).map_err(err)
    }

    /// The codes of images (n × 784 values, 0..1), as the decoder reads them.
    pub fn encode(&self, images: &[f32]) -> Res<Vec<f32>> {
        self.0.encode(images).map_err(err)
    }

    /// The codes of the first `n` training digits.
    #[wasm_bindgen(js_name = trainCodes)]
    pub fn train_codes(&self, n: u32) -> Res<Vec<f32>> {
        self.0.train_codes(n as usize).map_err(err)
    }

    /// The first `n` test digits under `noise` ("gaussian", "salt", "mask")
    /// at `level` (0..1), reconstructed: { digits, mse, noisy_mse,
    /// noisy, recon } with the first `show` digits' images.
    pub fn denoise(&self, noise: &str, level: f32, n: u32, show: u32, seed: u32) -> Res<JsValue> {
        let noise = noise.parse().map_err(err)?;
        to_js(
            &self
                .0
                .denoise(noise, level, n as usize, show as usize, seed)
                .map_err(err)?,
        )
    }
}
