//! A run's FLOP floor: the arithmetic each stage of a run cannot do without
//! (the products of training, the k-NN graph, label spreading, ITQ, the
//! evaluation passes), counted as `flops` counts (2 FLOPs a multiply-add
//! forward, 6 a trained sample). Divided by a measured rate it gives the
//! least time a run can take at that rate: the bench reads the page's Run all
//! against it, stage by stage.

use super::config::Config;
use crate::data::{CLASSES, PIXELS};
use crate::flops::macs;
use crate::retrieval::propagate;
use crate::train::plan::batches_per_epoch;
use crate::train::{HASH_QUERIES, ITQ_ITERATIONS};

/// The sizes a run's work depends on.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub train: usize,
    pub labelled: usize,
    pub test: usize,
}

/// Layer widths, input first.
fn chain(input: usize, layers: &[crate::nn::net::LayerSpec]) -> Vec<usize> {
    std::iter::once(input)
        .chain(layers.iter().map(|l| l.width))
        .collect()
}

/// FLOPs of each stage of a run of `c` (stage names as the page's phases
/// and the plan's evaluation stages); `graph_cached`: a graph of these
/// images is at hand, so none is built.
pub fn stages(c: &Config, s: Sizes, graph_cached: bool) -> Vec<(&'static str, f64)> {
    let enc = chain(PIXELS, &c.encoder);
    let code = *enc.last().expect("starts with the input");
    let dec = chain(code, &c.decoder);
    let head = c.head.as_ref().map(|h| {
        let mut w = chain(code, h);
        w.push(CLASSES);
        w
    });
    let (n, enc_macs, dec_macs) = (s.train as f64, macs(&enc), macs(&dec));
    let mut out = Vec::new();
    if c.needs_graph() && !graph_cached {
        // Every image's similarity to every other (the blur is 14
        // multiply-adds a pixel).
        out.push((
            "graph",
            2.0 * n * n * PIXELS as f64 + 28.0 * n * PIXELS as f64,
        ));
    }
    if !c.decoder.is_empty() && c.ae_epochs > 0 {
        // The graph term runs each batch's neighbours through the whole
        // autoencoder beside it.
        let rows = if c.graph_weight > 0.0 { 2.0 } else { 1.0 };
        let samples = (c.ae_epochs * batches_per_epoch(s.train, c.batch) * c.batch) as f64;
        out.push(("autoencode", samples * rows * 6.0 * (enc_macs + dec_macs)));
    }
    if let (Some(head), true) = (&head, c.sup_epochs > 0) {
        if c.propagate {
            // Each iteration: every edge both ways, 10 classes, multiply-add.
            let edges = n * propagate::K as f64;
            out.push((
                "propagate",
                propagate::ITERATIONS as f64 * edges * CLASSES as f64 * 4.0,
            ));
        }
        let n_sup = if c.propagate { s.train } else { s.labelled };
        let batch = c.batch.min(n_sup.max(1));
        let samples = (c.sup_epochs * batches_per_epoch(n_sup, batch) * batch) as f64;
        let encoder = if c.freeze_encoder { 2.0 } else { 6.0 };
        out.push((
            "supervise",
            samples * (6.0 * macs(head) + encoder * enc_macs),
        ));
    }
    if c.indexes() {
        // Each ITQ iteration: V = C·R and Bᵀ·V (the small SVD aside).
        let itq = if c.itq {
            ITQ_ITERATIONS as f64 * 4.0 * n * (code * code) as f64
        } else {
            0.0
        };
        out.push(("index", 2.0 * n * enc_macs + itq));
    }
    let t = s.test as f64;
    if let Some(head) = &head {
        out.push(("classify", 2.0 * t * (enc_macs + macs(head))));
    }
    if !c.decoder.is_empty() {
        out.push(("reconstruct", 2.0 * t * (enc_macs + dec_macs)));
    }
    if c.indexes() {
        // Hamming distances to every training code: a few integer
        // operations each, no floating point; counted as one.
        out.push(("queries", s.test.min(HASH_QUERIES) as f64 * n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::table::{self, Preset};

    #[test]
    fn the_floor_counts_the_products_a_hand_count_gives() {
        let s = Sizes {
            train: 8000,
            labelled: 80,
            test: 2000,
        };
        // mlp_all, browser protocol, best: 784→10→10, batch 32, 10 epochs.
        let c = table::config(
            "mnist_mlp_all",
            Preset::Best,
            crate::data::Protocol::Browser,
        )
        .unwrap();
        let all = Sizes {
            labelled: 8000,
            ..s
        };
        let st = stages(&c, all, false);
        let macs = (784 * 10 + 10 * 10) as f64;
        let sup = st.iter().find(|(n, _)| *n == "supervise").unwrap().1;
        assert_eq!(sup, (10 * 250 * 32) as f64 * 6.0 * macs);
        assert_eq!(
            st.iter().find(|(n, _)| *n == "classify").unwrap().1,
            2.0 * 2000.0 * macs
        );
        assert!(!st.iter().any(|(n, _)| *n == "graph" || *n == "autoencode"));
        // With 80 labels and no propagation: 2 batches of 32 an epoch.
        let few = stages(&c, s, false);
        let sup80 = few.iter().find(|(n, _)| *n == "supervise").unwrap().1;
        assert_eq!(sup80, (10 * 2 * 32) as f64 * 6.0 * macs);
        // mlp_1p propagates: a graph unless one is cached.
        let c =
            table::config("mnist_mlp_1p", Preset::Best, crate::data::Protocol::Browser).unwrap();
        let graph = |cached| stages(&c, s, cached).iter().any(|(n, _)| *n == "graph");
        assert!(graph(false) && !graph(true));
        // A hash model: autoencoder with the graph term (twice the rows), index, ITQ.
        let c =
            table::config("mnist_hash_2", Preset::Best, crate::data::Protocol::Browser).unwrap();
        let st = stages(&c, s, true);
        let ae_macs = (784 * 64 + 64 * 10 + 10 * 64 + 64 * 784) as f64;
        let ae = st.iter().find(|(n, _)| *n == "autoencode").unwrap().1;
        assert_eq!(ae, (c.ae_epochs * 250 * 32) as f64 * 2.0 * 6.0 * ae_macs);
        assert!(st.iter().any(|(n, _)| *n == "index"));
    }
}
