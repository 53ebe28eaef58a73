//! aelab: a small neural-network engine on `ndarray` for MLPs, autoencoders
//! and semantic hashing on MNIST. The same code runs natively and in the
//! browser; `web` is the only module that knows about JavaScript.

pub mod activation;
pub mod bench;
pub mod clock;
pub mod config;
pub mod data;
pub mod error;
pub mod experiments;
pub mod gemm;
pub mod hash;
pub mod itq;
pub mod kernel;
pub mod layer;
pub mod loss;
pub mod model;
pub mod modelfile;
pub mod net;
pub mod optim;
pub mod propagate;
pub mod rng;
pub mod simd;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use config::Config;
pub use error::{Error, Result};
pub use model::Model;
pub use train::{Phase, Progress, Results, Trainer};
