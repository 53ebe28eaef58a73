//! Shared by the native and the in-browser tests: seeded runs whose figures
//! both platforms must reproduce (tests/golden/runs.json).
#![allow(dead_code)]

use aelab::activation::Activation::{Linear, Relu, Sigmoid};
use aelab::data::{self, Digits};
use aelab::loss::ReconLoss;
use aelab::net::LayerSpec;
use aelab::{Config, Trainer};
use serde::{Deserialize, Serialize};

/// Tolerances between platforms. Native matmul (matrixmultiply, AVX) and wasm
/// (simd128) sum in different orders, so float results differ in the last
/// bits and the difference grows a little over training.
pub const REL_TOL: f64 = 2e-3;
pub const ACC_TOL: f64 = 0.005;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Figures {
    pub name: String,
    pub test_accuracy: Option<f64>,
    pub recon_mse: Option<f64>,
    /// Σ|w| and Σw over every weight: a fingerprint of the trained model.
    pub abs_sum: f64,
    pub sum: f64,
}

pub fn subset() -> Digits {
    data::parse_subset(include_bytes!("../../www/data/mnist-10k.bin"))
        .expect("www/data/mnist-10k.bin (scripts/build.sh makes it)")
}

pub fn configs() -> Vec<Config> {
    let l = |width, act| LayerSpec { width, act };
    vec![
        Config {
            name: "golden_mlp".into(),
            head: Some(vec![l(10, Relu)]),
            sup_epochs: 2,
            seed: 7,
            ..Config::default()
        },
        Config {
            name: "golden_ae".into(),
            encoder: vec![l(64, Relu), l(10, Linear)],
            decoder: vec![l(64, Relu), l(784, Sigmoid)],
            recon_loss: ReconLoss::Bce,
            head: Some(vec![l(10, Relu)]),
            ae_epochs: 1,
            sup_epochs: 3,
            label_fraction: 0.25,
            seed: 9,
            ..Config::default()
        },
    ]
}

pub fn run(config: &Config, digits: &Digits) -> Figures {
    let mut t = Trainer::new(config, digits).expect("valid config");
    let r = t.run().expect("training finishes").clone();
    let weights = t.model.nets().flat_map(|(_, n)| {
        n.layers
            .iter()
            .flat_map(|l| l.w.iter().copied())
            .collect::<Vec<_>>()
    });
    let (mut abs_sum, mut sum) = (0.0, 0.0);
    for w in weights {
        abs_sum += (w as f64).abs();
        sum += w as f64;
    }
    Figures {
        name: config.name.clone(),
        test_accuracy: r.test_accuracy,
        recon_mse: r.recon_mse,
        abs_sum,
        sum,
    }
}

pub fn golden() -> Vec<Figures> {
    serde_json::from_str(include_str!("../golden/runs.json")).expect("tests/golden/runs.json")
}

/// Panics with a readable message when `got` is not within tolerance of `want`.
pub fn assert_close(got: &Figures, want: &Figures) {
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-9);
    let name = &want.name;
    assert!(
        rel(got.abs_sum, want.abs_sum) < REL_TOL,
        "{name}: Σ|w| {} vs golden {}",
        got.abs_sum,
        want.abs_sum
    );
    // Σw is a difference of large sums: compare on the scale of Σ|w|.
    assert!(
        (got.sum - want.sum).abs() / want.abs_sum < REL_TOL,
        "{name}: Σw {} vs golden {}",
        got.sum,
        want.sum
    );
    match (got.test_accuracy, want.test_accuracy) {
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= ACC_TOL,
            "{name}: accuracy {a} vs golden {b}"
        ),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{name}: accuracy presence"),
    }
    match (got.recon_mse, want.recon_mse) {
        (Some(a), Some(b)) => assert!(rel(a, b) < REL_TOL, "{name}: recon mse {a} vs golden {b}"),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{name}: recon presence"),
    }
}
