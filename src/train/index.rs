//! The index stage of a hash model: the training images' codes, a chunk a
//! unit; then, if the config asks, their ITQ rotation a few iterations a unit
//! (folded into the model's weights); then the hash index of the codes.

use super::context::Context;
use super::evaluate::EVAL_CHUNK;
use crate::linalg::gemm::matmul;
use crate::retrieval::hash::HashIndex;
use crate::retrieval::itq::Itq;
use ndarray::{s, Array2};

/// ITQ iterations in all, and per unit: each is a pass over the 8,000 codes,
/// so a unit stays a few milliseconds.
pub const ITQ_ITERATIONS: usize = 50;
const ITQ_CHUNK: usize = 5;

pub fn index_units(n_train: usize, itq: bool) -> usize {
    n_train.div_ceil(EVAL_CHUNK)
        + if itq {
            ITQ_ITERATIONS.div_ceil(ITQ_CHUNK)
        } else {
            0
        }
}

pub enum Index {
    Coding {
        cursor: usize,
        /// The training codes so far, row after row.
        codes: Vec<f32>,
    },
    Rotating {
        itq: Box<Itq>,
        codes: Array2<f32>,
        done: usize,
    },
}

impl Default for Index {
    fn default() -> Index {
        Index::Coding {
            cursor: 0,
            codes: Vec::new(),
        }
    }
}

impl Index {
    pub fn unit(&mut self, ctx: &mut Context) -> bool {
        match self {
            Index::Coding { cursor, codes } => {
                let n = ctx.x.train.nrows();
                let (a, b) = (*cursor, (*cursor + EVAL_CHUNK).min(n));
                *cursor = b;
                let chunk = ctx.model.code(ctx.x.train.slice(s![a..b, ..]));
                codes.extend_from_slice(chunk.as_slice().expect("a new, standard-layout array"));
                if b < n {
                    return false;
                }
                // The chunks' rows one after another (a flat buffer rather
                // than ndarray's concatenate: 1 KB less in the download).
                let all =
                    Array2::from_shape_vec((n, codes.len() / n.max(1)), std::mem::take(codes))
                        .expect("n whole rows");
                if ctx.model.config.itq {
                    let itq = Box::new(Itq::new(&all, ctx.model.config.seed as u64));
                    *self = Index::Rotating {
                        itq,
                        codes: all,
                        done: 0,
                    };
                    return false;
                }
                build(ctx, all);
                true
            }
            Index::Rotating { itq, codes, done } => {
                let k = ITQ_CHUNK.min(ITQ_ITERATIONS - *done);
                itq.iterate(k);
                *done += k;
                if *done < ITQ_ITERATIONS {
                    return false;
                }
                let (mean, r) = itq.result();
                ctx.model.rotate_code(&mean, &r);
                // The rotation now lives in the weights: a saved and
                // reloaded model must not be rotated again.
                ctx.model.config.itq = false;
                let rotated =
                    matmul((codes.mapv(|v| v as f64) - &mean).view(), r.view()).mapv(|v| v as f32);
                build(ctx, rotated);
                true
            }
        }
    }
}

fn build(ctx: &mut Context, codes: Array2<f32>) {
    ctx.index = Some(HashIndex::build(
        codes,
        ctx.split.train.labels.clone(),
        ctx.model.config.balanced_bits,
    ));
}
