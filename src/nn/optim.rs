//! Optimisers. The state is per net, shaped like its parameters.

use crate::linalg::par;
use crate::linalg::simd::F32x4;
use crate::nn::net::Net;
use ndarray::{Array1, Array2, Zip};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "OptimWire", into = "OptimWire")]
pub enum OptimSpec {
    /// Adam; the reference used lr 0.001, betas (0.9, 0.999), eps 1e-8.
    Adam {
        lr: f32,
        beta1: f32,
        beta2: f32,
        eps: f32,
    },
    /// Plain SGD with momentum.
    Sgd { lr: f32, momentum: f32 },
}

/// How an `OptimSpec` is written: `{"kind": "adam", "lr": …, "beta1": …,
/// "beta2": …, "eps": …}` or `{"kind": "sgd", "lr": …, "momentum": …}`. A
/// flat struct rather than serde's internally tagged enum, whose buffering
/// deserializer cost the browser's engine 28 KB for these six fields.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptimWire {
    kind: OptimKind,
    lr: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    beta1: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    beta2: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eps: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    momentum: Option<f32>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum OptimKind {
    Adam,
    Sgd,
}

impl TryFrom<OptimWire> for OptimSpec {
    type Error = &'static str;
    fn try_from(w: OptimWire) -> std::result::Result<Self, Self::Error> {
        match (w.kind, w.beta1, w.beta2, w.eps, w.momentum) {
            (OptimKind::Adam, Some(beta1), Some(beta2), Some(eps), None) => Ok(OptimSpec::Adam {
                lr: w.lr,
                beta1,
                beta2,
                eps,
            }),
            (OptimKind::Adam, ..) => Err("optim: adam takes lr, beta1, beta2 and eps"),
            (OptimKind::Sgd, None, None, None, Some(momentum)) => {
                Ok(OptimSpec::Sgd { lr: w.lr, momentum })
            }
            (OptimKind::Sgd, ..) => Err("optim: sgd takes lr and momentum"),
        }
    }
}

impl From<OptimSpec> for OptimWire {
    fn from(s: OptimSpec) -> OptimWire {
        let none = OptimWire {
            kind: OptimKind::Adam,
            lr: s.lr(),
            beta1: None,
            beta2: None,
            eps: None,
            momentum: None,
        };
        match s {
            OptimSpec::Adam {
                beta1, beta2, eps, ..
            } => OptimWire {
                beta1: Some(beta1),
                beta2: Some(beta2),
                eps: Some(eps),
                ..none
            },
            OptimSpec::Sgd { momentum, .. } => OptimWire {
                kind: OptimKind::Sgd,
                momentum: Some(momentum),
                ..none
            },
        }
    }
}

