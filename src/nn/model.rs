//! The model every experiment trains: an optional encoder, an optional decoder
//! (autoencoder) and an optional classifier head on the code. A plain MLP is a
//! head on the raw input; a semantic-hash model has a sigmoid code and no head.

use crate::data::{CLASSES, PIXELS};
use crate::error::Result;
use crate::experiment::config::Config;
use crate::linalg::gemm::matmul;
use crate::nn::activation::Activation;
use crate::nn::net::{LayerSpec, Net};
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2};

#[derive(Clone, Debug)]
pub struct Model {
    pub config: Config,
    pub encoder: Option<Net>,
    pub decoder: Option<Net>,
    pub head: Option<Net>,
    /// The encoder as it was when the autoencode phase ended, kept when the
    /// supervised phase goes on to fine-tune it: the decoder was trained
    /// with this one, so reconstructions use it.
    pub ae_encoder: Option<Net>,
}

/// The classifier's layers: its hidden layers, then linear logits.
pub fn head_layers(hidden: &[LayerSpec]) -> Vec<LayerSpec> {
    let mut v = hidden.to_vec();
    v.push(LayerSpec {
        width: CLASSES,
        act: Activation::Linear,
    });
    v
}

impl Model {
    pub fn new(config: &Config) -> Result<Model> {
        config.validate()?;
        let mut rng = Rng::new(config.seed as u64).fork(0x1A17);
        let nonempty = |specs: &[LayerSpec], n_in: usize, rng: &mut Rng| {
            (!specs.is_empty()).then(|| Net::new(n_in, specs, config.init, rng))
        };
        let mut encoder = nonempty(&config.encoder, PIXELS, &mut rng);
        if let Some(code) = encoder.as_mut().and_then(|e| e.layers.last_mut()) {
            code.noise = config.code_noise;
        }
        let code = config.code_width();
        let decoder = nonempty(&config.decoder, code, &mut rng);
        let head = config
            .head
            .as_ref()
            .map(|h| Net::new(code, &head_layers(h), config.init, &mut rng));
        Ok(Model {
            config: config.clone(),
            encoder,
            decoder,
            head,
            ae_encoder: None,
        })
    }

    pub fn code(&self, x: ArrayView2<f32>) -> Array2<f32> {
        match &self.encoder {
            Some(e) => e.infer(x),
            None => x.to_owned(),
        }
    }

    pub fn decode(&self, code: ArrayView2<f32>) -> Option<Array2<f32>> {
        self.decoder.as_ref().map(|d| d.infer(code))
    }

    /// The autoencoder's reconstruction of `x` (on the input scale).
    pub fn reconstruct(&self, x: ArrayView2<f32>) -> Option<Array2<f32>> {
        self.encoder.as_ref()?;
        self.decode(self.decoder_code(x).view())
    }

    /// Class probabilities (softmax of the logits), from a code.
    pub fn classify_code(&self, code: ArrayView2<f32>) -> Option<Array2<f32>> {
        let mut p = self.head.as_ref()?.infer(code);
        crate::nn::loss::softmax_rows(&mut p);
        Some(p)
    }

    /// Re-expresses the code as (code − mean)·R for an orthogonal R (see
    /// `itq`): folded into the code layer, and undone in the first layer of
    /// every net that reads that code — the head, and the decoder unless it
    /// reads the autoencode phase's own encoder — so nothing else changes.
    pub fn rotate_code(&mut self, mean: &Array1<f64>, r: &Array2<f64>) {
        let (m32, r32) = (mean.mapv(|v| v as f32).to_vec(), r.mapv(|v| v as f32));
        if let Some(code) = self.encoder.as_mut().and_then(|e| e.layers.last_mut()) {
            code.w = matmul(code.w.view(), r32.view());
            let centred: Vec<f32> = code.b.iter().zip(&m32).map(|(b, m)| b - m).collect();
            code.b = Array1::from(row_times(&centred, &r32));
        }
        let decoder = self.decoder.as_mut().filter(|_| self.ae_encoder.is_none());
        for net in [decoder, self.head.as_mut()].into_iter().flatten() {
            if let Some(first) = net.layers.first_mut() {
                let shift = row_times(&m32, &first.w);
                first.b.iter_mut().zip(shift).for_each(|(b, s)| *b += s);
                first.w = matmul(r32.t(), first.w.view());
            }
        }
    }

