//! aelab: a small neural-network engine on `ndarray` for MLPs, autoencoders
//! and semantic hashing on MNIST. The same code runs natively and in the
//! browser; `web` is the only module that knows about JavaScript.
//!
//! The folders are the layers, each using only those above it:
//! `linalg` (the f32x4 vector type, the GEMM kernel, the layer products) →
//! `nn` (activations, dense layers, nets, losses, optimisers, the model) →
//! `data` (digits, IDX and the page's subset, pixel scales, splits) →
//! `experiment` (configs and the reference table) → `retrieval` (hash index,
//! ITQ, the k-NN graph and label propagation) → `train` (a run as a plan of
//! resumable stages) → `session` (data + current run + caches + queries) →
//! the surfaces: `web` (wasm-bindgen) and the CLI in `src/bin`.

pub mod baseline;
pub mod bench;
pub mod clock;
pub mod data;
pub mod error;
pub mod experiment;
pub mod flops;
pub mod linalg;
pub mod modelfile;
pub mod nn;
pub mod retrieval;
pub mod rng;
pub mod session;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
pub use experiment::config::Config;
pub use nn::model::Model;
pub use session::Session;
pub use train::{Phase, Progress, Results, Trainer};
