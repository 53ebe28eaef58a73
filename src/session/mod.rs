//! A session: the loaded digits, the current run (at most one), the cache of
//! the last k-NN graph, and the queries on a finished model (`queries`).
//! The page (`web`) and the CLI both drive one, so every decision about
//! runs, caches and queries is made here, where native tests reach it.

mod denoise;
mod explore;
mod queries;

pub use denoise::Denoised;

pub use queries::Analysis;

use crate::data::{Digits, PixelScale, Protocol};
use crate::error::{Error, Result};
use crate::experiment::config::Config;
use crate::nn::model::Model;
use crate::retrieval::propagate::Graph;
use crate::train::{Inputs, Progress, Trainer};
use std::sync::Arc;

/// Everything a run's prepared inputs depend on: which data, which split of
/// it (protocol and seed; the label fraction only says how many of the
/// training images keep their labels), and how the images were prepared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputsKey {
    data: u64,
    protocol: Protocol,
    seed: u32,
    scale: PixelScale,
    deskew: bool,
}

/// Everything a k-NN graph of the training inputs depends on: the inputs,
/// and whether it centres them (the config's). The graph's own constants
/// (k, blur, temperature) are fixed in the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphKey {
    inputs: InputsKey,
    centre: bool,
}

impl GraphKey {
    /// The key of `config`'s graph of data set `data` (the session's id).
    pub fn of(config: &Config, data: u64) -> GraphKey {
        GraphKey {
            inputs: InputsKey {
                data,
                protocol: config.protocol,
                seed: config.seed,
                scale: config.scale,
                deskew: config.deskew,
            },
            centre: config.centre_graph,
        }
    }
}

pub struct Session {
    data: Digits,
    /// Tells data sets apart in the graph key; a new one for new data.
    data_id: u64,
    run: Option<Trainer>,
    /// The data the current run was made from (the data may change since).
    run_data: u64,
    graph: Option<(GraphKey, Arc<Graph>)>,
    /// The last run's prepared inputs: Run all's runs share a split, and
    /// preparing (deskewing) it again costs each a third of a second.
    inputs: Option<(InputsKey, Arc<Inputs>)>,
}

impl Session {
    pub fn new(data: Digits) -> Session {
        Session {
            data,
            data_id: 0,
            run: None,
            run_data: 0,
            graph: None,
            inputs: None,
        }
    }

    pub fn data(&self) -> &Digits {
        &self.data
    }

    /// Replaces the data the next runs train on. The current run keeps its
    /// own split (its model, views and queries stay as they were); a cached
    /// graph, built from other images, is never matched again.
    pub fn set_data(&mut self, data: Digits) {
        self.keep_cache();
        self.data = data;
        self.data_id += 1;
    }

    /// Starts a new run from `config`. Transactional: the run is built (the
    /// config validated against the data, the model made) before it
    /// replaces the current one, so a refused config leaves the current run
    /// and its model exactly as they were.
    pub fn start(&mut self, config: &Config) -> Result<()> {
        self.keep_cache();
        let key = GraphKey::of(config, self.data_id);
        let cached = match &self.graph {
            Some((k, g)) if *k == key && config.needs_graph() => Some(g.clone()),
            _ => None,
        };
        let mut run = Trainer::new(config, &self.data, cached)?;
        self.reuse_inputs(&mut run, key.inputs);
        self.run = Some(run);
        self.run_data = self.data_id;
        Ok(())
    }

    /// Gives `run` the cached inputs if they are its split's, else drops
    /// them: they would be a second set in memory while it prepares its own.
    fn reuse_inputs(&mut self, run: &mut Trainer, key: InputsKey) {
        match &self.inputs {
            Some((k, x)) if *k == key => run.reuse_inputs(x.clone()),
            _ => self.inputs = None,
        }
    }

    /// Replaces the current run with the evaluation of a trained model (e.g.
    /// read from a file); on refusal the current run stays.
    pub fn load_model(&mut self, model: Model) -> Result<()> {
        let mut run = Trainer::for_evaluation(model, &self.data)?;
        self.keep_cache();
        let key = GraphKey::of(run.config(), self.data_id).inputs;
        self.reuse_inputs(&mut run, key);
        self.run = Some(run);
        self.run_data = self.data_id;
        Ok(())
    }

    pub fn reset(&mut self) {
        self.keep_cache();
        self.run = None;
    }

    /// Remembers the current run's inputs and graph for later runs on the
    /// same split.
    fn keep_cache(&mut self) {
        if let Some(run) = &self.run {
            let key = GraphKey::of(run.config(), self.run_data);
            if let Some(g) = run.graph().filter(|g| g.complete()) {
                self.graph = Some((key, g));
            }
            if let Some(x) = run.inputs() {
                self.inputs = Some((key.inputs, x));
            }
        }
    }

    /// The key the cached graph was built for, if there is one.
    pub fn cached_graph(&self) -> Option<GraphKey> {
        self.graph.as_ref().map(|(k, _)| *k)
    }

    pub fn run(&self) -> Result<&Trainer> {
        self.run
            .as_ref()
            .ok_or_else(|| Error::new("no model yet: start a run first"))
    }

    /// Advances the run by at most `max_units` units or `max_secs` seconds.
    pub fn step(&mut self, max_units: usize, max_secs: f64) -> Result<Progress> {
        if max_secs.is_nan() || max_secs <= 0.0 {
            crate::bail!("time budget {max_secs} s is not a positive number");
        }
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| Error::new("no run to step: start one first"))?;
        Ok(run.step(max_units.max(1), max_secs))
    }

    /// Steps the run to its end (CLI, tests), passing each progress to `see`.
    pub fn finish(&mut self, mut see: impl FnMut(&Progress)) -> Result<()> {
        loop {
            let p = self.step(usize::MAX, 0.5)?;
            see(&p);
            if let Some(e) = p.error {
                return Err(Error::new(e));
            }
            if self.finished() {
                return Ok(());
            }
        }
    }

    pub fn finished(&self) -> bool {
        self.run.as_ref().is_some_and(Trainer::finished)
    }
}
