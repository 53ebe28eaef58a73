//! The wasm-bindgen surface: one thin layer over the engine. Configs, progress
//! and results cross as plain JS objects (serde-wasm-bindgen); every engine
//! error becomes a JS `Error` carrying its message; a panic, should one ever
//! happen, is logged readably instead of as "unreachable".

use crate::data::{self, Protocol};
use crate::experiment::config::Config;
use crate::experiment::table::{self, Preset};
use crate::modelfile;
use crate::session::Session;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

mod bench;
mod explore;

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

/// Traps without a panic, as running out of memory does, so the page's
/// recovery from an abort that no panic hook announces can be tested.
#[wasm_bindgen(js_name = abortForTesting)]
pub fn abort_for_testing() {
    core::arch::wasm32::unreachable()
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
    fn parse_config(&self, text: &str) -> crate::Result<Config> {
        let value =
            js_sys::JSON::parse(text).map_err(|_| crate::Error::new("the config is not JSON"))?;
        config_from_js(value)
    }
    fn write<T: Serialize>(&self, value: &T) -> String {
        to_js(value)
            .ok()
            .and_then(|v| js_sys::JSON::stringify(&v).ok())
            .and_then(|s| s.as_string())
            .expect("plain data serialises")
    }
}

/// An engine error as a JS `Error`; a refused setting also carries `field`,
/// the config key at fault, so the page can show it beside that control.
fn err(e: crate::error::Error) -> JsValue {
    let js = js_sys::Error::new(&e.message);
    if let Some(f) = &e.field {
        let _ = js_sys::Reflect::set(&js, &"field".into(), &f.as_str().into());
    }
    js.into()
}

type Res<T> = Result<T, JsValue>;

fn to_js<T: Serialize>(v: &T) -> Res<JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert result: {e}")).into())
}

/// The reference experiments: name, description, reference figures.
#[wasm_bindgen]
pub fn experiments() -> Res<JsValue> {
    to_js(&table::EXPERIMENTS)
}

/// The data sets the page offers: id, name, file, class names.
#[wasm_bindgen]
pub fn datasets() -> Res<JsValue> {
    to_js(&data::DATASETS)
}

/// The most images one's own files may hold: the page refuses a longer
/// file, or a gzip that inflates past it, before the engine sees it.
#[wasm_bindgen(js_name = maxOwnImages)]
pub fn max_own_images() -> usize {
    data::MAX_IMAGES
}

/// The label-efficiency curves: name, reference row, propagation.
#[wasm_bindgen]
pub fn curves() -> Res<JsValue> {
    to_js(&crate::experiment::curve::CURVES)
}

/// What the page's images are: its data set's `digits` flag.
fn kind(digits: bool) -> table::Kind {
    if digits {
        table::Kind::Digits
    } else {
        table::Kind::Other
    }
}

/// A reference model's config in a preset, for the page's protocol and for
/// digits or other images (the loaded data set's `digits`).
#[wasm_bindgen(js_name = presetConfig)]
pub fn preset_config(name: &str, preset: &str, digits: bool) -> Res<JsValue> {
    let preset: Preset = preset.parse().map_err(err)?;
    let c = table::config_for(name, preset, Protocol::Browser, kind(digits))
        .ok_or_else(|| JsError::new(&format!("unknown model {name:?}")))?;
    to_js(&c)
}

