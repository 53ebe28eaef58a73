//! Corruptions of images on the 0..1 scale, for showing what a (denoising)
//! autoencoder makes of damaged digits: Gaussian noise, salt and pepper, and
//! masked (dropped) pixels. The level is the noise's sd or the fraction of
//! pixels hit.

use crate::error::Result;
use crate::refuse;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Noise {
    /// Add N(0, level²), then clip to 0..1.
    Gaussian,
    /// A fraction `level` of the pixels set to black or white at random.
    Salt,
    /// A fraction `level` of the pixels set to black.
    Mask,
}

impl std::str::FromStr for Noise {
    type Err = crate::error::Error;

    fn from_str(s: &str) -> Result<Noise> {
        match s {
            "gaussian" => Ok(Noise::Gaussian),
            "salt" => Ok(Noise::Salt),
            "mask" => Ok(Noise::Mask),
            _ => refuse!(
                "noise",
                "unknown noise {s:?}; expected \"gaussian\", \"salt\" or \"mask\""
            ),
        }
    }
}

/// Corrupts `pixels` (0..1) in place. `level` must lie in 0..=1.
pub fn corrupt(pixels: &mut [f32], noise: Noise, level: f32, rng: &mut Rng) -> Result<()> {
    if !(level.is_finite() && (0.0..=1.0).contains(&level)) {
        refuse!(
            "level",
            "noise level {level} is out of range; expected 0 to 1"
        );
    }
    match noise {
        Noise::Gaussian => {
            rng.add_normal(pixels, level as f64);
            pixels.iter_mut().for_each(|p| *p = p.clamp(0.0, 1.0));
        }
        Noise::Salt => {
            for p in pixels.iter_mut() {
                if rng.uniform() < level as f64 {
                    *p = if rng.uniform() < 0.5 { 0.0 } else { 1.0 };
                }
            }
        }
        Noise::Mask => {
            for p in pixels.iter_mut() {
                if rng.uniform() < level as f64 {
                    *p = 0.0;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(noise: Noise, level: f32) -> Vec<f32> {
        let mut v = vec![0.5f32; 10_000];
        corrupt(&mut v, noise, level, &mut Rng::new(1)).unwrap();
        v
    }

    #[test]
    fn each_kind_hits_about_its_level_and_stays_in_range() {
        let changed = |v: &[f32]| v.iter().filter(|&&p| p != 0.5).count() as f64 / v.len() as f64;
        let m = hit(Noise::Mask, 0.3);
        assert!((changed(&m) - 0.3).abs() < 0.02 && m.iter().all(|&p| p == 0.0 || p == 0.5));
        let s = hit(Noise::Salt, 0.2);
        assert!((changed(&s) - 0.2).abs() < 0.02);
        let whites = s.iter().filter(|&&p| p == 1.0).count() as f64 / 10_000.0;
        assert!((whites - 0.1).abs() < 0.02, "salt: {whites} white");
        let g = hit(Noise::Gaussian, 0.1);
        let sd = (g.iter().map(|&p| ((p - 0.5) as f64).powi(2)).sum::<f64>() / 1e4).sqrt();
        assert!((sd - 0.1).abs() < 0.01, "gaussian sd {sd}");
        assert!(hit(Noise::Gaussian, 1.0)
            .iter()
            .all(|p| (0.0..=1.0).contains(p)));
        assert_eq!(hit(Noise::Mask, 0.0), vec![0.5; 10_000]);
    }

    #[test]
    fn a_bad_level_or_kind_is_refused_by_name() {
        let mut v = vec![0.0f32; 4];
        for level in [-0.1, 1.5, f32::NAN] {
            let e = corrupt(&mut v, Noise::Mask, level, &mut Rng::new(1)).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("level"), "{}", e.message);
        }
        let e = "speckle".parse::<Noise>().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("noise"));
    }
}
