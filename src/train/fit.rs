//! The two training stages, autoencode (every training image, no labels) and
//! supervise (the labelled part, or every image once labels are propagated):
//! a batch a unit, a shuffle each epoch, the cosine schedule, and the log's
//! epoch lines in the reference's format. The maths of one batch is in
//! `batch`.

use super::batch::{self, Buffers};
use super::context::Context;
use super::evaluate::correct_on;
use super::plan::{batches_per_epoch, Plan, Stage};
use super::progress::{secs, Position, Span};
use crate::clock::now_secs;
use crate::error::Result;
use crate::linalg::gather_rows;
use crate::linalg::par::cores::Cores;
use crate::nn::loss;
use crate::nn::net::Net;
use crate::retrieval::propagate::Graph;
use std::sync::Arc;

/// Validation images each epoch's log line is measured on.
const VALID_SAMPLE: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Autoencode,
    Supervise,
}

pub struct Fit {
    kind: Kind,
    /// Images one epoch goes through, and rows a batch.
    n: usize,
    rows: usize,
    epochs: usize,
    batches: usize,
    epoch: usize,
    batch: usize,
    order: Vec<usize>,
    span: Span,
    buffers: Buffers,
    /// The graph whose neighbours pair up in the graph term (autoencode).
    pairs: Option<Arc<Graph>>,
    /// Keep the encoder as the autoencode phase left it: the supervised
    /// phase fine-tunes it, and reconstructions need the one the decoder
    /// was trained with.
    keep_ae_encoder: bool,
    /// Whether this phase's steps pay for a second core.
    cores: Cores,
}

impl Fit {
    pub fn new(kind: Kind, ctx: &Context, plan: &Plan) -> Result<Fit> {
        let m = &ctx.model;
        let c = &m.config;
        let ae = kind == Kind::Autoencode;
        if ae && (m.encoder.is_none() || m.decoder.is_none()) {
            crate::bail!("the autoencode phase needs an encoder and a decoder");
        }
        if !ae && m.head.is_none() {
            crate::bail!("the supervised phase needs a classifier head");
        }
        let (n, rows, epochs) = if ae {
            (ctx.split.train.len(), c.batch, c.ae_epochs)
        } else {
            let n = ctx.sup_labels.len();
            (n, c.batch.min(n), c.sup_epochs)
        };
        let pairs = match (ae && c.graph_weight > 0.0, &ctx.graph) {
            (false, _) => None,
            (true, Some(g)) => Some(g.clone()),
            (true, None) => crate::bail!("the graph term needs the k-NN graph, and there is none"),
        };
        let total = if pairs.is_some() { 2 * rows } else { rows };
        Ok(Fit {
            kind,
            n,
            rows,
            epochs,
            batches: batches_per_epoch(n, rows),
            epoch: 0,
            batch: 0,
            order: Vec::new(),
            span: Span::default(),
            buffers: Buffers::new(total),
            pairs,
            keep_ae_encoder: ae && plan.contains(Stage::Supervise) && !c.freeze_encoder,
            cores: Cores::default(),
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn position(&self) -> Position {
        Position {
            epoch: self.epoch,
            epochs: self.epochs,
            batch: self.batch,
            batches: self.batches,
            span: self.span,
        }
    }

    /// One batch; true when the last epoch is done.
    pub fn unit(&mut self, ctx: &mut Context) -> Result<bool> {
        let t0 = now_secs();
        let c = &ctx.model.config;
        let ae = self.kind == Kind::Autoencode;
        if self.batch == 0 {
            self.order = (0..self.n).collect();
            ctx.streams.order.shuffle(&mut self.order);
        }
        let lr_scale = if c.cosine {
            // In f64, as the normal sampler's cos is: one cosine in the
            // download, and f32 cos differs more between libms.
            let t = (self.epoch * self.batches + self.batch) as f64
                / (self.epochs * self.batches) as f64;
            (0.5 * (1.0 + (std::f64::consts::PI * t).cos())) as f32
        } else {
            1.0
        };
        ctx.opts.set_lr_scale(lr_scale);
        let from = self.batch * self.rows;
        let rows = &self.order[from..from + self.rows];
        let (buffers, span, pairs) = (&mut self.buffers, &mut self.span, &self.pairs);
        let (cost, ok) = self.cores.run(|| {
            buffers.gather(ctx, rows, !ae);
            if let Some(g) = pairs {
                buffers.gather_neighbours(ctx, g, rows);
            }
            match ae {
                true => batch::autoencode(ctx, buffers, span),
                false => batch::supervise(ctx, buffers, span),
            }
        })?;
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
        self.span.secs += now_secs() - t0;
        self.batch += 1;
        if self.batch < self.batches {
            return Ok(false);
        }
        self.end_epoch(ctx)?;
        Ok(self.epoch == self.epochs)
    }

    fn end_epoch(&mut self, ctx: &mut Context) -> Result<()> {
        self.epoch += 1;
        self.batch = 0;
        let c = &ctx.model.config;
        if self.epoch.is_multiple_of(c.report_every) || self.epoch == self.epochs {
            let n = ctx.split.valid.len();
            let sample: Vec<usize> = (0..VALID_SAMPLE.min(n))
                .map(|_| ctx.streams.valid.below(n))
                .collect();
            let x = gather_rows(ctx.x.valid.view(), &sample);
            let sp = &self.span;
            let cost = sp.cost / sp.batches.max(1) as f64;
            let line = if self.kind == Kind::Autoencode {
                let k = 1.0 / c.scale.peak() as f64;
                let Some(rec) = ctx.model.reconstruct(x.view()) else {
                    crate::bail!("the autoencode phase needs a decoder");
                };
                let v = loss::mean_sq_err(rec.view(), x.view()) * k * k;
                format!(
                    "Epoch {}: cost={cost:.3}, recon mse={:.4}/{v:.4} (per pixel, 0..1 scale) ({}/{} secs)",
                    self.epoch,
                    sp.sq_err / sp.batches.max(1) as f64,
                    secs(sp.secs),
                    secs(ctx.stage_secs + sp.secs)
                )
            } else {
                let labels: Vec<u8> = sample.iter().map(|&i| ctx.split.valid.labels[i]).collect();
                let right = correct_on(&ctx.model, x.view(), &labels)?;
                let v = right as f64 / labels.len().max(1) as f64;
                format!(
                    "Epoch {}: cost={cost:.3}, accuracy={:.3}/{v:.3} ({}/{} secs)",
                    self.epoch,
                    sp.correct as f64 / sp.seen.max(1) as f64,
                    secs(sp.secs),
                    secs(ctx.stage_secs + sp.secs)
                )
            };
            ctx.log.push(line);
            self.span = Span::default();
        }
        if self.epoch == self.epochs && self.keep_ae_encoder {
            ctx.model.ae_encoder = ctx.model.encoder.as_ref().map(Net::snapshot);
        }
        Ok(())
    }
}
