//! Training as a resumable stepper: `step` advances by at most so many batches
//! or seconds and returns progress, so the page can drive it in frame-sized
//! chunks and the CLI in a loop. Phases: autoencode (every training image, no
//! labels), supervise (the labelled part only), evaluate (test figures, hash
//! index), done. Logs in the reference's line format.

use crate::clock::now_secs;
use crate::config::Config;
use crate::data::{self, Digits, Split, PIXELS, SIDE};
use crate::error::Result;
use crate::hash::{Accumulator, HashIndex, HashMetrics};
use crate::loss::{self, ReconLoss};
use crate::model::Model;
use crate::net::Net;
use crate::optim::Optimizer;
use crate::propagate::{self, Graph, Spreading};
use crate::rng::Rng;
use ndarray::{s, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Turning the digits into the network's inputs (scaling, deskewing).
    Prepare,
    Graph,
    Autoencode,
    Propagate,
    Supervise,
    Evaluate,
    Done,
    Failed,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    /// 1-based epoch within the phase (0 before the first batch).
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    /// Share of all the run's work done, 0..1.
    pub fraction: f64,
    /// Mean cost over the batches since the last report.
    pub cost: Option<f64>,
    /// Training-batch accuracy since the last report (supervised phase).
    pub accuracy: Option<f64>,
    /// Per-pixel reconstruction MSE on 0..1 since the last report (autoencode).
    pub recon_mse: Option<f64>,
    /// Seconds spent inside `step`.
    pub elapsed: f64,
    /// Log lines written since the previous call.
    pub log: Vec<String>,
    pub error: Option<String>,
}

/// Figures of a finished run. Accuracy 0..1; MSE per pixel on the 0..1 scale.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Results {
    pub model: String,
    pub protocol: data::Protocol,
    pub test_accuracy: Option<f64>,
    pub recon_mse: Option<f64>,
    pub psnr: Option<f64>,
    pub hash: Option<HashMetrics>,
    pub seconds: f64,
    pub ae_seconds: f64,
    pub sup_seconds: f64,
    pub labelled: usize,
    pub train_size: usize,
    pub test_size: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EvalStage {
    Classify,
    Reconstruct,
    IndexCodes,
    /// ITQ on the index's codes, a few iterations a unit; then the index.
    Rotate,
    Queries,
}

/// ITQ iterations per unit: each is a pass over the 8,000 codes, so a unit
/// stays a few milliseconds.
const ITQ_CHUNK: usize = 5;

const EVAL_CHUNK: usize = 500;
const QUERY_CHUNK: usize = 10;
const HASH_QUERIES: usize = 1000;
const VALID_SAMPLE: usize = 100;
/// Rows of the k-NN search per step. In the browser the dot-product kernel
/// reads the n × 784 matrix once a step, so 8 rows keep a step well under a
/// frame. Natively matrixmultiply repacks that matrix every step, so a step
/// takes many rows (the CLI has no frames to keep).
fn graph_chunk(n: usize) -> usize {
    if cfg!(target_arch = "wasm32") {
        if n <= 16_000 {
            8
        } else {
            64
        }
    } else {
        512
    }
}

/// Sums since the last log line.
#[derive(Default)]
struct Span {
    cost: f64,
    correct: usize,
    seen: usize,
    sq_err: f64,
    batches: usize,
    secs: f64,
}

pub struct Trainer {
    pub model: Model,
    pub split: Split,
    x_train: Array2<f32>,
    x_valid: Array2<f32>,
    x_test: Array2<f32>,
    /// Rows of train, then valid, then test turned into inputs so far.
    prepared: usize,
    phases: Vec<Phase>,
    phase_at: usize,
    epoch: usize,
    batch: usize,
    order: Vec<usize>,
    rng_order: Rng,
    rng_noise: Rng,
    rng_valid: Rng,
    opt: [Option<Optimizer>; 3],
    xb: Array2<f32>,
    xin: Array2<f32>,
    yb: Vec<u8>,
    span: Span,
    phase_secs: f64,
    units_done: usize,
    units_total: usize,
    eval_stages: Vec<EvalStage>,
    eval_units: usize,
    eval_at: usize,
    cursor: usize,
    correct: usize,
    sq_err: f64,
    codes: Vec<Array2<f32>>,
    /// ITQ under way, with the codes it rotates.
    rotating: Option<(crate::itq::Itq, Array2<f32>)>,
    acc: Accumulator,
    pub index: Option<HashIndex>,
    building: Option<Graph>,
    graph: Option<Arc<Graph>>,
    spreading: Option<Spreading>,
    /// Labels the supervised phase trains on: the labelled part's own, or
    /// every training image's propagated label.
    sup_labels: Vec<u8>,
    pub results: Results,
    log: Vec<String>,
    log_sent: usize,
    error: Option<String>,
}

