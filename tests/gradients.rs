//! Analytic gradients against central finite differences, for every activation
//! and loss, through a chain of two nets (as encoder → decoder / head).

use aelab::nn::activation::Activation::{self, *};
use aelab::nn::dense::Init;
use aelab::nn::loss::{self, ReconLoss};
use aelab::nn::net::{LayerSpec, Net};
use aelab::nn::optim::{OptimSpec, Optimizer};
use aelab::rng::Rng;
use ndarray::{Array1, Array2};

#[derive(Clone, Copy, PartialEq)]
enum Loss {
    Mse,
    Bce,
    Xent,
}

fn rand_matrix(r: &mut Rng, rows: usize, cols: usize, lo: f64, hi: f64) -> Array2<f32> {
    Array2::from_shape_simple_fn((rows, cols), || (lo + (hi - lo) * r.uniform()) as f32)
}

/// Loss of `second(first(x))` and, if `grads`, the backward pass.
fn run(
    first: &mut Net,
    second: &mut Net,
    x: &Array2<f32>,
    t: &Array2<f32>,
    labels: &[u8],
    l: Loss,
) -> f64 {
    let h = first.forward(x.view(), None).clone();
    // The reconstruction losses as training calls them: a sigmoid output
    // under MSE takes the fused loss.
    let (v, grad_is_dz) = match l {
        Loss::Bce | Loss::Mse => {
            let kind = if l == Loss::Bce {
                ReconLoss::Bce
            } else {
                ReconLoss::Mse
            };
            let r = loss::reconstruct(second, h.view(), t.view(), kind);
            (r.cost, r.grad_is_dz)
        }
        Loss::Xent => {
            second.forward(h.view(), None);
            let (y, g) = second.output_and_grad();
            (loss::softmax_xent(y, labels, g).0, true)
        }
    };
    let (h, dh) = first.output_and_grad();
    let h = h.clone();
    second.backward(h.view(), grad_is_dz, Some(dh));
    first.backward(x.view(), false, None);
    v as f64
}

fn check(a1: Activation, a2: Activation, l: Loss) {
    let mut r = Rng::new(11);
    let (n, d_in, d_h, d_out) = (5, 4, 6, 3);
    let mut first = Net::new(
        d_in,
        &[LayerSpec {
            width: d_h,
            act: a1,
        }],
        Init::Scaled,
        &mut r,
    );
    let mut second = Net::new(
        d_h,
        &[LayerSpec {
            width: d_out,
            act: a2,
        }],
        Init::Scaled,
        &mut r,
    );
    for net in [&mut first, &mut second] {
        for layer in &mut net.layers {
            layer.b =
                Array1::from_shape_simple_fn(layer.n_out(), || (r.uniform() * 0.2 - 0.1) as f32);
        }
    }
    let x = rand_matrix(&mut r, n, d_in, -1.0, 1.0);
    let t = rand_matrix(&mut r, n, d_out, 0.0, 1.0);
    let labels: Vec<u8> = (0..n).map(|i| (i % d_out) as u8).collect();
    run(&mut first, &mut second, &x, &t, &labels, l);
    let analytic: Vec<f32> = [&first, &second]
        .iter()
        .flat_map(|net| {
            net.dw[0]
                .iter()
                .chain(net.db[0].iter())
                .copied()
                .collect::<Vec<_>>()
        })
        .collect();
    let eps = 1e-2f32;
    let mut k = 0;
    let mut worst = 0.0f64;
    let mut kinks = 0;
    for which in 0..2 {
        let count = {
            let net = if which == 0 { &first } else { &second };
            net.layers[0].w.len() + net.layers[0].b.len()
        };
        for p in 0..count {
            let val = |delta: f32, first: &mut Net, second: &mut Net| {
                let net = if which == 0 {
                    &mut *first
                } else {
                    &mut *second
                };
                let layer = &mut net.layers[0];
                let nw = layer.w.len();
                let slot = if p < nw {
                    &mut layer.w.as_slice_mut().unwrap()[p]
                } else {
                    &mut layer.b[p - nw]
                };
                *slot += delta;
                let v = run(first, second, &x, &t, &labels, l);
                let net = if which == 0 {
                    &mut *first
                } else {
                    &mut *second
                };
                let layer = &mut net.layers[0];
                let slot = if p < nw {
                    &mut layer.w.as_slice_mut().unwrap()[p]
                } else {
                    &mut layer.b[p - nw]
                };
                *slot -= delta;
                v
            };
            let (plus, zero, minus) = (
                val(eps, &mut first, &mut second),
                val(0.0, &mut first, &mut second),
                val(-eps, &mut first, &mut second),
            );
            let a = analytic[k] as f64;
            k += 1;
            let (right, left) = ((plus - zero) / eps as f64, (zero - minus) / eps as f64);
            if (right - left).abs() > 0.1 * (1e-3 + right.abs().max(left.abs()))
                && [a1, a2].contains(&Relu)
            {
                // The step crossed a ReLU kink: the slope there is not defined.
                kinks += 1;
                continue;
            }
            let numeric = (plus - minus) / (2.0 * eps as f64);
            let err = (a - numeric).abs() / (1e-2 + a.abs().max(numeric.abs()));
            worst = worst.max(err);
        }
    }
    assert!(
        worst < 2e-2,
        "{a1:?}->{a2:?}: worst relative gradient error {worst}"
    );
    assert!(
        kinks * 10 <= k,
        "{a1:?}->{a2:?}: {kinks} of {k} parameters skipped at ReLU kinks"
    );
}

