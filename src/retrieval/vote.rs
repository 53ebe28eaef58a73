//! The teacher's two opinions joined: label spreading says who looks like
//! whom, a softmax regression on the labelled images says which pixels mark
//! each class. Each opinion is first balanced (every class gets equal total
//! belief over the images, which keeps a class that spreads well from
//! swallowing its neighbours), then their beliefs are averaged, weighted.

use crate::data::CLASSES;

/// Each row of `b` scaled by `by` (per class), then to sum to one.
fn scale_rows(b: &mut [f32], by: &[f32; CLASSES]) {
    for row in b.chunks_exact_mut(CLASSES) {
        let mut sum = 0.0;
        for (v, s) in row.iter_mut().zip(by) {
            *v = v.max(0.0) * s;
            sum += *v;
        }
        let sum = sum.max(1e-20);
        row.iter_mut().for_each(|v| *v /= sum);
    }
}

/// `beliefs` (images × classes, by rows) balanced: each row scaled to sum
/// to one, then each class to equal mass, then each row to one again.
fn balanced(beliefs: &[f32]) -> Vec<f32> {
    let mut b = beliefs.to_vec();
    scale_rows(&mut b, &[1.0; CLASSES]);
    let mut mass = [0f32; CLASSES];
    for row in b.chunks_exact(CLASSES) {
        mass.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    scale_rows(&mut b, &mass.map(|m| 1.0 / m.max(1e-20)));
    b
}

/// The class each image believes most in, `weight` of the belief from
/// `linear` and the rest from `spread` (both images × classes by rows, any
/// non-negative scale).
pub fn joined(spread: &[f32], linear: &[f32], weight: f32) -> Vec<u8> {
    assert!(
        spread.len() == linear.len() && spread.len().is_multiple_of(CLASSES),
        "two opinions, a belief per class, of the same images"
    );
    let mut both = balanced(spread);
    for (s, l) in both.iter_mut().zip(balanced(linear)) {
        *s = (1.0 - weight) * *s + weight * l;
    }
    let rows = both.len() / CLASSES;
    let both = ndarray::Array2::from_shape_vec((rows, CLASSES), both).expect("whole rows");
    crate::nn::loss::argmax_rows(&both)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn sl(a: &Array2<f32>) -> &[f32] {
        a.as_slice().unwrap()
    }

    #[test]
    fn the_weight_chooses_between_opinions_and_balancing_favours_a_rare_belief() {
        // Two classes of ten: the other eight get no belief.
        let ten = |rows: &[[f32; 2]]| {
            Array2::from_shape_fn(
                (rows.len(), CLASSES),
                |(i, c)| if c < 2 { rows[i][c] } else { 0.0 },
            )
        };
        let spread = ten(&[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]);
        let linear = ten(&[[0.3, 0.7], [0.6, 0.4], [0.2, 0.8]]);
        assert_eq!(joined(sl(&spread), sl(&linear), 0.0), vec![0, 1, 0]);
        assert_eq!(joined(sl(&spread), sl(&linear), 1.0), vec![1, 0, 1]);
        // Spreading believes in class 0 everywhere; balanced, its weakest
        // belief in 0 (row 1) goes to class 1 on its own.
        let alone = ten(&[[0.9, 0.1], [0.55, 0.45], [0.8, 0.2]]);
        assert_eq!(joined(sl(&alone), sl(&alone), 0.0), vec![0, 1, 0]);
        // Scale does not matter: raw scores and probabilities agree.
        assert_eq!(
            joined(sl(&(&spread * 7.0)), sl(&linear), 0.3),
            joined(sl(&spread), sl(&linear), 0.3)
        );
    }
}
