//! The propagation stage: label spreading over the graph, one iteration a
//! unit; its output is the label of every training image, which the
//! supervised phase then trains on.

use super::context::Context;
use super::progress::secs;
use crate::error::Result;
use crate::retrieval::propagate::{self, Graph, Spreading};
use std::sync::Arc;

pub struct Spread {
    graph: Arc<Graph>,
    spreading: Spreading,
}

impl Spread {
    pub fn new(ctx: &Context) -> Result<Spread> {
        let Some(graph) = ctx.graph.clone() else {
            crate::bail!("label propagation needs the k-NN graph, and there is none");
        };
        let known = &ctx.split.train.labels;
        Ok(Spread {
            graph,
            spreading: Spreading::new(known.len(), known, ctx.split.labelled),
        })
    }

    pub fn unit(&mut self, ctx: &mut Context) -> bool {
        let s = &mut self.spreading;
        s.iterate(&self.graph);
        if s.iterations < propagate::ITERATIONS {
            return false;
        }
        let labelled = ctx.split.labelled;
        let known = &ctx.split.train.labels;
        ctx.sup_labels = s.labels(known, labelled);
        // A diagnostic only: training never sees the true labels of the
        // unlabelled part.
        let n = known.len();
        let right = (labelled..n)
            .filter(|&i| ctx.sup_labels[i] == known[i])
            .count();
        ctx.log.push(format!(
            "Propagated {labelled} labels to {n} training images over the graph; {:.3} of the propagated labels are right ({} secs)",
            right as f64 / (n - labelled).max(1) as f64,
            secs(ctx.stage_secs)
        ));
        true
    }
}
