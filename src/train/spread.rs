//! The propagation stage: label spreading over the graph, one iteration a
//! unit; then, if the config asks for a linear vote, a softmax regression
//! fitted on the labelled images a few steps a unit, its beliefs about the
//! training images a chunk a unit, and both opinions joined. Its output is
//! the label of every training image, which the supervised phase then
//! trains on.

use super::context::Context;
use super::progress::secs;
use crate::baseline::logreg::{self, Fitting, LogReg};
use crate::data::CLASSES;
use crate::error::Result;
use crate::retrieval::propagate::{self, Graph, Spreading};
use crate::retrieval::vote;
use ndarray::s;
use std::sync::Arc;

/// Steps of the vote's softmax regression a unit, and training images it
/// classifies a unit afterwards: each unit a few milliseconds in the page.
const VOTE_STEPS: usize = 25;
const VOTE_ROWS: usize = 1000;

/// Units of the stage for `n` training images: the spreading's iterations,
/// then the vote's.
pub fn spread_units(linear_vote: f32, n: usize) -> usize {
    let vote = if linear_vote > 0.0 {
        logreg::STEPS.div_ceil(VOTE_STEPS) + n.div_ceil(VOTE_ROWS)
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

/// Spreading first; then, with a linear vote, the voter's fit and its
/// beliefs, row by row.
enum Step {
    Spreading,
    Fitting(Box<Fitting>),
    Classifying { linear: LogReg, beliefs: Vec<f32> },
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
                    self.step = Step::Fitting(Box::new(fit));
                    return false;
                }
                ctx.sup_labels = s.labels(known, labelled);
            }
            Step::Fitting(fitting) => {
                let x = ctx.x.train.slice(s![..labelled, ..]);
                fitting.advance(x, &known[..labelled], VOTE_STEPS);
                if fitting.done() {
                    self.step = Step::Classifying {
                        linear: fitting.fitted(),
                        beliefs: Vec::new(),
                    };
                }
                return false;
            }
            Step::Classifying { linear, beliefs } => {
                let n = known.len();
                let a = beliefs.len() / CLASSES;
                let b = (a + VOTE_ROWS).min(n);
                let p = linear.probabilities(ctx.x.train.slice(s![a..b, ..]));
                beliefs.extend_from_slice(p.as_slice().expect("a new array"));
                if b < n {
                    return false;
                }
                let spread = s.scores.as_slice().expect("rows in order");
                let weight = ctx.model.config.linear_vote;
                let mut labels = vote::joined(spread, beliefs, weight);
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
        let vote = if ctx.model.config.linear_vote > 0.0 {
            " and a softmax regression's vote"
        } else {
            ""
        };
        ctx.log.push(format!(
            "Propagated {labelled} labels to {n} training images over the graph{vote}; {:.3} of the propagated labels are right ({} secs)",
            right as f64 / (n - labelled).max(1) as f64,
            secs(ctx.stage_secs)
        ));
        true
    }
}