fn batches_per_epoch(n: usize, batch: usize) -> usize {
    // The reference drops the last partial batch; so do we (fixed buffers).
    (n / batch).max(1)
}

fn secs(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.1}")
    } else {
        format!("{s:.0}")
    }
}

fn grads_finite(net: &Net) -> bool {
    fn finite<D: ndarray::Dimension>(g: &ndarray::Array<f32, D>) -> bool {
        match g.as_slice() {
            Some(s) => crate::simd::all_finite(s),
            None => g.iter().all(|v| v.is_finite()),
        }
    }
    net.dw.iter().all(finite) && net.db.iter().all(finite)
}

impl Trainer {
    /// Checks the config against the data and sets everything up; no training yet.
    pub fn new(config: &Config, source: &Digits) -> Result<Trainer> {
        let model = Model::new(config)?;
        let split = data::split(
            source,
            config.protocol,
            config.label_fraction,
            config.seed as u64,
        )?;
        Trainer::with_model(model, split)
    }

    /// A trained model (e.g. loaded from a file) on a data set: only the
    /// evaluation runs, which measures it and builds its hash index.
    pub fn for_evaluation(model: Model, source: &Digits) -> Result<Trainer> {
        let c = &model.config;
        let split = data::split(source, c.protocol, c.label_fraction, c.seed as u64)?;
        let mut t = Trainer::with_model(model, split)?;
        let eval_at = t
            .phases
            .iter()
            .position(|&p| p == Phase::Evaluate)
            .expect("every run evaluates");
        t.phases.drain(1..eval_at); // keep Prepare
        if t.eval_stages.is_empty() {
            t.phases.remove(1);
        }
        t.units_total = prepare_units(&t.split) + t.eval_units;
        Ok(t)
    }

