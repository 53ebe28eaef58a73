//! Principal components of the training images: the mean and the top-k
//! eigenvectors of their covariance (subspace iteration with Gram–Schmidt,
//! in f64), for PCA coordinates and PCA-k reconstructions.

use ndarray::{Array1, Array2, ArrayView2, Axis};

const ITERATIONS: usize = 300;

pub struct Pca {
    pub mean: Array1<f32>,
    /// d × k, orthonormal columns, by decreasing variance.
    pub axes: Array2<f32>,
}

impl Pca {
    pub fn fit(x: ArrayView2<f32>, k: usize) -> Pca {
        let mean = x.mean_axis(Axis(0)).expect("rows");
        let centred = &x - &mean;
        let cov = centred.t().dot(&centred).mapv(|v| v as f64) / x.nrows().max(1) as f64;
        let d = cov.nrows();
        // A fixed, full-rank start: every run of the same data agrees.
        let mut q = Array2::from_shape_fn((d, k), |(i, j)| {
            (((i * 7 + j * 13) % 17) as f64 - 8.0) + 0.01 * (i as f64)
        });
        orthonormalise(&mut q);
        for _ in 0..ITERATIONS {
            q = cov.dot(&q);
            orthonormalise(&mut q);
        }
        Pca {
            mean,
            axes: q.mapv(|v| v as f32),
        }
    }

    /// Coordinates of `x` on the axes (n × k).
    pub fn project(&self, x: ArrayView2<f32>) -> Array2<f32> {
        (&x - &self.mean).dot(&self.axes)
    }

    /// Per-pixel MSE of `x` against its reconstruction from the first `k` axes
    /// (`scale` divides values to the 0..1 scale).
    pub fn recon_mse(&self, x: ArrayView2<f32>, k: usize, scale: f32) -> f64 {
        let axes = self.axes.slice(ndarray::s![.., ..k]);
        let centred = &x - &self.mean;
        let rec = centred.dot(&axes).dot(&axes.t());
        let diff = (&centred - &rec) / scale;
        diff.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / diff.len().max(1) as f64
    }
}

/// Modified Gram–Schmidt on the columns, in order.
fn orthonormalise(q: &mut Array2<f64>) {
    for j in 0..q.ncols() {
        for i in 0..j {
            let dot = q.column(i).dot(&q.column(j));
            let qi = q.column(i).to_owned();
            q.column_mut(j).scaled_add(-dot, &qi);
        }
        let norm = q.column(j).dot(&q.column(j)).sqrt().max(1e-300);
        q.column_mut(j).mapv_inplace(|v| v / norm);
    }
}
