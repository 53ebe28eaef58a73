//! The autoencode step with the batch's rows in two halves, natively: each
//! half goes through the encoder, the decoder, the loss and the row-by-row
//! part of the backward pass on a core of its own (one `par::join`), and
//! only the sums over rows (dW, db) wait for both.
//!
//! Why: the whole-batch step cuts each product and pass in pieces that the
//! two cores share, about twenty meetings a step. At each the first core to
//! finish waits for the other's last piece; `perf` had the helper idle a
//! fifth of its time and the training thread waiting 2.5% of it. Here the
//! halves meet once before the weight gradients, which are still shared.
//!
//! Same bits as the whole-batch step (`batch::autoencode`'s other path):
//! the products and passes of the halves compute each row as the whole
//! batch does, the loss's two row sums are the ones `Fused::whole` adds, and
//! the weight gradients are the same products over all the rows. A test
//! below holds the two paths to the same weights.

use crate::linalg::par;
use crate::nn::logit_loss::Fused;
use crate::nn::net::{Net, Rows};
use ndarray::{ArrayView2, Axis};

/// Whether a step of these nets can take its batch in halves: a fused
/// loss on the logits (`loss::fused`), no noise drawn inside a layer (its
/// draws follow the rows in order), and at least a tile's rows each side.
pub fn fit(enc: &Net, dec: &Net, loss: Option<Fused>, rows: usize) -> Option<Fused> {
    let quiet = enc.layers.iter().chain(&dec.layers).all(|l| l.noise == 0.0);
    (quiet && par::cut(rows) > 0 && cfg!(not(target_arch = "wasm32")))
        .then_some(loss)
        .flatten()
}

/// Trains on `input` against `target` (rows × pixels): leaves every
/// gradient in the nets, as `Net::backward` does, and returns the loss's
/// (cost, squared error per pixel) for the batch.
pub fn autoencode(
    enc: &mut Net,
    dec: &mut Net,
    input: ArrayView2<f32>,
    target: ArrayView2<f32>,
    loss: Fused,
) -> (f32, f64) {
    let (rows, cols) = target.dim();
    let at = par::cut(rows);
    enc.ensure_rows(rows);
    dec.ensure_rows(rows);
    let ([x0, x1], [t0, t1]) = (halve(input, at), halve(target, at));
    let (enc_layers, [e0, e1]) = enc.halves(at);
    let (dec_layers, [d0, d1]) = dec.halves(at);
    let half = |mut e: Rows, mut d: Rows, x: ArrayView2<f32>, t: ArrayView2<f32>| {
        e.forward(enc_layers, x, None, true);
        let code = e.acts.last().expect("an encoder has layers").view();
        d.forward(dec_layers, code, None, false);
        let (Some(z), Some(g)) = (d.acts.last_mut(), d.deltas.last_mut()) else {
            unreachable!("a decoder has layers")
        };
        let sums = loss.rows(z.view_mut(), t, g.view_mut(), rows);
        let dcode = e.deltas.last_mut().expect("an encoder has layers");
        d.backward(dec_layers, true, Some(dcode.view_mut()));
        e.backward(enc_layers, false, None);
        sums
    };
    let ([a0, b0], [a1, b1]) = par::join(|| half(e0, d0, x0, t0), || half(e1, d1, x1, t1));
    enc.weight_grads(input);
    dec.weight_grads(enc.output().view());
    loss.finish([a0 + a1, b0 + b1], rows, cols)
}

fn halve(x: ArrayView2<f32>, at: usize) -> [ArrayView2<f32>; 2] {
    let (a, b) = x.split_at(Axis(0), at);
    [a, b]
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::nn::activation::Activation::{Linear, Relu, Sigmoid};
    use crate::nn::dense::Init;
    use crate::nn::loss::{self, ReconLoss};
    use crate::nn::net::LayerSpec;
    use crate::rng::Rng;
    use ndarray::Array2;

    /// The halves give the whole-batch step's cost, squared error and every
    /// gradient bit for bit: for both fused losses, batches whose cut falls
    /// inside a tile and on one, and the product sizes of the reference's
    /// autoencoders (the large ones shared out between two cores).
    #[test]
    fn halves_are_the_whole_batch_bit_for_bit() {
        let l = |width, act| LayerSpec { width, act };
        for (rows, recon, wide) in [
            (128, ReconLoss::Bce, 64),
            (128, ReconLoss::Mse, 64),
            (100, ReconLoss::Bce, 250),
            (37, ReconLoss::Mse, 32),
        ] {
            let mut r = Rng::new(rows as u64);
            let enc_specs = [l(wide, Relu), l(10, Linear)];
            let dec_specs = [l(wide, Relu), l(784, Sigmoid)];
            let mut enc = Net::new(784, &enc_specs, Init::Scaled, &mut r);
            let mut dec = Net::new(10, &dec_specs, Init::Scaled, &mut r);
            let x = Array2::from_shape_simple_fn((rows, 784), || r.uniform() as f32);
            let fused = loss::fused(&dec, recon);
            assert!(fit(&enc, &dec, fused, rows).is_some(), "{rows} rows");
            let (mut enc2, mut dec2) = (enc.clone(), dec.clone());
            // The whole batch, as `batch::autoencode`'s other path takes it.
            enc.forward(x.view(), None);
            let code = enc.output().clone();
            let want = loss::reconstruct(&mut dec, code.view(), x.view(), recon);
            let (_, dcode) = enc.output_and_grad();
            dec.backward(code.view(), want.grad_is_dz, Some(dcode));
            enc.backward(x.view(), false, None);
            let got = autoencode(
                &mut enc2,
                &mut dec2,
                x.view(),
                x.view(),
                fused.expect("fused"),
            );
            let case = format!("{rows} rows, {recon:?}, width {wide}");
            assert_eq!(got, (want.cost, want.sq_err), "{case}: cost");
            for (a, b) in [(&enc, &enc2), (&dec, &dec2)] {
                assert_eq!(a.dw, b.dw, "{case}: weight gradients");
                assert_eq!(a.db, b.db, "{case}: bias gradients");
                assert_eq!(a.output(), b.output(), "{case}: outputs");
            }
        }
    }

    #[test]
    fn noise_inside_a_layer_or_too_few_rows_take_the_whole_batch() {
        let l = |width, act| LayerSpec { width, act };
        let mut r = Rng::new(1);
        let mut enc = Net::new(784, &[l(32, Relu), l(10, Sigmoid)], Init::Scaled, &mut r);
        let dec = Net::new(10, &[l(784, Sigmoid)], Init::Scaled, &mut r);
        let fused = loss::fused(&dec, ReconLoss::Bce);
        assert_eq!(fit(&enc, &dec, fused, 128), Some(Fused::Bce));
        assert_eq!(fit(&enc, &dec, fused, 31), None);
        assert_eq!(fit(&enc, &dec, None, 128), None);
        enc.layers[1].noise = 4.0;
        assert_eq!(fit(&enc, &dec, fused, 128), None);
    }
}