/// A seed from the platform's entropy, for the settings' "new seed" button.
#[wasm_bindgen(js_name = freshSeed)]
pub fn fresh_seed() -> u32 {
    crate::rng::fresh_seed()
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

fn indices(v: &[u32]) -> Vec<usize> {
    v.iter().map(|&i| i as usize).collect()
}

/// Checks a config object as `Lab.start` would, without starting anything
/// (a link's setup is validated before the page shows it).
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(config: JsValue) -> Res<()> {
    config_from_js(config).map(|_| ()).map_err(err)
}

/// A config object from JS, validated. serde names no field for a value of
/// the wrong type, so on failure each of the object's fields is read alone
/// over the defaults to find the one at fault (cheaper in the download than
/// tracking paths through the deserializer, as the native reader does).
fn config_from_js(value: JsValue) -> crate::Result<Config> {
    use crate::error::Error;
    let e = match serde_wasm_bindgen::from_value::<Config>(value.clone()) {
        Ok(c) => return c.validate().map(|()| c),
        Err(e) => e,
    };
    if !value.is_object() || value.is_array() {
        return Err(Error::in_field("config", format!("invalid config: {e}")));
    }
    let defaults = to_js(&Config::default()).map_err(|_| Error::new("invalid config"))?;
    let object: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let probe = js_sys::Object::assign(&js_sys::Object::new(), defaults.unchecked_ref());
        let field = js_sys::Reflect::get(&value, &key).unwrap_or(JsValue::UNDEFINED);
        let _ = js_sys::Reflect::set(&probe, &key, &field);
        if let Err(alone) = serde_wasm_bindgen::from_value::<Config>(probe.into()) {
            let key = key.as_string().unwrap_or_default();
            return Err(Error::in_field(
                key.clone(),
                format!("invalid config: {key}: {alone}"),
            ));
        }
    }
    Err(Error::new(format!("invalid config: {e}")))
}

/// The lab: a `Session` (the loaded digits and at most one run) seen from JS.
#[wasm_bindgen]
pub struct Lab(Session);