#[test]
fn gradients_match_finite_differences_for_every_activation_and_loss() {
    for a1 in [Relu, Sigmoid, Tanh, Linear] {
        check(a1, Linear, Loss::Mse);
        check(a1, Relu, Loss::Mse);
        check(a1, Tanh, Loss::Mse);
        check(a1, Sigmoid, Loss::Mse);
        check(a1, Sigmoid, Loss::Bce);
        check(a1, Linear, Loss::Xent);
    }
}

#[test]
fn a_wrong_gradient_is_caught() {
    // The checker itself must be able to fail: pretend a ReLU output layer is
    // linear (skip its derivative) and the check must reject it.
    let result = std::panic::catch_unwind(|| check(Tanh, Relu, Loss::Xent));
    assert!(
        result.is_err(),
        "treating ReLU logits as pre-activations should not pass the check"
    );
}

#[test]
fn adam_step_matches_hand_computed_values() {
    let mut r = Rng::new(1);
    let mut net = Net::new(
        1,
        &[LayerSpec {
            width: 1,
            act: Linear,
        }],
        Init::Scaled,
        &mut r,
    );
    net.layers[0].w[[0, 0]] = 0.5;
    net.layers[0].b[0] = -0.25;
    let mut opt = Optimizer::new(OptimSpec::adam(0.1), 0.0, &net);
    let grads = [(0.2f32, -1.0f32), (-0.4, 3.0)];
    let (mut w, mut b) = (0.5f64, -0.25f64);
    let (mut mw, mut vw, mut mb, mut vb) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (t, &(gw, gb)) in grads.iter().enumerate() {
        net.dw[0][[0, 0]] = gw;
        net.db[0][0] = gb;
        opt.step(&mut net);
        if t == 0 {
            // Adam's first step moves each parameter by lr against the sign
            // of its gradient, whatever the gradient's size.
            assert!((net.layers[0].w[[0, 0]] - (0.5 - 0.1)).abs() < 1e-6);
            assert!((net.layers[0].b[0] - (-0.25 + 0.1)).abs() < 1e-6);
        }
        let t = t as i32 + 1;
        for (p, m, v, g) in [
            (&mut w, &mut mw, &mut vw, gw as f64),
            (&mut b, &mut mb, &mut vb, gb as f64),
        ] {
            *m = 0.9 * *m + 0.1 * g;
            *v = 0.999 * *v + 0.001 * g * g;
            let mhat = *m / (1.0 - 0.9f64.powi(t));
            let vhat = *v / (1.0 - 0.999f64.powi(t));
            *p -= 0.1 * mhat / (vhat.sqrt() + 1e-8);
        }
        assert!(
            (net.layers[0].w[[0, 0]] as f64 - w).abs() < 1e-6,
            "w after step {t}"
        );
        assert!(
            (net.layers[0].b[0] as f64 - b).abs() < 1e-6,
            "b after step {t}"
        );
    }
}

#[test]
fn softmax_xent_is_stable_and_counts_correct() {
    let logits = Array2::from_shape_vec((2, 3), vec![1000.0, 0.0, -1000.0, 0.0, 0.0, 0.0]).unwrap();
    let mut g = Array2::zeros((2, 3));
    let (l, correct) = loss::softmax_xent(&logits, &[0, 2], &mut g);
    assert!(l.is_finite());
    assert!((l - (3.0f32.ln()) / 2.0).abs() < 1e-5, "{l}");
    assert_eq!(correct, 1, "row 0 right, row 1 a tie resolved to class 0");
    // Gradient rows sum to zero.
    for row in g.rows() {
        assert!(row.sum().abs() < 1e-6);
    }
}
