//! Shared by the native and the in-browser tests: seeded runs whose figures
//! both platforms must reproduce (tests/golden/runs.json).
#![allow(dead_code)]

use aelab::data::{self, Digits};
use aelab::nn::activation::Activation::{Linear, Relu, Sigmoid};
use aelab::nn::loss::ReconLoss;
use aelab::nn::net::LayerSpec;
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
    /// Σ|w| and Σw over every weight and bias: a fingerprint of the model.
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
    let mut t = Trainer::new(config, digits, None).expect("valid config");
    let r = t.run().expect("training finishes").clone();
    let weights = t.model().nets().flat_map(|(_, n)| {
        n.layers
            .iter()
            .flat_map(|l| l.w.iter().chain(l.b.iter()).copied())
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

/// The GEMM kernel against the plain triple loop: every combination of
/// transposed operands (so both the tile and the dot-product paths), sizes
/// around the tile sizes, zero rows and columns, k = 0, with and without a
/// start row, writing into a C with padded rows that must stay untouched.
pub fn check_kernel_against_reference() {
    use aelab::linalg::kernel::{gemm, MatRef, Start};
    use aelab::linalg::reference::reference;
    let mut rng = aelab::rng::Rng::new(5);
    let mut random = |len: usize| -> Vec<f32> { (0..len).map(|_| rng.normal() as f32).collect() };
    // 16 and 48: whole 16-column panels, which Xᵀ·B runs in 2 × 16 tiles.
    let sizes = [0, 1, 3, 4, 5, 7, 8, 9, 16, 17, 33, 48];
    // Rows beyond the kernel's 128-row cache block, too.
    let rows = [0, 1, 3, 4, 5, 7, 8, 9, 17, 33, 131, 257];
    let mut checked = 0;
    for &m in &rows {
        for &n in &sizes {
            // k ≥ 32 also takes the dot-product kernel for A·Bᵀ.
            for &k in &[0, 1, 2, 5, 9, 31, 32, 37] {
                for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                    let (ad, bd, bias) = (random(m * k), random(k * n), random(n));
                    let a = if ta {
                        MatRef::row_major(&ad, k, m).t()
                    } else {
                        MatRef::row_major(&ad, m, k)
                    };
                    let b = if tb {
                        MatRef::row_major(&bd, n, k).t()
                    } else {
                        MatRef::row_major(&bd, k, n)
                    };
                    for start in [Start::Zero, Start::Row(&bias)] {
                        let ldc = n + 3;
                        let mut want = vec![7.0; m * ldc];
                        let mut got = want.clone();
                        reference(a, b, start, &mut want, ldc);
                        gemm(a, b, start, &mut got, ldc);
                        for (g, w) in got.iter().zip(&want) {
                            assert!(
                                (g - w).abs() <= 1e-5 * (1.0 + w.abs()),
                                "{m}×{k}·{k}×{n} ta={ta} tb={tb}: {g} vs {w}"
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, rows.len() * sizes.len() * 8 * 4 * 2);
}

/// The vectorised exp and sigmoid against f64's, over the whole input range.
pub fn check_vector_math() {
    use aelab::linalg::simd::F32x4;
    let (mut worst_exp, mut worst_sig) = (0.0f64, 0.0f64);
    let mut x = -100.0f32;
    while x < 100.0 {
        let e = F32x4::splat(x).exp().to_array()[0] as f64;
        let want = (x.clamp(-87.3, 88.3) as f64).exp();
        worst_exp = worst_exp.max(((e - want) / want).abs());
        let s = F32x4::splat(x).sigmoid().to_array()[0] as f64;
        assert!((0.0..=1.0).contains(&s), "sigmoid({x}) = {s}");
        worst_sig = worst_sig.max((s - 1.0 / (1.0 + (-(x as f64)).exp())).abs());
        x += 0.0137;
    }
    assert!(worst_exp < 3e-7, "exp relative error {worst_exp}");
    let mut worst_ln = 0.0f64;
    let mut x = 1e-7f32;
    while x < 1e4 {
        let l = F32x4::splat(x).ln().to_array()[0] as f64;
        worst_ln = worst_ln.max((l - (x as f64).ln()).abs() / (x as f64).ln().abs().max(1.0));
        x *= 1.0137;
    }
    assert!(worst_ln < 1e-6, "ln error {worst_ln}");
    assert!(worst_sig < 1e-7, "sigmoid absolute error {worst_sig}");
}
