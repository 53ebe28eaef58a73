//! The size budget of a network, checked from its config before anything is
//! allocated: a link, the settings form, a model file's header or the CLI
//! that asks for forty layers of 4,096 units is refused with what it asked
//! for and what fits, instead of exhausting the engine's memory (in the
//! browser, an out-of-memory abort loses the instance and its model).

use super::config::Config;
use crate::data::{CLASSES, PIXELS};
use crate::error::Result;
use crate::refuse;

/// At most this many layers in the encoder, the decoder or the head.
pub const MAX_LAYERS: usize = 64;
/// At most this much memory for a run's network at its batch (see `Footprint`).
pub const MAX_BYTES: u64 = 1 << 30;

/// Calls `f(n_in, n_out)` for every layer of a config's nets, without
/// building them: the encoder from the pixels, the decoder and the head from
/// the code (the head ending in the class logits).
fn for_each_layer(c: &Config, mut f: impl FnMut(usize, usize)) {
    let code = c.code_width();
    let mut walk = |n_in, widths: &mut dyn Iterator<Item = usize>| {
        widths.fold(n_in, |n, w| {
            f(n, w);
            w
        });
    };
    walk(PIXELS, &mut c.encoder.iter().map(|l| l.width));
    walk(code, &mut c.decoder.iter().map(|l| l.width));
    if let Some(h) = &c.head {
        walk(code, &mut h.iter().map(|l| l.width).chain([CLASSES]));
    }
}

/// What a run of a config holds in memory for its network, in f32s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// Weights and biases of the encoder, decoder and head.
    pub parameters: u64,
    /// Every layer's outputs for one batch (the input included).
    pub activations: u64,
}

impl Footprint {
    #[inline(never)] // one copy in the download, shared by the two checks
    pub fn of(c: &Config) -> Footprint {
        let (mut parameters, mut units) = (0u64, PIXELS as u64);
        for_each_layer(c, |n_in, n_out| {
            parameters += (n_in as u64 + 1) * n_out as u64;
            units += n_out as u64;
        });
        Footprint {
            parameters,
            activations: units * c.batch as u64,
        }
    }

    /// Bytes: each parameter with its gradient and two Adam moments, and a
    /// copy of the encoder's (the autoencode phase's, kept for the decoder)
    /// counted as a whole second set; each activation with its
    /// pre-activation and gradient.
    pub fn bytes(self) -> u64 {
        4 * (5 * self.parameters + 3 * self.activations)
    }
}

/// Refuses a config whose nets are deeper or larger than the budget, naming
/// the part, what it asks and what fits.
pub fn check(c: &Config) -> Result<()> {
    let parts = [("encoder", c.encoder.len()), ("decoder", c.decoder.len())]
        .into_iter()
        .chain(c.head.as_ref().map(|h| ("head", h.len())));
    for (part, n) in parts {
        if n > MAX_LAYERS {
            refuse!(
                part,
                "the {part} has {n} layers; the budget is {MAX_LAYERS} per part"
            );
        }
    }
    let f = Footprint::of(c);
    if f.bytes() > MAX_BYTES {
        let field = if c.encoder.is_empty() {
            "head"
        } else {
            "encoder"
        };
        refuse!(
            field,
            "the network has {} parameters and a run at batch {} needs about {} MiB (weights, \
             gradients, Adam's moments and a batch's activations); the budget is {} MiB: use \
             fewer or narrower layers, or a smaller batch",
            f.parameters,
            c.batch,
            f.bytes() >> 20,
            MAX_BYTES >> 20
        );
    }
    Ok(())
}
