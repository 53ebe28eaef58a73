//! Code-space exploration, the denoising queries and the starter model, on
//! small trained models: what each returns can be checked against the model's
//! own parts (a digit's code decodes to its reconstruction), and a
//! denoising autoencoder must beat a plain one on noisy digits.

mod common;
use aelab::data::noise::Noise;
use aelab::data::{Digits, Protocol};
use aelab::experiment::starter::starter_config;
use aelab::experiment::table::{config, Preset};
use aelab::{Config, Session};

fn small() -> Digits {
    common::subset().range(0, 2000)
}

fn trained(c: &Config, data: Digits) -> Session {
    let mut s = Session::new(data);
    s.start(c).unwrap();
    s.finish(|_| {}).unwrap();
    s
}

fn auto2(epochs: usize, denoise: f32) -> Config {
    let mut c = config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap();
    c.ae_epochs = epochs;
    c.sup_epochs = 1;
    c.denoise = denoise;
    c
}

fn dist(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(p, q)| (p - q).abs()).sum()
}

#[test]
fn codes_decode_like_the_digits_they_came_from() {
    let s = trained(&auto2(3, 0.0), small());
    let codes = s.codes(300).unwrap();
    assert_eq!(codes.len(), 3000);
    // A test digit's own code decodes to its reconstruction; two codes of
    // different digits decode to different images.
    let rec = s.reconstruct(&[0, 1]).unwrap();
    let own = s.decode(&codes[..20]).unwrap();
    assert_eq!(own.len(), 2 * 784);
    assert!(dist(&own, &rec) < 1e-2, "{}", dist(&own, &rec));
    assert!(dist(&own[..784], &own[784..]) > 20.0);
    // Bad codes are refused, not decoded.
    assert!(s.decode(&[0.0; 7]).is_err());
    assert!(s.decode(&[f32::NAN; 10]).is_err());
}

#[test]
fn encode_gives_the_codes_decode_reads_and_a_model_without_a_decoder_has_none() {
    let s = trained(&auto2(3, 0.0), small());
    let t = s.run().unwrap();
    let image = |i: usize| -> Vec<f32> {
        t.split()
            .test
            .image(i)
            .iter()
            .map(|&p| p as f32 / 255.0)
            .collect()
    };
    let two: Vec<f32> = [image(0), image(1)].concat();
    let codes = s.encode(&two).unwrap();
    // The same codes as the map's (`codes`: the test digits' network inputs).
    let map = s.codes(2).unwrap();
    assert!(dist(&codes, &map) < 1e-3, "{}", dist(&codes, &map));
    let train = s.train_codes(50).unwrap();
    assert_eq!(train.len(), 500);
    assert!(s.encode(&[0.5; 700]).is_err());
    // A model without a decoder has no code space to explore.
    let mut c = config("mnist_mlp_1p", Preset::Best, Protocol::Browser).unwrap();
    c.sup_epochs = 1;
    let mlp = trained(&c, small());
    assert!(mlp
        .encode(&image(0))
        .unwrap_err()
        .message
        .contains("no encoder and decoder"));
    assert!(mlp.decode(&[0.0; 10]).is_err());
}

#[test]
fn a_denoising_autoencoder_removes_noise_a_plain_one_keeps() {
    let data = common::subset().range(0, 4000);
    let plain = trained(&auto2(6, 0.0), data.clone());
    let denoising = trained(&auto2(6, 0.4), data);
    for noise in [Noise::Gaussian, Noise::Salt, Noise::Mask] {
        let level = if noise == Noise::Gaussian { 0.5 } else { 0.3 };
        let p = plain.denoise(noise, level, 400, 4, 1).unwrap();
        let d = denoising.denoise(noise, level, 400, 4, 1).unwrap();
        eprintln!(
            "{noise:?} {level}: plain {:.4}, denoising {:.4}, noisy input {:.4}",
            p.mse, d.mse, p.noisy_mse
        );
        assert_eq!(p.noisy, d.noisy, "same seed, same noisy digits");
        // Trained on Gaussian noise, it also removes salt and pepper; masked
        // pixels (ink taken away) it repairs no better than the plain one.
        if noise != Noise::Mask {
            assert!(
                d.mse < p.mse,
                "{noise:?}: denoising {} vs plain {}",
                d.mse,
                p.mse
            );
        }
        assert!(
            d.mse < d.noisy_mse,
            "{noise:?}: reconstructions no better than the noisy input"
        );
    }
    // Without noise both are close to their plain reconstruction error.
    let clean = plain.denoise(Noise::Gaussian, 0.0, 400, 0, 1).unwrap();
    assert!(clean.noisy_mse == 0.0 && clean.mse < 0.05);
    assert_eq!(
        plain
            .denoise(Noise::Mask, 2.0, 10, 1, 1)
            .unwrap_err()
            .field
            .as_deref(),
        Some("level")
    );
}

#[test]
fn the_starter_model_classifies_reconstructs_and_answers_from_its_bucket() {
    let mut c = starter_config();
    c.ae_epochs = 3;
    c.sup_epochs = 4;
    let s = trained(&c, small());
    let r = s.run().unwrap().results().clone();
    assert!(r.test_accuracy.unwrap() > 0.8, "{r:?}");
    assert!(r.hash.as_ref().unwrap().bucket_precision > 0.5, "{r:?}");
    let img: Vec<f32> = s
        .run()
        .unwrap()
        .split()
        .test
        .image(3)
        .iter()
        .map(|&p| p as f32 / 255.0)
        .collect();
    let a = s.analyse(&img, 0, 5).unwrap();
    assert!(
        a.probs.is_some()
            && a.reconstruction.is_some()
            && a.bits.as_ref().is_some_and(|b| b.len() == 10)
    );
    assert!(!a.neighbours.is_empty(), "a test digit's bucket is empty");
}
