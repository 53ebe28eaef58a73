//! Optimisers. The state is per net, shaped like its parameters.

use crate::nn::adam_step::AdamStep;
use crate::nn::net::Net;
use ndarray::{Array1, Array2, Zip};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "OptimWire", into = "OptimWire")]
pub enum OptimSpec {
    /// Adam; the reference used lr 0.001, betas (0.9, 0.999), eps 1e-8.
    Adam {
        lr: f32,
        beta1: f32,
        beta2: f32,
        eps: f32,
    },
    /// Plain SGD with momentum.
    Sgd { lr: f32, momentum: f32 },
}

/// How an `OptimSpec` is written: `{"kind": "adam", "lr": …, "beta1": …,
/// "beta2": …, "eps": …}` or `{"kind": "sgd", "lr": …, "momentum": …}`. A
/// flat struct rather than serde's internally tagged enum, whose buffering
/// deserializer cost the browser's engine 28 KB for these six fields.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptimWire {
    kind: OptimKind,
    lr: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    beta1: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    beta2: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eps: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    momentum: Option<f32>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum OptimKind {
    Adam,
    Sgd,
}

impl TryFrom<OptimWire> for OptimSpec {
    type Error = &'static str;
    fn try_from(w: OptimWire) -> std::result::Result<Self, Self::Error> {
        match (w.kind, w.beta1, w.beta2, w.eps, w.momentum) {
            (OptimKind::Adam, Some(beta1), Some(beta2), Some(eps), None) => Ok(OptimSpec::Adam {
                lr: w.lr,
                beta1,
                beta2,
                eps,
            }),
            (OptimKind::Adam, ..) => Err("optim: adam takes lr, beta1, beta2 and eps"),
            (OptimKind::Sgd, None, None, None, Some(momentum)) => {
                Ok(OptimSpec::Sgd { lr: w.lr, momentum })
            }
            (OptimKind::Sgd, ..) => Err("optim: sgd takes lr and momentum"),
        }
    }
}

impl From<OptimSpec> for OptimWire {
    fn from(s: OptimSpec) -> OptimWire {
        let none = OptimWire {
            kind: OptimKind::Adam,
            lr: s.lr(),
            beta1: None,
            beta2: None,
            eps: None,
            momentum: None,
        };
        match s {
            OptimSpec::Adam {
                beta1, beta2, eps, ..
            } => OptimWire {
                beta1: Some(beta1),
                beta2: Some(beta2),
                eps: Some(eps),
                ..none
            },
            OptimSpec::Sgd { momentum, .. } => OptimWire {
                kind: OptimKind::Sgd,
                momentum: Some(momentum),
                ..none
            },
        }
    }
}

impl OptimSpec {
    pub fn adam(lr: f32) -> OptimSpec {
        OptimSpec::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    pub fn lr(&self) -> f32 {
        match *self {
            OptimSpec::Adam { lr, .. } | OptimSpec::Sgd { lr, .. } => lr,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Optimizer {
    pub spec: OptimSpec,
    /// Multiplies the spec's learning rate (schedules set it).
    pub lr_scale: f32,
    /// Decoupled weight decay (AdamW style) on weights, not biases.
    pub weight_decay: f32,
    t: u32,
    m_w: Vec<Array2<f32>>,
    v_w: Vec<Array2<f32>>,
    m_b: Vec<Array1<f32>>,
    v_b: Vec<Array1<f32>>,
}

impl Optimizer {
    pub fn new(spec: OptimSpec, weight_decay: f32, net: &Net) -> Optimizer {
        let zw = || {
            net.layers
                .iter()
                .map(|l| Array2::zeros(l.w.raw_dim()))
                .collect()
        };
        let zb = || {
            net.layers
                .iter()
                .map(|l| Array1::zeros(l.b.raw_dim()))
                .collect()
        };
        Optimizer {
            spec,
            lr_scale: 1.0,
            weight_decay,
            t: 0,
            m_w: zw(),
            v_w: zw(),
            m_b: zb(),
            v_b: zb(),
        }
    }

    /// Applies the gradients the net holds from its last backward pass.
    pub fn step(&mut self, net: &mut Net) {
        self.t += 1;
        let lr = self.spec.lr() * self.lr_scale;
        let decay = 1.0 - lr * self.weight_decay;
        // Last layer first: the first layer's parameters, which the next
        // forward pass reads first, are then the ones still in cache.
        for (i, layer) in net.layers.iter_mut().enumerate().rev() {
            if self.weight_decay > 0.0 {
                layer.w.mapv_inplace(|w| w * decay);
            }
            match self.spec {
                OptimSpec::Adam {
                    beta1, beta2, eps, ..
                } => {
                    // Bias corrections folded into the step size.
                    let c1 = 1.0 - beta1.powi(self.t as i32);
                    let c2 = 1.0 - beta2.powi(self.t as i32);
                    let step = lr * c2.sqrt() / c1;
                    let eps = eps * c2.sqrt();
                    let k = AdamStep {
                        beta1,
                        beta2,
                        step,
                        eps,
                    };
                    k.apply_halves(
                        flat_mut(layer.w.as_slice_mut()),
                        flat(net.dw[i].as_slice()),
                        flat_mut(self.m_w[i].as_slice_mut()),
                        flat_mut(self.v_w[i].as_slice_mut()),
                    );
                    k.apply(
                        flat_mut(layer.b.as_slice_mut()),
                        flat(net.db[i].as_slice()),
                        flat_mut(self.m_b[i].as_slice_mut()),
                        flat_mut(self.v_b[i].as_slice_mut()),
                    );
                }
                OptimSpec::Sgd { momentum, .. } => {
                    let upd = |p: &mut f32, g: &f32, m: &mut f32| {
                        *m = momentum * *m + g;
                        *p -= lr * *m;
                    };
                    Zip::from(&mut layer.w)
                        .and(&net.dw[i])
                        .and(&mut self.m_w[i])
                        .for_each(upd);
                    Zip::from(&mut layer.b)
                        .and(&net.db[i])
                        .and(&mut self.m_b[i])
                        .for_each(upd);
                }
            }
        }
    }
}

/// Parameters, gradients and moments are all built standard-layout.
fn flat(s: Option<&[f32]>) -> &[f32] {
    s.expect("parameters are contiguous")
}

fn flat_mut(s: Option<&mut [f32]>) -> &mut [f32] {
    s.expect("parameters are contiguous")
}
