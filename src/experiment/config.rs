//! An experiment's configuration: the network and how to train it. Plain data
//! that crosses the JS boundary and sits in model files; `validate` says what
//! is wrong with a bad one instead of letting training produce garbage.

use crate::data::{PixelScale, Protocol, PIXELS};
#[cfg(not(target_arch = "wasm32"))]
use crate::error::Error;
use crate::error::Result;
use crate::nn::activation::Activation;
use crate::nn::dense::Init;
use crate::nn::loss::ReconLoss;
use crate::nn::net::LayerSpec;
use crate::nn::optim::OptimSpec;
use crate::refuse;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub name: String,
    /// Encoder layers; the last one is the code. Empty for a plain MLP.
    pub encoder: Vec<LayerSpec>,
    /// Decoder layers, ending at 784 outputs. Empty: no autoencode phase.
    pub decoder: Vec<LayerSpec>,
    /// Hidden layers of the classifier on the code; a linear 10-logit output is
    /// appended. None: no classifier (semantic hashing).
    pub head: Option<Vec<LayerSpec>>,
    pub protocol: Protocol,
    pub scale: PixelScale,
    /// Deskew every image before the network sees it (`data::deskew`).
    pub deskew: bool,
    pub init: Init,
    pub optim: OptimSpec,
    pub weight_decay: f32,
    /// Cosine decay of the learning rate to zero over each phase.
    pub cosine: bool,
    pub batch: usize,
    pub ae_epochs: usize,
    pub sup_epochs: usize,
    pub recon_loss: ReconLoss,
    /// Keep the encoder fixed in the supervised phase (the reference's auto_fix).
    pub freeze_encoder: bool,
    /// Std of Gaussian noise added to the input in the autoencode phase
    /// (denoising autoencoder; the loss compares with the clean input).
    pub denoise: f32,
    /// Std of noise added before the code's activation while training.
    pub code_noise: f32,
    /// Fraction of the training part whose labels the supervised phase sees.
    pub label_fraction: f64,
    /// Random shift of labelled digits by up to this many pixels (augmentation).
    pub shift: usize,
    /// Before the supervised phase, propagate the labels over a k-NN graph of
    /// the training images (see `propagate`); the supervised phase then
    /// trains on every training image with its propagated label.
    pub propagate: bool,
    /// With `propagate`: the weight (0 to below 1) of a softmax regression,
    /// fitted on the labelled images, in the propagated labels; the rest is
    /// label spreading's (see `retrieval::vote`). 0: spreading alone. Without
    /// `propagate` it has no labels to vote on and does nothing.
    pub linear_vote: f32,
    /// Build the k-NN graph on the blurred images minus their mean
    /// (correlation instead of cosine). On Fashion-MNIST's garments, whose
    /// mean image is bright, it labels more of them right (book protocol,
    /// 480 labels, seed 1: 78.1% vs 76.1%); on digits on black it costs a
    /// little (97.3% vs 97.7%), so `best` centres other images only.
    pub centre_graph: bool,
    /// Weight of a term that pulls the codes of k-NN-graph neighbours together
    /// in the autoencode phase (0 = off): codes that vary smoothly over the
    /// data's neighbourhoods cluster by digit without any label.
    pub graph_weight: f32,
    /// Hash keys threshold each code unit at its median over the training
    /// images (every bit splits the data in half) instead of at 0.5.
    pub balanced_bits: bool,
    /// Before indexing, rotate the code by iterative quantisation (`itq`)
    /// so that thresholding it loses as little as possible.
    pub itq: bool,
    /// Index the code for hash lookups even though the model has a
    /// classifier (a hash model, one without, always does): the page's
    /// starter model answers the drawing pad with a class and a bucket.
    pub index: bool,
    pub report_every: usize,
    pub seed: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            name: "custom".into(),
            encoder: vec![],
            decoder: vec![],
            head: Some(vec![LayerSpec {
                width: 10,
                act: Activation::Relu,
            }]),
            protocol: Protocol::Browser,
            scale: PixelScale::Unit,
            deskew: false,
            init: Init::Scaled,
            optim: OptimSpec::adam(0.001),
            weight_decay: 0.0,
            cosine: false,
            batch: 32,
            ae_epochs: 0,
            sup_epochs: 10,
            recon_loss: ReconLoss::Mse,
            freeze_encoder: false,
            denoise: 0.0,
            code_noise: 0.0,
            label_fraction: 1.0,
            shift: 0,
            propagate: false,
            linear_vote: 0.0,
            centre_graph: false,
            graph_weight: 0.0,
            balanced_bits: false,
            itq: false,
            index: false,
            report_every: 2,
            seed: 1,
        }
    }
}

