//! A stack of dense layers with the buffers one training step needs, sized once
//! per batch size (a step allocates only the few views `Rows` holds).
//!
//! A step's backward pass is two halves: the row-by-row part (each layer's
//! dz and the gradient it passes down, `Rows::backward`) and the sums over
//! the batch's rows (dW, db: `Net::weight_grads`). The first runs on any
//! part of the batch's rows (`Net::halves`); the second needs them all.

use crate::linalg::gemm;
use crate::nn::activation::Activation;
use crate::nn::dense::{Dense, Init};
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
use serde::{Deserialize, Serialize};

/// One layer's shape in a config: width and activation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerSpec {
    pub width: usize,
    pub act: Activation,
}

#[derive(Clone, Debug)]
pub struct Net {
    pub layers: Vec<Dense>,
    pub dw: Vec<Array2<f32>>,
    pub db: Vec<Array1<f32>>,
    acts: Vec<Array2<f32>>,
    deltas: Vec<Array2<f32>>,
}

impl Net {
    pub fn new(n_in: usize, specs: &[LayerSpec], init: Init, rng: &mut Rng) -> Net {
        let mut layers = Vec::with_capacity(specs.len());
        let mut width = n_in;
        for s in specs {
            layers.push(Dense::new(width, s.width, s.act, init, rng));
            width = s.width;
        }
        Net::from_layers(layers)
    }

    pub fn from_layers(layers: Vec<Dense>) -> Net {
        let dw = layers
            .iter()
            .map(|l| Array2::zeros(l.w.raw_dim()))
            .collect();
        let db = layers.iter().map(|l| Array1::zeros(l.n_out())).collect();
        Net {
            layers,
            dw,
            db,
            acts: Vec::new(),
            deltas: Vec::new(),
        }
    }

    /// The parameters alone, without the training buffers.
    pub fn snapshot(&self) -> Net {
        Net::from_layers(self.layers.clone())
    }

    pub fn n_in(&self) -> usize {
        self.layers.first().map_or(0, Dense::n_in)
    }

    pub fn n_out(&self) -> usize {
        self.layers.last().map_or(0, Dense::n_out)
    }

    /// Sizes the training buffers for batches of `rows`.
    pub fn ensure_rows(&mut self, rows: usize) {
        if self.acts.first().map(|a| a.nrows()) != Some(rows) {
            self.acts = self
                .layers
                .iter()
                .map(|l| Array2::zeros((rows, l.n_out())))
                .collect();
            self.deltas = self.acts.clone();
        }
    }

    /// Training forward pass; keeps every activation for `backward`.
    pub fn forward(&mut self, x: ArrayView2<f32>, noise: Option<&mut Rng>) -> &Array2<f32> {
        self.run_forward(x, noise, true);
        self.output()
    }

    /// `forward` without the last layer's activation: its output buffer holds
    /// the pre-activation, for a loss that applies the activation itself
    /// (`logit_loss::bce_logits_sq`) and leaves the activation in its place.
    pub fn forward_logits(
        &mut self,
        x: ArrayView2<f32>,
        noise: Option<&mut Rng>,
    ) -> (&mut Array2<f32>, &mut Array2<f32>) {
        self.run_forward(x, noise, false);
        (
            self.acts.last_mut().expect("a net has at least one layer"),
            self.deltas
                .last_mut()
                .expect("a net has at least one layer"),
        )
    }

    fn run_forward(&mut self, x: ArrayView2<f32>, noise: Option<&mut Rng>, activate_last: bool) {
        self.ensure_rows(x.nrows());
        let (layers, mut rows) = self.all_rows();
        rows.forward(layers, x, noise, activate_last);
    }

    /// The last training forward pass's output.
    pub fn output(&self) -> &Array2<f32> {
        self.acts.last().expect("forward first")
    }

    /// The last forward's output, and the buffer where a loss writes its gradient.
    pub fn output_and_grad(&mut self) -> (&Array2<f32>, &mut Array2<f32>) {
        (
            self.acts.last().expect("forward first"),
            self.deltas.last_mut().expect("forward first"),
        )
    }

    /// Backward pass after `forward(x)`; the output gradient is already in place
    /// (`output_and_grad`). `grad_is_dz`: the loss already folded the output
    /// activation in (softmax + cross-entropy, sigmoid + binary cross-entropy).
    pub fn backward(&mut self, x: ArrayView2<f32>, grad_is_dz: bool, dx: Option<&mut Array2<f32>>) {
        let (layers, mut rows) = self.all_rows();
        rows.backward(layers, grad_is_dz, dx.map(|d| d.view_mut()));
        self.weight_grads(x);
    }