    pub fn with_model(model: Model, split: Split) -> Result<Trainer> {
        let c = model.config.clone();
        c.validate()?;
        let n = split.train.len();
        if c.batch > n {
            crate::bail!(
                "batch size {} is larger than the {} training images",
                c.batch,
                n
            );
        }
        let mut phases = vec![Phase::Prepare];
        if c.propagate || c.graph_weight > 0.0 {
            phases.push(Phase::Graph);
        }
        if model.decoder.is_some() && c.ae_epochs > 0 {
            phases.push(Phase::Autoencode);
        }
        if model.head.is_some() && c.sup_epochs > 0 {
            if c.propagate {
                phases.push(Phase::Propagate);
            }
            phases.push(Phase::Supervise);
        }
        phases.extend([Phase::Evaluate, Phase::Done]);
        let mut eval_stages = Vec::new();
        if model.head.is_some() {
            eval_stages.push(EvalStage::Classify);
        }
        if model.decoder.is_some() {
            eval_stages.push(EvalStage::Reconstruct);
        }
        if c.is_hash() {
            eval_stages.push(EvalStage::IndexCodes);
            if c.itq {
                eval_stages.push(EvalStage::Rotate);
            }
            eval_stages.push(EvalStage::Queries);
        }
        let n_test = split.test.len();
        let n_sup = if c.propagate { n } else { split.labelled };
        let sup_batch = c.batch.min(n_sup);
        let eval_units: usize = eval_stages
            .iter()
            .map(|s| match s {
                EvalStage::Classify | EvalStage::Reconstruct => n_test.div_ceil(EVAL_CHUNK),
                EvalStage::IndexCodes => n.div_ceil(EVAL_CHUNK),
                EvalStage::Rotate => ITQ_ITERATIONS.div_ceil(ITQ_CHUNK),
                EvalStage::Queries => n_test.min(HASH_QUERIES).div_ceil(QUERY_CHUNK),
            })
            .sum();
        let units_total = phases
            .iter()
            .map(|p| match p {
                Phase::Autoencode => c.ae_epochs * batches_per_epoch(n, c.batch),
                Phase::Supervise => c.sup_epochs * batches_per_epoch(n_sup, sup_batch),
                Phase::Prepare => prepare_units(&split),
                Phase::Graph => Graph::units(n, graph_chunk(n)),
                Phase::Propagate => propagate::ITERATIONS,
                _ => 0,
            })
            .sum::<usize>()
            + eval_units;
        let root = Rng::new(c.seed as u64);
        let opt = [
            model
                .encoder
                .as_ref()
                .map(|n| Optimizer::new(c.optim, c.weight_decay, n)),
            model
                .decoder
                .as_ref()
                .map(|n| Optimizer::new(c.optim, c.weight_decay, n)),
            model
                .head
                .as_ref()
                .map(|n| Optimizer::new(c.optim, c.weight_decay, n)),
        ];
        let results = Results {
            model: c.name.clone(),
            protocol: c.protocol,
            labelled: split.labelled,
            train_size: n,
            test_size: n_test,
            ..Results::default()
        };
        let sup_labels = split.train.labels[..split.labelled].to_vec();
        Ok(Trainer {
            sup_labels,
            x_train: Array2::zeros((split.train.len(), PIXELS)),
            x_valid: Array2::zeros((split.valid.len(), PIXELS)),
            x_test: Array2::zeros((split.test.len(), PIXELS)),
            prepared: 0,
            model,
            split,
            phases,
            phase_at: 0,
            epoch: 0,
            batch: 0,
            order: Vec::new(),
            rng_order: root.fork(1),
            rng_noise: root.fork(2),
            rng_valid: root.fork(3),
            opt,
            xb: Array2::zeros((0, PIXELS)),
            xin: Array2::zeros((0, PIXELS)),
            yb: Vec::new(),
            span: Span::default(),
            phase_secs: 0.0,
            units_done: 0,
            units_total: units_total.max(1),
            eval_stages,
            eval_units,
            eval_at: 0,
            cursor: 0,
            correct: 0,
            sq_err: 0.0,
            codes: Vec::new(),
            rotating: None,
            acc: Accumulator::default(),
            index: None,
            building: None,
            graph: None,
            spreading: None,
            results,
            log: Vec::new(),
            log_sent: 0,
            error: None,
        })
    }

    pub fn phase(&self) -> Phase {
        self.phases[self.phase_at]
    }

    pub fn finished(&self) -> bool {
        matches!(self.phase(), Phase::Done | Phase::Failed)
    }

    pub fn log(&self) -> &[String] {
        &self.log
    }

