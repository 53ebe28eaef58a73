//! The wasm-bindgen surface: one thin layer over the engine. Configs, progress
//! and results cross as plain JS objects (serde-wasm-bindgen); every engine
//! error becomes a JS `Error` carrying its message; a panic, should one ever
//! happen, is logged readably instead of as "unreachable".

use crate::config::Config;
use crate::data::{self, Digits, Protocol, PIXELS};
use crate::experiments::{self, Preset};
use crate::hash::Hit;
use crate::loss::argmax_rows;
use crate::modelfile;
use crate::propagate::Graph;
use crate::train::Trainer;
use ndarray::{Array2, Axis};
use serde::Serialize;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("aelab engine panic: {info}");
        web_sys::console::error_1(&msg.as_str().into());
        // A panic aborts this instance (wasm has no unwinding): tell the page
        // so it can start a fresh one (www/main.js) instead of calling a dead one.
        let hook = js_sys::Reflect::get(&js_sys::global(), &"aelabOnPanic".into());
        if let Ok(f) = hook.and_then(|h| h.dyn_into::<js_sys::Function>()) {
            let _ = f.call1(&JsValue::NULL, &msg.into());
        }
    }));
}

/// Panics on purpose, so the page's recovery from an engine panic can be
/// tested (there is no known input that makes the engine panic).
#[wasm_bindgen(js_name = crashForTesting)]
pub fn crash_for_testing() {
    panic!("crashForTesting was called");
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert result: {e}")))
}

/// Model files' JSON through the browser's own parser and printer, so the
/// download carries no JSON library (see `modelfile::Json`).
struct BrowserJson;

impl modelfile::Json for BrowserJson {
    fn parse<T: serde::de::DeserializeOwned>(&self, text: &str) -> Result<T, String> {
        let value = js_sys::JSON::parse(text).map_err(|e| {
            e.dyn_into::<js_sys::Error>()
                .map_or_else(|_| "not JSON".to_string(), |e| String::from(e.message()))
        })?;
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
    }
    fn write<T: Serialize>(&self, value: &T) -> String {
        to_js(value)
            .ok()
            .and_then(|v| js_sys::JSON::stringify(&v).ok())
            .and_then(|s| s.as_string())
            .expect("plain data serialises")
    }
}

fn err(e: crate::error::Error) -> JsError {
    JsError::new(&e.0)
}

/// The reference experiments: name, description, reference figures.
#[wasm_bindgen]
pub fn experiments() -> Result<JsValue, JsError> {
    to_js(&experiments::EXPERIMENTS)
}

/// A reference model's config in a preset, for the page's protocol.
#[wasm_bindgen(js_name = presetConfig)]
pub fn preset_config(name: &str, preset: &str) -> Result<JsValue, JsError> {
    let preset = match preset {
        "faithful" => Preset::Faithful,
        "best" => Preset::Best,
        p => {
            return Err(JsError::new(&format!(
                "unknown preset {p:?}; expected \"faithful\" or \"best\""
            )))
        }
    };
    let c = experiments::config(name, preset, Protocol::Browser)
        .ok_or_else(|| JsError::new(&format!("unknown model {name:?}")))?;
    to_js(&c)
}

/// A seed from the platform's entropy, for a "new seed" button.
#[wasm_bindgen(js_name = freshSeed)]
pub fn fresh_seed() -> u32 {
    crate::rng::fresh_seed()
}

#[derive(Serialize)]
struct Analysis {
    /// Class probabilities, when the model has a classifier.
    probs: Option<Vec<f32>>,
    predicted: Option<u8>,
    code: Vec<f32>,
    /// Hash key bits (code ≥ 0.5), when the code is a sigmoid hash code.
    bits: Option<Vec<u8>>,
    /// The reconstruction on the 0..1 scale, when the model has a decoder.
    reconstruction: Option<Vec<f32>>,
    neighbours: Vec<Hit>,
    /// The 784 values (0..1) the network saw, after any deskewing.
    input: Vec<f32>,
}

fn digit_of(part: &Digits, i: u32, what: &str) -> Result<Vec<u8>, JsError> {
    let i = i as usize;
    if i >= part.len() {
        return Err(JsError::new(&format!(
            "{what} digit {i} does not exist; there are {}",
            part.len()
        )));
    }
    Ok(part.image(i).to_vec())
}

