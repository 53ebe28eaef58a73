//! Touching the code space of a model with an encoder and a decoder: the
//! plane of the code map (principal axes and mean, to go from a point of
//! the map back to a code), decoding any code, sweeping one code unit at a
//! time, and blending two digits in code space beside the pixel blend. All in
//! the code the decoder reads (`Model::decoder_code`).

use super::queries::{network_input, test_rows};
use super::Session;
use crate::data::PIXELS;
use crate::error::{Error, Result};
use crate::train::Trainer;
use ndarray::{s, ArrayView2};
use serde::Serialize;

/// Training codes a traversal reads its ranges from: enough for stable
/// percentiles, few enough for one short task.
const RANGE_SAMPLE: usize = 2000;
/// The sweep runs over the mean ± this many sds of a unit's training codes,
/// within their min and max (no sort: it would add 10 KB to the wasm).
const RANGE_SDS: f32 = 2.0;
/// Units a traversal shows at most (a hash code may have 64).
pub const MAX_UNITS: usize = 16;
const MAX_STEPS: usize = 32;

/// The code map's plane: `points` (n × k) are the first n test digits'
/// codes on the top k ≤ 2 principal axes (`axes`, k × width, row-major)
/// about `mean`; a point p of the plane is the code mean + Σ p_j·axes_j.
#[derive(Clone, Debug, Serialize)]
pub struct Plane {
    pub width: usize,
    pub k: usize,
    pub mean: Vec<f32>,
    pub axes: Vec<f32>,
    pub points: Vec<f32>,
    pub labels: Vec<u8>,
}

/// One strip per code unit: `steps` decoded images each, the unit swept
/// from `lo` to `hi`, the other units at the base digit's code.
#[derive(Clone, Debug, Serialize)]
pub struct Traversal {
    pub units: usize,
    pub steps: usize,
    pub lo: Vec<f32>,
    pub hi: Vec<f32>,
    pub base: Vec<f32>,
    /// units × steps × 784 values, 0..1.
    pub images: Vec<f32>,
}

/// Two images blended in `steps` steps: through the code (decoded) and in
/// pixel space, each steps × 784 values on the 0..1 scale.
#[derive(Clone, Debug, Serialize)]
pub struct Blend {
    pub steps: usize,
    pub codes: Vec<f32>,
    pub pixels: Vec<f32>,
}

fn check_steps(steps: usize) -> Result<()> {
    if !(2..=MAX_STEPS).contains(&steps) {
        crate::refuse!(
            "steps",
            "steps = {steps} is out of range; expected 2 to {MAX_STEPS}"
        );
    }
    Ok(())
}

/// The run, if its model has both an encoder and a decoder.
fn autoencoder(s: &Session) -> Result<&Trainer> {
    let t = s.run()?;
    if t.model().encoder.is_none() || t.model().decoder.is_none() {
        crate::bail!("this model has no encoder and decoder: train an autoencoder (mnist_auto_*, mnist_hash_*) to explore its code space");
    }
    Ok(t)
}

/// Decodes codes (n × width) to 0..1 images.
fn decode_unit(t: &Trainer, codes: ArrayView2<f32>) -> Vec<f32> {
    let scale = t.config().scale;
    t.model()
        .decode(codes)
        .map(|r| r.iter().map(|&v| scale.to_unit(v).clamp(0.0, 1.0)).collect())
        .unwrap_or_default()
}

/// Power iterations per axis: the map only needs its plane roughly right.
const PLANE_ITERATIONS: usize = 100;

/// The mean (d) and top `k` principal axes (k × d) of `codes` (n × d,
/// row-major), by power iteration with deflation on the covariance. Plain
/// loops over a small d: ndarray's matrix arithmetic would add more to the
/// wasm than this whole file.
fn principal_axes(codes: &[f32], d: usize, k: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = (codes.len() / d).max(1) as f64;
    let mut mean = vec![0.0f64; d];
    for row in codes.chunks(d) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += v as f64 / n;
        }
    }
    let mut cov = vec![0.0f64; d * d];
    for row in codes.chunks(d) {
        for a in 0..d {
            let va = (row[a] as f64 - mean[a]) / n;
            for b in 0..d {
                cov[a * d + b] += va * (row[b] as f64 - mean[b]);
            }
        }
    }
    let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
    let mut axes: Vec<Vec<f64>> = Vec::new();
    for _ in 0..k {
        let mut v: Vec<f64> = (0..d).map(|j| 1.0 + j as f64 * 0.01).collect();
        for _ in 0..PLANE_ITERATIONS {
            let mut w: Vec<f64> = cov.chunks(d).map(|row| dot(row, &v)).collect();
            for u in &axes {
                let along = dot(&w, u);
                w.iter_mut().zip(u).for_each(|(wi, ui)| *wi -= along * ui);
            }
            let norm = dot(&w, &w).sqrt();
            v = w.iter().map(|wi| if norm > 0.0 { wi / norm } else { *wi }).collect();
        }
        axes.push(v);
    }
    (mean, axes)
}

