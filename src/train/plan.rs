//! A run's plan, built once from its config, model and split: which stages
//! run, in order, and how many units of work each takes. Progress is units
//! done over the plan's total, and each stage does exactly its planned units
//! (a test checks that a finished run's count equals the total).

use super::evaluate::{EVAL_CHUNK, HASH_QUERIES, QUERY_CHUNK};
use super::graph::graph_chunk;
use super::index::index_units;
use super::prepare::prepare_units;
use super::progress::Phase;
use super::spread::spread_units;
use crate::data::Split;
use crate::nn::model::Model;
use crate::retrieval::propagate::Graph;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Prepare,
    /// The k-NN graph of the training images (label propagation, graph term).
    Graph,
    Autoencode,
    /// Label spreading over the graph, before the supervised phase.
    Propagate,
    Supervise,
    /// Test accuracy of the classifier.
    Classify,
    /// Test reconstruction error of the autoencoder.
    Reconstruct,
    /// The training codes, their ITQ rotation if asked, the hash index.
    Index,
    /// Retrieval figures of test queries against the index.
    Queries,
}

impl Stage {
    /// The phase the page and the log show for this stage.
    pub fn phase(self) -> Phase {
        match self {
            Stage::Prepare => Phase::Prepare,
            Stage::Graph => Phase::Graph,
            Stage::Autoencode => Phase::Autoencode,
            Stage::Propagate => Phase::Propagate,
            Stage::Supervise => Phase::Supervise,
            Stage::Classify | Stage::Reconstruct | Stage::Index | Stage::Queries => Phase::Evaluate,
        }
    }
}

/// What the run is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Train from scratch; `graph_ready`: a cached graph of these training
    /// images is at hand, so no graph stage.
    Train { graph_ready: bool },
    /// Measure a trained model (e.g. loaded from a file) and index it.
    Evaluate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub stages: Vec<(Stage, usize)>,
}

pub fn batches_per_epoch(n: usize, batch: usize) -> usize {
    // The reference drops the last partial batch; so do we (fixed buffers).
    (n / batch).max(1)
}

/// Images the supervised phase trains on: the labelled part, or every
/// training image once propagation has labelled them.
pub fn supervised_images(model: &Model, split: &Split) -> usize {
    if model.config.propagate {
        split.train.len()
    } else {
        split.labelled
    }
}

impl Plan {
    pub fn new(model: &Model, split: &Split, purpose: Purpose) -> Plan {
        let c = &model.config;
        let n = split.train.len();
        let n_test = split.test.len();
        let mut stages = vec![(Stage::Prepare, prepare_units(split))];
        if let Purpose::Train { graph_ready } = purpose {
            if c.needs_graph() && !graph_ready {
                stages.push((Stage::Graph, Graph::units(n, graph_chunk(n))));
            }
            if model.decoder.is_some() && c.ae_epochs > 0 {
                stages.push((
                    Stage::Autoencode,
                    c.ae_epochs * batches_per_epoch(n, c.batch),
                ));
            }
            if model.head.is_some() && c.sup_epochs > 0 {
                if c.propagate {
                    stages.push((Stage::Propagate, spread_units(c.linear_vote, n)));
                }
                let n_sup = supervised_images(model, split);
                stages.push((
                    Stage::Supervise,
                    c.sup_epochs * batches_per_epoch(n_sup, c.batch.min(n_sup)),
                ));
            }
        }
        // The index first: a model evaluated on arrival (the page's starter)
        // answers the drawing pad with its bucket while the figures follow.
        if c.indexes() {
            stages.push((Stage::Index, index_units(n, c.itq)));
        }
        if model.head.is_some() {
            stages.push((Stage::Classify, n_test.div_ceil(EVAL_CHUNK)));
        }
        if model.decoder.is_some() {
            stages.push((Stage::Reconstruct, n_test.div_ceil(EVAL_CHUNK)));
        }
        if c.indexes() {
            stages.push((
                Stage::Queries,
                n_test.min(HASH_QUERIES).div_ceil(QUERY_CHUNK),
            ));
        }
        Plan { stages }
    }

    pub fn total_units(&self) -> usize {
        self.stages.iter().map(|&(_, u)| u).sum()
    }

    pub fn contains(&self, stage: Stage) -> bool {
        self.stages.iter().any(|&(s, _)| s == stage)
    }
}