/// What a run's feature matrices and k-NN graph take: grown and touched
/// while the page loads, so the first Start does not spend a frame on it.
const WARM_BYTES: usize = 64 << 20;

/// Grows the wasm memory by `bytes` and touches every page once, then hands
/// the block back to the allocator: later allocations reuse pages the
/// browser has already mapped instead of growing memory mid-frame.
fn warm_memory(bytes: usize) {
    let mut block = vec![0u8; bytes];
    // One write per 4 KiB page: the browser maps it now, not mid-training.
    for page in block.chunks_mut(4096) {
        page[0] = 1;
    }
    std::hint::black_box(&block);
}

/// The lab: the loaded digits and at most one run.
#[wasm_bindgen]
pub struct Lab {
    digits: Digits,
    trainer: Option<Trainer>,
    /// The last k-NN graph built, by seed: runs on the same split reuse it.
    graph: Option<(u32, Arc<Graph>)>,
}

#[wasm_bindgen]
impl Lab {
    /// Parses the page's data file (the compact subset format, uncompressed).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<Lab, JsError> {
        let digits = data::parse_subset(bytes).map_err(err)?;
        warm_memory(WARM_BYTES);
        Ok(Lab {
            digits,
            trainer: None,
            graph: None,
        })
    }

    pub fn count(&self) -> u32 {
        self.digits.len() as u32
    }

    /// Digit `i`'s 784 pixels, 0..255.
    pub fn image(&self, i: u32) -> Result<Vec<u8>, JsError> {
        let i = i as usize;
        if i >= self.digits.len() {
            return Err(JsError::new(&format!(
                "digit {i} does not exist; there are {}",
                self.digits.len()
            )));
        }
        Ok(self.digits.image(i).to_vec())
    }

    pub fn label(&self, i: u32) -> Result<u8, JsError> {
        self.digits
            .labels
            .get(i as usize)
            .copied()
            .ok_or_else(|| JsError::new(&format!("digit {i} does not exist")))
    }

    /// Starts a new run (replacing any previous one) from a config object.
    pub fn start(&mut self, config: JsValue) -> Result<(), JsError> {
        let config: Config = serde_wasm_bindgen::from_value(config)
            .map_err(|e| JsError::new(&format!("invalid config: {e}")))?;
        self.keep_graph();
        self.trainer = None;
        let mut t = Trainer::new(&config, &self.digits).map_err(err)?;
        if let Some((seed, g)) = &self.graph {
            if *seed == config.seed && (config.propagate || config.graph_weight > 0.0) {
                t.reuse_graph(g.clone()).map_err(err)?;
            }
        }
        self.trainer = Some(t);
        Ok(())
    }

    pub fn reset(&mut self) {
        self.keep_graph();
        self.trainer = None;
    }

    fn keep_graph(&mut self) {
        if let Some(t) = &self.trainer {
            if let Some(g) = t.graph() {
                self.graph = Some((t.model.config.seed, g));
            }
        }
    }

    /// The current model as a model file (see `modelfile`).
    #[wasm_bindgen(js_name = saveModel)]
    pub fn save_model(&self) -> Result<Vec<u8>, JsError> {
        Ok(modelfile::save_with(&self.trainer()?.model, &BrowserJson))
    }

    /// Replaces the current run with a model read from a file; the run then
    /// evaluates it (step until finished) and builds its hash index. On a bad
    /// file the current run is left as it was.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let model = modelfile::load_with(bytes, &BrowserJson).map_err(err)?;
        self.trainer = Some(Trainer::for_evaluation(model, &self.digits).map_err(err)?);
        Ok(())
    }

    fn trainer(&self) -> Result<&Trainer, JsError> {
        self.trainer
            .as_ref()
            .ok_or_else(|| JsError::new("no model yet: start a run first"))
    }

    /// Advances the run by at most `max_batches` batches or `max_ms`
    /// milliseconds; returns the progress object.
    pub fn step(&mut self, max_batches: u32, max_ms: f64) -> Result<JsValue, JsError> {
        let t = self
            .trainer
            .as_mut()
            .ok_or_else(|| JsError::new("no run to step: start one first"))?;
        if !(max_ms.is_finite() && max_ms > 0.0) {
            return Err(JsError::new(&format!(
                "time budget {max_ms} ms is not a positive number"
            )));
        }
        to_js(&t.step(max_batches.max(1) as usize, max_ms / 1000.0))
    }

    pub fn finished(&self) -> bool {
        self.trainer.as_ref().is_some_and(Trainer::finished)
    }

    pub fn results(&self) -> Result<JsValue, JsError> {
        to_js(&self.trainer()?.results)
    }

    pub fn config(&self) -> Result<JsValue, JsError> {
        to_js(&self.trainer()?.model.config)
    }

    /// Reconstructions (0..1) of the given test digits, 784 values each.
    pub fn reconstruct(&self, test_indices: &[u32]) -> Result<Vec<f32>, JsError> {
        let t = self.trainer()?;
        let x = self.test_rows(t, test_indices)?;
        let rec = t
            .model
            .reconstruct(x.view())
            .ok_or_else(|| JsError::new("this model has no decoder to reconstruct with"))?;
        let k = 1.0 / t.model.config.scale.peak();
        Ok(rec.iter().map(|v| (v * k).clamp(0.0, 1.0)).collect())
    }

    /// The network's inputs (0..1, after any deskewing) for the given test
    /// digits, 784 values each: what reconstructions are compared with.
    pub fn inputs(&self, test_indices: &[u32]) -> Result<Vec<f32>, JsError> {
        let t = self.trainer()?;
        let k = 1.0 / t.model.config.scale.peak();
        Ok(self
            .test_rows(t, test_indices)?
            .iter()
            .map(|v| v * k)
            .collect())
    }

    /// Codes of the first `n` test digits, row-major (n × code width).
    pub fn codes(&self, n: u32) -> Result<Vec<f32>, JsError> {
        let t = self.trainer()?;
        if t.model.encoder.is_none() {
            return Err(JsError::new("this model has no encoder, so no code to map"));
        }
        let n = (n as usize).min(t.x_test().nrows());
        Ok(t.model
            .code(t.x_test().slice(ndarray::s![..n, ..]))
            .iter()
            .copied()
            .collect())
    }

    /// Encodes, reconstructs, classifies and looks up one image (784 values
    /// on the 0..1 scale, e.g. from the drawing pad).
    pub fn analyse(&self, pixels: &[f32], radius: u32, limit: u32) -> Result<JsValue, JsError> {
        let t = self.trainer()?;
        if pixels.len() != PIXELS {
            return Err(JsError::new(&format!(
                "an image has 784 pixels; got {}",
                pixels.len()
            )));
        }
        if pixels.iter().any(|p| !p.is_finite()) {
            return Err(JsError::new(
                "the image contains a value that is not a finite number",
            ));
        }
        let peak = t.model.config.scale.peak();
        let clamped: Vec<f32> = pixels.iter().map(|p| p.clamp(0.0, 1.0)).collect();
        let seen: Vec<f32> = if t.model.config.deskew {
            data::deskew(&clamped).to_vec()
        } else {
            clamped
        };
        let x = Array2::from_shape_vec((1, PIXELS), seen.iter().map(|p| p * peak).collect())
            .expect("784 values");
        let code = t.model.code(x.view());
        let probs = t.model.classify_code(code.view());
        let hash_code = t.model.config.is_hash();
        let thresholds = t
            .index
            .as_ref()
            .map_or_else(|| vec![0.5; code.ncols()], |i| i.thresholds.clone());
        let neighbours = match (&t.index, hash_code) {
            (Some(index), true) => index.search(code.row(0), radius, limit as usize),
            _ => Vec::new(),
        };
        to_js(&Analysis {
            predicted: probs.as_ref().map(|p| argmax_rows(p)[0]),
            probs: probs.map(|p| p.iter().copied().collect()),
            bits: hash_code.then(|| {
                code.iter()
                    .zip(&thresholds)
                    .map(|(&v, &t)| u8::from(v >= t))
                    .collect()
            }),
            reconstruction: t
                .model
                .reconstruct(x.view())
                .map(|r| r.iter().map(|v| (v / peak).clamp(0.0, 1.0)).collect()),
            // Without an encoder the "code" would be the input itself.
            code: if t.model.encoder.is_some() {
                code.iter().copied().collect()
            } else {
                Vec::new()
            },
            input: seen,
            neighbours,
        })
    }

    /// The training digits found for test digit `i` within Hamming `radius`.
    pub fn search(&self, test_index: u32, radius: u32, limit: u32) -> Result<JsValue, JsError> {
        let t = self.trainer()?;
        let index = t.index.as_ref().ok_or_else(|| {
            JsError::new("no hash index yet: train a hash model to the end first")
        })?;
        let x = self.test_rows(t, &[test_index])?;
        let code = t.model.code(x.view());
        to_js(&index.search(code.row(0), radius, limit as usize))
    }

    /// Bucket sizes, largest first: [[key, size], ...] (at most `top`).
    pub fn occupancy(&self, top: u32) -> Result<JsValue, JsError> {
        let t = self.trainer()?;
        let index = t
            .index
            .as_ref()
            .ok_or_else(|| JsError::new("no hash index yet"))?;
        let occ: Vec<(String, usize)> = index
            .occupancy()
            .into_iter()
            .take(top as usize)
            .map(|(k, n)| (format!("{:0w$b}", k, w = index.bits), n))
            .collect();
        to_js(&occ)
    }

    /// Training digit `i` of the current run's split (784 bytes), to draw
    /// what a hash lookup found.
    #[wasm_bindgen(js_name = trainDigit)]
    pub fn train_digit(&self, i: u32) -> Result<Vec<u8>, JsError> {
        digit_of(&self.trainer()?.split.train, i, "training")
    }

    /// Test digit `i` of the current run's split (784 bytes).
    #[wasm_bindgen(js_name = testDigit)]
    pub fn test_digit(&self, i: u32) -> Result<Vec<u8>, JsError> {
        digit_of(&self.trainer()?.split.test, i, "test")
    }

    #[wasm_bindgen(js_name = testLabels)]
    pub fn test_labels(&self) -> Result<Vec<u8>, JsError> {
        Ok(self.trainer()?.split.test.labels.clone())
    }

    fn test_rows(&self, t: &Trainer, idx: &[u32]) -> Result<Array2<f32>, JsError> {
        let n = t.x_test().nrows();
        let idx: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
        if let Some(&bad) = idx.iter().find(|&&i| i >= n) {
            return Err(JsError::new(&format!(
                "test digit {bad} does not exist; there are {n}"
            )));
        }
        Ok(t.x_test().select(Axis(0), &idx))
    }
}

