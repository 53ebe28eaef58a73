//! The graph stage: the k-NN graph of the prepared training images, a chunk
//! of rows a unit; then it lives in the context for propagation and the
//! graph term, and in the session's cache for later runs on the same inputs.

use super::context::Context;
use super::progress::secs;
use crate::retrieval::propagate::{self, Graph};
use std::sync::Arc;

/// Rows of the k-NN search per unit. In the browser the tiled kernel streams
/// the n × 784 matrix once a unit (`propagate::similarities`): 16 rows, 4 ms
/// a unit, read it half as often as 8 did and stay well inside a slice.
/// Natively matrixmultiply repacks that matrix every unit, so a unit takes
/// many rows (the CLI has no frames to keep).
pub fn graph_chunk(n: usize) -> usize {
    if cfg!(target_arch = "wasm32") {
        if n <= 16_000 {
            16
        } else {
            64
        }
    } else {
        512
    }
}

pub struct GraphStage {
    building: Graph,
}

impl GraphStage {
    pub fn new(ctx: &Context) -> GraphStage {
        GraphStage {
            building: Graph::new(ctx.x.train.view(), ctx.model.config.centre_graph),
        }
    }

    pub fn unit(&mut self, ctx: &mut Context) -> bool {
        let b = &mut self.building;
        b.advance(ctx.x.train.view(), graph_chunk(b.len()));
        if !b.complete() {
            return false;
        }
        ctx.graph = Some(Arc::new(std::mem::take(b)));
        ctx.log.push(format!(
            "Built the {}-NN graph of {} blurred training images ({} secs)",
            propagate::K,
            ctx.split.train.len(),
            secs(ctx.stage_secs)
        ));
        true
    }
}