    /// dW and db of every layer from the dz that `Rows::backward` left, over
    /// all the batch's rows; `x` is the batch the forward pass took.
    pub fn weight_grads(&mut self, x: ArrayView2<f32>) {
        for i in 0..self.layers.len() {
            let input = if i == 0 { x } else { self.acts[i - 1].view() };
            gemm::weight_grads(
                input,
                self.deltas[i].view(),
                &mut self.dw[i],
                &mut self.db[i],
            );
        }
    }

    /// The layers and the training buffers of every row.
    fn all_rows(&mut self) -> (&[Dense], Rows<'_>) {
        let rows = Rows {
            acts: self.acts.iter_mut().map(|a| a.view_mut()).collect(),
            deltas: self.deltas.iter_mut().map(|a| a.view_mut()).collect(),
        };
        (&self.layers, rows)
    }

    /// The layers and the training buffers cut at row `at` (sized by
    /// `ensure_rows` first): two parts of the batch a step can take on two
    /// cores at once.
    pub fn halves(&mut self, at: usize) -> (&[Dense], [Rows<'_>; 2]) {
        let (mut first, mut second) = (Rows::default(), Rows::default());
        for (a, d) in self.acts.iter_mut().zip(self.deltas.iter_mut()) {
            let (a0, a1) = a.view_mut().split_at(Axis(0), at);
            let (d0, d1) = d.view_mut().split_at(Axis(0), at);
            first.acts.push(a0);
            first.deltas.push(d0);
            second.acts.push(a1);
            second.deltas.push(d1);
        }
        (&self.layers, [first, second])
    }

    /// Inference on any number of rows, without touching the training buffers.
    pub fn infer(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut cur: Option<Array2<f32>> = None;
        for l in &self.layers {
            let mut y = Array2::zeros((x.nrows(), l.n_out()));
            l.forward(cur.as_ref().map_or(x, |c| c.view()), y.view_mut(), None);
            cur = Some(y);
        }
        cur.unwrap_or_else(|| x.to_owned())
    }

    pub fn all_finite(&self) -> bool {
        self.layers
            .iter()
            .all(|l| l.w.iter().chain(l.b.iter()).all(|v| v.is_finite()))
    }
}

/// Some rows of a net's training buffers: each layer's outputs and their
/// gradients for those rows. Every figure of a row depends on that row
/// alone, so the batch may go through in parts.
#[derive(Default)]
pub struct Rows<'a> {
    pub acts: Vec<ArrayViewMut2<'a, f32>>,
    pub deltas: Vec<ArrayViewMut2<'a, f32>>,
}

impl Rows<'_> {
    /// The forward pass of `x`, these rows of the batch; the last layer's
    /// activation left out unless `activate_last` (see `Net::forward_logits`).
    pub fn forward(
        &mut self,
        layers: &[Dense],
        x: ArrayView2<f32>,
        mut noise: Option<&mut Rng>,
        activate_last: bool,
    ) {
        let n = layers.len();
        for (i, layer) in layers.iter().enumerate() {
            let (before, rest) = self.acts.split_at_mut(i);
            let input = if i == 0 { x } else { before[i - 1].view() };
            let out = rest[0].view_mut();
            if activate_last || i + 1 < n {
                layer.forward(input, out, noise.as_deref_mut());
            } else {
                layer.pre_activation(input, out, noise.as_deref_mut());
            }
        }
    }

    /// The row-by-row part of the backward pass (`Dense::delta`), from the
    /// output gradient a loss left in the last layer's delta; the first
    /// layer's input gradient goes to `dx` if given.
    pub fn backward(
        &mut self,
        layers: &[Dense],
        grad_is_dz: bool,
        mut dx: Option<ArrayViewMut2<f32>>,
    ) {
        let n = layers.len();
        for i in (0..n).rev() {
            let (dbefore, drest) = self.deltas.split_at_mut(i);
            let dinput = match i {
                0 => dx.as_mut().map(|d| d.view_mut()),
                _ => Some(dbefore[i - 1].view_mut()),
            };
            let dz_given = grad_is_dz && i == n - 1;
            layers[i].delta(self.acts[i].view(), drest[0].view_mut(), dz_given, dinput);
        }
    }
}
