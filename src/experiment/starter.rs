//! The starter model: what answers the page's drawing pad the moment it
//! opens. The build trains it natively from a fixed seed on the page's own
//! MNIST file (`aelab starter`) and the page evaluates it on arrival, so a
//! visitor can draw before training anything; the next Start replaces it.
//!
//! It has every part the pad shows: a classifier, a decoder, a code and a
//! hash index. The encoder stays frozen in the supervised phase, so one code
//! space serves the classifier, the decoder, the code map and the buckets
//! (and the file holds no second encoder).

use crate::data::Protocol;
use crate::experiment::config::Config;
use crate::experiment::table::{config, Preset};
use crate::nn::activation::Activation;
use crate::nn::net::LayerSpec;

pub const NAME: &str = "starter";
pub const SEED: u32 = 7;

pub fn starter_config() -> Config {
    let mut c = config("mnist_auto_2", Preset::Best, Protocol::Browser).expect("a reference row");
    c.name = NAME.into();
    c.seed = SEED;
    // Every training label: it is a demonstration model, not a row of the
    // 1%-label table; propagation has nothing to add then.
    c.label_fraction = 1.0;
    c.propagate = false;
    c.linear_vote = 0.0;
    c.freeze_encoder = true;
    // A frozen 10-unit code needs a wider head than [10] to separate digits.
    c.head = Some(vec![LayerSpec {
        width: 64,
        act: Activation::Relu,
    }]);
    c.sup_epochs = 20;
    // Its autoencoder trains as it always has: the build's few seconds, and
    // the same file, whatever budget the table's rows take.
    c.ae_epochs = 10;
    c.index = true;
    c.balanced_bits = true;
    c.itq = true;
    c
}
