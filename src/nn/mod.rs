//! Networks: activations, dense layers, nets of them, losses, optimisers, and
//! the model (encoder, decoder, classifier head) every experiment trains.
pub mod activation;
mod adam_step;
mod bce_row;
pub mod dense;
pub mod logit_loss;
pub mod loss;
pub mod model;
pub mod net;
pub mod optim;
