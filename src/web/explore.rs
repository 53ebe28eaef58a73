//! The code-space and denoising queries of `session::explore` and
//! `session::denoise`, converted for JS.

use super::{err, to_js, Lab, Res};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Lab {
    /// The code map's plane over the first `n` test digits: { width, k,
    /// mean, axes, points, labels } (see `session::Plane`).
    #[wasm_bindgen(js_name = codePlane)]
    pub fn code_plane(&self, n: u32) -> Res<JsValue> {
        to_js(&self.0.code_plane(n as usize).map_err(err)?)
    }

    /// Decodes codes (n × the code's width, row-major) to 0..1 images.
    pub fn decode(&self, codes: &[f32]) -> Res<Vec<f32>> {
        self.0.decode(codes).map_err(err)
    }

    /// Each code unit swept, the others at `pixels`' code (0..1 image).
    pub fn traverse(&self, pixels: &[f32], steps: u32) -> Res<JsValue> {
        to_js(&self.0.traverse(pixels, steps as usize).map_err(err)?)
    }

    /// Two 0..1 images blended through the code and in pixel space.
    pub fn interpolate(&self, a: &[f32], b: &[f32], steps: u32) -> Res<JsValue> {
        to_js(&self.0.interpolate(a, b, steps as usize).map_err(err)?)
    }

    /// Test digit `i` as a 0..1 image, as `analyse` takes one.
    #[wasm_bindgen(js_name = testImage)]
    pub fn test_image(&self, i: u32) -> Res<Vec<f32>> {
        self.0.test_image(i as usize).map_err(err)
    }

    /// The first `n` test digits under `noise` ("gaussian", "salt", "mask")
    /// at `level` (0..1), reconstructed: { digits, mse, noisy_mse, clean,
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