/// The range a unit is swept over, from its values on the training codes.
fn sweep_range(values: ndarray::ArrayView1<f32>) -> (f32, f32) {
    let n = values.len().max(1) as f32;
    let mean = values.sum() / n;
    let sd = (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n).sqrt();
    let (min, max) = values.fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    ((mean - RANGE_SDS * sd).max(min), (mean + RANGE_SDS * sd).min(max))
}

impl Session {
    /// The code map's plane over the first `n` test digits.
    pub fn code_plane(&self, n: usize) -> Result<Plane> {
        let t = self.run()?;
        if t.model().encoder.is_none() {
            crate::bail!("this model has no encoder, so no code to map");
        }
        let n = n.min(t.x_test().nrows());
        if n < 2 {
            crate::bail!("the run has no test codes yet");
        }
        let codes = t.model().decoder_code(t.x_test().slice(s![..n, ..]));
        let width = codes.ncols();
        let codes: Vec<f32> = codes.into_iter().collect();
        let (mean, axes) = principal_axes(&codes, width, width.min(2));
        let points = codes
            .chunks(width)
            .flat_map(|row| {
                axes.iter().map(|u| {
                    row.iter().zip(u).zip(&mean).map(|((&v, a), m)| (v as f64 - m) * a).sum::<f64>() as f32
                })
            })
            .collect();
        Ok(Plane {
            width,
            k: axes.len(),
            mean: mean.iter().map(|&m| m as f32).collect(),
            axes: axes.iter().flatten().map(|&a| a as f32).collect(),
            points,
            labels: t.split().test.labels[..n].to_vec(),
        })
    }

    /// Decodes codes (row-major, n × the code's width) to 0..1 images.
    pub fn decode(&self, codes: &[f32]) -> Result<Vec<f32>> {
        let t = autoencoder(self)?;
        let width = t.config().code_width();
        if codes.is_empty() || codes.len() % width != 0 {
            crate::bail!(
                "codes have {width} values each; got {} values",
                codes.len()
            );
        }
        if codes.iter().any(|v| !v.is_finite()) {
            crate::bail!("a code contains a value that is not a finite number");
        }
        let x = ArrayView2::from_shape((codes.len() / width, width), codes)
            .map_err(|e| Error::new(e.to_string()))?;
        Ok(decode_unit(t, x))
    }

    /// Each code unit (the first `MAX_UNITS`) swept over its usual range on the
    /// training codes (`sweep_range`), the others held at `pixels`' code.
    pub fn traverse(&self, pixels: &[f32], steps: usize) -> Result<Traversal> {
        let t = autoencoder(self)?;
        check_steps(steps)?;
        let (_, x) = network_input(t, pixels)?;
        let base = t.model().decoder_code(x.view());
        let sample = t.x_train().nrows().min(RANGE_SAMPLE);
        if sample == 0 {
            crate::bail!("the run has no training codes yet");
        }
        let train = t.model().decoder_code(t.x_train().slice(s![..sample, ..]));
        let units = base.ncols().min(MAX_UNITS);
        let (width, base) = (base.ncols(), base.into_iter().collect::<Vec<f32>>());
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        let mut codes = Vec::with_capacity(units * steps * width);
        for j in 0..units {
            let (a, b) = sweep_range(train.column(j));
            lo.push(a);
            hi.push(b);
            for k in 0..steps {
                codes.extend_from_slice(&base);
                codes[(j * steps + k) * width + j] = a + (b - a) * k as f32 / (steps - 1) as f32;
            }
        }
        let codes = ArrayView2::from_shape((units * steps, width), &codes)
            .map_err(|e| Error::new(e.to_string()))?;
        Ok(Traversal {
            units,
            steps,
            lo,
            hi,
            images: decode_unit(t, codes),
            base,
        })
    }

    /// `a` and `b` (784 values, 0..1, as `analyse` takes) mixed in `steps`
    /// steps from a to b, through the code and in pixel space.
    pub fn interpolate(&self, a: &[f32], b: &[f32], steps: usize) -> Result<Blend> {
        let t = autoencoder(self)?;
        check_steps(steps)?;
        let ((sa, xa), (sb, xb)) = (network_input(t, a)?, network_input(t, b)?);
        let (ca, cb) = (t.model().decoder_code(xa.view()), t.model().decoder_code(xb.view()));
        let width = ca.ncols();
        let mut codes = Vec::with_capacity(steps * width);
        let mut pixels = Vec::with_capacity(steps * PIXELS);
        for k in 0..steps {
            let w = k as f32 / (steps - 1) as f32;
            codes.extend(ca.iter().zip(cb.iter()).map(|(&p, &q)| p * (1.0 - w) + q * w));
            pixels.extend(sa.iter().zip(&sb).map(|(&p, &q)| p * (1.0 - w) + q * w));
        }
        let codes = ArrayView2::from_shape((steps, width), &codes).map_err(|e| Error::new(e.to_string()))?;
        Ok(Blend {
            steps,
            codes: decode_unit(t, codes),
            pixels,
        })
    }

    /// Test digit `i` as `analyse` takes an image: 0..1, before deskewing.
    pub fn test_image(&self, i: usize) -> Result<Vec<f32>> {
        let t = self.run()?;
        test_rows(t, &[i])?;
        Ok(t.split().test.image(i).iter().map(|&p| p as f32 / 255.0).collect())
    }
}
