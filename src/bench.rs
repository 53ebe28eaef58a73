//! The speed workloads of BENCHMARKS.md, run on the engine's own layers,
//! losses and optimiser, so the browser bench and `aelab bench` time exactly
//! what training in the lab does:
//! - W1: train 784→10 ReLU→10 softmax, cross-entropy;
//! - W2: train the autoencoder 784→64→10→64→784 (ReLU, sigmoid out), MSE;
//! - W3: encode (784→64→10 ReLU) every evaluation digit in one batch;
//! - kernel: the eleven matrix products of one W2 step, nothing else;
//! - and, outside the table, the parts of a W2 step, so the bench can say
//!   where the time outside the products goes: grads, the step without its
//!   Adam update (forward, loss, backward); adam, that update alone (from one
//!   real batch's gradients).
//!
//! Training goes through the rows in order (the subset is shuffled once when
//! it is made), so every engine compared sees the same batches.

use crate::data::{Digits, PixelScale, CLASSES, PIXELS};
use crate::error::Result;
use crate::linalg::gemm;
use crate::nn::activation::Activation;
use crate::nn::dense::Init;
use crate::nn::loss;
use crate::nn::net::{LayerSpec, Net};
use crate::nn::optim::{OptimSpec, Optimizer};
use crate::rng::Rng;
use ndarray::{s, Array1, Array2};

pub const WORKLOADS: [&str; 4] = ["w1", "w2", "w3", "kernel"];
/// Parts of a W2 step timed on their own (no FLOPs counted).
pub const PARTS: [&str; 2] = ["grads", "adam"];
const LR: f32 = 0.001;

fn spec(width: usize, act: Activation) -> LayerSpec {
    LayerSpec { width, act }
}

fn layers(workload: &str) -> Option<Vec<LayerSpec>> {
    use Activation::*;
    Some(match workload {
        "w1" => vec![spec(10, Relu), spec(CLASSES, Linear)],
        "w2" | "kernel" | "grads" | "adam" => vec![
            spec(64, Relu),
            spec(10, Relu),
            spec(64, Relu),
            spec(PIXELS, Sigmoid),
        ],
        "w3" => vec![spec(64, Relu), spec(10, Relu)],
        _ => return None,
    })
}

/// One workload, ready to run: data on the 0..1 scale, a seeded net.
pub struct Bench {
    workload: &'static str,
    batch: usize,
    x_train: Array2<f32>,
    y_train: Vec<u8>,
    x_eval: Array2<f32>,
    y_eval: Vec<u8>,
    net: Net,
    opt: Optimizer,
    /// Next training row.
    cursor: usize,
    /// Buffers for the kernel workload: activations and gradients per layer.
    acts: Vec<Array2<f32>>,
    grads: Vec<Array2<f32>>,
}

impl Bench {
    /// `train` rows from the start of `digits`, the rest for evaluation.
    pub fn new(
        workload: &str,
        digits: &Digits,
        train: usize,
        batch: usize,
        seed: u64,
    ) -> Result<Bench> {
        let Some(name) = WORKLOADS.iter().chain(&PARTS).find(|w| **w == workload) else {
            crate::bail!(
                "unknown workload {workload:?}; expected one of {WORKLOADS:?} or {PARTS:?}"
            );
        };
        if batch == 0 || train < batch || train >= digits.len() {
            crate::bail!(
                "bench needs 1 ≤ batch ≤ training rows < {} digits; got batch {batch}, {train} training rows",
                digits.len()
            );
        }
        let specs = layers(name).expect("every listed workload has layers");
        let net = Net::new(PIXELS, &specs, Init::Scaled, &mut Rng::new(seed));
        let opt = Optimizer::new(OptimSpec::adam(LR), 0.0, &net);
        let (tr, ev) = (digits.range(0, train), digits.range(train, digits.len()));
        let acts: Vec<_> = net
            .layers
            .iter()
            .map(|l| Array2::zeros((batch, l.n_out())))
            .collect();
        let mut b = Bench {
            workload: name,
            batch,
            x_train: tr.matrix(PixelScale::Unit),
            y_train: tr.labels,
            x_eval: ev.matrix(PixelScale::Unit),
            y_eval: ev.labels,
            grads: acts.clone(),
            acts,
            net,
            opt,
            cursor: 0,
        };
        if *name == "adam" {
            // Real gradients (and moments) for the updates to work on: with
            // all-zero ones every value would take the same path.
            b.train_batch();
        }
        Ok(b)
    }

    /// FLOPs of one sample (`flops`): 2·MACs forward, 6·MACs when training.
    pub fn flops_per_sample(&self) -> f64 {
        let w = crate::flops::widths(&self.net);
        match self.workload {
            "w3" => crate::flops::inference_per_sample(&w),
            // The kernel alone is held to the products it really computes:
            // no input gradient for the first layer.
            "kernel" => crate::flops::training_per_sample(&w) - 2.0 * (w[0] * w[1]) as f64,
            "grads" | "adam" => 0.0,
            _ => crate::flops::training_per_sample(&w),
        }
    }

