//! Code-space exploration, the denoising queries and the starter model, on
//! small trained models: what each returns can be checked against the model's
//! own parts (decode of a map point, sweep ranges, blend ends), and a
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
fn the_plane_maps_back_to_codes_that_decode_like_the_digits() {
    let s = trained(&auto2(3, 0.0), small());
    let p = s.code_plane(300).unwrap();
    assert_eq!((p.width, p.k, p.labels.len(), p.points.len()), (10, 2, 300, 600));
    // Two far-apart points of the map decode to different images.
    let at = |x: f32, y: f32| -> Vec<f32> {
        (0..p.width).map(|j| p.mean[j] + x * p.axes[j] + y * p.axes[p.width + j]).collect()
    };
    let (xs, ys): (Vec<f32>, Vec<f32>) = p.points.chunks(2).map(|q| (q[0], q[1])).unzip();
    let (x0, x1) = (xs.iter().cloned().fold(f32::MAX, f32::min), xs.iter().cloned().fold(f32::MIN, f32::max));
    let y = ys.iter().sum::<f32>() / ys.len() as f32;
    let (a, b) = (s.decode(&at(x0, y)).unwrap(), s.decode(&at(x1, y)).unwrap());
    assert_eq!(a.len(), 784);
    assert!(dist(&a, &b) > 20.0, "two ends of the map decode alike: {}", dist(&a, &b));
    // A test digit's own map point decodes close to its reconstruction when
    // the plane holds most of its code (checked loosely: nearer than the far end).
    let rec = s.reconstruct(&[0]).unwrap();
    let own = s.decode(&at(p.points[0], p.points[1])).unwrap();
    assert!(dist(&own, &rec) < dist(&own, &b).max(dist(&own, &a)));
    // Bad codes are refused, not decoded.
    assert!(s.decode(&[0.0; 7]).is_err());
    assert!(s.decode(&[f32::NAN; 10]).is_err());
}

#[test]
fn a_traversal_sweeps_each_unit_and_a_blend_runs_from_one_digit_to_the_other() {
    let s = trained(&auto2(3, 0.0), small());
    let (a, b) = (s.test_image(0).unwrap(), s.test_image(1).unwrap());
    let t = s.traverse(&a, 7).unwrap();
    assert_eq!((t.units, t.steps, t.images.len()), (10, 7, 10 * 7 * 784));
    assert!(t.lo.iter().zip(&t.hi).all(|(l, h)| l < h));
    // Each strip changes along its sweep.
    for j in 0..t.units {
        let strip = &t.images[j * 7 * 784..(j + 1) * 7 * 784];
        assert!(dist(&strip[..784], &strip[6 * 784..]) > 1.0, "unit {j} does nothing");
    }
    let blend = s.interpolate(&a, &b, 5).unwrap();
    assert_eq!((blend.codes.len(), blend.pixels.len()), (5 * 784, 5 * 784));
    // The code blend's ends are the two digits' own reconstructions.
    let rec = s.reconstruct(&[0, 1]).unwrap();
    assert!(dist(&blend.codes[..784], &rec[..784]) < 1e-2);
    assert!(dist(&blend.codes[4 * 784..], &rec[784..]) < 1e-2);
    assert!(s.traverse(&a, 1).unwrap_err().field.as_deref() == Some("steps"));
    // A model without a decoder has no code space to explore.
    let mlp = trained(&config("mnist_mlp_1p", Preset::Best, Protocol::Browser).map(|mut c| { c.sup_epochs = 1; c }).unwrap(), small());
    assert!(mlp.traverse(&a, 5).unwrap_err().message.contains("no encoder and decoder"));
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
        eprintln!("{noise:?} {level}: plain {:.4}, denoising {:.4}, noisy input {:.4}", p.mse, d.mse, p.noisy_mse);
        assert_eq!((p.clean, p.noisy), (d.clean.clone(), d.noisy.clone()), "same seed, same noisy digits");
        // Trained on Gaussian noise, it also removes salt and pepper; masked
        // pixels (ink taken away) it repairs no better than the plain one.
        if noise != Noise::Mask {
            assert!(d.mse < p.mse, "{noise:?}: denoising {} vs plain {}", d.mse, p.mse);
        }
        assert!(d.mse < d.noisy_mse, "{noise:?}: reconstructions no better than the noisy input");
    }
    // Without noise both are close to their plain reconstruction error.
    let clean = plain.denoise(Noise::Gaussian, 0.0, 400, 0, 1).unwrap();
    assert!(clean.noisy_mse == 0.0 && clean.mse < 0.05);
    assert_eq!(plain.denoise(Noise::Mask, 2.0, 10, 1, 1).unwrap_err().field.as_deref(), Some("level"));
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
    let a = s.analyse(&s.test_image(3).unwrap(), 0, 5).unwrap();
    assert!(a.probs.is_some() && a.reconstruction.is_some() && a.bits.as_ref().is_some_and(|b| b.len() == 10));
    assert!(!a.neighbours.is_empty(), "a test digit's bucket is empty");
}