    /// The code the decoder reads: the autoencode phase's encoder's, when the
    /// supervised phase fine-tuned the other (what code-space exploration
    /// decodes from).
    pub fn decoder_code(&self, x: ArrayView2<f32>) -> Array2<f32> {
        match self.ae_encoder.as_ref().or(self.encoder.as_ref()) {
            Some(e) => e.infer(x),
            None => x.to_owned(),
        }
    }

    pub fn nets(&self) -> impl Iterator<Item = (&'static str, &Net)> {
        [
            ("encoder", &self.encoder),
            ("decoder", &self.decoder),
            ("head", &self.head),
            ("ae_encoder", &self.ae_encoder),
        ]
        .into_iter()
        .filter_map(|(n, net)| net.as_ref().map(|net| (n, net)))
    }

    pub fn all_finite(&self) -> bool {
        self.nets().all(|(_, n)| n.all_finite())
    }
}

/// Row vector v times matrix m (plain loops: ndarray's broadcasting
/// arithmetic would add kilobytes to the browser's download for two uses).
fn row_times(v: &[f32], m: &Array2<f32>) -> Vec<f32> {
    let mut out = vec![0.0f32; m.ncols()];
    for (&vi, row) in v.iter().zip(m.rows()) {
        for (o, &x) in out.iter_mut().zip(row) {
            *o += vi * x;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Protocol;
    use crate::experiment::table::{config, Preset};
    use crate::rng::Rng;

    #[test]
    fn rotating_the_code_keeps_reconstructions() {
        let c = config("mnist_hash_2", Preset::Best, Protocol::Browser).unwrap();
        let mut m = Model::new(&c).unwrap();
        let mut r = Rng::new(2);
        let x = Array2::from_shape_simple_fn((20, PIXELS), || r.uniform() as f32);
        let before = m.reconstruct(x.view()).unwrap();
        let codes = m.code(x.view());
        let (mean, rot) = crate::retrieval::itq::itq(&codes, 10, 3);
        m.rotate_code(&mean, &rot);
        let after = m.reconstruct(x.view()).unwrap();
        let worst = (&before - &after).fold(0.0f32, |w, d| w.max(d.abs()));
        assert!(worst < 1e-4, "reconstructions moved by {worst}");
        // The new code is the rotated, centred old one.
        let expect = matmul((codes.mapv(|v| v as f64) - &mean).view(), rot.view());
        let got = m.code(x.view()).mapv(|v| v as f64);
        assert!((expect - got).fold(0.0f64, |w, d| w.max(d.abs())) < 1e-3);
    }

    /// A classifier with an index (the page's starter model): the head's
    /// probabilities stay; with a fine-tuned encoder the decoder, which
    /// reads the kept autoencode encoder, is left alone.
    #[test]
    fn rotating_the_code_keeps_the_heads_output_and_a_separate_decoder() {
        let mut c = config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap();
        c.index = true;
        for fine_tuned in [false, true] {
            let mut m = Model::new(&c).unwrap();
            if fine_tuned {
                let mut tuned = m.encoder.clone().unwrap();
                tuned.layers[0].w.mapv_inplace(|v| v * 1.1);
                m.ae_encoder = m.encoder.replace(tuned);
            }
            let mut r = Rng::new(3);
            let x = Array2::from_shape_simple_fn((20, PIXELS), || r.uniform() as f32);
            let (p0, rec0) = (
                m.classify_code(m.code(x.view()).view()).unwrap(),
                m.reconstruct(x.view()).unwrap(),
            );
            let (mean, rot) = crate::retrieval::itq::itq(&m.code(x.view()), 10, 3);
            m.rotate_code(&mean, &rot);
            let (p1, rec1) = (
                m.classify_code(m.code(x.view()).view()).unwrap(),
                m.reconstruct(x.view()).unwrap(),
            );
            let worst =
                |a: &Array2<f32>, b: &Array2<f32>| (a - b).fold(0.0f32, |w, d| w.max(d.abs()));
            assert!(
                worst(&p0, &p1) < 1e-4,
                "fine-tuned {fine_tuned}: probabilities moved by {}",
                worst(&p0, &p1)
            );
            assert!(
                worst(&rec0, &rec1) < 1e-4,
                "fine-tuned {fine_tuned}: reconstructions moved by {}",
                worst(&rec0, &rec1)
            );
        }
    }
}