/// One speed workload (see `bench.rs`) for the bench page.
#[wasm_bindgen]
pub struct Bench(crate::bench::Bench);

#[wasm_bindgen]
impl Bench {
    /// `workload`: "w1", "w2", "w3" or "kernel"; the first `train` digits of
    /// the lab's data train, the rest evaluate.
    #[wasm_bindgen(constructor)]
    pub fn new(
        lab: &Lab,
        workload: &str,
        train: u32,
        batch: u32,
        seed: u32,
    ) -> Result<Bench, JsError> {
        crate::bench::Bench::new(
            workload,
            &lab.digits,
            train as usize,
            batch as usize,
            seed as u64,
        )
        .map(Bench)
        .map_err(err)
    }

    /// Runs `units` batches (or encodes, or kernel steps); returns the mean cost.
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

/// Times one product shape for the bench page: `reps` products of the given
/// form ("xw": X·W + b, "xtdz": Xᵀ·dZ, "dzwt": dZ·Wᵀ) on m × k by k × n
/// operands filled with seeded values. Returns a checksum of the result.
/// This browser's f32x4 multiply-add ceiling for the bench page
/// (`bench::fma_peak`): `rounds` × 96 flops; returns a checksum.
#[wasm_bindgen(js_name = fmaPeak)]
pub fn fma_peak(rounds: u32) -> f32 {
    crate::bench::fma_peak(rounds as usize)
}

#[wasm_bindgen(js_name = gemmRepeat)]
pub fn gemm_repeat(form: &str, m: u32, k: u32, n: u32, reps: u32) -> Result<f64, JsError> {
    crate::bench::gemm_repeat(form, m as usize, k as usize, n as usize, reps as usize).map_err(err)
}
