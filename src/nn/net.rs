//! A stack of dense layers with the buffers one training step needs, sized once
//! per batch size so steps allocate nothing.

use crate::nn::activation::Activation;
use crate::nn::dense::{Dense, Init};
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2};
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

    fn ensure_rows(&mut self, rows: usize) {
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
        self.acts.last().expect("a net has at least one layer")
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

    fn run_forward(
        &mut self,
        x: ArrayView2<f32>,
        mut noise: Option<&mut Rng>,
        activate_last: bool,
    ) {
        self.ensure_rows(x.nrows());
        let n = self.layers.len();
        for i in 0..n {
            let (before, rest) = self.acts.split_at_mut(i);
            let input = if i == 0 { x } else { before[i - 1].view() };
            let layer = &self.layers[i];
            if activate_last || i + 1 < n {
                layer.forward(input, &mut rest[0], noise.as_deref_mut());
            } else {
                layer.pre_activation(input, &mut rest[0], noise.as_deref_mut());
            }
        }
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
        let n = self.layers.len();
        let mut dx = dx;
        for i in (0..n).rev() {
            let (dbefore, drest) = self.deltas.split_at_mut(i);
            let input = if i == 0 { x } else { self.acts[i - 1].view() };
            let dinput = if i == 0 {
                dx.as_deref_mut()
            } else {
                Some(&mut dbefore[i - 1])
            };
            self.layers[i].backward(
                input,
                &self.acts[i],
                &mut drest[0],
                grad_is_dz && i == n - 1,
                &mut self.dw[i],
                &mut self.db[i],
                dinput,
            );
        }
    }

    /// Inference on any number of rows, without touching the training buffers.
    pub fn infer(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut cur: Option<Array2<f32>> = None;
        for l in &self.layers {
            let mut y = Array2::zeros((x.nrows(), l.n_out()));
            l.forward(cur.as_ref().map_or(x, |c| c.view()), &mut y, None);
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
