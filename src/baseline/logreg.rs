//! Softmax (multinomial logistic) regression: one linear layer to the ten
//! logits, cross-entropy, Adam with a cosine schedule and light weight
//! decay, on whatever features it is given (pixels, PCA coordinates). Built
//! from the engine's own layer, loss and optimiser.

use crate::data::CLASSES;
use crate::linalg::gather_rows_into;
use crate::nn::activation::Activation;
use crate::nn::dense::Init;
use crate::nn::loss::{argmax_rows, softmax_rows, softmax_xent};
use crate::nn::net::{LayerSpec, Net};
use crate::nn::optim::{OptimSpec, Optimizer};
use crate::rng::Rng;
use ndarray::{Array2, ArrayView2};

/// Steps of the fit whatever the number of labels (480 labels: 267 epochs of
/// 15 batches; 48,000: 2.7 epochs), at batch 32.
pub const STEPS: usize = 4000;
const BATCH: usize = 32;
const LR: f32 = 0.003;
const WEIGHT_DECAY: f32 = 1e-4;

pub struct LogReg {
    net: Net,
}

/// A fit under way, a few steps at a time (the page's teacher fits one
/// between frames); `LogReg::fit` runs it in one go.
pub struct Fitting {
    net: Net,
    opt: Optimizer,
    rng: Rng,
    order: Vec<usize>,
    at: usize,
    step: usize,
    /// The batch's rows and labels.
    xb: Array2<f32>,
    yb: Vec<u8>,
}

impl Fitting {
    /// A fit on `n` rows of `cols` features; `seed` fixes init and order.
    pub fn new(n: usize, cols: usize, seed: u64) -> Fitting {
        let mut rng = Rng::new(seed).fork(0xB45E);
        let spec = [LayerSpec {
            width: CLASSES,
            act: Activation::Linear,
        }];
        let net = Net::new(cols, &spec, Init::Scaled, &mut rng);
        let opt = Optimizer::new(OptimSpec::adam(LR), WEIGHT_DECAY, &net);
        Fitting {
            net,
            opt,
            rng,
            order: (0..n).collect(),
            at: n,
            step: 0,
            xb: Array2::zeros((BATCH.min(n), cols)),
            yb: Vec::with_capacity(BATCH),
        }
    }

    pub fn done(&self) -> bool {
        self.step == STEPS
    }

    /// Up to `count` more steps on rows `x` with labels `y` (the same each call).
    pub fn advance(&mut self, x: ArrayView2<f32>, y: &[u8], count: usize) {
        let n = self.order.len();
        let batch = BATCH.min(n);
        for _ in 0..count.min(STEPS - self.step) {
            if self.at + batch > n {
                self.rng.shuffle(&mut self.order);
                self.at = 0;
            }
            let rows = &self.order[self.at..self.at + batch];
            self.at += batch;
            gather_rows_into(x, rows, self.xb.view_mut());
            self.yb.clear();
            self.yb.extend(rows.iter().map(|&i| y[i]));
            self.net.forward(self.xb.view(), None);
            let (logits, g) = self.net.output_and_grad();
            softmax_xent(logits, &self.yb, g);
            self.net.backward(self.xb.view(), true, None);
            let t = self.step as f64 / STEPS as f64;
            self.opt.lr_scale = (0.5 * (1.0 + (std::f64::consts::PI * t).cos())) as f32;
            self.opt.step(&mut self.net);
            self.step += 1;
        }
    }

    /// The classifier as fitted so far.
    pub fn fitted(&self) -> LogReg {
        LogReg {
            net: self.net.snapshot(),
        }
    }
}

impl LogReg {
    /// Fits on rows `x` with labels `y`; `seed` fixes init and order.
    pub fn fit(x: ArrayView2<f32>, y: &[u8], seed: u64) -> LogReg {
        let mut f = Fitting::new(x.nrows(), x.ncols(), seed);
        f.advance(x, y, STEPS);
        f.fitted()
    }

    /// Class probabilities (softmax of the logits) of each row of `x`.
    pub fn probabilities(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut p = self.net.infer(x);
        softmax_rows(&mut p);
        p
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