    /// Samples one `run(1)` processes.
    pub fn samples_per_unit(&self) -> usize {
        match self.workload {
            "w3" => self.x_eval.nrows(),
            _ => self.batch,
        }
    }

    /// Runs `units` units: training batches (W1, W2), whole-set encodes (W3),
    /// W2 steps' products (kernel) or Adam updates (adam). Returns the mean
    /// training cost (0 for the others).
    pub fn run(&mut self, units: usize) -> f32 {
        let mut cost = 0.0;
        for _ in 0..units {
            cost += match self.workload {
                "w1" | "w2" | "grads" => self.train_batch(),
                "w3" => {
                    self.net.forward(self.x_eval.view(), None);
                    0.0
                }
                "adam" => {
                    self.opt.step(&mut self.net);
                    0.0
                }
                _ => {
                    self.products();
                    0.0
                }
            };
        }
        cost / units.max(1) as f32
    }

    fn train_batch(&mut self) -> f32 {
        let b = self.batch;
        if self.cursor + b > self.x_train.nrows() {
            self.cursor = 0;
        }
        let rows = self.cursor..self.cursor + b;
        self.cursor += b;
        let x = self.x_train.slice(s![rows.clone(), ..]);
        let (cost, dz) = if self.workload == "w1" {
            self.net.forward(x, None);
            let (out, grad) = self.net.output_and_grad();
            (loss::softmax_xent(out, &self.y_train[rows], grad).0, true)
        } else {
            // The whole autoencoder is one net here: its input is the "code".
            let r = loss::reconstruct(&mut self.net, x, x, loss::ReconLoss::Mse);
            (r.cost, r.grad_is_dz)
        };
        self.net.backward(x, dz, None);
        if self.workload != "grads" {
            self.opt.step(&mut self.net);
        }
        cost
    }

    /// Forward, weight and input gradients of every W2 layer on one batch.
    fn products(&mut self) {
        let x = self.x_train.slice(s![0..self.batch, ..]);
        let n = self.net.layers.len();
        for i in 0..n {
            let (before, rest) = self.acts.split_at_mut(i);
            let input = if i == 0 { x } else { before[i - 1].view() };
            let l = &self.net.layers[i];
            gemm::affine(input, &l.w, &l.b, rest[0].view_mut());
        }
        for i in (0..n).rev() {
            let input = if i == 0 { x } else { self.acts[i - 1].view() };
            let (before, rest) = self.grads.split_at_mut(i);
            gemm::weight_grads(
                input,
                rest[0].view(),
                &mut self.net.dw[i],
                &mut self.net.db[i],
            );
            if i > 0 {
                gemm::input_grad(
                    rest[0].view(),
                    self.net.layers[i].w.view(),
                    before[i - 1].view_mut(),
                );
            }
        }
    }

    /// W1: accuracy on the evaluation rows; W2: their per-pixel MSE (0..1).
    /// W3 and kernel: the mean code value (a checksum that the work was done).
    pub fn evaluate(&self) -> f64 {
        let out = self.net.infer(self.x_eval.view());
        match self.workload {
            "w1" => {
                let mut grad = Array2::zeros(out.raw_dim());
                let (_, correct) = loss::softmax_xent(&out, &self.y_eval, &mut grad);
                correct as f64 / self.y_eval.len() as f64
            }
            "w2" | "kernel" | "grads" | "adam" => loss::mean_sq_err(out.view(), self.x_eval.view()),
            _ => out.mean().unwrap_or(0.0) as f64,
        }
    }

    pub fn weights_finite(&self) -> bool {
        self.net.all_finite()
    }
}

/// `reps` products of one form and shape (see `web::gemm_repeat`); returns
/// the sum of the last result so the work cannot be skipped.
pub fn gemm_repeat(form: &str, m: usize, k: usize, n: usize, reps: usize) -> Result<f64> {
    if m * k > 1 << 24 || k * n > 1 << 24 || m * n > 1 << 24 {
        crate::bail!("gemm shape {m}×{k}·{k}×{n} is too large for the bench");
    }
    let mut rng = Rng::new(9);
    let mut fill =
        |r: usize, c: usize| Array2::from_shape_simple_fn((r, c), || rng.normal() as f32);
    let out = match form {
        "xw" => {
            let (x, w, b) = (fill(m, k), fill(k, n), Array1::zeros(n));
            let mut y = Array2::zeros((m, n));
            for _ in 0..reps {
                gemm::affine(x.view(), &w, &b, y.view_mut());
            }
            y
        }
        "xtdz" => {
            // dW (k × n) = Xᵀ·dZ with X m × k: the batch is the inner dimension.
            let (x, dz) = (fill(m, k), fill(m, n));
            let (mut dw, mut db) = (Array2::zeros((k, n)), Array1::zeros(n));
            for _ in 0..reps {
                gemm::weight_grads(x.view(), dz.view(), &mut dw, &mut db);
            }
            dw
        }
        "dzwt" => {
            let (dz, w) = (fill(m, n), fill(k, n));
            let mut dx = Array2::zeros((m, k));
            for _ in 0..reps {
                gemm::input_grad(dz.view(), w.view(), dx.view_mut());
            }
            dx
        }
        _ => crate::bail!("unknown product {form:?}; expected \"xw\", \"xtdz\" or \"dzwt\""),
    };
    Ok(out.sum() as f64)
}

