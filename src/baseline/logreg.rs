//! Softmax (multinomial logistic) regression: one linear layer to the ten
//! logits, cross-entropy, Adam with a cosine schedule and light weight
//! decay, on whatever features it is given (pixels, PCA coordinates). Built
//! from the engine's own layer, loss and optimiser.

use crate::data::CLASSES;
use crate::nn::activation::Activation;
use crate::nn::dense::Init;
use crate::nn::loss::{argmax_rows, softmax_xent};
use crate::nn::net::{LayerSpec, Net};
use crate::nn::optim::{OptimSpec, Optimizer};
use crate::rng::Rng;
use ndarray::{Array2, ArrayView2, Axis};

/// Steps of the fit whatever the number of labels (480 labels: 267 epochs of
/// 15 batches; 48,000: 2.7 epochs), at batch 32.
const STEPS: usize = 4000;
const BATCH: usize = 32;
const LR: f32 = 0.003;
const WEIGHT_DECAY: f32 = 1e-4;

pub struct LogReg {
    net: Net,
}

impl LogReg {
    /// Fits on rows `x` with labels `y`; `seed` fixes init and order.
    pub fn fit(x: ArrayView2<f32>, y: &[u8], seed: u64) -> LogReg {
        let mut rng = Rng::new(seed).fork(0xB45E);
        let spec = [LayerSpec {
            width: CLASSES,
            act: Activation::Linear,
        }];
        let mut net = Net::new(x.ncols(), &spec, Init::Scaled, &mut rng);
        let mut opt = Optimizer::new(OptimSpec::adam(LR), WEIGHT_DECAY, &net);
        let n = x.nrows();
        let batch = BATCH.min(n);
        let mut order: Vec<usize> = (0..n).collect();
        let mut at = n;
        for step in 0..STEPS {
            if at + batch > n {
                rng.shuffle(&mut order);
                at = 0;
            }
            let rows = &order[at..at + batch];
            at += batch;
            let xb = x.select(Axis(0), rows);
            let yb: Vec<u8> = rows.iter().map(|&i| y[i]).collect();
            net.forward(xb.view(), None);
            let (logits, g) = net.output_and_grad();
            softmax_xent(logits, &yb, g);
            net.backward(xb.view(), true, None);
            let t = step as f64 / STEPS as f64;
            opt.lr_scale = (0.5 * (1.0 + (std::f64::consts::PI * t).cos())) as f32;
            opt.step(&mut net);
        }
        LogReg { net }
    }

    pub fn predict(&self, x: ArrayView2<f32>) -> Vec<u8> {
        argmax_rows(&self.net.infer(x))
    }

    /// Share of `x`'s rows predicted as `y` says.
    pub fn accuracy(&self, x: ArrayView2<f32>, y: &[u8]) -> f64 {
        accuracy(&self.predict(x), y)
    }
}

pub fn accuracy(pred: &[u8], y: &[u8]) -> f64 {
    pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len().max(1) as f64
}

/// Rows as an owned matrix (for callers holding a view of another layout).
pub fn owned(x: ArrayView2<f32>) -> Array2<f32> {
    x.as_standard_layout().into_owned()
}
