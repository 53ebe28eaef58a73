//! A run: its plan, the stage under way, the shared context, and the loop
//! that steps through the plan a unit at a time.

use super::context::{Context, Inputs};
use super::evaluate::{Classify, Queries, Reconstruct};
use super::fit::{Fit, Kind};
use super::graph::GraphStage;
use super::index::Index;
use super::plan::{Plan, Purpose, Stage};
use super::prepare::{prepared_for, Prepare};
use super::progress::{Phase, Position, Progress, Results};
use super::spread::Spread;
use crate::clock::now_secs;
use crate::data::{self, Digits, Split};
use crate::error::{Error, Result};
use crate::experiment::config::Config;
use crate::nn::model::Model;
use crate::retrieval::hash::HashIndex;
use crate::retrieval::propagate::Graph;
use ndarray::ArrayView2;
use std::sync::Arc;

/// The stage under way, with its own state.
enum Active {
    Prepare(Prepare),
    Graph(GraphStage),
    Fit(Fit),
    Spread(Spread),
    Classify(Classify),
    Reconstruct(Reconstruct),
    Index(Index),
    Queries(Queries),
    Done,
    Failed,
}

impl Active {
    fn start(stage: Stage, ctx: &Context, plan: &Plan) -> Result<Active> {
        Ok(match stage {
            Stage::Prepare => Active::Prepare(Prepare::default()),
            Stage::Graph => Active::Graph(GraphStage::new(ctx)),
            Stage::Autoencode => Active::Fit(Fit::new(Kind::Autoencode, ctx, plan)?),
            Stage::Propagate => Active::Spread(Spread::new(ctx)?),
            Stage::Supervise => Active::Fit(Fit::new(Kind::Supervise, ctx, plan)?),
            Stage::Classify => Active::Classify(Classify::default()),
            Stage::Reconstruct => Active::Reconstruct(Reconstruct::default()),
            Stage::Index => Active::Index(Index::default()),
            Stage::Queries => Active::Queries(Queries::default()),
        })
    }

    /// One unit of work; true when the stage is complete.
    fn unit(&mut self, ctx: &mut Context) -> Result<bool> {
        match self {
            Active::Prepare(s) => Ok(s.unit(ctx)),
            Active::Graph(s) => Ok(s.unit(ctx)),
            Active::Fit(s) => s.unit(ctx),
            Active::Spread(s) => Ok(s.unit(ctx)),
            Active::Classify(s) => s.unit(ctx),
            Active::Reconstruct(s) => s.unit(ctx),
            Active::Index(s) => Ok(s.unit(ctx)),
            Active::Queries(s) => s.unit(ctx),
            Active::Done | Active::Failed => Ok(true),
        }
    }
}

pub struct Trainer {
    plan: Plan,
    /// Index in the plan of the stage under way.
    at: usize,
    active: Active,
    ctx: Context,
    units_done: usize,
    log_sent: usize,
    error: Option<String>,
}

impl Trainer {
    /// Checks the config against the data and sets everything up; no
    /// training yet. `graph`: a k-NN graph of exactly the training inputs
    /// this config prepares (the session's cache), which the run then skips
    /// building.
    pub fn new(config: &Config, source: &Digits, graph: Option<Arc<Graph>>) -> Result<Trainer> {
        let model = Model::new(config)?;
        let split = data::split(
            source,
            config.protocol,
            config.label_fraction,
            config.seed as u64,
        )?;
        let graph = graph.filter(|g| g.len() == split.train.len() && g.complete());
        let purpose = Purpose::Train {
            graph_ready: graph.is_some(),
        };
        Trainer::with_model(model, split, purpose, graph)
    }

    /// A trained model (e.g. loaded from a file) on a data set: only the
    /// evaluation runs, which measures it and builds its hash index.
    pub fn for_evaluation(model: Model, source: &Digits) -> Result<Trainer> {
        let c = &model.config;
        let split = data::split(source, c.protocol, c.label_fraction, c.seed as u64)?;
        Trainer::with_model(model, split, Purpose::Evaluate, None)
    }

    fn with_model(
        model: Model,
        split: Split,
        purpose: Purpose,
        graph: Option<Arc<Graph>>,
    ) -> Result<Trainer> {
        let c = &model.config;
        c.validate()?;
        if c.batch > split.train.len() {
            return Err(Error::in_field(
                "batch",
                format!(
                    "batch size {} is larger than the {} training images",
                    c.batch,
                    split.train.len()
                ),
            ));
        }
        let plan = Plan::new(&model, &split, purpose);
        let ctx = Context::new(model, split, graph);
        let active = Active::start(plan.stages[0].0, &ctx, &plan)?;
        Ok(Trainer {
            plan,
            at: 0,
            active,
            ctx,
            units_done: 0,
            log_sent: 0,
            error: None,
        })
    }

    pub fn model(&self) -> &Model {
        &self.ctx.model
    }

    pub fn config(&self) -> &Config {
        &self.ctx.model.config
    }

    pub fn split(&self) -> &Split {
        &self.ctx.split
    }

