//! A small seeded generator (xoshiro256++ seeded by SplitMix64).
//!
//! Our own rather than `rand`'s: its streams are part of our determinism
//! contract (same seed, same model, on every platform and every release), and
//! `rand` does not promise stable streams across versions.

#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        Rng {
            s: [
                splitmix64(&mut x),
                splitmix64(&mut x),
                splitmix64(&mut x),
                splitmix64(&mut x),
            ],
        }
    }

    /// An independent stream for one purpose (init, data order, noise, ...), so
    /// that changing how much one purpose draws never shifts another.
    pub fn fork(&self, purpose: u64) -> Rng {
        Rng::new(self.s[0] ^ purpose.wrapping_mul(0xA24B_AED4_963E_E407))
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n); n > 0.
    pub fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: bias below 2^-32 for the sizes we use.
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Standard normal (Box–Muller, one value per call for simplicity).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Two independent N(0, 1) draws by Marsaglia's polar method: one log
    /// and one square root a pair and no trigonometry, where `normal` (Box–
    /// Muller, one value a call) takes a log, a root and a cosine each. In
    /// the browser those are software f64 functions: for the denoising
    /// view's 500 noisy digits they were 21 ms of a 35 ms call on a host
    /// half as fast (issue 16). For bulk noise; `normal` stays where a
    /// model's figures were fixed with it.
    pub fn normal_pair(&mut self) -> [f64; 2] {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let k = (-2.0 * s.ln() / s).sqrt();
                return [u * k, v * k];
            }
        }
    }

    /// Adds N(0, sd²) noise to every value, drawn in pairs (`normal_pair`).
    pub fn add_normal(&mut self, v: &mut [f32], sd: f64) {
        for pair in v.chunks_mut(2) {
            for (x, z) in pair.iter_mut().zip(self.normal_pair()) {
                *x += (z * sd) as f32;
            }
        }
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// A seed from the platform's entropy source, for "pick a new seed" actions;
/// training itself only ever uses explicit seeds.
pub fn fresh_seed() -> u32 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => u32::from_le_bytes(b),
        Err(_) => 42,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_forks_differ() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(
            Rng::new(7).fork(1).next_u64(),
            Rng::new(7).fork(2).next_u64()
        );
    }

    #[test]
    fn both_normals_have_unit_moments_and_normal_tails() {
        let n = 200_000;
        let mut r = Rng::new(1);
        let one: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let pairs: Vec<[f64; 2]> = (0..n / 2).map(|_| r.normal_pair()).collect();
        let paired: Vec<f64> = pairs.iter().flatten().copied().collect();
        for (name, xs) in [("normal", &one), ("normal_pair", &paired)] {
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(mean.abs() < 0.01, "{name}: mean {mean}");
            assert!((var - 1.0).abs() < 0.02, "{name}: var {var}");
            // 68.3%, 95.4% and 99.73% within one, two and three sd.
            for (k, want) in [(1.0, 0.6827), (2.0, 0.9545), (3.0, 0.9973)] {
                let got = xs.iter().filter(|x| x.abs() < k).count() as f64 / n as f64;
                assert!((got - want).abs() < 0.005, "{name}: {got} within {k} sd");
            }
        }
        // The pair's two values are independent, not merely uncorrelated
        // in sign: their squares are uncorrelated too.
        let m =
            |f: &dyn Fn(&[f64; 2]) -> f64| pairs.iter().map(f).sum::<f64>() / pairs.len() as f64;
        let (xy, x2y2) = (m(&|p| p[0] * p[1]), m(&|p| p[0] * p[0] * p[1] * p[1]));
        assert!(xy.abs() < 0.01, "E[xy] {xy}");
        assert!((x2y2 - 1.0).abs() < 0.03, "E[x²y²] {x2y2}");
    }

    #[test]
    fn below_covers_range_uniformly() {
        let mut r = Rng::new(3);
        let mut counts = [0usize; 10];
        for _ in 0..100_000 {
            counts[r.below(10)] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
    }
}
