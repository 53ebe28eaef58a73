//! What a run's stages share: the model, the split and its network inputs,
//! and the outputs one stage leaves for later ones (the graph for propagation
//! and the graph term, the labels the supervised phase trains on, the hash
//! index for queries), the optimisers and random streams, which carry over
//! from the autoencode phase to the supervised one, and the log.

use super::progress::Results;
use crate::data::{Split, PIXELS};
use crate::nn::model::Model;
use crate::nn::optim::Optimizer;
use crate::retrieval::hash::HashIndex;
use crate::retrieval::propagate::Graph;
use crate::rng::Rng;
use ndarray::Array2;
use std::sync::Arc;

/// The split's digits on the network's scale (after any deskewing). Read
/// only once prepared, so runs on the same split share one (the session's
/// cache) instead of preparing it again.
pub struct Inputs {
    pub train: Array2<f32>,
    pub valid: Array2<f32>,
    pub test: Array2<f32>,
}

/// No rows yet, but rows of 784 pixels: the views ask a run for its test
/// digits before it has prepared them, and get none rather than a panic.
impl Default for Inputs {
    fn default() -> Inputs {
        let none = || Array2::zeros((0, PIXELS));
        Inputs {
            train: none(),
            valid: none(),
            test: none(),
        }
    }
}

/// One random stream per purpose, so that turning one on (say the shift
/// augmentation) leaves the others' draws as they were.
pub struct Streams {
    /// Each epoch's shuffle.
    pub order: Rng,
    /// Denoising noise on the input, noise on the code.
    pub noise: Rng,
    /// The validation sample of each epoch's log line.
    pub valid: Rng,
    /// Random shifts of labelled digits.
    pub shift: Rng,
    /// Which graph neighbour pairs with each image (the graph term).
    pub pairs: Rng,
}

impl Streams {
    pub fn new(seed: u32) -> Streams {
        let root = Rng::new(seed as u64);
        Streams {
            order: root.fork(1),
            noise: root.fork(2),
            valid: root.fork(3),
            shift: root.fork(4),
            pairs: root.fork(5),
        }
    }
}

/// One optimiser per net; the encoder's state carries from the autoencode
/// phase into the supervised one.
pub struct Optimizers {
    pub encoder: Option<Optimizer>,
    pub decoder: Option<Optimizer>,
    pub head: Option<Optimizer>,
}

impl Optimizers {
    pub fn new(model: &Model) -> Optimizers {
        let c = &model.config;
        let make = |net: &Option<crate::nn::net::Net>| {
            net.as_ref()
                .map(|n| Optimizer::new(c.optim, c.weight_decay, n))
        };
        Optimizers {
            encoder: make(&model.encoder),
            decoder: make(&model.decoder),
            head: make(&model.head),
        }
    }

    pub fn set_lr_scale(&mut self, scale: f32) {
        for o in [&mut self.encoder, &mut self.decoder, &mut self.head]
            .into_iter()
            .flatten()
        {
            o.lr_scale = scale;
        }
    }
}

pub struct Context {
    pub model: Model,
    pub split: Split,
    pub x: Arc<Inputs>,
    pub streams: Streams,
    pub opts: Optimizers,
    /// The k-NN graph of the training images, once built (or reused).
    pub graph: Option<Arc<Graph>>,
    /// Labels the supervised phase trains on: the labelled part's own, or
    /// every training image's propagated label.
    pub sup_labels: Vec<u8>,
    pub index: Option<HashIndex>,
    pub results: Results,
    pub log: Vec<String>,
    /// Seconds spent in the current stage so far.
    pub stage_secs: f64,
}

impl Context {
    pub fn new(model: Model, split: Split, graph: Option<Arc<Graph>>) -> Context {
        let c = &model.config;
        let results = Results {
            model: c.name.clone(),
            protocol: c.protocol,
            labelled: split.labelled,
            train_size: split.train.len(),
            test_size: split.test.len(),
            ..Results::default()
        };
        Context {
            // Made by the prepare stage, not here: a run is built while the
            // one it replaces still holds its inputs, and two runs' inputs
            // at once would set the page's memory high.
            x: Arc::default(),
            sup_labels: split.train.labels[..split.labelled].to_vec(),
            streams: Streams::new(c.seed),
            opts: Optimizers::new(&model),
            graph,
            index: None,
            results,
            log: Vec::new(),
            stage_secs: 0.0,
            model,
            split,
        }
    }
}
