//! The engine in headless Chromium (wasm-bindgen-test): the same seeded
//! training gives the figures native gives (within common::REL_TOL /
//! ACC_TOL), training learns, and the JS surface turns bad input into Errors.
#![cfg(target_arch = "wasm32")]

mod common;
use common::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn seeded_runs_match_native_golden_figures() {
    let digits = subset();
    for (config, want) in configs().iter().zip(golden()) {
        let got = run(config, &digits);
        assert_close(&got, &want);
    }
}

#[wasm_bindgen_test]
fn same_seed_same_bits_in_the_browser() {
    let digits = subset();
    let c = &configs()[0];
    assert_eq!(run(c, &digits), run(c, &digits));
}

#[wasm_bindgen_test]
fn training_learns_in_the_browser() {
    let digits = subset();
    let mut c = configs()[0].clone();
    c.sup_epochs = 1;
    let one = run(&c, &digits).test_accuracy.unwrap();
    c.sup_epochs = 4;
    let four = run(&c, &digits).test_accuracy.unwrap();
    assert!(one > 0.6, "one epoch: {one}");
    assert!(four > one && four > 0.85, "four epochs {four} vs one {one}");
}

#[wasm_bindgen_test]
fn the_js_surface_reports_errors_instead_of_panicking() {
    use aelab::web::{preset_config, Lab};
    let err = Lab::new(&[1, 2, 3]).err().expect("garbage data is refused");
    let msg = JsValue::from(err);
    let text = js_sys::Reflect::get(&msg, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(text.contains("AELABMN1"), "{text}");

    let mut lab = Lab::new(include_bytes!("../www/data/mnist-10k.bin")).unwrap();
    assert_eq!(lab.count(), 10_000);
    assert!(
        lab.step(10, 5.0).is_err(),
        "stepping before a start is an error"
    );
    assert!(lab.image(10_000).is_err());
    let config = preset_config("mnist_mlp_all", "best", true).unwrap();
    js_sys::Reflect::set(&config, &"batch".into(), &0.into()).unwrap();
    let e = JsValue::from(lab.start(config).err().expect("batch 0 is refused"));
    let text = js_sys::Reflect::get(&e, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(text.contains("batch size 0"), "{text}");
    assert!(preset_config("nope", "best", true).is_err());
    // A good start, a few steps: progress comes back as a plain object.
    lab.start(preset_config("mnist_mlp_all", "best", true).unwrap())
        .unwrap();
    // 48 units of preparation (12,000 digits, 250 a unit), then training.
    let p = lab.step(60, 10_000.0).unwrap();
    let phase = js_sys::Reflect::get(&p, &"phase".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(phase, "supervise");
}

#[wasm_bindgen_test]
fn gemm_kernel_agrees_with_the_reference_in_the_browser() {
    check_kernel_against_reference();
}

#[wasm_bindgen_test]
fn vector_math_is_accurate_in_the_browser() {
    check_vector_math();
}

#[wasm_bindgen_test]
fn model_files_go_through_the_browsers_json_both_ways() {
    use aelab::web::Lab;
    let message = |e: JsValue| {
        js_sys::Reflect::get(&e, &"message".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    let mut lab = Lab::new(include_bytes!("../www/data/mnist-10k.bin")).unwrap();
    // A file the native build wrote (serde_json) loads here...
    let native = include_bytes!("../fuzz/seeds/modelfile/auto-4");
    lab.load_model(native).unwrap();
    let config = lab.config().unwrap();
    // ...and what this build writes of it reads back to the same file.
    let saved = lab.save_model().unwrap();
    lab.load_model(&saved).unwrap();
    assert_eq!(lab.save_model().unwrap(), saved);
    assert_eq!(
        js_sys::JSON::stringify(&lab.config().unwrap()).unwrap(),
        js_sys::JSON::stringify(&config).unwrap()
    );
    // Same tensor bytes as the native file: only the header's text differs.
    let tail = |b: &[u8]| b[8 + u64::from_le_bytes(b[..8].try_into().unwrap()) as usize..].to_vec();
    assert_eq!(tail(&saved), tail(native));
    let mut broken = saved.clone();
    broken[8] = b'[';
    let e = message(lab.load_model(&broken).unwrap_err());
    assert!(e.contains("not a valid safetensors header"), "{e}");
}

/// The starter model loads into the browser's Lab and answers through the
/// code-space and denoising queries: a digit's code decodes to its own
/// reconstruction, and a bad noise kind is refused by name, not a panic.
#[wasm_bindgen_test]
fn the_starter_model_answers_the_exploration_queries_in_the_browser() {
    use aelab::web::Lab;
    let mut lab = Lab::new(include_bytes!("../www/data/mnist-10k.bin")).unwrap();
    lab.load_model(include_bytes!("../www/data/starter.aelab"))
        .unwrap();
    while !lab.finished() {
        lab.step(1_000_000, 1e9).unwrap();
    }
    let img: Vec<f32> = lab
        .test_digit(0)
        .unwrap()
        .iter()
        .map(|&p| p as f32 / 255.0)
        .collect();
    let code = lab.encode(&img).unwrap();
    assert_eq!(code.len(), 10);
    let decoded = lab.decode(&code).unwrap();
    let rec = lab.reconstruct(&[0]).unwrap();
    let worst = decoded
        .iter()
        .zip(&rec)
        .fold(0.0f32, |w, (a, b)| w.max((a - b).abs()));
    assert!(worst < 1e-3, "decode(encode(x)) vs reconstruct(x): {worst}");
    assert_eq!(lab.train_codes(20).unwrap().len(), 200);
    let d = lab.denoise("gaussian", 0.5, 200, 2, 1).unwrap();
    let mse = js_sys::Reflect::get(&d, &"mse".into())
        .unwrap()
        .as_f64()
        .unwrap();
    let noisy = js_sys::Reflect::get(&d, &"noisy_mse".into())
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        mse.is_finite() && mse < noisy,
        "denoise mse {mse} vs noisy input {noisy}"
    );
    let e = JsValue::from(lab.denoise("speckle", 0.5, 10, 1, 1).err().unwrap());
    assert_eq!(
        js_sys::Reflect::get(&e, &"field".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("noise")
    );
}
