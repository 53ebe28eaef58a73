//! The maths of one training batch: gathering it (with the shift
//! augmentation and graph-neighbour pairs), the autoencode step (denoising,
//! MSE or binary cross-entropy, the graph term) and the supervised step
//! (softmax cross-entropy, the encoder fine-tuned unless frozen). A step
//! applies its update only when the cost and every gradient are finite, so a
//! diverging batch leaves the model as it was.

use super::context::Context;
use super::halves;
use super::progress::Span;
use crate::data::{PIXELS, SIDE};
use crate::error::Result;
use crate::linalg::gather_rows_into;
use crate::nn::loss;
use crate::nn::model::Model;
use crate::nn::net::Net;
use crate::nn::optim::Optimizer;
use crate::retrieval::propagate::{self, Graph};
use ndarray::Array2;

/// A batch's inputs: rows B.. hold graph neighbours when the graph term is on.
pub struct Buffers {
    xb: Array2<f32>,
    /// The noisy copy the encoder sees when denoising.
    xin: Array2<f32>,
    yb: Vec<u8>,
}

impl Buffers {
    pub fn new(rows: usize) -> Buffers {
        Buffers {
            xb: Array2::zeros((rows, PIXELS)),
            xin: Array2::zeros((rows, PIXELS)),
            yb: Vec::with_capacity(rows),
        }
    }

    /// Copies training rows `rows` into the first rows of the batch; for the
    /// supervised phase also their labels, and shifted by a random offset of
    /// up to `shift` pixels when augmenting.
    pub fn gather(&mut self, ctx: &mut Context, rows: &[usize], supervised: bool) {
        self.yb.clear();
        let shift = if supervised {
            ctx.model.config.shift
        } else {
            0
        } as i32;
        if supervised {
            self.yb.extend(rows.iter().map(|&i| ctx.sup_labels[i]));
        }
        if shift == 0 {
            return gather_rows_into(ctx.x.train.view(), rows, self.xb.view_mut());
        }
        for (r, &i) in rows.iter().enumerate() {
            let src = ctx.x.train.row(i);
            let mut dst = self.xb.row_mut(r);
            let span = (2 * shift + 1) as usize;
            let dx = ctx.streams.shift.below(span) as i32 - shift;
            let dy = ctx.streams.shift.below(span) as i32 - shift;
            shift_into(
                src.as_slice().expect("rows are contiguous"),
                dst.as_slice_mut().expect("contiguous"),
                dx,
                dy,
            );
        }
    }

    /// Fills the second half of the batch: row B + r holds a random graph
    /// neighbour of row r.
    pub fn gather_neighbours(&mut self, ctx: &mut Context, graph: &Graph, rows: &[usize]) {
        let b = rows.len();
        for (r, &i) in rows.iter().enumerate() {
            let j = graph.neighbours[i][ctx.streams.pairs.below(propagate::K)] as usize;
            self.xb.row_mut(b + r).assign(&ctx.x.train.row(j));
        }
    }
}

fn grads_finite(net: &Net) -> bool {
    fn finite<D: ndarray::Dimension>(g: &ndarray::Array<f32, D>) -> bool {
        match g.as_slice() {
            Some(s) => crate::linalg::simd::all_finite(s),
            None => g.iter().all(|v| v.is_finite()),
        }
    }
    net.dw.iter().all(finite) && net.db.iter().all(finite)
}