const MAX_WIDTH: usize = 4096;
const MAX_EPOCHS: usize = 1000;
const MAX_BATCH: usize = 4096;

/// `field` is the config key, `name` what the message calls it.
fn check_finite(field: &str, name: &str, v: f64, lo: f64, hi: f64) -> Result<()> {
    if !v.is_finite() || v < lo || v > hi {
        refuse!(
            field,
            "{name} = {v} is out of range; expected a number from {lo} to {hi}"
        );
    }
    Ok(())
}

impl Config {
    pub fn code_width(&self) -> usize {
        self.encoder.last().map_or(PIXELS, |l| l.width)
    }

    /// An autoencoder without a classifier is a semantic-hash model: its
    /// code is thresholded into keys and indexed.
    pub fn is_hash(&self) -> bool {
        !self.decoder.is_empty() && self.head.is_none()
    }

    /// Whether the run ends with a hash index of the training codes.
    pub fn indexes(&self) -> bool {
        self.is_hash() || (self.index && !self.encoder.is_empty())
    }

    /// Whether the run builds the k-NN graph: label propagation and the
    /// graph term both read it.
    pub fn needs_graph(&self) -> bool {
        self.propagate || self.graph_weight > 0.0
    }

    /// Reads a config from a serde source (JSON), naming the field of a
    /// value of the wrong type or an unknown field, then validates it.
    /// (The browser's reader is `web::config_from_js`.)
    #[cfg(not(target_arch = "wasm32"))]
    pub fn parse<'de, D: serde::Deserializer<'de>>(source: D) -> Result<Config>
    where
        D::Error: std::fmt::Display,
    {
        let config: Config = serde_path_to_error::deserialize(source).map_err(|e| {
            let path = e.path().to_string();
            Error::in_field(
                path.clone(),
                format!("invalid config: {path}: {}", e.inner()),
            )
        })?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<()> {
        for (part, layers) in [("encoder", &self.encoder), ("decoder", &self.decoder)]
            .into_iter()
            .chain(self.head.as_ref().map(|h| ("head", h)))
        {
            for (i, l) in layers.iter().enumerate() {
                if l.width == 0 || l.width > MAX_WIDTH {
                    refuse!(
                        part,
                        "{part} layer {} has width {}; expected 1 to {MAX_WIDTH}",
                        i + 1,
                        l.width
                    );
                }
            }
        }
        if !self.decoder.is_empty() {
            if self.encoder.is_empty() {
                refuse!(
                    "decoder",
                    "a decoder needs an encoder (the code it decodes)"
                );
            }
            let last = self.decoder.last().map_or(0, |l| l.width);
            if last != PIXELS {
                refuse!("decoder", "the decoder's last layer has width {last}; it must be {PIXELS} (one unit per pixel)");
            }
        }
        if self.decoder.is_empty() && self.head.is_none() {
            refuse!(
                "head",
                "nothing to train: the model has neither a decoder nor a classifier head"
            );
        }
        if self.index && self.encoder.is_empty() {
            refuse!(
                "index",
                "a hash index keys the code; this model has no encoder"
            );
        }
        if self.indexes() && self.code_width() > 64 {
            refuse!(
                "encoder",
                "a hash code has {} bits; at most 64 are supported",
                self.code_width()
            );
        }
        if self.recon_loss == ReconLoss::Bce
            && self
                .decoder
                .last()
                .is_some_and(|l| l.act != Activation::Sigmoid)
        {
            refuse!("recon_loss", "binary cross-entropy needs a sigmoid decoder output; use MSE or make the last decoder layer sigmoid");
        }
        if self.recon_loss == ReconLoss::Bce && self.scale == PixelScale::Raw {
            refuse!(
                "recon_loss",
                "binary cross-entropy needs pixels on the 0..1 scale"
            );
        }
        if self.batch == 0 || self.batch > MAX_BATCH {
            refuse!(
                "batch",
                "batch size {} is out of range; expected 1 to {MAX_BATCH}",
                self.batch
            );
        }
        if self.ae_epochs > MAX_EPOCHS || self.sup_epochs > MAX_EPOCHS {
            refuse!(
                if self.ae_epochs > MAX_EPOCHS {
                    "ae_epochs"
                } else {
                    "sup_epochs"
                },
                "epochs ({} autoencode, {} supervised) out of range; expected at most {MAX_EPOCHS}",
                self.ae_epochs,
                self.sup_epochs
            );
        }
        if self.ae_epochs + self.sup_epochs == 0 {
            refuse!("sup_epochs", "epochs are 0: there is nothing to train");
        }
        if !self.decoder.is_empty() && self.ae_epochs == 0 && self.head.is_none() {
            refuse!(
                "ae_epochs",
                "autoencode epochs are 0 and there is no classifier: nothing to train"
            );
        }
        if self.head.is_some() && self.sup_epochs == 0 && self.decoder.is_empty() {
            refuse!(
                "sup_epochs",
                "supervised epochs are 0 and there is no decoder: nothing to train"
            );
        }
        let (lr, momentum_or_beta) = match self.optim {
            OptimSpec::Adam {
                lr,
                beta1,
                beta2,
                eps,
            } => {
                check_finite("optim.beta1", "beta1", beta1 as f64, 0.0, 0.999_999)?;
                check_finite("optim.beta2", "beta2", beta2 as f64, 0.0, 0.999_999_9)?;
                check_finite("optim.eps", "eps", eps as f64, 1e-12, 1.0)?;
                (lr, beta1)
            }
            OptimSpec::Sgd { lr, momentum } => (lr, momentum),
        };
        if !(lr.is_finite() && lr > 0.0 && lr <= 10.0) {
            refuse!(
                "optim.lr",
                "learning rate {lr} is out of range; expected more than 0 and at most 10"
            );
        }
        check_finite(
            "optim.momentum",
            "momentum",
            momentum_or_beta as f64,
            0.0,
            0.999_999,
        )?;
        check_finite(
            "weight_decay",
            "weight decay",
            self.weight_decay as f64,
            0.0,
            1.0,
        )?;
        check_finite(
            "denoise",
            "denoising noise",
            self.denoise as f64,
            0.0,
            1000.0,
        )?;
        check_finite(
            "code_noise",
            "code noise",
            self.code_noise as f64,
            0.0,
            1000.0,
        )?;
        check_finite(
            "graph_weight",
            "graph weight",
            self.graph_weight as f64,
            0.0,
            1000.0,
        )?;
        if self.graph_weight > 0.0 && self.decoder.is_empty() {
            refuse!(
                "graph_weight",
                "the graph term acts in the autoencode phase; this model has no decoder"
            );
        }
        if !(self.label_fraction > 0.0 && self.label_fraction <= 1.0) {
            refuse!(
                "label_fraction",
                "label fraction {} is out of range; expected more than 0 and at most 1",
                self.label_fraction
            );
        }
        if self.shift > 8 {
            refuse!(
                "shift",
                "shift {} is out of range; expected 0 to 8 pixels",
                self.shift
            );
        }
        if self.propagate && self.head.is_none() {
            refuse!(
                "propagate",
                "label propagation feeds a classifier; this model has none"
            );
        }
        check_finite(
            "linear_vote",
            "linear_vote",
            self.linear_vote as f64,
            0.0,
            0.99,
        )?;
        if self.report_every == 0 {
            refuse!("report_every", "report_every must be at least 1 epoch");
        }
        super::budget::check(self)
    }
}
