//! A dense layer: y = act(x·W + b), W stored input-major (n_in × n_out).

use crate::linalg::gemm;
use crate::nn::activation::Activation;
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

/// How weights start. Biases always start at zero.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// The reference's N(0, 0.03²) for every layer.
    Reference,
    /// He (ReLU) or Glorot (others) normal, scaled to the layer's fan-in/out.
    Scaled,
}

#[derive(Clone, Debug)]
pub struct Dense {
    pub w: Array2<f32>,
    pub b: Array1<f32>,
    pub act: Activation,
    /// Std of Gaussian noise added to the pre-activation while training; pushes
    /// a sigmoid code layer towards binary outputs (Salakhutdinov & Hinton).
    pub noise: f32,
}

impl Dense {
    pub fn new(n_in: usize, n_out: usize, act: Activation, init: Init, rng: &mut Rng) -> Dense {
        let std = match (init, act) {
            (Init::Reference, _) => 0.03,
            (Init::Scaled, Activation::Relu) => (2.0 / n_in as f64).sqrt(),
            (Init::Scaled, _) => (2.0 / (n_in + n_out) as f64).sqrt(),
        };
        let w = Array2::from_shape_simple_fn((n_in, n_out), || (rng.normal() * std) as f32);
        Dense {
            w,
            b: Array1::zeros(n_out),
            act,
            noise: 0.0,
        }
    }

    pub fn n_in(&self) -> usize {
        self.w.nrows()
    }

    pub fn n_out(&self) -> usize {
        self.w.ncols()
    }

    /// y must be (rows × n_out). `noise` is Some only while training.
    pub fn forward(&self, x: ArrayView2<f32>, mut y: ArrayViewMut2<f32>, noise: Option<&mut Rng>) {
        self.pre_activation(x, y.view_mut(), noise);
        self.act.apply(y);
    }

    /// The forward pass up to, not including, the activation.
    pub fn pre_activation(
        &self,
        x: ArrayView2<f32>,
        mut z: ArrayViewMut2<f32>,
        noise: Option<&mut Rng>,
    ) {
        gemm::affine(x, &self.w, &self.b, z.view_mut());
        if let (Some(rng), true) = (noise, self.noise > 0.0) {
            let s = self.noise as f64;
            z.mapv_inplace(|v| v + (rng.normal() * s) as f32);
        }
    }

    /// The row-by-row half of the backward pass: turns `dy` (gradient
    /// w.r.t. y) into dz in place unless `dy_is_dz`, then writes dx if
    /// asked. Each row's figures depend on that row alone, so a batch's
    /// rows may go through in parts (`train::halves`).
    pub fn delta(
        &self,
        y: ArrayView2<f32>,
        mut dy: ArrayViewMut2<f32>,
        dy_is_dz: bool,
        dx: Option<ArrayViewMut2<f32>>,
    ) {
        if !dy_is_dz {
            self.act.backprop(y, dy.view_mut());
        }
        if let Some(dx) = dx {
            gemm::input_grad(dy.view(), self.w.view(), dx);
        }
    }
}
