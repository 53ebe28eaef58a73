//! The evaluation stages on the test part, a chunk of digits a unit: test
//! accuracy (`Classify`), reconstruction error (`Reconstruct`) and retrieval
//! figures of test queries against the hash index (`Queries`). Each writes
//! its figure into the results and its report line, in the reference's
//! format, into the log when it finishes.

use super::context::Context;
use super::progress::secs;
use crate::error::Result;
use crate::nn::loss;
use crate::nn::model::Model;
use crate::retrieval::hash::Accumulator;
use ndarray::{s, ArrayView2};

pub const EVAL_CHUNK: usize = 500;
pub const QUERY_CHUNK: usize = 10;
pub const HASH_QUERIES: usize = 1000;

/// How many of `x`'s rows the model classifies as `labels` says.
pub fn correct_on(model: &Model, x: ArrayView2<f32>, labels: &[u8]) -> Result<usize> {
    let Some(p) = model.classify_code(model.code(x).view()) else {
        crate::bail!("this model has no classifier head");
    };
    let pred = loss::argmax_rows(&p);
    Ok(pred.iter().zip(labels).filter(|(a, b)| a == b).count())
}

/// The next chunk `a..b` of `len` rows from `cursor`, moving it on.
fn next_chunk(cursor: &mut usize, len: usize, chunk: usize) -> (usize, usize) {
    let a = *cursor;
    *cursor = (a + chunk).min(len);
    (a, *cursor)
}

#[derive(Default)]
pub struct Classify {
    cursor: usize,
    correct: usize,
}

impl Classify {
    pub fn unit(&mut self, ctx: &mut Context) -> Result<bool> {
        let n = ctx.x.test.nrows();
        let (a, b) = next_chunk(&mut self.cursor, n, EVAL_CHUNK);
        let x = ctx.x.test.slice(s![a..b, ..]);
        self.correct += correct_on(&ctx.model, x, &ctx.split.test.labels[a..b])?;
        if b < n {
            return Ok(false);
        }
        let acc = self.correct as f64 / n.max(1) as f64;
        ctx.results.test_accuracy = Some(acc);
        ctx.log.push(format!(
            "Model {} test report: accuracy = {acc:.3}, ({} secs)",
            ctx.model.config.name,
            secs(ctx.stage_secs)
        ));
        Ok(true)
    }
}

#[derive(Default)]
pub struct Reconstruct {
    cursor: usize,
    sq_err: f64,
}

impl Reconstruct {
    pub fn unit(&mut self, ctx: &mut Context) -> Result<bool> {
        let n = ctx.x.test.nrows();
        let peak = ctx.model.config.scale.peak() as f64;
        let (a, b) = next_chunk(&mut self.cursor, n, EVAL_CHUNK);
        let x = ctx.x.test.slice(s![a..b, ..]);
        let Some(rec) = ctx.model.reconstruct(x) else {
            crate::bail!("this model has no decoder to reconstruct with");
        };
        self.sq_err += loss::mean_sq_err(rec.view(), x) * (b - a) as f64 / (peak * peak);
        if b < n {
            return Ok(false);
        }
        let mse = self.sq_err / n.max(1) as f64;
        ctx.results.recon_mse = Some(mse);
        ctx.results.psnr = Some(loss::psnr(mse, 1.0));
        ctx.log.push(format!(
            "Model {} autoencode test report: recon mse = {mse:.4} per pixel on the 0..1 scale, psnr = {:.1} dB, ({} secs)",
            ctx.model.config.name,
            loss::psnr(mse, 1.0),
            secs(ctx.stage_secs)
        ));
        Ok(true)
    }
}

#[derive(Default)]
pub struct Queries {
    cursor: usize,
    acc: Accumulator,
}

impl Queries {
    pub fn unit(&mut self, ctx: &mut Context) -> Result<bool> {
        let Some(index) = ctx.index.as_ref() else {
            crate::bail!("no hash index to query: the index stage comes first");
        };
        let n = ctx.x.test.nrows().min(HASH_QUERIES);
        let (a, b) = next_chunk(&mut self.cursor, n, QUERY_CHUNK);
        let q = ctx.model.code(ctx.x.test.slice(s![a..b, ..]));
        for (r, row) in q.rows().into_iter().enumerate() {
            index.score_query(row, ctx.split.test.labels[a + r], &mut self.acc);
        }
        if b < n {
            return Ok(false);
        }
        let m = index.metrics(&self.acc);
        ctx.log.push(format!(
            "Model {} hash report: {} bits, {} buckets used (largest {}), bucket precision = {:.3} (coverage {:.3}), precision@10 = {:.3}, mAP = {:.3}, ({} secs)",
            ctx.model.config.name, m.bits, m.buckets_used, m.largest_bucket, m.bucket_precision, m.bucket_coverage, m.precision_at_10, m.map, secs(ctx.stage_secs)
        ));
        ctx.results.hash = Some(m);
        Ok(true)
    }
}
