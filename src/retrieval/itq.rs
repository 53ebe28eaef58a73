//! Iterative quantisation (Gong & Lazebnik 2011): the rotation R of centred
//! codes V that minimises ‖sign(VR) − VR‖², so thresholding at zero loses as
//! little of the code as possible. Alternates B = sign(VR) with the
//! orthogonal Procrustes solution R = U Wᵀ from the SVD of Vᵀ B.

use crate::linalg::gemm::matmul;
use crate::rng::Rng;
use ndarray::{Array1, Array2, Axis};

/// Returns (mean, R): keys are then the signs of (code − mean)·R.
pub fn itq(codes: &Array2<f32>, iterations: usize, seed: u64) -> (Array1<f64>, Array2<f64>) {
    let mut it = Itq::new(codes, seed);
    it.iterate(iterations);
    it.result()
}

/// ITQ a few iterations at a time, so the page can spread it over frames.
pub struct Itq {
    v: Array2<f64>,
    mean: Array1<f64>,
    r: Array2<f64>,
}

impl Itq {
    pub fn new(codes: &Array2<f32>, seed: u64) -> Itq {
        let v64 = codes.mapv(|x| x as f64);
        let mean = v64.mean_axis(Axis(0)).expect("rows");
        let v = &v64 - &mean;
        let c = v.ncols();
        // A random orthogonal start: Q of a Gaussian matrix, via the SVD below.
        let mut rng = Rng::new(seed);
        let g = Array2::from_shape_simple_fn((c, c), || rng.normal());
        let (u, w) = svd_uv(&g);
        Itq {
            v,
            mean,
            r: matmul(u.view(), w.t()),
        }
    }

    pub fn iterate(&mut self, iterations: usize) {
        for _ in 0..iterations {
            let b =
                matmul(self.v.view(), self.r.view()).mapv(|x| if x >= 0.0 { 1.0 } else { -1.0 });
            let m = matmul(self.v.t(), b.view());
            let (u, w) = svd_uv(&m);
            self.r = matmul(u.view(), w.t());
        }
    }

    /// (mean, R) as the iterations so far leave them.
    pub fn result(&self) -> (Array1<f64>, Array2<f64>) {
        (self.mean.clone(), self.r.clone())
    }
}

/// U and W of M = U Σ Wᵀ (square M), by one-sided Jacobi rotations.
fn svd_uv(m: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let n = m.ncols();
    let mut a = m.clone();
    let mut w = Array2::<f64>::eye(n);
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let (alpha, beta, gamma) = (
                    a.column(p).dot(&a.column(p)),
                    a.column(q).dot(&a.column(q)),
                    a.column(p).dot(&a.column(q)),
                );
                if gamma.abs() <= 1e-12 * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let cs = 1.0 / (1.0 + t * t).sqrt();
                let sn = cs * t;
                for mat in [&mut a, &mut w] {
                    for i in 0..n {
                        let (x, y) = (mat[[i, p]], mat[[i, q]]);
                        mat[[i, p]] = cs * x - sn * y;
                        mat[[i, q]] = sn * x + cs * y;
                    }
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let mut u = a;
    for mut col in u.columns_mut() {
        let norm = col.dot(&col).sqrt();
        if norm > 1e-300 {
            col /= norm;
        }
    }
    (u, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svd_reconstructs_and_rotation_is_orthogonal() {
        let mut r = Rng::new(3);
        let m = Array2::from_shape_simple_fn((6, 6), || r.normal());
        let (u, w) = svd_uv(&m);
        // Uᵀ M W is diagonal.
        let d = u.t().dot(&m).dot(&w);
        for i in 0..6 {
            for j in 0..6 {
                if i != j {
                    assert!(d[[i, j]].abs() < 1e-9, "off-diagonal {}", d[[i, j]]);
                }
            }
        }
        let codes = Array2::from_shape_simple_fn((300, 5), || r.normal() as f32);
        let (_, rot) = itq(&codes, 20, 1);
        let eye = rot.t().dot(&rot);
        for i in 0..5 {
            for j in 0..5 {
                assert!((eye[[i, j]] - f64::from(u8::from(i == j))).abs() < 1e-9);
            }
        }
    }
}