#[wasm_bindgen]
impl Lab {
    /// Parses the page's data file (the compact subset format, uncompressed).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Res<Lab> {
        let digits = data::parse_subset(bytes).map_err(err)?;
        warm_memory(WARM_BYTES);
        Ok(Lab(Session::new(digits)))
    }

    /// Replaces the data with a page data file (as `new` reads); on a bad
    /// file the current data and run stay.
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(&mut self, bytes: &[u8]) -> Res<()> {
        let digits = data::parse_subset(bytes).map_err(err)?;
        self.0.set_data(digits);
        Ok(())
    }

    /// Replaces the data with a person's own IDX images and labels
    /// (decompressed); on refusal the current data and run stay.
    #[wasm_bindgen(js_name = loadIdx)]
    pub fn load_idx(&mut self, images: &[u8], labels: &[u8]) -> Res<()> {
        let digits = data::own_idx(images, labels).map_err(err)?;
        self.0.set_data(digits);
        Ok(())
    }

    /// The loaded data as a page data file (to restore it after a restart).
    #[wasm_bindgen(js_name = dataFile)]
    pub fn data_file(&self) -> Vec<u8> {
        data::encode_subset(self.0.data())
    }

    /// Curve `curve`'s config (see `curves`) with `labels` of the loaded
    /// data's training part labelled, on the page's protocol, for digits or
    /// other images.
    #[wasm_bindgen(js_name = curveConfig)]
    pub fn curve_config(&self, curve: u32, labels: u32, digits: bool) -> Res<JsValue> {
        use crate::experiment::curve;
        let c = curve::CURVES
            .get(curve as usize)
            .ok_or_else(|| JsError::new(&format!("curve {curve} does not exist; there are 4")))?;
        let n_train = data::train_size(self.0.data().len());
        to_js(&curve::config(
            c,
            Protocol::Browser,
            kind(digits),
            labels as usize,
            n_train,
        ))
    }

    pub fn count(&self) -> u32 {
        self.0.data().len() as u32
    }

    /// Digit `i`'s 784 pixels, 0..255.
    pub fn image(&self, i: u32) -> Res<Vec<u8>> {
        self.0.image(i as usize).map_err(err)
    }

    pub fn label(&self, i: u32) -> Res<u8> {
        self.0.label(i as usize).map_err(err)
    }

    /// Starts a new run from a config object; a refused config leaves the
    /// current run and model as they were.
    pub fn start(&mut self, config: JsValue) -> Res<()> {
        let config = config_from_js(config).map_err(err)?;
        self.0.start(&config).map_err(err)
    }

    pub fn reset(&mut self) {
        self.0.reset();
    }

    /// The current model as a model file (see `modelfile`).
    #[wasm_bindgen(js_name = saveModel)]
    pub fn save_model(&self) -> Res<Vec<u8>> {
        Ok(modelfile::save_with(
            self.0.run().map_err(err)?.model(),
            &BrowserJson,
        ))
    }

    /// Replaces the current run with a model read from a file, which the
    /// run then evaluates and indexes; on a bad file the current run stays.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(&mut self, bytes: &[u8]) -> Res<()> {
        let model = modelfile::load_with(bytes, &BrowserJson).map_err(err)?;
        self.0.load_model(model).map_err(err)
    }

    /// Advances the run by at most `max_batches` units or `max_ms`
    /// milliseconds; returns the progress object.
    pub fn step(&mut self, max_batches: u32, max_ms: f64) -> Res<JsValue> {
        to_js(
            &self
                .0
                .step(max_batches as usize, max_ms / 1000.0)
                .map_err(err)?,
        )
    }

    pub fn finished(&self) -> bool {
        self.0.finished()
    }

    pub fn results(&self) -> Res<JsValue> {
        to_js(self.0.run().map_err(err)?.results())
    }

    pub fn config(&self) -> Res<JsValue> {
        to_js(self.0.run().map_err(err)?.config())
    }

    /// Reconstructions (0..1) of the given test digits, 784 values each.
    pub fn reconstruct(&self, test_indices: &[u32]) -> Res<Vec<f32>> {
        self.0.reconstruct(&indices(test_indices)).map_err(err)
    }

    /// The network's inputs (0..1, after any deskewing) for these test digits.
    pub fn inputs(&self, test_indices: &[u32]) -> Res<Vec<f32>> {
        self.0.inputs(&indices(test_indices)).map_err(err)
    }

    /// Codes of the first `n` test digits, row-major (n × code width).
    pub fn codes(&self, n: u32) -> Res<Vec<f32>> {
        self.0.codes(n as usize).map_err(err)
    }

    /// Encodes, reconstructs, classifies and looks up one image (784 values
    /// on the 0..1 scale, e.g. from the drawing pad).
    pub fn analyse(&self, pixels: &[f32], radius: u32, limit: u32) -> Res<JsValue> {
        to_js(
            &self
                .0
                .analyse(pixels, radius, limit as usize)
                .map_err(err)?,
        )
    }

    /// The training digits found for test digit `i` within Hamming `radius`.
    pub fn search(&self, test_index: u32, radius: u32, limit: u32) -> Res<JsValue> {
        to_js(
            &self
                .0
                .search(test_index as usize, radius, limit as usize)
                .map_err(err)?,
        )
    }

    /// Bucket sizes, largest first: [[key, size], ...] (at most `top`).
    pub fn occupancy(&self, top: u32) -> Res<JsValue> {
        to_js(&self.0.occupancy(top as usize).map_err(err)?)
    }

    /// Training digit `i` of the current run's split (784 bytes).
    #[wasm_bindgen(js_name = trainDigit)]
    pub fn train_digit(&self, i: u32) -> Res<Vec<u8>> {
        self.0.train_digit(i as usize).map_err(err)
    }

    /// Test digit `i` of the current run's split (784 bytes).
    #[wasm_bindgen(js_name = testDigit)]
    pub fn test_digit(&self, i: u32) -> Res<Vec<u8>> {
        self.0.test_digit(i as usize).map_err(err)
    }

    #[wasm_bindgen(js_name = testLabels)]
    pub fn test_labels(&self) -> Res<Vec<u8>> {
        self.0.test_labels().map_err(err)
    }
}
