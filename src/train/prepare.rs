//! The first stage: the split's digits turned into network inputs (pixel
//! scale, deskewing), a chunk of rows a unit across train, valid and test.

use super::context::Context;
use crate::data::{Split, PIXELS};
use ndarray::{s, Array2};

const PREPARE_CHUNK: usize = 250;

pub fn prepare_units(split: &Split) -> usize {
    (split.train.len() + split.valid.len() + split.test.len()).div_ceil(PREPARE_CHUNK)
}

#[derive(Default)]
pub struct Prepare {
    /// Rows of train, then valid, then test turned into inputs so far.
    prepared: usize,
}

impl Prepare {
    /// One unit; true when every row is prepared.
    pub fn unit(&mut self, ctx: &mut Context) -> bool {
        if self.prepared == 0 {
            let s = &ctx.split;
            ctx.x.train = Array2::zeros((s.train.len(), PIXELS));
            ctx.x.valid = Array2::zeros((s.valid.len(), PIXELS));
            ctx.x.test = Array2::zeros((s.test.len(), PIXELS));
        }
        let c = &ctx.model.config;
        let (mut from, mut left) = (self.prepared, PREPARE_CHUNK);
        let parts = [
            (&ctx.split.train, &mut ctx.x.train),
            (&ctx.split.valid, &mut ctx.x.valid),
            (&ctx.split.test, &mut ctx.x.test),
        ];
        let total: usize = parts.iter().map(|(d, _)| d.len()).sum();
        for (digits, x) in parts {
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
        self.prepared == total
    }
}
