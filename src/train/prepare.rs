//! The first stage: the split's digits turned into network inputs (pixel
//! scale, deskewing), a chunk of rows a unit across train, valid and test.

use super::context::{Context, Inputs};
use crate::data::{Split, PIXELS};
use ndarray::{s, Array2};
use std::sync::Arc;

const PREPARE_CHUNK: usize = 250;

pub fn prepare_units(split: &Split) -> usize {
    (split.train.len() + split.valid.len() + split.test.len()).div_ceil(PREPARE_CHUNK)
}

#[derive(Default)]
pub struct Prepare {
    /// Rows of train, then valid, then test turned into inputs so far.
    prepared: usize,
    /// The inputs being made; the run's, shared, once every row is in.
    x: Inputs,
}

impl Prepare {
    /// One unit; true when every row is prepared.
    pub fn unit(&mut self, ctx: &mut Context) -> bool {
        let s = &ctx.split;
        // Inputs an earlier run prepared (`Trainer::reuse_inputs`).
        if prepared_for(&ctx.x, s) {
            return true;
        }
        if self.prepared == 0 {
            self.x = Inputs {
                train: Array2::zeros((s.train.len(), PIXELS)),
                valid: Array2::zeros((s.valid.len(), PIXELS)),
                test: Array2::zeros((s.test.len(), PIXELS)),
            };
        }
        let c = &ctx.model.config;
        let (mut from, mut left) = (self.prepared, PREPARE_CHUNK);
        let x = &mut self.x;
        let parts = [
            (&s.train, &mut x.train),
            (&s.valid, &mut x.valid),
            (&s.test, &mut x.test),
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
        if self.prepared < total {
            return false;
        }
        ctx.x = Arc::new(std::mem::take(&mut self.x));
        true
    }
}

/// Whether `x` holds every row of `split`, prepared.
pub fn prepared_for(x: &Inputs, split: &Split) -> bool {
    (x.train.nrows(), x.valid.nrows(), x.test.nrows())
        == (split.train.len(), split.valid.len(), split.test.len())
}