impl OptimSpec {
    pub fn adam(lr: f32) -> OptimSpec {
        OptimSpec::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    pub fn lr(&self) -> f32 {
        match *self {
            OptimSpec::Adam { lr, .. } | OptimSpec::Sgd { lr, .. } => lr,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Optimizer {
    pub spec: OptimSpec,
    /// Multiplies the spec's learning rate (schedules set it).
    pub lr_scale: f32,
    /// Decoupled weight decay (AdamW style) on weights, not biases.
    pub weight_decay: f32,
    t: u32,
    m_w: Vec<Array2<f32>>,
    v_w: Vec<Array2<f32>>,
    m_b: Vec<Array1<f32>>,
    v_b: Vec<Array1<f32>>,
}

impl Optimizer {
    pub fn new(spec: OptimSpec, weight_decay: f32, net: &Net) -> Optimizer {
        let zw = || {
            net.layers
                .iter()
                .map(|l| Array2::zeros(l.w.raw_dim()))
                .collect()
        };
        let zb = || {
            net.layers
                .iter()
                .map(|l| Array1::zeros(l.b.raw_dim()))
                .collect()
        };
        Optimizer {
            spec,
            lr_scale: 1.0,
            weight_decay,
            t: 0,
            m_w: zw(),
            v_w: zw(),
            m_b: zb(),
            v_b: zb(),
        }
    }

    /// Applies the gradients the net holds from its last backward pass.
    pub fn step(&mut self, net: &mut Net) {
        self.t += 1;
        let lr = self.spec.lr() * self.lr_scale;
        let decay = 1.0 - lr * self.weight_decay;
        // Last layer first: the first layer's parameters, which the next
        // forward pass reads first, are then the ones still in cache.
        for (i, layer) in net.layers.iter_mut().enumerate().rev() {
            if self.weight_decay > 0.0 {
                layer.w.mapv_inplace(|w| w * decay);
            }
            match self.spec {
                OptimSpec::Adam {
                    beta1, beta2, eps, ..
                } => {
                    // Bias corrections folded into the step size.
                    let c1 = 1.0 - beta1.powi(self.t as i32);
                    let c2 = 1.0 - beta2.powi(self.t as i32);
                    let step = lr * c2.sqrt() / c1;
                    let eps = eps * c2.sqrt();
                    let k = AdamStep {
                        beta1,
                        beta2,
                        step,
                        eps,
                    };
                    k.apply_halves(
                        flat_mut(layer.w.as_slice_mut()),
                        flat(net.dw[i].as_slice()),
                        flat_mut(self.m_w[i].as_slice_mut()),
                        flat_mut(self.v_w[i].as_slice_mut()),
                    );
                    k.apply(
                        flat_mut(layer.b.as_slice_mut()),
                        flat(net.db[i].as_slice()),
                        flat_mut(self.m_b[i].as_slice_mut()),
                        flat_mut(self.v_b[i].as_slice_mut()),
                    );
                }
                OptimSpec::Sgd { momentum, .. } => {
                    let upd = |p: &mut f32, g: &f32, m: &mut f32| {
                        *m = momentum * *m + g;
                        *p -= lr * *m;
                    };
                    Zip::from(&mut layer.w)
                        .and(&net.dw[i])
                        .and(&mut self.m_w[i])
                        .for_each(upd);
                    Zip::from(&mut layer.b)
                        .and(&net.db[i])
                        .and(&mut self.m_b[i])
                        .for_each(upd);
                }
            }
        }
    }
}

/// One Adam step's constants, bias corrections folded in.
#[derive(Clone, Copy)]
struct AdamStep {
    beta1: f32,
    beta2: f32,
    step: f32,
    eps: f32,
}

impl AdamStep {
    /// `apply` on the two halves of the parameters, at once natively where
    /// there are enough of them: every element's update is the same.
    fn apply_halves(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        if p.len() < par::MIN_SPLIT_PASS {
            return self.apply(p, g, m, v);
        }
        let h = par::cut(p.len());
        let (p0, p1) = p.split_at_mut(h);
        let (g0, g1) = g.split_at(h);
        let (m0, m1) = m.split_at_mut(h);
        let (v0, v1) = v.split_at_mut(h);
        par::join(|| self.apply(p0, g0, m0, v0), || self.apply(p1, g1, m1, v1));
    }

    /// Updates parameters `p` and moments `m`, `v` from gradients `g`, eight
    /// values an iteration in f32x4 lanes (the tail padded): two independent
    /// square roots and divisions in flight, which the compiler's own
    /// vectorisation of the plain loop (one at a time) did not give. Every
    /// lane does what `scalar` does, so the result is the same bit for bit.
    fn apply(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        let n = p.len();
        assert!(g.len() >= n && m.len() >= n && v.len() >= n);
        // SAFETY: the host has AVX-512, and the lengths are checked above.
        #[cfg(target_arch = "x86_64")]
        let j = match crate::linalg::avx512::available() {
            true => unsafe { self.apply16(p, g, m, v) },
            false => 0,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let j = 0;
        self.apply4(p, g, m, v, j);
    }

    /// `apply` from value `j` on, in four lanes.
    fn apply4(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], from: usize) {
        let n = p.len();
        assert!(g.len() >= n && m.len() >= n && v.len() >= n);
        let mut j = from;
        while j + 8 <= n {
            // SAFETY: j..j+8 lies inside all four slices (checked above).
            unsafe {
                self.lanes(p, g, m, v, j);
                self.lanes(p, g, m, v, j + 4);
            }
            j += 8;
        }
        while j + 4 <= n {
            // SAFETY: as above, for j..j+4.
            unsafe { self.lanes(p, g, m, v, j) };
            j += 4;
        }
        for j in j..n {
            let (pj, mj, vj) = self.scalar(p[j], g[j], m[j], v[j]);
            (p[j], m[j], v[j]) = (pj, mj, vj);
        }
    }

    /// `lanes` sixteen values at a time on AVX-512 hosts, bit for bit the
    /// same operations; returns how many values it updated (a multiple of
    /// 16), leaving the rest to `apply`.
    ///
    /// # Safety
    /// The host has AVX-512, and `g`, `m` and `v` are at least as long as `p`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn apply16(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) -> usize {
        use std::arch::x86_64::*;
        let s = _mm512_set1_ps;
        let zero_if_below = |x: __m512, limit: f32| {
            let abs = _mm512_abs_ps(x);
            _mm512_maskz_mov_ps(_mm512_cmp_ps_mask::<_CMP_NLT_UQ>(abs, s(limit)), x)
        };
        let n = p.len() / 16 * 16;
        for j in (0..n).step_by(16) {
            let gj = zero_if_below(_mm512_loadu_ps(g.as_ptr().add(j)), 1e-15);
            let mj = _mm512_add_ps(
                _mm512_mul_ps(s(self.beta1), _mm512_loadu_ps(m.as_ptr().add(j))),
                _mm512_mul_ps(s(1.0 - self.beta1), gj),
            );
            let vj = _mm512_add_ps(
                _mm512_mul_ps(s(self.beta2), _mm512_loadu_ps(v.as_ptr().add(j))),
                _mm512_mul_ps(_mm512_mul_ps(s(1.0 - self.beta2), gj), gj),
            );
            let (mj, vj) = (zero_if_below(mj, 1e-20), zero_if_below(vj, 1e-30));
            let step = _mm512_div_ps(
                _mm512_mul_ps(s(self.step), mj),
                _mm512_add_ps(_mm512_sqrt_ps(vj), s(self.eps)),
            );
            let pj = _mm512_sub_ps(_mm512_loadu_ps(p.as_ptr().add(j)), step);
            _mm512_storeu_ps(m.as_mut_ptr().add(j), mj);
            _mm512_storeu_ps(v.as_mut_ptr().add(j), vj);
            _mm512_storeu_ps(p.as_mut_ptr().add(j), pj);
        }
        n
    }

    /// # Safety
    /// j..j+4 must lie inside all four slices.
    #[inline(always)]
    unsafe fn lanes(self, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], j: usize) {
        let s = F32x4::splat;
        let gj = F32x4::load(g.as_ptr().add(j)).zero_if_below(s(1e-15));
        let mj = s(self.beta1)
            .mul(F32x4::load(m.as_ptr().add(j)))
            .add(s(1.0 - self.beta1).mul(gj));
        let vj = s(self.beta2)
            .mul(F32x4::load(v.as_ptr().add(j)))
            .add(s(1.0 - self.beta2).mul(gj).mul(gj));
        let (mj, vj) = (mj.zero_if_below(s(1e-20)), vj.zero_if_below(s(1e-30)));
        let pj = F32x4::load(p.as_ptr().add(j));
        let pj = pj.sub(s(self.step).mul(mj).div(vj.sqrt().add(s(self.eps))));
        mj.store(m.as_mut_ptr().add(j));
        vj.store(v.as_mut_ptr().add(j));
        pj.store(p.as_mut_ptr().add(j));
    }

    /// One value's update: (p, m, v) after gradient g.
    fn scalar(self, p: f32, g: f32, m: f32, v: f32) -> (f32, f32, f32) {
        // Values this small are flushed to zero: their squares and decaying
        // moments would otherwise turn subnormal, which x86 (native or under
        // wasm) computes ~100× slower; their updates are below eps's reach
        // anyway.
        let g = if g.abs() < 1e-15 { 0.0 } else { g };
        let m = self.beta1 * m + (1.0 - self.beta1) * g;
        let v = self.beta2 * v + (1.0 - self.beta2) * g * g;
        let m = if m.abs() < 1e-20 { 0.0 } else { m };
        let v = if v < 1e-30 { 0.0 } else { v };
        (p - self.step * m / (v.sqrt() + self.eps), m, v)
    }
}

/// Parameters, gradients and moments are all built standard-layout.
fn flat(s: Option<&[f32]>) -> &[f32] {
    s.expect("parameters are contiguous")
}

fn flat_mut(s: Option<&mut [f32]>) -> &mut [f32] {
    s.expect("parameters are contiguous")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The lanes are the one-value update, bit for bit, on every length's
    /// tail and on values small enough to be flushed.
    #[test]
    fn adam_lanes_match_the_scalar_update() {
        let k = AdamStep {
            beta1: 0.9,
            beta2: 0.999,
            step: 1e-3,
            eps: 1e-8,
        };
        let mut r = Rng::new(4);
        let value = |r: &mut Rng| {
            let x = (r.uniform() * 2.0 - 1.0) as f32;
            match r.below(4) {
                0 => x * 1e-16,
                1 => x * 1e-22,
                _ => x,
            }
        };
        for n in [1, 3, 4, 7, 8, 13, 37, 64] {
            let g: Vec<f32> = (0..n).map(|_| value(&mut r)).collect();
            let m0: Vec<f32> = (0..n).map(|_| value(&mut r)).collect();
            let v0: Vec<f32> = (0..n).map(|_| value(&mut r).abs()).collect();
            let p0: Vec<f32> = (0..n).map(|_| value(&mut r)).collect();
            // As the host runs it (in 16 lanes on AVX-512), and in 4.
            let (mut p, mut m, mut v) = (p0.clone(), m0.clone(), v0.clone());
            k.apply(&mut p, &g, &mut m, &mut v);
            let (mut p4, mut m4, mut v4) = (p0.clone(), m0.clone(), v0.clone());
            k.apply4(&mut p4, &g, &mut m4, &mut v4, 0);
            assert_eq!(
                [&p, &m, &v].map(|x| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
                [&p4, &m4, &v4].map(|x| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
                "n {n}: the lanes differ"
            );
            for j in 0..n {
                let want = k.scalar(p0[j], g[j], m0[j], v0[j]);
                let got = (p[j], m[j], v[j]);
                assert_eq!(
                    (got.0.to_bits(), got.1.to_bits(), got.2.to_bits()),
                    (want.0.to_bits(), want.1.to_bits(), want.2.to_bits()),
                    "n {n} value {j}: {got:?} vs {want:?}"
                );
            }
        }
    }
}
