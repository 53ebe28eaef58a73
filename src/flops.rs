//! The one FLOP count every speed figure uses (bench page, `aelab bench`,
//! the CLI): 2 FLOPs per multiply-add forward, 6 when training (forward,
//! input gradient, weight gradient), the usual count, the same for every
//! engine compared.

use crate::nn::net::Net;

/// Multiply-adds of one sample's forward pass through layers whose widths,
/// input first, are `widths`.
pub fn macs(widths: &[usize]) -> f64 {
    widths.windows(2).map(|w| (w[0] * w[1]) as f64).sum()
}

/// The widths of a net, input first.
pub fn widths(net: &Net) -> Vec<usize> {
    std::iter::once(net.n_in())
        .chain(net.layers.iter().map(|l| l.n_out()))
        .collect()
}

pub fn training_per_sample(widths: &[usize]) -> f64 {
    6.0 * macs(widths)
}

pub fn inference_per_sample(widths: &[usize]) -> f64 {
    2.0 * macs(widths)
}