/// One autoencode step; returns (cost, gradients finite).
pub fn autoencode(ctx: &mut Context, buf: &mut Buffers, span: &mut Span) -> Result<(f32, bool)> {
    let Context {
        model,
        opts,
        streams,
        ..
    } = ctx;
    let Model {
        encoder: Some(enc),
        decoder: Some(dec),
        config: c,
        ..
    } = model
    else {
        crate::bail!("the autoencode phase needs an encoder and a decoder");
    };
    let (Some(enc_opt), Some(dec_opt)) = (opts.encoder.as_mut(), opts.decoder.as_mut()) else {
        crate::bail!("the autoencode phase needs the encoder's and decoder's optimisers");
    };
    // The noisy copy exists only for denoising; otherwise the clean batch
    // is the input.
    if c.denoise > 0.0 {
        let noisy = buf
            .xin
            .as_slice_mut()
            .expect("batch buffers are contiguous");
        noisy.copy_from_slice(buf.xb.as_slice().expect("batch buffers are contiguous"));
        let sd = c.denoise as f64 * c.scale.peak() as f64;
        streams.noise.add_normal(noisy, sd);
    }
    let input = if c.denoise > 0.0 { &buf.xin } else { &buf.xb };
    let k = 1.0 / c.scale.peak() as f64;
    let fused = loss::fused(dec, c.recon_loss);
    if let (0.0, Some(f)) = (c.graph_weight, halves::fit(enc, dec, fused, input.nrows())) {
        let (cost, sq_err) = halves::autoencode(enc, dec, input.view(), buf.xb.view(), f);
        span.sq_err += sq_err * k * k;
        return Ok(update(cost, enc, enc_opt, dec, dec_opt));
    }
    let code = enc.forward(input.view(), Some(&mut streams.noise));
    let r = loss::reconstruct(dec, code.view(), buf.xb.view(), c.recon_loss);
    span.sq_err += r.sq_err * k * k;
    let (code, dcode) = enc.output_and_grad();
    dec.backward(code.view(), r.grad_is_dz, Some(dcode));
    let mut cost = r.cost;
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
    Ok(update(cost, enc, enc_opt, dec, dec_opt))
}

/// An autoencode step's update, made only when the cost and every gradient
/// are finite; returns (cost, whether it was made).
fn update(
    cost: f32,
    enc: &mut Net,
    enc_opt: &mut Optimizer,
    dec: &mut Net,
    dec_opt: &mut Optimizer,
) -> (f32, bool) {
    let ok = cost.is_finite() && grads_finite(enc) && grads_finite(dec);
    if ok {
        enc_opt.step(enc);
        dec_opt.step(dec);
    }
    (cost, ok)
}

/// One supervised step; returns (cost, gradients finite).
pub fn supervise(ctx: &mut Context, buf: &mut Buffers, span: &mut Span) -> Result<(f32, bool)> {
    let Context {
        model,
        opts,
        streams,
        ..
    } = ctx;
    let Model {
        encoder,
        head: Some(head),
        config: c,
        ..
    } = model
    else {
        crate::bail!("the supervised phase needs a classifier head");
    };
    let Some(head_opt) = opts.head.as_mut() else {
        crate::bail!("the supervised phase needs the head's optimiser");
    };
    let train_encoder = !c.freeze_encoder;
    let input = match encoder {
        Some(enc) => enc.forward(buf.xb.view(), Some(&mut streams.noise)).view(),
        None => buf.xb.view(),
    };
    head.forward(input, None);
    let (logits, g) = head.output_and_grad();
    let (cost, correct) = loss::softmax_xent(logits, &buf.yb, g);
    span.correct += correct;
    span.seen += buf.yb.len();
    let mut ok = cost.is_finite();
    match encoder {
        Some(enc) => {
            let (code, dcode) = enc.output_and_grad();
            head.backward(code.view(), true, train_encoder.then_some(dcode));
            if train_encoder {
                enc.backward(buf.xb.view(), false, None);
                ok &= grads_finite(enc);
            }
        }
        None => head.backward(buf.xb.view(), true, None),
    }
    ok &= grads_finite(head);
    if ok {
        head_opt.step(head);
        if let (Some(enc), true) = (encoder.as_mut(), train_encoder) {
            if let Some(o) = opts.encoder.as_mut() {
                o.step(enc);
            }
        }
    }
    Ok((cost, ok))
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
