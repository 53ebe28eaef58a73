//! The propagation stage: label spreading over the graph, one iteration a
//! unit; then, if the config asks for a linear vote, a softmax regression
//! fitted on the labelled images a few steps a unit, and a last unit that
//! joins both opinions. Its output is the label of every training image,
//! which the supervised phase then trains on.

use super::context::Context;
use super::progress::secs;
use crate::baseline::logreg::{self, Fitting};
use crate::error::Result;
use crate::retrieval::propagate::{self, Graph, Spreading};
use crate::retrieval::vote;
use ndarray::s;
use std::sync::Arc;

/// Steps of the vote's softmax regression a unit: 1% of a page's frame
/// budget each (a step is one 32 × 784 × 10 product and its gradient).
const VOTE_STEPS: usize = 100;

/// Units of the stage: the spreading's iterations, then the vote's.
pub fn spread_units(linear_vote: f32) -> usize {
    let vote = if linear_vote > 0.0 {
        logreg::STEPS.div_ceil(VOTE_STEPS) + 1
    } else {
        0
    };
    propagate::ITERATIONS + vote
}

pub struct Spread {
    graph: Arc<Graph>,
    spreading: Spreading,
    step: Step,
}

/// Spreading first; then, with a linear vote, the voter's fit.
enum Step {
    Spreading,
    Voting(Box<Fitting>),
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
            step: Step::Spreading,
        })
    }

    pub fn unit(&mut self, ctx: &mut Context) -> bool {
        let s = &mut self.spreading;
        let labelled = ctx.split.labelled;
        let known = &ctx.split.train.labels;
        match &mut self.step {
            Step::Spreading => {
                s.iterate(&self.graph);
                if s.iterations < propagate::ITERATIONS {
                    return false;
                }
                if ctx.model.config.linear_vote > 0.0 {
                    let seed = ctx.model.config.seed as u64;
                    let fit = Fitting::new(labelled, ctx.x.train.ncols(), seed);
                    self.step = Step::Voting(Box::new(fit));
                    return false;
                }
                ctx.sup_labels = s.labels(known, labelled);
            }
            Step::Voting(fitting) => {
                let x = ctx.x.train.view();
                if !fitting.done() {
                    fitting.advance(x.slice(s![..labelled, ..]), &known[..labelled], VOTE_STEPS);
                    return false;
                }
                let linear = fitting.fitted();
                let weight = ctx.model.config.linear_vote;
                let mut labels = vote::joined(&s.scores, &linear.probabilities(x), weight);
                labels[..labelled].copy_from_slice(&known[..labelled]);
                ctx.sup_labels = labels;
            }
        }
        // A diagnostic only: training never sees the true labels of the
        // unlabelled part.
        let n = known.len();
        let right = (labelled..n)
            .filter(|&i| ctx.sup_labels[i] == known[i])
            .count();
        let w = ctx.model.config.linear_vote;
        let vote = if w > 0.0 {
            let percent = (w * 100.0).round() as u32;
            format!(" and a softmax regression's vote ({percent}% of the belief)")
        } else {
            String::new()
        };
        ctx.log.push(format!(
            "Propagated {labelled} labels to {n} training images over the graph{vote}; {:.3} of the propagated labels are right ({} secs)",
            right as f64 / (n - labelled).max(1) as f64,
            secs(ctx.stage_secs)
        ));
        true
    }
}