    /// Pixels of the test part on the network's scale.
    pub fn x_test(&self) -> ArrayView2<'_, f32> {
        self.x_test.view()
    }

    /// Runs until done, for the CLI and tests.
    pub fn run(&mut self) -> Result<&Results> {
        while !self.finished() {
            self.step(usize::MAX, f64::INFINITY);
        }
        match &self.error {
            Some(e) => Err(crate::error::Error(e.clone())),
            None => Ok(&self.results),
        }
    }

    fn phase_epochs_batches(&self) -> (usize, usize) {
        let c = &self.model.config;
        match self.phase() {
            Phase::Autoencode => (
                c.ae_epochs,
                batches_per_epoch(self.split.train.len(), c.batch),
            ),
            Phase::Supervise => {
                let n = self.sup_labels.len();
                (c.sup_epochs, batches_per_epoch(n, c.batch.min(n)))
            }
            _ => (0, 0),
        }
    }

    /// Advances by at most `max_batches` units of work or about `max_secs`
    /// seconds, whichever comes first (at least one unit).
    pub fn step(&mut self, max_batches: usize, max_secs: f64) -> Progress {
        let t0 = now_secs();
        let mut done = 0;
        while !self.finished() && done < max_batches.max(1) {
            let t = now_secs();
            let r = match self.phase() {
                Phase::Autoencode | Phase::Supervise => self.train_batch(),
                Phase::Evaluate => {
                    self.eval_unit();
                    Ok(())
                }
                Phase::Prepare => {
                    self.prepare_unit();
                    Ok(())
                }
                Phase::Graph => {
                    self.graph_unit();
                    Ok(())
                }
                Phase::Propagate => {
                    self.propagate_unit();
                    Ok(())
                }
                Phase::Done | Phase::Failed => Ok(()),
            };
            let dt = now_secs() - t;
            self.span.secs += dt;
            self.phase_secs += dt;
            self.results.seconds += dt;
            if let Err(e) = r {
                self.fail(e.0);
            }
            done += 1;
            if now_secs() - t0 >= max_secs {
                break;
            }
        }
        self.progress()
    }

    fn fail(&mut self, msg: String) {
        self.log.push(format!("Stopped: {msg}"));
        self.error = Some(msg);
        self.phases.truncate(self.phase_at + 1);
        self.phases.push(Phase::Failed);
        self.phase_at += 1;
    }

    pub fn progress(&mut self) -> Progress {
        let (epochs, batches) = self.phase_epochs_batches();
        let sp = &self.span;
        let nb = sp.batches.max(1) as f64;
        let training =
            matches!(self.phase(), Phase::Autoencode | Phase::Supervise) && sp.batches > 0;
        let log = self.log[self.log_sent..].to_vec();
        self.log_sent = self.log.len();
        Progress {
            phase: self.phase(),
            epoch: if self.batch > 0 {
                self.epoch + 1
            } else {
                self.epoch
            },
            epochs,
            batch: self.batch,
            batches,
            fraction: if self.phase() == Phase::Done {
                1.0
            } else {
                self.units_done as f64 / self.units_total as f64
            },
            cost: training.then(|| sp.cost / nb),
            accuracy: (training && self.phase() == Phase::Supervise)
                .then(|| sp.correct as f64 / sp.seen.max(1) as f64),
            recon_mse: (training && self.phase() == Phase::Autoencode).then(|| sp.sq_err / nb),
            elapsed: self.results.seconds,
            log,
            error: self.error.clone(),
        }
    }

    /// Copies rows `order[from..from+rows]` of `x` into the first `rows` rows
    /// of the batch buffer (sized `total` rows, reallocated only when that
    /// changes), shifted by a random offset when augmenting.
    fn gather(&mut self, from: usize, rows: usize, total: usize, labels: bool) {
        if self.xb.nrows() != total {
            self.xb = Array2::zeros((total, PIXELS));
            self.xin = self.xb.clone();
        }
        self.yb.clear();
        let shift = if labels {
            self.model.config.shift as i32
        } else {
            0
        };
        for r in 0..rows {
            let i = self.order[from + r];
            let src = self.x_train.row(i);
            let mut dst = self.xb.row_mut(r);
            if shift == 0 {
                dst.assign(&src);
            } else {
                let span = (2 * shift + 1) as usize;
                let dx = self.rng_order.below(span) as i32 - shift;
                let dy = self.rng_order.below(span) as i32 - shift;
                shift_into(
                    src.as_slice().expect("rows are contiguous"),
                    dst.as_slice_mut().expect("contiguous"),
                    dx,
                    dy,
                );
            }
            if labels {
                self.yb.push(self.sup_labels[i]);
            }
        }
    }

    /// Fills the second half of the batch: row B + r holds a random graph
    /// neighbour of row r.
    fn gather_neighbours(&mut self, rows: usize) {
        let graph = self.graph.as_ref().expect("the graph phase comes first");
        for r in 0..rows {
            let i = self.order[self.batch * rows + r];
            let j = graph.neighbours[i][self.rng_order.below(propagate::K)] as usize;
            self.xb.row_mut(rows + r).assign(&self.x_train.row(j));
        }
    }

    fn train_batch(&mut self) -> Result<()> {
        let (batch, cosine, pairs) = {
            let c = &self.model.config;
            (c.batch, c.cosine, c.graph_weight > 0.0)
        };
        let phase = self.phase();
        let ae = phase == Phase::Autoencode;
        let (epochs, batches) = self.phase_epochs_batches();
        let n = if ae {
            self.split.train.len()
        } else {
            self.sup_labels.len()
        };
        let rows = if ae { batch } else { batch.min(n) };
        if self.batch == 0 {
            self.order = (0..n).collect();
            self.rng_order.shuffle(&mut self.order);
        }
        let lr_scale = if cosine {
            // In f64, as the normal sampler's cos is: one cosine in the
            // download, and f32 cos differs more between libms.
            let t = (self.epoch * batches + self.batch) as f64 / (epochs * batches) as f64;
            (0.5 * (1.0 + (std::f64::consts::PI * t).cos())) as f32
        } else {
            1.0
        };
        for o in self.opt.iter_mut().flatten() {
            o.lr_scale = lr_scale;
        }
        let with_pairs = ae && pairs;
        self.gather(
            self.batch * rows,
            rows,
            if with_pairs { 2 * rows } else { rows },
            !ae,
        );
        if with_pairs {
            self.gather_neighbours(rows);
        }
        let (cost, ok) = if ae {
            self.autoencode_batch()
        } else {
            self.supervise_batch()
        };
        if !cost.is_finite() || !ok {
            crate::bail!(
                "training diverged in {} epoch {}, batch {}: the cost became {} (the weights are kept as they were before this batch; try a lower learning rate)",
                if ae { "autoencode" } else { "supervised" },
                self.epoch + 1,
                self.batch + 1,
                if cost.is_finite() { "finite but the gradients are not".to_string() } else { cost.to_string() }
            );
        }
        self.span.cost += cost as f64;
        self.span.batches += 1;
        self.units_done += 1;
        self.batch += 1;
        if self.batch == batches {
            self.end_epoch(epochs);
        }
        Ok(())
    }

    /// One autoencode step; returns (cost, gradients finite). Applies the
    /// update only when both are sound, so a diverging batch leaves the model.
    fn autoencode_batch(&mut self) -> (f32, bool) {
        let Model {
            encoder: Some(enc),
            decoder: Some(dec),
            config: c,
            ..
        } = &mut self.model
        else {
            unreachable!("autoencode phase needs an encoder and a decoder")
        };
        // The noisy copy exists only for denoising; otherwise the clean batch
        // is the input.
        if c.denoise > 0.0 {
            self.xin.assign(&self.xb);
            let s = c.denoise as f64 * c.scale.peak() as f64;
            let rng = &mut self.rng_noise;
            self.xin.mapv_inplace(|v| v + (rng.normal() * s) as f32);
        }
        let input = if c.denoise > 0.0 { &self.xin } else { &self.xb };
        let code = enc.forward(input.view(), Some(&mut self.rng_noise));
        let cost = match c.recon_loss {
            ReconLoss::Mse => {
                dec.forward(code.view(), None);
                let (y, g) = dec.output_and_grad();
                loss::mse(y, self.xb.view(), g)
            }
            ReconLoss::Bce => {
                let (z, g) = dec.forward_logits(code.view(), None);
                loss::bce_logits(z, self.xb.view(), g)
            }
        };
        let (y, _) = dec.output_and_grad();
        let k = 1.0 / c.scale.peak() as f64;
        self.span.sq_err += loss::mean_sq_err(y.view(), self.xb.view()) * k * k;
        let (code, dcode) = enc.output_and_grad();
        dec.backward(code.view(), c.recon_loss == ReconLoss::Bce, Some(dcode));
        let mut cost = cost;
        if c.graph_weight > 0.0 {
            // λ · mean over pairs of |c_anchor − c_neighbour|², pairs being
            // rows (r, B + r); its gradient joins the reconstruction's.
            let b = code.nrows() / 2;
            let k = 2.0 * c.graph_weight / b as f32;
            let mut pair = 0.0f32;
            for r in 0..b {
                for j in 0..code.ncols() {
                    let d = code[[r, j]] - code[[b + r, j]];
                    pair += d * d;
                    dcode[[r, j]] += k * d;
                    dcode[[b + r, j]] -= k * d;
                }
            }
            cost += c.graph_weight * pair / b as f32;
        }
        enc.backward(input.view(), false, None);
        let ok = cost.is_finite() && grads_finite(enc) && grads_finite(dec);
        if ok {
            self.opt[0].as_mut().expect("encoder optimiser").step(enc);
            self.opt[1].as_mut().expect("decoder optimiser").step(dec);
        }
        (cost, ok)
    }

    fn supervise_batch(&mut self) -> (f32, bool) {
        let Model {
            encoder,
            head: Some(head),
            config: c,
            ..
        } = &mut self.model
        else {
            unreachable!("supervised phase needs a head")
        };
        let train_encoder = !c.freeze_encoder;
        let input = match encoder {
            Some(enc) => enc
                .forward(self.xb.view(), Some(&mut self.rng_noise))
                .view(),
            None => self.xb.view(),
        };
        head.forward(input, None);
        let (logits, g) = head.output_and_grad();
        let (cost, correct) = loss::softmax_xent(logits, &self.yb, g);
        self.span.correct += correct;
        self.span.seen += self.yb.len();
        let mut ok = cost.is_finite();
        match encoder {
            Some(enc) => {
                let (code, dcode) = enc.output_and_grad();
                head.backward(code.view(), true, train_encoder.then_some(dcode));
                if train_encoder {
                    enc.backward(self.xb.view(), false, None);
                    ok &= grads_finite(enc);
                }
            }
            None => head.backward(self.xb.view(), true, None),
        }
        ok &= grads_finite(head);
        if ok {
            self.opt[2].as_mut().expect("head optimiser").step(head);
            if let (Some(enc), true) = (encoder.as_mut(), train_encoder) {
                self.opt[0].as_mut().expect("encoder optimiser").step(enc);
            }
        }
        (cost, ok)
    }

    fn end_epoch(&mut self, epochs: usize) {
        self.epoch += 1;
        self.batch = 0;
        if self.epoch.is_multiple_of(self.model.config.report_every) || self.epoch == epochs {
            let sample = self.valid_sample();
            let c = &self.model.config;
            let x = self.x_valid.select(Axis(0), &sample);
            let sp = &self.span;
            let cost = sp.cost / sp.batches.max(1) as f64;
            let line = if self.phase() == Phase::Autoencode {
                let k = 1.0 / c.scale.peak() as f64;
                let rec = self.model.reconstruct(x.view()).expect("decoder");
                let v = loss::mean_sq_err(rec.view(), x.view()) * k * k;
                format!(
                    "Epoch {}: cost={cost:.3}, recon mse={:.4}/{v:.4} (per pixel, 0..1 scale) ({}/{} secs)",
                    self.epoch,
                    sp.sq_err / sp.batches.max(1) as f64,
                    secs(sp.secs),
                    secs(self.phase_secs)
                )
            } else {
                let labels: Vec<u8> = sample.iter().map(|&i| self.split.valid.labels[i]).collect();
                let v = self.correct_on(x.view(), &labels) as f64 / labels.len().max(1) as f64;
                format!(
                    "Epoch {}: cost={cost:.3}, accuracy={:.3}/{v:.3} ({}/{} secs)",
                    self.epoch,
                    sp.correct as f64 / sp.seen.max(1) as f64,
                    secs(sp.secs),
                    secs(self.phase_secs)
                )
            };
            self.log.push(line);
            self.span = Span::default();
        }
        if self.epoch == epochs {
            let c = &self.model.config;
            if self.phase() == Phase::Autoencode
                && self.phases.contains(&Phase::Supervise)
                && !c.freeze_encoder
            {
                self.model.ae_encoder = self.model.encoder.as_ref().map(Net::snapshot);
            }
            match self.phase() {
                Phase::Autoencode => self.results.ae_seconds = self.phase_secs,
                _ => self.results.sup_seconds = self.phase_secs,
            }
            self.next_phase();
        }
    }

    fn next_phase(&mut self) {
        self.phase_at += 1;
        self.epoch = 0;
        self.batch = 0;
        self.phase_secs = 0.0;
        self.span = Span::default();
        if self.phase() == Phase::Evaluate && self.eval_stages.is_empty() {
            self.phase_at += 1;
        }
    }

    fn prepare_unit(&mut self) {
        let c = &self.model.config;
        let (mut from, mut left) = (self.prepared, PREPARE_CHUNK);
        for (digits, x) in [
            (&self.split.train, &mut self.x_train),
            (&self.split.valid, &mut self.x_valid),
            (&self.split.test, &mut self.x_test),
        ] {
            let n = digits.len();
            if from >= n {
                from -= n;
                continue;
            }
            let b = (from + left).min(n);
            digits.features_into(from, c.scale, c.deskew, x.slice_mut(s![from..b, ..]));
            self.prepared += b - from;
            left -= b - from;
            from = 0;
            if left == 0 {
                break;
            }
        }
        self.units_done += 1;
        if self.prepared == self.split.train.len() + self.split.valid.len() + self.split.test.len()
        {
            self.next_phase();
        }
    }

    /// The k-NN graph of the training images, once built.
    pub fn graph(&self) -> Option<Arc<Graph>> {
        self.graph.clone()
    }

    /// Skips building the graph with one a run on the same training images
    /// (same protocol and seed) built before.
    pub fn reuse_graph(&mut self, graph: Arc<Graph>) -> Result<()> {
        let at = self.phases.iter().position(|&p| p == Phase::Graph);
        match at {
            Some(at)
                if at >= self.phase_at
                    && graph.len() == self.split.train.len()
                    && graph.complete() =>
            {
                self.phases.remove(at);
                self.units_total -=
                    Graph::units(self.split.train.len(), graph_chunk(self.split.train.len()));
                self.graph = Some(graph);
                Ok(())
            }
            _ => crate::bail!(
                "no graph phase ahead to skip, or the graph does not fit these training images"
            ),
        }
    }

    fn graph_unit(&mut self) {
        let building = self
            .building
            .get_or_insert_with(|| Graph::new(self.x_train.view()));
        building.advance(self.x_train.view(), graph_chunk(building.len()));
        if building.complete() {
            self.graph = self.building.take().map(Arc::new);
            self.log.push(format!(
                "Built the {}-NN graph of {} blurred training digits ({} secs)",
                propagate::K,
                self.split.train.len(),
                secs(self.phase_secs)
            ));
            self.next_phase();
        }
        self.units_done += 1;
    }

    fn propagate_unit(&mut self) {
        let graph = self.graph.as_ref().expect("the graph phase comes first");
        let labelled = self.split.labelled;
        let known = &self.split.train.labels;
        let s = self
            .spreading
            .get_or_insert_with(|| Spreading::new(known.len(), known, labelled));
        s.iterate(graph);
        if s.iterations == propagate::ITERATIONS {
            self.sup_labels = s.labels(known, labelled);
            // A diagnostic only: training never sees the true labels of the
            // unlabelled part.
            let n = known.len();
            let right = (labelled..n)
                .filter(|&i| self.sup_labels[i] == known[i])
                .count();
            self.log.push(format!(
                "Propagated {labelled} labels to {n} training images over the graph; {:.3} of the propagated labels are right ({} secs)",
                right as f64 / (n - labelled).max(1) as f64,
                secs(self.phase_secs)
            ));
            self.spreading = None;
            self.next_phase();
        }
        self.units_done += 1;
    }

    fn valid_sample(&mut self) -> Vec<usize> {
        let n = self.split.valid.len();
        (0..VALID_SAMPLE.min(n))
            .map(|_| self.rng_valid.below(n))
            .collect()
    }

    fn correct_on(&self, x: ArrayView2<f32>, labels: &[u8]) -> usize {
        let p = self
            .model
            .classify_code(self.model.code(x).view())
            .expect("head");
        let pred = loss::argmax_rows(&p);
        pred.iter().zip(labels).filter(|(a, b)| a == b).count()
    }

    fn eval_unit(&mut self) {
        let stage = self.eval_stages[self.eval_at];
        let n_test = self.x_test.nrows();
        let peak = self.model.config.scale.peak() as f64;
        let stage_len = match stage {
            EvalStage::Classify | EvalStage::Reconstruct => n_test,
            EvalStage::IndexCodes => self.x_train.nrows(),
            EvalStage::Rotate => ITQ_ITERATIONS,
            EvalStage::Queries => n_test.min(HASH_QUERIES),
        };
        let step = match stage {
            EvalStage::Queries => QUERY_CHUNK,
            EvalStage::Rotate => ITQ_CHUNK,
            _ => EVAL_CHUNK,
        };
        let (a, b) = (self.cursor, (self.cursor + step).min(stage_len));
        match stage {
            EvalStage::Classify => {
                let x = self.x_test.slice(s![a..b, ..]);
                self.correct += self.correct_on(x, &self.split.test.labels[a..b]);
            }
            EvalStage::Reconstruct => {
                let x = self.x_test.slice(s![a..b, ..]);
                let rec = self.model.reconstruct(x).expect("decoder");
                self.sq_err += loss::mean_sq_err(rec.view(), x) * (b - a) as f64 / (peak * peak);
            }
            EvalStage::IndexCodes => {
                self.codes
                    .push(self.model.code(self.x_train.slice(s![a..b, ..])));
                if b == stage_len {
                    let views: Vec<_> = self.codes.iter().map(|c| c.view()).collect();
                    let codes = ndarray::concatenate(Axis(0), &views).expect("same widths");
                    self.codes.clear();
                    if self.model.config.itq {
                        let seed = self.model.config.seed as u64;
                        self.rotating = Some((crate::itq::Itq::new(&codes, seed), codes));
                    } else {
                        self.build_index(codes);
                    }
                }
            }
            EvalStage::Rotate => {
                let (itq, _) = self.rotating.as_mut().expect("codes before rotation");
                itq.iterate(b - a);
                if b == stage_len {
                    let (itq, codes) = self.rotating.take().expect("codes before rotation");
                    let (mean, r) = itq.result();
                    self.model.rotate_code(&mean, &r);
                    // The rotation now lives in the weights: a saved and
                    // reloaded model must not be rotated again.
                    self.model.config.itq = false;
                    let codes =
                        crate::gemm::matmul((codes.mapv(|v| v as f64) - &mean).view(), r.view())
                            .mapv(|v| v as f32);
                    self.build_index(codes);
                }
            }
            EvalStage::Queries => {
                let q = self.model.code(self.x_test.slice(s![a..b, ..]));
                let index = self.index.as_ref().expect("index built before queries");
                for (r, row) in q.rows().into_iter().enumerate() {
                    index.score_query(row, self.split.test.labels[a + r], &mut self.acc);
                }
            }
        }
        self.units_done += 1;
        self.cursor = b;
        if b == stage_len {
            self.cursor = 0;
            self.eval_at += 1;
            if self.eval_at == self.eval_stages.len() {
                self.finish_eval();
            }
        }
    }

    fn build_index(&mut self, codes: Array2<f32>) {
        self.index = Some(HashIndex::build(
            codes,
            self.split.train.labels.clone(),
            self.model.config.balanced_bits,
        ));
    }

    fn finish_eval(&mut self) {
        let name = self.model.config.name.clone();
        let n_test = self.x_test.nrows().max(1) as f64;
        let t = secs(self.phase_secs);
        if self.eval_stages.contains(&EvalStage::Reconstruct) {
            let mse = self.sq_err / n_test;
            self.results.recon_mse = Some(mse);
            self.results.psnr = Some(loss::psnr(mse, 1.0));
            self.log.push(format!(
                "Model {name} autoencode test report: recon mse = {mse:.4} per pixel on the 0..1 scale, psnr = {:.1} dB, ({t} secs)",
                loss::psnr(mse, 1.0)
            ));
        }
        if self.eval_stages.contains(&EvalStage::Queries) {
            let m = self.index.as_ref().expect("index").metrics(&self.acc);
            self.log.push(format!(
                "Model {name} hash report: {} bits, {} buckets used (largest {}), bucket precision = {:.3} (coverage {:.3}), precision@10 = {:.3}, mAP = {:.3}, ({t} secs)",
                m.bits, m.buckets_used, m.largest_bucket, m.bucket_precision, m.bucket_coverage, m.precision_at_10, m.map
            ));
            self.results.hash = Some(m);
        }
        if self.eval_stages.contains(&EvalStage::Classify) {
            let acc = self.correct as f64 / n_test;
            self.results.test_accuracy = Some(acc);
            self.log.push(format!(
                "Model {name} test report: accuracy = {acc:.3}, ({t} secs)"
            ));
        }
        self.next_phase();
    }
}

const PREPARE_CHUNK: usize = 250;
const ITQ_ITERATIONS: usize = 50;

fn prepare_units(split: &Split) -> usize {
    (split.train.len() + split.valid.len() + split.test.len()).div_ceil(PREPARE_CHUNK)
}

/// Copies a 28×28 image shifted by (dx, dy) pixels, filling with zeros.
fn shift_into(src: &[f32], dst: &mut [f32], dx: i32, dy: i32) {
    let side = SIDE as i32;
    for y in 0..side {
        for x in 0..side {
            let (sx, sy) = (x - dx, y - dy);
            dst[(y * side + x) as usize] = if (0..side).contains(&sx) && (0..side).contains(&sy) {
                src[(sy * side + sx) as usize]
            } else {
                0.0
            };
        }
    }
}