    pub fn results(&self) -> &Results {
        &self.ctx.results
    }

    pub fn index(&self) -> Option<&HashIndex> {
        self.ctx.index.as_ref()
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn units_done(&self) -> usize {
        self.units_done
    }

    pub fn phase(&self) -> Phase {
        match self.active {
            Active::Done => Phase::Done,
            Active::Failed => Phase::Failed,
            _ => self.plan.stages[self.at].0.phase(),
        }
    }

    pub fn finished(&self) -> bool {
        matches!(self.active, Active::Done | Active::Failed)
    }

    pub fn log(&self) -> &[String] {
        &self.ctx.log
    }

    /// Pixels of the test part on the network's scale.
    pub fn x_test(&self) -> ArrayView2<'_, f32> {
        self.ctx.x.test.view()
    }

    /// Pixels of the training part on the network's scale.
    pub fn x_train(&self) -> ArrayView2<'_, f32> {
        self.ctx.x.train.view()
    }

    /// The k-NN graph of the training images, once built.
    pub fn graph(&self) -> Option<Arc<Graph>> {
        self.ctx.graph.clone()
    }

    /// Runs until done, for the CLI and tests.
    pub fn run(&mut self) -> Result<&Results> {
        while !self.finished() {
            self.step(usize::MAX, f64::INFINITY);
        }
        match &self.error {
            Some(e) => Err(Error::new(e.clone())),
            None => Ok(&self.ctx.results),
        }
    }

    /// Advances by at most `max_units` units of work or about `max_secs`
    /// seconds, whichever comes first (at least one unit).
    pub fn step(&mut self, max_units: usize, max_secs: f64) -> Progress {
        let t0 = now_secs();
        let mut done = 0;
        while !self.finished() && done < max_units.max(1) {
            let t = now_secs();
            let r = self.active.unit(&mut self.ctx);
            let dt = now_secs() - t;
            self.ctx.stage_secs += dt;
            self.ctx.results.seconds += dt;
            self.units_done += 1;
            match r {
                Ok(false) => {}
                Ok(true) => self.next_stage(),
                Err(e) => self.fail(e.message),
            }
            done += 1;
            if now_secs() - t0 >= max_secs {
                break;
            }
        }
        self.progress()
    }

    /// The inputs this run prepared, once every row is in (for the
    /// session's cache).
    pub fn inputs(&self) -> Option<Arc<Inputs>> {
        prepared_for(&self.ctx.x, &self.ctx.split).then(|| self.ctx.x.clone())
    }

    /// Takes inputs an earlier run prepared from the same split the same way
    /// (the session's cache): the prepare stage then finds them ready in
    /// its one unit. Only before the first step; inputs of other sizes are
    /// ignored.
    pub fn reuse_inputs(&mut self, x: Arc<Inputs>) {
        if self.units_done == 0 && prepared_for(&x, &self.ctx.split) {
            self.ctx.x = x;
            self.plan.stages[0].1 = 1;
        }
    }

    fn next_stage(&mut self) {
        match self.plan.stages[self.at].0 {
            Stage::Autoencode => self.ctx.results.ae_seconds = self.ctx.stage_secs,
            Stage::Supervise => self.ctx.results.sup_seconds = self.ctx.stage_secs,
            _ => {}
        }
        self.ctx.stage_secs = 0.0;
        self.at += 1;
        self.active = match self.plan.stages.get(self.at) {
            None => Active::Done,
            Some(&(stage, _)) => match Active::start(stage, &self.ctx, &self.plan) {
                Ok(a) => a,
                Err(e) => return self.fail(e.message),
            },
        };
    }

    fn fail(&mut self, msg: String) {
        self.ctx.log.push(format!("Stopped: {msg}"));
        self.error = Some(msg);
        self.active = Active::Failed;
    }

    pub fn progress(&mut self) -> Progress {
        let fit = match &self.active {
            Active::Fit(f) => Some((f.kind(), f.position())),
            _ => None,
        };
        let Position {
            epoch,
            epochs,
            batch,
            batches,
            span: sp,
        } = fit.map(|f| f.1).unwrap_or_default();
        let training = fit.is_some() && sp.batches > 0;
        let nb = sp.batches.max(1) as f64;
        let log = self.ctx.log[self.log_sent..].to_vec();
        self.log_sent = self.ctx.log.len();
        Progress {
            phase: self.phase(),
            epoch: if batch > 0 { epoch + 1 } else { epoch },
            epochs,
            batch,
            batches,
            fraction: self.units_done as f64 / self.plan.total_units().max(1) as f64,
            cost: training.then(|| sp.cost / nb),
            accuracy: (training && fit.is_some_and(|f| f.0 == Kind::Supervise))
                .then(|| sp.correct as f64 / sp.seen.max(1) as f64),
            recon_mse: (training && fit.is_some_and(|f| f.0 == Kind::Autoencode))
                .then(|| sp.sq_err / nb),
            elapsed: self.ctx.results.seconds,
            log,
            error: self.error.clone(),
        }
    }
}
