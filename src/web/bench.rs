//! The bench page's surface: one speed workload (`crate::bench`), the
//! browser's multiply-add ceiling and bare GEMM repetitions, converted for JS.

use super::{err, Lab, Res};
use wasm_bindgen::prelude::*;

/// One speed workload (see `bench.rs`) for the bench page.
#[wasm_bindgen]
pub struct Bench(crate::bench::Bench);

#[wasm_bindgen]
impl Bench {
    /// `workload`: "w1", "w2", "w3", "kernel" or "adam"; the first `train` digits of
    /// the lab's data train, the rest evaluate.
    #[wasm_bindgen(constructor)]
    pub fn new(lab: &Lab, workload: &str, train: u32, batch: u32, seed: u32) -> Res<Bench> {
        crate::bench::Bench::new(
            workload,
            lab.0.data(),
            train as usize,
            batch as usize,
            seed as u64,
        )
        .map(Bench)
        .map_err(err)
    }

    /// Runs `units` batches (or encodes, kernel steps, Adam updates); returns the mean cost.
    pub fn run(&mut self, units: u32) -> f32 {
        self.0.run(units as usize)
    }

    pub fn evaluate(&self) -> f64 {
        self.0.evaluate()
    }

    #[wasm_bindgen(js_name = flopsPerSample)]
    pub fn flops_per_sample(&self) -> f64 {
        self.0.flops_per_sample()
    }

    #[wasm_bindgen(js_name = samplesPerUnit)]
    pub fn samples_per_unit(&self) -> u32 {
        self.0.samples_per_unit() as u32
    }
}

/// This browser's f32x4 multiply-add ceiling for the bench page
/// (`bench::fma_peak`): `rounds` × 96 flops; returns a checksum.
#[wasm_bindgen(js_name = fmaPeak)]
pub fn fma_peak(rounds: u32) -> f32 {
    crate::bench::fma_peak(rounds as usize)
}

/// Times one product shape for the bench page: `reps` products of the given
/// form ("xw": X·W + b, "xtdz": Xᵀ·dZ, "dzwt": dZ·Wᵀ) on m × k by k × n
/// operands filled with seeded values. Returns a checksum of the result.
#[wasm_bindgen(js_name = gemmRepeat)]
pub fn gemm_repeat(form: &str, m: u32, k: u32, n: u32, reps: u32) -> Res<f64> {
    crate::bench::gemm_repeat(form, m as usize, k as usize, n as usize, reps as usize).map_err(err)
}
