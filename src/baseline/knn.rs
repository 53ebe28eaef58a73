//! The 1-nearest-neighbour classifier in pixel space: each test image takes
//! the label of the closest labelled training image (Euclidean distance,
//! ‖a‖² + ‖b‖² − 2a·b, the products a chunk of test rows at a time).

use ndarray::{s, ArrayView2, Axis};

const CHUNK: usize = 256;

pub fn nearest_labels(train: ArrayView2<f32>, labels: &[u8], test: ArrayView2<f32>) -> Vec<u8> {
    let train_sq: Vec<f32> = train.rows().into_iter().map(|r| r.dot(&r)).collect();
    let mut out = Vec::with_capacity(test.nrows());
    for a in (0..test.nrows()).step_by(CHUNK) {
        let q = test.slice(s![a..(a + CHUNK).min(test.nrows()), ..]);
        // −2 q·tᵀ + ‖t‖²; ‖q‖² is the same along a row, so it can be left out.
        let prod = q.dot(&train.t());
        for row in prod.axis_iter(Axis(0)) {
            let (mut best, mut at) = (f32::INFINITY, 0);
            for (j, (&p, &t2)) in row.iter().zip(&train_sq).enumerate() {
                let d = t2 - 2.0 * p;
                if d < best {
                    best = d;
                    at = j;
                }
            }
            out.push(labels[at]);
        }
    }
    out
}