/// The ceiling the kernel's GFLOP/s are read against: `rounds` rounds of 12
/// independent f32x4 multiply-add chains on registers alone, 96 flops a
/// round. Twelve chains, because fewer leave the multiply-add latency showing
/// (8 reach ~75% of this in Chromium). Returns a value so the work stays.
pub fn fma_peak(rounds: usize) -> f32 {
    use crate::linalg::simd::F32x4;
    chains::<F32x4>(rounds)
}

/// 12 independent chains of V's `fma` on registers, `rounds` times.
#[inline(always)]
fn chains<V: crate::linalg::simd::Lanes>(rounds: usize) -> f32 {
    let (x, y) = (V::splat(0.999_9), V::splat(1e-4));
    let mut acc = [V::zero(); 12];
    for (i, a) in acc.iter_mut().enumerate() {
        *a = V::splat(i as f32);
    }
    for _ in 0..rounds {
        for a in &mut acc {
            *a = y.fma(*a, x);
        }
    }
    acc.iter().map(|a| a.sum()).sum()
}

/// The native ceiling, for `aelab bench`: `fma_peak` in the widest fused
/// multiply-adds the products use on this host (`linalg::wide`: 16 lanes
/// on AVX-512, 8 on AVX2 + FMA, else 4). Returns the lanes and a value so
/// the work stays. A first attempt in C kept its accumulators in memory
/// and read 39 instead of 100 GFLOP/s a core on Zen 2: this loop's
/// accumulators are registers (12 of 16 or 32).
#[cfg(not(target_arch = "wasm32"))]
pub fn native_fma_peak(rounds: usize) -> (usize, f32) {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::linalg::{simd, wide};
        #[target_feature(enable = "avx512f")]
        unsafe fn sixteen(rounds: usize) -> f32 {
            chains::<simd::F32x16>(rounds)
        }
        #[target_feature(enable = "avx2,fma")]
        unsafe fn eight(rounds: usize) -> f32 {
            chains::<simd::F32x8>(rounds)
        }
        // SAFETY: each runs only where `wide` found its instruction set.
        if wide::avx512() {
            return (16, unsafe { sixteen(rounds) });
        }
        if wide::avx2() {
            return (8, unsafe { eight(rounds) });
        }
    }
    (4, fma_peak(rounds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(n: usize) -> Digits {
        let mut rng = Rng::new(1);
        Digits {
            pixels: (0..n * PIXELS).map(|_| (rng.below(256)) as u8).collect(),
            labels: (0..n).map(|i| (i % 10) as u8).collect(),
        }
    }

    #[test]
    fn every_workload_runs_and_counts_its_work() {
        let d = digits(100);
        for w in WORKLOADS {
            let mut b = Bench::new(w, &d, 64, 16, 3).unwrap();
            let cost = b.run(5);
            assert!(cost.is_finite() && b.weights_finite(), "{w}");
            assert!(b.evaluate().is_finite(), "{w}");
            assert!(b.flops_per_sample() > 1e4, "{w}");
        }
        assert_eq!(
            Bench::new("w3", &d, 64, 16, 3).unwrap().samples_per_unit(),
            36
        );
    }

    /// The Adam part updates the W2 net's parameters, each step, from the
    /// gradients of a real batch (ReLU units dead on that batch have none:
    /// about 17% of the first layer's weights here).
    #[test]
    fn the_adam_part_moves_every_layer() {
        let d = digits(100);
        let mut b = Bench::new("adam", &d, 64, 16, 3).unwrap();
        assert_eq!(b.flops_per_sample(), 0.0);
        let before: Vec<_> = b.net.layers.iter().map(|l| l.w.clone()).collect();
        b.run(2);
        for (l, w0) in b.net.layers.iter().zip(&before) {
            let moved = l.w.iter().zip(w0).filter(|(a, b)| a != b).count();
            assert!(
                moved * 2 > w0.len(),
                "{moved} of {} weights moved",
                w0.len()
            );
        }
        assert!(b.weights_finite());
    }

    #[test]
    fn bad_settings_are_refused() {
        let d = digits(50);
        for (w, train, batch) in [("w9", 40, 8), ("w1", 40, 0), ("w1", 50, 8), ("w1", 4, 8)] {
            assert!(
                Bench::new(w, &d, train, batch, 1).is_err(),
                "{w} {train} {batch}"
            );
        }
    }
}
